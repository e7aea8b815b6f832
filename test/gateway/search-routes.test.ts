// POST /api/detections/search over the real gateway (uWS, nats-server) and real storage on chDB:
// every search is on the access log, also one refused because its body is not a search request
// (Watsonville §471.7(b)); and the radius the route takes is the one storage searches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchRoutes } from '../../gateway/index.js';
import { LOGGED_BODY_CHARACTERS } from '../../gateway/request-fields.js';
import { DetectionWriter } from '../../storage/index.js';
import { detection } from '../storage/temp-storage.js';
import { errorOf, startApiFixture, type ApiFixture } from './api-fixture.js';

const DAY = Date.UTC(2026, 10, 20);
const RANGE = { from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z' };
const PURPOSE = { caseNumber: 'WPD-26-0101', reason: 'stolen vehicle follow-up' };
let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture({
    users: [['ana1', 'analyst']],
    seed: async (temp) => {
      const writer = new DetectionWriter(temp.storage);
      await (await writer.enqueue([
        detection({ readId: 's-1', plate: '7ABC123', seenAt: DAY + 1000, lat: 36.91, lon: -121.76 }),
        // Two days on (outside RANGE): read first as 7ABC128, with 7ABC123 and an O/0 look-alike of
        // another plate as other readings.
        detection({ readId: 's-2', plate: '7ABC128', seenAt: DAY + 2 * 86_400_000, candidates: ['7ABC123', '5OEF456'] }),
      ])).durable;
      await writer.close();
    },
    routes: ({ guard, accessLog, temp }) => searchRoutes({ guard, search: { storage: temp.storage, accessLog } }),
  });
});

afterAll(async () => {
  await api?.stop();
});

interface Logged {
  user_id: string;
  action: string;
  outcome: string;
  params: string;
  case_number: string;
  reason: string;
  detail: string;
}

/** ana1's search records after `seq`, oldest first. */
async function searchesAfter(seq: number): Promise<Logged[]> {
  const rs = await api.temp.storage.client.query({
    query: `SELECT user_id, action, outcome, params, case_number, reason, detail FROM ${api.temp.storage.db}.access_log
             WHERE user_id = 'ana1' AND action = 'search' AND seq > {seq:UInt64} ORDER BY seq`,
    query_params: { seq }, format: 'JSONEachRow',
  });
  return rs.json<Logged>();
}

async function lastSeq(): Promise<number> {
  const rs = await api.temp.storage.client.query({ query: `SELECT max(seq) AS seq FROM ${api.temp.storage.db}.access_log`, format: 'JSONEachRow' });
  return Number((await rs.json<{ seq: string }>())[0]?.seq ?? 0);
}

const search = (body: unknown) => api.call('POST', '/api/detections/search', 'ana1', body);

describe('a search whose body is not a search request', () => {
  it('is refused with 400 BAD_SEARCH and leaves one invalid record with the user, the message and the fields sent', async () => {
    const bodies: Array<[string, Record<string, unknown>, RegExp]> = [
      ['an unknown field', { plate: '7ABC123', ...RANGE, ...PURPOSE, reasn: 'typo' }, /^unknown field "reasn"/],
      ['a malformed from', { plate: '7ABC123', ...RANGE, from: 'yesterday', ...PURPOSE }, /^"from" must be an ISO 8601 time/],
      ['a bad limit', { plate: '7ABC123', ...RANGE, ...PURPOSE, limit: 1.5 }, /^"limit" must be a whole number/],
      ['a bad before', { plate: '7ABC123', ...RANGE, ...PURPOSE, before: { seenAt: 'then', readId: 'x' } }, /^"before" must be the previous page's nextCursor/],
      [
        'a before with a camera but no agency or plate',
        { plate: '7ABC123', ...RANGE, ...PURPOSE, before: { seenAt: '2026-11-20 12:00:00.000', readId: 'x', camera: 'cam-1' } },
        /^"before" must be the previous page's nextCursor, unchanged$/,
      ],
    ];
    for (const [what, body, message] of bodies) {
      const seq = await lastSeq();
      const res = await search(body);
      const error = await errorOf(res);
      expect({ what, status: error.status, code: error.code }).toEqual({ what, status: 400, code: 'BAD_SEARCH' });
      expect(error.message).toMatch(message);
      const logged = await searchesAfter(seq);
      expect({ what, logged }).toEqual({
        what,
        logged: [expect.objectContaining({ user_id: 'ana1', outcome: 'invalid', case_number: PURPOSE.caseNumber, reason: PURPOSE.reason, detail: error.message })],
      });
      expect(JSON.parse(logged[0]!.params)).toEqual({ body });
    }
  });

  it('keeps a bounded part of a large body, and says what it left out', async () => {
    const seq = await lastSeq();
    const extra = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`field${i}`, 'x'.repeat(3_000)]));
    expect((await search({ ...RANGE, ...PURPOSE, ...extra })).status).toBe(400);
    const [record, ...more] = await searchesAfter(seq);
    expect(more).toEqual([]);
    expect(record).toMatchObject({ outcome: 'invalid', detail: expect.stringMatching(/^unknown field "field0"/) });
    expect(record!.params.length).toBeLessThan(LOGGED_BODY_CHARACTERS + 1_000);
    const { body } = JSON.parse(record!.params) as { body: Record<string, string> };
    expect(body['from']).toBe(RANGE.from);
    expect(body['field0']).toMatch(/^x+… \(3000 characters\)$/);
    expect(body['…']).toMatch(/^\d+ more fields$/);
  });
});

describe('the radius a search takes', () => {
  it('is at most 500 km, as storage searches, refused beyond with the limit in the message and logged', async () => {
    const at = (radiusMeters: number) => search({ ...RANGE, ...PURPOSE, near: { lat: 36.91, lon: -121.76, radiusMeters } });
    const ok = await at(500_000);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { rows: Array<{ readId: string }> }).rows.map((r) => r.readId)).toEqual(['s-1']);
    const seq = await lastSeq();
    const refused = await errorOf(await at(600_000));
    expect(refused).toEqual({ status: 400, code: 'BAD_SEARCH', message: '"radiusMeters" must be a number of metres from 1 to 500000 (500 km)' });
    expect(await searchesAfter(seq)).toEqual([expect.objectContaining({ outcome: 'invalid', detail: refused.message })]);
  });
});

describe('what an analyst types', () => {
  const rowsOf = async (body: Record<string, unknown>) => {
    const res = await search({ ...RANGE, ...PURPOSE, ...body });
    expect(res.status).toBe(200);
    return ((await res.json()) as { rows: Array<{ readId: string }> }).rows.map((r) => r.readId);
  };

  it('takes a full-width plate or pattern from an input method as the ASCII it stands for', async () => {
    expect(await rowsOf({ plate: '７ＡＢＣ１２３' })).toEqual(['s-1']);
    expect(await rowsOf({ plate: '７ａｂｃ－１２３', match: 'ocr' })).toEqual(['s-1']);
    expect(await rowsOf({ plate: '７ＡＢ＊' })).toEqual(['s-1']);
    expect(await rowsOf({ plate: '　７ＡＢ？１２３　' })).toEqual(['s-1']);
    expect(await errorOf(await search({ ...RANGE, ...PURPOSE, plate: '７ＡＢ＊', match: 'exact' }))).toMatchObject({ status: 400, message: expect.stringContaining('partial pattern') });
  });

  it('finds an agency or camera in any letter case', async () => {
    // Stored as the camera sent them: agency 'WPD', camera 'cam-1'.
    expect(await rowsOf({ agencies: ['wpd'] })).toEqual(['s-1']);
    expect(await rowsOf({ cameras: ['CAM-1'], agencies: ['Wpd'] })).toEqual(['s-1']);
    expect(await rowsOf({ agencies: ['SCPD'] })).toEqual([]);
  });
});

describe('a plate that was one of the camera\'s other readings', () => {
  const THREE_DAYS = { from: '2026-11-20T00:00:00Z', to: '2026-11-23T00:00:00Z' };
  const found = async (body: Record<string, unknown>) => {
    const res = await search({ ...THREE_DAYS, ...PURPOSE, ...body });
    expect(res.status).toBe(200);
    return ((await res.json()) as { rows: Array<{ readId: string; plate: string; matchedCandidate: string | null }> }).rows
      .map((r) => [r.readId, r.plate, r.matchedCandidate]);
  };

  it('is found by an exact or OCR-equivalent search unless otherReadings is false, and the row says which reading matched', async () => {
    expect(await found({ plate: '7ABC123' })).toEqual([['s-2', '7ABC128', '7ABC123'], ['s-1', '7ABC123', null]]);
    expect(await found({ plate: '7ABC123', otherReadings: false })).toEqual([['s-1', '7ABC123', null]]);
    // 5OEF456 was read; 5DEF456 is its OCR-equivalent (O and D look alike), not the same text.
    expect(await found({ plate: '5DEF456' })).toEqual([]);
    expect(await found({ plate: '5DEF456', match: 'ocr' })).toEqual([['s-2', '7ABC128', '5OEF456']]);
    expect(await found({ plate: '7ABC128' })).toEqual([['s-2', '7ABC128', null]]);
  });

  it('is refused for fuzzy and partial searches, which compare the plate as read, and without a plate; logged as invalid', async () => {
    expect(await found({ plate: '7ABC12?', otherReadings: false })).toEqual([['s-2', '7ABC128', null], ['s-1', '7ABC123', null]]);
    const seq = await lastSeq();
    const refusals = [
      await errorOf(await search({ ...THREE_DAYS, ...PURPOSE, plate: '7ABC12?', otherReadings: true })),
      await errorOf(await search({ ...THREE_DAYS, ...PURPOSE, plate: '7ABC123', match: 'fuzzy', otherReadings: true })),
      await errorOf(await search({ ...THREE_DAYS, ...PURPOSE, otherReadings: true })),
      await errorOf(await search({ ...THREE_DAYS, ...PURPOSE, plate: '7ABC123', otherReadings: 'yes' })),
    ];
    expect(refusals.map((r) => [r.status, r.code])).toEqual(Array.from({ length: 4 }, () => [400, 'BAD_SEARCH']));
    expect(refusals[0]?.message).toBe('"otherReadings" is for a whole plate searched exact or ocr, not partial: fuzzy and partial searches compare the plate as read');
    expect(refusals[2]?.message).toBe('"otherReadings" is for a whole plate searched exact or ocr: fuzzy and partial searches compare the plate as read');
    expect(refusals[3]?.message).toMatch(/otherReadings/);
    expect((await searchesAfter(seq)).map((r) => r.outcome)).toEqual(['invalid', 'invalid', 'invalid', 'invalid']);
  });

  it('is on the access log as the search asked for it', async () => {
    const seq = await lastSeq();
    await found({ plate: '7ABC123' });
    await found({ plate: '7ABC123', otherReadings: false });
    const logged = (await searchesAfter(seq)).map((r) => (JSON.parse(r.params) as { otherReadings?: boolean }).otherReadings);
    expect(logged).toEqual([true, undefined]);
  });
});
