// Fault (issue 8): `kill -9` the pipeline worker process in the middle of a 50,000-read stream and
// start a new one on the same chDB directory. Every read must be stored exactly once (id sets
// compared), and a console attached to a gateway must receive every hit exactly once.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pack } from 'msgpackr';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway, type ConsoleSession } from '../../gateway/index.js';
import { ensureStreams, hitId, HITS_STREAM, MetricsRegistry, openHotlistStore, PIPELINE_CONSUMER, publishHotlist, READS_STREAM, readsSubject, startLocalNatsServer } from '../../ingest/index.js';
import { Matcher, resolveMatcherConfig, validateEntry, type HotlistEntry } from '../../matcher/index.js';
import { TestConsole } from '../gateway/harness.js';
import { exited, scalar, startWorkerProcess, storedCounts, until, untilDrained, wireRead, withStorageAt } from './fixtures.js';

const TOTAL = 50_000;
/**
 * The reads the killed worker held come back after the consumer's ack wait: 30 s by default, 5 s
 * here (the system's readsAckWaitMs), which spares the suite 25 s of waiting and tests the same.
 */
const ACK_WAIT_MS = 5_000;
const dir = mkdtempSync(join(tmpdir(), 'platewatch-crash-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const config = resolveMatcherConfig();
function entry(plate: string): HotlistEntry {
  const r = validateEntry({ plate, list: 'SVS', reason: 'Stolen' }, config);
  if (!r.ok) throw new Error(r.reason);
  return r.entry;
}

describe('a pipeline worker killed with SIGKILL mid-stream', () => {
  it('loses nothing, stores every read once, and no console sees a hit twice', async () => {
    const nats = await startLocalNatsServer({ storeDir: join(dir, 'nats') });
    const nc = await connect({ servers: nats.url });
    const registry = new MetricsRegistry();
    const sessions = new Map<string, ConsoleSession>([['tok', { user: 'dispatcher1', roles: ['dispatcher'] }]]);
    let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
    let console1: TestConsole | undefined;
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStreams(jsm);
      const js = jetstream(nc);
      const hot = Array.from({ length: 50 }, (_, i) => `K${String(i).padStart(4, '0')}X`);
      const list = hot.map(entry);
      await publishHotlist(await openHotlistStore(js), 'SVS', list, 'test');
      gateway = await startGateway({ nc, js, verifySession: async (t) => sessions.get(t) ?? null, registry, logger: pino({ level: 'silent' }), config: { port: 0 } });
      console1 = await TestConsole.open(`ws://127.0.0.1:${gateway.port}/ws`, { token: 'tok' });
      await console1.subscribe({});

      const workerDir = join(dir, 'worker');
      const first = await startWorkerProcess(nats.url, workerDir, ACK_WAIT_MS);
      children.push(first);
      // The worker's start set the consumer's ack wait from its option (bin/system.ts readsAckWaitMs).
      expect((await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER)).config.ack_wait).toBe(ACK_WAIT_MS * 1e6);

      // Reads go out while the worker runs; it is killed once a good part is stored and acked.
      const now = Date.now();
      const reads = Array.from({ length: TOTAL }, (_, i) => wireRead(`crash-${i}`, i % 100 === 0 ? (hot[(i / 100) % hot.length] as string) : `N${String(i).padStart(6, '0')}`, now - 1000));
      const publishing = (async () => {
        const pending: Promise<unknown>[] = [];
        for (const read of reads) {
          pending.push(js.publish(readsSubject('wpd', 'cam1'), pack(read), { msgID: read['id'] as string }));
          if (pending.length >= 500) await Promise.all(pending.splice(0));
        }
        await Promise.all(pending);
      })();
      const atKill = await until('the first worker to ack 10,000 reads while holding more', async () => {
        const info = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
        // …and holds unacked reads at that moment, so the kill leaves work for redelivery.
        return info.ack_floor.stream_seq >= 10_000 && info.num_ack_pending > 0 ? info : undefined;
      }, 120_000, 20);
      first.kill('SIGKILL');
      await exited(first);
      // Reads handed to the dead worker and never acked: these are the ones redelivery must bring back.
      const orphaned = (await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER)).num_ack_pending;
      await publishing;

      const second = await startWorkerProcess(nats.url, workerDir, ACK_WAIT_MS);
      children.push(second);
      // Reads the dead worker held come back after the consumer's ack wait (ACK_WAIT_MS).
      await untilDrained(nc, 150_000);
      second.kill('SIGTERM');
      await exited(second);

      const { final, distinct, ids, raw } = await withStorageAt(workerDir, async (storage) => ({
        ...(await storedCounts(storage, 'crash-')),
        raw: await scalar(storage, `SELECT count() AS n FROM ${storage.db}.detections WHERE startsWith(read_id, 'crash-')`),
      }));
      const missing = reads.filter((r) => !ids.has(r['id'] as string)).length;
      expect(missing).toBe(0);
      expect(distinct).toBe(TOTAL);
      expect(final).toBe(TOTAL);
      // The kill really happened mid-stream: some reads were delivered to the dead worker and redelivered.
      expect(atKill.ack_floor.stream_seq).toBeLessThan(TOTAL);
      expect(orphaned).toBeGreaterThan(0);

      // Hits: every expected one reached the console, none twice, and the HITS stream kept one of each.
      const matcher = new Matcher(config);
      matcher.loadList('SVS', list);
      const expected = new Set(reads.flatMap((r) => matcher.matchRead({ id: r['id'] as string, plate: r['plate'] as string }, now).map((h) => hitId({ id: r['id'] as string, agency: r['agency'] as string, camera: r['camera'] as string, ts: r['ts'] as number }, h.list, h.entry, h))));
      expect(expected.size).toBe(TOTAL / 100);
      await console1.waitForHits(expected.size, 30_000);
      await new Promise((r) => setTimeout(r, 500)); // a late duplicate would arrive by now
      const received = console1.hitIds();
      expect(received.length).toBe(new Set(received).size);
      expect(new Set(received)).toEqual(expected);
      expect((await jsm.streams.info(HITS_STREAM)).state.messages).toBe(expected.size);
      console.info(`worker kill -9: killed at ack floor ${atKill.ack_floor.stream_seq}/${TOTAL} with ${orphaned} delivered and unacked; ` +
        `stored rows before merge ${raw}, after FINAL ${final}, distinct ids ${distinct}, missing ${missing}; ` +
        `console hits ${received.length} (distinct ${new Set(received).size}) of ${expected.size}; gateway duplicates dropped ${gateway.metrics.duplicateHits.get()}`);
    } finally {
      await console1?.close();
      await gateway?.stop();
      await nc.close();
      await nats.stop();
    }
  }, 300_000);
});
