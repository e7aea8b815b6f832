// Session rows on real chDB: the newest version of each decides, and ending a session or all of a
// user's is a newer, revoked version of each row, written only for sessions still open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newestSessions, revokeSession, revokeUserSessions } from '../../storage/sessions.js';
import { openTempStorage, type TempStorage } from './temp-storage.js';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const HOUR = 3_600_000;
let temp: TempStorage;

beforeAll(async () => {
  temp = await openTempStorage();
});

afterAll(async () => {
  await temp?.cleanup();
});

async function issue(hash: string, userId: string, expiresAt = NOW + HOUR, revokedAt: number | null = null): Promise<void> {
  await temp.storage.client.insert({
    table: `${temp.storage.db}.sessions`,
    format: 'JSONEachRow',
    values: [{ token_hash: hash, version: 1, user_id: userId, issued_at: NOW - HOUR, expires_at: expiresAt, revoked_at: revokedAt }],
  });
}

async function rowCount(userId: string): Promise<number> {
  const rs = await temp.storage.client.query({
    query: `SELECT count() AS n FROM ${temp.storage.db}.sessions WHERE user_id = {u:String}`, query_params: { u: userId }, format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string }>())[0]?.n);
}

describe('newestSessions', () => {
  it('answers the newest version of each hash asked for, leaving out hashes of no session', async () => {
    await issue('h-a', 'ns1');
    await issue('h-b', 'ns1');
    const a = await newestSessions(temp.storage, ['h-a']);
    await revokeSession(temp.storage, 'h-a', a.get('h-a')!, NOW);
    const found = await newestSessions(temp.storage, ['h-a', 'h-b', 'h-none']);
    expect([...found.keys()].sort()).toEqual(['h-a', 'h-b']);
    expect(found.get('h-a')).toEqual({ userId: 'ns1', version: 2, issuedAt: NOW - HOUR, expiresAt: NOW + HOUR, revoked: true });
    expect(found.get('h-b')).toMatchObject({ version: 1, revoked: false });
    expect((await newestSessions(temp.storage, [])).size).toBe(0);
  });
});

describe('revokeUserSessions', () => {
  it('ends every open session of the user but the one kept, and writes nothing for the expired, the revoked or other users', async () => {
    await issue('u-open1', 'rs1');
    await issue('u-open2', 'rs1');
    await issue('u-kept', 'rs1');
    await issue('u-expired', 'rs1', NOW);
    await issue('u-revoked', 'rs1', NOW + HOUR, NOW - 1);
    await issue('u-other', 'rs2');
    expect(await revokeUserSessions(temp.storage, 'rs1', NOW, 'u-kept')).toBe(2);
    const after = await newestSessions(temp.storage, ['u-open1', 'u-open2', 'u-kept', 'u-expired', 'u-revoked', 'u-other']);
    expect(Object.fromEntries([...after].map(([h, s]) => [h, s.revoked]))).toEqual({
      'u-open1': true, 'u-open2': true, 'u-kept': false, 'u-expired': false, 'u-revoked': true, 'u-other': false,
    });
    expect(await rowCount('rs1')).toBe(7);
    // Nothing left open: a second call ends nothing and writes nothing.
    expect(await revokeUserSessions(temp.storage, 'rs1', NOW, 'u-kept')).toBe(0);
    expect(await rowCount('rs1')).toBe(7);
  });
});
