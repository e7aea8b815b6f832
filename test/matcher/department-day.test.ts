// Days in the department's time zone, not UTC's: a training or hot list entry "expiring
// 2026-12-10" read as a UTC day ended at 16:00 PST on the 9th (found by QA). Zones far from UTC on
// both sides, and fixed instants, so the result does not depend on when or where the test runs.
import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, dayIn, DEFAULT_MATCHER_CONFIG, resolveMatcherConfig, startOfDayIn, validateEntry } from '../../matcher/index.js';

const LA = 'America/Los_Angeles';
const KIRITIMATI = 'Pacific/Kiritimati'; // UTC+14

describe('dayIn', () => {
  it('is the calendar day in the zone, which differs from the UTC day for hours on end', () => {
    // 23:59 on the 9th in California is 07:59 UTC on the 10th.
    expect(dayIn(LA, Date.UTC(2026, 11, 10, 7, 59, 59))).toBe('2026-12-09');
    expect(dayIn(LA, Date.UTC(2026, 11, 10, 8, 0, 0))).toBe('2026-12-10');
    // 10:00 UTC on the 9th is already midnight of the 10th on Kiritimati.
    expect(dayIn(KIRITIMATI, Date.UTC(2026, 11, 9, 9, 59, 59))).toBe('2026-12-09');
    expect(dayIn(KIRITIMATI, Date.UTC(2026, 11, 9, 10, 0, 0))).toBe('2026-12-10');
    expect(dayIn('UTC', new Date(Date.UTC(2026, 11, 9, 23, 59)))).toBe('2026-12-09');
  });
});

describe('startOfDayIn', () => {
  it('is local midnight, across daylight saving changes, and the first moment of a day whose midnight is skipped', () => {
    expect(startOfDayIn(LA, '2026-12-10')).toBe(Date.UTC(2026, 11, 10, 8));
    expect(startOfDayIn(KIRITIMATI, '2026-12-10')).toBe(Date.UTC(2026, 11, 9, 10));
    expect(startOfDayIn(LA, '2026-03-08')).toBe(Date.UTC(2026, 2, 8, 8)); // PST until 2 a.m.
    expect(startOfDayIn(LA, '2026-03-09')).toBe(Date.UTC(2026, 2, 9, 7)); // PDT
    expect(startOfDayIn(LA, '2026-11-01')).toBe(Date.UTC(2026, 10, 1, 7)); // PDT until 2 a.m.
    expect(startOfDayIn('Asia/Kolkata', '2026-12-10')).toBe(Date.UTC(2026, 11, 9, 18, 30));
    // Chile moves its clocks at midnight: 6 September 2026 begins at 01:00 (-03).
    expect(startOfDayIn('America/Santiago', '2026-09-06')).toBe(Date.UTC(2026, 8, 6, 4));
    for (const [zone, day] of [[LA, '2026-03-08'], ['America/Santiago', '2026-09-06'], ['America/Santiago', '2026-04-05'], [KIRITIMATI, '2026-12-31']] as const) {
      const start = startOfDayIn(zone, day);
      expect({ zone, at: dayIn(zone, start), before: dayIn(zone, start - 1) }).toEqual({ zone, at: day, before: expect.not.stringMatching(day) });
    }
  });
});

describe('canonicalTimeZone', () => {
  it('spells a zone as Intl does and refuses one Intl does not know', () => {
    expect(canonicalTimeZone('america/los_angeles')).toBe(LA);
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
  });
});

describe('a hot list entry expiring on a date', () => {
  const entry = (expires_at: string, timeZone: string) =>
    validateEntry({ plate: '7ABC123', list: 'SVS', reason: 'STOLEN', entered_by: 'NCIC', case_number: 'V1', expires_at }, resolveMatcherConfig({ timeZone }));

  it('expires at the start of that day in the department, not at midnight UTC', () => {
    expect(entry('2026-12-10', LA)).toMatchObject({ ok: true, entry: { expiresAt: Date.UTC(2026, 11, 10, 8) } });
    expect(entry('2026-12-10', KIRITIMATI)).toMatchObject({ ok: true, entry: { expiresAt: Date.UTC(2026, 11, 9, 10) } });
    // A time without an offset is the department's wall clock, as every time a member types.
    expect(entry('2026-12-10T18:00:00', LA)).toMatchObject({ ok: true, entry: { expiresAt: Date.UTC(2026, 11, 11, 2) } });
    expect(entry('2026-12-10T18:00:00-08:00', LA)).toMatchObject({ ok: true, entry: { expiresAt: Date.UTC(2026, 11, 11, 2) } });
  });

  it('refuses an unknown zone in the matcher configuration', () => {
    expect(() => resolveMatcherConfig({ ...DEFAULT_MATCHER_CONFIG, timeZone: 'Pacific/Nowhere' })).toThrow(/timeZone: "Pacific\/Nowhere" is not an IANA time zone/);
  });
});
