import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeReadMessage, ensureStreams, PIPELINE_CONSUMER, READS_STREAM, simulateFleet } from '../../ingest/index.js';
import { useLocalNats } from '../fixtures/nats.js';

const nats = useLocalNats('sim');

beforeAll(async () => {
  await ensureStreams(await jetstreamManager(nats.nc));
});

describe('simulated camera fleet', () => {
  it('publishes valid reads, batched as asked, with about the asked share of hot plates', async () => {
    const hotPlates = [{ plate: 'HOT0001', state: 'CA' }, { plate: 'HOT0002' }];
    const report = await simulateFleet({ js: jetstream(nats.nc), agency: 'wpd', cameras: 3, rate: 20_000, count: 2000, batch: 10, hitRate: 0.25, hotPlates, seed: 11 });
    expect(report).toMatchObject({ published: 2000, messages: 200 });
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
});
