// `platewatch evidence hold|export`: legal holds and evidence packages (Watsonville §471.6).
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AccessLog, authoriseAction, exportEvidence, makePartialPackageDirectory, outputDirectoryProblem, DEFAULT_TIME_ZONE, PACKAGE_FILE_MODE, parseMemberTime, placeLegalHold, sha256, windowText,
  type EvidenceManifest, type PlateQuery,
} from '../../storage/index.js';
import { passwordsFromStdin, passwordsFromTerminal, type PasswordSource } from '../password-input.js';
import { runningSystemUrl, withSystemApi, type SystemApi } from '../system-api.js';
import { signInForVerb, verbErrorText, SIGN_IN_PARSE_OPTIONS, VerbRefusal } from '../verb-sign-in.js';
import type { Verb, VerbIO } from '../verb.js';
import { loadVerbConfig, parseVerbArgs, usageErrorFor } from '../verb-options.js';
import { terminalText } from '../terminal-text.js';
import { printManifestHash } from '../manifest-hash.js';
import { OcrAlphabet } from '../../matcher/index.js';
import { openForVerb, STORAGE_OPTIONS_USAGE, STORAGE_PARSE_OPTIONS, storageConfigFrom, verbAccessLogChain } from '../storage-options.js';

const USAGE = `Usage: platewatch evidence hold --case N --as ID --reason TEXT --from DATE --to DATE
                                [--plate P | --pattern P | --read-id ID ...] [--camera C ...] [--agency A ...]
                                [--password-stdin] [storage options]
       platewatch evidence export --case N --out DIR --as ID [--reason TEXT] [--password-stdin] [storage options]

hold    Copies the matching detections into the evidence store under the case, where retention
        does not purge them (Watsonville §471.6: data that is or may become evidence). The case
        number must carry its number and the reason say why, as a search's purpose must; a hold
        that matches no detection is refused, and no hold is recorded.
export  Writes the case's held detections for booking onto portable media: detections.csv,
        detections.json, holds.json, README.txt (what the package is, how to read and verify
        it), manifest.json (SHA-256 of each file) and SHA256SUMS (check with: sha256sum -c
        SHA256SUMS). The SHA-256 of manifest.json, printed last, is recorded in the access log:
        write it on the property form; a package whose manifest.json no longer has it was
        changed. DIR must be new or empty; missing directories above it are made.
Both are recorded in the access log under the user and case. Holds: analyst, supervisor,
custodian, administrator; exports: the custodian of records or an administrator
(storage/permissions.ts); any other role is refused, and the refusal logged.
While "platewatch up" runs on the same embedded data directory (which it alone can open), both
go through its HTTP API with the same checks; the server keeps its copy of an export under
dataDir/evidence.

Options:
  --case N        case or incident number (required)
  --as ID         who you are (required; a trained, active ALPR user, with their password)
  --password-stdin  read the password from standard input instead of prompting
  --reason TEXT   why                                    [export default: evidence export]
  --from, --to    time range of the detections to hold: ISO 8601, in the department's time zone
                  (config timeZone) unless a zone is given; a date alone is the start of that
                  day there. --from inclusive, --to exclusive: --from 2026-12-01 --to 2026-12-02
                  is all of Dec 1. The window used is printed, with its UTC instants
  --plate P       hold reads of this plate (exact), also where it was one of the camera's
                  other readings (OCR candidates), as a search finds them
  --as-read       with --plate: only reads where the camera read the plate first
  --pattern P     hold reads matching a partial plate (? one character, * any run)
  --read-id ID    hold every detection in the window with this read id (repeatable). Read ids
                  are the cameras' own and two cameras may send the same one: add --camera to
                  hold only one camera's
  --camera C      only detections of this camera (repeatable)
  --agency A      only detections of this agency's cameras (repeatable)
  --out DIR       export directory
  --help          show this text

${STORAGE_OPTIONS_USAGE}

Exit status: 0 done; 1 refused or failed; 2 usage or configuration error.

Example:
  platewatch evidence export --case WPD-26-0777 --as cust1 --out /media/evidence/WPD-26-0777
`;

const OPTIONS = {
  case: { type: 'string' },
  ...SIGN_IN_PARSE_OPTIONS,
  reason: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  plate: { type: 'string' },
  pattern: { type: 'string' },
  'as-read': { type: 'boolean' },
  'read-id': { type: 'string', multiple: true },
  camera: { type: 'string', multiple: true },
  agency: { type: 'string', multiple: true },
  out: { type: 'string' },
  ...STORAGE_PARSE_OPTIONS,
} as const;

export const evidenceVerb: Verb = {
  name: 'evidence',
  summary: 'place legal holds on detections and export evidence packages with checksums',
  usage: USAGE,
  run: runEvidence,
};

const usageError = usageErrorFor('evidence', USAGE);

async function runEvidence(args: string[], io: VerbIO): Promise<number> {
  const [sub, ...rest] = args;
  // Nothing said of what to do: the whole usage. A wrong value below: the error and where the usage is.
  if (sub === undefined) return usageError(io, 'a sub-command is needed', 'usage');
  if (sub !== 'hold' && sub !== 'export') return usageError(io, `unknown sub-command "${sub}" (hold, export)`);
  const parsed = parseVerbArgs('evidence', rest, OPTIONS, io);
  if (parsed === null) return 2;
  const { values } = parsed;
  if (parsed.positionals.length > 0) return usageError(io, `unexpected argument "${parsed.positionals[0]}"`);
  if (values.case === undefined || values.case.trim() === '') return usageError(io, '--case N is required');
  if (values.as === undefined || values.as.trim() === '') return usageError(io, '--as ID is required');
  let plate: PlateQuery | undefined;
  let from: Date | undefined;
  let to: Date | undefined;
  if (sub === 'export' && values.out === undefined) return usageError(io, '--out DIR is required');
  if (sub === 'hold') {
    if (values.reason === undefined || values.reason.trim() === '') return usageError(io, '--reason TEXT is required for a hold');
    if (values.from === undefined || values.to === undefined) return usageError(io, '--from and --to are required for a hold');
    if (values.plate !== undefined && values.pattern !== undefined) return usageError(io, 'give --plate or --pattern, not both');
    if (values.plate !== undefined && /[?*]/.test(values.plate)) return usageError(io, `--plate "${values.plate}" is a pattern ("?" one character, "*" any run): give it as --pattern`);
    if (values.plate !== undefined) plate = { kind: 'exact', plate: values.plate };
    if (values.pattern !== undefined) plate = { kind: 'partial', pattern: values.pattern };
    if (plate === undefined && values['read-id'] === undefined) return usageError(io, 'say what to hold: --plate, --pattern or --read-id');
    if (values['as-read'] === true && values.plate === undefined) return usageError(io, '--as-read goes with --plate (a pattern compares the plate as read)');
  }
  // As a search finds a plate: also where it was one of the camera's other readings, unless --as-read.
  const otherReadings = values.plate !== undefined && values['as-read'] !== true;

  if (sub === 'export') {
    // Before signing in and making the package: refused here, it costs nothing and logs nothing.
    const problem = outputDirectoryProblem(resolve(io.cwd, values.out!), { empty: true });
    if (problem !== null) {
      const never = problem.kind === 'not_empty' ? '; an evidence package is never overwritten' : '';
      io.stderr.write(`platewatch evidence export: output directory ${terminalText(problem.message)}${never}\n`);
      return 1;
    }
  }

  const config = await loadVerbConfig('evidence', values.config, io);
  if (config === null) return 2;
  const storageConfig = await storageConfigFrom(values, io);
  if (storageConfig === undefined) return 2;
  if (sub === 'hold') {
    // In the department's zone, as the running system would read them (storage/member-time.ts).
    const timeZone = storageConfig.timeZone ?? DEFAULT_TIME_ZONE;
    const fromMs = parseMemberTime(values.from!, timeZone);
    const toMs = parseMemberTime(values.to!, timeZone);
    if (fromMs === null || toMs === null) return usageError(io, `--from and --to must be ISO 8601 dates or times, such as 2026-11-02, 2026-11-02T08:00 (${timeZone}) or 2026-11-02T08:00:00Z`);
    if (fromMs >= toMs) return usageError(io, '--from must be before --to');
    from = new Date(fromMs);
    to = new Date(toMs);
    io.stdout.write(`window ${windowText(from, to, timeZone)}\n`);
  }
  const passwords = values['password-stdin'] === true ? await passwordsFromStdin(io) : undefined;
  const systemUrl = await runningSystemUrl(storageConfig);
  if (systemUrl !== undefined) {
    const job: EvidenceJob = sub === 'hold'
      ? { sub, caseNumber: values.case, reason: values.reason!, from: from!, to: to!, plate, otherReadings, readIds: values['read-id'], where: holdWhere(values) }
      : { sub, caseNumber: values.case, reason: values.reason, outDir: resolve(io.cwd, values.out!) };
    return evidenceThroughSystem(systemUrl, values.as, passwords ?? passwordsFromTerminal(io), job, io);
  }
  const storage = await openForVerb(storageConfig, io);
  if (storage === undefined) return 1;
  try {
    // The classes `up` stored plate_ocr with: a hold must find the plates the way a search does.
    const ctx = { storage, accessLog: new AccessLog(storage, verbAccessLogChain(storage)), alphabet: new OcrAlphabet(config.matcher.ocrClasses) };
    const user = await signInForVerb(storage, values.as, values['password-stdin'] === true, io, passwords);
    await authoriseAction(ctx, user, sub === 'hold' ? 'evidence.hold' : 'evidence.export', { caseNumber: values.case });
    if (sub === 'hold') {
      const r = await placeLegalHold(ctx, {
        user,
        caseNumber: values.case,
        reason: values.reason!,
        criteria: {
          from: from!, to: to!, ...(plate ? { plate } : {}), ...(otherReadings ? { otherReadings } : {}),
          ...(values['read-id'] ? { readIds: values['read-id'] } : {}), ...holdWhere(values),
        },
      });
      printHold(io, r, values.case);
      return 0;
    }
    const outDir = resolve(io.cwd, values.out!);
    const { manifestSha256, ...m } = await exportEvidence(ctx, {
      user,
      caseNumber: values.case,
      outDir,
      ...(values.reason ? { reason: values.reason } : {}),
    });
    printExport(io, m, manifestSha256, outDir);
    return 0;
  } catch (error) {
    io.stderr.write(`platewatch evidence ${sub}: ${terminalText(verbErrorText(error))}\n`);
    return 1;
  } finally {
    await storage.close();
  }
}

/** A hold as storage placed it; `caseNumber` is the case as filed (as first typed), where storage says it. */
type PlacedHold = { holdId: string; rowsHeld: number; caseNumber?: string };

/**
 * The case is printed as filed: a case is filed as first typed (storage/evidence.ts SAME_CASE), so
 * "wpd-26-0777" typed today is held under WPD-26-0777, which is what the export and the package say.
 */
function printHold(io: VerbIO, r: PlacedHold, typed: string): void {
  const filed = r.caseNumber ?? typed;
  const asTyped = filed === typed.trim() ? '' : ` (typed ${terminalText(typed)})`;
  io.stdout.write(`hold ${terminalText(r.holdId)}: ${r.rowsHeld} detection(s) held for case ${terminalText(filed)}${asTyped}\n`);
  if (r.rowsHeld === 0) io.stderr.write('warning: the hold holds 0 detections; check the window above and the plate\n');
}

function printExport(io: VerbIO, m: EvidenceManifest, manifestSha256: string, outDir: string): void {
  io.stdout.write(`exported ${m.detections} detection(s) of case ${terminalText(m.caseNumber)} to ${terminalText(outDir)}\n`);
  for (const f of m.files) io.stdout.write(`  ${terminalText(f.sha256)}  ${terminalText(f.name)}\n`);
  printManifestHash(io, manifestSha256);
}

type HoldWhere = { cameras?: string[]; agencies?: string[] };

/** The cameras and agencies a hold is narrowed to, as storage and the API name them. */
function holdWhere(values: { camera?: string[]; agency?: string[] }): HoldWhere {
  return { ...(values.camera === undefined ? {} : { cameras: values.camera }), ...(values.agency === undefined ? {} : { agencies: values.agency }) };
}

type EvidenceJob =
  | { sub: 'hold'; caseNumber: string; reason: string; from: Date; to: Date; plate: PlateQuery | undefined; otherReadings: boolean; readIds: string[] | undefined; where: HoldWhere }
  | { sub: 'export'; caseNumber: string; reason: string | undefined; outDir: string };

/** The hold or export done by the running system's API (bin/system-api.ts), printed as if done here. */
async function evidenceThroughSystem(url: string, as: string, passwords: PasswordSource, job: EvidenceJob, io: VerbIO): Promise<number> {
  return withSystemApi(url, as, passwords, `evidence ${job.sub}`, io, async (api) => {
    try {
      await evidenceWork(api, job, io);
      return 0;
    } catch (error) {
      // The system's refusal may quote the case number or reason as typed: escaped, as here.
      io.stderr.write(`platewatch evidence ${job.sub}: ${terminalText(verbErrorText(error))}\n`);
      return 1;
    }
  });
}

async function evidenceWork(api: SystemApi, job: EvidenceJob, io: VerbIO): Promise<void> {
  if (job.sub === 'hold') {
    const plate = job.plate === undefined ? {} : job.plate.kind === 'partial' ? { plate: job.plate.pattern, match: 'partial' }
      : { plate: job.plate.plate, match: job.plate.kind, otherReadings: job.otherReadings };
    const r = await api.json<PlacedHold>('POST', '/api/evidence/holds', {
      caseNumber: job.caseNumber, reason: job.reason, from: job.from.toISOString(), to: job.to.toISOString(), ...plate, ...(job.readIds === undefined ? {} : { readIds: job.readIds }), ...job.where,
    });
    printHold(io, r, job.caseNumber);
    return;
  }
  // Made before the export: a directory that cannot be made is refused before the system writes a
  // package and logs an export that never reaches the custodian (found by QA).
  const partial = makePartialPackageDirectory(job.outDir);
  try {
    const made = await api.json<{ exportId: string; files: string[]; manifest: EvidenceManifest; manifestSha256: string }>('POST', '/api/evidence/exports', {
      caseNumber: job.caseNumber, ...(job.reason === undefined ? {} : { reason: job.reason }),
    });
    await downloadPackage(api, made, partial, job.outDir);
    printExport(io, made.manifest, made.manifestSha256, job.outDir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/**
 * Writes the package's files into `partial` (makePartialPackageDirectory's, beside `outDir`), each
 * checked against the SHA-256 the manifest gives it, and the manifest against SHA256SUMS: what is
 * booked is what the server wrote. Renamed into `outDir` (new or empty) only when whole, so a failed
 * download leaves no partial package; the caller removes `partial` then.
 */
async function downloadPackage(
  api: SystemApi, made: { exportId: string; files: string[]; manifest: EvidenceManifest; manifestSha256: string }, partial: string, outDir: string,
): Promise<void> {
  const texts = new Map<string, string>();
  for (const name of made.files) {
    // A name from the answer becomes a path here: a plain file name only.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new VerbRefusal(`the package names a file ${JSON.stringify(name)} that is not a plain file name; nothing was written`);
    const text = withByteOrderMark(await api.text(`/api/evidence/exports/${made.exportId}/${encodeURIComponent(name)}`), made.manifest, name);
    texts.set(name, text);
    writeFileSync(resolve(partial, name), text, { flag: 'wx', mode: PACKAGE_FILE_MODE });
  }
  const sums = texts.get('SHA256SUMS') ?? '';
  // The manifest too is checked against the SHA-256 the server recorded in the access log.
  const expected = [...made.manifest.files, { name: 'manifest.json', sha256: made.manifestSha256 }];
  for (const f of expected) {
    const text = texts.get(f.name);
    if (text === undefined || sha256(text) !== f.sha256 || !sums.includes(`${f.sha256}  ${f.name}\n`)) {
      throw new VerbRefusal(`the downloaded ${f.name} does not match its SHA-256 in the package; nothing was written to ${outDir}`);
    }
  }
  // rename(2) replaces an empty directory, so an empty outDir made beforehand is used.
  renameSync(partial, outDir);
}

/**
 * A file's text as the server wrote it. fetch's text() decodes as the Encoding Standard says, which
 * drops a leading UTF-8 byte-order mark, and detections.csv starts with one (storage/package-csv.ts):
 * put back when that is what the manifest's SHA-256 says the file held; checked with the rest below.
 */
function withByteOrderMark(text: string, manifest: EvidenceManifest, name: string): string {
  const listed = manifest.files.find((f) => f.name === name);
  return listed !== undefined && sha256(text) !== listed.sha256 && sha256(`\uFEFF${text}`) === listed.sha256 ? `\uFEFF${text}` : text;
}
