// Times members type are read in the department's zone, whatever the machine's own zone: CI runs
// in UTC, so every case names a zone that is not UTC (and the machine is set to yet another).
import { afterEach, describe, expect, it } from 'vitest';
import { parseMemberTime, periodText, windowText } from '../../storage/member-time.js';

const LA = 'America/Los_Angeles';
const machineZone = process.env['TZ'];
afterEach(() => {
  if (machineZone === undefined) delete process.env['TZ'];
  else process.env['TZ'] = machineZone;
});

describe('parseMemberTime', () => {
  it('reads a date as the start of that day in the department zone, not the machine zone', () => {
    process.env['TZ'] = 'Asia/Tokyo';
    expect(parseMemberTime('2026-11-30', LA)).toBe(Date.UTC(2026, 10, 30, 8));
    // A month end: December begins at 08:00Z in California (PST).
    expect(parseMemberTime('2026-12-01', LA)).toBe(Date.UTC(2026, 11, 1, 8));
    expect(parseMemberTime('2026-07-01', LA)).toBe(Date.UTC(2026, 6, 1, 7));
    expect(parseMemberTime('2026-05-01', 'UTC')).toBe(Date.UTC(2026, 4, 1));
  });

  it('reads a date-time without a zone as that wall-clock time in the department zone', () => {
    expect(parseMemberTime('2026-11-30T23:59', LA)).toBe(Date.UTC(2026, 11, 1, 7, 59));
    expect(parseMemberTime('2026-05-01T08:00:30.250', LA)).toBe(Date.UTC(2026, 4, 1, 15, 0, 30, 250));
    expect(parseMemberTime('2026-05-01T08:00', 'UTC')).toBe(Date.UTC(2026, 4, 1, 8));
  });

  it('takes the earlier 01:30 on the fall-back night, and reads a time the spring-forward gap skips past the gap, as the console does', () => {
    // 2026-11-01: 01:30 PDT (08:30Z) then 01:30 PST (09:30Z).
    expect(parseMemberTime('2026-11-01T01:30', LA)).toBe(Date.UTC(2026, 10, 1, 8, 30));
    expect(parseMemberTime('2026-11-01T01:30-08:00', LA)).toBe(Date.UTC(2026, 10, 1, 9, 30));
    expect(parseMemberTime('2026-11-01T02:00', LA)).toBe(Date.UTC(2026, 10, 1, 10));
    expect(parseMemberTime('2026-11-01', LA)).toBe(Date.UTC(2026, 10, 1, 7));
    expect(parseMemberTime('2026-11-02', LA)).toBe(Date.UTC(2026, 10, 2, 8));
    // 2026-03-08: 02:00 PST jumps to 03:00 PDT (10:00Z); 02:30 does not exist, read as 03:30 PDT.
    expect(parseMemberTime('2026-03-08T02:30', LA)).toBe(Date.UTC(2026, 2, 8, 10, 30));
    expect(parseMemberTime('2026-03-08T02:00', LA)).toBe(Date.UTC(2026, 2, 8, 10));
    expect(parseMemberTime('2026-03-08T03:00', LA)).toBe(Date.UTC(2026, 2, 8, 10));
    expect(parseMemberTime('2026-03-08T01:59', LA)).toBe(Date.UTC(2026, 2, 8, 9, 59));
  });

  it('honours a zone that is given', () => {
    expect(parseMemberTime('2026-05-01T08:00:00Z', LA)).toBe(Date.UTC(2026, 4, 1, 8));
    expect(parseMemberTime('2026-05-01T08:00:00-07:00', LA)).toBe(Date.UTC(2026, 4, 1, 15));
    expect(parseMemberTime('2026-05-01T08:00+0530', LA)).toBe(Date.UTC(2026, 4, 1, 2, 30));
  });

  it('takes a space for the T, as the audit log and memoranda print times, and up to 9 decimals of a second, kept to the millisecond', () => {
    expect(parseMemberTime('2026-05-01 08:00', LA)).toBe(parseMemberTime('2026-05-01T08:00', LA));
    expect(parseMemberTime('2026-12-07 16:53:38.444', LA)).toBe(Date.UTC(2026, 11, 8, 0, 53, 38, 444));
    expect(parseMemberTime('2026-12-01T00:00:00.123456Z', LA)).toBe(Date.UTC(2026, 11, 1, 0, 0, 0, 123));
    expect(parseMemberTime('2026-12-01 00:00:00.123456789+05:30', LA)).toBe(Date.UTC(2026, 10, 30, 18, 30, 0, 123));
  });

  it('refuses what is not an ISO 8601 date or time', () => {
    for (const text of ['yesterday', '05/01/2026', '2026-02-30', '2026-02-29T08:00Z', '2026-05-01  08:00', '2026-05-01T08:00:00.1234567890Z', '2026-13-01', '2026-05-01T25:00', '2026-05-01T08:60', '2026-05-01Tnoon', '', '2026-05-01T08:00:00Zjunk']) {
      expect({ text, ms: parseMemberTime(text, LA) }).toEqual({ text, ms: null });
    }
  });
});

describe('windowText and periodText', () => {
  it('echoes a window in the department zone with its UTC instants', () => {
    expect(windowText(Date.UTC(2026, 11, 1, 8), Date.UTC(2026, 11, 2, 8), LA))
      .toBe('2026-12-01 00:00 – 2026-12-02 00:00 America/Los_Angeles (2026-12-01T08:00Z – 2026-12-02T08:00Z)');
  });

  it('names department days when both ends are midnights there, the last day included', () => {
    expect(periodText(Date.UTC(2026, 10, 1, 7), Date.UTC(2026, 11, 1, 8), LA)).toBe('2026-11-01 through 2026-11-30, America/Los_Angeles days');
    expect(periodText(Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1), 'UTC')).toBe('2026-11-01 through 2026-11-30, UTC days');
  });

  it('gives exact instants with offsets otherwise', () => {
    expect(periodText(Date.UTC(2026, 11, 6, 16), Date.UTC(2026, 11, 6, 18), LA))
      .toBe('2026-12-06T08:00-08:00 up to 2026-12-06T10:00-08:00 (the end not included)');
    // UTC midnights are not California's.
    expect(periodText(Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1), LA)).toBe('2026-10-31T17:00-07:00 up to 2026-11-30T16:00-08:00 (the end not included)');
  });
});
