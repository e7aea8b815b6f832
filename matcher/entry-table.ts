// The entries of one trie, stored column by column in the trie's sorted order: a million entries
// become a few typed arrays and a pool of distinct strings instead of a million objects.
import type { HotlistEntry, VehicleDescription } from './types.js';

const NO_EXPIRY = Number.POSITIVE_INFINITY;

export class EntryTable {
  readonly count: number;
  /** Characters per entry slot in `raw`. */
  readonly width: number;
  /** The normalised plate or pattern as char codes, entry p at [p * width, p * width + rawLength[p]). */
  readonly raw: Uint8Array;
  readonly rawLength: Uint8Array;
  readonly expiresAt: Float64Array;
  private readonly state: Uint32Array;
  private readonly reason: Uint32Array;
  private readonly caseNumber: Uint32Array;
  private readonly enteredBy: Uint32Array;
  private readonly synopsis: Uint32Array;
  /** Distinct strings of every text column; id 0 is the empty string. */
  private readonly strings: string[];
  /** Only entries whose listed text differs from the normalised plate (`7ABC-123`). */
  private readonly listedText: Map<number, string>;
  private readonly vehicles: Map<number, VehicleDescription>;

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
    this.strings = [''];
    this.listedText = new Map();
    this.vehicles = new Map();
    const ids = new Map<string, number>([['', 0]]);
    const intern = (text: string | undefined): number => {
      if (text === undefined || text === '') return 0;
      let id = ids.get(text);
      if (id === undefined) {
        id = this.strings.length;
        this.strings.push(text);
        ids.set(text, id);
      }
      return id;
    };
    for (let p = 0; p < count; p++) {
      const e = entries[order[p] as number] as HotlistEntry;
      const plate = e.plate;
      for (let i = 0; i < plate.length; i++) this.raw[p * width + i] = plate.charCodeAt(i);
      this.rawLength[p] = plate.length;
      this.expiresAt[p] = e.expiresAt ?? NO_EXPIRY;
      this.state[p] = intern(e.state);
      this.reason[p] = intern(e.reason);
      this.caseNumber[p] = intern(e.caseNumber);
      this.enteredBy[p] = intern(e.enteredBy);
      this.synopsis[p] = intern(e.synopsis);
      if (e.listed !== plate) this.listedText.set(p, e.listed);
      if (e.vehicle !== undefined) this.vehicles.set(p, e.vehicle);
    }
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
    const entry: HotlistEntry = {
      list,
      listed: this.listedText.get(p) ?? plate,
      plate,
      isPattern,
      reason: this.strings[this.reason[p] as number] as string,
      caseNumber: this.strings[this.caseNumber[p] as number] as string,
      enteredBy: this.strings[this.enteredBy[p] as number] as string,
      synopsis: this.strings[this.synopsis[p] as number] as string,
    };
    const state = this.state[p] as number;
    if (state !== 0) entry.state = this.strings[state] as string;
    const expiresAt = this.expiresAt[p] as number;
    if (expiresAt !== NO_EXPIRY) entry.expiresAt = expiresAt;
    const vehicle = this.vehicles.get(p);
    if (vehicle !== undefined) entry.vehicle = vehicle;
    return entry;
  }
}
