// The package of an approved release (Watsonville §471.8(b)(d)): the detections asked for, as CSV
// (safe to open in a spreadsheet: storage/package-csv.ts) and JSON (the exact values), the request
// with its approval (release.json), manifest.json with the SHA-256 and size of every file, and
// SHA256SUMS (`sha256sum -c`), README.txt saying how to read and verify it, and the SHA-256 of
// manifest.json recorded in the hash-chained access log (storage/package-writer.ts). Written once, under a directory the server
// chooses (`packagesDir/<request id>`), never a path a client names; files are served by name only
// from that directory. Producing and downloading a package are access-logged exports (§471.7(b)).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OcrAlphabet } from '../matcher/index.js';
import { ACCESS_ACTIONS, ACCESS_OUTCOMES, type AccessEntry } from './access-log.js';
import { ISO_TIMES } from './evidence.js';
import { OLDEST_FIRST } from './detection.js';
import { PACKAGE_CSV_NOTE, packageCsv } from './package-csv.js';
import { manifestRecordDetail, packageSoftware, removePackage, writePackage } from './package-writer.js';
import { timeZoneOf } from './department-day.js';
import { authoriseAction } from './permissions.js';
import { alreadyReleased, concurrentChange, findRelease, isReleaseId, markReleased, oneAtATime, refuseIfForbidden, ReleaseError, type ReleaseContext, type ReleaseManifest, type ReleaseRequest } from './releases.js';
import { criteriaSelection, MAX_RELEASE_ROWS } from './release-request.js';
import { CLAIM_KINDS, underClaim } from './version-claims.js';
import { queryRows, type QueryParams } from './sql.js';

export { MAX_RELEASE_ROWS } from './release-request.js';

export interface PackageContext extends ReleaseContext {
  /** Absolute directory the server keeps release packages under (dataDir/releases). */
  packagesDir: string;
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

/**
 * SQL condition: the detection is one the Chief approved (storage/releases.ts), by the key the
 * approving version keeps (plate_ocr, seen_at, read_id), so a package finds them by primary key.
 */
function approvedBy(db: string): string {
  return `(plate_ocr, seen_at, read_id) IN (SELECT a.1, a.2, a.3 FROM ${db}.release_requests ARRAY JOIN approved_detections AS a
    WHERE request_id = {requestId:String} AND status = 'approved')`;
}

/**
 * The package's rows: the detections approved (§471.8(b)), those of a case as its evidence store
 * holds them; for a request approved before approvals kept them (migration 13), what the criteria
 * match now, as then.
 */
function selectFor(ctx: PackageContext, request: ReleaseRequest): { sql: string; params: QueryParams } {
  const db = ctx.storage.db;
  const s = criteriaSelection(db, request.criteria, ctx.alphabet ?? new OcrAlphabet());
  if (request.approvedDetections === null) {
    return {
      sql: `SELECT ${COLUMNS} FROM ${s.from} WHERE ${s.where} ${OLDEST_FIRST} ${s.oneRowARead} LIMIT {limit:UInt32} ${ISO_TIMES}`,
      params: { ...s.params, limit: MAX_RELEASE_ROWS + 1 },
    };
  }
  // No criteria for a plate's reads: the OCR classes may have changed since, and no approved read may drop out.
  const where = request.criteria.kind === 'case' ? `${s.where} AND ${approvedBy(db)}` : approvedBy(db);
  return {
    sql: `SELECT ${COLUMNS} FROM ${s.from} WHERE ${where} ${OLDEST_FIRST} ${s.oneRowARead} LIMIT {limit:UInt32} ${ISO_TIMES}`,
    params: { ...(request.criteria.kind === 'case' ? s.params : {}), requestId: request.requestId, limit: MAX_RELEASE_ROWS + 1 },
  };
}

/** How many detections the criteria match now that the Chief did not approve: a new request is needed for them. */
async function newerMatches(ctx: PackageContext, request: ReleaseRequest): Promise<number> {
  const db = ctx.storage.db;
  const s = criteriaSelection(db, request.criteria, ctx.alphabet ?? new OcrAlphabet());
  const [row] = await queryRows<{ n: number | string }>(ctx.storage.client,
    `SELECT count() AS n FROM (SELECT plate_ocr, seen_at, read_id FROM ${s.from} WHERE ${s.where} ${OLDEST_FIRST} ${s.oneRowARead})
      WHERE NOT ${approvedBy(db)}`,
    { ...s.params, requestId: request.requestId });
  return Number(row?.n ?? 0);
}

/** A package produced: its manifest, and manifest.json's SHA-256 as recorded in the access log (for the property form). */
export type ProducedRelease = ReleaseManifest & { manifestSha256: string };

/**
 * Produces the package of an approved request (custodian or administrator: `evidence.export`),
 * once. The request then stands as `released` with the manifest on file.
 */
export async function produceReleasePackage(ctx: PackageContext, user: string, requestId: string): Promise<ProducedRelease> {
  await authoriseAction(ctx, user, 'evidence.export', { requestId });
  return oneAtATime(requestId, () => produce(ctx, user, requestId));
}

async function produce(ctx: PackageContext, user: string, requestId: string): Promise<ProducedRelease> {
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
    const approved = request.approvedDetections;
    if (request.criteria.kind === 'case' && rows.length === 0) {
      // As an evidence export of the case: a package of nothing held would stand "released" for nothing.
      if (approved === null) {
        await ctx.accessLog.append({ ...entry, outcome: ACCESS_OUTCOMES.invalid, detail: 'no detections held for this case' });
        throw new ReleaseError('NOTHING_HELD', `no detections are held under case ${request.criteria.caseNumber}; place a legal hold (Evidence) first, then produce the package; the request stays approved`);
      }
      await ctx.accessLog.append({ ...entry, outcome: ACCESS_OUTCOMES.invalid, detail: `none of the ${approved} detection(s) approved are held any more` });
      throw new ReleaseError('NOTHING_HELD', `none of the ${approved} detection(s) approved under case ${request.criteria.caseNumber} are held any more; `
        + 'the request stays approved, and releases only those: a new request is needed for what the case holds now');
    }
    if (rows.length > MAX_RELEASE_ROWS) {
      await ctx.accessLog.append({ ...entry, outcome: ACCESS_OUTCOMES.invalid, detail: `more than ${MAX_RELEASE_ROWS} detections` });
      throw new ReleaseError('INVALID_RELEASE', `the request selects more than ${MAX_RELEASE_ROWS} detections; ask the agency to narrow it`);
    }
    // What the package holds of what was approved, and what it leaves out, said in the manifest and on the access log.
    const selection: Pick<ReleaseManifest, 'approvedDetections' | 'approvedNoLongerStored' | 'newerMatchesLeftOut' | 'selectedAtExport'> = approved === null
      ? { selectedAtExport: true }
      : { approvedDetections: approved, approvedNoLongerStored: Math.max(0, approved - rows.length), newerMatchesLeftOut: await newerMatches(ctx, request) };
    entry.detail = approved === null
      ? 'selected by the criteria at export: approved before approvals kept their detections'
      : `${approved} detection(s) approved, ${selection.approvedNoLongerStored} no longer stored; ${selection.newerMatchesLeftOut} newer match(es) not approved, left out`;
    const { package: _none, ...onFile } = request;
    const contents: Array<[string, string]> = [
      // The same rows as detections.json, so the two files cannot disagree.
      ['detections.csv', packageCsv(COLUMN_NAMES, rows)],
      ['detections.json', `${JSON.stringify(rows, null, 2)}\n`],
      ['release.json', `${JSON.stringify(onFile, null, 2)}\n`],
    ];
    let manifest: ReleaseManifest;
    let manifestSha256: string;
    try {
      let exportRecord: { chain: string; seq: number } | undefined;
      const software = packageSoftware();
      const timeZone = timeZoneOf(ctx.storage);
      ({ manifest, manifestSha256 } = await writePackage(outDir, contents, async (files) => {
        // The manifest names this record, so the package and the access log point at each other;
        // the record has every file's SHA-256.
        const record = await ctx.accessLog.append({
          ...entry, rowsReturned: rows.length, params: { ...(entry.params as object), files: files.map((f) => ({ name: f.name, sha256: f.sha256 })) },
        });
        exportRecord = record;
        return {
          requestId, agency: request.agency, generatedAt: new Date().toISOString(), generatedBy: user, detections: rows.length,
          accessLogSeq: record.seq, csvNote: PACKAGE_CSV_NOTE, ...selection, files,
          // Added since the first packages, after the fields above, which keep their meaning.
          accessLogChain: record.chain, software, timeZone,
        };
      }, {
        about: {
          title: `Release package ${requestId}`,
          summary: [
            `${rows.length} detection(s) released to ${request.agency} (requested by ${request.requester}) for: ${request.purpose}. ` +
              'The request, its approval and what it asked for are in release.json; who made the package and when, in manifest.json.',
          ],
          software, timeZone, csvColumns: COLUMN_NAMES,
          files: [
            ['detections.csv', 'the detections released, one row each, for a spreadsheet (see THE CSV AND THE EXACT RECORD)'],
            ['detections.json', 'the same detections, the exact record'],
            ['release.json', 'the release request: the agency, requester, purpose, the data asked for, and its approval'],
          ],
        },
        // The manifest names the export record, so its own SHA-256 can only be in the next one: the
        // outside anchor the package is checked against (storage/evidence.ts exportEvidence).
        manifestWritten: async (manifestSha256) => {
          const { chain, seq } = exportRecord!;
          await ctx.accessLog.append({
            ...entry, params: { requestId, agency: request.agency, accessLogChain: chain, accessLogSeq: seq, manifestSha256 },
            detail: manifestRecordDetail(manifestSha256, chain, seq),
          });
        },
      }));
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
    return { ...manifest, manifestSha256 };
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
