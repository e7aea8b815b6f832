// Access log records as `platewatch audit log` prints them: a table for a person, each time in the
// department's zone and in UTC, both labelled (an auditor compares them with memoranda written in
// local time and with the records themselves, stored and hashed in UTC); or JSON for a script,
// each record exactly as stored, so its hash can be recomputed (storage/access-log.ts).
import type { AccessRecord } from '../storage/index.js';
import { terminalText } from './terminal-text.js';
import type { VerbIO } from './verb.js';

/** Characters of a record's reason, detail and parameters shown in the table; --json has them whole. */
const MAX_TEXT_SHOWN = 160;

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** `2026-12-06 19:19:04.123 -08:00`: the instant on the zone's wall clock, with the offset. */
export function zoneTimeText(ms: number, timeZone: string): string {
  let format = wallFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      fractionalSecondDigits: 3, hourCycle: 'h23', timeZoneName: 'longOffset',
    });
    wallFormats.set(timeZone, format);
  }
  const p = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
  // longOffset says "GMT-08:00", and "GMT" alone for a zero offset.
  const offset = (p['timeZoneName'] ?? 'GMT').replace(/^GMT/, '') || '+00:00';
  return `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']}:${p['second']}.${p['fractionalSecond']} ${offset}`;
}

/** The stored `at` ('YYYY-MM-DD hh:mm:ss.sss', UTC) as milliseconds. */
export function recordInstant(r: Pick<AccessRecord, 'at'>): number {
  return Date.parse(`${r.at.replace(' ', 'T')}Z`);
}

/** The `--to` that pages on from `oldest`: its instant in UTC, which the next page stops before. */
export function olderPageTo(oldest: Pick<AccessRecord, 'at'>): string {
  return new Date(recordInstant(oldest)).toISOString();
}

function clipped(text: string): string {
  return text.length <= MAX_TEXT_SHOWN ? text : `${text.slice(0, MAX_TEXT_SHOWN)}…`;
}

/** The record's reason, detail and parameters, as one cell (what the member typed: shown, never obeyed). */
function whatText(r: AccessRecord): string {
  const parts = [r.reason === '' ? '' : `reason: ${r.reason}`, r.detail === '' ? '' : `detail: ${r.detail}`, r.params === 'null' || r.params === '{}' ? '' : `params: ${r.params}`];
  return terminalText(clipped(parts.filter((p) => p !== '').join('; ')));
}

/** Whether the department's zone is UTC itself: its times are then shown once. */
export function isUtcZone(timeZone: string): boolean {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC';
}

/** The records as a table, newest first; the last column, free text, is not padded. */
export function printAccessLogTable(io: Pick<VerbIO, 'stdout'>, records: readonly AccessRecord[], timeZone: string): void {
  const zoned = !isUtcZone(timeZone);
  const head = [...(zoned ? [`TIME (${timeZone})`] : []), 'TIME (UTC)', 'USER', 'ACTION', 'OUTCOME', 'ROWS', 'CASE', 'CHAIN:SEQ', 'REASON / DETAIL / PARAMS'];
  const rows = records.map((r) => {
    const ms = recordInstant(r);
    return [
      ...(zoned ? [zoneTimeText(ms, timeZone)] : []), `${r.at.replace(' ', 'T')}Z`, terminalText(r.user_id), r.action, r.outcome, String(r.rows_returned),
      terminalText(r.case_number), `${terminalText(r.chain)}:${r.seq}`, whatText(r),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  io.stdout.write(`${[head, ...rows].map(line).join('\n')}\n`);
}
