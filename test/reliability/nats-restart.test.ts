// Fault (issue 8): nats-server dies (SIGKILL) under load and comes back on the same port and store.
// Cameras publish with JetStream publish acks and retry until acked (docs/wire.md); the pipeline
// and the gateway must reconnect by themselves. Every acked read is stored once — those acked
// before the crash and those published after the restart — and the console gets every hit once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pack } from 'msgpackr';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from '../../bin/system.js';
import { startGateway, type ConsoleSession, type RunningGateway } from '../../gateway/index.js';
import { hitId, MetricsRegistry, publishHotlist, readsSubject, startLocalNatsServer, type LocalNatsServer } from '../../ingest/index.js';
import { Matcher, resolveMatcherConfig, validateEntry, type HotlistEntry } from '../../matcher/index.js';
import { TestConsole } from '../gateway/harness.js';
import { sleep, storedCounts, until, untilDrained, wireRead } from './fixtures.js';

const CAMERAS = 8;
const dir = mkdtempSync(join(tmpdir(), 'platewatch-nats-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = resolveMatcherConfig();
function entry(plate: string): HotlistEntry {
  const r = validateEntry({ plate, list: 'SVS', reason: 'Stolen' }, config);
  if (!r.ok) throw new Error(r.reason);
  return r.entry;
}

/** A camera: publishes its reads one by one and retries each until JetStream acks it, as docs/wire.md asks. */
async function camera(nc: NatsConnection, reads: Array<Record<string, unknown>>, acked: Set<string>, stats: { retries: number }): Promise<void> {
  const js = jetstream(nc, { timeout: 2000 });
  for (const read of reads) {
    const id = read['id'] as string;
    for (;;) {
      try {
        await js.publish(readsSubject('wpd', read['camera'] as string), pack(read), { msgID: id });
        acked.add(id);
        break;
      } catch {
        stats.retries++;
        await sleep(100);
      }
    }
  }
}

describe('nats-server restarted under load', () => {
  it('the pipeline and gateway reconnect by themselves; every acked read is stored once and every hit reaches the console once', async () => {
    let nats: LocalNatsServer = await startLocalNatsServer({ storeDir: join(dir, 'nats') });
    const port = nats.port;
    let system: RunningSystem | undefined;
    let gateway: RunningGateway | undefined;
    let console1: TestConsole | undefined;
    const connections: NatsConnection[] = [];
    try {
      // Acks sent while the server was down are lost: those reads, stored already, come back after the
      // consumer's ack wait and are dropped as duplicates. 5 s, not the default 30, before the stream drains.
      system = await startSystem({ dataDir: dir, natsUrl: nats.url, matcher: config, logger: pino({ level: 'silent' }), gateway: false, storage: { batchDelayMs: 50 }, readsAckWaitMs: 5_000 });
      const hot = Array.from({ length: 20 }, (_, i) => `R${String(i).padStart(4, '0')}T`);
      const list = hot.map(entry);
      await publishHotlist(system.hotlists, 'SVS', list, 'test');
      await until('the hot list', () => (system?.matcher.lists().length === 1 ? true : undefined));
      // The gateway gets its own connection, as a separate gateway process would have.
      const gatewayNc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
      const camerasNc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
      connections.push(gatewayNc, camerasNc);
      const sessions = new Map<string, ConsoleSession>([['tok', { user: 'dispatcher1', roles: ['dispatcher'] }]]);
      gateway = await startGateway({ nc: gatewayNc, js: jetstream(gatewayNc), verifySession: async (t) => sessions.get(t) ?? null, registry: new MetricsRegistry(), logger: pino({ level: process.env['RESTART_LOG'] ?? 'silent' }, pino.destination(2)), config: { port: 0 } });
      console1 = await TestConsole.open(`ws://127.0.0.1:${gateway.port}/ws`, { token: 'tok' });
      await console1.subscribe({});

      const now = Date.now();
      const make = (phase: string, n: number): Array<Record<string, unknown>> =>
        Array.from({ length: n }, (_, i) => wireRead(`nr-${phase}-${i}`, i % 50 === 0 ? (hot[(i / 50) % hot.length] as string) : `${phase === 'before' ? 'B' : 'A'}${String(i).padStart(6, '0')}`, now - 1000, `cam${i % CAMERAS}`));
      const before = make('before', 8_000);
      const after = make('after', 4_000);
      const acked = new Set<string>();
      const stats = { retries: 0 };
      const split = (reads: Array<Record<string, unknown>>): Array<Array<Record<string, unknown>>> => Array.from({ length: CAMERAS }, (_, c) => reads.filter((_r, i) => i % CAMERAS === c));

      // Phase 1: cameras publishing; the server is killed once a share of their reads is acked.
      const running = split(before).map((reads) => camera(camerasNc, reads, acked, stats));
      await until('cameras to be well under way', () => (acked.size >= 2_000 ? true : undefined), 60_000, 10);
      const ackedBeforeCrash = acked.size;
      await nats.kill();
      await sleep(1_000); // down for a while: publishes fail, pulls fail, consumers miss heartbeats
      nats = await startLocalNatsServer({ storeDir: join(dir, 'nats'), port });
      await Promise.all(running);
      // Phase 2: published after the restart.
      await Promise.all(split(after).map((reads) => camera(camerasNc, reads, acked, stats)));

      await untilDrained(system.nc, 120_000);
      const all = [...before, ...after];
      expect(acked.size).toBe(all.length);
      const stored = await storedCounts(system.storage, 'nr-');
      const lost = all.filter((r) => !stored.ids.has(r['id'] as string)).length;
      expect(lost).toBe(0);
      expect(stored.distinct).toBe(all.length);
      expect(stored.final).toBe(all.length);
      expect(stats.retries).toBeGreaterThan(0); // the cameras really saw the outage

      const matcher = new Matcher(config);
      matcher.loadList('SVS', list);
      const expected = new Set(all.flatMap((r) => matcher.matchRead({ id: r['id'] as string, plate: r['plate'] as string }, now).map((h) => hitId({ id: r['id'] as string, agency: r['agency'] as string, camera: r['camera'] as string, ts: r['ts'] as number }, h.list, h.entry, h))));
      expect(expected.size).toBe(all.length / 50);
      await console1.waitForHits(expected.size, 60_000);
      await sleep(500);
      const received = console1.hitIds();
      expect(received.length).toBe(new Set(received).size);
      expect(new Set(received)).toEqual(expected);
      expect(gateway.feed.status().ok).toBe(true);
      console.info(`nats restart: killed with ${ackedBeforeCrash} of ${before.length} reads acked; camera publish retries ${stats.retries}; ` +
        `${acked.size} acked in all, stored ${stored.distinct} distinct / ${stored.final} final, lost ${lost}; console hits ${received.length} of ${expected.size}, duplicates 0`);
    } finally {
      await console1?.close();
      await gateway?.stop();
      for (const c of connections) await c.close();
      await system?.stop();
      await nats.stop();
    }
  }, 300_000);
});
