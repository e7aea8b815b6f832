// Dates and times typed by members (CLI flags, API fields, release criteria) read one way
// everywhere: in the department's time zone (config `timeZone`), as training dates and hot list
// expiries already were. Read as UTC days, a California records supervisor's `--to 2026-12-01`
// ended at 16:00 PST on Nov 30 and a release missed the evening's reads (found by QA).
//
// The rule:
// - a date alone (2026-11-01) is the START of that day in the department's zone; as the end of a
//   period it is not included (`--from 2026-11-01 --to 2026-12-01` is November);
// - a date-time without a zone (2026-11-01T08:00) is that wall-clock time in the department's zone.
//   On the fall-back night the repeated hour (01:30 twice) is the EARLIER instant, the first
//   time the clock shows it; a time the spring-forward gap skips (02:30) is read with the offset
//   before the change, so it lands as far past the gap as it was into it (03:30 PDT): as the
//   console reads it (console/clock.js instantOfWallClock), so a form and a flag agree;
// - a date-time with Z or an offset (2026-11-01T08:00Z, 2026-11-01T08:00-07:00) is as given;
// - a space may stand for the T (2026-11-01 08:00, as the audit log and memoranda print times, so
//   a time copied from them is taken back), and seconds may have up to 9 decimals (what Python's
//   isoformat() and database tools write), kept to the millisecond.
// Below storage and the gateway because hot list entries (matcher/entry.ts) are read here too:
// an entry's expires_at typed as a wall-clock time follows the same rule. Intl only.
import { startOfDayIn } from './department-day.js';

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds since the epoch of an ISO 8601 date or date-time typed by a member, read by the rule above; null when it is not one. */
export function parseMemberTime(text: string, timeZone: string): number | null {
  const m = ISO_TIME.exec(text);
  if (m === null || !isCalendarDay(text.slice(0, 10))) return null;
  if (m[4] === undefined) return startOfDayIn(timeZone, text);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6] ?? '0');
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = (m[7] ?? '0').slice(0, 3).padEnd(3, '0');
  if (m[8] !== undefined) {
    // In the one form Date.parse is specified to read: T, three decimals, the offset with a colon.
    const offset = m[8] === 'Z' ? 'Z' : `${m[8].slice(0, 3)}:${m[8].slice(-2)}`;
    const ms = Date.parse(`${text.slice(0, 10)}T${m[4]}:${m[5]}:${m[6] ?? '00'}.${millis}${offset}`);
    return Number.isNaN(ms) ? null : ms;
  }
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hour, minute, second, Number(millis));
  return instantOfWallClock(timeZone, wall);
}

/** Whether YYYY-MM-DD is on the calendar: Date.parse rolls 2026-02-30 over into March; a day that does not exist is a typing mistake. */
export function isCalendarDay(day: string): boolean {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** The instant a wall-clock time (its fields as if UTC) shows in `timeZone`, by the DST choices above. */
function instantOfWallClock(timeZone: string, wall: number): number {
  // The offsets a day either side: any DST change near `wall` lies between them.
  const before = wall - offsetAt(timeZone, wall - 86_400_000);
  const after = wall - offsetAt(timeZone, wall + 86_400_000);
  const shows = (at: number) => at + offsetAt(timeZone, at) === wall;
  const candidates = [before, after].filter(shows);
  // In a gap no instant shows `wall`: the offset before the change puts it past the gap.
  return candidates.length > 0 ? Math.min(...candidates) : before;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallFields(timeZone: string, at: number): Record<string, number> {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  const fields: Record<string, number> = {};
  for (const part of formatter.formatToParts(at)) if (part.type !== 'literal') fields[part.type] = Number(part.value);
  return fields;
}

/** The zone's offset from UTC at `at`, in milliseconds (-8 h in PST). */
export function offsetAt(timeZone: string, at: number): number {
  const w = wallFields(timeZone, at);
  const whole = at - (((at % 1000) + 1000) % 1000);
  return Date.UTC(w['year'] ?? 0, (w['month'] ?? 1) - 1, w['day'] ?? 1, w['hour'] ?? 0, w['minute'] ?? 0, w['second'] ?? 0) - whole;
}

