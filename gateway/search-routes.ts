// Detection search for analysts over HTTP: POST /api/detections/search. The storage search does
// the policy work — a purpose (case/incident number and/or reason) or a refusal, and an access log
// record of every call with its user, purpose and row count (Watsonville §471.7(b)(e)); this
// route adds the session and the role (storage/permissions.ts: detections.search) and turns
// the body into a search request, refusing anything it does not know — on the access log too,
// since such a search never reaches storage.
import { headOf } from '../matcher/index.js';
import { ACCESS_OUTCOMES, MAX_RADIUS_METERS, OTHER_READINGS_KINDS, searchDetections, timeZoneOf, type PlateQuery, type SearchContext, type SearchRequest } from '../storage/index.js';
import type { ApiGuard } from './api-guard.js';
import { HttpError, type JsonReply, type JsonRequest, type JsonRoute } from './http-json.js';
import { storageRefusalAsHttp } from './storage-errors.js';
import { loggableBody, objectBody, optionalBoolean, optionalNumber, optionalText, optionalTextList, requiredText, requiredTime } from './request-fields.js';

export interface SearchRouteDeps {
  guard: ApiGuard;
  search: SearchContext;
  /** Path prefix. @default '/api' */
  prefix?: string;
}

const FIELDS = ['plate', 'match', 'otherReadings', 'from', 'to', 'agencies', 'cameras', 'near', 'caseNumber', 'reason', 'limit', 'before'] as const;
const MATCHES = ['exact', 'ocr', 'fuzzy', 'partial'] as const;
const CODE = 'BAD_SEARCH';

export const SEARCH_NOTICE = 'This search, its purpose and its results count are recorded in the access log under your name (Watsonville §471.7(b)).';

/** The body as a storage search request for `user`, its times read in `timeZone` unless they name a zone; 400 naming the field otherwise. */
export function searchRequest(body: unknown, user: string, timeZone: string): SearchRequest {
  const b = objectBody(body, FIELDS, CODE);
  const request: SearchRequest = { user, purpose: {}, from: requiredTime(b, 'from', timeZone, CODE), to: requiredTime(b, 'to', timeZone, CODE) };
  const caseNumber = optionalText(b, 'caseNumber', CODE, 64);
  const reason = optionalText(b, 'reason', CODE, 500);
  if (caseNumber !== undefined) request.purpose.caseNumber = caseNumber;
  if (reason !== undefined) request.purpose.reason = reason;
  const plate = optionalText(b, 'plate', CODE, 32);
  const match = optionalText(b, 'match', CODE, 16);
  if (plate !== undefined && plate.trim() !== '') request.plate = plateQuery(plate.trim(), match);
  else if (match !== undefined) throw new HttpError(400, CODE, '"match" needs a "plate"');
  if (otherReadings(b, request.plate, CODE)) request.otherReadings = true;
  Object.assign(request, whereFields(b, CODE));
  const limit = optionalNumber(b, 'limit', 1, 1000, CODE);
  if (limit !== undefined && !Number.isInteger(limit)) throw new HttpError(400, CODE, '"limit" must be a whole number from 1 to 1000');
  if (limit !== undefined) request.limit = limit;
  const before = b['before'];
  if (before !== undefined && before !== null) {
    if (typeof before !== 'object' || Array.isArray(before)) throw new HttpError(400, CODE, '"before" must be the previous page\'s nextCursor, unchanged');
    const unchanged = '"before" must be the previous page\'s nextCursor, unchanged';
    const c = objectBody(before, ['seenAt', 'readId', 'plateOcr', 'agency', 'camera'], CODE, 'before');
    request.before = { seenAt: requiredText(c, 'seenAt', CODE, 40), readId: requiredText(c, 'readId', CODE, 128) };
    if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,3})?$/.test(request.before.seenAt)) throw new HttpError(400, CODE, unchanged);
    // The row's plate, agency and camera tell apart rows sharing a time and read id (storage's
    // SearchCursor); a cursor given out before they were added has none of them, and still pages.
    const rest = (['plateOcr', 'agency', 'camera'] as const).map((key) => optionalText(c, key, CODE, 128));
    if (rest.some((v) => v !== undefined)) {
      if (rest.some((v) => v === undefined || v === '')) throw new HttpError(400, CODE, unchanged);
      const [plateOcr, agency, camera] = rest as [string, string, string];
      Object.assign(request.before, { plateOcr, agency, camera });
    }
  }
  return request;
}

/** Where detections were read, as a search or a hold narrows them: agencies, cameras, a radius around a point. */
export function whereFields(b: Record<string, unknown>, code: string): Pick<SearchRequest, 'agencies' | 'cameras' | 'near'> {
  const where: Pick<SearchRequest, 'agencies' | 'cameras' | 'near'> = {};
  const agencies = optionalTextList(b, 'agencies', code);
  if (agencies !== undefined) where.agencies = agencies;
  const cameras = optionalTextList(b, 'cameras', code);
  if (cameras !== undefined) where.cameras = cameras;
  const near = b['near'];
  if (near !== undefined && near !== null) {
    const n = objectBody(near, ['lat', 'lon', 'radiusMeters'], code, 'near');
    const lat = optionalNumber(n, 'lat', -90, 90, code);
    const lon = optionalNumber(n, 'lon', -180, 180, code);
    const radius = n['radiusMeters'];
    // Storage's limit, said in the metres the field is given in: a wider radius accepted here would
    // only be refused there (QA found 500–1,000 km taken here, with a message about kilometres).
    if (radius !== undefined && radius !== null && !(typeof radius === 'number' && radius >= 1 && radius <= MAX_RADIUS_METERS)) {
      throw new HttpError(400, code, `"radiusMeters" must be a number of metres from 1 to ${MAX_RADIUS_METERS} (${MAX_RADIUS_METERS / 1000} km)`);
    }
    const radiusMeters = typeof radius === 'number' ? radius : undefined;
    if (lat === undefined || lon === undefined || radiusMeters === undefined) throw new HttpError(400, code, '"near" needs lat, lon and radiusMeters');
    where.near = { lat, lon, radiusMeters };
  }
  return where;
}

/**
 * Whether a search or hold by `plate` also takes reads by their alternative readings (the camera's
 * `candidates`): `otherReadings`, true unless the body says false for an exact or OCR-equivalent
 * plate, which find them through an index. A fuzzy or partial plate compares the plate as read
 * (reading every alternative in the range would make those searches scans), so true is refused
 * there, as it is without a plate.
 */
export function otherReadings(b: Record<string, unknown>, plate: PlateQuery | undefined, code: string): boolean {
  const asked = optionalBoolean(b, 'otherReadings', code);
  const offered = plate !== undefined && OTHER_READINGS_KINDS.includes(plate.kind);
  if (asked === true && !offered) {
    throw new HttpError(400, code, `"otherReadings" is for a whole plate searched exact or ocr${plate === undefined ? '' : `, not ${plate.kind}`}: fuzzy and partial searches compare the plate as read`);
  }
  return asked ?? offered;
}

/**
 * A plate with `?` or `*` is a partial pattern unless `match` says otherwise (which is then refused).
 * `match`, when given, must be one of exact, ocr, fuzzy, partial.
 *
 * The text is folded with NFKC first: an analyst typing through a CJK input method sends
 * full-width `７ＡＢＣ１２３` or `７ＡＢ＊`, which NFKC makes the ASCII the plate validation takes.
 * Only here, on what an analyst types: reads and hot lists are validated as sent (matcher/).
 */
export function plateQuery(typed: string, match: string | undefined, code = CODE): PlateQuery {
  if (match !== undefined && !(MATCHES as readonly string[]).includes(match)) throw new HttpError(400, code, `"match" must be one of ${MATCHES.join(', ')}`);
  const plate = typed.normalize('NFKC').trim();
  const isPattern = /[?*]/.test(plate);
  const kind = (match ?? (isPattern ? 'partial' : 'exact')) as (typeof MATCHES)[number];
  if (isPattern && kind !== 'partial') throw new HttpError(400, code, `"?" and "*" make a partial pattern; "${kind}" needs a whole plate`);
  return kind === 'partial' ? { kind, pattern: plate } : { kind, plate };
}

/**
 * A search refused before storage could run it (a body that is not a search request) on the
 * access log as storage logs the searches it cannot run, outcome `invalid`: docs/openapi.yaml
 * promises every search, refusals included, is recorded. What it says is what can be said of a
 * body not understood: the fields as sent, bounded (loggableBody), the purpose where it is text.
 */
async function logUnreadSearch(ctx: SearchContext, user: string, body: unknown, error: HttpError): Promise<void> {
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const text = (value: unknown, max: number): string => (typeof value === 'string' ? headOf(value.trim(), max) : '');
  await ctx.accessLog.append({
    user, action: 'search', outcome: ACCESS_OUTCOMES.invalid, params: { body: loggableBody(body) }, rowsReturned: 0,
    caseNumber: text(fields['caseNumber'], 64), reason: text(fields['reason'], 500), detail: headOf(error.message, 500),
  });
}

export function searchRoutes(deps: SearchRouteDeps): JsonRoute[] {
  const prefix = deps.prefix ?? '/api';

  const search = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await deps.guard.require(request, 'detections.search');
    let req: SearchRequest;
    try {
      req = searchRequest(request.body, session.user, timeZoneOf(deps.search.storage));
    } catch (error) {
      if (error instanceof HttpError) await logUnreadSearch(deps.search, session.user, request.body, error);
      throw error;
    }
    try {
      const result = await searchDetections(deps.search, req);
      return {
        status: 200,
        body: {
          rows: result.rows.map((r) => ({ ...r, seenAt: r.seenAt.toISOString() })),
          nextCursor: result.nextCursor ?? null,
          accessRecord: result.accessSeq,
          notice: SEARCH_NOTICE,
        },
      };
    } catch (error) {
      throw storageRefusalAsHttp(error);
    }
  };

  return [{ method: 'post', pattern: `${prefix}/detections/search`, handler: search }];
}
