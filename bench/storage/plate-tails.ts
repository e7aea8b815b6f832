// Trial (session 16): lightweight projections as exact, position-aware plate indexes. A projection
// `SELECT _part_offset ORDER BY substring(plate_ocr, p)` keeps, per part, the plates sorted from
// their p-th character, with each row's place in the part; ClickHouse (≥ 25.6) reads it like a
// second primary index and then reads only the matching rows of the part.

/**
 * The condition a projection on `substring(plate_ocr, p)` answers for a LIKE pattern over plate_ocr,
 * or undefined when the pattern's longest known run (of at least 4) does not sit at a position in
 * `positions`. ClickHouse uses one projection per condition: OR across positions is not answered.
 */
export function tailFilter(like: string, positions: readonly number[]): string | undefined {
  let best = { start: 0, length: 0 };
  for (const m of like.matchAll(/[^%_]+/g)) if (m[0].length > best.length) best = { start: m.index, length: m[0].length };
  if (best.length < 4) return undefined;
  const before = like.slice(0, best.start);
  if (before.includes('%')) return undefined;
  const p = before.length + 1;
  const run = like.slice(best.start, best.start + best.length);
  // The run goes into the SQL as a literal (a key condition needs a constant): plate symbols only.
  if (!positions.includes(p) || !/^[A-Z0-9]+$/.test(run)) return undefined;
  return `startsWith(substring(plate_ocr, ${p}), '${run}')`;
}
