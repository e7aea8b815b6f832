import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeReadMessage, ensureStreams, PIPELINE_CONSUMER, READS_STREAM, simulateFleet, startLocalNatsServer } from '../../ingest/index.js';
import { useLocalNats } from '../fixtures/nats.js';

const nats = useLocalNats('sim');

beforeAll(async () => {
  await ensureStreams(await jetstreamManager(nats.nc));
});

describe('simulated camera fleet', () => {
  it('publishes valid reads, batched as asked, with about the asked share of hot plates', async () => {
    const hotPlates = [{ plate: 'HOT0001', state: 'CA' }, { plate: 'HOT0002' }];
    const report = await simulateFleet({ js: jetstream(nats.nc), agency: 'wpd', cameras: 3, rate: 20_000, count: 2000, batch: 10, hitRate: 0.25, hotPlates, seed: 11 });
    expect(report).toMatchObject({ published: 2000, failed: 0, firstFailure: null, messages: 200 });
    expect(report.hot).toBeGreaterThan(400);
    expect(report.hot).toBeLessThan(600);

    const consumer = await jetstream(nats.nc).consumers.get(READS_STREAM, PIPELINE_CONSUMER);
    const messages = await consumer.fetch({ max_messages: 200, expires: 5000 });
    let reads = 0;
    let invalid = 0;
    const cameras = new Set<string>();
    for await (const m of messages) {
      m.ack();
      const decoded = decodeReadMessage(m.data, undefined, 'wpd', Date.now());
      reads += decoded.reads.length;
      invalid += decoded.invalid.length;
      for (const r of decoded.reads) {
      cameras.add(r.camera);
      // Six decimals, as a GPS fix gives them; not 36.946999999999996.
      for (const degrees of [r.lat!, r.lon!]) expect(String(degrees)).toMatch(/^-?\d+(\.\d{1,6})?$/);
    }
      if (reads + invalid >= 2000) break;
    }
    expect(invalid).toBe(0);
    expect(reads).toBe(2000);
    expect([...cameras].sort()).toEqual(['cam1', 'cam2', 'cam3']);
  });

  it('refuses to run without an end', async () => {
    await expect(simulateFleet({ js: jetstream(nats.nc), rate: 1 })).rejects.toThrow(/count or a duration/);
  });

  it('counts as published only the reads JetStream acknowledged, and counts the rest as failed, when nats-server stops mid-run (found by QA)', async () => {
    // A server of this test's own: stopping the file's would fail the other tests.
    const dir = mkdtempSync(join(tmpdir(), 'platewatch-sim-stop-'));
    const storeDir = join(dir, 'nats');
    let server = await startLocalNatsServer({ storeDir });
    try {
      const nc = await connect({ servers: server.url });
      const jsm = await jetstreamManager(nc);
      await ensureStreams(jsm);
      const run = simulateFleet({ js: jetstream(nc, { timeout: 1000 }), agency: 'wpd', cameras: 2, rate: 200, count: 1000, seed: 5 });
      // Stopped once some reads are stored, so the run has both kinds.
      while ((await jsm.streams.info(READS_STREAM)).state.messages < 100) await new Promise((resolve) => setTimeout(resolve, 20));
      await server.stop();
      const report = await run;
      await nc.close();
      expect(report.published).toBeGreaterThanOrEqual(100);
      expect(report.failed).toBeGreaterThan(0);
      expect(report.published + report.failed).toBe(1000);
      expect(report.firstFailure).toEqual(expect.any(String));

      // Every read counted as published is in the stream (an ack lost as the server stopped can
      // leave a stored read counted as failed, never the other way round).
      server = await startLocalNatsServer({ storeDir });
      const again = await connect({ servers: server.url });
      const stored = (await (await jetstreamManager(again)).streams.info(READS_STREAM)).state.messages;
      await again.close();
      expect(stored).toBeGreaterThanOrEqual(report.published);
      expect(stored).toBeLessThan(1000);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
