// What a state's daily hot list download costs the running system: a general list of N rows is
// loaded through the gateway (`POST /api/hotlists/SVS/load` as text, as `platewatch hotlist load`
// sends it while `up` runs), then loaded again with a tenth of it changed (the daily reload).
// For each load: the time until the answer (which waits until the new version matches), the
// longest stall of the process's event loop (every read, hit and console waits that long), and
// the process's peak memory. The baseline of the same run is the idle system just before.
// Run: node --expose-gc --import tsx bench/hotlist/load.bench.ts [--rows 1000000]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readFileSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { startSystem } from '../../bin/system.js';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { saveUser } from '../../storage/users.js';
import { canCollectGarbage } from '../measure.js';
import { formatBytes, machineTable, markdownTable } from '../report.js';
import { acceptOnly, arg, fmt } from '../storage/machine.js';
import { uploadFromChild } from './upload.js';

const USAGE = 'Usage: node --expose-gc --import tsx bench/hotlist/load.bench.ts [--rows N] (default 1000000)';
acceptOnly(USAGE, ['rows']);
if (!canCollectGarbage()) {
  console.error(`memory figures need a full collection first\n${USAGE}`);
  process.exit(2);
}
const rows = Number(arg('rows', '1000000'));
if (!Number.isInteger(rows) || rows < 1) {
  console.error(`--rows must be a whole number ≥ 1\n${USAGE}`);
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc as () => void;
const PASSWORD = 'violet harbor lantern quietly';
const SYMBOLS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const HEADER = 'plate,state,list,reason,case_number,entered_by,synopsis,expires_at,vehicle_make,vehicle_model,vehicle_year,vehicle_color,vehicle_style\n';
const MAKES = [['TOYT', 'Camry'], ['HOND', 'Civic'], ['FORD', 'F150'], ['CHEV', 'Silverado'], ['NISS', 'Altima'], ['TSMR', 'Model 3']] as const;
const COLORS = ['SIL', 'BLK', 'WHI', 'RED', 'BLU', 'GRY'] as const;

/** A plate of 7 symbols from a seeded generator, so both files of a run share their unchanged rows. */
function plateOf(seed: number): string {
  // mulberry32: 32-bit integer arithmetic throughout (a float product loses its low bits).
  let x = (seed + 0x6d2b79f5) | 0;
  let plate = '';
  for (let i = 0; i < 7; i++) {
    x = (x + 0x6d2b79f5) | 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    plate += SYMBOLS[((t ^ (t >>> 14)) >>> 0) % SYMBOLS.length];
  }
  return plate;
}

/** A download like the state's: vehicle columns on every row, a case number of its own, a synopsis on some. */
function csv(count: number, firstSeed: number, changedEvery: number): string {
  const lines: string[] = [HEADER];
  for (let i = 0; i < count; i++) {
    const seed = changedEvery > 0 && i % changedEvery === 0 ? firstSeed + count + i : firstSeed + i;
    const [make, model] = MAKES[seed % MAKES.length] as readonly [string, string];
    const synopsis = seed % 3 === 0 ? 'Taken from driveway overnight' : '';
    lines.push(`${plateOf(seed)},CA,SVS,Stolen vehicle,V${String(seed).padStart(9, '0')},CA0440500,${synopsis},,${make},${model},${2000 + (seed % 25)},${COLORS[seed % COLORS.length]},4D\n`);
  }
  return lines.join('');
}

/** Resets the kernel's peak-RSS mark of this process (Linux: clear_refs 5), so VmHWM is this step's peak. */
function resetPeakRss(): void {
  writeFileSync('/proc/self/clear_refs', '5');
}

function peakRss(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN) * 1024;
}

/** Sends the file from another process, as the CLI does, so the sending costs this one nothing. */
const upload = uploadFromChild;

interface Step {
  name: string;
  wallMs: number;
  stallMaxMs: number;
  stallP99Ms: number;
  peakRss: number;
  rssAfter: number;
  /** The main thread's JS heap: what the pipeline and consoles share. A list's index arrives as transferred buffers, counted in RSS only. */
  heapAfter: number;
}

const dir = await mkdtemp(join(tmpdir(), 'platewatch-load-bench-'));
try {
  const first = join(dir, 'svs-1.csv');
  const second = join(dir, 'svs-2.csv');
  await writeFile(first, csv(rows, 1, 0));
  await writeFile(second, csv(rows, 1, 10));
  const system = await startSystem({
    dataDir: join(dir, 'data'), matcher: resolveMatcherConfig(), logger: pino({ level: 'silent' }), gateway: { port: 0, host: '127.0.0.1' },
  });
  try {
    await saveUser(system.storage, { userId: 'admin1', name: 'Bench Admin', title: 'Lieutenant', roles: ['administrator'], trainedAt: '2026-01-15', active: true }, 'bench');
    await system.credentials.setPassword('admin1', PASSWORD, 'bench');
    const base = system.gateway!.url;
    const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'admin1', password: PASSWORD }) });
    const { token } = (await login.json()) as { token: string };

    const settle = async (): Promise<{ rss: number; heap: number }> => {
      await new Promise((r) => setTimeout(r, 2_000));
      gc();
      gc();
      const usage = process.memoryUsage();
      return { rss: usage.rss, heap: usage.heapUsed };
    };
    const measure = async (name: string, work: () => Promise<void>): Promise<Step> => {
      gc();
      resetPeakRss();
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const started = performance.now();
      await work();
      const wallMs = performance.now() - started;
      delay.disable();
      const peak = peakRss();
      const after = await settle();
      return { name, wallMs, stallMaxMs: delay.max / 1e6, stallP99Ms: delay.percentile(99) / 1e6, peakRss: peak, rssAfter: after.rss, heapAfter: after.heap };
    };
    const load = (file: string) => async (): Promise<void> => {
      const reply = await upload(`${base}/api/hotlists/SVS/load`, token, file);
      if (reply.status !== 200) throw new Error(`load answered ${reply.status}: ${reply.body.slice(0, 500)}`);
      const body = JSON.parse(reply.body) as { inForce: boolean | null };
      if (body.inForce !== true) throw new Error(`load answered without the version in force: ${reply.body.slice(0, 500)}`);
    };
    const steps: Step[] = [];
    let idleMs = 0;
    steps.push(await measure('idle system (baseline)', () => new Promise((r) => setTimeout(r, 5_000))));
    const firstStep = await measure(`first load, ${fmt(rows)} rows`, load(first));
    idleMs = firstStep.wallMs;
    steps.push(firstStep);
    steps.push(await measure(`reload, a tenth of the rows changed`, load(second)));
    steps.push(await measure('idle, the list loaded (baseline)', () => new Promise((r) => setTimeout(r, Math.min(idleMs, 10_000)))));

    console.log(`# Hot list load through the gateway\n\n\`node --expose-gc --import tsx bench/hotlist/load.bench.ts --rows ${rows}\`, ${new Date().toISOString()}\n`);
    console.log(machineTable());
    console.log(`\nFiles: ${formatBytes(Buffer.byteLength(csv(1, 1, 0)) - HEADER.length)} a row; ${fmt(rows)} rows.\n`);
    console.log(markdownTable(
      ['step', 'wall', 'longest event-loop stall', 'stall p99', 'peak RSS', 'RSS after (gc)', 'main thread JS heap after (gc)'],
      steps.map((s) => [s.name, `${fmt(s.wallMs / 1000, 1)} s`, `${fmt(s.stallMaxMs)} ms`, `${fmt(s.stallP99Ms)} ms`, formatBytes(s.peakRss), formatBytes(s.rssAfter), formatBytes(s.heapAfter)]),
    ));
  } finally {
    await system.stop();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
