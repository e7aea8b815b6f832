// Planning a department from a recorded capacity run (issue 7, QA round of session 22): the
// `--plan C,R,H` and `--retention-days D` values, the memory and disk arithmetic with every
// measured term, and the table printed again from a run's JSON without running anything.
// The fixture is a quick run's --json output with the ramp and fixed steps cut to the one each
// that the table reads.
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { planDepartment } from '../../bench/capacity/capacity-plan.js';
import { hotlistCsv } from '../../bench/capacity/hotlist-reload.js';
import { printRecordedPlan, runOnlyOptionsGiven } from '../../bench/capacity/plan-cli.js';
import { DEFAULT_RETENTION_DAYS, parsePlanDepartment, parsePlanRequest, parseRetentionDays } from '../../bench/capacity/plan-request.js';
import { planAssumptions, renderPlanFromJson } from '../../bench/capacity/plan-table.js';
import type { CapacityResult } from '../../bench/capacity/run.js';
import { parseHotlistCsv } from '../../ingest/index.js';
import { resolveMatcherConfig, validateEntry, type HotlistEntry } from '../../matcher/index.js';

const FIXTURE = new URL('./capacity-run.json', import.meta.url);
const recorded = readFileSync(FIXTURE, 'utf8');
const run = JSON.parse(recorded) as CapacityResult;
const county = { cameras: 170, readsPerCamera: 0.17, hotlistEntries: 1_000_000 };

describe('--plan and --retention-days', () => {
  it('reads C,R,H as cameras, reads/s per camera and hot list entries', () => {
    expect(parsePlanDepartment('170,0.17,1000000')).toEqual({ ok: true, value: { name: '--plan 170,0.17,1000000', ...county } });
    expect(parsePlanDepartment(' 170 , 0.17 , 1_000_000 ')).toMatchObject({ ok: true, value: county });
    expect(parsePlanDepartment('6,0.07,0')).toMatchObject({ ok: true, value: { hotlistEntries: 0 } });
  });

  it('refuses what is not C,R,H, naming the part that is wrong', () => {
    for (const bad of ['', '170', '170,0.17', '170,0.17,1000000,9', '170,,1000000']) {
      const r = parsePlanDepartment(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.reason).toContain('must be C,R,H');
    }
    const cameras = parsePlanDepartment('1.5,0.17,1000');
    expect(cameras.ok === false && cameras.reason).toContain('the cameras are not');
    const rate = parsePlanDepartment('170,0,1000');
    expect(rate.ok === false && rate.reason).toContain('reads/s per camera are not');
    expect(parsePlanDepartment('170,abc,1000').ok).toBe(false);
    const entries = parsePlanDepartment('170,0.17,-1');
    expect(entries.ok === false && entries.reason).toContain('hot list entries are not');
  });

  it('takes whole days from 1 to 3,650 for the retention', () => {
    expect(parseRetentionDays('730')).toEqual({ ok: true, value: 730 });
    for (const bad of ['0', '-1', '1.5', 'a year', '', '3651']) {
      const r = parseRetentionDays(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.reason).toContain('--retention-days');
    }
  });

  it('keeps every --plan in order and defaults the retention to 365 days', () => {
    const r = parsePlanRequest(['170,0.17,1000000', '6,0.07,250000'], undefined);
    expect(r.ok && r.value.departments.map((d) => d.cameras)).toEqual([170, 6]);
    expect(r.ok && r.value.retentionDays).toBe(DEFAULT_RETENTION_DAYS);
    expect(parsePlanRequest(undefined, '730')).toEqual({ ok: true, value: { departments: [], retentionDays: 730 } });
    expect(parsePlanRequest(['170,0.17'], '730').ok).toBe(false);
    expect(parsePlanRequest([], 'x').ok).toBe(false);
  });

  it('names the run-only options given with --from-json', () => {
    expect(runOnlyOptionsGiven({ 'from-json': 'x', plan: ['1,1,1'], quick: true, rates: '1000' })).toEqual(['--quick', '--rates']);
    expect(runOnlyOptionsGiven({ 'from-json': 'x', 'retention-days': '730' })).toEqual([]);
  });
});

describe('the plan from a recorded run', () => {
  const a = planAssumptions(run, 730);
  const reload = run.hotlist.reload;

  it('takes every memory and disk term from the run', () => {
    expect(a.measuredHotlistEntries).toBe(run.hotlist.generalEntries + run.hotlist.specificEntries);
    expect(a.rssBytesPerHotlistEntry).toBe(run.hotlist.rssBytesPerEntry);
    expect(a.reloadBytesPerHotlistEntry).toBeCloseTo((reload.peakRssBytes - reload.idleRssBytes) / reload.entries);
    expect(a.skipIndexCacheBytes).toBe(512 * 2 ** 20);
    expect(a.bytesPerDetection).toBeCloseTo(run.storage.detections.bytesOnDisk / run.storage.detections.rows);
    expect(a.retentionDays).toBe(730);
    expect(a.natsReservedBytes).toBe(11 * 1024 ** 3);
    expect(a.hitsRetentionDays).toBe(7);
    expect(a.natsBytesPerHit).toBe(run.nats.hitBytes);
  });

  it('sizes the county: memory with the list, its reload and the cache; disk for 730 days; the NATS store', () => {
    const p = planDepartment({ name: 'county', ...county }, a);
    expect(p.averageReadsPerSecond).toBeCloseTo(28.9);
    const memory = (a.baseMemoryBytes + (1_000_000 - a.measuredHotlistEntries) * a.rssBytesPerHotlistEntry + 1_000_000 * a.reloadBytesPerHotlistEntry + a.skipIndexCacheBytes) * a.headroom;
    expect(p.memoryBytes).toBeCloseTo(Math.max(4 * 1024 ** 3, memory));
    expect(p.diskBytesPerRetention).toBeCloseTo(28.9 * 86_400 * 730 * (a.bytesPerDetection + a.hitRate * a.bytesPerHit));
    expect(p.natsDiskBytes).toBeCloseTo(11 * 1024 ** 3 + 28.9 * 86_400 * 7 * a.hitRate * a.natsBytesPerHit);
  });

  it('prints the table again with the planner\'s rows and retention, stating each term', () => {
    const r = renderPlanFromJson(recorded, 'capacity-run.json', { departments: [{ name: '--plan 170,0.17,1000000', ...county }], retentionDays: 730 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toContain('## Capacity plan from capacity-run.json — a quick run');
    expect(r.value).toContain('| --plan 170,0.17,1000000 | 170 | 0.17 | 1,000,000 | 28.9 |');
    expect(r.value).toContain('ClickHouse disk per 730 days');
    expect(r.value).toContain('NATS store disk');
    for (const term of ['bytes** of process RSS', 'bytes per entry of the list** above the idle system', 'skip-index cache', 'retention **730 days**', '`access_log`', 'evidence tables']) {
      expect(r.value).toContain(term);
    }
  });

  it('refuses a file that is not a run this version can plan from', () => {
    const old = JSON.parse(recorded) as Record<string, unknown>;
    delete old['nats'];
    delete (old['hotlist'] as Record<string, unknown>)['reload'];
    const r = renderPlanFromJson(JSON.stringify(old), 'old.json', { departments: [], retentionDays: 365 });
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('missing hotlist.reload.peakRssBytes, nats.readsMaxBytes, nats.hitsMaxAgeMs') });
    expect(renderPlanFromJson('{', 'broken.json', { departments: [], retentionDays: 365 })).toMatchObject({ ok: false, reason: expect.stringContaining('broken.json is not JSON') });
  });

  it('prints to stdout and answers 0, or says why on stderr and answers 1', () => {
    const io = () => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const text = (s: PassThrough) => String(s.read() ?? '');
      return { io: { stdout, stderr, cwd: new URL('.', FIXTURE).pathname }, out: () => text(stdout), err: () => text(stderr) };
    };
    const ok = io();
    expect(printRecordedPlan('capacity-run.json', { departments: [], retentionDays: 365 }, ok.io)).toBe(0);
    expect(ok.out()).toContain('### Capacity table');
    const missing = io();
    expect(printRecordedPlan('no-such-run.json', { departments: [], retentionDays: 365 }, missing.io)).toBe(1);
    expect(missing.err()).toContain('platewatch bench: --from-json no-such-run.json');
  });
});

describe('the reload file', () => {
  it('is a CSV the gateway loads back into the same entries', () => {
    const config = resolveMatcherConfig();
    const entries = [
      { plate: '7ABC123', state: 'CA', list: 'SVS', reason: 'STOLEN VEHICLE', case_number: 'V100000001', entered_by: 'NCIC' },
      { plate: '8XYZ987', list: 'SVS', reason: 'STOLEN VEHICLE', case_number: 'R100000002', entered_by: 'NCIC', synopsis: 'Seen leaving a burglary, "Main St"' },
    ].map((raw) => validateEntry(raw, config)).flatMap((r) => (r.ok ? [r.entry] : [])) as HotlistEntry[];
    expect(entries).toHaveLength(2);
    const parsed = parseHotlistCsv(hotlistCsv(entries), { config, strict: true, list: 'SVS' });
    expect(parsed.rejected).toEqual([]);
    expect(parsed.entries).toEqual(entries);
  });
});
