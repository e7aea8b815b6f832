// The CLI as users and scripts run it: a real `node --import tsx bin/platewatch.ts` process for
// the entry point (help, version, exit codes, the wrapper); `match`'s cases run the same code in
// this process (runCliInProcess), as a process costs seconds here.
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VERBS } from '../../bin/verbs/index.js';
import { REPO_ROOT, runCli, runCliInProcess } from '../fixtures/cli.js';

const ROOT = REPO_ROOT;
const NOW = '2026-02-10T15:00:00Z';
const EXAMPLES = ['--hotlist', 'examples/hotlists/svs.csv', '--hotlist', 'examples/hotlists/bolo.csv'];
const HEADER = 'plate,state,list,reason,case_number,entered_by,synopsis';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = runCli;
const runInProcess = runCliInProcess;

interface ResultLine {
  id: string;
  hits: { list: string; entry: string; kind: string; distance: number; positions: number[]; candidate: number; plate: string; stateMatch: boolean | null; vehicleMismatch: string[]; caseNumber: string }[];
}

function results(stdout: string): Map<string, ResultLine> {
  const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as ResultLine);
  return new Map(lines.map((line) => [line.id, line]));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function tempFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('platewatch', () => {
  it('lists every verb with its summary on --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const verb of VERBS) expect(stdout).toMatch(new RegExp(`^  ${verb.name} +${escapeRegExp(verb.summary)}$`, 'm'));
  });

  it('prints its version, as package.json has it, on --version and -V', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(await run([flag])).toMatchObject({ code: 0, stdout: `platewatch ${version}\n`, stderr: '' });
  });

  // Two verbs through a real process (`up`, whose run would start the system, and `users`, whose
  // options a --help must not reach); every verb's text in process, as a process costs seconds here.
  it.each(['up', 'users'])('prints the usage of "%s" on <verb> --help, before its own options are read', async (name) => {
    const { code, stdout } = await run([name, '--password-stdin', '--help']);
    expect(code).toBe(0);
    expect(stdout).toBe(VERBS.find((verb) => verb.name === name)?.usage);
  });

  it('has a usage text for every verb, naming the verb', () => {
    for (const verb of VERBS) expect(verb.usage, verb.name).toMatch(new RegExp(`^Usage: platewatch ${verb.name}\\b`, 'm'));
  });

  it('exits 2 naming an unknown verb', async () => {
    const { code, stderr, stdout } = await run(['matchh']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown verb "matchh"');
    expect(stdout).toBe('');
  });

  it('exits 2 with the overview when no verb is given', async () => {
    const { code, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: platewatch <verb>');
  });

  // A verb's sub-command, where it has them, so the options are the ones parsed.
  const SUB_COMMAND: Record<string, string> = { audit: 'verify', evidence: 'hold', release: 'list', report: 'transparency', users: 'list', hotlist: 'list' };

  it('answers an unknown or misspelt option of every verb in one line of its own, naming the option meant (found by QA)', async () => {
    const up = await run(['up', '--conifg', 'x']);
    expect(up).toMatchObject({ code: 2, stdout: '', stderr: 'platewatch up: unknown option --conifg (did you mean --config?)\nRun "platewatch up --help" for usage.\n' });
    for (const verb of VERBS) {
      const res = await runInProcess([verb.name, ...(SUB_COMMAND[verb.name] === undefined ? [] : [SUB_COMMAND[verb.name]!]), '--frobnicate']);
      expect({ verb: verb.name, code: res.code, stderr: res.stderr }).toEqual({
        verb: verb.name, code: 2, stderr: `platewatch ${verb.name}: unknown option --frobnicate\nRun "platewatch ${verb.name} --help" for usage.\n`,
      });
    }
    expect((await runInProcess(['audit', 'verify', '--as', 'aud1', '--data-dri', 'x'])).stderr).toMatch(/^platewatch audit: unknown option --data-dri \(did you mean --data-dir\?\)\n/);
  });

  it('says which option needs a value, or takes none, in one line', async () => {
    expect((await runInProcess(['users', 'list', '--as'])).stderr).toBe('platewatch users: option --as needs a value\nRun "platewatch users --help" for usage.\n');
    const ambiguous = await runInProcess(['users', 'list', '--as', '--password-stdin']);
    expect(ambiguous).toMatchObject({ code: 2, stderr: 'platewatch users: option --as needs a value (a value beginning with "-" is given as --as=-VALUE)\nRun "platewatch users --help" for usage.\n' });
    expect((await runInProcess(['hotlist', 'load', '--strict=yes'])).stderr).toBe('platewatch hotlist: option --strict takes no value\nRun "platewatch hotlist --help" for usage.\n');
  });

  it('answers an unknown sub-command of every verb that has them in one line and a pointer to --help (found by QA)', async () => {
    for (const verb of ['audit', 'report', 'evidence', 'release', 'hotlist', 'users']) {
      const res = await runInProcess([verb, 'frob', '--as', 'x']);
      expect({ verb, code: res.code, stdout: res.stdout }).toEqual({ verb, code: 2, stdout: '' });
      expect(res.stderr).toMatch(new RegExp(`^platewatch ${verb}: unknown sub-command "frob" \\([a-z, ]+\\)\nRun "platewatch ${verb} --help" for usage\\.\n$`));
    }
  });

  it('offers the sub-command a misspelt one most likely meant, as it does for options (found by QA)', async () => {
    expect(await runInProcess(['hotlist', 'lod'])).toMatchObject({
      code: 2, stdout: '', stderr: 'platewatch hotlist: unknown sub-command "lod" (load, list); did you mean load?\nRun "platewatch hotlist --help" for usage.\n',
    });
    expect((await runInProcess(['users', 'lst', '--as', 'x'])).stderr).toMatch(/^platewatch users: unknown sub-command "lst" \([a-z, ]+\); did you mean list\?\nRun "platewatch users --help" for usage\.\n$/);
    expect((await runInProcess(['audit', 'verfy', '--as', 'x'])).stderr).toMatch(/^platewatch audit: unknown sub-command "verfy" \(verify, sample, log\); did you mean verify\?\n/);
    // Nothing near: the sub-commands only.
    expect((await runInProcess(['hotlist', 'frobnicate'])).stderr).toBe('platewatch hotlist: unknown sub-command "frobnicate" (load, list)\nRun "platewatch hotlist --help" for usage.\n');
  });

  it('points every usage error of the verbs without sub-commands to --help', async () => {
    for (const args of [['up', 'extra'], ['demo', '--now', 'yesterday'], ['bench', '--consoles', '0']]) {
      const res = await runInProcess(args);
      expect({ args, code: res.code }).toEqual({ args, code: 2 });
      expect(res.stderr, args.join(' ')).toMatch(new RegExp(`^platewatch ${args[0]}: .*\nRun "platewatch ${args[0]} --help" for usage\.\n$`));
    }
  });

  it('never creates storage for a verb that needs existing data, naming the directory it looked in (found by QA)', async () => {
    const empty = join(dir, 'no-data');
    for (const args of [['audit', 'verify'], ['report', 'transparency'], ['release', 'list'], ['evidence', 'export', '--case', 'WPD-26-1', '--out', join(dir, 'pkg')]]) {
      const res = await runInProcess([...args, '--as', 'aud1', '--password-stdin', '--data-dir', empty], { stdin: 'a long enough passphrase\n' });
      expect({ args, code: res.code, stderr: res.stderr }).toEqual({
        args, code: 1, stderr: `platewatch: no platewatch database at ${join(empty, 'clickhouse')}: is the data directory right? (PLATEWATCH_DATA_DIR / --data-dir)\n`,
      });
    }
    expect(existsSync(empty)).toBe(false);
  });

  it('keeps the embedded storage it makes (password hashes, plates, the access log) from other accounts, under a umask of 022', async () => {
    const data = join(dir, 'private-data');
    const previous = process.umask(0o022); // the child inherits it
    let added;
    try {
      added = await run(['users', 'add', '--id', 'admin1', '--name', 'R. Diaz', '--title', 'Lieutenant', '--role', 'administrator', '--trained', '2026-01-15', '--password-stdin', '--data-dir', join(data, 'clickhouse')],
        { stdin: 'umask test passphrase\n' });
    } finally {
      process.umask(previous);
    }
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(statSync(join(data, 'clickhouse')).mode & 0o777).toBe(0o700);
    const open = readdirSync(join(data, 'clickhouse'), { recursive: true, encoding: 'utf8' })
      .map((name) => join(data, 'clickhouse', name))
      .filter((path) => (lstatSync(path).mode & 0o007) !== 0 && !lstatSync(path).isSymbolicLink());
    expect(open).toEqual([]);
  }, 120_000);
});

describe('platewatch match', () => {
  it('writes one line per valid read with the planted exact, OCR, fuzzy and partial hits', async () => {
    const { code, stdout } = await runInProcess(['match', ...EXAMPLES, '--reads', 'examples/reads.jsonl', '--now', NOW]);
    expect(code).toBe(0);
    const byId = results(stdout);
    // 31 lines in the file, 3 of them bad.
    expect(byId.size).toBe(28);
    expect(stdout.trimEnd().split('\n')[0]).toBe('{"id":"wpd-0001","hits":[]}');

    expect(byId.get('wpd-0002')?.hits).toMatchObject([{ list: 'SVS', entry: '7KDX482', kind: 'exact', distance: 0, stateMatch: true }]);
    // 8 read for B, and O read for 0: OCR-equivalent, flagged at the differing position.
    expect(byId.get('wpd-0004')?.hits).toMatchObject([{ list: 'SVS', entry: 'BRK4521', kind: 'ocr', positions: [0], plate: '8RK4521' }]);
    expect(byId.get('wpd-0006')?.hits).toMatchObject([{ list: 'SVS', entry: '0MX3307', kind: 'ocr', positions: [0] }]);
    expect(byId.get('wpd-0018')?.hits).toMatchObject([{ list: 'SVS', entry: '2HGB559', kind: 'ocr', positions: [0, 3] }]);
    // One edit away on a specific list.
    expect(byId.get('wpd-0008')?.hits).toMatchObject([{ list: 'BOLO', entry: '6WXT390', kind: 'fuzzy', distance: 1, positions: [5] }]);
    // Partial patterns hit as listed.
    expect(byId.get('wpd-0010')?.hits).toMatchObject([{ list: 'BOLO', entry: '7AB?12', kind: 'partial', caseNumber: 'WPD26-001390' }]);
    // The entry has no state, so it matches a read of any (or no) state.
    expect(byId.get('wpd-0011')?.hits).toMatchObject([{ list: 'BOLO', entry: '*XK9*', kind: 'partial', stateMatch: true }]);
    expect(byId.get('wpd-0021')?.hits).toMatchObject([{ list: 'BOLO', entry: '8?DN5*', kind: 'partial' }]);
    // The reader's second guess is the one on the list.
    expect(byId.get('wpd-0012')?.hits[0]).toMatchObject({ list: 'BOLO', entry: '3FHL552', kind: 'exact', candidate: 1 });
  });

  it('flags state and vehicle mismatches and never hits an expired entry', async () => {
    const { stdout } = await runInProcess(['match', ...EXAMPLES, '--reads', 'examples/reads.jsonl', '--now', NOW]);
    const byId = results(stdout);
    expect(byId.get('wpd-0015')?.hits).toMatchObject([{ entry: 'KLM4821', kind: 'exact', stateMatch: false }]);
    expect(byId.get('wpd-0016')?.hits[0]?.vehicleMismatch).toContain('style');
    expect(byId.get('wpd-0013')?.hits).toEqual([]);
    expect(byId.get('30')?.hits).toEqual([]);
    // "8bnr-215" normalises to the listed plate.
    expect(byId.get('wpd-0017')?.hits).toMatchObject([{ entry: '8BNR215', kind: 'exact' }]);
  });

  it('reports bad read lines on stderr with their line numbers and a summary, and still exits 0', async () => {
    const { code, stderr } = await runInProcess(['match', ...EXAMPLES, '--reads', 'examples/reads.jsonl', '--now', NOW]);
    expect(code).toBe(0);
    expect(stderr).toContain('loaded 34 of 34 rows from examples/hotlists/svs.csv (0 rejected)');
    expect(stderr).toContain('loaded 8 of 8 rows from examples/hotlists/bolo.csv (0 rejected)');
    expect(stderr).toMatch(/^reads:14: not valid JSON/m);
    expect(stderr).toMatch(/^reads:20: plate "AB\$123" has a character outside A-Z0-9/m);
    expect(stderr).toMatch(/^reads:24: id is missing$/m);
    expect(stderr).toMatch(/matched 28 reads against 42 entries: 13 with hits \(13 hits\), 3 bad lines skipped/);
  });

  it('reads JSONL from standard input with --reads -', async () => {
    const input = '{"id":"a","plate":"7KDX482","state":"CA"}\n\n{"id":"b","plate":"1AAA111"}\n{"id":"c"}\n';
    const { code, stdout, stderr } = await runInProcess(['match', ...EXAMPLES, '--reads', '-', '--now', NOW], { stdin: input });
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as ResultLine);
    expect(lines.map((line) => [line.id, line.hits.length])).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
    expect(stderr).toContain('reads:4: plate must be a string, not missing');
  });

  it('reports rejected hot list rows as FILE:LINE and loads the rest', async () => {
    const file = tempFile('partly-bad.csv', `${HEADER}\n7KDX482,CA,SVS,Stolen,,,\n7KD$482,CA,SVS,Stolen,,,\n7KDX482,CA,SVS,Stolen,,,\n`);
    const { code, stdout, stderr } = await runInProcess(['match', '--hotlist', file, '--reads', '-'], { stdin: '{"id":"a","plate":"7KDX482"}\n' });
    expect(code).toBe(0);
    expect(stderr).toContain(`${file}:3: plate "7KD$482" has a character outside`);
    expect(stderr).toContain(`${file}:4: duplicate of line 2`);
    expect(stderr).toContain(`loaded 1 of 3 rows from ${file} (2 rejected)`);
    expect(results(stdout).get('a')?.hits).toHaveLength(1);
  });

  it('with --strict refuses a file with any rejected row and exits 1 without matching', async () => {
    const file = tempFile('strict.csv', `${HEADER}\n7KDX482,CA,SVS,Stolen,,,\n7KDX482,CA,SVS,Stolen,,,\n`);
    const { code, stdout, stderr } = await runInProcess(['match', '--hotlist', file, '--reads', '-', '--strict'], { stdin: '{"id":"a","plate":"7KDX482"}\n' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${file}:3: duplicate of line 2`);
    expect(stderr).toContain('ROWS_REJECTED');
  });

  it('exits 1 when a hot list file is missing or has a bad header, loading nothing', async () => {
    const missing = await runInProcess(['match', '--hotlist', 'examples/hotlists/svs.csv', '--hotlist', 'no/such.csv', '--reads', 'examples/reads.jsonl']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('cannot read hot list no/such.csv');
    const header = tempFile('bad-header.csv', 'plate,state,list,reason\n7KDX482,CA,SVS,Stolen\n');
    const badHeader = await runInProcess(['match', '--hotlist', header, '--reads', 'examples/reads.jsonl']);
    expect(badHeader.code).toBe(1);
    expect(badHeader.stderr).toContain('MISSING_COLUMN');
    expect(badHeader.stderr).toContain('case_number, entered_by, synopsis');
  });

  it('exits 2 on usage errors: no hot list, no reads, an unknown option, a bad --now', async () => {
    const noHotlist = await runInProcess(['match', '--reads', '-']);
    expect(noHotlist.code).toBe(2);
    expect(noHotlist.stderr).toContain('--hotlist');
    expect((await runInProcess(['match', ...EXAMPLES])).code).toBe(2);
    const unknown = await runInProcess(['match', ...EXAMPLES, '--reads', '-', '--fuzzy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--fuzzy');
    expect((await runInProcess(['match', ...EXAMPLES, '--reads', '-', '--now', 'tomorrow'])).code).toBe(2);
  });

  it('exits 2 when the config file has an unknown key', async () => {
    const config = tempFile('typo.json', '{"matcher":{"generalList":["SVS"]}}');
    const { code, stderr } = await runInProcess(['match', ...EXAMPLES, '--reads', '-', '--config', config]);
    expect(code).toBe(2);
    expect(stderr).toContain('"matcher.generalList"');
  });

  it('applies the environment: with BOLO made a general list its patterns are refused', async () => {
    const { code, stderr } = await runInProcess(['match', ...EXAMPLES, '--reads', '-'], { env: { PLATEWATCH_GENERAL_LISTS: 'SVS,BOLO' } });
    expect(code).toBe(0);
    expect(stderr).toMatch(/examples\/hotlists\/bolo\.csv:4: list BOLO matches exact\+ocr only/);
  });
});

describe('./platewatch wrapper', () => {
  const lock = statSync(resolve(ROOT, 'package-lock.json')).mtimeMs;
  const installed = (() => {
    try {
      return statSync(resolve(ROOT, 'node_modules/.package-lock.json')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  // The wrapper would run `npm ci` on a stale install; a test must not reinstall under other tests.
  it.skipIf(installed < lock)('resolves paths against the directory it was run from', async () => {
    tempFile('reads.jsonl', readFileSync(resolve(ROOT, 'examples/reads.jsonl'), 'utf8'));
    const { code, stdout } = await run(
      ['match', '--hotlist', resolve(ROOT, 'examples/hotlists/svs.csv'), '--reads', 'reads.jsonl', '--now', NOW],
      { command: [resolve(ROOT, 'platewatch')], cwd: dir },
    );
    expect(code).toBe(0);
    expect(results(stdout).get('wpd-0002')?.hits).toHaveLength(1);
  });
});

describe('platewatch demo', () => {
  it('runs the matcher over the examples, printed for people, and says it starts nothing', async () => {
    const { code, stdout } = await run(['demo', '--now', NOW]);
    expect(code).toBe(0);
    expect(stdout).toContain('This starts nothing');
    expect(stdout).toContain('read wpd-0002: 7KDX482 → SVS 7KDX482 [exact]');
    expect(stdout).toMatch(/read wpd-0004: 8RK4521 → SVS BRK4521 \[OCR, .*verify carefully\]/);
    expect(stdout).toContain('13 with hits');
  });
});
