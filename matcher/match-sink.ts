// Where the per-read search writes what it found: parallel typed arrays reused for every read,
// so a read that hits nothing allocates nothing. Hits are assembled from it afterwards.

export const KIND_RANK = { exact: 0, ocr: 1, partial: 2, fuzzy: 3 } as const;

export class MatchSink {
  count = 0;
  slot: Int32Array;
  isPattern: Uint8Array;
  position: Int32Array;
  kindRank: Uint8Array;
  ocrSubstitutions: Uint8Array;
  candidate: Uint16Array;

  constructor(capacity = 256) {
    this.slot = new Int32Array(capacity);
    this.isPattern = new Uint8Array(capacity);
    this.position = new Int32Array(capacity);
    this.kindRank = new Uint8Array(capacity);
    this.ocrSubstitutions = new Uint8Array(capacity);
    this.candidate = new Uint16Array(capacity);
  }

  add(slot: number, isPattern: number, position: number, kindRank: number, ocrSubstitutions: number, candidate: number): void {
    if (this.count === this.slot.length) this.grow();
    const k = this.count++;
    this.slot[k] = slot;
    this.isPattern[k] = isPattern;
    this.position[k] = position;
    this.kindRank[k] = kindRank;
    this.ocrSubstitutions[k] = ocrSubstitutions;
    this.candidate[k] = candidate;
  }

  /** A read that matches hundreds of entries is pathological but must not lose any: grow, never drop. */
  private grow(): void {
    const size = this.slot.length * 2;
    const copy = <T extends Int32Array | Uint8Array | Uint16Array>(from: T, make: (n: number) => T): T => {
      const to = make(size);
      to.set(from);
      return to;
    };
    this.slot = copy(this.slot, (n) => new Int32Array(n));
    this.isPattern = copy(this.isPattern, (n) => new Uint8Array(n));
    this.position = copy(this.position, (n) => new Int32Array(n));
    this.kindRank = copy(this.kindRank, (n) => new Uint8Array(n));
    this.ocrSubstitutions = copy(this.ocrSubstitutions, (n) => new Uint8Array(n));
    this.candidate = copy(this.candidate, (n) => new Uint16Array(n));
  }
}
