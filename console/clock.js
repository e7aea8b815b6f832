// The department's clock: every time the console shows is in the department's time zone (GET
// /api/me `timeZone`, config `timeZone`), named by its abbreviation (PST/PDT), and every date-time
// typed into a datetime-local field is read as a wall-clock time there. The workstation's own zone
// plays no part: a dispatcher in another zone, or a browser left on UTC, sees and searches the
// department's hours. On the night clocks go back an hour happens twice, and only the zone's
// abbreviation tells 1:30 AM PDT from 1:30 AM PST, so it is always shown.

/** Until GET /api/me answers: the workstation's zone (the gateway has not said otherwise yet). */
let zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const formats = new Map();

/** The zone GET /api/me named; ignored when this browser does not know it (times stay in the last zone). */
export function useDepartmentZone(timeZone) {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return false;
  }
  if (timeZone !== zone) formats.clear();
  zone = timeZone;
  return true;
}

export function departmentZone() {
  return zone;
}

// en-US throughout: the console's text is English, and only en-US names US zones PST/PDT (others say GMT-8).
function format(name, options) {
  let f = formats.get(name);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, ...options });
    formats.set(name, f);
  }
  return f;
}

const DATE = { year: 'numeric', month: 'short', day: 'numeric' };
const TIME = { hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'short' };

/** An instant (ms, ISO string or Date) as "Nov 1, 2026, 1:30:00 AM PDT"; "—" for none, the input itself when unreadable. */
export function formatDateTime(at) {
  const ms = toMs(at);
  if (ms === null) return at === null || at === undefined || at === '' ? '—' : String(at);
  return format('date-time', { ...DATE, ...TIME }).format(ms);
}

/**
 * A time as the API takes it (an entry's `expiresAt` as submitted), shown as formatDateTime shows
 * an instant: by the API's one rule, a bare date is the start of that day in the department's zone
 * and a date-time without a zone is the department's wall clock.
 */
export function formatGivenTime(text) {
  if (typeof text !== 'string' || text === '') return '—';
  const zoneless = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00` : /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? text.replace(' ', 'T').replace(/\.\d+$/, '') : null;
  if (zoneless === null) return formatDateTime(text);
  const read = instantOfWallClock(zoneless);
  return read === null ? text : formatDateTime(read.ms);
}

/** An instant's time of day alone, as "1:30:00 AM PDT". */
export function formatTimeOfDay(at) {
  const ms = toMs(at);
  return ms === null ? '—' : format('time', TIME).format(ms);
}

/** The department's day an instant falls on, as YYYY-MM-DD. */
export function dayOf(at) {
  const p = wallClockOf(toMs(at) ?? Date.now());
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** The department's today, as YYYY-MM-DD. */
export function today() {
  return dayOf(Date.now());
}

/** YYYY-MM-DD `days` after (or before) the day `day`: calendar arithmetic, no zone in it. */
export function addDays(day, days) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** An instant as the value of a datetime-local input: the department's wall clock, to the minute. */
export function wallClockInput(at) {
  const p = wallClockOf(toMs(at) ?? Date.now());
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/**
 * A wall-clock date-time in the department's zone ('YYYY-MM-DDThh:mm[:ss]', as a datetime-local
 * input gives it) as an instant: { ms, repeated, skipped }, or null when it is not one.
 * `repeated` (clocks went back: the time happens twice) holds the later instant, `ms` being the
 * earlier; `skipped` (clocks went forward: the time never happens) says `ms` was read with the
 * offset before the change, so it lands that far past the gap (2:30 AM read as 3:30 AM PDT).
 */
export function instantOfWallClock(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, Number.isNaN(s) ? 0 : s);
  if (Number.isNaN(asUtc)) return null;
  // A zone's offset changes at most once within a day either side in practice: the instants that
  // show this wall clock are among those made with the offsets a day before and a day after.
  const offsets = [...new Set([offsetAt(asUtc - 86_400_000), offsetAt(asUtc), offsetAt(asUtc + 86_400_000)])];
  const matches = [...new Set(offsets.map((o) => asUtc - o).filter((ms) => offsetAt(ms) === asUtc - ms))].sort((a, b) => a - b);
  if (matches.length === 0) return { ms: asUtc - offsetAt(asUtc - 86_400_000), repeated: null, skipped: true };
  return { ms: matches[0], repeated: matches.length > 1 ? matches[matches.length - 1] : null, skipped: false };
}

/**
 * Reads a datetime-local input as the department's wall clock and says, in `note` (an element
 * beside it), when the time typed happens twice or never; returns the instant in ms, or null.
 */
export function readWallClockInput(input, note) {
  const read = instantOfWallClock(input.value);
  showWallClockNote(read, note);
  return read === null ? null : read.ms;
}

/** Keeps `note` up to date as `input` changes, so the user learns of a repeated hour before searching. */
export function watchWallClockInput(input, note) {
  const update = () => showWallClockNote(instantOfWallClock(input.value), note);
  input.addEventListener('input', update);
  input.addEventListener('change', update);
  return update;
}

function showWallClockNote(read, note) {
  if (note === null || note === undefined) return;
  let text = '';
  if (read?.repeated != null) {
    // The earlier is taken (the hour as first lived); the later is stated, not guessed at.
    const minutes = Math.round((read.repeated - read.ms) / 60_000);
    const later = minutes === 60 ? 'an hour' : `${minutes} minutes`;
    text = `${format('wall', { hour: 'numeric', minute: '2-digit' }).format(read.ms)} happens twice that day (clocks go back): it is read as the first, ${formatTimeOfDay(read.ms)}. The second, ${formatTimeOfDay(read.repeated)}, is ${later} later: a range that ends after it (${later} past the time typed here) takes in its reads too.`;
  } else if (read?.skipped) {
    text = `That time does not exist that day (clocks go forward): it is read as ${formatTimeOfDay(read.ms)}.`;
  }
  note.textContent = text;
  note.hidden = text === '';
}

/** The department's wall clock at an instant, in numbers. */
function wallClockOf(ms) {
  const parts = {};
  for (const { type, value } of format('parts', { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' }).formatToParts(ms)) {
    parts[type] = Number(value);
  }
  return parts;
}

/** The department's offset from UTC at an instant, in ms (negative west of Greenwich). */
function offsetAt(ms) {
  const p = wallClockOf(ms);
  const whole = ms - (ms % 1000 + 1000) % 1000;
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - whole;
}

function toMs(at) {
  if (at === null || at === undefined || at === '') return null;
  const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  return Number.isNaN(ms) ? null : ms;
}

function pad(n) {
  return String(n).padStart(2, '0');
}
