// Trial (session 12): an exact, position-aware plate index. Each plate is indexed as its 4-grams
// tagged with where they start ('7ABC123' → '17ABC', '2ABC1', '3BC12', '4C123'), in a text
// (inverted) index with the array tokenizer. A query names the tokens its pattern must hold, and
// ClickHouse answers them from the posting lists, row by row, not granule by granule.
import { MAX_PLATE_LENGTH } from '../../matcher/config.js';

/** The indexed expression; a query must repeat it verbatim for ClickHouse to use the index. */
export const POSITIONAL_GRAMS =
  'arrayMap(i -> concat(toString(i), substring(plate_ocr, i, 4)), range(1, toUInt64(greatest(length(plate_ocr), 3)) - 2))';

/**
 * The index condition for a LIKE pattern over plate_ocr (`_` one character, `%` any run), or
 * undefined when it has no run of 4 known characters. The longest run is looked up: at its one
 * position when no `%` comes before it, else at every position a plate of MAX_PLATE_LENGTH allows.
 * A run of 5 or more needs all its 4-grams at consecutive positions of one plate. The caller keeps
 * the LIKE: the condition narrows, the LIKE decides.
 */
export function positionalGramFilter(like: string): string | undefined {
  let best = { start: 0, length: 0 };
  for (const m of like.matchAll(/[^%_]+/g)) if (m[0].length > best.length) best = { start: m.index, length: m[0].length };
  if (best.length < 4) return undefined;
  const before = like.slice(0, best.start);
  const run = like.slice(best.start, best.start + best.length);
  const first = before.replaceAll('%', '').length + 1;
  const last = before.includes('%') ? MAX_PLATE_LENGTH - best.length + 1 : first;
  const tokensAt = (p: number) => Array.from({ length: run.length - 3 }, (_, k) => `'${p + k}${run.slice(k, k + 4)}'`);
  const positions = Array.from({ length: Math.max(0, last - first + 1) }, (_, k) => first + k);
  if (positions.length === 0) return 'false';
  if (run.length === 4) return `hasAnyTokens(${POSITIONAL_GRAMS}, [${positions.map((p) => tokensAt(p)[0]).join(', ')}])`;
  return `(${positions.map((p) => `hasAllTokens(${POSITIONAL_GRAMS}, [${tokensAt(p).join(', ')}])`).join(' OR ')})`;
}
