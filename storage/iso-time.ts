// Times typed by people (API fields, CLI flags): ISO 8601, read as UTC when no zone is given, so
// `2026-05-01T08:00` selects the same range from the console, the API and every verb, whatever
// the zone of the machine that runs it.

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const HAS_ZONE = /T.*(Z|[+-]\d{2}:?\d{2})$/;

/** Milliseconds since the epoch of an ISO 8601 date or date-time (UTC unless it names a zone), or null. */
export function parseUtcTime(text: string): number | null {
  if (!ISO_TIME.test(text) || !isCalendarDay(text.slice(0, 10))) return null;
  // A date alone is UTC midnight in JavaScript already; a date-time without a zone would be local.
  const ms = Date.parse(!text.includes('T') || HAS_ZONE.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? null : ms;
}

// Date.parse rolls 2026-02-30 over into March; a day that does not exist is a typing mistake.
function isCalendarDay(day: string): boolean {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
