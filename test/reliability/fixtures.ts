// Shared pieces of the fault tests (issue 8): polling with a deadline, reading counts back from
// storage, waiting for the READS consumer to drain, pipeline worker child processes, and reads.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { PIPELINE_CONSUMER, READS_STREAM } from '../../ingest/index.js';
import { openStorage, type Storage } from '../../storage/index.js';

export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function scalar(storage: Pick<Storage, 'client'>, query: string): Promise<number> {
  const rs = await storage.client.query({ query, format: 'JSONEachRow' });
  return Number(((await rs.json()) as Array<{ n: string | number }>)[0]?.n ?? 0);
}

/** Stored detections: total rows as merged (FINAL) and distinct read ids, for exactly-once checks. */
export async function storedCounts(storage: Pick<Storage, 'client' | 'db'>, idPrefix: string): Promise<{ final: number; distinct: number; ids: Set<string> }> {
  const where = `WHERE startsWith(read_id, '${idPrefix}')`;
  const final = await scalar(storage, `SELECT count() AS n FROM ${storage.db}.detections FINAL ${where}`);
  const rs = await storage.client.query({ query: `SELECT DISTINCT read_id FROM ${storage.db}.detections ${where}`, format: 'JSONEachRow' });
  const ids = new Set(((await rs.json()) as Array<{ read_id: string }>).map((r) => r.read_id));
  return { final, distinct: ids.size, ids };
}

export async function consumerState(jsm: JetStreamManager): Promise<{ pending: number; ackPending: number; redelivered: number }> {
  const info = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
  return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
}

/** Waits until every read on READS has been stored and acked. */
export async function untilDrained(nc: NatsConnection, timeoutMs = 120_000): Promise<void> {
  // No API check up front: just after a nats-server restart that one request can go unanswered
  // (seen in nats-restart.test.ts, about 1 run in 4), and the loop below retries anyway.
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  await until('the READS consumer to drain', async () => {
    const s = await consumerState(jsm).catch(() => null);
    return s !== null && s.pending === 0 && s.ackPending === 0 ? true : undefined;
  }, timeoutMs, 200);
}

/** Opens a chDB directory that no process holds any more (after its worker exited) and reads it. */
export async function withStorageAt<T>(dataDir: string, use: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await openStorage({ dataDir: join(dataDir, 'clickhouse') });
  try {
    return await use(storage);
  } finally {
    await storage.close();
  }
}

const WORKER_SCRIPT = new URL('../flows/worker-process.ts', import.meta.url).pathname;

/**
 * A pipeline worker in its own process (test/flows/worker-process.ts), owning the chDB directory
 * `dataDir`, resolved once it pulls; `ackWaitMs` sets the consumer's ack wait at its start.
 */
export function startWorkerProcess(natsUrl: string, dataDir: string, ackWaitMs?: number): Promise<ChildProcess> {
  const args = [WORKER_SCRIPT, natsUrl, dataDir, ...(ackWaitMs === undefined ? [] : [String(ackWaitMs)])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited before it was ready (code ${code}, signal ${signal})`)));
  });
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A camera read as the wire carries it. */
export function wireRead(id: string, plate: string, ts: number, camera = 'cam1'): Record<string, unknown> {
  return { v: 1, id, agency: 'wpd', camera, ts, conf: 0.9, state: 'CA', plate };
}

// Memory figures are taken after a full collection, so they measure what is held, not garbage
// not yet collected. vitest's forks do not pass --expose-gc; V8 lets a process turn it on itself.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after a full garbage collection, MiB. */
export function heapAfterGcMiB(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}
