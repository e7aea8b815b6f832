// The off-the-shelf comparison: @datastructures-js/trie over the OCR-mapped plates of the general
// lists. It answers only "is some listed plate OCR-equivalent to this one?": it cannot return the
// entry, apply the substitution cap, or search within one edit or by pattern, so it is measured
// for exact/OCR membership only.
import { Trie } from '@datastructures-js/trie';
import type { HotlistEntry, OcrAlphabet } from '../matcher/index.js';

export class LibraryTrieBaseline {
  private readonly trie = new Trie();

  constructor(private readonly alphabet: OcrAlphabet) {}

  insertAll(entries: readonly HotlistEntry[]): void {
    for (const entry of entries) if (!entry.isPattern) this.trie.insert(this.alphabet.mapPlate(entry.plate));
  }

  hasOcrEquivalent(plate: string): boolean {
    return this.trie.has(this.alphabet.mapPlate(plate));
  }

  get nodeCount(): number {
    return this.trie.nodesCount();
  }
}
