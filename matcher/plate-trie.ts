// A compact trie over OCR-mapped plates (or partial patterns), held in typed arrays so a
// million-entry list costs tens of bytes per entry and a lookup allocates nothing.
//
// Layout: nodes are numbered breadth-first, so the children of node u are the contiguous run
// [childStart[u], childStart[u + 1]) sorted by label. The top levels, where nearly every label
// has a child, also get a dense row per node (`dense[u * stride + label]`), so the steps every
// search takes near the root cost one array read instead of a scan of up to 27 labels. Keys are sorted (LSD radix sort) before
// the build, so the keys that end at a node form one contiguous run of sorted positions:
// `terminalStart[u]` is its first position, and `sameKeyAsNext[p]` says whether the run goes on.

/** Widest key the trie stores: a pattern has at most 8 fixed characters and a `*` between each. */
export const MAX_KEY_LENGTH = 17;

export interface TrieKeys {
  /** Key k's symbols live at [k * MAX_KEY_LENGTH, k * MAX_KEY_LENGTH + lengths[k]); symbols are 1..255. */
  symbols: Uint8Array;
  lengths: Uint8Array;
  count: number;
}

/** Builds the trie; `order` maps sorted position → original key index, for ordering entry columns. */
export function buildPlateTrie(keys: TrieKeys): { trie: PlateTrie; order: Int32Array } {
  const order = sortKeys(keys);
  return { trie: new PlateTrie(keys, order), order };
}

/** A level gets dense rows while its nodes average at least this many children. */
const DENSE_MIN_FANOUT = 4;

export class PlateTrie {
  /** For each sorted position, 1 when the next position holds the same key. */
  readonly sameKeyAsNext: Uint8Array;
  readonly nodeCount: number;
  private readonly labels: Uint8Array;
  private readonly childStart: Int32Array;
  private readonly terminalStart: Int32Array;
  /** Nodes [0, denseCount) have dense child rows. */
  private readonly denseCount: number;
  private readonly stride: number;
  private readonly dense: Int32Array;

  /** `order` must be `keys` sorted as `sortKeys` does; use `buildPlateTrie`. */
  constructor(keys: TrieKeys, order: Int32Array) {
    const { symbols, lengths, count } = keys;
    const sameKeyAsNext = new Uint8Array(count);
    for (let p = 0; p + 1 < count; p++) {
      if (keysEqual(symbols, lengths, order[p] as number, order[p + 1] as number)) sameKeyAsNext[p] = 1;
    }
    this.sameKeyAsNext = sameKeyAsNext;

    let totalSymbols = 0;
    for (let k = 0; k < count; k++) totalSymbols += lengths[k] as number;
    const maxNodes = totalSymbols + 1;
    const labels = new Uint8Array(maxNodes);
    const childStart = new Int32Array(maxNodes + 1);
    const terminalStart = new Int32Array(maxNodes).fill(-1);
    const rangeStart = new Int32Array(maxNodes);
    const rangeEnd = new Int32Array(maxNodes);
    const depthOf = new Uint8Array(maxNodes);
    rangeEnd[0] = count;
    let nodes = 1;
    for (let u = 0; u < nodes; u++) {
      childStart[u] = nodes;
      const depth = depthOf[u] as number;
      let p = rangeStart[u] as number;
      const end = rangeEnd[u] as number;
      // Shorter keys sort first, so the keys ending here lead the range.
      if (p < end && lengths[order[p] as number] === depth) {
        terminalStart[u] = p;
        while (p < end && lengths[order[p] as number] === depth) p++;
      }
      while (p < end) {
        const label = symbols[(order[p] as number) * MAX_KEY_LENGTH + depth] as number;
        const child = nodes++;
        labels[child] = label;
        depthOf[child] = depth + 1;
        rangeStart[child] = p;
        while (p < end && symbols[(order[p] as number) * MAX_KEY_LENGTH + depth] === label) p++;
        rangeEnd[child] = p;
      }
    }
    childStart[nodes] = nodes;
    this.nodeCount = nodes;
    this.labels = labels.slice(0, nodes);
    this.childStart = childStart.slice(0, nodes + 1);
    this.terminalStart = terminalStart.slice(0, nodes);

    let maxLabel = 0;
    for (let u = 1; u < nodes; u++) if ((labels[u] as number) > maxLabel) maxLabel = labels[u] as number;
    this.stride = maxLabel + 1;
    this.denseCount = denseLevels(depthOf, nodes, this.childStart);
    this.dense = new Int32Array(this.denseCount * this.stride).fill(-1);
    for (let u = 0; u < this.denseCount; u++) {
      const end = this.childStart[u + 1] as number;
      for (let c = this.childStart[u] as number; c < end; c++) this.dense[u * this.stride + (labels[c] as number)] = c;
    }
  }

  /** The child of `node` labelled `label`, or -1. */
  child(node: number, label: number): number {
    if (node < this.denseCount) return label < this.stride ? (this.dense[node * this.stride + label] as number) : -1;
    const labels = this.labels;
    const end = this.childStart[node + 1] as number;
    for (let c = this.childStart[node] as number; c < end; c++) {
      const l = labels[c] as number;
      if (l === label) return c;
      if (l > label) return -1;
    }
    return -1;
  }

  /** First sorted position of the keys equal to `symbols[from, to)` below `node`, or -1. */
  findFrom(node: number, symbols: Uint8Array, from: number, to: number): number {
    let u = node;
    for (let i = from; i < to && u >= 0; i++) u = this.child(u, symbols[i] as number);
    return u < 0 ? -1 : (this.terminalStart[u] as number);
  }

  /** First sorted position of the keys equal to `symbols[0, length)`, or -1. */
  find(symbols: Uint8Array, length: number): number {
    return this.findFrom(0, symbols, 0, length);
  }

  /**
   * Every key within edit distance 1 of `symbols[0, length)` whose edit falls at read position
   * `firstEditAt` or later (an insertion at i goes before the read's character i): writes the
   * first sorted position of each key run into `found`, starting at `count`, and returns the new
   * count (a run can appear twice when two edits reach it; callers dedupe). Walks the exact path
   * and, from `firstEditAt` on, tries one substitution, insertion or deletion followed by an exact
   * walk of the rest. With `firstEditAt` at half the plate, branching happens only in the sparse
   * deep levels; a trie of the reversed keys covers edits in the first half.
   */
  findWithinOneEdit(symbols: Uint8Array, length: number, firstEditAt: number, found: Int32Array, count: number): number {
    const labels = this.labels;
    let u = 0;
    for (let i = 0; i <= length; i++) {
      if (i < firstEditAt) {
        u = this.child(u, symbols[i] as number);
        if (u < 0) break;
        continue;
      }
      const cStart = this.childStart[u] as number;
      const cEnd = this.childStart[u + 1] as number;
      if (i === length) {
        const t = this.terminalStart[u] as number;
        if (t >= 0 && count < found.length) found[count++] = t;
      } else {
        const t = this.findFrom(u, symbols, i + 1, length); // deletion of the read's character i
        if (t >= 0 && count < found.length) found[count++] = t;
      }
      const here = i < length ? (symbols[i] as number) : -1;
      for (let c = cStart; c < cEnd; c++) {
        const t = this.findFrom(c, symbols, i, length); // the entry has an extra character here
        if (t >= 0 && count < found.length) found[count++] = t;
        if (i < length && labels[c] !== here) {
          const s = this.findFrom(c, symbols, i + 1, length); // substitution
          if (s >= 0 && count < found.length) found[count++] = s;
        }
      }
      if (i === length) break;
      u = this.child(u, here);
      if (u < 0) break;
    }
    return count;
  }

  /**
   * Every pattern key that matches `symbols[0, length)`, where label `anyOne` matches one symbol
   * and `anyRun` any run of them. Same output contract as `findWithinOneEdit`.
   */
  findPatterns(symbols: Uint8Array, length: number, anyOne: number, anyRun: number, found: Int32Array): number {
    return this.walkPatterns(0, symbols, 0, length, anyOne, anyRun, found, 0);
  }

  private walkPatterns(
    node: number,
    symbols: Uint8Array,
    i: number,
    length: number,
    anyOne: number,
    anyRun: number,
    found: Int32Array,
    count: number,
  ): number {
    if (i === length) {
      const t = this.terminalStart[node] as number;
      if (t >= 0 && count < found.length) found[count++] = t;
    }
    // Wildcard labels are the two largest, so they sort last among the children: look at the
    // last two, then find the literal child directly, rather than scanning every child.
    const labels = this.labels;
    const cStart = this.childStart[node] as number;
    let c = (this.childStart[node + 1] as number) - 1;
    if (c >= cStart && labels[c] === anyRun) {
      for (let j = i; j <= length; j++) count = this.walkPatterns(c, symbols, j, length, anyOne, anyRun, found, count);
      c--;
    }
    if (i < length) {
      if (c >= cStart && labels[c] === anyOne) count = this.walkPatterns(c, symbols, i + 1, length, anyOne, anyRun, found, count);
      const literal = this.child(node, symbols[i] as number);
      if (literal >= 0) count = this.walkPatterns(literal, symbols, i + 1, length, anyOne, anyRun, found, count);
    }
    return count;
  }
}

/** How many nodes (a prefix of the BFS numbering: whole levels from the root) get dense rows. */
function denseLevels(depthOf: Uint8Array, nodes: number, childStart: Int32Array): number {
  let levelStart = 0;
  while (levelStart < nodes) {
    const depth = depthOf[levelStart] as number;
    let levelEnd = levelStart;
    while (levelEnd < nodes && depthOf[levelEnd] === depth) levelEnd++;
    const children = (childStart[levelEnd] as number) - (childStart[levelStart] as number);
    if (children < DENSE_MIN_FANOUT * (levelEnd - levelStart)) return levelStart;
    levelStart = levelEnd;
  }
  return levelStart;
}

function keysEqual(symbols: Uint8Array, lengths: Uint8Array, a: number, b: number): boolean {
  const n = lengths[a] as number;
  if (n !== lengths[b]) return false;
  const oa = a * MAX_KEY_LENGTH;
  const ob = b * MAX_KEY_LENGTH;
  for (let i = 0; i < n; i++) if (symbols[oa + i] !== symbols[ob + i]) return false;
  return true;
}

/**
 * Stable LSD radix sort of key indices, one counting pass per symbol position from the last to
 * the first. Positions past a key's end count as 0, so a key sorts before its extensions.
 */
function sortKeys({ symbols, lengths, count }: TrieKeys): Int32Array {
  let maxLength = 0;
  let maxSymbol = 0;
  for (let k = 0; k < count; k++) {
    const n = lengths[k] as number;
    if (n > maxLength) maxLength = n;
    for (let i = 0; i < n; i++) {
      const s = symbols[k * MAX_KEY_LENGTH + i] as number;
      if (s > maxSymbol) maxSymbol = s;
    }
  }
  let from = new Int32Array(count);
  let to = new Int32Array(count);
  for (let k = 0; k < count; k++) from[k] = k;
  const buckets = new Int32Array(maxSymbol + 2);
  for (let pos = maxLength - 1; pos >= 0; pos--) {
    buckets.fill(0);
    for (let p = 0; p < count; p++) {
      const k = from[p] as number;
      const s = pos < (lengths[k] as number) ? (symbols[k * MAX_KEY_LENGTH + pos] as number) : 0;
      buckets[s + 1] = (buckets[s + 1] as number) + 1;
    }
    for (let b = 1; b < buckets.length; b++) buckets[b] = (buckets[b] as number) + (buckets[b - 1] as number);
    for (let p = 0; p < count; p++) {
      const k = from[p] as number;
      const s = pos < (lengths[k] as number) ? (symbols[k * MAX_KEY_LENGTH + pos] as number) : 0;
      const slot = buckets[s] as number;
      to[slot] = k;
      buckets[s] = slot + 1;
    }
    const swap = from;
    from = to;
    to = swap;
  }
  return from;
}
