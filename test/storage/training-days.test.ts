// Training dates are days in the department's time zone (StorageConfig.timeZone), not UTC days: a
// training "expiring 2026-12-10" ended access at 16:00 PST on the 9th, mid-shift (found by QA).
// Fixed instants for the rules; real chDB for sign-in through storage opened with a zone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessLog, accessProblem, CredentialStore, dayIn, DEFAULT_TIME_ZONE, resolveStorageConfig, reviewInquiry, saveUser, StorageError, type AccessRecord, type User,
} from '../../storage/index.js';
import { openTempStorage, type TempStorage } from './temp-storage.js';

const LA = 'America/Los_Angeles';
const KIRITIMATI = 'Pacific/Kiritimati'; // UTC+14

const officer = (training: Partial<User>): User => ({ userId: 'ofc1', name: 'A. Officer', title: 'Officer', roles: ['officer'], trainedAt: '2025-01-15', active: true, ...training });

describe('accessProblem in the department time zone', () => {
  it('lets a user whose training expires "today" in until local midnight, in California and on Kiritimati', () => {
    const user = officer({ trainingExpiresAt: '2026-12-10' });
    // 16:00 PST on the 9th (midnight UTC on the 10th): mid-shift, still the 9th in California.
    expect(accessProblem(user, 'ofc1', Date.UTC(2026, 11, 10, 0, 0), LA)).toBeNull();
    expect(accessProblem(user, 'ofc1', Date.UTC(2026, 11, 10, 7, 59, 59), LA)).toBeNull();
    expect(accessProblem(user, 'ofc1', Date.UTC(2026, 11, 10, 8, 0), LA)).toMatch(/training expired on 2026-12-10/);
    // Kiritimati reaches the 10th at 10:00 UTC on the 9th.
    expect(accessProblem(user, 'ofc1', Date.UTC(2026, 11, 9, 9, 59, 59), KIRITIMATI)).toBeNull();
    expect(accessProblem(user, 'ofc1', Date.UTC(2026, 11, 9, 10, 0), KIRITIMATI)).toMatch(/training expired on 2026-12-10/);
  });

  it('counts a training day from local midnight', () => {
    const user = officer({ trainedAt: '2026-12-10' });
    expect(accessProblem(user, 'ofc1', Date.UTC(2026, 11, 10, 7, 59), LA)).toMatch(/recorded for 2026-12-10, a day still to come/);
    expect(accessProblem(user, 'ofc1', Date.UTC(2026, 11, 10, 8, 0), LA)).toBeNull();
    expect(accessProblem(user, 'ofc1', Date.UTC(2026, 11, 9, 10, 0), KIRITIMATI)).toBeNull();
  });

  it('judges an audited inquiry by the department day it was made on', () => {
    const user = officer({ trainingExpiresAt: '2026-12-10' });
    // 17:30 PST on the 9th, stored in UTC as the 10th.
    const record: AccessRecord = {
      chain: 'main', seq: 1, at: '2026-12-10 01:30:00.000', user_id: 'ofc1', action: 'search', outcome: 'ok', params: '{}', rows_returned: 0,
      case_number: '26-0042', reason: 'stolen vehicle investigation', detail: '', prev_hash: '', hash: '',
    };
    expect(reviewInquiry(record, user, true, LA).findings).not.toContainEqual(expect.stringMatching(/expired/));
    expect(reviewInquiry(record, user, true, 'UTC').findings).toContainEqual(expect.stringMatching(/training had expired on 2026-12-10/));
  });
});

/** A zone whose day now is not the UTC day (Kiritimati from 10:00 UTC, UTC-12 before noon), and its day. */
function zoneOffTheUtcDay(): { zone: string; today: string; tomorrow: string } {
  for (const zone of [KIRITIMATI, 'Etc/GMT+12']) {
    const today = dayIn(zone);
    if (today !== dayIn('UTC')) {
      const next = new Date(`${today}T12:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      return { zone, today, tomorrow: next.toISOString().slice(0, 10) };
    }
  }
  throw new Error('no zone off the UTC day');
}

describe('signing in, with storage opened in a zone', () => {
  let temp: TempStorage;
  const { zone, today, tomorrow } = zoneOffTheUtcDay();
  const PASSWORD = 'a long enough passphrase 7';

  beforeAll(async () => {
    temp = await openTempStorage({ timeZone: zone.toLowerCase() });
  }, 120_000);
  afterAll(async () => {
    await temp?.cleanup();
  });

  it('takes the zone from the storage configuration, canonical, and refuses an unknown one', () => {
    expect(temp.storage.config.timeZone).toBe(zone);
    expect(resolveStorageConfig({}).timeZone).toBe(DEFAULT_TIME_ZONE);
    expect(() => resolveStorageConfig({ timeZone: 'Pacific/Nowhere' })).toThrow(StorageError);
  });

  it('refuses a training expiring today in the zone and lets in one expiring tomorrow there', async () => {
    const credentials = new CredentialStore(temp.storage, new AccessLog(temp.storage));
    await saveUser(temp.storage, { ...officer({ trainingExpiresAt: today }), userId: 'lapses-today' }, 'admin1');
    await saveUser(temp.storage, { ...officer({ trainingExpiresAt: tomorrow }), userId: 'lapses-tomorrow' }, 'admin1');
    for (const id of ['lapses-today', 'lapses-tomorrow']) await credentials.setPassword(id, PASSWORD, 'admin1');

    const lapsed = await credentials.login('lapses-today', PASSWORD);
    expect(lapsed).toMatchObject({ ok: false, reason: 'not_authorised', detail: expect.stringMatching(`training expired on ${today}`) });
    expect(await credentials.login('lapses-tomorrow', PASSWORD)).toMatchObject({ ok: true });
  });
});
