// Version claims in NATS KV with a real nats-server: the first claim of a key wins across
// connections (as across gateway processes), a released claim can be claimed again, and any id
// (user input on some routes) makes a valid key.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { beforeAll, describe, expect, it } from 'vitest';
import { claimKey, openVersionClaims, VERSION_CLAIM_TTL_MS, VERSION_CLAIMS_BUCKET, type NatsVersionClaims } from '../../ingest/index.js';
import { useLocalNats } from '../fixtures/nats.js';

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
});
