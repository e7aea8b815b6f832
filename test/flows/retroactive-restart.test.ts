// Retroactive hits across a restart, as `platewatch up` runs them (bin/system.ts) with a real
// nats-server and chDB: an entry approved while no `up` was running has its last 30 days searched
// when the system starts again, and a later start searches nothing twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pack } from 'msgpackr';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from '../../bin/system.js';
import { decodeHitMessage, openHotlistStore, publishHotlist, readsSubject, startLocalNatsServer, type HitMessage } from '../../ingest/index.js';
import { resolveMatcherConfig, validateEntry, type HotlistEntry } from '../../matcher/index.js';
import { until } from '../reliability/fixtures.js';

const config = resolveMatcherConfig();
const dir = mkdtempSync(join(tmpdir(), 'platewatch-retroactive-restart-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bolo(plates: string[]): HotlistEntry[] {
  return plates.map((plate) => {
    const r = validateEntry({ plate, list: 'BOLO', reason: 'TEST', case_number: '26-0042', entered_by: 'Ofc. Flow', synopsis: 'restart test' }, config);
    if (!r.ok) throw new Error(r.reason);
    return r.entry;
  });
}

async function lookUps(system: RunningSystem, plate: string): Promise<number> {
  const rs = await system.storage.client.query({
    query: `SELECT count() AS n FROM ${system.storage.db}.access_log WHERE user_id = 'platewatch-system' AND reason = {reason:String}`,
    query_params: { reason: `retroactive hit check for new BOLO entry ${plate}` },
    format: 'JSONEachRow',
  });
  return Number(((await rs.json()) as Array<{ n: string }>)[0]?.n);
}

describe('retroactive hits across a restart', () => {
  it('searches an entry approved while the system was down at the next start, and never twice', async () => {
    const nats = await startLocalNatsServer({ storeDir: join(dir, 'nats') });
    const options = { dataDir: dir, natsUrl: nats.url, matcher: config, logger: pino({ level: 'silent' }), gateway: false as const, storage: { batchDelayMs: 50 } };
    const outside = await connect({ servers: nats.url });
    try {
      const first = await startSystem(options);
      try {
        await publishHotlist(first.hotlists, 'BOLO', bolo(['6TRJ244']), 'test');
        await until('BOLO version 1', () => (first.matcher.current.get('BOLO')?.version === 1 ? true : undefined), 30_000);
        const seenAt = Date.now() - 3 * 86_400_000;
        await first.js.publish(readsSubject('wpd', 'cam3'), pack({ v: 1, id: 'past-down-1', agency: 'wpd', camera: 'cam3', ts: seenAt, conf: 0.9, plate: '3GHK812' }), { msgID: 'past-down-1' });
        await until('the past read stored', async () => {
          const rs = await first.storage.client.query({ query: `SELECT count() AS n FROM ${first.storage.db}.detections WHERE read_id = 'past-down-1'`, format: 'JSONEachRow' });
          return Number(((await rs.json()) as Array<{ n: string }>)[0]?.n) === 1 ? true : undefined;
        }, 30_000);
        await until("version 1's look-up", async () => ((await lookUps(first, '6TRJ244')) === 1 ? true : undefined), 30_000);
      } finally {
        await first.stop();
      }

      // With no system running, an administrator's approval puts version 2 (as the CLI would).
      await publishHotlist(await openHotlistStore(jetstream(outside)), 'BOLO', bolo(['6TRJ244', '3GHK812']), 'test');
      const hits: HitMessage[] = [];
      outside.subscribe('alpr.hits.wpd.BOLO', { callback: (_err, msg) => void hits.push(decodeHitMessage(msg.data)) });
      await outside.flush();

      const second = await startSystem(options);
      try {
        await until('the historical hit', () => (hits.length > 0 ? true : undefined), 30_000);
        expect(hits.map((h) => [h.read.id, h.historical, h.hit.listVersion])).toEqual([['past-down-1', true, 2]]);
        await until("version 2's look-up", async () => ((await lookUps(second, '3GHK812')) === 1 ? true : undefined), 30_000);
        expect(await lookUps(second, '6TRJ244')).toBe(1);
      } finally {
        await second.stop();
      }

      const third = await startSystem(options);
      try {
        await until('BOLO version 2', () => (third.matcher.current.get('BOLO')?.version === 2 ? true : undefined), 30_000);
        await new Promise((r) => setTimeout(r, 1000));
        expect([await lookUps(third, '6TRJ244'), await lookUps(third, '3GHK812')]).toEqual([1, 1]);
        expect(hits).toHaveLength(1);
      } finally {
        await third.stop();
      }
    } finally {
      await outside.drain();
      await nats.stop();
    }
    // Three system starts and six waits of up to 30 s each (nats-server, chDB, the list builder's worker thread).
  }, 300_000);
});
