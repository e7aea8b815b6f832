// Detection search for analysts: by full plate, OCR-equivalent plate, fuzzy (one edit after OCR
// mapping) or partial pattern (`?` one character, `*` any run), within a time range, agencies,
// cameras and a radius; newest first, paged by cursor. Every call — refused ones too — is written
// to the access log with its user, purpose, parameters and row count before results are returned
// (Watsonville §471.7(b)(e)). Every user value reaches SQL only as a `{name:Type}` parameter.
import { OcrAlphabet } from '../matcher/index.js';
import type { AccessEntry, AccessLog } from './access-log.js';
import { DEFAULT_SEARCH_TIMEOUT_MS } from './config.js';
import { firstOfEachRead, ONE_ROW_A_READ } from './detection.js';
import { StorageError } from './errors.js';
import type { Storage } from './open.js';
import { prohibitedPurpose, purposeProblem, type Purpose } from './purpose.js';
import { parseClickHouseTime, queryRows, type QueryParams } from './sql.js';
import { buildDetectionFilter, type DetectionCriteria } from './detection-filter.js';
import { timeZoneOf } from './department-day.js';
import { accessProblem, findUser } from './users.js';
import { expectsFewMatches, scanNewestFirst, scansEveryPartition, windowsInOnePass } from './search-windows.js';

/**
 * The columns a search returns (and the benchmarks read, so they time the product's rows). Aliases
 * must not shadow columns: ClickHouse lets WHERE see SELECT aliases (hence seen_at_text).
 */
export const SEARCH_RESULT_COLUMNS = `read_id, agency, camera, toString(seen_at) AS seen_at_text, plate, plate_ocr, state, confidence,
       lat, lon, heading, vehicle_make, vehicle_model, vehicle_year, vehicle_color, vehicle_type, image_ref, candidates`;

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/**
 * Where the next page starts: the last row of this one. Time and read id alone do not tell rows
 * apart (two cameras may stamp one second and count their own ids; one id may be read as two
 * plates), and a page ending between two such rows lost the second; so the cursor carries the
 * row's OCR plate, agency and camera too. A cursor without them (given out before) still pages by
 * time and id.
 */
export interface SearchCursor {
  seenAt: string;
  readId: string;
  plateOcr?: string;
  agency?: string;
  camera?: string;
}

/** Newest first, and a total order over the reads ONE_ROW_A_READ keeps, which the cursor follows. */
export const NEWEST_FIRST = 'ORDER BY seen_at DESC, read_id DESC, plate_ocr DESC, agency DESC, camera DESC';

export interface SearchRequest extends Omit<DetectionCriteria, 'readIds'> {
  user: string;
  purpose: Purpose;
  /** @default DEFAULT_PAGE_SIZE, at most MAX_PAGE_SIZE */
  limit?: number;
  /** The previous page's `nextCursor`. */
  before?: SearchCursor;
}

export interface FoundDetection {
  readId: string;
  agency: string;
  camera: string;
  seenAt: Date;
  plate: string;
  plateOcr: string;
  state: string;
  confidence: number;
  lat: number | null;
  lon: number | null;
  /** Direction of travel, degrees 0–360; null when the camera sent none. */
  heading: number | null;
  vehicleMake: string;
  vehicleModel: string;
  /** Model year from the camera's classifier; null when it gave none. */
  vehicleYear: number | null;
  vehicleColor: string;
  vehicleType: string;
  imageRef: string;
  candidates: string[];
  /** Edit distance between the OCR-mapped plates (fuzzy searches; 0 otherwise). */
  distance: number;
  /**
   * The alternative reading that matched the plate searched for, when the plate as read did not
   * (`otherReadings`); null when the plate as read matched.
   */
  matchedCandidate: string | null;
}

export interface SearchResult {
  rows: FoundDetection[];
  /** Set when older matching detections follow this page: pass it as `before` for the next page. */
  nextCursor: SearchCursor | undefined;
  /** Sequence number of the access log record of this search. */
  accessSeq: number;
}

export interface SearchContext {
  /** `config`, when there, gives the department's time zone for the user's training dates. */
  storage: Pick<Storage, 'client' | 'db'> & Partial<Pick<Storage, 'config'>>;
  accessLog: AccessLog;
  alphabet?: OcrAlphabet;
  /** The search is stopped after this long (every window together). @default DEFAULT_SEARCH_TIMEOUT_MS */
  timeoutMs?: number;
}

interface BuiltQuery {
  sql: string;
  params: QueryParams;
}

type Built = { ok: true; query: BuiltQuery } | { ok: false; reason: string };

/**
 * Builds the search SQL; values go only into `params`. Exported for tests and benchmarks;
 * `useBranches: false` gives the plain single-scan form (bench/storage/plate-kinds.bench.ts).
 */
export function buildSearchQuery(
  db: string,
  req: SearchRequest,
  alphabet: OcrAlphabet,
  options: { useBranches?: boolean; onePass?: boolean; dedupeInQuery?: boolean; rows?: number } = {},
): Built {
  const built = buildDetectionFilter(req, alphabet);
  const filter = built.ok && options.useBranches === false ? { ...built, branches: undefined } : built;
  if (!filter.ok) return filter;
  const { where, params, distance, matchedCandidate } = filter;
  if (req.before !== undefined) {
    // A cursor is the text of a stored time; one that is not a real time (a hand-edited cursor)
    // would make every window empty rather than fail.
    if (Number.isNaN(parseClickHouseTime(req.before.seenAt).getTime())) return { ok: false, reason: "before must be the previous page's nextCursor, unchanged" };
    const { seenAt, readId, plateOcr, agency, camera } = req.before;
    params['beforeAt'] = seenAt;
    params['beforeId'] = readId;
    if (plateOcr !== undefined && agency !== undefined && camera !== undefined) {
      Object.assign(params, { beforePlate: plateOcr, beforeAgency: agency, beforeCamera: camera });
      where.push(
        "(seen_at, read_id, plate_ocr, agency, camera) < ({beforeAt:DateTime64(3, 'UTC')}, {beforeId:String}, {beforePlate:String}, {beforeAgency:String}, {beforeCamera:String})",
      );
    } else {
      where.push("(seen_at, read_id) < ({beforeAt:DateTime64(3, 'UTC')}, {beforeId:String})");
    }
  }
  const limit = req.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) return { ok: false, reason: `limit must be 1–${MAX_PAGE_SIZE}` };
  // `rows`: what the query returns when not the page size (one row more tells whether a page follows).
  params['limit'] = options.rows ?? limit;
  // Two passes (bench/storage/search.bench.ts, shapes one/two): the inner query finds the page's
  // keys reading only the key columns of the candidate granules; the outer one reads the whole
  // rows of just those keys through the primary key. One pass read every column of every
  // candidate row, several times slower when a pattern matches thousands of reads.
  // ONE_ROW_A_READ: a redelivered read may sit in two parts until ReplacingMergeTree merges them.
  // The outer query applies the filter again: a key is not a read (another camera's read may share
  // its plate, time and id), and one outside the agencies, cameras or radius must not come back.
  const page = (extra: string | undefined) => `SELECT plate_ocr, seen_at, read_id
         FROM ${db}.detections
        WHERE ${[...where, ...(extra === undefined ? [] : [extra])].join('\n          AND ')}
        ${NEWEST_FIRST}
        ${ONE_ROW_A_READ}
        LIMIT {limit:UInt32}`;
  const keys =
    filter.branches === undefined
      ? page(undefined)
      : `SELECT plate_ocr, seen_at, read_id FROM (
       ${filter.branches.map((b) => page(b)).join('\n       UNION ALL\n       ')})`;
  const columns = `${SEARCH_RESULT_COLUMNS}, ${distance} AS distance, ${matchedCandidate} AS matched_candidate`;
  // One pass reads every column of every candidate row: the cheaper shape when few rows match
  // (searchDetections picks it for a partial pattern's windows and a windowed search's sparse rest).
  const filterWhere = options.onePass === true && filter.branches === undefined ? where.join('\n   AND ') : undefined;
  // `dedupeInQuery: false` leaves the one pass without LIMIT 1 BY, and the caller drops a read's
  // second copy (firstOfEachRead). ClickHouse then reads the columns beyond the sort key for the
  // page's rows only (lazy materialization), not for every match: faster where a window holds
  // more matches than the page, slower where it holds few (BENCHMARKS.md, "lazy reading").
  const sql = filterWhere !== undefined
    ? `SELECT ${columns}
  FROM ${db}.detections
 WHERE ${filterWhere}
 ${NEWEST_FIRST}${options.dedupeInQuery === false ? '' : `\n ${ONE_ROW_A_READ}`}
 LIMIT {limit:UInt32}`
    : `SELECT ${columns}
  FROM ${db}.detections
 WHERE ${where.join('\n   AND ')}
   AND (plate_ocr, seen_at, read_id) IN (${keys})
 ${NEWEST_FIRST}
 ${ONE_ROW_A_READ}
 LIMIT {limit:UInt32}`;
  return { ok: true, query: { sql, params } };
}

interface Row {
  read_id: string; agency: string; camera: string; seen_at_text: string; plate: string; plate_ocr: string; state: string;
  confidence: number; lat: number | null; lon: number | null; heading: number | null; vehicle_make: string; vehicle_model: string;
  vehicle_year: number | null; vehicle_color: string; vehicle_type: string; image_ref: string; candidates: string[]; distance: number | string;
  matched_candidate: string;
}

function loggedParams(req: SearchRequest): unknown {
  return {
    plate: req.plate, from: req.from, to: req.to, agencies: req.agencies, cameras: req.cameras, near: req.near,
    limit: req.limit, before: req.before, otherReadings: req.otherReadings,
  };
}

/**
 * Runs a search. Throws `StorageError` PURPOSE_REQUIRED, PROHIBITED_PURPOSE, USER_NOT_AUTHORISED,
 * INVALID_SEARCH or SEARCH_TOO_BROAD — each after logging it — or QUERY_FAILED.
 */
export async function searchDetections(ctx: SearchContext, req: SearchRequest): Promise<SearchResult> {
  const alphabet = ctx.alphabet ?? new OcrAlphabet();
  const entry = (over: Partial<AccessEntry>): AccessEntry => ({
    user: req.user ?? '',
    action: 'search',
    outcome: 'ok',
    params: loggedParams(req),
    rowsReturned: 0,
    caseNumber: req.purpose?.caseNumber?.trim() ?? '',
    reason: req.purpose?.reason?.trim() ?? '',
    detail: '',
    ...over,
  });
  const missing = purposeProblem(req.user, req.purpose);
  if (missing !== null) {
    await ctx.accessLog.append(entry({ outcome: 'refused', detail: missing }));
    throw new StorageError('PURPOSE_REQUIRED', `search refused: ${missing}`);
  }
  const prohibited = prohibitedPurpose(req.purpose);
  if (prohibited !== null) {
    await ctx.accessLog.append(entry({ outcome: 'refused', detail: prohibited }));
    throw new StorageError('PROHIBITED_PURPOSE', `search refused: ${prohibited}`);
  }
  const unauthorised = accessProblem(await findUser(ctx.storage, req.user), req.user, Date.now(), timeZoneOf(ctx.storage));
  if (unauthorised !== null) {
    await ctx.accessLog.append(entry({ outcome: 'refused', detail: unauthorised }));
    throw new StorageError('USER_NOT_AUTHORISED', `search refused: ${unauthorised}`);
  }
  const built = buildSearchQuery(ctx.storage.db, req, alphabet);
  if (!built.ok) {
    await ctx.accessLog.append(entry({ outcome: 'invalid', detail: built.reason }));
    throw new StorageError('INVALID_SEARCH', `search not run: ${built.reason}`);
  }
  const limit = built.query.params['limit'] as number;
  // One row past the page says whether an older page follows, so the last page gives no cursor
  // (an analyst would otherwise page on to an empty one).
  const wanted = limit + 1;
  const raw: Row[] = [];
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  // Each query gets what is left of the search's time; ClickHouse stops it there (TIMEOUT_EXCEEDED).
  const run = (query: BuiltQuery): Promise<Row[]> => {
    const left = deadline - performance.now();
    if (left <= 0) throw new SearchTimeout();
    // At least 1 ms: max_execution_time = 0 would mean no limit at all.
    return queryRows<Row>(ctx.storage.client, `${query.sql}\nSETTINGS max_execution_time = ${Math.max(0.001, left / 1000).toFixed(3)}`, query.params);
  };
  try {
    if (!scansEveryPartition(req)) {
      raw.push(...(await run({ ...built.query, params: { ...built.query.params, limit: wanted } })));
    } else {
      const from = req.from.getTime();
      const newest = req.before === undefined ? req.to.getTime() : Math.min(req.to.getTime(), parseClickHouseTime(req.before.seenAt).getTime() + 1);
      const range = { from, to: newest, limit: wanted, fewMatches: expectsFewMatches(req.plate), windowsInOnePass: windowsInOnePass(req.plate) };
      await scanNewestFirst(range, async (w, { onePass, want, moreThanWanted }) => {
        const windowQuery = (dedupeInQuery: boolean): BuiltQuery => {
          const part = buildSearchQuery(ctx.storage.db, { ...req, from: new Date(w.from), to: new Date(w.to) }, alphabet, { onePass, dedupeInQuery, rows: want });
          if (!part.ok) throw new Error(`search window not built: ${part.reason}`);
          return part.query;
        };
        // Lazy reading pays where a window holds more matches than are still wanted; elsewhere it
        // costs more than it saves, so those queries keep LIMIT 1 BY.
        const lazy = onePass && moreThanWanted;
        let found = await run(windowQuery(!lazy));
        if (lazy) {
          const unique = firstOfEachRead(found);
          // A read stored twice and not yet merged took two places on a full page: the page may
          // be short of reads that follow, so it is read again with LIMIT 1 BY.
          found = unique.length < found.length && found.length === want ? await run(windowQuery(true)) : unique;
        }
        raw.push(...found);
        return found.length;
      });
    }
  } catch (error) {
    if (error instanceof SearchTimeout || isTimeoutExceeded(error)) {
      const seconds = Number((timeoutMs / 1000).toPrecision(3));
      await ctx.accessLog.append(entry({ outcome: 'failed', detail: `stopped at the search time limit (${seconds} s)` }));
      throw new StorageError('SEARCH_TOO_BROAD', `search stopped after ${seconds} s: narrow the time range, the cameras or the pattern and search again`, { cause: error });
    }
    await ctx.accessLog.append(entry({ outcome: 'failed', detail: (error as Error).message.slice(0, 500) }));
    throw error;
  }
  const page = raw.slice(0, limit);
  const record = await ctx.accessLog.append(entry({ rowsReturned: page.length }));
  const rows = page.map(toFound);
  const last = page[page.length - 1];
  const nextCursor = last !== undefined && raw.length > limit
    ? { seenAt: last.seen_at_text, readId: last.read_id, plateOcr: last.plate_ocr, agency: last.agency, camera: last.camera }
    : undefined;
  return { rows, nextCursor, accessSeq: record.seq };
}

/** The search's time ran out between two of its queries. */
class SearchTimeout extends Error {}

/** ClickHouse stopped a query at max_execution_time (server and chDB alike); queryRows wraps it. */
function isTimeoutExceeded(error: unknown): boolean {
  for (let e = error as { type?: unknown; code?: unknown; cause?: unknown } | undefined; e !== undefined && e !== null; e = e.cause as typeof e) {
    if (e.type === 'TIMEOUT_EXCEEDED' || e.code === '159') return true;
  }
  return false;
}


function toFound(r: Row): FoundDetection {
  return {
    readId: r.read_id, agency: r.agency, camera: r.camera, seenAt: parseClickHouseTime(r.seen_at_text), plate: r.plate, plateOcr: r.plate_ocr,
    state: r.state, confidence: r.confidence, lat: r.lat, lon: r.lon, heading: r.heading, vehicleMake: r.vehicle_make, vehicleModel: r.vehicle_model,
    vehicleYear: r.vehicle_year, vehicleColor: r.vehicle_color, vehicleType: r.vehicle_type, imageRef: r.image_ref, candidates: r.candidates, distance: Number(r.distance),
    matchedCandidate: r.matched_candidate === '' ? null : r.matched_candidate,
  };
}
