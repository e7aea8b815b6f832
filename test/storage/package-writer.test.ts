// Output directories users name (evidence packages, release packages, memoranda, reports): made one
// level at a time, refused with the directory and the reason, and never a hang. Real file system,
// and a real child process where the old code never returned (Node's recursive mkdir on /proc).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  makeOutputDirectory, OutputDirectoryError, outputDirectoryProblem, outputFileProblem,
} from '../../storage/index.js';
import { writePackage } from '../../storage/package-writer.js';
import { REPO_ROOT } from '../fixtures/cli.js';
import { makeTempDir } from './temp-storage.js';

const dir = makeTempDir('platewatch-package-writer-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `code` (an ES module, imports relative to the repository) in a child node; killed after `ms`. */
function runChild(code: string, ms: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO_ROOT, timeout: ms, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', fail);
    child.on('close', (exit, signal) => done({ code: exit, signal, stdout, stderr }));
  });
}

describe.runIf(process.platform === 'linux')('writing a package where the directory cannot be made', () => {
  it('refuses /proc/nope/x at once, naming the directory, instead of looping in mkdir for ever', async () => {
    const run = await runChild(
      `import { writePackage } from './storage/package-writer.ts';
       try { await writePackage('/proc/nope/x', [['a.txt', 'a']], () => ({})); console.log('written'); }
       catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }`,
      20_000,
    );
    expect(run.signal, 'the write never returned (killed at the time limit)').toBeNull();
    expect(JSON.parse(run.stdout)).toEqual({
      name: 'OutputDirectoryError', code: 'OUTPUT_DIRECTORY_UNUSABLE',
      message: 'cannot make the directory /proc/nope: no such file or directory (ENOENT)',
    });
  }, 30_000);
});

describe('makeOutputDirectory', () => {
  it('makes the directory and every missing one above it, and leaves an existing one as it is', () => {
    const deep = join(dir, 'a', 'b', 'c');
    makeOutputDirectory(deep);
    expect(existsSync(deep)).toBe(true);
    writeFileSync(join(deep, 'kept.md'), 'x');
    makeOutputDirectory(deep);
    expect(readdirSync(deep)).toEqual(['kept.md']);
  });

  it('refuses a path with a file at it or above it, naming the file', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect(() => makeOutputDirectory(file)).toThrow(new OutputDirectoryError(file, `${file} is a file, not a directory`));
    expect(() => makeOutputDirectory(join(file, 'x', 'y'))).toThrow(`${file} is a file, so the directory ${join(file, 'x', 'y')} cannot be made`);
  });
});

describe('outputDirectoryProblem and outputFileProblem', () => {
  it('tell a file, a blocked path and (when asked) a directory with files in it, without making anything', () => {
    const file = join(dir, 'b-file');
    writeFileSync(file, 'x');
    const full = join(dir, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'f'), 'x');
    expect(outputDirectoryProblem(file)).toEqual({ kind: 'file', message: `${file} is a file, not a directory` });
    expect(outputDirectoryProblem(join(file, 'sub'))?.kind).toBe('blocked');
    expect(outputDirectoryProblem(full)).toBeNull();
    expect(outputDirectoryProblem(full, { empty: true })).toEqual({ kind: 'not_empty', message: `${full} is not empty` });
    expect(outputDirectoryProblem(join(dir, 'new', 'deeper'), { empty: true })).toBeNull();
    expect(existsSync(join(dir, 'new'))).toBe(false);
  });

  it('want an output file in a directory that exists, and not a directory itself', () => {
    expect(outputFileProblem(join(dir, 'report.html'))).toBeNull();
    expect(outputFileProblem(dir)).toBe(`${dir} is a directory; name the file to write`);
    expect(outputFileProblem(join(dir, 'none', 'report.html'))).toBe(`the directory ${join(dir, 'none')} does not exist`);
  });
});

describe('writePackage', () => {
  it('makes the missing directories above the package and leaves no partial directory', async () => {
    const out = join(dir, 'media', 'case-1');
    const manifest = await writePackage(out, [['a.txt', 'a']], (files) => ({ files }));
    expect(manifest.files.map((f) => f.name)).toEqual(['a.txt']);
    expect(readdirSync(out).sort()).toEqual(['SHA256SUMS', 'a.txt', 'manifest.json']);
    expect(readdirSync(join(dir, 'media'))).toEqual(['case-1']);
  });

  it('lets no other account on the host read the package: ALPR data', async () => {
    const out = join(dir, 'media', 'case-2');
    await writePackage(out, [['detections.csv', 'read_id\nr1\n']], (files) => ({ files }));
    expect(statSync(out).mode & 0o007).toBe(0);
    for (const name of readdirSync(out)) expect(statSync(join(out, name)).mode & 0o007, name).toBe(0);
  });
});
