// Version claims in NATS KV with a real nats-server: the first claim of a key wins across
// connections (as across gateway processes), a released claim can be claimed again, and any id
// (user input on some routes) makes a valid key.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { readFileSync } from 'node:fs';
import { Kvm } from '@nats-io/kv';
import { beforeAll, describe, expect, it } from 'vitest';
import { claimKey, openVersionClaims, VERSION_CLAIM_TTL_MS, VERSION_CLAIMS_BUCKET, type NatsVersionClaims } from '../../ingest/index.js';
import { useLocalNats } from '../fixtures/nats.js';
import { until } from '../reliability/fixtures.js';

const nats = useLocalNats('claims', { connections: 2 });
let gatewayA: NatsVersionClaims;
let gatewayB: NatsVersionClaims;

beforeAll(async () => {
  gatewayA = await openVersionClaims(jetstream(nats.connections[0]!));
  gatewayB = await openVersionClaims(jetstream(nats.connections[1]!));
});

describe('NatsVersionClaims', () => {
  it('gives a version to exactly one of many simultaneous claimants on two connections', async () => {
    const attempts = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? gatewayA : gatewayB).claim('hotlist_decision', 'entry-1', 2));
    const won = (await Promise.all(attempts)).filter(Boolean);
    expect(won).toHaveLength(1);
  });

  it('keeps kinds, records and versions apart', async () => {
    expect(await gatewayA.claim('hotlist_entry', 'entry-2', 2)).toBe(true);
    expect(await gatewayB.claim('hotlist_entry', 'entry-2', 3)).toBe(true);
    expect(await gatewayB.claim('hotlist_entry', 'entry-3', 2)).toBe(true);
    expect(await gatewayB.claim('release', 'entry-2', 2)).toBe(true);
    expect(await gatewayB.claim('hotlist_entry', 'entry-2', 2)).toBe(false);
  });

  it('lets a released claim be claimed again (a write that failed after claiming)', async () => {
    expect(await gatewayA.claim('release', 'REL-1', 2)).toBe(true);
    expect(await gatewayB.claim('release', 'REL-1', 2)).toBe(false);
    await gatewayA.release('release', 'REL-1', 2);
    expect(await gatewayB.claim('release', 'REL-1', 2)).toBe(true);
    expect(await gatewayA.claim('release', 'REL-1', 2)).toBe(false);
  });

  it('makes a valid key of any id, and tells different ids apart', async () => {
    const odd = ['CASE 26/1', 'café.*>', '', 'a.b', 'a_b'];
    for (const id of odd) expect(claimKey('hotlist_list', id, 1)).toMatch(/^[-/_=.A-Za-z0-9]+$/);
    expect(new Set(odd.map((id) => claimKey('hotlist_list', id, 1))).size).toBe(odd.length);
    for (const id of odd) expect(await gatewayA.claim('hotlist_list', id, 1)).toBe(true);
    expect(() => claimKey('release', 'x', 0)).toThrow(RangeError);
  });

  it('keeps claims only as long as a write needs them (the bucket has a TTL and no history)', async () => {
    const info = await (await jetstreamManager(nats.nc)).streams.info(`KV_${VERSION_CLAIMS_BUCKET}`);
    expect(info.config.max_age).toBe(VERSION_CLAIM_TTL_MS * 1_000_000);
    expect(info.config.max_msgs_per_subject).toBe(1);
  });
  it('lets another process take over a claim left standing by one that stopped before writing, once it is stale; one taker wins', async () => {
    const patient = await openVersionClaims(jetstream(nats.nc), 1_000);
    const rival = await openVersionClaims(jetstream(nats.nc), 1_000);
    expect(await gatewayA.claim('hit_disposition', 'hit-orphan', 1)).toBe(true);
    // gatewayA "stops" here: it never writes and never releases.
    expect(await patient.claim('hit_disposition', 'hit-orphan', 1)).toBe(false);
    await new Promise((r) => setTimeout(r, 1_200));
    const takers = await Promise.all([patient.claim('hit_disposition', 'hit-orphan', 1), rival.claim('hit_disposition', 'hit-orphan', 1)]);
    expect(takers.filter(Boolean)).toHaveLength(1);
    // Taken over, it is fresh again: nobody else takes it, the stopped claimant included.
    expect(await gatewayA.claim('hit_disposition', 'hit-orphan', 1)).toBe(false);
    expect(await (takers[0] ? rival : patient).claim('hit_disposition', 'hit-orphan', 1)).toBe(false);
  });

  it('takes back its own claim that NATS carried out after the attempt timed out (a hung server), and no one else\'s', async () => {
    // Its own connection with a short timeout: a paused server answers nothing.
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: nats.server.url, timeout: 2_000 });
    const hung = await openVersionClaims(jetstream(nc, { timeout: 1_000 }));
    process.kill(nats.server.pid, 'SIGSTOP');
    let resumed = false;
    // The signal takes effect a moment later: claim only once the kernel shows the server stopped.
    await until('nats-server to be stopped', () => (/^\d+ \(.*\) T /.test(readFileSync(`/proc/${nats.server.pid}/stat`, 'utf8')) ? true : undefined), 5_000, 5);
    try {
      await expect(hung.claim('hit_disposition', 'hit-hung', 1)).rejects.toThrow();
      process.kill(nats.server.pid, 'SIGCONT');
      resumed = true;
      // The create the timed-out attempt sent is carried out once the server answers again.
      const kv = await new Kvm(jetstream(nats.nc)).open(VERSION_CLAIMS_BUCKET);
      await until('the unanswered claim to land', async () => ((await kv.get(claimKey('hit_disposition', 'hit-hung', 1))) === null ? undefined : true), 10_000, 50);
      // Another process still finds it taken; the process whose attempt it was may take it.
      expect(await gatewayB.claim('hit_disposition', 'hit-hung', 1)).toBe(false);
      expect(await hung.claim('hit_disposition', 'hit-hung', 1)).toBe(true);
      // Once: taken back, it is an ordinary claim again.
      expect(await hung.claim('hit_disposition', 'hit-hung', 1)).toBe(false);
    } finally {
      if (!resumed) process.kill(nats.server.pid, 'SIGCONT');
      await nc.close();
    }
  });
});
