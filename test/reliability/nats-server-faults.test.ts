// NATS-side limits and faults that RELIABILITY.md states (issue 8), against a real nats-server:
// - a flood of bad input cannot stop the pipeline through INVALID_READS: the stream is bounded
//   (1 GiB by default) and, when full, drops its oldest copies rather than refusing new ones;
// - `LocalNatsServer.stop` does not hang on a server that ignores SIGTERM (as nats-server 2.9.10
//   did on a full disk): it falls back to SIGKILL after 5 s.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscardPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_STREAMS_CONFIG, ensureStreams, INVALID_READS_STREAM, INVALID_READS_SUBJECT, startLocalNatsServer } from '../../ingest/index.js';
import { sleep } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-nats-faults-'));
const started: number[] = [];

/** Alive, and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

afterAll(() => {
  // Whatever a failed test left: a stopped server would otherwise stay stopped for good.
  for (const pid of started) {
    if (!running(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('INVALID_READS when full', () => {
  it('is bounded at 1 GiB by default, and when full takes every new copy and drops the oldest', async () => {
    const server = await startLocalNatsServer({ storeDir: join(dir, 'invalid') });
    started.push(server.pid);
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStreams(jsm);
      const defaults = (await jsm.streams.info(INVALID_READS_STREAM)).config;
      expect(defaults.max_bytes).toBe(1024 ** 3);
      expect(defaults.discard).toBe(DiscardPolicy.Old);

      // The same stream with a small limit, so it can be filled here: 200 copies of 8 KiB into 256 KiB.
      const limit = 256 * 1024;
      await ensureStreams(jsm, { ...DEFAULT_STREAMS_CONFIG, invalidMaxBytes: limit });
      const js = jetstream(nc, { timeout: 30_000 });
      const copy = new Uint8Array(8 * 1024).fill(0xc1);
      let acked = 0;
      for (let seq = 1; seq <= 200; seq++) {
        await js.publish(INVALID_READS_SUBJECT, copy, { msgID: `READS:${seq}` });
        acked++;
      }
      const { state } = await jsm.streams.info(INVALID_READS_STREAM);
      expect(acked).toBe(200); // no copy refused: a refused copy would fail its batch on every redelivery
      expect(state.bytes).toBeLessThanOrEqual(limit);
      expect(state.last_seq).toBe(200); // the newest copy is kept…
      expect(state.first_seq).toBeGreaterThan(1); // …and the oldest ones went
      expect(state.messages).toBeLessThan(200);
      console.info(`INVALID_READS full: 200 copies of 8 KiB into ${limit / 1024} KiB: all acked; kept seq ${state.first_seq}–${state.last_seq} (${state.messages} copies, ${state.bytes} bytes)`);
    } finally {
      await nc.close();
      await server.stop();
    }
  }, 120_000);
});

describe('stopping a nats-server that ignores SIGTERM', () => {
  it('kills it with SIGKILL after the 5-s grace period instead of waiting for ever', async () => {
    const server = await startLocalNatsServer({ storeDir: join(dir, 'stuck') });
    started.push(server.pid);
    // A stopped process cannot act on SIGTERM (it stays pending), like the server on a full disk.
    process.kill(server.pid, 'SIGSTOP');
    const t0 = Date.now();
    const outcome = await Promise.race([server.stop().then(() => 'stopped' as const), sleep(60_000).then(() => 'still waiting after 60 s' as const)]);
    const tookMs = Date.now() - t0;
    expect(outcome).toBe('stopped');
    expect(running(server.pid)).toBe(false);
    // It gave SIGTERM its grace period first (a timer may fire a little early).
    expect(tookMs).toBeGreaterThanOrEqual(4_500);
    console.info(`stop on a server ignoring SIGTERM: gone after ${tookMs} ms (SIGTERM, then SIGKILL after the grace period)`);
  }, 120_000);
});
