// Which detections a plate, a time range, agencies, cameras and a place select: the WHERE
// conditions of a search, a legal hold, a release package and a past-sighting look-up alike, built
// from fixed fragments with every value a query parameter. storage/search.ts runs them for analysts.
import { normalizePattern, normalizePlate, type OcrAlphabet } from '../matcher/index.js';
import { ocrMappedCandidates } from './other-readings.js';
import { MAX_RADIUS_METERS, radiusBox } from './radius-box.js';
import { formatClickHouseTime, type QueryParams } from './sql.js';

/** Fuzzy search needs this many characters: one edit on a shorter plate matches too much (matcher uses 5 too). */
export const FUZZY_MIN_LENGTH = 5;

/** A partial pattern names at least this many characters (matcher DEFAULT_PATTERN_MIN_KNOWN). */
export const PATTERN_MIN_KNOWN = 3;

export type PlateQuery =
  | { kind: 'exact'; plate: string }
  | { kind: 'ocr'; plate: string }
  | { kind: 'fuzzy'; plate: string }
  | { kind: 'partial'; pattern: string };

/** Plate kinds that find alternative readings (`otherReadings`) through an index: the ones the API offers it for. */
export const OTHER_READINGS_KINDS: readonly PlateQuery['kind'][] = ['exact', 'ocr'];

/** Which detections: the part of a search that selects rows (shared with legal holds, releases, past sightings). */
export interface DetectionCriteria {
  /** Omitted: every plate (a browse by time, place or camera). */
  plate?: PlateQuery;
  /** Inclusive start; a time range is always required. */
  from: Date;
  /** Exclusive end. */
  to: Date;
  agencies?: readonly string[];
  cameras?: readonly string[];
  near?: { lat: number; lon: number; radiusMeters: number };
  /** Only reads with these ids, whichever camera sent them (a hold by `readIds`; a hold of exact detections uses storage/hold-criteria.ts). */
  readIds?: readonly string[];
  /**
   * The plate also matches a read by one of its alternative readings (the camera's `candidates`),
   * as the matcher raises hits on them. Exact and OCR-equivalent plates find them through an index
   * (OTHER_READINGS_KINDS); fuzzy and partial plates read every alternative in the range. @default false
   */
  otherReadings?: boolean;
}

export type DetectionFilter =
  | {
      ok: true;
      /** Conditions that select exactly the matching detections (AND). */
      where: string[];
      params: QueryParams;
      distance: string;
      /** The alternative reading a row matched by, '' when its plate as read matched (an SQL expression). */
      matchedCandidate: string;
      /**
       * Optional speed-up: every match satisfies at least one of these, and each one alone can use
       * the primary key or the skip index. A query may run one branch per condition (UNION ALL)
       * and dedupe; `where` alone is already exact.
       */
      branches?: string[];
    }
  | { ok: false; reason: string };

/** Every detection query is bounded in time: partitions outside the range are never read. */
const TIME_RANGE = "seen_at >= {from:DateTime64(3, 'UTC')} AND seen_at < {to:DateTime64(3, 'UTC')}";

/** Builds WHERE conditions from fixed fragments; every value goes only into `params`. */
export function buildDetectionFilter(c: DetectionCriteria, alphabet: OcrAlphabet): DetectionFilter {
  const where: string[] = [TIME_RANGE];
  if (!(c.from instanceof Date) || !(c.to instanceof Date) || Number.isNaN(c.from.getTime()) || Number.isNaN(c.to.getTime())) {
    return { ok: false, reason: 'from and to must be valid times' };
  }
  if (c.from.getTime() >= c.to.getTime()) return { ok: false, reason: 'from must be before to' };
  const params: QueryParams = { from: formatClickHouseTime(c.from), to: formatClickHouseTime(c.to) };
  let distance = '0';
  let matchedCandidate = "''";
  let branches: string[] | undefined;
  const p = c.plate;
  if (c.otherReadings === true && p === undefined) return { ok: false, reason: 'otherReadings needs a plate' };
  if (p !== undefined) {
    // The plate condition on one OCR-mapped plate `x`: plate_ocr for the plate as read, each
    // alternative reading's mapping for those (otherReadings), in the order of candidates.
    let matches: (x: string) => string;
    let asRead: string;
    if (p.kind === 'partial') {
      const n = normalizePattern(p.pattern, PATTERN_MIN_KNOWN);
      if (!n.ok) return { ok: false, reason: n.reason };
      // The pattern alphabet is [A-Z0-9?*] (normalizePattern), so `_` and `%` can only come from here.
      params['like'] = alphabet.mapPlate(n.pattern).replaceAll('?', '_').replaceAll('*', '%');
      matches = (x) => `${x} LIKE {like:String}`;
      asRead = matches('plate_ocr');
    } else {
      const n = normalizePlate(p.plate);
      if (!n.ok) return { ok: false, reason: n.reason };
      params['plateOcr'] = alphabet.mapPlate(n.plate);
      if (p.kind === 'exact' || p.kind === 'ocr') {
        matches = (x) => `${x} = {plateOcr:String}`;
        // plate_ocr: a primary-key range per day.
        asRead = matches('plate_ocr');
        // An exact plate is the text itself too: its OCR mapping alone finds it by key or index.
        if (p.kind === 'exact') {
          params['plate'] = n.plate;
          asRead += ' AND plate = {plate:String}';
        }
      } else {
        if (n.plate.length < FUZZY_MIN_LENGTH) {
          return { ok: false, reason: `fuzzy search needs at least ${FUZZY_MIN_LENGTH} characters` };
        }
        params['minLen'] = n.plate.length - 1;
        params['maxLen'] = n.plate.length + 1;
        matches = (x) => `length(${x}) BETWEEN {minLen:UInt8} AND {maxLen:UInt8} AND editDistance(${x}, {plateOcr:String}) <= 1`;
        asRead = matches('plate_ocr');
        distance = 'editDistance(plate_ocr, {plateOcr:String})';
        // One edit leaves either the first ⌊L/2⌋ characters or the last ⌈L/2⌉ untouched, so every
        // match starts with the one (a primary-key range: ORDER BY plate_ocr) or ends with the other
        // (a skip-index candidate). test/storage/search-oracle.test.ts checks this against brute force.
        const mapped = params['plateOcr'] as string;
        const half = Math.floor(mapped.length / 2);
        params['fuzzyPrefix'] = mapped.slice(0, half);
        params['fuzzySuffix'] = mapped.slice(half);
        branches = ['startsWith(plate_ocr, {fuzzyPrefix:String})', 'endsWith(plate_ocr, {fuzzySuffix:String})'];
      }
    }
    if (c.otherReadings !== true) {
      where.push(asRead);
    } else {
      // A hit may be raised on an alternative reading (the matcher matches every one), so a search
      // for the listed plate finds that read too, and says which reading matched. An exact or
      // OCR-equivalent plate finds it through migration 16's bloom filter over the alternatives'
      // OCR mapping, a branch of its own beside the primary-key range (with the default classes,
      // which that index is over: storage/other-readings.ts); fuzzy and partial plates read every
      // alternative of the range (the API offers otherReadings for exact and ocr only).
      const mapped = ocrMappedCandidates(alphabet);
      const indexed = `has(${mapped}, {plateOcr:String})`;
      const other = p.kind === 'exact' || p.kind === 'ocr'
        ? `${indexed}${p.kind === 'exact' ? ' AND has(candidates, {plate:String})' : ''}`
        : `arrayExists(c -> ${matches('c')}, ${mapped})`;
      where.push(`((${asRead}) OR (${other}))`);
      const which = p.kind === 'exact' ? 'indexOf(candidates, {plate:String})' : `arrayFirstIndex(c -> ${matches('c')}, ${mapped})`;
      matchedCandidate = `if(${asRead}, '', candidates[${which}])`;
      if (p.kind === 'fuzzy') distance = `if(${asRead}, editDistance(plate_ocr, {plateOcr:String}), editDistance(arrayElement(${mapped}, ${which}), {plateOcr:String}))`;
      if (p.kind === 'exact' || p.kind === 'ocr') branches = ['plate_ocr = {plateOcr:String}', indexed];
      // The plate as read keeps its own way in (primary key, n-gram index); the alternatives are read whole.
      else branches = [...(branches ?? [asRead]), other];
    }
  }
  // Agency and camera ids are stored as the camera sent them (its subject tokens, docs/wire.md:
  // A-Za-z0-9_-, case kept), so `SCPD` is compared to `scpd` with both sides lower-cased. Neither
  // column is in the sort key or a skip index, and lower() of a LowCardinality column is worked
  // out once per distinct value, so the fold costs no index and next to no time.
  if (c.agencies !== undefined && c.agencies.length > 0) {
    params['agencies'] = c.agencies.map(lowerAscii);
    where.push('lower(agency) IN {agencies:Array(String)}');
  }
  if (c.cameras !== undefined && c.cameras.length > 0) {
    params['cameras'] = c.cameras.map(lowerAscii);
    where.push('lower(camera) IN {cameras:Array(String)}');
  }
  if (c.readIds !== undefined) {
    params['readIds'] = [...c.readIds];
    where.push('read_id IN {readIds:Array(String)}');
  }
  if (c.near !== undefined) {
    const { lat, lon, radiusMeters } = c.near;
    if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && radiusMeters > 0 && radiusMeters <= MAX_RADIUS_METERS)) {
      return { ok: false, reason: `near needs lat in ±90, lon in ±180 and a radius over 0 and at most ${MAX_RADIUS_METERS / 1000} km` };
    }
    // A bounding box first: cheap comparisons before the great-circle distance.
    const box = radiusBox(lat, lon, radiusMeters);
    Object.assign(params, { lat, lon, radius: radiusMeters, latMin: box.latMin, latMax: box.latMax });
    where.push('lat BETWEEN {latMin:Float64} AND {latMax:Float64}');
    box.lonRanges.forEach(([min, max], i) => Object.assign(params, { [`lonMin${i}`]: min, [`lonMax${i}`]: max }));
    if (box.lonRanges.length === 1) where.push('lon BETWEEN {lonMin0:Float64} AND {lonMax0:Float64}');
    if (box.lonRanges.length === 2) where.push('(lon BETWEEN {lonMin0:Float64} AND {lonMax0:Float64} OR lon BETWEEN {lonMin1:Float64} AND {lonMax1:Float64})');
    where.push('greatCircleDistance(lon, lat, {lon:Float64}, {lat:Float64}) <= {radius:Float64}');
  }
  const filter = { ok: true as const, where, params, distance, matchedCandidate };
  return branches === undefined ? filter : { ...filter, branches };
}

/**
 * The filter's conditions for a single query over detections, with its branches (when it has
 * them) as the set of keys they find, each through the primary key or an index: an OR of two
 * conditions that each could prune makes ClickHouse read the whole range (legal holds of a plate
 * with its alternative readings, past-sighting look-ups).
 */
export function indexedWhere(db: string, filter: Extract<DetectionFilter, { ok: true }>): string[] {
  if (filter.branches === undefined) return filter.where;
  const keys = filter.branches
    .map((branch) => `SELECT plate_ocr, seen_at, read_id FROM ${db}.detections WHERE ${[...filter.where, branch].join(' AND ')}`)
    .join(' UNION ALL ');
  return [...filter.where, `(plate_ocr, seen_at, read_id) IN (${keys})`];
}

/** A-Z lower-cased and nothing else, as ClickHouse's lower() does (toLowerCase would fold more). */
function lowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}
