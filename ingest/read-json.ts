// One plate read as JSON (a JSONL line, an HTTP body), or as decoded from msgpack by ingest/wire.ts,
// → a matcher `Read`, or the reason it is refused. Bad reads are values, not exceptions: the caller
// reports them and carries on.
import { C1 } from 'msgpackr';
import { normalizePlate, quoted, type PlateCandidate, type Read, type ReadVehicle } from '../matcher/index.js';

export type ReadResult = { ok: true; read: Read } | { ok: false; reason: string };

/** Ids, camera and agency names longer than this are refused: they become storage keys. */
export const MAX_READ_ID_LENGTH = 128;
/** More guesses than this is not a reader's top-N but noise, and each one costs a match. */
export const MAX_CANDIDATES = 10;
/**
 * A classifier's make, model, colour or body type is a word or three; longer is not a description.
 * The read is copied into every hit it raises, and an uncapped `vehicle.make` near 1 MiB made a hit
 * message over NATS's max_payload whose publish failed on every redelivery.
 */
export const MAX_VEHICLE_TEXT_LENGTH = 64;

/**
 * Names a camera's firmware may use for a required field, lower-cased, besides the field's own name
 * in another case (`ID`, `Id`): a read missing the field but carrying one of these is told so.
 */
const NEAR_MISS_NAMES: Readonly<Record<string, readonly string[]>> = { conf: ['confidence'], ts: ['timestamp'], v: ['version'] };

const STATE_CODE = /^[A-Z]{2}$/;
const ISO_DATE_PREFIX = /^\d{4}-\d{2}-\d{2}/;

/** Parses one line of JSON and validates it as a read. */
export function parseReadJson(text: string): ReadResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not valid JSON: ${(error as Error).message}` };
  }
  return validateRead(value);
}

/**
 * Validates a parsed JSON value as a read. Unknown fields are ignored (cameras add their own);
 * `null` in an optional field counts as absent.
 */
export function validateRead(value: unknown): ReadResult {
  if (!isObject(value)) return { ok: false, reason: `a read must be a JSON object, not ${describeValue(value)}` };

  const id = readId(value['id']);
  if (typeof id !== 'string') return { ok: false, reason: `${id.problem}${value['id'] === undefined ? nearMissNote(value, 'id') : ''}` };

  const rawPlate = value['plate'];
  if (typeof rawPlate !== 'string') return { ok: false, reason: `plate must be a string, not ${describeValue(rawPlate)}${rawPlate === undefined ? nearMissNote(value, 'plate') : textHint(rawPlate)}` };
  const plate = normalizePlate(rawPlate);
  if (!plate.ok) return { ok: false, reason: plate.reason };
  const read: Read = { id, plate: plate.plate };

  const state = value['state'];
  // Cameras that could not read the state send "" (or spaces): that is no state, as null is, not a
  // reason to refuse the read and leave its plate unmatched.
  if (state != null && !(typeof state === 'string' && state.trim() === '')) {
    const code = typeof state === 'string' ? state.trim().toUpperCase() : '';
    if (!STATE_CODE.test(code)) return { ok: false, reason: `state must be a two-letter code, not ${describeValue(state)}${textHint(state)}` };
    read.state = code;
  }

  for (const name of ['camera', 'agency'] as const) {
    const text = value[name];
    if (text == null) continue;
    if (typeof text !== 'string' || text.trim() === '') return { ok: false, reason: `${name} must be a non-empty string, not ${describeValue(text)}${textHint(text)}` };
    if (text.length > MAX_READ_ID_LENGTH) return { ok: false, reason: `${name} is longer than ${MAX_READ_ID_LENGTH} characters` };
    read[name] = text.trim();
  }

  const ts = value['ts'];
  if (ts != null) {
    const ms = readTimestamp(ts);
    if (ms === null) return { ok: false, reason: `ts must be milliseconds since the epoch or an ISO 8601 time, not ${describeValue(ts)}` };
    read.ts = ms;
  }

  const conf = value['conf'];
  if (conf != null) {
    if (!isConfidence(conf)) return { ok: false, reason: `conf must be a number from 0 to 1, not ${describeValue(conf)}` };
    read.conf = conf;
  }

  const candidates = value['candidates'];
  if (candidates != null) {
    const result = readCandidates(candidates);
    if (typeof result === 'string') return { ok: false, reason: result };
    if (result.length > 0) read.candidates = result;
  }

  const vehicle = value['vehicle'];
  if (vehicle != null) {
    const result = readVehicle(vehicle);
    if (typeof result === 'string') return { ok: false, reason: result };
    if (result !== undefined) read.vehicle = result;
  }
  return { ok: true, read };
}

/** The id as a string (integers are stored as their decimal text), or what is wrong with it. */
function readId(id: unknown): string | { problem: string } {
  if (typeof id === 'string') {
    if (id.trim() === '') return { problem: 'id must not be empty' };
    if (id.length > MAX_READ_ID_LENGTH) return { problem: `id is longer than ${MAX_READ_ID_LENGTH} characters` };
    return id;
  }
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  // A msgpack 64-bit integer past 2^53 decodes exactly, as a BigInt (ingest/wire.ts): the camera
  // sent an integer, and its decimal text is the id. At most 20 digits from msgpack.
  if (typeof id === 'bigint') {
    const text = String(id);
    return text.length <= MAX_READ_ID_LENGTH ? text : { problem: `id is longer than ${MAX_READ_ID_LENGTH} characters` };
  }
  // A number past 2^53 is no longer the integer that was sent (JSON.parse rounds
  // 9007199254740993 to 9007199254740992; so did a JavaScript camera holding it as a number).
  if (typeof id === 'number' && Number.isInteger(id)) {
    return { problem: `id ${String(id)} may not be the integer sent: integers ${id > 0 ? 'above ' : 'below -'}${Number.MAX_SAFE_INTEGER} lose precision: send the id as a string` };
  }
  return { problem: id === undefined ? 'id is missing' : `id must be a non-empty string or an integer, not ${describeValue(id)}${textHint(id)}` };
}

function readTimestamp(ts: unknown): number | null {
  if (typeof ts === 'number') return Number.isFinite(ts) && ts >= 0 ? ts : null;
  if (typeof ts !== 'string' || !ISO_DATE_PREFIX.test(ts)) return null;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? null : ms;
}

function readCandidates(candidates: unknown): PlateCandidate[] | string {
  if (!Array.isArray(candidates)) return `candidates must be an array, not ${describeValue(candidates)}`;
  if (candidates.length > MAX_CANDIDATES) return `candidates has ${candidates.length} entries; at most ${MAX_CANDIDATES} are allowed`;
  const out: PlateCandidate[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const candidate: unknown = candidates[i];
    if (!isObject(candidate)) return `candidates[${i}] must be an object with a plate, not ${describeValue(candidate)}`;
    const text = candidate['plate'];
    if (typeof text !== 'string') return `candidates[${i}].plate must be a string, not ${describeValue(text)}${textHint(text)}`;
    const plate = normalizePlate(text);
    // An alternative reading that is no plate ("AB#1234", "7") cannot hit anything. Refusing the
    // read for it would leave the primary plate unmatched, so it is dropped and the rest matched.
    if (!plate.ok) continue;
    const conf = candidate['conf'];
    if (conf == null) {
      out.push({ plate: plate.plate });
    } else if (isConfidence(conf)) {
      out.push({ plate: plate.plate, conf });
    } else {
      return `candidates[${i}].conf must be a number from 0 to 1, not ${describeValue(conf)}`;
    }
  }
  return out;
}

function readVehicle(vehicle: unknown): ReadVehicle | undefined | string {
  if (!isObject(vehicle)) return `vehicle must be an object, not ${describeValue(vehicle)}`;
  const out: ReadVehicle = {};
  for (const name of ['make', 'model', 'color', 'type', 'style'] as const) {
    const text = vehicle[name];
    if (text == null) continue;
    if (typeof text !== 'string') return `vehicle.${name} must be a string, not ${describeValue(text)}${textHint(text)}`;
    const value = text.trim();
    if (value.length > MAX_VEHICLE_TEXT_LENGTH) return `vehicle.${name} is ${value.length} characters; at most ${MAX_VEHICLE_TEXT_LENGTH} are allowed`;
    if (value === '') continue;
    // Hot lists call the body style `vehicle_style` and reads `vehicle.type`: `style` is taken as
    // `type` rather than dropped unseen, and two that disagree are refused rather than one chosen.
    if (name !== 'style') out[name] = value;
    else if (out.type === undefined) out.type = value;
    else if (out.type.toLowerCase() !== value.toLowerCase()) return `vehicle.type ${quoted(out.type)} and vehicle.style ${quoted(value)} differ: style is another name for type, send one`;
  }
  const year = vehicle['year'];
  if (year != null) {
    if (typeof year !== 'number' || !Number.isInteger(year) || year < 1900 || year > 2100) {
      return `vehicle.year must be a year between 1900 and 2100, not ${describeValue(year)}`;
    }
    out.year = year;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isConfidence(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}

/**
 * ` (the read has "ID": send it as "id")` when a read missing `name` carries it under another case
 * or a name of NEAR_MISS_NAMES, else ''. Only for a refusal: it looks at every key.
 */
export function nearMissNote(fields: Record<string, unknown>, name: string): string {
  const others = NEAR_MISS_NAMES[name];
  for (const key of Object.keys(fields)) {
    if (key === name || fields[key] == null) continue;
    const lower = key.toLowerCase();
    if (lower === name || (others !== undefined && others.includes(lower))) return ` (the read has ${quoted(key)}: send it as "${name}")`;
  }
  return '';
}

/**
 * What to do about a value given where text belongs: `': send text (msgpack str)'` for binary data
 * (Python's `bytes` packs as msgpack bin), else ''.
 */
export function textHint(value: unknown): string {
  return value instanceof Uint8Array ? ': send text (msgpack str)' : '';
}

/**
 * A short rendering of a bad value for a reason: the value itself when short, its type otherwise.
 * msgpack decodes to more than JSON does, and firmware not written in JavaScript sends it: bytes
 * (bin), times (the timestamp extension, a Date), 64-bit integers past 2^53 (BigInt).
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `binary data (msgpack bin, ${value.length} bytes)`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'a msgpack timestamp' : `a msgpack timestamp (${value.toISOString()})`;
  if (value === C1) return 'the byte 0xc1, which msgpack never uses';
  if (typeof value === 'object') return 'an object';
  // JSON.stringify writes NaN and ±Infinity as null ("not number null" read as a missing value)
  // and throws on a BigInt.
  const text = typeof value === 'number' || typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value));
  if (typeof value === 'bigint') {
    const unsafe = `not a safe integer (${value > 0n ? 'above ' : 'below -'}${Number.MAX_SAFE_INTEGER})`;
    return text.length <= 40 ? `integer ${text}, which is ${unsafe}` : `an integer of ${text.length} digits, ${unsafe}`;
  }
  return text.length <= 40 ? `${typeof value} ${text}` : `a ${typeof value} of ${text.length} characters`;
}
