// The entries of one trie, stored column by column in the trie's sorted order. Every column is a
// typed array, text and vehicle descriptions included: a list built in a worker thread reaches the
// main thread by transferring a few buffers, with no per-entry string or object for structured
// clone to rebuild. (A million distinct case numbers as JS strings and a million vehicle objects
// stalled the pipeline's event loop for seconds on arrival and took ~400 MB of heap.)
import type { HotlistEntry, VehicleDescription } from './types.js';

const NO_EXPIRY = Number.POSITIVE_INFINITY;
/** `listed` of an entry listed exactly as its normalised plate, the usual case: no text stored. */
const LISTED_AS_PLATE = 0xffff_ffff;
/** Bits of `vehicleFields`: which keys the entry's vehicle had, so it comes back with exactly those. */
const VEHICLE_FIELD = { present: 1, make: 2, model: 4, color: 8, style: 16, year: 32 } as const;
const MAX_YEAR = 0xffff;
const MAX_POOL_BYTES = 0xffff_ffff;

const encoder = new TextEncoder();
// ignoreBOM: a text that starts with U+FEFF keeps it, as any other character.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Recently decoded short strings of one table, by id modulo the slot count. Listing a million
 * entries (ListIndex.entries() on the main thread) decodes the same state, reason, make and colour
 * over and over; without this it took about three times as long as with a pool of JS strings.
 * Bounded, and held weakly by the table's bytes, so it never grows back into a string per entry.
 */
interface DecodedCache {
  ids: Int32Array;
  texts: string[];
}
const DECODED_SLOTS = 1024;
const MAX_CACHED_BYTES = 64;
const decodedCaches = new WeakMap<Uint8Array, DecodedCache>();

function decodedCacheOf(bytes: Uint8Array): DecodedCache {
  let cache = decodedCaches.get(bytes);
  if (cache === undefined) {
    cache = { ids: new Int32Array(DECODED_SLOTS).fill(-1), texts: new Array<string>(DECODED_SLOTS).fill('') };
    decodedCaches.set(bytes, cache);
  }
  return cache;
}

export class EntryTable {
  readonly count: number;
  /** Characters per entry slot in `raw`. */
  readonly width: number;
  /** The normalised plate or pattern as char codes, entry p at [p * width, p * width + rawLength[p]). */
  readonly raw: Uint8Array;
  readonly rawLength: Uint8Array;
  readonly expiresAt: Float64Array;
  /**
   * Distinct strings of every text column as UTF-8: string id i is `textBytes[textOffsets[i],
   * textOffsets[i + 1])`. Id 0 is the empty string, which also stands for an absent state.
   */
  private readonly textBytes: Uint8Array;
  private readonly textOffsets: Uint32Array;
  private readonly state: Uint32Array;
  private readonly reason: Uint32Array;
  private readonly caseNumber: Uint32Array;
  private readonly enteredBy: Uint32Array;
  private readonly synopsis: Uint32Array;
  /** The text as listed (`7ABC-123`), or LISTED_AS_PLATE. */
  private readonly listed: Uint32Array;
  private readonly vehicleFields: Uint8Array;
  private readonly vehicleMake: Uint32Array;
  private readonly vehicleModel: Uint32Array;
  private readonly vehicleColor: Uint32Array;
  private readonly vehicleStyle: Uint32Array;
  private readonly vehicleYear: Uint16Array;

  /** `entries[order[p]]` becomes row p. */
  constructor(entries: readonly HotlistEntry[], order: Int32Array, width: number) {
    const count = order.length;
    this.count = count;
    this.width = width;
    this.raw = new Uint8Array(count * width);
    this.rawLength = new Uint8Array(count);
    this.expiresAt = new Float64Array(count);
    this.state = new Uint32Array(count);
    this.reason = new Uint32Array(count);
    this.caseNumber = new Uint32Array(count);
    this.enteredBy = new Uint32Array(count);
    this.synopsis = new Uint32Array(count);
    this.listed = new Uint32Array(count);
    this.vehicleFields = new Uint8Array(count);
    this.vehicleMake = new Uint32Array(count);
    this.vehicleModel = new Uint32Array(count);
    this.vehicleColor = new Uint32Array(count);
    this.vehicleStyle = new Uint32Array(count);
    this.vehicleYear = new Uint16Array(count);
    const pool = new TextPoolBuilder();
    for (let p = 0; p < count; p++) {
      const e = entries[order[p] as number] as HotlistEntry;
      const plate = e.plate;
      for (let i = 0; i < plate.length; i++) this.raw[p * width + i] = plate.charCodeAt(i);
      this.rawLength[p] = plate.length;
      this.expiresAt[p] = e.expiresAt ?? NO_EXPIRY;
      this.state[p] = pool.intern(e.state);
      this.reason[p] = pool.intern(e.reason);
      this.caseNumber[p] = pool.intern(e.caseNumber);
      this.enteredBy[p] = pool.intern(e.enteredBy);
      this.synopsis[p] = pool.intern(e.synopsis);
      this.listed[p] = e.listed === plate ? LISTED_AS_PLATE : pool.intern(e.listed);
      const vehicle = e.vehicle;
      if (vehicle !== undefined) this.setVehicle(p, vehicle, pool);
    }
    const { bytes, offsets } = pool.encode();
    this.textBytes = bytes;
    this.textOffsets = offsets;
  }

  plate(p: number): string {
    let text = '';
    const start = p * this.width;
    const end = start + (this.rawLength[p] as number);
    for (let i = start; i < end; i++) text += String.fromCharCode(this.raw[i] as number);
    return text;
  }

  /** The entry as it was listed: for hits and listings, never on the per-read path. */
  entry(p: number, list: string, isPattern: boolean): HotlistEntry {
    const plate = this.plate(p);
    const listed = this.listed[p] as number;
    const cache = decodedCacheOf(this.textBytes);
    const entry: HotlistEntry = {
      list,
      listed: listed === LISTED_AS_PLATE ? plate : this.text(listed, cache),
      plate,
      isPattern,
      reason: this.text(this.reason[p] as number, cache),
      caseNumber: this.text(this.caseNumber[p] as number, cache),
      enteredBy: this.text(this.enteredBy[p] as number, cache),
      synopsis: this.text(this.synopsis[p] as number, cache),
    };
    const state = this.state[p] as number;
    if (state !== 0) entry.state = this.text(state, cache);
    const expiresAt = this.expiresAt[p] as number;
    if (expiresAt !== NO_EXPIRY) entry.expiresAt = expiresAt;
    const vehicle = this.vehicle(p, cache);
    if (vehicle !== undefined) entry.vehicle = vehicle;
    return entry;
  }

  private setVehicle(p: number, vehicle: VehicleDescription, pool: TextPoolBuilder): void {
    let fields: number = VEHICLE_FIELD.present;
    if (vehicle.make !== undefined) {
      fields |= VEHICLE_FIELD.make;
      this.vehicleMake[p] = pool.intern(vehicle.make);
    }
    if (vehicle.model !== undefined) {
      fields |= VEHICLE_FIELD.model;
      this.vehicleModel[p] = pool.intern(vehicle.model);
    }
    if (vehicle.color !== undefined) {
      fields |= VEHICLE_FIELD.color;
      this.vehicleColor[p] = pool.intern(vehicle.color);
    }
    if (vehicle.style !== undefined) {
      fields |= VEHICLE_FIELD.style;
      this.vehicleStyle[p] = pool.intern(vehicle.style);
    }
    const year = vehicle.year;
    if (year !== undefined) {
      // validateEntry allows 1900–2100; anything a Uint16Array would silently change is a bug upstream.
      if (!Number.isInteger(year) || year < 0 || year > MAX_YEAR) {
        throw new RangeError(`vehicle year ${year} of the entry for ${vehicle.make ?? 'a vehicle'} is not a whole number 0–${MAX_YEAR}`);
      }
      fields |= VEHICLE_FIELD.year;
      this.vehicleYear[p] = year;
    }
    this.vehicleFields[p] = fields;
  }

  /** A new object each call, with the keys in validateEntry's order: a hit may be changed by its receiver. */
  private vehicle(p: number, cache: DecodedCache): VehicleDescription | undefined {
    const fields = this.vehicleFields[p] as number;
    if (fields === 0) return undefined;
    const vehicle: VehicleDescription = {};
    if ((fields & VEHICLE_FIELD.make) !== 0) vehicle.make = this.text(this.vehicleMake[p] as number, cache);
    if ((fields & VEHICLE_FIELD.model) !== 0) vehicle.model = this.text(this.vehicleModel[p] as number, cache);
    if ((fields & VEHICLE_FIELD.color) !== 0) vehicle.color = this.text(this.vehicleColor[p] as number, cache);
    if ((fields & VEHICLE_FIELD.style) !== 0) vehicle.style = this.text(this.vehicleStyle[p] as number, cache);
    if ((fields & VEHICLE_FIELD.year) !== 0) vehicle.year = this.vehicleYear[p] as number;
    return vehicle;
  }

  private text(id: number, cache: DecodedCache): string {
    if (id === 0) return '';
    const slot = id % DECODED_SLOTS;
    if (cache.ids[slot] === id) return cache.texts[slot] as string;
    const start = this.textOffsets[id] as number;
    const end = this.textOffsets[id + 1] as number;
    const text = decoder.decode(this.textBytes.subarray(start, end));
    if (end - start <= MAX_CACHED_BYTES) {
      cache.ids[slot] = id;
      cache.texts[slot] = text;
    }
    return text;
  }
}

/**
 * Gives each distinct string an id while the table is built, then writes them all once into one
 * byte array. The Map lives only as long as the build.
 */
class TextPoolBuilder {
  private readonly ids = new Map<string, number>([['', 0]]);
  private readonly texts: string[] = [''];

  /** Absent text gets id 0, the same as the empty string. */
  intern(text: string | undefined): number {
    if (text === undefined || text === '') return 0;
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(text);
      this.ids.set(text, id);
    }
    return id;
  }

  /**
   * UTF-8, as TextEncoder writes it: a lone surrogate (not valid Unicode, never typed on a
   * keyboard) comes back as U+FFFD.
   */
  encode(): { bytes: Uint8Array; offsets: Uint32Array } {
    const texts = this.texts;
    const offsets = new Uint32Array(texts.length + 1);
    let total = 0;
    for (let id = 0; id < texts.length; id++) {
      offsets[id] = total;
      total += utf8Length(texts[id] as string);
      if (total > MAX_POOL_BYTES) throw new RangeError(`the text of one hot list is over ${MAX_POOL_BYTES} bytes of UTF-8`);
    }
    offsets[texts.length] = total;
    const bytes = new Uint8Array(total);
    for (let id = 1; id < texts.length; id++) {
      encoder.encodeInto(texts[id] as string, bytes.subarray(offsets[id] as number, offsets[id + 1] as number));
    }
    return { bytes, offsets };
  }
}

/** Bytes of `text` in UTF-8, counting a lone surrogate as TextEncoder writes it (U+FFFD, 3 bytes). */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: two UTF-16 units, four bytes.
      bytes += 2;
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
