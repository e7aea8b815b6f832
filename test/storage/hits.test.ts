// Hits, dispositions and logged hit views (Watsonville §471.5(e)(f), §471.7(b)).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessLog, hitId, hitsAwaitingDisposition, recordDisposition, recordHits, saveUser, type Storage, type StoredHit, viewHit,
} from '../../storage/index.js';
import { openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
let accessLog: AccessLog;
const T0 = Date.UTC(2026, 10, 20, 9);
const hit = (readId: string, entry: string): StoredHit => ({
  hitId: hitId({ id: readId, agency: 'WPD', camera: 'main-st', ts: T0 }, 'BOLO', entry), readId, agency: 'WPD', camera: 'main-st', seenAt: T0, plate: '7ABC123', list: 'BOLO',
  entryId: entry, entryVersion: 1, matchKind: 'ocr', distance: 0, differing: [2], stateMatch: 'match',
});

beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
  accessLog = new AccessLog(storage);
  await saveUser(storage, { userId: 'disp1', name: 'D. Spatcher', title: 'Dispatcher', roles: ['dispatcher'], trainedAt: '2026-03-01', active: true }, 'admin');
});
afterAll(() => temp.cleanup());

describe('hits', () => {
  it('stores a redelivered batch of hits once', async () => {
    const batch = [hit('r1', 'e1'), hit('r2', 'e1')];
    await recordHits(storage, batch);
    await recordHits(storage, batch);
    const rs = await storage.client.query({ query: `SELECT count() AS n FROM ${storage.db}.hits`, format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: number }>())[0]?.n)).toBe(2);
  });

  it('records dispositions and lists hits still awaiting one', async () => {
    const h = hit('r1', 'e1');
    await recordDisposition(storage, { hitId: h.hitId, seenAt: T0, user: 'disp1', disposition: 'misread', visualVerified: true, cletsVerified: false, notes: 'plate is 7A8C123' });
    expect(await hitsAwaitingDisposition(storage, new Date(T0 - 1000), new Date(T0 + 1000))).toEqual([hit('r2', 'e1').hitId]);
  });

  it('shows a hit with its dispositions and logs the view; refuses a view without a purpose', async () => {
    const h = hit('r1', 'e1');
    const view = await viewHit({ storage, accessLog }, { user: 'disp1', purpose: { reason: 'verifying live alert' }, hitId: h.hitId });
    expect(view?.hit).toMatchObject({ readId: 'r1', list: 'BOLO', matchKind: 'ocr', differing: [2] });
    expect(view?.dispositions.map((d) => [d.disposition, d.visualVerified, d.cletsVerified])).toEqual([['misread', true, false]]);
    await expect(viewHit({ storage, accessLog }, { user: 'disp1', purpose: {}, hitId: h.hitId })).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
    const rs = await storage.client.query({ query: `SELECT action, outcome, rows_returned FROM ${storage.db}.access_log ORDER BY seq`, format: 'JSONEachRow' });
    expect((await rs.json<Record<string, unknown>>()).map((r) => [r['action'], r['outcome'], Number(r['rows_returned'])])).toEqual([
      ['hit_view', 'ok', 1],
      ['hit_view', 'refused', 0],
    ]);
  });

  it('stores the wanted-person check of a disposition on its own: made, not made, or not asked (NULL)', async () => {
    const answers = [['r3', true], ['r4', false], ['r5', null], ['r6', undefined]] as const;
    await recordHits(storage, answers.map(([readId]) => hit(readId, 'e1')));
    for (const [readId, personVerified] of answers) {
      await recordDisposition(storage, {
        hitId: hit(readId, 'e1').hitId, seenAt: T0, user: 'disp1', disposition: 'confirmed', visualVerified: true, cletsVerified: true,
        ...(personVerified === undefined ? {} : { personVerified }), notes: '',
      });
    }
    const seen = [];
    for (const [readId] of answers) {
      const view = await viewHit({ storage, accessLog }, { user: 'disp1', purpose: { reason: 'audit of dispositions' }, hitId: hit(readId, 'e1').hitId });
      seen.push(view?.dispositions.map((d) => [d.visualVerified, d.personVerified]));
    }
    // Left out, it is not asked (a stolen vehicle or plate list's hit): NULL, never false.
    expect(seen).toEqual([[[true, true]], [[true, false]], [[true, null]], [[true, null]]]);
  });
});
