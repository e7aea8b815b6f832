// What the hot list routes read from a request and say in an answer: an entry's fields, a bulk
// load's fields and rows, refusals as HTTP errors, and text shortened for the access log. The
// routes themselves, and what each may do, are hotlist-routes.ts.
import { BulkLayoutError, HotlistCsvError, HotlistVersionConflictError, type RejectedRow } from '../ingest/index.js';
import { headOf } from '../matcher/index.js';
import { HotlistError, type EntryFields, type HotlistErrorCode } from '../storage/index.js';
import { HttpError, type JsonRequest } from './http-json.js';
import { LOGGED_BODY_CHARACTERS, objectBody } from './request-fields.js';
import { storageRefusalAsHttp } from './storage-errors.js';

const STATUS_OF: Record<HotlistErrorCode, number> = {
  UNKNOWN_LIST: 404, UNKNOWN_ENTRY: 404, PROHIBITED_PURPOSE: 403, SELF_APPROVAL: 403, GENERAL_LIST: 409, INVALID: 400,
  CHANGE_PENDING: 409, NOT_APPROVED: 409, NOTHING_PENDING: 409, CONCURRENT_CHANGE: 409, DUPLICATE_ENTRY: 409,
};

/** Hot list, layout and storage refusals as HTTP errors (storage's through gateway/storage-errors.ts); anything else is a 500. */
export function asHttp(error: unknown): unknown {
  if (error instanceof HotlistError) return new HttpError(STATUS_OF[error.code], error.code, error.message, { cause: error });
  if (error instanceof BulkLayoutError || error instanceof HotlistCsvError) {
    return new HttpError(400, error.code, withRejectedRows(error.message, error.rejected), { cause: error });
  }
  if (error instanceof HotlistVersionConflictError) return new HttpError(409, error.code, error.message, { cause: error });
  return storageRefusalAsHttp(error);
}

const REJECTED_ROWS_SHOWN = 20;

/**
 * Rows a load's answer lists, of those rejected and of those dropped: a broken million-row feed
 * answered a million of them (about 60 MB of JSON, every line printed by the CLI). The counts stay
 * whole: `rejectedCount`, and `droppedImmigration` for the dropped.
 */
export const ROWS_ANSWERED_MAX = 1000;

/**
 * Text a load's access log record keeps (a refusal's detail, a layout's name): at most `max`
 * characters, LOGGED_BODY_CHARACTERS as for a refused body. The log is hash-chained and read whole
 * by every auditor: a message quoting a 100 MB file made two 100 MB records (found by an assessor).
 */
export function loggedText(text: string, max = LOGGED_BODY_CHARACTERS): string {
  return text.length <= max ? text : `${headOf(text, max)}… (${text.length} characters)`;
}

/** A layout's name as a log record's params keep it: configured names are short, a sent one may not be. */
export const LOGGED_LAYOUT_NAME = 64;

/** A load's rows as its answer carries them, whether it loaded or was refused as EMPTY_LIST. */
export function answeredRows(report: { rows: number; rejected: readonly RejectedRow[]; droppedImmigration: number; dropped: readonly RejectedRow[] }) {
  return {
    rows: report.rows,
    rejected: report.rejected.slice(0, ROWS_ANSWERED_MAX),
    rejectedCount: report.rejected.length,
    droppedImmigration: report.droppedImmigration,
    dropped: report.dropped.slice(0, ROWS_ANSWERED_MAX),
  };
}

/**
 * A hot list file sent as text (`platewatch hotlist load` does): a state's daily download is tens
 * of MB, a national extract of a million vehicles about 80. Sent as JSON it would be held three
 * times over, so JSON keeps the gateway's own limit (`maxBodyBytes`).
 */
export const HOTLIST_FILE_MAX_BYTES = 256 * 2 ** 20;


/**
 * The load's fields: from a JSON body `{text, layout?, strict?, allowEmpty?}` (the console), or the
 * file as a text body with the options in the query (the CLI); never both ways at once.
 */
export function loadFields(request: JsonRequest): Record<string, unknown> {
  if (!(request.body instanceof Uint8Array)) {
    if (request.queryParams.size > 0) throw new HttpError(400, 'INVALID', 'with a JSON body, send layout, strict and allowEmpty in it, not in the query');
    return objectBody(request.body, ['text', 'layout', 'strict', 'allowEmpty'], 'INVALID');
  }
  const flag = (name: string): unknown => {
    const value = request.queryParams.get(name);
    return value === 'true' ? true : value === 'false' ? false : value;
  };
  // The file's bytes, decoded in the loader's thread (textBody.raw).
  return { text: request.body, layout: request.queryParams.get('layout'), strict: flag('strict'), allowEmpty: flag('allowEmpty') };
}

/** Nothing but spaces and line breaks: looked at only up to the first other byte. */
export function blankText(text: string | Uint8Array): boolean {
  if (typeof text === 'string') return text.trim() === '';
  for (const byte of text) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  return true;
}

/** Strict mode's refusal names the rows to fix (the CLI prints every one); the first few keep the reply short. */
export function withRejectedRows(message: string, rejected: readonly RejectedRow[]): string {
  if (rejected.length === 0) return message;
  const shown = rejected.slice(0, REJECTED_ROWS_SHOWN).map((row) => `line ${row.line}: ${row.reason}`).join('; ');
  const more = rejected.length > REJECTED_ROWS_SHOWN ? `; and ${rejected.length - REJECTED_ROWS_SHOWN} more` : '';
  return `${message} (${shown}${more})`;
}

/** What an entry may carry (§471.5(f)(5)(a)); anything else is refused by name. */
export const ENTRY_FIELDS = ['plate', 'caseNumber', 'synopsis', 'state', 'reason', 'expiresAt', 'vehicle'] as const;

export function entryFields(body: Record<string, unknown>): EntryFields {
  const text = (name: string, required: boolean): string | undefined => {
    const v = body[name];
    if (v === undefined || v === null) {
      if (required) throw new HttpError(400, 'INVALID', `${name} is required (Watsonville §471.5(f)(5)(a): every entry has a case number and a synopsis)`);
      return undefined;
    }
    if (typeof v !== 'string') throw new HttpError(400, 'INVALID', `${name} must be text`);
    return v;
  };
  const fields: EntryFields = { plate: text('plate', true) as string, caseNumber: text('caseNumber', true) as string, synopsis: text('synopsis', true) as string };
  for (const name of ['state', 'reason', 'expiresAt'] as const) {
    const v = text(name, false);
    if (v !== undefined) fields[name] = v;
  }
  const vehicle = body['vehicle'];
  if (vehicle !== undefined && vehicle !== null) fields.vehicle = vehicleOf(vehicle);
  return fields;
}

export function vehicleOf(value: unknown): NonNullable<EntryFields['vehicle']> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'INVALID', 'vehicle must be an object {make, model, year, color, style}');
  const v = value as Record<string, unknown>;
  const out: NonNullable<EntryFields['vehicle']> = {};
  for (const name of ['make', 'model', 'color', 'style'] as const) {
    const field = v[name];
    if (field === undefined || field === null) continue;
    if (typeof field !== 'string') throw new HttpError(400, 'INVALID', `vehicle.${name} must be text`);
    out[name] = field;
  }
  const year = v['year'];
  if (year !== undefined && year !== null) {
    if (typeof year !== 'number' || !Number.isInteger(year)) throw new HttpError(400, 'INVALID', 'vehicle.year must be a whole number');
    out.year = year;
  }
  return out;
}
