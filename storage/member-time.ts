// Periods typed by members, echoed back and printed in reports in the department's zone; the
// rule that reads them is matcher/member-time.ts.
import { isCalendarDay, offsetAt, parseMemberTime } from '../matcher/member-time.js';
import { dayIn, startOfDayIn } from './department-day.js';

export { isCalendarDay, parseMemberTime };

/**
 * A period as members read it, to echo back what was used: wall-clock ends in the department's
 * zone and the UTC instants, `2026-12-01 00:00 – 2026-12-02 00:00 America/Los_Angeles
 * (2026-12-01T08:00Z – 2026-12-02T08:00Z)`. The end is not included.
 */
export function windowText(from: Date | number, to: Date | number, timeZone: string): string {
  const f = +from;
  const t = +to;
  return `${wallText(f, timeZone)} – ${wallText(t, timeZone)} ${timeZone} (${utcText(f)} – ${utcText(t)})`;
}

/**
 * A period for a published report or memorandum: `2026-11-01 through 2026-11-30,
 * America/Los_Angeles days` when both ends are midnights in the department's zone (the end day
 * itself not included, so "through" names the last day counted), otherwise the exact instants with
 * their offsets, `2026-12-06T08:00-08:00 up to 2026-12-06T10:00-08:00 (the end not included)`.
 */
export function periodText(from: Date | number, to: Date | number, timeZone: string): string {
  const f = +from;
  const t = +to;
  if (isStartOfDay(f, timeZone) && isStartOfDay(t, timeZone)) {
    const last = dayIn(timeZone, t - 1);
    return `${dayIn(timeZone, f)} through ${last}, ${timeZone} days`;
  }
  return `${offsetText(f, timeZone)} up to ${offsetText(t, timeZone)} (the end not included)`;
}

function isStartOfDay(at: number, timeZone: string): boolean {
  return startOfDayIn(timeZone, dayIn(timeZone, at)) === at;
}

/** ISO fields of a wall clock, to the minute, with seconds and milliseconds only where there are some. */
function isoFields(asUtc: number): string {
  const iso = new Date(asUtc).toISOString();
  return asUtc % 1000 !== 0 ? iso.slice(0, 23) : asUtc % 60_000 !== 0 ? iso.slice(0, 19) : iso.slice(0, 16);
}

function wallText(at: number, timeZone: string): string {
  return isoFields(at + offsetAt(timeZone, at)).replace('T', ' ');
}

function utcText(at: number): string {
  return `${isoFields(at)}Z`;
}

function offsetText(at: number, timeZone: string): string {
  const offset = offsetAt(timeZone, at);
  const minutes = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  return `${isoFields(at + offset)}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
