// Two pipeline worker processes share one durable consumer (issue 4: scale out on NATS): every
// read is processed and stored by exactly one of them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pack } from 'msgpackr';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureStreams, PIPELINE_CONSUMER, READS_STREAM, readsSubject, startLocalNatsServer } from '../../ingest/index.js';
import { openStorage } from '../../storage/index.js';
import { until } from '../reliability/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startWorker(natsUrl: string, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./worker-process.ts', import.meta.url).pathname, natsUrl, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
  });
}

async function storedIds(dataDir: string): Promise<string[]> {
  const storage = await openStorage({ dataDir: join(dataDir, 'clickhouse') });
  try {
    const rs = await storage.client.query({ query: `SELECT DISTINCT read_id FROM ${storage.db}.detections`, format: 'JSONEachRow' });
    return ((await rs.json()) as Array<{ read_id: string }>).map((r) => r.read_id);
  } finally {
    await storage.close();
  }
}

describe('two pipeline worker processes on one consumer', () => {
  it('store each read exactly once between them', async () => {
    const nats = await startLocalNatsServer({ storeDir: join(dir, 'nats') });
    const nc = await connect({ servers: nats.url });
    try {
      await ensureStreams(await jetstreamManager(nc));
      const workers = await Promise.all([startWorker(nats.url, join(dir, 'w1')), startWorker(nats.url, join(dir, 'w2'))]);
      const js = jetstream(nc);
      const total = 20_000;
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        pending.push(js.publish(readsSubject('wpd', 'cam1'), pack({ v: 1, id: `w-${i}`, agency: 'wpd', camera: 'cam1', ts: Date.now(), conf: 0.9, plate: `W${String(i).padStart(6, '0')}` }), { msgID: `w-${i}` }));
        if (pending.length >= 1000) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
      const jsm = await jetstreamManager(nc);
      // Two worker processes with their own chDB on a loaded 2-core machine: a deadline, not 600 tries.
      const info = await until('the workers to drain the stream', async () => {
        const i = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
        return i.num_pending === 0 && i.num_ack_pending === 0 ? i : undefined;
      }, 120_000);
      expect(info.num_redelivered).toBe(0);
      await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('exit', resolve); w.kill('SIGTERM'); })));
      const first = await storedIds(join(dir, 'w1'));
      const second = await storedIds(join(dir, 'w2'));
      expect(first.length).toBeGreaterThan(0);
      expect(second.length).toBeGreaterThan(0);
      const both = new Set([...first, ...second]);
      expect(first.length + second.length).toBe(total);
      expect(both.size).toBe(total);
    } finally {
      await nc.drain();
      await nats.stop();
    }
  }, 180_000);
});
