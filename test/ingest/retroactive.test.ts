// Retroactive hits decided against the record of what was searched, with a real nats-server: the
// record in its object store, historical hits published to its HITS stream. The past sightings
// come from an array here (storage's look-up is tested with chDB in test/flows/pipeline.test.ts).
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  decodeHitMessage,
  ensureStreams,
  RETROACTIVE_BUCKET,
  RetroactiveCheckpoints,
  RetroactiveChecks,
  type HitMessage,
  type PastSightings,
  type WireRead,
} from '../../ingest/index.js';
import { Matcher, resolveMatcherConfig, validateEntry, type HotlistEntry } from '../../matcher/index.js';
import { useLocalNats } from '../fixtures/nats.js';
import { until } from '../reliability/fixtures.js';

const config = resolveMatcherConfig();
const nats = useLocalNats('retroactive');
const matcher = new Matcher(config);

function bolo(plates: string[], version: number) {
  const entries = plates.map((plate): HotlistEntry => {
    const r = validateEntry({ plate, list: 'BOLO', case_number: '26-0042', entered_by: 'Ofc. A', synopsis: 'retroactive test' }, config);
    if (!r.ok) throw new Error(r.reason);
    return r.entry;
  });
  return matcher.buildList('BOLO', entries, version);
}

/** Stored reads, and which plates were looked up (one per search). */
function storedReads(reads: WireRead[], failures = 0) {
  const searched: string[] = [];
  let failuresLeft = failures;
  const sightings: PastSightings = {
    async find(entry) {
      if (failuresLeft-- > 0) throw new Error('storage unavailable');
      searched.push(entry.plate);
      return reads.filter((r) => r.plate === entry.plate);
    },
  };
  return { sightings, searched };
}

const past = (id: string, plate: string): WireRead => ({ v: 1, id, agency: 'wpd', camera: 'cam1', ts: Date.now() - 86_400_000, conf: 0.9, plate });

async function checks(sightings: PastSightings): Promise<{ checks: RetroactiveChecks; created: boolean }> {
  const js = jetstream(nats.nc);
  const checkpoints = await RetroactiveCheckpoints.open(js);
  return { checks: new RetroactiveChecks(checkpoints, { js, config, sightings, logger: pino({ level: 'silent' }) }), created: checkpoints.created };
}

function historicalHits(): HitMessage[] {
  const hits: HitMessage[] = [];
  nats.nc.subscribe('alpr.hits.wpd.BOLO', { callback: (_err, msg) => void hits.push(decodeHitMessage(msg.data)) });
  return hits;
}

beforeEach(async () => {
  const jsm = await jetstreamManager(nats.nc);
  await ensureStreams(jsm);
  // Each test starts as a system that has never kept the record.
  await jsm.streams.delete(`OBJ_${RETROACTIVE_BUCKET}`).catch(() => false);
});

describe('retroactive checks against the record of what was searched', () => {
  it('takes the lists in force as searched on the first start with the record, and searches nothing', async () => {
    const reads = storedReads([past('p1', '6TRJ244')]);
    const first = await checks(reads.sightings);
    expect(first.created).toBe(true);
    expect(await first.checks.check('BOLO', bolo(['6TRJ244'], 4), true)).toBe(0);
    expect(reads.searched).toEqual([]);
    // The next start finds the record and does not search version 4 either.
    const second = await checks(reads.sightings);
    expect(second.created).toBe(false);
    expect(await second.checks.check('BOLO', bolo(['6TRJ244'], 4), true)).toBe(0);
    expect(reads.searched).toEqual([]);
  });

  it('searches, at the next start, only the entries added while no process was running', async () => {
    const reads = storedReads([past('p1', '6TRJ244'), past('p2', '3GHK812'), past('p3', '9ZZZ999')]);
    const hits = historicalHits();
    const running = await checks(reads.sightings);
    await running.checks.check('BOLO', bolo(['6TRJ244'], 1), true);
    // Version 2 is put while this process is down; the next start loads it as the list in force.
    const restarted = await checks(reads.sightings);
    expect(await restarted.checks.check('BOLO', bolo(['6TRJ244', '3GHK812'], 2), true)).toBe(1);
    expect(reads.searched).toEqual(['3GHK812']);
    await until('the historical hit', () => (hits.length === 1 ? true : undefined), 10_000);
    expect(hits[0]).toMatchObject({ historical: true, read: { id: 'p2' }, hit: { list: 'BOLO', listVersion: 2 } });
    // A further start searches nothing again.
    expect(await (await checks(reads.sightings)).checks.check('BOLO', bolo(['6TRJ244', '3GHK812'], 2), true)).toBe(0);
    expect(reads.searched).toEqual(['3GHK812']);
  });

  it('searches every entry of a list the record has never seen, at start as while running', async () => {
    const reads = storedReads([past('p1', '6TRJ244')]);
    await (await checks(reads.sightings)).checks.check('SLR', matcher.buildList('SLR', [], 1), true); // the record exists from here on
    const restarted = await checks(reads.sightings);
    expect(await restarted.checks.check('BOLO', bolo(['6TRJ244', '3GHK812'], 1), true)).toBe(1);
    expect(reads.searched.sort()).toEqual(['3GHK812', '6TRJ244']);
  });

  it('keeps the entries of a failed check unsearched, and searches them at the next version', async () => {
    const reads = storedReads([past('p2', '3GHK812')], 1);
    const running = await checks(reads.sightings);
    await running.checks.check('BOLO', bolo(['6TRJ244'], 1), true);
    await expect(running.checks.check('BOLO', bolo(['6TRJ244', '3GHK812'], 2), false)).rejects.toThrow('storage unavailable');
    expect(await running.checks.check('BOLO', bolo(['6TRJ244', '3GHK812', '5KX?77'], 3), false)).toBe(1);
    expect(reads.searched.sort()).toEqual(['3GHK812', '5KX?77']);
  });

  it('checks the versions of one list one after another, so no entry is searched twice', async () => {
    const reads = storedReads([]);
    const running = await checks(reads.sightings);
    await running.checks.check('BOLO', bolo(['6TRJ244'], 1), true);
    await Promise.all([
      running.checks.check('BOLO', bolo(['6TRJ244', '3GHK812'], 2), false),
      running.checks.check('BOLO', bolo(['6TRJ244', '3GHK812', '4QRS567'], 3), false),
      running.checks.check('BOLO', bolo(['6TRJ244', '3GHK812'], 2), false), // seen again through the watch
    ]);
    expect(reads.searched.sort()).toEqual(['3GHK812', '4QRS567']);
  });
});
