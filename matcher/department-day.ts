// The department's calendar day. Dates members enter (training completed, training lapses, a hot
// list entry's expiry) are days where the department is, not UTC days: a training "expiring
// 2026-12-10" read as a UTC day ended access at 16:00 PST on the 9th, mid-shift (found by QA).
// Here, below storage and the gateway, because hot list entries are validated here; Intl only.

/** The zone of the process, the department's unless configured (bin/config.ts `timeZone`). */
export const DEFAULT_TIME_ZONE: string = Intl.DateTimeFormat().resolvedOptions().timeZone;

// One formatter per zone: the session re-check asks for every open console's user on a timer.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The IANA name as Intl spells it (`america/los_angeles` → `America/Los_Angeles`), or null when Intl knows no such zone. */
export function canonicalTimeZone(name: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Wall-clock fields of `at` in `timeZone`. */
function wallClock(timeZone: string, at: number): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) if (part.type !== 'literal') fields[part.type] = Number(part.value);
  return { year: fields['year'] ?? 0, month: fields['month'] ?? 0, day: fields['day'] ?? 0, hour: fields['hour'] ?? 0, minute: fields['minute'] ?? 0, second: fields['second'] ?? 0 };
}

/** The day (YYYY-MM-DD) it is at `now` in `timeZone`. */
export function dayIn(timeZone: string, now: Date | number = Date.now()): string {
  const { year, month, day } = wallClock(timeZone, typeof now === 'number' ? now : now.getTime());
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The instant (ms epoch) day `day` (YYYY-MM-DD) begins in `timeZone`: its first moment, which a
 * DST change at midnight moves to 01:00.
 */
export function startOfDayIn(timeZone: string, day: string): number {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const asUtc = Date.UTC(year, month - 1, date);
  // The zone's offset at a moment, from its wall clock then; taken twice so a DST change between
  // UTC midnight and local midnight is accounted for.
  const offsetAt = (at: number): number => {
    const w = wallClock(timeZone, at);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - (at - (at % 1000));
  };
  let start = asUtc - offsetAt(asUtc);
  start = asUtc - offsetAt(start);
  // Midnight skipped by a DST change: the day begins at the first moment that is on it.
  while (dayIn(timeZone, start) < day) start += 3_600_000;
  return start;
}
