// Compares the index's hits with the naive baseline's, read by read. The naive matcher is not the
// oracle (the property tests are), so disagreements are reported for a person to judge, not failed.
import type { Hit, MatchKind, Read } from '../matcher/index.js';
import type { NaiveHit } from './naive-matcher.js';

export interface Disagreement {
  read: Read;
  onlyIndex: string[];
  onlyNaive: string[];
}

export interface CrossCheck {
  reads: number;
  indexHitsByKind: Record<MatchKind, number>;
  naiveHitsByKind: Record<MatchKind, number>;
  disagreeingReads: number;
  /** The first few disagreements, for the report. */
  examples: Disagreement[];
}

function emptyCounts(): Record<MatchKind, number> {
  return { exact: 0, ocr: 0, partial: 0, fuzzy: 0 };
}

function hitKey(hit: { list: string; entry: string; kind: MatchKind; ocrSubstitutions: number }): string {
  return `${hit.list}:${hit.entry}:${hit.kind}/${hit.ocrSubstitutions}`;
}

export function crossCheck(
  reads: readonly Read[],
  indexHits: (read: Read) => readonly Hit[],
  naiveHits: (read: Read) => readonly NaiveHit[],
  maxExamples = 10,
): CrossCheck {
  const result: CrossCheck = { reads: reads.length, indexHitsByKind: emptyCounts(), naiveHitsByKind: emptyCounts(), disagreeingReads: 0, examples: [] };
  for (const read of reads) {
    const fromIndex = indexHits(read);
    const fromNaive = naiveHits(read);
    for (const hit of fromIndex) result.indexHitsByKind[hit.kind]++;
    for (const hit of fromNaive) result.naiveHitsByKind[hit.kind]++;
    const indexKeys = new Set(fromIndex.map(hitKey));
    const naiveKeys = new Set(fromNaive.map(hitKey));
    const onlyIndex = [...indexKeys].filter((k) => !naiveKeys.has(k));
    const onlyNaive = [...naiveKeys].filter((k) => !indexKeys.has(k));
    if (onlyIndex.length === 0 && onlyNaive.length === 0) continue;
    result.disagreeingReads++;
    if (result.examples.length < maxExamples) result.examples.push({ read, onlyIndex, onlyNaive });
  }
  return result;
}
