import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog, DETAIL_MAX_CHARACTERS, parseExpectedHead, type AccessEntry, type Storage, UnknownChainError, verifyAccessLog } from '../../storage/index.js';
import { openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
});
afterAll(() => temp.cleanup());

const entry = (i: number): AccessEntry => ({
  user: `analyst${i % 3}`,
  action: 'search',
  outcome: 'ok',
  params: { plate: { kind: 'exact', plate: `7ABC${100 + i}` } },
  rowsReturned: i,
  caseNumber: `WPD-26-${i}`,
  reason: '',
  detail: '',
});

async function filled(chain: string, n: number): Promise<AccessLog> {
  const log = new AccessLog(storage, chain);
  await Promise.all(Array.from({ length: n }, (_, i) => log.append(entry(i + 1))));
  return log;
}

const mutate = (sql: string) => storage.client.command({ query: `${sql} SETTINGS mutations_sync = 2` });

// Watsonville §471.7(b) / Civil Code § 1798.90.52: every access recorded, and the record must be trustworthy.
describe('parseExpectedHead', () => {
  const hash = '0123456789abcdef'.repeat(4);
  it('reads CHAIN=SEQ:HASH, SEQ:HASH with a default chain, and the hash in capitals as the same head', () => {
    expect(parseExpectedHead(`main=5:${hash}`)).toEqual({ chain: 'main', head: { seq: 5, hash } });
    expect(parseExpectedHead(`5:${hash}`, 'main')).toEqual({ chain: 'main', head: { seq: 5, hash } });
    expect(parseExpectedHead(`main=5:${hash.toUpperCase()}`)).toEqual({ chain: 'main', head: { seq: 5, hash } });
  });

  it('says which forms it takes: SEQ:HASH too when a chain is given, and the hash is 64 hex digits', () => {
    expect(parseExpectedHead('main=5:abc')).toEqual({ error: '"main=5:abc" must be CHAIN=SEQ:HASH, the hash 64 hex digits, as the last memorandum lists it' });
    expect(parseExpectedHead('5:abc', 'main')).toEqual({ error: '"5:abc" must be CHAIN=SEQ:HASH or SEQ:HASH, the hash 64 hex digits, as the last memorandum lists it' });
    expect(parseExpectedHead(`5:${hash}`)).toEqual({ error: `"5:${hash}" needs the chain it belongs to: write it CHAIN=SEQ:HASH (each chain has its own head)` });
  });
});

describe('access log hash chain', () => {
  it('numbers concurrent appends in order and verifies clean', async () => {
    await filled('clean', 20);
    const v = await verifyAccessLog(storage, { chain: 'clean' });
    expect(v).toMatchObject({ ok: true, records: 20, problems: [] });
    expect(v.head?.seq).toBe(20);
  });

  it('records text holding half a surrogate pair (which ClickHouse refuses) with U+FFFD, and verifies it', async () => {
    const log = new AccessLog(storage, 'unpaired');
    const record = await log.append({ ...entry(1), user: 'a\ud800', caseNumber: '26-\udc00', reason: 'stolen \ud83d\ude97 \ud83d', detail: 'x', params: { plate: '\ud800' } });
    expect([record.user_id, record.case_number, record.reason]).toEqual(['a\ufffd', '26-\ufffd', 'stolen \ud83d\ude97 \ufffd']);
    const rs = await storage.client.query({ query: `SELECT reason, params FROM ${storage.db}.access_log WHERE chain = 'unpaired'`, format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ reason: 'stolen \u{1F697} \ufffd', params: '{"plate":"\\ud800"}' }]);
    expect(await verifyAccessLog(storage, { chain: 'unpaired' })).toMatchObject({ ok: true, records: 1 });
  });

  it('keeps at most DETAIL_MAX_CHARACTERS of a detail, saying how long it was, and verifies it', async () => {
    const log = new AccessLog(storage, 'long-detail');
    const long = `refused: ${'\u{1F697}'.repeat(DETAIL_MAX_CHARACTERS)}`;
    const record = await log.append({ ...entry(1), detail: long });
    expect(record.detail.length).toBeLessThan(DETAIL_MAX_CHARACTERS + 40);
    expect(record.detail.startsWith('refused: \u{1F697}')).toBe(true);
    expect(record.detail.endsWith(`… (${long.length} characters)`)).toBe(true);
    expect(record.detail).not.toContain('\ufffd');
    const rs = await storage.client.query({ query: `SELECT detail FROM ${storage.db}.access_log WHERE chain = 'long-detail'`, format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ detail: record.detail }]);
    expect(await verifyAccessLog(storage, { chain: 'long-detail' })).toMatchObject({ ok: true, records: 1 });
  });

  it('continues the chain after a restart (head read back from the table)', async () => {
    await filled('restart', 3);
    const again = new AccessLog(storage, 'restart');
    const r = await again.append(entry(4));
    expect(r.seq).toBe(4);
    expect((await verifyAccessLog(storage, { chain: 'restart' })).ok).toBe(true);
  });

  it('detects an altered record', async () => {
    await filled('altered', 5);
    await mutate(`ALTER TABLE ${storage.db}.access_log UPDATE rows_returned = 0, case_number = '' WHERE chain = 'altered' AND seq = 3`);
    const v = await verifyAccessLog(storage, { chain: 'altered' });
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([{ kind: 'altered', seq: 3 }]);
  });

  it('detects a deleted record', async () => {
    await filled('deleted', 5);
    await mutate(`ALTER TABLE ${storage.db}.access_log DELETE WHERE chain = 'deleted' AND seq = 2`);
    const v = await verifyAccessLog(storage, { chain: 'deleted' });
    expect(v.problems).toEqual([
      { kind: 'missing', fromSeq: 2, toSeq: 2 },
      { kind: 'broken_link', seq: 3 },
    ]);
  });

  it('detects reordered records (sequence numbers swapped)', async () => {
    await filled('reordered', 4);
    const t = `${storage.db}.access_log`;
    // Swap records 2 and 3: seq is a sort key, so read them, delete them, write them back swapped.
    const rs = await storage.client.query({ query: `SELECT * FROM ${t} WHERE chain = 'reordered' AND seq IN (2, 3)`, format: 'JSONEachRow' });
    const two = await rs.json<Record<string, unknown>>();
    await mutate(`ALTER TABLE ${t} DELETE WHERE chain = 'reordered' AND seq IN (2, 3)`);
    await storage.client.insert({ table: t, format: 'JSONEachRow', values: two.map((r) => ({ ...r, seq: Number(r['seq']) === 2 ? 3 : 2 })) });
    const v = await verifyAccessLog(storage, { chain: 'reordered' });
    expect(v.ok).toBe(false);
    expect(v.problems.some((p) => p.kind === 'altered' && p.seq === 2)).toBe(true);
  });

  it('detects records cut from the end when given the head from the last audit', async () => {
    await filled('truncated', 5);
    const before = await verifyAccessLog(storage, { chain: 'truncated' });
    await mutate(`ALTER TABLE ${storage.db}.access_log DELETE WHERE chain = 'truncated' AND seq >= 4`);
    expect((await verifyAccessLog(storage, { chain: 'truncated' })).ok).toBe(true); // a chain alone cannot tell
    const anchored = await verifyAccessLog(storage, { chain: 'truncated', expectedHead: before.head! });
    expect(anchored.problems).toEqual([{ kind: 'head_mismatch', expected: before.head, found: { seq: 3, hash: expect.any(String) } }]);
  });

  it('refuses to verify a chain it does not have, naming the ones it has, rather than call it intact', async () => {
    await filled('known', 1);
    const ghost = verifyAccessLog(storage, { chain: 'ghost' });
    await expect(ghost).rejects.toBeInstanceOf(UnknownChainError);
    await expect(ghost).rejects.toMatchObject({ code: 'UNKNOWN_CHAIN', chain: 'ghost', message: expect.stringMatching(/^the access log has no chain "ghost"; its chains are .*"known"/) });
    // With a head the last audit recorded, the chain was there: its loss is a finding, not a typo.
    const gone = await verifyAccessLog(storage, { chain: 'ghost', expectedHead: { seq: 3, hash: 'a'.repeat(64) } });
    expect(gone).toMatchObject({ ok: false, records: 0, problems: [{ kind: 'head_mismatch' }] });
  });
});
