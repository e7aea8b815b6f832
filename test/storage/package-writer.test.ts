// Output directories users name (evidence packages, release packages, memoranda, reports): made one
// level at a time, refused with the directory and the reason, and never a hang. Real file system,
// and a real child process where the old code never returned (Node's recursive mkdir on /proc).
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  makeOutputDirectory, OutputDirectoryError, outputDirectoryProblem, outputFileProblem,
} from '../../storage/index.js';
import { makePartialPackageDirectory, packageReadme, packageSoftware, writePackage, type PackageAbout } from '../../storage/package-writer.js';
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
       const about = { title: 't', summary: [], software: 'platewatch test', timeZone: 'UTC', csvColumns: [], files: [] };
       try { await writePackage('/proc/nope/x', [['a.txt', 'a']], () => ({}), { about }); console.log('written'); }
       catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }`,
      20_000,
    );
    expect(run.signal, 'the write never returned (killed at the time limit)').toBeNull();
    expect(JSON.parse(run.stdout)).toEqual({
      name: 'OutputDirectoryError', code: 'OUTPUT_DIRECTORY_UNUSABLE',
      message: 'cannot make the directory /proc/nope: no such file or directory (ENOENT)',
    });
  }, 30_000);

  it('refuses /proc/nope (its parent there, the directory not makeable) naming it, not the sibling a package is written into first', () => {
    expect(() => makePartialPackageDirectory('/proc/nope')).toThrow(expect.objectContaining({
      name: 'OutputDirectoryError', code: 'OUTPUT_DIRECTORY_UNUSABLE', path: '/proc/nope',
      message: 'cannot make the directory /proc/nope: no such file or directory (ENOENT)',
    }));
  });
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

const ABOUT: PackageAbout = {
  title: 'Evidence package of case WPD-26-0777',
  summary: ['2 detection(s) held under 1 legal hold(s) of case WPD-26-0777.'],
  software: 'platewatch 9.8.7',
  timeZone: 'America/Los_Angeles',
  csvColumns: ['read_id', 'plate_ocr', 'stored_at', 'hold_id', 'hold_ids', 'held_at'],
  files: [['detections.csv', 'the held detections, for a spreadsheet'], ['detections.json', 'the exact record']],
};

describe('writePackage', () => {
  it('makes the missing directories above the package and leaves no partial directory', async () => {
    const out = join(dir, 'media', 'case-1');
    const { manifest } = await writePackage(out, [['a.txt', 'a']], (files) => ({ files }), { about: ABOUT });
    expect(manifest.files.map((f) => f.name)).toEqual(['a.txt', 'README.txt']);
    expect(readdirSync(out).sort()).toEqual(['README.txt', 'SHA256SUMS', 'a.txt', 'manifest.json']);
    expect(readdirSync(join(dir, 'media'))).toEqual(['case-1']);
  });

  it('puts README.txt in every package, after the data files, covered by the manifest and SHA256SUMS', async () => {
    const out = join(dir, 'media', 'case-readme');
    const { manifest, manifestSha256 } = await writePackage(out, [['detections.csv', 'x'], ['detections.json', '[]']], (files) => ({ files }), { about: ABOUT });
    expect(manifest.files.map((f) => f.name)).toEqual(['detections.csv', 'detections.json', 'README.txt']);
    const readme = readFileSync(join(out, 'README.txt'));
    expect(manifest.files[2]).toEqual({ name: 'README.txt', bytes: readme.length, sha256: createHash('sha256').update(readme).digest('hex') });
    expect(createHash('sha256').update(readFileSync(join(out, 'manifest.json'))).digest('hex')).toBe(manifestSha256);
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' })).toBe(
      'detections.csv: OK\ndetections.json: OK\nREADME.txt: OK\nmanifest.json: OK\n',
    );
  });

  it('hands manifest.json\'s SHA-256 to be recorded before the package is in place, and leaves nothing when that fails', async () => {
    const out = join(dir, 'media', 'case-recorded');
    const seen: Array<{ sha: string; inPlace: boolean }> = [];
    const { manifestSha256 } = await writePackage(out, [['a.txt', 'a']], (files) => ({ files }), {
      about: ABOUT, manifestWritten: async (sha) => void seen.push({ sha, inPlace: existsSync(out) }),
    });
    expect(seen).toEqual([{ sha: manifestSha256, inPlace: false }]);
    const refused = join(dir, 'media', 'case-not-recorded');
    await expect(writePackage(refused, [['a.txt', 'a']], (files) => ({ files }), {
      about: ABOUT, manifestWritten: async () => { throw new Error('access log append failed'); },
    })).rejects.toThrow('access log append failed');
    expect(existsSync(refused)).toBe(false);
    expect(readdirSync(join(dir, 'media')).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('lets no other account on the host read the package: ALPR data', async () => {
    const out = join(dir, 'media', 'case-2');
    await writePackage(out, [['detections.csv', 'read_id\nr1\n']], (files) => ({ files }), { about: ABOUT });
    expect(statSync(out).mode & 0o007).toBe(0);
    for (const name of readdirSync(out)) expect(statSync(join(out, name)).mode & 0o007, name).toBe(0);
  });
});

describe('README.txt of a package', () => {
  const readme = packageReadme(ABOUT);
  /** The text with its line breaks as spaces: the wording, wherever the lines wrap. */
  const flat = readme.replace(/\s+/g, ' ');

  it('says what the package is, the software and version, the time zone, that times are UTC with Z, and the encoding', () => {
    expect(readme.startsWith('Evidence package of case WPD-26-0777\r\n')).toBe(true);
    expect(flat).toContain('Made by platewatch 9.8.7.');
    expect(flat).toContain("The department's time zone is America/Los_Angeles. Every time in these files is UTC,");
    expect(flat).toContain('ISO 8601 with a Z');
    expect(flat).toMatch(/detections\.csv starts with a UTF-8 byte-order mark \(the bytes EF BB BF\)/);
    // Lines for Notepad, and none of them so long it has to be scrolled.
    expect(readme.split('\r\n').every((line) => !line.includes('\n') && line.length <= 140)).toBe(true);
  });

  it('says what each column of detections.csv means, the escaping rule, Excel\'s guessing, and every way to verify', () => {
    for (const name of ABOUT.csvColumns) expect(readme).toMatch(new RegExp(`\\r\\n  ${name} +\\S`));
    expect(readme).toMatch(/plate_ocr +the plate folded for comparison/);
    expect(readme).toMatch(/hold_ids +every legal hold of the case that covers/);
    expect(flat).toContain("beginning with =, +, -, @, a tab, a carriage return or ' has one ' added before it");
    expect(flat).toContain("remove exactly one ' from the start of a text cell that begins with '");
    expect(flat).toContain('1E5 becomes 100000, 0123 loses its leading zero');
    expect(flat).toContain('Data > From Text/CSV');
    expect(readme).toContain('sha256sum -c SHA256SUMS');
    expect(readme).toContain('shasum -a 256 -c SHA256SUMS');
    expect(readme).toContain('Get-FileHash -Algorithm SHA256');
    expect(flat).toContain('the record whose detail reads "manifest.json SHA-256 …" for the export record named by accessLogChain and accessLogSeq');
  });

  it('names the software from package.json when it is not given', () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(packageSoftware()).toBe(`platewatch ${version}`);
  });
});
