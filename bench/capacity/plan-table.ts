// The capacity table of the report: the assumptions measured in a run and those chosen, the
// formula, and one row per department (the examples, then the planner's own `--plan` rows). It
// renders from a CapacityResult alone, so a finished run's JSON gives the same table again with
// other departments or another retention (`platewatch bench --from-json FILE --plan C,R,H`).
import { formatBytes, markdownTable } from '../report.js';
import { fmt } from '../storage/machine.js';
import { EXAMPLE_DEPARTMENTS, planDepartment, type PlanAssumptions } from './capacity-plan.js';
import type { StepResult } from './load-steps.js';
import { DEFAULT_PLAN_REQUEST, type Parsed, type PlanRequest } from './plan-request.js';
import { PROCESS_ROLES } from './process-roles.js';
import type { CapacityResult } from './run.js';

/** Busiest hour ÷ daily average; traffic peaks run at 2–3× the daily mean, take the high end. */
export const PEAK_FACTOR = 3;
export const HEADROOM = 2;
/** One planner's machine: smaller is not worth buying for a system that must not stop. */
export const MIN_CORES = 2;
export const MIN_MEMORY_BYTES = 4 * 1024 ** 3;
const DAY_MS = 86_400_000;

/** Bytes with TiB for the disk columns (bench/report.ts stops at GiB). */
export function formatSize(bytes: number): string {
  return bytes >= 1024 ** 4 ? `${fmt(bytes / 1024 ** 4, 1)} TiB` : formatBytes(bytes);
}

/** The step the highest sustained rate came from, if any. */
export function highestStep(r: CapacityResult): StepResult | undefined {
  return r.ramp.find((s) => s.targetRate === r.highestSustainedRate && s.sustained);
}

/** Peak RSS of platewatch + nats-server in a step. */
function stepMemory(s: StepResult): number {
  return (s.processes[PROCESS_ROLES.system]?.maxRssBytes ?? 0) + (s.processes[PROCESS_ROLES.nats]?.maxRssBytes ?? 0);
}

/**
 * The memory the plan starts from: at the highest sustained rate, or, when no step was sustained
 * (a busy machine), the most any step used, rather than nothing.
 */
function baseMemory(r: CapacityResult): { bytes: number; from: 'highest sustained rate' | 'largest step' } {
  const top = highestStep(r);
  if (top !== undefined) return { bytes: stepMemory(top), from: 'highest sustained rate' };
  return { bytes: Math.max(0, ...[...r.ramp, ...r.fixed].map(stepMemory)), from: 'largest step' };
}

/** What the capacity table scales from; exported for the smoke test and the JSON output. */
export function planAssumptions(r: CapacityResult, retentionDays = DEFAULT_PLAN_REQUEST.retentionDays): PlanAssumptions {
  const top = highestStep(r);
  const sys = top?.processes[PROCESS_ROLES.system];
  const nats = top?.processes[PROCESS_ROLES.nats];
  const cores = (sys?.cores ?? 0) + (nats?.cores ?? 0);
  const detections = r.storage.detections;
  const hits = r.storage.hits;
  const reload = r.hotlist.reload;
  return {
    peakFactor: PEAK_FACTOR,
    headroom: HEADROOM,
    readsPerCoreSecond: top !== undefined && cores > 0 ? top.processedRate / cores : Number.NaN,
    baseMemoryBytes: baseMemory(r).bytes,
    measuredHotlistEntries: r.hotlist.generalEntries + r.hotlist.specificEntries,
    rssBytesPerHotlistEntry: Math.max(0, r.hotlist.rssBytesPerEntry),
    reloadBytesPerHotlistEntry: reload.entries > 0 ? Math.max(0, reload.peakRssBytes - reload.idleRssBytes) / reload.entries : 0,
    skipIndexCacheBytes: r.skipIndexCacheBytes,
    bytesPerDetection: detections.rows > 0 ? detections.bytesOnDisk / detections.rows : Number.NaN,
    hitRate: r.options.hitRate,
    bytesPerHit: hits.rows > 0 ? hits.bytesOnDisk / hits.rows : 0,
    retentionDays,
    natsReservedBytes: r.nats.readsMaxBytes + r.nats.invalidMaxBytes,
    natsBytesPerHit: Number.isFinite(r.nats.hitBytes) ? r.nats.hitBytes : 0,
    hitsRetentionDays: r.nats.hitsMaxAgeMs / DAY_MS,
    minCores: MIN_CORES,
    minMemoryBytes: MIN_MEMORY_BYTES,
  };
}

/** The "Capacity table" section: assumptions, formula, rows, notes. */
export function renderCapacityTable(r: CapacityResult, request: PlanRequest = DEFAULT_PLAN_REQUEST): string[] {
  const o = r.options;
  const top = highestStep(r);
  const a = planAssumptions(r, request.retentionDays);
  const reload = r.hotlist.reload;
  const out: string[] = [];
  out.push('### Capacity table', '');
  out.push('Assumptions — measured in this run:', '');
  out.push(
    `- reads one core carries: **${fmt(a.readsPerCoreSecond)} reads per core-second** = reads stored per second at the highest sustained rate ÷ cores busy in the platewatch process and nats-server then (${top === undefined ? 'n/a' : `${fmt(top.processedRate)} ÷ ${fmt((top.processes[PROCESS_ROLES.system]?.cores ?? 0) + (top.processes[PROCESS_ROLES.nats]?.cores ?? 0), 2)}`}); it includes matching, storage inserts and merges, hit publishing and fan-out to ${fmt(o.consoles)} consoles, and excludes the simulated cameras and consoles;`,
    `- memory at that rate: **${formatBytes(a.baseMemoryBytes)}** peak RSS of platewatch + nats-server with ${fmt(a.measuredHotlistEntries)} hot list entries loaded${baseMemory(r).from === 'largest step' ? ' (no step was sustained: the most any step used)' : ''};`,
    `- memory per further hot list entry: **${fmt(a.rssBytesPerHotlistEntry, 0)} bytes** of process RSS (after GC, before and after loading this run's lists; the JS heap and array buffers alone grew ${fmt(r.hotlist.heapBytesPerEntry, 0)} B/entry, the rest is memory the allocators keep);`,
    `- a hot list reload: **${fmt(a.reloadBytesPerHotlistEntry, 0)} bytes per entry of the list** above the idle system = (peak RSS ${formatBytes(reload.peakRssBytes)} − idle ${formatBytes(reload.idleRssBytes)}) ÷ ${fmt(reload.entries)}, measured by loading the SVS list again at the end of the run, ${fmt(reload.changed)} entries changed, as a CSV file sent to the gateway's load endpoint (${fmt(reload.seconds, 1)} s; peak from ${reload.peakFrom === 'VmHWM' ? 'the kernel\'s high-water mark' : 'RSS sampled every 20 ms'}): the file, its parsed entries, the encoded version and the old and new indexes are in memory together until the swap. Scaled to the whole H, as if the biggest list were all of it; the reload's fixed costs are spread over this run's entries, so a small run (\`--quick\`) overstates it per entry;`,
    `- disk: **${fmt(a.bytesPerDetection, 1)} bytes per detection** on disk (above; reads with image reference and vehicle attributes) and ${fmt(a.bytesPerHit, 0)} bytes per stored hit at a ${fmt(100 * a.hitRate, 1)} % hit rate; on the NATS store **${fmt(a.natsBytesPerHit, 0)} bytes per hit** on HITS (each carries a copy of its read).`,
    '',
  );
  out.push('Assumptions — chosen:', '');
  out.push(
    `- reads/s per camera is the daily average (DESIGN.md scale facts: the small city's 6 cameras read ~0.4 reads/s in total, ~0.07 per camera; Flock's ~20 billion reads a month over 40,000 cameras is ~0.19 per camera); a camera can peak at ~30 reads/s in heavy traffic, but a whole fleet peaks together at about **${PEAK_FACTOR}× its daily average** (rush hour);`,
    `- **headroom ${HEADROOM}×** on the peak for cores and on memory, so a backlog after an outage drains, searches and merges have room, and the machine never runs at its measured limit;`,
    `- chDB's skip-index cache at its limit, **${formatBytes(a.skipIndexCacheBytes)}** (\`storage.skipIndexCacheBytes\`): analysts' partial-plate searches fill it; the run makes none;`,
    `- retention **${a.retentionDays} days** (\`--retention-days\`; Government Code § 34090.6: at least 365; evidence holds are extra), one copy (multiply by the replica count for a replicated ClickHouse cluster); camera images are not stored by platewatch (only their reference);`,
    `- the NATS store: JetStream reserves the READS limit (${formatBytes(r.nats.readsMaxBytes)}) and the INVALID_READS limit (${formatBytes(r.nats.invalidMaxBytes)}) up front, **${formatBytes(a.natsReservedBytes)}**, and HITS keeps every hit for ${fmt(a.hitsRetentionDays)} days with no byte limit (README, Operations; docs/storage.md, "What NATS keeps");`,
    `- at least ${MIN_CORES} cores and ${formatBytes(MIN_MEMORY_BYTES)} per machine; analyst searches are not in the load and need their own headroom (see the storage search section).`,
    '',
  );
  out.push(
    `cores = max(${MIN_CORES}, ⌈peak reads/s × headroom ÷ reads per core-second⌉) · memory = max(${formatBytes(MIN_MEMORY_BYTES)}, (measured RSS at that rate + extra hot list entries × RSS per entry + H × reload bytes per entry + skip-index cache) × headroom) · ClickHouse disk = average reads/s × 86,400 × ${a.retentionDays} × (bytes per detection + hit rate × bytes per hit) · NATS disk = READS + INVALID_READS limits + average reads/s × 86,400 × ${fmt(a.hitsRetentionDays)} × hit rate × HITS bytes per hit`,
    '',
  );
  const ceilingNote = (need: number): string => {
    const over: string[] = [];
    if (need > r.ceilings.jetstreamReadsPerSecond) over.push(`NATS consume (${fmt(r.ceilings.jetstreamReadsPerSecond)}/s)`);
    if (need > r.ceilings.chdbRowsPerSecond) over.push(`chDB insert (${fmt(r.ceilings.chdbRowsPerSecond)}/s)`);
    return over.length === 0 ? 'yes' : `**no**: over ${over.join(' and ')}`;
  };
  out.push(
    markdownTable(
      ['department', 'cameras C', 'reads/s per camera R', 'hot list entries H', 'average reads/s', 'peak reads/s', 'cores busy at peak', 'cores', 'memory', `ClickHouse disk per ${a.retentionDays} days`, 'NATS store disk', 'peak × headroom under one stream\'s and one chDB\'s ceiling (this run)?'],
      [...EXAMPLE_DEPARTMENTS, ...request.departments].map((dep) => planDepartment(dep, a)).map((p) => [
        p.name, fmt(p.cameras), fmt(p.readsPerCamera, 2), fmt(p.hotlistEntries), fmt(p.averageReadsPerSecond, 1), fmt(p.peakReadsPerSecond, 0),
        Number.isFinite(a.readsPerCoreSecond) ? fmt(p.peakReadsPerSecond / a.readsPerCoreSecond, 2) : 'n/a', Number.isFinite(p.cores) ? fmt(p.cores) : 'n/a', formatSize(p.memoryBytes), formatSize(p.diskBytesPerRetention), formatSize(p.natsDiskBytes), ceilingNote(p.peakReadsPerSecond * a.headroom),
      ]),
    ),
    '',
  );
  out.push(
    '"Cores busy at peak" is the measured CPU cost before headroom and minimums. The per-core figure was measured at this machine\'s highest sustained rate and is extrapolated linearly above it; where the last column says no, one READS stream or one chDB process does not carry the load and the roles split (README, "Scaling past one machine"). ' +
      'The disk columns leave out tables without a TTL, which grow with use for as long as the system runs: `access_log` (every search, view and export, kept for audits) and the evidence tables (`evidence_detections` and the holds: detections copied out of the TTL for a case). ' +
      'For your own department: `./platewatch bench --plan C,R,H` (repeatable) adds rows, `--retention-days D` sets the disk column, and `--from-json FILE` prints this table again from a recorded run without running it; the arithmetic is `bench/capacity/capacity-plan.ts`.',
    '',
  );
  return out;
}

const REQUIRED_FIELDS: readonly (readonly string[])[] = [
  ['options', 'hitRate'], ['ramp'], ['highestSustainedRate'], ['ceilings', 'jetstreamReadsPerSecond'], ['ceilings', 'chdbRowsPerSecond'],
  ['storage', 'detections', 'rows'], ['storage', 'hits', 'rows'], ['hotlist', 'generalEntries'], ['hotlist', 'rssBytesPerEntry'],
  ['hotlist', 'reload', 'peakRssBytes'], ['skipIndexCacheBytes'], ['nats', 'readsMaxBytes'], ['nats', 'hitsMaxAgeMs'],
];

/**
 * The capacity table again from a finished run's `--json` output. A file recorded before the run
 * measured RSS per entry, the reload and the NATS store is refused rather than planned with guesses.
 */
export function renderPlanFromJson(text: string, source: string, request: PlanRequest): Parsed<string> {
  let r: CapacityResult;
  try {
    r = JSON.parse(text) as CapacityResult;
  } catch (error) {
    return { ok: false, reason: `${source} is not JSON: ${(error as Error).message}` };
  }
  const missing = REQUIRED_FIELDS.filter((path) => path.reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined), r) === undefined);
  if (missing.length > 0) {
    return { ok: false, reason: `${source} is not a capacity run's --json output this version can plan from (missing ${missing.map((p) => p.join('.')).join(', ')}); record one with ./platewatch bench --json FILE` };
  }
  const out = [
    `## Capacity plan from ${source}${r.options.quick ? ' — a quick run: figures not meaningful' : ''}`,
    '',
    `Measured by \`${r.command}\` · started ${r.startedAt} on ${r.machine.cpu} (${r.machine.cores} cores)${request.departments.length === 0 ? '' : ` · rows from --plan at the end`}.`,
    '',
    ...renderCapacityTable(r, request),
  ];
  return { ok: true, value: out.join('\n') };
}
