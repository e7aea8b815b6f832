// Legal holds and evidence packages over HTTP (Watsonville §471.6), so that evidence work does not
// need the system stopped: with embedded chDB, `up` alone holds the data directory, and the CLI's
// `platewatch evidence` could only run while no ALPR data was being received.
//   POST /api/evidence/holds                 evidence.hold    {caseNumber, reason, from, to, plate?, match?, otherReadings?, readIds?, detections?, agencies?, cameras?, near?}
//                                                             → 201 {holdId, rowsHeld}; 404 NOTHING_HELD when nothing matches
//   POST /api/evidence/exports               evidence.export  {caseNumber, reason?} → 201 {exportId, files, manifest, manifestSha256}:
//                                                             the package's manifest, and the SHA-256 of its manifest.json
//                                                             as the access log records it (for the property form)
//   GET  /api/evidence/exports/:id/:file     evidence.export  one file of that package, by name only
// Storage does the policy work (a user; a case number and reason, checked as a search's purpose
// is; the access log record); the routes add the session and the role. Packages are written under
// a directory the server chooses (`exportsDir/<export id>`), never a path a client names.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ACCESS_ACTIONS, ACCESS_OUTCOMES, exportEvidence, placeLegalHold, StorageError, timeZoneOf, type EvidenceContext, type EvidenceManifest, type HoldRequest,
} from '../storage/index.js';
import type { ApiGuard } from './api-guard.js';
import { HttpError, type JsonReply, type JsonRequest, type JsonRoute } from './http-json.js';
import { detectionKeys } from './detection-keys.js';
import { objectBody, optionalText, optionalTextList, pathParam, requiredText, requiredTime } from './request-fields.js';
import { otherReadings, plateQuery, whereFields } from './search-routes.js';
import { storageRefusalAsHttp } from './storage-errors.js';

export interface EvidenceRouteDeps {
  guard: ApiGuard;
  evidence: EvidenceContext;
  /** Absolute directory packages are written under (dataDir/evidence). */
  exportsDir: string;
  /** Path prefix. @default '/api' */
  prefix?: string;
}

const CODE = 'BAD_EVIDENCE_REQUEST';
const HOLD_FIELDS = ['caseNumber', 'reason', 'from', 'to', 'plate', 'match', 'otherReadings', 'readIds', 'detections', 'agencies', 'cameras', 'near'] as const;
const EXPORT_FIELDS = ['caseNumber', 'reason'] as const;
const EXPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Most read ids, or detections, one hold names; a larger set is better held by plate and time. */
const MAX_READ_IDS = 10_000;

/** The body as a hold for `user`, its times read in `timeZone` unless they name a zone; 400 naming the field otherwise. */
export function holdRequest(body: unknown, user: string, timeZone: string): HoldRequest {
  const b = objectBody(body, HOLD_FIELDS, CODE);
  // A missing case number is refused by storage, which logs the refusal (§471.7(b)), not here.
  const caseNumber = optionalText(b, 'caseNumber', CODE, 64) ?? '';
  const reason = requiredText(b, 'reason', CODE, 500);
  const from = requiredTime(b, 'from', timeZone, CODE);
  const to = requiredTime(b, 'to', timeZone, CODE);
  if (from >= to) throw new HttpError(400, CODE, '"from" must be before "to"');
  const plate = optionalText(b, 'plate', CODE, 32)?.trim();
  const match = optionalText(b, 'match', CODE, 16);
  const readIds = optionalTextList(b, 'readIds', CODE, 128, MAX_READ_IDS);
  const detections = detectionKeys(b, 'detections', { from, to }, CODE, MAX_READ_IDS);
  if ((plate === undefined || plate === '') && match !== undefined) throw new HttpError(400, CODE, '"match" needs a "plate"');
  if ((plate === undefined || plate === '') && (readIds === undefined || readIds.length === 0) && (detections === undefined || detections.length === 0)) {
    // A hold of every read in a time range would copy the whole period out of retention.
    throw new HttpError(400, CODE, 'say what to hold: "plate" (a whole plate or a pattern with ? and *), "detections" (each {readId, seenAt, plateOcr} as a search row gives it) or "readIds"');
  }
  const plateCriteria = plate === undefined || plate === '' ? undefined : plateQuery(plate, match, CODE);
  return {
    user, caseNumber, reason,
    // Narrowed as the search that found them was: a hold never takes more than was searched for.
    criteria: {
      from, to, ...whereFields(b, CODE),
      ...(plateCriteria === undefined ? {} : { plate: plateCriteria }),
      ...(otherReadings(b, plateCriteria, CODE) ? { otherReadings: true } : {}),
      ...(readIds === undefined || readIds.length === 0 ? {} : { readIds }),
      ...(detections === undefined || detections.length === 0 ? {} : { detections }),
    },
  };
}

function evidenceHttpError(error: unknown): unknown {
  if (error instanceof StorageError && error.code === 'NOTHING_HELD') return new HttpError(404, 'NOTHING_HELD', error.message, { cause: error });
  // A plate or pattern a hold cannot search for is a bad hold request, answered in this route's
  // own code like its other bad fields (on a search it would be BAD_SEARCH).
  if (error instanceof StorageError && error.code === 'INVALID_SEARCH') return new HttpError(400, CODE, error.message, { cause: error });
  return storageRefusalAsHttp(error);
}

/** A package's manifest, as written beside its files; null when there is no such package. */
function readManifest(dir: string): EvidenceManifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as EvidenceManifest;
  } catch {
    return null;
  }
}

export function evidenceRoutes(deps: EvidenceRouteDeps): JsonRoute[] {
  const { guard, evidence: ctx, exportsDir } = deps;
  const prefix = deps.prefix ?? '/api';
  const guarded = (handler: (request: JsonRequest) => Promise<JsonReply>) => async (request: JsonRequest): Promise<JsonReply> => {
    try {
      return await handler(request);
    } catch (error) {
      throw evidenceHttpError(error);
    }
  };

  const hold = guarded(async (request) => {
    const session = await guard.require(request, 'evidence.hold');
    const result = await placeLegalHold(ctx, holdRequest(request.body, session.user, timeZoneOf(ctx.storage)));
    return { status: 201, body: result };
  });

  const produce = guarded(async (request) => {
    const session = await guard.require(request, 'evidence.export');
    const b = objectBody(request.body, EXPORT_FIELDS, CODE);
    const caseNumber = optionalText(b, 'caseNumber', CODE, 64) ?? ''; // none: refused and logged by storage
    const reason = optionalText(b, 'reason', CODE, 500);
    const exportId = randomUUID();
    const { manifestSha256, ...manifest } = await exportEvidence(ctx, {
      user: session.user, caseNumber, outDir: join(exportsDir, exportId), ...(reason === undefined || reason.trim() === '' ? {} : { reason }),
    });
    return { status: 201, body: { exportId, files: [...manifest.files.map((f) => f.name), 'manifest.json', 'SHA256SUMS'], manifest, manifestSha256 } };
  });

  const file = guarded(async (request) => {
    const session = await guard.require(request, 'evidence.export');
    const exportId = pathParam(request.params[0], 'export id');
    const name = pathParam(request.params[1], 'file name');
    const manifest = EXPORT_ID.test(exportId) ? readManifest(join(exportsDir, exportId)) : null;
    if (manifest === null) throw new HttpError(404, 'UNKNOWN_EXPORT', `no evidence package ${JSON.stringify(exportId)}`);
    const names = [...manifest.files.map((f) => f.name), 'manifest.json', 'SHA256SUMS'];
    // By name only, from the manifest: no path a client writes reaches the file system.
    if (!names.includes(name)) throw new HttpError(404, 'UNKNOWN_FILE', `evidence package ${exportId} has no file ${JSON.stringify(name)}; it has ${names.join(', ')}`);
    const body = readFileSync(join(exportsDir, exportId, name), 'utf8');
    await ctx.accessLog.append({
      user: session.user, action: ACCESS_ACTIONS.export, outcome: ACCESS_OUTCOMES.ok, params: { exportId, file: name },
      rowsReturned: 0, caseNumber: manifest.caseNumber, reason: 'evidence package download', detail: `package file ${name} downloaded`,
    });
    const contentType = name.endsWith('.json') ? 'application/json' : name.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8';
    // Downloaded under the name SHA256SUMS gives it, so `sha256sum -c SHA256SUMS` checks the files
    // as saved (a release package's names carry its request id; evidence files cannot).
    return { status: 200, text: { contentType, body, filename: name } };
  });

  return [
    { method: 'post', pattern: `${prefix}/evidence/holds`, handler: hold },
    { method: 'post', pattern: `${prefix}/evidence/exports`, handler: produce },
    { method: 'get', pattern: `${prefix}/evidence/exports/:id/:file`, handler: file },
  ];
}
