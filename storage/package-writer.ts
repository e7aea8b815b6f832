// A package of files for portable media or another agency (evidence exports, releases): data files,
// manifest.json naming each with its size and SHA-256, and SHA256SUMS (`sha256sum -c`, the
// manifest included). It is written beside its directory and renamed into place when whole, so a
// failed write (disk full, a path that cannot be made) never leaves a partial package that looks
// complete, nor a directory that blocks the next attempt.
// Also the checks and the making of any output directory or file a user names (packages,
// memoranda, reports).
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

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

/**
 * Writes `contents`, then the manifest `manifestFor` makes of their checksums, then SHA256SUMS, and
 * renames the whole into `outDir` (which must not exist, or be empty; missing directories above it
 * are made). On any failure nothing of the package is left and the error is rethrown.
 */
export async function writePackage<M extends object>(
  outDir: string,
  contents: ReadonlyArray<readonly [name: string, body: string]>,
  manifestFor: (files: ManifestFile[]) => M | Promise<M>,
): Promise<M> {
  const target = resolve(outDir); // no trailing slash: the partial directory is its sibling
  const partial = `${target}.partial-${randomUUID().slice(0, 8)}`;
  try {
    makeOutputDirectory(dirname(target));
    mkdirSync(partial, { mode: PACKAGE_DIRECTORY_MODE });
    const files = contents.map(([name, body]) => {
      writeFileSync(join(partial, name), body, { mode: PACKAGE_FILE_MODE });
      return { name, bytes: Buffer.byteLength(body), sha256: sha256(body) };
    });
    const manifest = await manifestFor(files);
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(join(partial, 'manifest.json'), manifestText, { mode: PACKAGE_FILE_MODE });
    const sums = [...files, { name: 'manifest.json', sha256: sha256(manifestText) }].map((f) => `${f.sha256}  ${f.name}\n`).join('');
    writeFileSync(join(partial, 'SHA256SUMS'), sums, { mode: PACKAGE_FILE_MODE });
    // rename(2) replaces an empty directory, so an empty outDir made beforehand is used.
    renameSync(partial, target);
    return manifest;
  } catch (error) {
    removeQuietly(partial);
    throw error;
  }
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
