// A package of files for portable media or another agency (evidence exports, releases): data files,
// README.txt saying what the package is and how to read and verify it (years later, without this
// software), manifest.json naming each file with its size and SHA-256, and SHA256SUMS
// (`sha256sum -c`, the manifest included). SHA256SUMS alone proves nothing against someone who
// edits a file and recomputes both: the caller records manifest.json's SHA-256 in the hash-chained
// access log (`manifestWritten`), and that record is what a package is checked against.
// A package is written beside its directory and renamed into place when whole, so a failed write
// (disk full, a path that cannot be made) never leaves a partial package that looks complete, nor
// a directory that blocks the next attempt.
// Also the checks and the making of any output directory or file a user names (packages,
// memoranda, reports).
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { platewatchVersion } from './software-version.js';
import { DETECTION_COLUMN_MEANINGS } from './package-csv.js';

/**
 * A package is ALPR data (§471.7(b)): its owner and group may read it, other accounts on the host
 * may not (a records group copies it to portable media). The umask can only narrow these.
 */
export const PACKAGE_DIRECTORY_MODE = 0o750;
export const PACKAGE_FILE_MODE = 0o640;

export interface ManifestFile {
  name: string;
  bytes: number;
  sha256: string;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What README.txt says of a package (packageReadme). */
export interface PackageAbout {
  /** What the package is, its first line: "Evidence package of case WPD-26-0777". */
  title: string;
  /** Paragraphs about this package: who made it, for what, what it holds. */
  summary: readonly string[];
  /** The software and its version that made it: "platewatch 0.1.0". */
  software: string;
  /** The department's IANA time zone (storage config timeZone). */
  timeZone: string;
  /** Columns of detections.csv, in order (DETECTION_COLUMN_MEANINGS says what each means). */
  csvColumns: readonly string[];
  /** Each data file and what it holds, in the package's order. */
  files: ReadonlyArray<readonly [name: string, holds: string]>;
}

export interface PackageOptions {
  about: PackageAbout;
  /**
   * Called with manifest.json's SHA-256 once manifest.json and SHA256SUMS are written, before the
   * package is renamed into place: the caller records it where the package cannot change it (the
   * access log). Its failure leaves no package.
   */
  manifestWritten?: (manifestSha256: string) => Promise<void>;
}

export interface WrittenPackage<M> {
  manifest: M;
  /** SHA-256 of manifest.json as written: what the package is checked against, years later. */
  manifestSha256: string;
}

export const README_NAME = 'README.txt';

/**
 * Writes `contents` and README.txt, then the manifest `manifestFor` makes of their checksums, then
 * SHA256SUMS, and renames the whole into `outDir` (which must not exist, or be empty; missing
 * directories above it are made). On any failure nothing of the package is left and the error is
 * rethrown. README.txt is listed last, so each earlier file keeps its place in `files`.
 */
export async function writePackage<M extends object>(
  outDir: string,
  contents: ReadonlyArray<readonly [name: string, body: string]>,
  manifestFor: (files: ManifestFile[]) => M | Promise<M>,
  options: PackageOptions,
): Promise<WrittenPackage<M>> {
  const target = resolve(outDir);
  const partial = makePartialPackageDirectory(target);
  try {
    const files = [...contents, [README_NAME, packageReadme(options.about)] as const].map(([name, body]) => {
      writeFileSync(join(partial, name), body, { mode: PACKAGE_FILE_MODE });
      return { name, bytes: Buffer.byteLength(body), sha256: sha256(body) };
    });
    const manifest = await manifestFor(files);
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
    const manifestSha256 = sha256(manifestText);
    writeFileSync(join(partial, 'manifest.json'), manifestText, { mode: PACKAGE_FILE_MODE });
    const sums = [...files, { name: 'manifest.json', sha256: manifestSha256 }].map((f) => `${f.sha256}  ${f.name}\n`).join('');
    writeFileSync(join(partial, 'SHA256SUMS'), sums, { mode: PACKAGE_FILE_MODE });
    await options.manifestWritten?.(manifestSha256);
    // rename(2) replaces an empty directory, so an empty outDir made beforehand is used.
    renameSync(partial, target);
    return { manifest, manifestSha256 };
  } catch (error) {
    removeQuietly(partial);
    throw error;
  }
}

/**
 * Makes the directory a package for `outDir` is written into, beside it (a sibling, so the final
 * rename stays on one file system), with the directories above it that are missing, and returns its
 * path. Throws OutputDirectoryError naming `outDir`, not the sibling, when it cannot be made: made
 * first, before any package exists, that is the refusal the user sees.
 */
export function makePartialPackageDirectory(outDir: string): string {
  const target = resolve(outDir); // no trailing slash: the partial directory is its sibling
  makeOutputDirectory(dirname(target));
  const partial = `${target}.partial-${randomUUID().slice(0, 8)}`;
  try {
    mkdirSync(partial, { mode: PACKAGE_DIRECTORY_MODE });
  } catch (error) {
    throw new OutputDirectoryError(target, `cannot make the directory ${target}: ${fsReason(error)}`, { cause: error });
  }
  return partial;
}

/**
 * `detail` of the access log record of a package's manifest.json: its SHA-256, and the export record
 * the manifest names (accessLogChain, accessLogSeq). Written before the package is renamed into
 * place, so no package stands without it; README.txt tells a reader to look for these words.
 */
export function manifestRecordDetail(manifestSha256: string, chain: string, seq: number): string {
  return `manifest.json SHA-256 ${manifestSha256} (package of export record ${chain}:${seq})`;
}

/** "platewatch VERSION", for a caller not given one. */
export function packageSoftware(): string {
  return `platewatch ${platewatchVersion()}`;
}

function indented(text: string, width: number): string {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

function paragraph(text: string): string {
  return indented(text, 96);
}

function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  const pad = ' '.repeat(width + 2);
  return rows
    .map(([name, meaning]) => `  ${name.padEnd(width)}${indented(meaning, 96 - width - 2).replaceAll('\n', `\n${pad}`)}`)
    .join('\n');
}

/**
 * README.txt of a package: what it is, what made it, its time zone and encoding, what each file and
 * each column of detections.csv holds, how the CSV differs from the exact record, how to open it in
 * Excel without it changing values, and how to verify the package. Plain UTF-8 (mostly ASCII), CRLF
 * line ends so that Notepad on any Windows shows its lines.
 */
export function packageReadme(about: PackageAbout): string {
  const sections = [
    about.title,
    ...about.summary.map(paragraph),
    paragraph(
      `Made by ${about.software}. The department's time zone is ${about.timeZone}. Every time in these files is UTC, ` +
        'written ISO 8601 with a Z at the end (2026-12-05T09:00:00.000Z is 09:00 UTC on 5 December 2026); convert it to the ' +
        "department's zone for local time.",
    ),
    'FILES\n' + table([
      ...about.files,
      [README_NAME, 'this description'],
      ['manifest.json', 'what the package is (who made it, when, why, with what software), and the size and SHA-256 of every file above'],
      ['SHA256SUMS', 'the SHA-256 of every file above and of manifest.json, as sha256sum writes them'],
    ]),
    'ENCODING\n' + paragraph(
      'Every file is UTF-8. detections.csv starts with a UTF-8 byte-order mark (the bytes EF BB BF), so that Excel reads ' +
        'accented names (Señor Muñoz) as written; other programs skip the mark. Its lines end in LF.',
    ),
    'COLUMNS OF detections.csv (the keys of detections.json are the same)\n' + table(about.csvColumns.map((name) => [name, DETECTION_COLUMN_MEANINGS[name] ?? ''] as const)),
    'THE CSV AND THE EXACT RECORD\n' + paragraph(
      'detections.json is the exact record: every value as stored, with its type (numbers, null for no value, lists as ' +
        'lists). detections.csv holds the same rows for a spreadsheet, changed in one way only: every text value ' +
        "beginning with =, +, -, @, a tab, a carriage return or ' has one ' added before it, so that a spreadsheet " +
        "shows it as text and never runs it as a formula. To get the exact value back, remove exactly one ' from the " +
        "start of a text cell that begins with '. Numbers are never changed. A list is one cell, its items separated by spaces.",
    ),
    'OPENING detections.csv IN EXCEL\n' + paragraph(
      'Double-clicking the file lets Excel guess each column\'s type, and it changes values as it guesses: 1E5 becomes ' +
        '100000, 0123 loses its leading zero, a long number is rounded to 15 digits, and text that looks like a date ' +
        'becomes one. To see the values as written, open a blank workbook, choose Data > From Text/CSV (older Excel: ' +
        'Data > From Text), pick detections.csv, File Origin "65001: Unicode (UTF-8)", Delimiter Comma, then Transform ' +
        '(or, in the older wizard, select every column) and set every column to Text. Or read detections.json.',
    ),
    'VERIFYING THE PACKAGE\n' + paragraph('1. In this directory, check every file against SHA256SUMS; every line must say OK:') + '\n' + [
      '     Linux:                 sha256sum -c SHA256SUMS',
      '     macOS:                 shasum -a 256 -c SHA256SUMS',
      '     Windows (PowerShell):  Get-Content SHA256SUMS | ForEach-Object { $h, $n = $_ -split \'  \', 2;',
      '                              if ((Get-FileHash -Algorithm SHA256 -LiteralPath $n).Hash -eq $h) { "${n}: OK" } else { "${n}: FAILED" } }',
    ].join('\n'),
    paragraph(
      '2. That shows the files agree with manifest.json, not that they are as made: whoever changes a file can recompute ' +
        'manifest.json and SHA256SUMS. The SHA-256 of manifest.json (its line in SHA256SUMS, or: sha256sum manifest.json; ' +
        'Get-FileHash -Algorithm SHA256 manifest.json) must equal the one the department recorded when the package was ' +
        'made: in its hash-chained access log (the record whose detail reads "manifest.json SHA-256 …" for the export ' +
        'record named by accessLogChain and accessLogSeq in manifest.json), and on the property form or release record. ' +
        'Ask the department\'s records custodian or auditor for that record; the audit shows the access log has not been ' +
        'altered since.',
    ),
  ];
  return `${sections.join('\n\n').replaceAll('\n', '\r\n')}\r\n`;
}

/** Removes a package already renamed into place, when what it stands for could not be recorded. */
export function removePackage(outDir: string): void {
  removeQuietly(resolve(outDir));
}

// Removing is best effort on the way out of a failure: it must not hide the failure being reported
// (and when the path could not be made there is nothing to remove).
function removeQuietly(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // nothing was made there
  }
}

/** An output directory a user named that cannot be made or used; the message says why. */
export class OutputDirectoryError extends Error {
  readonly code = 'OUTPUT_DIRECTORY_UNUSABLE';

  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'OutputDirectoryError';
  }
}

/** Why a named output directory cannot be used, found without making anything. */
export type OutputDirectoryProblem =
  | { kind: 'file'; message: string }
  | { kind: 'not_empty'; message: string }
  | { kind: 'blocked'; message: string }
  | { kind: 'unreadable'; message: string };

type PathKind = 'directory' | 'other' | 'missing';

function pathKind(path: string): PathKind {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat === undefined ? 'missing' : stat.isDirectory() ? 'directory' : 'other';
  } catch (error) {
    // A file where one of the path's directories should be: the walk up to it names it.
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return 'missing';
    throw error;
  }
}

/** "no such file or directory (ENOENT)" from Node's "ENOENT: no such file or directory, mkdir '…'". */
function fsReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const words = /^[A-Z]+: ([^,]+)/.exec(message)?.[1];
  return words !== undefined && code !== undefined ? `${words} (${code})` : message;
}

/** `target`'s directories that do not exist yet, outermost first, and the nearest path that does. */
function missingDirectories(target: string): { missing: string[]; existing: string; kind: Exclude<PathKind, 'missing'> } {
  const missing: string[] = [];
  for (let at = target; ; ) {
    const kind = pathKind(at);
    if (kind !== 'missing') return { missing: missing.reverse(), existing: at, kind };
    missing.push(at);
    const up = dirname(at);
    if (up === at) return { missing: missing.reverse(), existing: at, kind: 'directory' };
    at = up;
  }
}

/**
 * Why `dir` cannot take output, or null when it can: a file stands at it or above it, or (with
 * `empty`) it holds files already. Nothing is made, so it can be asked before any work is done; a
 * directory that does not exist yet is not a problem (makeOutputDirectory makes it).
 */
export function outputDirectoryProblem(dir: string, options: { empty?: boolean } = {}): OutputDirectoryProblem | null {
  const target = resolve(dir);
  try {
    const { existing, kind } = missingDirectories(target);
    if (kind === 'other') {
      return existing === target
        ? { kind: 'file', message: `${target} is a file, not a directory` }
        : { kind: 'blocked', message: `${existing} is a file, so the directory ${target} cannot be made` };
    }
    if (options.empty === true && existing === target && readdirSync(target).length > 0) return { kind: 'not_empty', message: `${target} is not empty` };
    return null;
  } catch (error) {
    return { kind: 'unreadable', message: `${target} cannot be checked: ${fsReason(error)}` };
  }
}

/**
 * Makes `dir` and any directory above it that is missing, one level at a time. Not
 * `mkdirSync(dir, { recursive: true })`: on some paths (/proc/nope/x, where mkdir answers ENOENT
 * under a parent that exists) Node's recursive mkdir retries forever at full CPU and never returns.
 * With `mode` (PACKAGE_DIRECTORY_MODE for ALPR data), the directories it makes get it, narrowed by
 * the umask; one that exists keeps its own. Throws OutputDirectoryError naming the directory that
 * could not be made and why.
 */
export function makeOutputDirectory(dir: string, mode?: number): void {
  const target = resolve(dir);
  const problem = outputDirectoryProblem(target);
  if (problem !== null) throw new OutputDirectoryError(target, problem.message);
  for (const step of missingDirectories(target).missing) {
    try {
      mkdirSync(step, mode === undefined ? {} : { mode });
    } catch (error) {
      // Made meanwhile by someone else: as good as made here.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && pathKind(step) === 'directory') continue;
      const where = step === target ? '' : ` (on the way to ${target})`;
      throw new OutputDirectoryError(target, `cannot make the directory ${step}${where}: ${fsReason(error)}`, { cause: error });
    }
  }
}

/**
 * Why `file` cannot be written as an output file, or null when it can: it is a directory, or the
 * directory it goes in does not exist (or is a file). Nothing is made or written.
 */
export function outputFileProblem(file: string): string | null {
  const target = resolve(file);
  try {
    if (pathKind(target) === 'directory') return `${target} is a directory; name the file to write`;
    const parent = dirname(target);
    const kind = pathKind(parent);
    if (kind === 'missing') return `the directory ${parent} does not exist`;
    if (kind === 'other') return `${parent} is a file, not a directory`;
    return null;
  } catch (error) {
    return `${target} cannot be checked: ${fsReason(error)}`;
  }
}

/**
 * Writes `text` as `file`, PACKAGE_FILE_MODE (it holds or describes ALPR data), replacing what is
 * there: written whole beside it and renamed over it, so a reader never sees half a file, a failed
 * write leaves the old one, and a symlink at `file` is itself replaced, never the file it points
 * to (writing through it would let whoever placed the link choose what gets overwritten).
 */
export function replaceOutputFile(file: string, text: string): void {
  const target = resolve(file);
  const temporary = join(dirname(target), `.${basename(target)}.${randomUUID().slice(0, 8)}.partial`);
  try {
    // 'wx': a path someone placed there meanwhile (a link) is refused, not followed.
    writeFileSync(temporary, text, { mode: PACKAGE_FILE_MODE, flag: 'wx' });
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
