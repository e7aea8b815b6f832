// Dates and times sent to the API are read in the department's time zone (storage's `timeZone`)
// unless they name a zone: a bare "to": "2026-12-01" was UTC midnight, 16:00 PST on Nov 30, and a
// California search missed the evening's reads (found by QA). Real gateway, nats-server and chDB;
// the zone is set explicitly (CI runs in UTC, where the old reading would pass unnoticed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportRoutes, searchRoutes } from '../../gateway/index.js';
import { DetectionWriter, type TransparencyReport } from '../../storage/index.js';
import { detection } from '../storage/temp-storage.js';
import { errorOf, startApiFixture, type ApiFixture } from './api-fixture.js';

const LA = 'America/Los_Angeles';
const PURPOSE = { caseNumber: 'WPD-26-0202', reason: 'stolen vehicle follow-up' };
let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture({
    users: [['ana1', 'analyst'], ['chief1', 'chief']],
    seed: async (temp) => {
      const writer = new DetectionWriter(temp.storage);
      await (await writer.enqueue([
        detection({ readId: 'la-nov29', plate: '5TZS001', seenAt: Date.UTC(2026, 10, 30, 7, 30) }), // 23:30 PST Nov 29
        detection({ readId: 'la-nov30', plate: '5TZS001', seenAt: Date.UTC(2026, 11, 1, 7, 59) }), // 23:59 PST Nov 30
        detection({ readId: 'la-pdt', plate: '5TZS002', seenAt: Date.UTC(2026, 10, 1, 8, 45) }), // 01:45 PDT Nov 1, the first 01:45
        detection({ readId: 'la-pst', plate: '5TZS002', seenAt: Date.UTC(2026, 10, 1, 9, 45) }), // 01:45 PST Nov 1, the second
      ])).durable;
      await writer.close();
    },
    routes: ({ guard, accessLog, temp }) => {
      const storage = { client: temp.storage.client, db: temp.storage.db, config: { ...temp.storage.config, timeZone: LA } };
      return [...searchRoutes({ guard, search: { storage, accessLog } }), ...reportRoutes({ guard, reports: { storage, accessLog, covertLists: [] } })];
    },
  });
});

afterAll(async () => {
  await api?.stop();
});

async function found(body: Record<string, unknown>): Promise<string[]> {
  const res = await api.call('POST', '/api/detections/search', 'ana1', { ...PURPOSE, ...body });
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
  return ((await res.json()) as { rows: Array<{ readId: string }> }).rows.map((r) => r.readId).sort();
}

describe('search times in the department zone', () => {
  it('reads a bare date as the start of that day there: from Nov 30 to Dec 1 is all of Nov 30 in California', async () => {
    expect(await found({ plate: '5TZS001', from: '2026-11-30', to: '2026-12-01' })).toEqual(['la-nov30']);
  });

  it('reads a time without a zone as the wall clock there, the fall-back night\'s repeated hour the first time', async () => {
    // 01:30–02:00 is the first 01:30 (PDT) up to 02:00 PST: both 01:45s are in it.
    expect(await found({ plate: '5TZS002', from: '2026-11-01T01:30', to: '2026-11-01T02:00' })).toEqual(['la-pdt', 'la-pst']);
    // 01:30 to 01:50 (both the first, PDT): only the first 01:45.
    expect(await found({ plate: '5TZS002', from: '2026-11-01T01:30', to: '2026-11-01T01:50' })).toEqual(['la-pdt']);
    // An offset given is taken as given: the second 01:45 only.
    expect(await found({ plate: '5TZS002', from: '2026-11-01T01:30-08:00', to: '2026-11-01T02:00-08:00' })).toEqual(['la-pst']);
  });

  it('names the zone in its 400', async () => {
    const res = await api.call('POST', '/api/detections/search', 'ana1', { ...PURPOSE, from: '2026-11-31', to: '2026-12-01' });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain(LA);
  });
});

describe('the transparency report period over the API', () => {
  it('reads bare dates as department days and labels them so', async () => {
    const res = await api.call('GET', '/api/reports/transparency?from=2026-11-01&to=2026-12-01', 'chief1');
    expect(res.status).toBe(200);
    const report = (await res.json()) as TransparencyReport;
    expect(report).toMatchObject({ from: '2026-11-01T07:00:00.000Z', to: '2026-12-01T08:00:00.000Z', timeZone: LA });
    const md = await api.call('GET', '/api/reports/transparency?from=2026-11-01&to=2026-12-01&format=markdown', 'chief1');
    expect(await md.text()).toContain('Period: 2026-11-01 through 2026-11-30, America/Los_Angeles days.');
  });
});
