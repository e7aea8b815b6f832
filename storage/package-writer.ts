// A package of files for portable media or another agency (evidence exports, releases): data files,
// manifest.json naming each with its size and SHA-256, and SHA256SUMS (`sha256sum -c`, the
// manifest included). It is written beside its directory and renamed into place when whole, so a
// failed write (disk full, a path that cannot be made) never leaves a partial package that looks
// complete, nor a directory that blocks the next attempt.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
 * renames the whole into `outDir` (which must not exist, or be empty). On any failure nothing is
 * left and the error is rethrown.
 */
export async function writePackage<M extends object>(
  outDir: string,
  contents: ReadonlyArray<readonly [name: string, body: string]>,
  manifestFor: (files: ManifestFile[]) => M | Promise<M>,
): Promise<M> {
  const target = resolve(outDir); // no trailing slash: the partial directory is its sibling
  const partial = `${target}.partial-${randomUUID().slice(0, 8)}`;
  try {
    mkdirSync(partial, { recursive: true });
    const files = contents.map(([name, body]) => {
      writeFileSync(join(partial, name), body);
      return { name, bytes: Buffer.byteLength(body), sha256: sha256(body) };
    });
    const manifest = await manifestFor(files);
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(join(partial, 'manifest.json'), manifestText);
    const sums = [...files, { name: 'manifest.json', sha256: sha256(manifestText) }].map((f) => `${f.sha256}  ${f.name}\n`).join('');
    writeFileSync(join(partial, 'SHA256SUMS'), sums);
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
