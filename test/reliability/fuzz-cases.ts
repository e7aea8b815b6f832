// Fuzz cases for the camera wire decoder (issue 8): random bytes, mutated valid messages and
// structurally random msgpack/JSON, all from a seeded PRNG so a failing case can be replayed by
// its seed and index. `checkDecoded` states what every decode must satisfy, whatever the input.
import { Packr } from 'msgpackr';
import { decodeReadMessage, isSubjectToken, JSON_CONTENT_TYPE, MAX_VEHICLE_TEXT_LENGTH, type DecodedMessage } from '../../ingest/index.js';
import { MAX_REASON_LENGTH } from '../../matcher/index.js';

export const FUZZ_AGENCY = 'wpd';

/** mulberry32: tiny, fast and good enough to spread fuzz inputs; the seed makes every run repeatable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzCase {
  kind: 'bytes' | 'mutated' | 'structured' | 'json';
  data: Uint8Array;
  contentType: string | undefined;
}

// Records on: the decoder has them off, so record-encoded input must be refused, not misread.
const recordPackr = new Packr({ useRecords: true });
const plainPackr = new Packr({ useRecords: false });

/** Bytes that sit on msgpack's type boundaries: nil, never-used 0xc1, ext, str/bin/array/map headers. */
const INTERESTING_BYTES = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc7, 0xc9, 0xca, 0xcb, 0xcf, 0xd3, 0xd4, 0xd8, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff];
const FIELD_NAMES = ['v', 'id', 'agency', 'camera', 'ts', 'plate', 'conf', 'state', 'candidates', 'lat', 'lon', 'heading', 'vehicle', 'image', '__proto__', 'constructor', 'toString', ''];

export class FuzzGenerator {
  private readonly rnd: () => number;

  constructor(
    readonly seed: number,
    private readonly nowMs: number,
  ) {
    this.rnd = prng(seed);
  }

  private int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** A read that decodes cleanly, varied so mutations hit every field and both encodings. */
  validRead(i: number): Record<string, unknown> {
    const read: Record<string, unknown> = {
      v: 1,
      id: this.rnd() < 0.2 ? i : `fz-${this.seed}-${i}`,
      agency: FUZZ_AGENCY,
      camera: `cam${this.int(20)}`,
      ts: this.nowMs - this.int(3_600_000),
      plate: this.plate(),
      conf: Math.round(this.rnd() * 100) / 100,
    };
    if (this.rnd() < 0.5) read['state'] = this.pick(['CA', 'NV', 'or', 'TX']);
    if (this.rnd() < 0.3) read['candidates'] = [{ plate: this.plate(), conf: 0.4 }, { plate: this.plate() }];
    if (this.rnd() < 0.3) Object.assign(read, { lat: 36.9 + this.rnd(), lon: -121.7 - this.rnd() });
    if (this.rnd() < 0.2) read['heading'] = this.int(361);
    if (this.rnd() < 0.2) read['vehicle'] = { make: 'TOYT', model: 'CAM', year: 2001 + this.int(25), color: 'BLK', type: 'SUV' };
    if (this.rnd() < 0.1) read['image'] = `s3://img/${i}.jpg`;
    return read;
  }

  private plate(): string {
    const alphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
    let p = '';
    for (let n = 2 + this.int(7); n > 0; n--) p += alphabet[this.int(alphabet.length)];
    return p;
  }

  private randomBytes(max: number): Uint8Array {
    const out = new Uint8Array(this.int(max + 1));
    for (let i = 0; i < out.length; i++) out[i] = this.rnd() < 0.2 ? this.pick(INTERESTING_BYTES) : this.int(256);
    return out;
  }

  /** A value of any msgpack-representable shape, nested up to `depth`. */
  private value(depth: number): unknown {
    switch (this.int(depth > 0 ? 16 : 13)) {
      case 0: return null;
      case 1: return this.rnd() < 0.5;
      case 2: return this.int(2 ** 31) - 2 ** 30;
      case 3: return this.pick([0, -0, -1, 1, 0.5, 1.0000001, 2 ** 53, -(2 ** 53), 2 ** 64, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity]);
      case 4: return this.rnd() * 1e13;
      case 5: return this.plate();
      case 6: return this.pick(['', ' ', '\u0000', '\r\n', 'wpd\r\nX-Injected: 1', 'a\u2028b', '\ud800', '💥', '../../etc/passwd', "' OR 1=1 --", '0'.repeat(200), 'x'.repeat(2000)]);
      case 7: return this.randomBytes(16);
      case 8: return new Date(this.int(2 ** 41));
      case 9: return FUZZ_AGENCY;
      case 10: return this.nowMs - this.int(1000);
      case 11: return `cam${this.int(5)}`;
      case 12: return BigInt(this.int(2 ** 31)) * 4294967296n;
      case 13: return Array.from({ length: this.int(12) }, () => this.value(depth - 1));
      case 14: return this.map(depth - 1);
      default: return merge(this.validRead(0), this.map(depth - 1));
    }
  }

  private map(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let n = this.int(10); n > 0; n--) define(out, this.rnd() < 0.8 ? this.pick(FIELD_NAMES) : String.fromCharCode(this.int(0x3000)), this.value(depth));
    return out;
  }

  private mutate(bytes: Uint8Array): Uint8Array {
    let out: Uint8Array = Uint8Array.from(bytes);
    for (let n = 1 + this.int(4); n > 0; n--) {
      const at = this.int(out.length + 1);
      switch (this.int(6)) {
        case 0: if (at < out.length) out[at] = (out[at] as number) ^ (1 << this.int(8)); break;
        case 1: if (at < out.length) out[at] = this.pick(INTERESTING_BYTES); break;
        case 2: out = concat(out.subarray(0, at), this.randomBytes(8), out.subarray(at)); break;
        case 3: out = concat(out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + this.int(8)))); break;
        case 4: out = out.subarray(0, at); break;
        default: out = concat(out, out.subarray(this.int(out.length + 1))); break;
      }
    }
    return out;
  }

  private pack(value: unknown): Uint8Array {
    return this.rnd() < 0.1 ? recordPackr.pack(value) : plainPackr.pack(value);
  }

  next(i: number): FuzzCase {
    const r = this.rnd();
    if (r < 0.15) return { kind: 'bytes', data: this.randomBytes(200), contentType: undefined };
    if (r < 0.6) {
      const valid = this.rnd() < 0.8 ? this.validRead(i) : Array.from({ length: 1 + this.int(5) }, (_, k) => this.validRead(i * 10 + k));
      return { kind: 'mutated', data: this.mutate(plainPackr.pack(valid)), contentType: undefined };
    }
    if (r < 0.9) {
      const value = this.rnd() < 0.6 ? merge(this.validRead(i), this.map(2)) : this.value(3);
      return { kind: 'structured', data: this.pack(value), contentType: undefined };
    }
    const valid = this.validRead(i);
    const text = this.rnd() < 0.5 ? JSON.stringify(valid) : JSON.stringify(this.value(2), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) ?? 'undefined';
    const bytes = new TextEncoder().encode(text);
    return { kind: 'json', data: this.rnd() < 0.5 ? this.mutate(bytes) : bytes, contentType: this.pick([JSON_CONTENT_TYPE, 'application/json; charset=utf-8', 'APPLICATION/JSON']) };
  }
}

/** Own data properties only: a "__proto__" key stays a key (plain assignment would set the prototype). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function merge(target: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(extra)) define(target, key, extra[key]);
  return target;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const PLATE = /^[A-Z0-9]{2,8}$/;
const EARLIEST_TS = Date.UTC(2000, 0, 1);

/**
 * What every decode must satisfy: at least one outcome; each refusal has a reason of at most
 * MAX_REASON_LENGTH characters and a valid index; each accepted read meets the wire rules
 * (docs/wire.md). Returns the problems found.
 */
export function checkDecoded(out: DecodedMessage, nowMs: number): string[] {
  const problems: string[] = [];
  if (out.reads.length + out.invalid.length === 0) problems.push('neither a read nor a refusal');
  for (const inv of out.invalid) {
    if (typeof inv.reason !== 'string' || inv.reason.trim() === '') problems.push('a refusal without a reason');
    else if (inv.reason.length > MAX_REASON_LENGTH) problems.push(`a reason of ${inv.reason.length} characters`);
    if (!Number.isInteger(inv.index) || inv.index < -1) problems.push(`refusal index ${inv.index}`);
  }
  for (const read of out.reads) {
    if (read.v !== 1) problems.push(`read v ${String(read.v)}`);
    if (typeof read.id !== 'string' || read.id.trim() === '' || read.id.length > 128) problems.push(`read id ${JSON.stringify(read.id)}`);
    if (read.agency !== FUZZ_AGENCY) problems.push(`read agency ${JSON.stringify(read.agency)}`);
    if (typeof read.camera !== 'string' || !isSubjectToken(read.camera)) problems.push(`read camera ${JSON.stringify(read.camera)}`);
    if (!PLATE.test(read.plate)) problems.push(`read plate ${JSON.stringify(read.plate)}`);
    if (!Number.isFinite(read.ts) || read.ts < EARLIEST_TS || read.ts > nowMs + 24 * 3600 * 1000) problems.push(`read ts ${read.ts}`);
    if (!(read.conf >= 0 && read.conf <= 1)) problems.push(`read conf ${read.conf}`);
    for (const c of read.candidates ?? []) if (!PLATE.test(c.plate)) problems.push(`candidate plate ${JSON.stringify(c.plate)}`);
    for (const name of ['make', 'model', 'color', 'type'] as const) {
      const text = read.vehicle?.[name];
      if (text !== undefined && text.length > MAX_VEHICLE_TEXT_LENGTH) problems.push(`vehicle.${name} of ${text.length} characters`);
    }
  }
  return problems;
}

export interface FuzzSummary {
  seed: number;
  cases: number;
  byKind: Record<FuzzCase['kind'], number>;
  messagesWithReads: number;
  reads: number;
  refusals: number;
  failures: Array<{ index: number; kind: string; problem: string }>;
}

/** Runs `cases` cases from `seed` straight through the decoder. A throw counts as a failure. */
export function fuzzDecoder(seed: number, cases: number, nowMs: number): FuzzSummary {
  const gen = new FuzzGenerator(seed, nowMs);
  const summary: FuzzSummary = { seed, cases, byKind: { bytes: 0, mutated: 0, structured: 0, json: 0 }, messagesWithReads: 0, reads: 0, refusals: 0, failures: [] };
  for (let i = 0; i < cases; i++) {
    const c = gen.next(i);
    summary.byKind[c.kind]++;
    let out: DecodedMessage;
    try {
      out = decodeReadMessage(c.data, c.contentType, FUZZ_AGENCY, nowMs);
    } catch (error) {
      summary.failures.push({ index: i, kind: c.kind, problem: `threw: ${(error as Error).message}` });
      continue;
    }
    if (out.reads.length > 0) summary.messagesWithReads++;
    summary.reads += out.reads.length;
    summary.refusals += out.invalid.length;
    for (const problem of checkDecoded(out, nowMs)) summary.failures.push({ index: i, kind: c.kind, problem });
  }
  return summary;
}
