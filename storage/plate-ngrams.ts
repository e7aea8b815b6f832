// The plate n-gram lookup behind partial-plate search (issue 3). A materialized view writes, for
// every stored detection, one row per 4-character piece of its OCR-mapped plate: (ngram, day,
// plate). A pattern with four known characters in a row then names one ngram; its rows give the
// exact plates that match, day by day, in a few milliseconds, and the detections of those plates
// are read through the primary key (ORDER BY plate_ocr) one day partition at a time, newest
// first, until the page is full. A skip index could not do this: a 4-character infix matches
// ~1,400 of 50 M random plates spread over 14 % of the granules (BENCHMARKS.md, partial search).
//
// Why the table looks the way it does:
// - PARTITION BY day and a TTL one day past the detections': a day's n-grams are dropped with the
//   day's detections, never kept longer (Government Code § 34090.6; Watsonville §471.6).
// - ngram is the 4 bytes read as a UInt32: integer keys sort and compress better than strings
//   (trial while choosing, 1 M rows in 10,000-row inserts: 167,000 rows/s against 138,000 with a
//   String key and 124,000 with DISTINCT in the view; 196,000 with no view at all).
// - ReplacingMergeTree on (ngram, plate_ocr) within a day: a plate read 100 times a day is one row
//   after merges; until then the lookup says DISTINCT.
import type { ClickHouseClient } from '@clickhouse/client';
import { queryRows, type QueryParams } from './sql.js';

/** Characters per n-gram; patterns need this many known characters in a row to use the table. */
export const NGRAM_LENGTH = 4;

/** A day (UTC) and the OCR-mapped plates seen on it that match the pattern. */
export interface CandidateDay {
  /** 'YYYY-MM-DD' */
  day: string;
  plates: string[];
}

export function plateNgramTtl(detectionRetentionSeconds: number): string {
  // seen_day is the start of the day; its last detection expires a day later.
  return `toDateTime(seen_day, 'UTC') + toIntervalSecond(${Math.trunc(detectionRetentionSeconds) + 86_400})`;
}

/** Table, feed and backfill (migration 6). Statements are idempotent; the backfill may repeat harmlessly. */
export function plateNgramStatements(db: string, detectionRetentionSeconds: number): string[] {
  const select = `SELECT reinterpretAsUInt32(arrayJoin(ngrams(plate_ocr, ${NGRAM_LENGTH}))) AS ngram, toDate(seen_at) AS seen_day, plate_ocr`;
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.plate_ngrams (
  ngram UInt32,
  seen_day Date,
  plate_ocr String
) ENGINE = ReplacingMergeTree
PARTITION BY seen_day
ORDER BY (ngram, plate_ocr)
TTL ${plateNgramTtl(detectionRetentionSeconds)}
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000`,
    // The feed runs inside every insert into detections, so a stored detection always has its rows.
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.plate_ngrams_feed TO ${db}.plate_ngrams AS
${select} FROM ${db}.detections`,
    // Detections stored before this migration; anything the feed also wrote collapses at merge.
    `INSERT INTO ${db}.plate_ngrams ${select} FROM ${db}.detections`,
  ];
}

/**
 * The n-gram to look up for a LIKE pattern over plate_ocr (`_` one character, `%` any run), or
 * undefined when the table cannot help: fewer than NGRAM_LENGTH known characters in a row, or a
 * known prefix of three or more, which the primary key already finds in a range (faster).
 */
export function lookupNgram(like: string): string | undefined {
  const runs = like.split(/[_%]/);
  if ((runs[0] ?? '').length >= 3) return undefined;
  let best = '';
  for (const run of runs) if (run.length > best.length) best = run;
  return best.length >= NGRAM_LENGTH ? best.slice(0, NGRAM_LENGTH) : undefined;
}

/**
 * Days in [from, to] (UTC dates, inclusive) with at least one plate matching `like`, newest first,
 * each with its matching plates. Exact: the n-gram narrows, LIKE decides.
 */
export async function candidateDays(
  client: ClickHouseClient,
  db: string,
  q: { ngram: string; like: string; from: string; to: string },
): Promise<CandidateDay[]> {
  const params: QueryParams = { ngram: q.ngram, like: q.like, fromDay: q.from, toDay: q.to };
  const rows = await queryRows<{ day: string; plates: string[] }>(
    client,
    `SELECT toString(seen_day) AS day, groupUniqArray(plate_ocr) AS plates
       FROM ${db}.plate_ngrams
      WHERE ngram = reinterpretAsUInt32({ngram:String})
        AND seen_day BETWEEN toDate({fromDay:DateTime64(3, 'UTC')}) AND toDate({toDay:DateTime64(3, 'UTC')})
        AND plate_ocr LIKE {like:String}
      GROUP BY seen_day
      ORDER BY seen_day DESC`,
    params,
  );
  return rows.map((r) => ({ day: r.day, plates: r.plates.sort() }));
}
