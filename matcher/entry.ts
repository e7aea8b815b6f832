// Validation of one hot list entry as it arrives from a file or an API: text fields in, a
// `HotlistEntry` or the reason it was refused out.
import { DEFAULT_GENERAL_LISTS, listPolicy, type MatcherConfig } from './config.js';
import { DEFAULT_TIME_ZONE } from './department-day.js';
import { parseMemberTime } from './member-time.js';
import { normalizePattern } from './plate.js';
import { quoted } from './reason.js';
import type { HotlistEntry, VehicleDescription } from './types.js';

/** Entry fields as text, the way a CSV row or a form delivers them. Empty string = absent. */
export interface RawEntryFields {
  plate: string;
  list: string;
  state?: string;
  reason?: string;
  case_number?: string;
  entered_by?: string;
  synopsis?: string;
  expires_at?: string;
  vehicle_make?: string;
  vehicle_model?: string;
  vehicle_year?: string;
  vehicle_color?: string;
  vehicle_style?: string;
}

export type EntryResult = { ok: true; entry: HotlistEntry } | { ok: false; reason: string };

const LIST_NAME = /^[A-Z0-9][A-Z0-9_-]{0,31}$/;
const STATE_CODE = /^[A-Z]{2}$/;
const MAX_TEXT = 2000;
/** The same limit as a read's vehicle strings (ingest/read-json.ts). */
const MAX_VEHICLE_TEXT = 64;

/**
 * What identifies an entry within a list and across its versions: its plate or pattern and its
 * state. A load refuses two rows with one key, and a new version's added and removed entries,
 * and the retroactive record of what was searched, are judged by it.
 */
export function entryKey(entry: Pick<HotlistEntry, 'plate' | 'state'>): string {
  return `${entry.plate}|${entry.state ?? ''}`;
}

/** True when the list is a specific list (BOLO, case list): not one of the configured general lists. */
export function isSpecificList(config: MatcherConfig, list: string): boolean {
  return !config.generalLists.includes(list);
}

/**
 * True when a hit on the list may be about a wanted person, not only a vehicle: every list but the
 * stolen vehicle and plate lists, which are DEFAULT_GENERAL_LISTS and the configured general lists.
 * Watsonville §471.5(f)(2): on such a hit the member makes a reasonable effort to confirm the wanted
 * person is in the vehicle, or that another basis exists, before a stop. The gateway asks for that
 * check (`personVerified`) by this rule; console/console.js (`checksFor`) applies the same one to
 * the card, from DEFAULT_GENERAL_LISTS and the general lists GET /api/hotlists names.
 */
export function needsPersonCheck(config: Pick<MatcherConfig, 'generalLists'>, list: string): boolean {
  return !DEFAULT_GENERAL_LISTS.includes(list) && !config.generalLists.includes(list);
}

export function validateEntry(fields: RawEntryFields, config: MatcherConfig): EntryResult {
  const list = fields.list.trim().toUpperCase();
  if (!LIST_NAME.test(list)) return { ok: false, reason: `list ${quoted(fields.list)} must be 1–32 characters of A-Z0-9_-` };

  const listed = fields.plate.trim();
  const plate = normalizePattern(listed, config.patternMinKnown);
  if (!plate.ok) return plate;
  const kinds = listPolicy(config, list);
  if (plate.isPattern && !kinds.includes('partial')) {
    return { ok: false, reason: `list ${list} matches ${kinds.join('+')} only; the pattern ${quoted(listed)} needs a list with partial matching` };
  }

  const state = (fields.state ?? '').trim().toUpperCase();
  if (state !== '' && !STATE_CODE.test(state)) return { ok: false, reason: `state ${quoted(fields.state ?? '')} must be a two-letter code` };

  const reason = (fields.reason ?? '').trim();
  const caseNumber = (fields.case_number ?? '').trim();
  const enteredBy = (fields.entered_by ?? '').trim();
  const synopsis = (fields.synopsis ?? '').trim();
  for (const [name, value] of [['reason', reason], ['case_number', caseNumber], ['entered_by', enteredBy], ['synopsis', synopsis]] as const) {
    if (value.length > MAX_TEXT) return { ok: false, reason: `${name} is longer than ${MAX_TEXT} characters` };
  }
  // Watsonville PD §471.5(f)(5)(a): every hot plate entered names the entering member, the case number and a synopsis.
  if (isSpecificList(config, list)) {
    const missing = [
      caseNumber === '' ? 'case_number' : '',
      enteredBy === '' ? 'entered_by' : '',
      synopsis === '' ? 'synopsis' : '',
    ].filter((name) => name !== '');
    if (missing.length > 0) return { ok: false, reason: `list ${list} is a specific list; its entries need ${missing.join(', ')}` };
  }

  let expiresAt: number | undefined;
  const expiresText = (fields.expires_at ?? '').trim();
  if (expiresText !== '') {
    const parsed = parseIsoDateTime(expiresText, config.timeZone ?? DEFAULT_TIME_ZONE);
    if (parsed === null) return { ok: false, reason: `expires_at ${quoted(expiresText)} is not an ISO 8601 date or time (e.g. 2026-12-31 or 2026-12-31T18:00:00Z)` };
    expiresAt = parsed;
  }

  const vehicle = validateVehicle(fields);
  if (typeof vehicle === 'string') return { ok: false, reason: vehicle };

  const entry: HotlistEntry = {
    list,
    listed,
    plate: plate.pattern,
    isPattern: plate.isPattern,
    reason,
    caseNumber,
    enteredBy,
    synopsis,
  };
  if (state !== '') entry.state = state;
  if (expiresAt !== undefined) entry.expiresAt = expiresAt;
  if (vehicle !== undefined) entry.vehicle = vehicle;
  return { ok: true, entry };
}

/**
 * Milliseconds since the epoch of an expiry as a list or member gives it, by the rule of
 * matcher/member-time.ts: a date is the start of that day in `timeZone`, the department's
 * (midnight UTC ended a California entry at 4 p.m. the day before); a date-time without an offset
 * is the department's wall clock (it was UTC, unlike every other time a member types); a space may
 * stand for the T, and digits past the millisecond are dropped. Null when it is not one.
 */
export function parseIsoDateTime(text: string, timeZone = 'UTC'): number | null {
  return parseMemberTime(text.replace(/^(\d{4}-\d{2}-\d{2}) (?=\d)/, '$1T').replace(/(\.\d{3})\d{1,6}(?=Z|[+-]|$)/, '$1'), timeZone);
}

function validateVehicle(fields: RawEntryFields): VehicleDescription | undefined | string {
  const vehicle: VehicleDescription = {};
  const make = (fields.vehicle_make ?? '').trim();
  const model = (fields.vehicle_model ?? '').trim();
  const yearText = (fields.vehicle_year ?? '').trim();
  const color = (fields.vehicle_color ?? '').trim();
  const style = (fields.vehicle_style ?? '').trim();
  // As a read's vehicle strings (docs/wire.md): every hit carries them, and a hit is one NATS message.
  for (const [name, value] of [['vehicle_make', make], ['vehicle_model', model], ['vehicle_color', color], ['vehicle_style', style]] as const) {
    if (value.length > MAX_VEHICLE_TEXT) return `${name} is longer than ${MAX_VEHICLE_TEXT} characters`;
  }
  if (make !== '') vehicle.make = make;
  if (model !== '') vehicle.model = model;
  if (color !== '') vehicle.color = color;
  if (style !== '') vehicle.style = style;
  if (yearText !== '') {
    const year = /^\d{4}$/.test(yearText) ? Number(yearText) : Number.NaN;
    if (!(year >= 1900 && year <= 2100)) return `vehicle_year ${quoted(yearText)} must be a year between 1900 and 2100`;
    vehicle.year = year;
  }
  return Object.keys(vehicle).length === 0 ? undefined : vehicle;
}
