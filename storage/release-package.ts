// The package of an approved release (Watsonville §471.8(b)(d)): the detections asked for, as CSV
// (safe to open in a spreadsheet: storage/package-csv.ts) and JSON (the exact values), the request
// with its approval (release.json), manifest.json with the SHA-256 and size of every file, and
// SHA256SUMS (`sha256sum -c`). Written once, under a directory the server
// chooses (`packagesDir/<request id>`), never a path a client names; files are served by name only
// from that directory. Producing and downloading a package are access-logged exports (§471.7(b)).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OcrAlphabet } from '../matcher/index.js';
import { ACCESS_ACTIONS, ACCESS_OUTCOMES, type AccessEntry } from './access-log.js';
import { ONE_ROW_A_READ } from './detection.js';
import { ISO_TIMES, SAME_CASE } from './evidence.js';
import { PACKAGE_CSV_NOTE, packageCsv } from './package-csv.js';
import { removePackage, writePackage } from './package-writer.js';
import { authoriseAction } from './permissions.js';
import { alreadyReleased, concurrentChange, findRelease, isReleaseId, markReleased, oneAtATime, refuseIfForbidden, ReleaseError, type ReleaseContext, type ReleaseManifest, type ReleaseRequest } from './releases.js';
import { CLAIM_KINDS, underClaim } from './version-claims.js';
import { buildDetectionFilter } from './search.js';
import { queryRows, type QueryParams } from './sql.js';

/** A release larger than this is refused: the request should be narrowed. */
export const MAX_RELEASE_ROWS = 100_000;

export interface PackageContext extends ReleaseContext {
  /** Absolute directory the server keeps release packages under (dataDir/releases). */
  packagesDir: string;
  alphabet?: OcrAlphabet;
}

/**
 * Columns of detections.csv and detections.json. A column added later goes at the end (heading and
 * vehicle_year: migration 10), so a consumer that reads the CSV by position finds every earlier one where it was.
 */
const COLUMN_NAMES = [
  'read_id', 'agency', 'camera', 'seen_at', 'plate', 'state', 'confidence', 'lat', 'lon',
  'vehicle_make', 'vehicle_model', 'vehicle_color', 'vehicle_type', 'image_ref', 'candidates',
  'heading', 'vehicle_year',
] as const;
const COLUMNS = COLUMN_NAMES.join(', ');

const SERVED_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function selectFor(ctx: PackageContext, request: ReleaseRequest): { sql: string; params: QueryParams } {
  const db = ctx.storage.db;
  const c = request.criteria;
  if (c.kind === 'case') {
    // Detections this department holds as evidence under its case, in whatever letters the request
    // typed it (storage/evidence.ts); one row a read: FINAL within a spelling, LIMIT 1 BY across them.
    return {
      sql: `SELECT ${COLUMNS} FROM ${db}.evidence_detections FINAL WHERE ${SAME_CASE} ORDER BY seen_at, read_id LIMIT 1 BY read_id LIMIT {limit:UInt32} ${ISO_TIMES}`,
      params: { caseNumber: c.caseNumber, limit: MAX_RELEASE_ROWS + 1 },
    };
  }
  const filter = buildDetectionFilter({ plate: c.plate, from: new Date(c.from), to: new Date(c.to) }, ctx.alphabet ?? new OcrAlphabet());
  if (!filter.ok) throw new ReleaseError('INVALID_RELEASE', `the data asked for cannot be selected: ${filter.reason}`);
  return {
    sql: `SELECT ${COLUMNS} FROM ${db}.detections WHERE ${filter.where.join(' AND ')} ORDER BY seen_at, read_id ${ONE_ROW_A_READ} LIMIT {limit:UInt32} ${ISO_TIMES}`,
    params: { ...filter.params, limit: MAX_RELEASE_ROWS + 1 },
  };
}

/**
 * Produces the package of an approved request (custodian or administrator: `evidence.export`),
 * once. The request then stands as `released` with the manifest on file.
 */
export async function produceReleasePackage(ctx: PackageContext, user: string, requestId: string): Promise<ReleaseManifest> {
  await authoriseAction(ctx, user, 'evidence.export', { requestId });
  return oneAtATime(requestId, () => produce(ctx, user, requestId));
}

async function produce(ctx: PackageContext, user: string, requestId: string): Promise<ReleaseManifest> {
  const request = await findRelease(ctx, requestId);
  if (request === undefined) throw new ReleaseError('UNKNOWN_RELEASE', `no release request ${JSON.stringify(requestId)}`);
  const entry: AccessEntry = {
    user, action: ACCESS_ACTIONS.export, outcome: ACCESS_OUTCOMES.ok, params: { requestId, agency: request.agency, criteria: request.criteria },
    rowsReturned: 0, caseNumber: request.criteria.kind === 'case' ? request.criteria.caseNumber : '',
    reason: `release ${requestId} to ${request.agency}: ${request.purpose}`, detail: '',
  };
  if (request.status !== 'approved') {
    const why = request.status === 'released' ? 'its package was already produced' : `it is ${request.status}`;
    await ctx.accessLog.append({ ...entry, outcome: ACCESS_OUTCOMES.refused, detail: `no package: ${why}` });
    if (request.status === 'released') throw alreadyReleased(request);
    throw new ReleaseError('RELEASE_NOT_APPROVED', `release request ${requestId} cannot be exported: ${why} (Watsonville §471.8(b): approved before it is fulfilled)`);
  }
  // Approved under an earlier configuration is not enough: the rules in force now decide (§471.8(c)).
  await refuseIfForbidden(ctx, user, request);
  const outDir = join(ctx.packagesDir, requestId);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new ReleaseError('RELEASE_NOT_APPROVED', `the package directory of ${requestId} exists already; a package is never overwritten`);
  }
  const notProduced = async (error: unknown): Promise<never> => {
    const why = (error as Error).message;
    await ctx.accessLog.append({ ...entry, outcome: ACCESS_OUTCOMES.failed, detail: `package not produced: ${why}` });
    if (error instanceof ReleaseError) throw error;
    throw new ReleaseError('RELEASE_FAILED', `the package of ${requestId} was not produced: ${why}; nothing was kept, so it can be tried again`, { cause: error });
  };
  // Claimed before any file is written: a second gateway exporting the same request at the same
  // moment is refused instead of producing a second package.
  return underClaim(ctx.claims, CLAIM_KINDS.release, requestId, request.version + 1, () => concurrentChange(requestId), async () => {
    const { sql, params } = selectFor(ctx, request);
    const rows = await queryRows<Record<string, unknown>>(ctx.storage.client, sql, params);
    if (request.criteria.kind === 'case' && rows.length === 0) {
      // As an evidence export of the case: a package of nothing held would stand "released" for nothing.
      await ctx.accessLog.append({ ...entry, outcome: ACCESS_OUTCOMES.invalid, detail: 'no detections held for this case' });
      throw new ReleaseError('NOTHING_HELD', `no detections are held under case ${request.criteria.caseNumber}; place a legal hold (Evidence) first, then produce the package; the request stays approved`);
    }
    if (rows.length > MAX_RELEASE_ROWS) {
      await ctx.accessLog.append({ ...entry, outcome: ACCESS_OUTCOMES.invalid, detail: `more than ${MAX_RELEASE_ROWS} detections` });
      throw new ReleaseError('INVALID_RELEASE', `the request selects more than ${MAX_RELEASE_ROWS} detections; ask the agency to narrow it`);
    }
    const { package: _none, ...onFile } = request;
    const contents: Array<[string, string]> = [
      // The same rows as detections.json, so the two files cannot disagree.
      ['detections.csv', packageCsv(COLUMN_NAMES, rows)],
      ['detections.json', `${JSON.stringify(rows, null, 2)}\n`],
      ['release.json', `${JSON.stringify(onFile, null, 2)}\n`],
    ];
    let manifest: ReleaseManifest;
    try {
      manifest = await writePackage(outDir, contents, async (files) => {
        // The manifest names this record, so the package and the access log point at each other.
        const record = await ctx.accessLog.append({ ...entry, rowsReturned: rows.length });
        return {
          requestId, agency: request.agency, generatedAt: new Date().toISOString(), generatedBy: user, detections: rows.length,
          accessLogSeq: record.seq, csvNote: PACKAGE_CSV_NOTE, files,
        };
      });
    } catch (error) {
      return notProduced(error);
    }
    try {
      await markReleased(ctx, request, manifest, true);
    } catch (error) {
      // Not on file as released: the package goes too, so that the next attempt can make it.
      removePackage(outDir);
      return notProduced(error);
    }
    return manifest;
  });
}

export interface PackageFile {
  name: string;
  contentType: string;
  body: string;
}

/** Names a released package offers: its files, the manifest and the checksums. */
export function packageFileNames(manifest: ReleaseManifest): string[] {
  return [...manifest.files.map((f) => f.name), 'manifest.json', 'SHA256SUMS'];
}

/**
 * One file of a released package, by name only (no paths: a name outside the manifest is
 * UNKNOWN_FILE). Reading one is an export of ALPR data, so it is allowed to `evidence.export` and logged.
 */
export async function readPackageFile(ctx: PackageContext, user: string, requestId: string, name: string): Promise<PackageFile> {
  await authoriseAction(ctx, user, 'evidence.export', { requestId, file: name });
  const request = isReleaseId(requestId) ? await findRelease(ctx, requestId) : undefined;
  if (request === undefined) throw new ReleaseError('UNKNOWN_RELEASE', `no release request ${JSON.stringify(requestId)}`);
  if (request.package === null) throw new ReleaseError('RELEASE_NOT_APPROVED', `release request ${requestId} has no package (it is ${request.status})`);
  if (!SERVED_NAME.test(name) || !packageFileNames(request.package).includes(name)) {
    throw new ReleaseError('UNKNOWN_FILE', `the package of ${requestId} has no file ${JSON.stringify(name)}; it has ${packageFileNames(request.package).join(', ')}`);
  }
  const body = readFileSync(join(ctx.packagesDir, requestId, name), 'utf8');
  await ctx.accessLog.append({
    user, action: ACCESS_ACTIONS.export, outcome: ACCESS_OUTCOMES.ok, params: { requestId, file: name },
    rowsReturned: 0, caseNumber: request.criteria.kind === 'case' ? request.criteria.caseNumber : '',
    reason: `release ${requestId} to ${request.agency}`, detail: `package file ${name} downloaded`,
  });
  const contentType = name.endsWith('.json') ? 'application/json' : name.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8';
  return { name, contentType, body };
}
