// Times people type are read the same everywhere: UTC unless they name a zone, whatever the
// machine's own zone (a verb on a workstation in Pacific time selects what the API selects).
import { afterEach, describe, expect, it } from 'vitest';
import { parseUtcTime } from '../../storage/iso-time.js';

const machineZone = process.env['TZ'];
afterEach(() => {
  if (machineZone === undefined) delete process.env['TZ'];
  else process.env['TZ'] = machineZone;
});

describe('parseUtcTime', () => {
  it('reads a date, and a date-time without a zone, as UTC on a machine in another zone', () => {
    process.env['TZ'] = 'America/Los_Angeles';
    expect(new Date(2026, 4, 1, 8).getTimezoneOffset()).toBe(420); // the zone took: Date would read local time
    expect(parseUtcTime('2026-05-01')).toBe(Date.UTC(2026, 4, 1));
    expect(parseUtcTime('2026-05-01T08:00')).toBe(Date.UTC(2026, 4, 1, 8));
    expect(parseUtcTime('2026-05-01T08:00:30.250')).toBe(Date.UTC(2026, 4, 1, 8, 0, 30, 250));
  });

  it('honours a zone that is given', () => {
    expect(parseUtcTime('2026-05-01T08:00:00Z')).toBe(Date.UTC(2026, 4, 1, 8));
    expect(parseUtcTime('2026-05-01T08:00:00-07:00')).toBe(Date.UTC(2026, 4, 1, 15));
    expect(parseUtcTime('2026-05-01T08:00+0530')).toBe(Date.UTC(2026, 4, 1, 2, 30));
  });

  it('refuses what is not an ISO 8601 date or time', () => {
    for (const text of ['yesterday', '05/01/2026', '2026-02-30', '2026-02-29T08:00Z', '2026-05-01 08:00', '2026-13-01', '2026-05-01T25:00', '2026-05-01Tnoon', '', '2026-05-01T08:00:00Zjunk']) {
      expect({ text, ms: parseUtcTime(text) }).toEqual({ text, ms: null });
    }
  });
});
