// The capacity benchmark (issue 7): `platewatch bench --quick` runs the whole system as a real
// process and reports every section with figures that were actually measured (present, finite,
// above zero); it does not judge speed. The capacity arithmetic and the report splice are checked
// on their own.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planDepartment, type PlanAssumptions } from '../../bench/capacity/capacity-plan.js';
import { REPORT_BEGIN, REPORT_END, spliceReport } from '../../bench/capacity/report.js';
import { runCli } from '../fixtures/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-capacity-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: readonly string[]) => runCli(args, { command: [process.execPath, '--import', 'tsx', 'bin/platewatch.ts'] });

const ROLES = ['platewatch (pipeline + chDB + gateway)', 'nats-server', 'camera fleet (simulated)', 'consoles (simulated)'];

interface Step {
  targetRate: number; publishedRate: number; processedRate: number; hitsPublished: number; deliveriesPerSecond: number;
  framesReceived: number; framesExpected: number;
  latency: { samples: number; p50: number; p95: number; p99: number; max: number };
  processes: Record<string, { cores: number; maxRssBytes: number }>;
}

describe('platewatch bench --quick', () => {
  it('runs the whole system and reports every section with measured figures', async () => {
    const report = join(dir, 'BENCHMARKS.md');
    writeFileSync(report, '# Benchmarks\n\nKept as it is.\n');
    const result = await run(['bench', '--quick', '--report', report, '--svg', join(dir, 'capacity.svg'), '--json', join(dir, 'capacity.json')]);
    expect(result.code, result.stderr).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'capacity.json'), 'utf8'));

    expect(r.loadAverage.start).toHaveLength(3);
    expect(r.loadAverage.end).toHaveLength(3);
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(r.ceilings.jetstreamReadsPerSecond).toBeGreaterThan(0);
    expect(r.ceilings.chdbRowsPerSecond).toBeGreaterThan(0);
    expect(r.ceilings.uwsBroadcast.deliveriesPerSecond).toBeGreaterThan(0);
    expect(r.gatewayFanOut.deliveriesPerSecond).toBeGreaterThan(0);
    expect(r.gatewayFanOut.delivered).toBeGreaterThan(0);

    const steps: Step[] = [...r.ramp, ...r.fixed];
    expect(r.ramp.length).toBeGreaterThan(0);
    expect(r.fixed.map((s: Step) => s.targetRate)).toEqual([1000, 5000]);
    for (const s of steps) {
      expect(s.publishedRate).toBeGreaterThan(0);
      expect(s.processedRate).toBeGreaterThan(0);
      expect(Object.keys(s.processes).sort()).toEqual([...ROLES].sort());
      for (const role of ROLES) expect(s.processes[role]?.maxRssBytes).toBeGreaterThan(0);
    }
    for (const s of r.fixed as Step[]) {
      // 0.5 % of 2,000 reads are hot: hits reach every console and are timed.
      expect(s.hitsPublished).toBeGreaterThan(0);
      expect(s.deliveriesPerSecond).toBeGreaterThan(0);
      expect(s.framesExpected).toBe(s.hitsPublished * 20);
      expect(s.framesReceived).toBeGreaterThan(0);
      expect(s.framesReceived).toBeLessThanOrEqual(s.framesExpected);
      expect(s.latency.samples).toBeGreaterThan(0);
      expect(s.latency.p50).toBeLessThanOrEqual(s.latency.p95);
      expect(s.latency.p95).toBeLessThanOrEqual(s.latency.p99);
      expect(s.latency.p99).toBeLessThanOrEqual(s.latency.max);
    }
    expect(r.scaleOut.map((x: { mode: string; processes: number }) => `${x.mode}×${x.processes}`)).toEqual(['store×1', 'store×2', 'match×1', 'match×2']);
    for (const x of r.scaleOut) expect(x.readsPerSecond).toBeGreaterThan(0);
    expect(r.storage.detections.rows).toBeGreaterThan(0);
    expect(r.storage.detections.bytesOnDisk).toBeGreaterThan(0);
    expect(r.plan.bytesPerDetection).toBeGreaterThan(0);
    expect(r.hotlist.generalEntries).toBe(10_000);
    // The memory terms of the plan: RSS per entry, a reload of the SVS list, the NATS store's hits.
    expect(r.hotlist.reload.entries).toBe(10_000);
    expect(r.hotlist.reload.peakRssBytes).toBeGreaterThan(0);
    expect(r.plan.skipIndexCacheBytes).toBeGreaterThan(0);
    expect(r.nats.hitBytes).toBeGreaterThan(0);

    const markdown = readFileSync(report, 'utf8');
    expect(markdown.startsWith('# Benchmarks\n\nKept as it is.\n')).toBe(true);
    expect(markdown).toContain(REPORT_BEGIN);
    expect(markdown).toContain(REPORT_END);
    for (const heading of ['### Highest sustainable rate', '### Fixed rates', '### Each stage against its ceiling (same run)', '### Storage per detection', '### Scaling out: 1 vs 2 pipeline worker processes', '### Capacity table']) {
      expect(markdown).toContain(heading);
    }
    expect(markdown).toContain('load average (1 min) at start / end');
    expect(markdown).toContain('](capacity.svg)');
    expect(result.stdout).toContain('## Capacity (issue 7) — quick run');
    const svg = readFileSync(join(dir, 'capacity.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<polyline');
  }, 180_000);

  it('answers --help and refuses bad options', async () => {
    const help = await run(['bench', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--quick');
    const bad = await run(['bench', '--consoles', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--consoles');
  });
});

describe('capacity table', () => {
  const a: PlanAssumptions = {
    peakFactor: 3, headroom: 2, readsPerCoreSecond: 1_000, baseMemoryBytes: 1024 ** 3, measuredHotlistEntries: 100_000,
    rssBytesPerHotlistEntry: 100, reloadBytesPerHotlistEntry: 50, skipIndexCacheBytes: 512 * 2 ** 20,
    bytesPerDetection: 50, hitRate: 0.005, bytesPerHit: 100, retentionDays: 365,
    natsReservedBytes: 11 * 1024 ** 3, natsBytesPerHit: 600, hitsRetentionDays: 7, minCores: 2, minMemoryBytes: 4 * 1024 ** 3,
  };

  it('sizes cores for the peak with headroom, memory for the hot list, disk for a year', () => {
    const plan = planDepartment({ name: 'x', cameras: 1_000, readsPerCamera: 2, hotlistEntries: 20_100_000 }, a);
    expect(plan.averageReadsPerSecond).toBe(2_000);
    expect(plan.peakReadsPerSecond).toBe(6_000);
    expect(plan.cores).toBe(12); // 6,000 × 2 ÷ 1,000
    // measured RSS + further entries × RSS per entry + a reload of all H + the skip-index cache, × headroom
    expect(plan.memoryBytes).toBe((1024 ** 3 + 20_000_000 * 100 + 20_100_000 * 50 + 512 * 2 ** 20) * 2);
    expect(plan.diskBytesPerRetention).toBeCloseTo(2_000 * 86_400 * 365 * (50 + 0.005 * 100));
    expect(plan.natsDiskBytes).toBeCloseTo(11 * 1024 ** 3 + 2_000 * 86_400 * 7 * 0.005 * 600);
  });

  it('never plans under the minimum machine', () => {
    const plan = planDepartment({ name: 'tiny', cameras: 6, readsPerCamera: 0.07, hotlistEntries: 1_000 }, { ...a, skipIndexCacheBytes: 0 });
    expect(plan.cores).toBe(2);
    expect(plan.memoryBytes).toBe(4 * 1024 ** 3);
  });
});

describe('the generated report section', () => {
  it('replaces the section between its markers and leaves the rest', () => {
    const doc = `# Benchmarks\n\nbefore\n\n${REPORT_BEGIN}\nold figures\n${REPORT_END}\n\nafter\n`;
    const next = spliceReport(doc, '## Capacity\nnew figures\n');
    expect(next).toBe(`# Benchmarks\n\nbefore\n\n${REPORT_BEGIN}\n## Capacity\nnew figures\n${REPORT_END}\n\nafter\n`);
  });

  it('appends the section when the document has none', () => {
    expect(spliceReport('# Benchmarks\n', 'x')).toBe(`# Benchmarks\n\n${REPORT_BEGIN}\nx\n${REPORT_END}\n`);
  });
});
