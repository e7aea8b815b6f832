// Two gateways on one ClickHouse server can each read version N of a hot list entry or a release
// request and both write N + 1. The system as `platewatch up` starts it claims each new version in
// NATS KV first. Here a second NATS connection plays the other gateway: it claims the version
// this gateway is about to write, as if its own change were mid-flight. This gateway must then
// answer 409, write nothing, and log the refusal.
// (Two processes cannot share embedded chDB, so the interleaving is staged rather than raced;
// the race itself is in test/ingest/version-claims.test.ts.)
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVersionClaims, type NatsVersionClaims } from '../../ingest/index.js';
import { dispositionsOf, entryHistory, findUser, recordHits } from '../../storage/index.js';
import { accessRecords, startApiSystem, type ApiSystem } from './api-system.js';

let api: ApiSystem;
let otherConnection: NatsConnection;
let otherGateway: NatsVersionClaims;

beforeAll(async () => {
  api = await startApiSystem();
  otherConnection = await connect(api.system.natsConnect);
  otherGateway = await openVersionClaims(jetstream(otherConnection));
}, 120_000);

afterAll(async () => {
  await otherConnection?.close();
  await api?.stop();
});

const ENTRY = { plate: '4DEF567', state: 'CA', reason: 'Shooting suspect vehicle', caseNumber: 'WPD-26-0777', synopsis: 'Dark SUV fled the shooting on Main St' };

function errorCode(res: { body: Record<string, unknown> }): string {
  return (res.body['error'] as { code: string }).code;
}

describe('hot list changes racing another gateway', () => {
  let entryId = '';

  beforeAll(async () => {
    const designated = await api.call('POST', '/api/hotlists', api.token('administrator'), { list: 'SIDEBYSIDE', purpose: 'Vehicles of the side-by-side test' });
    expect(designated.status).toBe(201);
    const submitted = await api.call('POST', '/api/hotlists/SIDEBYSIDE/entries', api.token('officer'), ENTRY);
    expect(submitted.status).toBe(201);
    entryId = submitted.body['entryId'] as string;
  });

  it('refuses a decision on a version the other gateway is deciding, and records no second decision', async () => {
    expect(await otherGateway.claim('hotlist_decision', entryId, 1)).toBe(true);
    const res = await api.call('POST', `/api/hotlists/approvals/${entryId}`, api.token('administrator'), { decision: 'approved' });
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe('CONCURRENT_CHANGE');
    expect((await entryHistory(api.system.storage, entryId))[0]?.decision).toBeNull();
    const refused = (await accessRecords(api, 'administrator1')).filter((r) => r['action'] === 'hotlist' && r['outcome'] !== 'ok');
    expect(refused.at(-1)?.['detail']).toMatch(/^CONCURRENT_CHANGE: version 1 of entry .* was decided by another member at the same moment/);
  });

  it('refuses a change to an entry whose next version the other gateway is writing', async () => {
    // Version 2 of a second entry: approve version 1 here first (its decision is unclaimed).
    const submitted = await api.call('POST', '/api/hotlists/SIDEBYSIDE/entries', api.token('officer'), { ...ENTRY, plate: '5GHJ678' });
    const second = submitted.body['entryId'] as string;
    expect((await api.call('POST', `/api/hotlists/approvals/${second}`, api.token('administrator'), { decision: 'approved' })).status).toBe(200);
    expect(await otherGateway.claim('hotlist_entry', second, 2)).toBe(true);
    const res = await api.call('POST', `/api/hotlists/entries/${second}`, api.token('supervisor'), { remove: true });
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe('CONCURRENT_CHANGE');
    expect((await entryHistory(api.system.storage, second)).map((v) => v.version)).toEqual([1]);
  });

  it('refuses re-describing a list while the other gateway writes its next version', async () => {
    expect(await otherGateway.claim('hotlist_list', 'SIDEBYSIDE', 2)).toBe(true);
    const res = await api.call('POST', '/api/hotlists', api.token('administrator'), { list: 'SIDEBYSIDE', purpose: 'Vehicles of the side-by-side test, re-described' });
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe('CONCURRENT_CHANGE');
  });
});

describe('release requests racing another gateway', () => {
  const request = {
    agency: 'Santa Cruz Police Department', agencyKind: 'local', requester: 'Det. M. Lopez', purpose: 'armed robbery, SCPD case 26-01234',
    criteria: { kind: 'plate', plate: '7ABC123', from: '2026-11-20', to: '2026-11-21' },
  };

  async function pendingRequest(): Promise<string> {
    const res = await api.call('POST', '/api/releases', api.token('custodian'), request);
    expect(res.status).toBe(201);
    return res.body['requestId'] as string;
  }

  it('refuses a decision while the other gateway decides the same request; it stays pending', async () => {
    const id = await pendingRequest();
    expect(await otherGateway.claim('release', id, 2)).toBe(true);
    const res = await api.call('POST', `/api/releases/${id}/decision`, api.token('chief'), { decision: 'approve' });
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe('RELEASE_NOT_PENDING');
    expect(String((res.body['error'] as { message: string }).message)).toMatch(/changed on another gateway at the same moment/);
    const view = await api.call('GET', `/api/releases/${id}`, api.token('custodian'));
    expect((view.body['request'] as { status: string; version: number })).toMatchObject({ status: 'pending', version: 1 });
  });

  it('refuses an export while the other gateway exports the same request, before writing any file', async () => {
    const id = await pendingRequest();
    expect((await api.call('POST', `/api/releases/${id}/decision`, api.token('chief'), { decision: 'approve' })).status).toBe(200);
    expect(await otherGateway.claim('release', id, 3)).toBe(true);
    const res = await api.call('POST', `/api/releases/${id}/package`, api.token('custodian'));
    expect(res.status).toBe(409);
    expect(existsSync(join(api.dir, 'releases', id))).toBe(false);
    const view = await api.call('GET', `/api/releases/${id}`, api.token('custodian'));
    expect((view.body['request'] as { status: string })).toMatchObject({ status: 'approved' });
  });

  it('exports once the version is free: an unclaimed change goes through', async () => {
    const id = await pendingRequest();
    expect((await api.call('POST', `/api/releases/${id}/decision`, api.token('chief'), { decision: 'approve' })).status).toBe(200);
    const res = await api.call('POST', `/api/releases/${id}/package`, api.token('custodian'));
    expect(res.status).toBe(201);
    expect(existsSync(join(api.dir, 'releases', id, 'manifest.json'))).toBe(true);
    // …and the version it wrote is claimed, so a second gateway could not write it again.
    expect(await otherGateway.claim('release', id, 3)).toBe(false);
  });
});

describe('user changes racing another gateway', () => {
  it('refuses an edit while the other gateway writes the same user’s next version; the user is unchanged', async () => {
    const before = await findUser(api.system.storage, 'officer1');
    expect(await otherGateway.claim('user', 'officer1', before!.version! + 1)).toBe(true);
    const res = await api.call('POST', '/api/users/officer1', api.token('administrator'), { title: 'Sergeant' });
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe('CONCURRENT_CHANGE');
    expect(await findUser(api.system.storage, 'officer1')).toMatchObject({ version: before!.version, title: before!.title });
  });

  it('answers USER_EXISTS to the second of two administrators adding one id, and sets no password for it', async () => {
    expect(await otherGateway.claim('user', 'newhire', 1)).toBe(true);
    const res = await api.call('POST', '/api/users', api.token('administrator'), {
      id: 'newhire', name: 'N. Hire', title: 'Officer', roles: ['officer'], trainedAt: '2026-01-15', password: 'a long enough password 1',
    });
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe('USER_EXISTS');
    expect(await findUser(api.system.storage, 'newhire')).toBeUndefined();
    expect((await api.call('POST', '/api/login', undefined, { user: 'newhire', password: 'a long enough password 1' })).status).toBe(401);
  });
});

describe('a hit answered on two gateways at once', () => {
  it('refuses the answer whose turn the other gateway claimed first, and records only one', async () => {
    await recordHits(api.system.storage, [{
      hitId: 'side-by-side-hit', readId: 'r-side-by-side', agency: 'wpd', camera: 'cam1', seenAt: Date.now() - 60_000, plate: '4DEF567', list: 'SVS',
      entryId: '4DEF567', entryVersion: 1, matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
    }]);
    expect(await otherGateway.claim('hit_disposition', 'side-by-side-hit', 1)).toBe(true);
    const res = await api.call('POST', '/api/hits/side-by-side-hit/disposition', api.token('dispatcher'), { disposition: 'misread', visualVerified: true, cletsVerified: false });
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe('ALREADY_RESOLVED');
    expect((res.body['error'] as { message: string }).message).toMatch(/^another console is recording an answer to this hit right now; if none appears, its gateway stopped while recording it, and this hit takes an answer again 5 minutes after$/);
    expect(await dispositionsOf(api.system.storage, 'side-by-side-hit')).toEqual([]);
  });
});
