// The log's staleness warnings as `platewatch up` assembles them (bin/system.ts): lists put in the
// store before the start (up --demo's sample list) are never called stale, and a warning is
// answered as soon as a new version is in force, not at the next check ten minutes later (found
// by QA). Real nats-server and chDB.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from '../../bin/system.js';
import { publishHotlist } from '../../ingest/index.js';
import { resolveMatcherConfig, validateEntry, type HotlistEntry } from '../../matcher/index.js';
import { until } from '../reliability/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-staleness-system-'));
const config = resolveMatcherConfig({ generalLists: ['SVS', 'SFR'] });
const lines: Array<{ level: number; msg: string }> = [];
let system: RunningSystem;

function entries(list: string): HotlistEntry[] {
  const r = validateEntry({ plate: '7ABC123', list, reason: 'Stolen', case_number: '26-0001', entered_by: 'DOJ', synopsis: '' }, config);
  if (!r.ok) throw new Error(r.reason);
  return [r.entry];
}

beforeAll(async () => {
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
  system = await startSystem({
    dataDir: dir, matcher: config, logger, pipeline: false, gateway: false, retroactiveDays: 0,
    seedHotlists: async (store) => void (await publishHotlist(store, 'SVS', entries('SVS'), 'demo')),
  });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('hot list staleness in the log of a running system', () => {
  it('never calls a list put in by the start stale, and says a stale list is current as soon as it is loaded', async () => {
    expect(system.matcher.lists().map((l) => l.list)).toEqual(['SVS']);
    expect(lines.filter((l) => l.msg.startsWith('general hot list SVS'))).toEqual([]);
    expect(lines.filter((l) => l.msg.startsWith('general hot list SFR is stale: it has never been loaded'))).toHaveLength(1);
    await publishHotlist(system.hotlists, 'SFR', entries('SFR'), 'test');
    // The check interval is ten minutes: only the new version's arrival can say this in time.
    await until('SFR current again', () => (lines.some((l) => l.msg.startsWith('general hot list SFR is current again (version 1)')) ? true : undefined), 60_000);
    expect(lines.filter((l) => l.msg.includes('SFR is stale'))).toHaveLength(1);
  }, 120_000);
});
