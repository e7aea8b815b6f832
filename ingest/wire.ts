// The camera wire format, version 1 (docs/wire.md): a msgpack map per read, or an array of them
// from a camera gateway; JSON when the `Content-Type` header says `application/json`. Decoding
// never throws: every problem becomes a reason, so the pipeline can route the bytes to
// alpr.invalid.reads and carry on. Reasons are at most MAX_REASON_LENGTH characters and quote at
// most the head of what the camera sent (matcher/reason.ts): they travel as NATS headers.
import { C1, Unpackr, type Options as UnpackOptions } from 'msgpackr';
import { boundedReason, quoted, type Read } from '../matcher/index.js';
import { describeValue, nearMissNote, textHint, validateRead } from './read-json.js';
import { isSubjectToken } from './subjects.js';

export const WIRE_VERSION = 1;
/** NATS's default max_payload; a larger message is refused whole. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Reads one gateway message may carry. */
export const DEFAULT_MAX_READS_PER_MESSAGE = 1000;
export const CONTENT_TYPE_HEADER = 'Content-Type';
export const JSON_CONTENT_TYPE = 'application/json';
export const MSGPACK_CONTENT_TYPE = 'application/msgpack';
/** A read's time may be this far ahead of the receiver's clock (camera clock drift). */
const MAX_CLOCK_AHEAD_MS = 24 * 3600 * 1000;
/** Reads older than this (2000-01-01) are a broken clock, not a sighting. */
const EARLIEST_TS = Date.UTC(2000, 0, 1);
const DAY_MS = 24 * 3600 * 1000;
/**
 * A `ts` from here to SECONDS_TS_BELOW is 2001–5138 read as seconds but January 1970 as
 * milliseconds: a camera sending Unix seconds (Python's `time.time()`) is told so.
 */
const SECONDS_TS_FROM = 1e9;
const SECONDS_TS_BELOW = 1e11;
/** How many of a message's first bytes a reason shows, in hex, when they are not msgpack. */
const SHOWN_BYTES = 8;
/**
 * How long storage keeps a read after its `ts` when the pipeline is not told: storage's default,
 * which is also the least the law allows (Government Code § 34090.6: keep ≥ 1 year).
 */
export const DEFAULT_READ_RETENTION_SECONDS = 365 * 86_400;
/**
 * A read is refused this long before its retention runs out, so that whatever is stored of it (the
 * detection, its hits, a dispatcher's disposition of a hit) is kept for at least this long rather
 * than purged as it is written: storage's TTL counts from the camera's `ts`.
 */
export const READ_RETENTION_MARGIN_MS = DAY_MS;
const MAX_IMAGE_REF_LENGTH = 1024;

/** A read as it arrives from a camera: a matcher Read with the fields every camera must send. */
export interface WireRead extends Read {
  v: number;
  agency: string;
  camera: string;
  ts: number;
  conf: number;
  lat?: number;
  lon?: number;
  heading?: number;
  image?: string;
}

export interface InvalidRead {
  /** Position in a gateway batch; -1 when the whole message is refused. */
  index: number;
  /** Why, in words: at most MAX_REASON_LENGTH characters. */
  reason: string;
}

export interface DecodedMessage {
  reads: WireRead[];
  invalid: InvalidRead[];
}

export interface WireLimits {
  maxMessageBytes: number;
  maxReadsPerMessage: number;
  /**
   * How long storage keeps a read after its `ts` (the shorter of the detection and hit
   * retentions). A read older than that, less READ_RETENTION_MARGIN_MS, is refused: storage would
   * purge it, and its hits, as they were written. @default DEFAULT_READ_RETENTION_SECONDS
   */
  retentionSeconds: number;
}

export const DEFAULT_WIRE_LIMITS: Readonly<WireLimits> = {
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  maxReadsPerMessage: DEFAULT_MAX_READS_PER_MESSAGE,
  retentionSeconds: DEFAULT_READ_RETENTION_SECONDS,
};

// mapsAsObjects: reads are plain objects; no records extension, so any msgpack encoder works.
// int64AsType 'auto' (in msgpackr 2.1.3, missing from its .d.ts): a 64-bit integer is a number up to
// 2^53 and a BigInt past it, never a rounded number. Encoders other than msgpackr send every
// integer past 2^32 (a millisecond ts) as int64/uint64, and those stay numbers; a read id past
// 2^53 (a camera's uint64 counter) stays exact, and any other field past it is refused by name.
const INT64_AS_NUMBER_WHEN_SAFE = 'auto' as unknown as UnpackOptions['int64AsType'];
const unpackr = new Unpackr({ mapsAsObjects: true, useRecords: false, int64AsType: INT64_AS_NUMBER_WHEN_SAFE });
const textDecoder = new TextDecoder('utf-8', { fatal: true });
const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dayFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/**
 * Decodes one message. `agency` is the subject's agency token: a read claiming another agency is
 * refused. That is a consistency check, not a wall between agencies: whoever may publish to an
 * agency's subject may write its reads (docs/wire.md, Subject).
 */
export function decodeReadMessage(data: Uint8Array, contentType: string | undefined, agency: string, nowMs: number, limits: WireLimits = DEFAULT_WIRE_LIMITS): DecodedMessage {
  if (data.length > limits.maxMessageBytes) return refused(`message is ${data.length} bytes; at most ${limits.maxMessageBytes} are accepted`);
  if (data.length === 0) return refused('message is empty');
  let value: unknown;
  const isJson = contentType !== undefined && contentType.toLowerCase().startsWith(JSON_CONTENT_TYPE);
  try {
    value = isJson ? JSON.parse(textDecoder.decode(data)) : unpackr.unpack(data);
  } catch (error) {
    return refused(isJson ? `not valid JSON: ${(error as Error).message}` : notMsgpackReason(data, error as Error));
  }
  // msgpackr decodes the never-used byte 0xc1 to a marker instead of throwing: a message that is
  // only that byte.
  if (value === C1) return refused(neverMsgpackReason(data));
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return refused('message holds an empty batch');
  if (items.length > limits.maxReadsPerMessage) return refused(`message holds ${items.length} reads; at most ${limits.maxReadsPerMessage} per message`);
  const out: DecodedMessage = { reads: [], invalid: [] };
  for (let i = 0; i < items.length; i++) {
    const result = validateWireRead(items[i], agency, nowMs, limits.retentionSeconds);
    if (typeof result === 'string') out.invalid.push({ index: Array.isArray(value) ? i : -1, reason: boundedReason(result) });
    else out.reads.push(result);
  }
  return out;
}

/**
 * Why bytes are not one msgpack value. msgpackr's own message for bytes after the first value
 * quotes that value whole, as JSON (up to the reason's cap, not the 32 characters of camera text a
 * reason quotes); and JSON sent without its Content-Type reads as the number 123 (`{`) followed by
 * bytes, which says nothing to the integrator. msgpackr also "reads" the byte 0xc1, which msgpack
 * never uses, and then finds more bytes: those are not msgpack at all, and say so.
 */
function notMsgpackReason(data: Uint8Array, error: Error): string {
  if (data[0] === 0xc1) return neverMsgpackReason(data);
  if (!error.message.startsWith('Data read, but end of buffer not reached')) return `not valid msgpack: ${error.message}`;
  let first = 0;
  while (first < data.length && (data[first] === 0x20 || data[first] === 0x0a || data[first] === 0x0d || data[first] === 0x09)) first++;
  const looksLikeJson = data[first] === 0x7b || data[first] === 0x5b;
  if (looksLikeJson) return `not valid msgpack: it looks like JSON, which needs the header Content-Type: ${JSON_CONTENT_TYPE}`;
  // Any byte begins some msgpack value (most are a whole small integer), so "decoded a first
  // value" says little unless that value is a map or an array, as a read or a batch is.
  if (!isMapOrArrayHead(data[0] as number)) return `not valid msgpack: the message begins with the bytes ${hexHead(data)}, which are not a msgpack map or array (send one map, or one array of maps, per message)`;
  return 'not valid msgpack: more bytes follow the first value (send one map, or one array of maps, per message)';
}

function neverMsgpackReason(data: Uint8Array): string {
  return `not msgpack: the message begins with the bytes ${hexHead(data)}, and 0xc1 is a byte msgpack never uses`;
}

/** fixmap, fixarray, array 16/32, map 16/32. */
function isMapOrArrayHead(byte: number): boolean {
  return (byte >= 0x80 && byte <= 0x9f) || (byte >= 0xdc && byte <= 0xdf);
}

/** The first SHOWN_BYTES bytes as hex pairs (`c1 ff 00 13`), then `…` when there are more. */
function hexHead(data: Uint8Array): string {
  const shown = Array.from(data.subarray(0, SHOWN_BYTES), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return data.length > SHOWN_BYTES ? `${shown} … (${data.length} bytes)` : shown;
}

/** A msgpack map or JSON object; msgpack extension types decode to class instances and are refused. */
function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function refused(reason: string): DecodedMessage {
  return { reads: [], invalid: [{ index: -1, reason: boundedReason(reason) }] };
}

/**
 * Validates one decoded read: the JSON read rules plus what the wire requires. `retentionSeconds`:
 * how long storage keeps a read after its `ts` (WireLimits.retentionSeconds).
 */
export function validateWireRead(value: unknown, agency: string, nowMs: number, retentionSeconds = DEFAULT_READ_RETENTION_SECONDS): WireRead | string {
  if (!isPlainMap(value)) return `a read must be a map of fields, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an extension value' : `a ${typeof value}`}`;
  // validateRead also takes an ISO 8601 ts (JSONL files); the wire takes only milliseconds, and its
  // reason should not offer what the wire refuses.
  const ts = value['ts'];
  if (ts != null && !(typeof ts === 'number' && Number.isFinite(ts) && ts >= 0)) {
    // The msgpack timestamp extension decodes to a Date; firmware in C, Go or Python may send one.
    const hint = ts instanceof Date ? ': send the milliseconds since the epoch as an integer' : textHint(ts);
    return `ts must be milliseconds since the epoch (a number), not ${describeValue(ts)}${hint}`;
  }
  const base = validateRead(value);
  if (!base.ok) return base.reason;
  const fields = value as Record<string, unknown>;
  const read = base.read;
  const v = fields['v'];
  // Only a number (or BigInt) is echoed: String() on a map whose "toString" key is not a function throws (found by fuzzing).
  if (v !== WIRE_VERSION) {
    if (v === undefined) return `v (schema version) is missing${nearMissNote(fields, 'v')}`;
    return `schema version ${typeof v === 'number' || typeof v === 'bigint' ? String(v) : `of type ${v === null ? 'null' : typeof v}`} is not supported (this receiver speaks ${WIRE_VERSION})`;
  }
  if (read.agency === undefined) return `agency is missing${nearMissNote(fields, 'agency')}`;
  if (read.agency !== agency) {
    // Searches, holds and the consoles' filters take an agency in any letter case, so a camera
    // that writes "WPD" in its body and "wpd" in its subject is configured right; its reads keep
    // the subject's spelling, under which its hits are published.
    if (read.agency.toLowerCase() !== agency.toLowerCase()) return `agency ${quoted(read.agency)} does not match the subject's agency ${quoted(agency)}`;
    read.agency = agency;
  }
  if (read.camera === undefined) return `camera is missing${nearMissNote(fields, 'camera')}`;
  if (!isSubjectToken(read.camera)) return `camera ${quoted(read.camera)} must be 1–64 characters of A-Za-z0-9_-`;
  if (typeof fields['ts'] !== 'number' || read.ts === undefined) return `ts (milliseconds since the epoch) is missing or not a number${nearMissNote(fields, 'ts')}`;
  if (read.ts < EARLIEST_TS) {
    const seconds = read.ts >= SECONDS_TS_FROM && read.ts < SECONDS_TS_BELOW;
    return `ts ${describeTs(read.ts)} is out of range: before 2000-01-01 (${seconds ? 'seconds instead of milliseconds?' : 'camera clock?'})`;
  }
  if (read.ts > nowMs + MAX_CLOCK_AHEAD_MS) return `ts ${describeTs(read.ts)} is out of range: more than 24 h ahead of this receiver's clock (camera clock?)`;
  // Storage's TTL counts from ts: an older read was acked, raised live hits, and then was purged
  // with its hits and their dispositions as it was written (a camera clock reset to 2000 on power
  // loss). A backlog of a few days is well inside the retention and accepted.
  const retentionMs = retentionSeconds * 1000;
  // The margin is at most half the retention, so a short retention (tests, demos) still takes reads.
  if (read.ts < nowMs - retentionMs + Math.min(READ_RETENTION_MARGIN_MS, retentionMs / 2)) return tooOldReason(read.ts, nowMs, retentionMs);
  // Storage keeps milliseconds (DateTime64(3)) and refused a whole batch over one fractional ts
  // (found by the wire fuzz test): the fraction of a millisecond is dropped here.
  read.ts = Math.floor(read.ts);
  if (read.conf === undefined) return `conf is missing${nearMissNote(fields, 'conf')}`;
  // The Read from validateRead is fresh: extend it in place rather than copy it (hot path).
  const wire = read as WireRead;
  wire.v = WIRE_VERSION;
  const lat = fields['lat'];
  const lon = fields['lon'];
  if (lat != null || lon != null) {
    if (!isNumberIn(lat, -90, 90)) return lat == null ? 'lat and lon come together' : 'lat must be a number from -90 to 90';
    if (!isNumberIn(lon, -180, 180)) return lon == null ? 'lat and lon come together' : 'lon must be a number from -180 to 180';
    wire.lat = lat;
    wire.lon = lon;
  }
  const heading = fields['heading'];
  if (heading != null) {
    if (!isNumberIn(heading, 0, 360)) return 'heading must be a number from 0 to 360';
    wire.heading = heading;
  }
  const image = fields['image'];
  if (image != null) {
    if (typeof image !== 'string' || image.length > MAX_IMAGE_REF_LENGTH) return `image must be a reference string of at most ${MAX_IMAGE_REF_LENGTH} characters${textHint(image)}`;
    wire.image = image;
  }
  return wire;
}

/** e.g. `ts 2000-01-02T00:00:00Z is N days old, older than the 365 days kept: camera clock?` */
/** A time as ISO 8601 UTC (without `.000`), as a camera's operator reads it. */
function isoTime(ts: number): string {
  const iso = new Date(ts).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** The milliseconds as sent, and the time they mean when there is one (Date's range is ±8.64e15 ms). */
function describeTs(ts: number): string {
  return Math.abs(ts) <= 8.64e15 ? `${ts} (${isoTime(ts)})` : String(ts);
}

function tooOldReason(ts: number, nowMs: number, retentionMs: number): string {
  const when = isoTime(ts);
  const age = `ts ${when} is ${integerFormat.format(Math.floor((nowMs - ts) / DAY_MS))} days old`;
  const kept = `${dayFormat.format(retentionMs / DAY_MS)} days kept`;
  return nowMs - ts >= retentionMs ? `${age}, older than the ${kept}: camera clock?` : `${age}, about to pass the ${kept}: camera clock?`;
}

function isNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && value >= min && value <= max;
}
