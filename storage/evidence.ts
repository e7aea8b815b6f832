// Legal holds and evidence export. Watsonville §471.6 / Martinez §439.5: after the retention
// period ALPR data is purged unless it is or may become evidence; such data is "downloaded from the
// server onto portable media and booked into evidence". A hold copies the detections into
// evidence_detections (no TTL) inside ClickHouse; an export writes a package for the media —
// CSV and JSON, README.txt, plus a manifest and SHA256SUMS with the SHA-256 of every file — and
// records the SHA-256 of its manifest.json in the hash-chained access log, which is what a court
// checks the package against (storage/package-writer.ts).
// Case numbers are typed by people: QA-26-100 and qa-26-100 are one case, filed under the spelling
// its first hold was typed in.
import { randomUUID } from 'node:crypto';
import { OcrAlphabet } from '../matcher/index.js';
import type { AccessEntry, AccessLog } from './access-log.js';
import { StorageError } from './errors.js';
import { PACKAGE_CSV_NOTE, packageCsv } from './package-csv.js';
import { manifestRecordDetail, outputDirectoryProblem, packageSoftware, writePackage, type ManifestFile } from './package-writer.js';
export { sha256, type ManifestFile } from './package-writer.js';
import type { Storage } from './open.js';
import { ONE_ROW_A_READ } from './detection.js';
import { buildHoldFilter, type HoldCriteria } from './hold-criteria.js';
import { indexedWhere } from './detection-filter.js';
import { prohibitedPurpose, undocumentedPurpose } from './purpose.js';
import { queryRows } from './sql.js';
import { timeZoneOf } from './department-day.js';
import { accessProblem, findUser, type User } from './users.js';

export interface EvidenceContext {
  /** `config`, when there, gives the department's time zone for the user's training dates. */
  storage: Pick<Storage, 'client' | 'db'> & Partial<Pick<Storage, 'config'>>;
  accessLog: AccessLog;
  alphabet?: OcrAlphabet;
  /** The software and version packages say made them. @default packageSoftware() ("platewatch" and package.json's version) */
  software?: string;
}

export interface HoldRequest {
  user: string;
  caseNumber: string;
  reason: string;
  criteria: HoldCriteria;
}

export interface HoldResult {
  holdId: string;
  rowsHeld: number;
  /** The case as filed: as first typed, which a later hold typed in another letter case joins. */
  caseNumber: string;
}

/** Detection columns a hold copies, as the first packages listed them. */
const FIRST_EVIDENCE_COLUMN_NAMES = [
  'read_id', 'agency', 'camera', 'seen_at', 'plate', 'plate_ocr', 'state', 'confidence', 'lat', 'lon',
  'vehicle_make', 'vehicle_model', 'vehicle_color', 'vehicle_type', 'image_ref', 'candidates', 'stored_at',
] as const;
/** Detection columns added since (migration 10), copied too; packages list them last. */
const ADDED_EVIDENCE_COLUMN_NAMES = ['heading', 'vehicle_year'] as const;
const EVIDENCE_COLUMNS = [...FIRST_EVIDENCE_COLUMN_NAMES, ...ADDED_EVIDENCE_COLUMN_NAMES].join(', ');

/**
 * Columns of detections.csv and detections.json in an evidence package. A column added later goes
 * at the end, so a consumer that reads the CSV by position still finds every earlier column where it was.
 */
const PACKAGE_COLUMNS = [...FIRST_EVIDENCE_COLUMN_NAMES, 'hold_id', 'hold_ids', 'held_at', ...ADDED_EVIDENCE_COLUMN_NAMES] as const;

/**
 * SQL condition: the row's `case_number` is the case `{caseNumber:String}` names, whatever the case
 * of its letters. For every lookup of holds, their detections and releases by case number.
 */
export const SAME_CASE = 'lowerUTF8(case_number) = lowerUTF8({caseNumber:String})';

/** Times in packages say their zone: `2026-12-05T09:00:00.000Z`, not `2026-12-05 09:00:00.000`. */
export const ISO_TIMES = "SETTINGS date_time_output_format = 'iso'";

/**
 * Why a hold's case number and reason do not document it, or null. A search needs one of the two
 * (§471.7(e)); a hold is filed under its case and says why the data is or may become evidence
 * (§471.6), so it needs both, each passing the check a search's purpose passes (storage/purpose.ts).
 * The API and the CLI ask for both too.
 */
function holdPurposeProblem(caseNumber: string, reason: string): string | null {
  const problems = [
    undocumentedPurpose(caseNumber, ''),
    reason.trim() === '' ? 'no reason' : undocumentedPurpose('', reason),
  ].filter((p): p is string => p !== null);
  if (problems.length === 0) return null;
  return `${problems.join(' and ')}: a legal hold needs the case or incident number it is held for (such as WPD-26-0777) and a ` +
    'reason saying why the data is or may become evidence (Watsonville §471.6, §471.7(e))';
}

/**
 * Refuses, on the record, evidence work without a user and case (and, for a hold, a documented
 * purpose), for immigration enforcement (Values Act), or by a user not authorised.
 */
async function authorise(ctx: EvidenceContext, entry: AccessEntry): Promise<User | undefined> {
  const caseNumber = entry.caseNumber.trim();
  const purpose =
    entry.user.trim() === '' || caseNumber === ''
      ? 'evidence work needs a user and a case number (Watsonville §471.6, §471.7(e))'
      : entry.action === 'hold' ? holdPurposeProblem(caseNumber, entry.reason) : null;
  const prohibited = purpose === null ? prohibitedPurpose({ caseNumber, reason: entry.reason }) : null;
  const user = purpose === null && prohibited === null ? await findUser(ctx.storage, entry.user) : undefined;
  const problem = purpose ?? prohibited ?? accessProblem(user, entry.user, Date.now(), timeZoneOf(ctx.storage));
  if (problem !== null) {
    await ctx.accessLog.append({ ...entry, outcome: 'refused', detail: problem });
    throw new StorageError(purpose !== null ? 'PURPOSE_REQUIRED' : prohibited !== null ? 'PROHIBITED_PURPOSE' : 'USER_NOT_AUTHORISED', problem);
  }
  return user;
}

/**
 * Copies the matching detections into the evidence store under the case; they then outlive
 * retention. Throws PURPOSE_REQUIRED (no case number with a number in it, or a reason that says
 * nothing), USER_NOT_AUTHORISED, INVALID_SEARCH, or NOTHING_HELD when nothing matches (then no hold
 * is recorded: an empty hold would count in the case's package as if it held something).
 */
export async function placeLegalHold(ctx: EvidenceContext, req: HoldRequest): Promise<HoldResult> {
  const entry: AccessEntry = {
    user: req.user, action: 'hold', outcome: 'ok', params: req.criteria, rowsReturned: 0,
    caseNumber: req.caseNumber.trim(), reason: req.reason.trim(), detail: '',
  };
  await authorise(ctx, entry);
  const filter = buildHoldFilter(req.criteria, ctx.alphabet ?? new OcrAlphabet());
  if (!filter.ok) {
    await ctx.accessLog.append({ ...entry, outcome: 'invalid', detail: filter.reason });
    throw new StorageError('INVALID_SEARCH', `hold not placed: ${filter.reason}`);
  }
  const holdId = randomUUID();
  // One clock for the copies' held_at and the hold's created_at (ClickHouse's now64 ran a few ms
  // apart from this process's, so a detection read as held before its hold was placed).
  const heldAt = Date.now();
  const db = ctx.storage.db;
  let rowsHeld: number;
  let filedUnder = entry.caseNumber;
  try {
    const [first] = await queryRows<{ case_number: string }>(
      ctx.storage.client,
      `SELECT case_number FROM ${db}.legal_holds WHERE ${SAME_CASE} ORDER BY created_at LIMIT 1`,
      { caseNumber: entry.caseNumber },
    );
    filedUnder = first?.case_number ?? entry.caseNumber;
    const params = { ...filter.params, caseNumber: filedUnder, holdId, heldAt };
    await ctx.storage.client.command({
      // One row a detection: a read redelivered and not yet merged is one; two cameras' reads
      // sharing an id are two, even at the same time for the same plate (ONE_ROW_A_READ).
      query: `INSERT INTO ${db}.evidence_detections (${EVIDENCE_COLUMNS}, case_number, hold_id, held_at)
SELECT ${EVIDENCE_COLUMNS}, {caseNumber:String}, {holdId:String}, fromUnixTimestamp64Milli({heldAt:Int64}, 'UTC')
  FROM ${db}.detections
 WHERE ${indexedWhere(db, filter).join(' AND ')}
 ${ONE_ROW_A_READ}`,
      query_params: params,
    });
    const copied = await queryRows<{ plate_ocr: string; seen_text: string; read_id: string }>(
      ctx.storage.client,
      `SELECT plate_ocr, toString(seen_at) AS seen_text, read_id FROM ${db}.evidence_detections WHERE hold_id = {holdId:String}
        ORDER BY plate_ocr, seen_at, read_id`,
      { holdId },
    );
    rowsHeld = copied.length;
    // Nothing copied, nothing to record: refused below.
    if (rowsHeld > 0) {
      await ctx.storage.client.insert({
        table: `${db}.legal_holds`,
        format: 'JSONEachRow',
        values: [
          {
            hold_id: holdId, case_number: filedUnder, created_at: heldAt, created_by: req.user, reason: entry.reason,
            criteria: JSON.stringify(req.criteria), rows_held: rowsHeld, read_ids: copied.map((k) => k.read_id),
            detection_keys: copied.map((k) => ({ plate_ocr: k.plate_ocr, seen_at: k.seen_text, read_id: k.read_id })),
          },
        ],
      });
    }
  } catch (error) {
    // Copied rows without their legal_holds record would be exported under the case with no
    // record of who held them or why: take them back out, then say the hold was not placed.
    await ctx.storage.client
      .command({ query: `DELETE FROM ${db}.evidence_detections WHERE hold_id = {holdId:String}`, query_params: { holdId } })
      .catch(() => {});
    const why = (error as Error).message;
    await ctx.accessLog.append({ ...entry, outcome: 'failed', detail: `hold ${holdId} not placed: ${why}` });
    throw new StorageError('EVIDENCE_FAILED', `hold not placed: ${why}`, { cause: error });
  }
  if (rowsHeld === 0) {
    await ctx.accessLog.append({ ...entry, outcome: 'invalid', detail: 'no detection matches; nothing was held' });
    throw new StorageError(
      'NOTHING_HELD',
      `no detection matches the hold's plate, read ids, detections and period; nothing was held for case ${entry.caseNumber} and no hold was recorded`,
    );
  }
  const filed = filedUnder === entry.caseNumber ? '' : ` filed under case ${filedUnder}, as first typed`;
  await ctx.accessLog.append({ ...entry, rowsReturned: rowsHeld, detail: `hold ${holdId}${filed}` });
  return { holdId, rowsHeld, caseNumber: filedUnder };
}

export interface ExportRequest {
  user: string;
  caseNumber: string;
  outDir: string;
  /** Why the package is made (booking, discovery request…). @default 'evidence export' */
  reason?: string;
}

export interface EvidenceManifest {
  /** The case as its holds are filed (the spelling its first hold was typed in). */
  caseNumber: string;
  generatedAt: string;
  generatedBy: string;
  detections: number;
  holds: number;
  accessLogSeq: number;
  /** How detections.csv differs from detections.json (PACKAGE_CSV_NOTE). */
  csvNote: string;
  files: ManifestFile[];
  // Added since the first packages, after the fields above, which keep their meaning.
  /** The access log chain of record `accessLogSeq` (each writing process has its own). */
  accessLogChain: string;
  /** Why the package was made (the export's reason). */
  reason: string;
  /** Name and title of `generatedBy` in the users register at the time. */
  generatedByName: string;
  generatedByTitle: string;
  /** The software and version that made the package ("platewatch 0.1.0"). */
  software: string;
  /** The department's IANA time zone; times in the package are UTC all the same. */
  timeZone: string;
}

/**
 * What an export returns: the manifest as written, and the SHA-256 of manifest.json, which the
 * access log records (it cannot be in the manifest itself) and which goes on the property form.
 */
export interface EvidenceExport extends EvidenceManifest {
  manifestSha256: string;
}

/** The files of an evidence package besides README.txt, manifest.json and SHA256SUMS, for README.txt. */
const EVIDENCE_FILES = [
  ['detections.csv', 'the held detections of the case, one row each, for a spreadsheet (see THE CSV AND THE EXACT RECORD)'],
  ['detections.json', 'the same detections, the exact record'],
  ['holds.json', 'the legal holds of the case: who placed each, when, why, and what it selected (criteria)'],
] as const;

/**
 * Writes the case's held detections to `outDir`: detections.csv, detections.json, holds.json,
 * manifest.json (with SHA-256 of each) and SHA256SUMS (`sha256sum -c` format, manifest included).
 * The case is found whatever the case of its letters. Each detection names the hold whose copy it is
 * (hold_id, held_at) and every hold of the case that covers it (hold_ids, in the order placed).
 */
export async function exportEvidence(ctx: EvidenceContext, req: ExportRequest): Promise<EvidenceExport> {
  const entry: AccessEntry = {
    user: req.user, action: 'export', outcome: 'ok', params: { caseNumber: req.caseNumber, outDir: req.outDir }, rowsReturned: 0,
    caseNumber: req.caseNumber.trim(), reason: (req.reason ?? 'evidence export').trim(), detail: '',
  };
  const exporter = await authorise(ctx, entry);
  // A path that cannot be made is found by the write itself, which logs the export as failed.
  const unusable = outputDirectoryProblem(req.outDir, { empty: true });
  if (unusable?.kind === 'not_empty' || unusable?.kind === 'file') {
    throw new StorageError('EVIDENCE_FAILED', `output directory ${unusable.message}${unusable.kind === 'not_empty' ? '; an evidence package is never overwritten' : ''}`);
  }
  const db = ctx.storage.db;
  const params = { caseNumber: entry.caseNumber };
  // One row a detection: FINAL merges a detection held twice under one spelling of the case, LIMIT 1
  // BY its key across spellings (holds placed before case numbers were compared in any letter case).
  // Holds cover the detections they kept (detection_keys: plate, time and read id, so a hold of one
  // of two cameras' reads sharing all three covers both, and is named once: groupUniqArray); holds
  // placed before migration 14 kept only read ids, and cover every held detection of the case with
  // one of them; holds placed before migration 9 kept neither: the row's own hold_id stands for them.
  const select = `WITH arrayMap(h -> h.2, arraySort(arrayConcat(by_key, by_read))) AS covering
SELECT ${FIRST_EVIDENCE_COLUMN_NAMES.join(', ')}, hold_id,
       if(has(covering, hold_id), covering, arrayConcat([hold_id], covering)) AS hold_ids, held_at,
       ${ADDED_EVIDENCE_COLUMN_NAMES.join(', ')}
  FROM (SELECT ${EVIDENCE_COLUMNS}, hold_id, held_at FROM ${db}.evidence_detections FINAL
         WHERE ${SAME_CASE} ORDER BY held_at DESC ${ONE_ROW_A_READ}) AS held
  LEFT JOIN (SELECT k.1 AS plate_ocr, k.2 AS seen_at, k.3 AS read_id, groupUniqArray((created_at, hold_id)) AS by_key
               FROM ${db}.legal_holds ARRAY JOIN detection_keys AS k
              WHERE ${SAME_CASE} GROUP BY plate_ocr, seen_at, read_id) AS key_covers USING (plate_ocr, seen_at, read_id)
  LEFT JOIN (SELECT read_id, groupUniqArray((created_at, hold_id)) AS by_read
               FROM ${db}.legal_holds ARRAY JOIN read_ids AS read_id
              WHERE ${SAME_CASE} AND empty(detection_keys) GROUP BY read_id) AS read_covers USING (read_id)
 ORDER BY seen_at, read_id, plate_ocr, agency, camera
${ISO_TIMES}`;
  const rows = await queryRows<Record<string, unknown>>(ctx.storage.client, select, params);
  if (rows.length === 0) {
    await ctx.accessLog.append({ ...entry, outcome: 'invalid', detail: 'no detections held for this case' });
    throw new StorageError('NOTHING_HELD', `no detections are held for case ${entry.caseNumber}; place a legal hold first`);
  }
  const holds = await queryRows<Record<string, unknown>>(
    ctx.storage.client,
    `SELECT hold_id, case_number, created_at, created_by, reason, criteria, rows_held FROM ${db}.legal_holds
      WHERE ${SAME_CASE} ORDER BY created_at ${ISO_TIMES}`,
    params,
  );
  const firstSpelling = holds[0]?.['case_number'];
  const caseNumber = typeof firstSpelling === 'string' ? firstSpelling : entry.caseNumber;
  const contents: Array<[string, string]> = [
    // The same rows as detections.json, so the two files cannot disagree.
    ['detections.csv', packageCsv(PACKAGE_COLUMNS, rows)],
    ['detections.json', `${JSON.stringify(rows, null, 2)}\n`],
    ['holds.json', `${JSON.stringify(holds, null, 2)}\n`],
  ];
  const software = ctx.software ?? packageSoftware();
  const timeZone = timeZoneOf(ctx.storage);
  const about = {
    title: `Evidence package of case ${caseNumber}`,
    summary: [
      `${rows.length} detection(s) held under ${holds.length} legal hold(s) of case ${caseNumber}, exported by ` +
        `${exporter?.name ?? req.user}${exporter?.title ? `, ${exporter.title}` : ''} (user ${req.user}) for: ${entry.reason}. ` +
        'Who made it, when and why are in manifest.json.',
    ],
    software, timeZone, csvColumns: PACKAGE_COLUMNS, files: EVIDENCE_FILES,
  };
  let written: { manifest: EvidenceManifest; manifestSha256: string };
  try {
    let exportRecord: { chain: string; seq: number } | undefined;
    written = await writePackage(req.outDir, contents, async (files) => {
      // The manifest names this record, so the package and the access log point at each other; the
      // record has every file's SHA-256.
      const record = await ctx.accessLog.append({
        ...entry, rowsReturned: rows.length, params: { ...(entry.params as object), files: files.map((f) => ({ name: f.name, sha256: f.sha256 })) },
      });
      exportRecord = record;
      return {
        caseNumber, generatedAt: new Date().toISOString(), generatedBy: req.user,
        detections: rows.length, holds: holds.length, accessLogSeq: record.seq, csvNote: PACKAGE_CSV_NOTE, files,
        accessLogChain: record.chain, reason: entry.reason, generatedByName: exporter?.name ?? '', generatedByTitle: exporter?.title ?? '',
        software, timeZone,
      };
    }, {
      about,
      // The manifest names the export record, so its own SHA-256 can only be in the next one: the
      // outside anchor a package is checked against (a file edited and manifest.json and SHA256SUMS
      // recomputed give another SHA-256).
      manifestWritten: async (manifestSha256) => {
        const { chain, seq } = exportRecord!;
        await ctx.accessLog.append({
          ...entry, params: { ...(entry.params as object), accessLogChain: chain, accessLogSeq: seq, manifestSha256 },
          detail: manifestRecordDetail(manifestSha256, chain, seq),
        });
      },
    });
  } catch (error) {
    const why = (error as Error).message;
    await ctx.accessLog.append({ ...entry, outcome: 'failed', detail: `package not written: ${why}` });
    throw new StorageError('EVIDENCE_FAILED', `evidence package not written: ${why}`, { cause: error });
  }
  return { ...written.manifest, manifestSha256: written.manifestSha256 };
}
