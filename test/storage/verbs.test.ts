// `platewatch evidence` and `platewatch audit`, run in-process against a real chDB directory.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditVerb } from '../../bin/verbs/audit.js';
import { evidenceVerb } from '../../bin/verbs/evidence.js';
import type { VerbIO } from '../../bin/verb.js';
import { DEFAULT_OCR_CLASSES, OcrAlphabet } from '../../matcher/index.js';
import { AccessLog, dayIn, DetectionWriter, openStorage, saveUser, searchDetections, setPassword, startOfDayIn, type AccessRecord } from '../../storage/index.js';
import { REPO_ROOT } from '../fixtures/cli.js';
import { detection, makeTempDir } from './temp-storage.js';

const dir = makeTempDir();
const dataDir = join(dir, 'clickhouse');
const T0 = Date.UTC(2026, 10, 2, 10);
const PASSWORD = 'evidence locker passphrase';

beforeAll(async () => {
  const storage = await openStorage({ dataDir });
  await saveUser(storage, { userId: 'det1', name: 'D. Tective', title: 'Detective', roles: ['officer', 'analyst'], trainedAt: '2026-01-01', active: true }, 'admin');
  await saveUser(storage, { userId: 'cust1', name: 'C. Ustodian', title: 'Records Supervisor', roles: ['custodian'], trainedAt: '2026-01-01', active: true }, 'admin');
  await saveUser(storage, { userId: 'psd1', name: 'Capt. P. Standards', title: 'PSD Captain', roles: ['auditor'], trainedAt: '2026-01-01', active: true }, 'admin');
  for (const id of ['det1', 'cust1', 'psd1']) await setPassword(storage, id, PASSWORD, 'admin', 10);
  const writer = new DetectionWriter(storage);
  await (await writer.enqueue([detection({ readId: 'v1', plate: '6TRK400', seenAt: T0 }), detection({ readId: 'v2', plate: '6TRK400', seenAt: T0 + 60_000 })])).durable;
  await writer.close();
  const accessLog = new AccessLog(storage);
  for (let i = 0; i < 12; i++) {
    await searchDetections({ storage, accessLog }, { user: 'det1', purpose: { caseNumber: `WPD-26-${i}` }, from: new Date(T0 - 3_600_000), to: new Date(T0 + 3_600_000) });
  }
  await storage.close(); // the verbs open the directory themselves
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const as = (id: string): string[] => ['--as', id, '--password-stdin'];

/** A verb's I/O; with `password`, it is the first line of standard input (--password-stdin). */
function io(password?: string, env: Record<string, string> = {}): VerbIO & { out(): string; err(): string } {
  const chunks = { out: '', err: '' };
  const stdin = new PassThrough();
  if (password !== undefined) stdin.end(`${password}\n`);
  const sink = (key: 'out' | 'err'): Writable => {
    const s = new PassThrough();
    s.on('data', (c: Buffer) => (chunks[key] += c.toString()));
    return s;
  };
  return { stdin, stdout: sink('out'), stderr: sink('err'), env, cwd: dir, out: () => chunks.out, err: () => chunks.err };
}

/**
 * `platewatch ARGS` as a process of its own, with PASSWORD on standard input, killed after `ms`:
 * for what once never returned, which would stop this test process with it.
 */
function cliWithin(args: readonly string[], ms: number): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/platewatch.ts', ...args], {
      cwd: REPO_ROOT, env: { PATH: process.env['PATH'], HOME: process.env['HOME'] }, timeout: ms, killSignal: 'SIGKILL',
    });
    let stderr = '';
    child.stdout.resume();
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stderr }));
    child.stdin.end(`${PASSWORD}\n`);
  });
}

describe('platewatch evidence', () => {
  it('holds and exports a case with checksums', async () => {
    const hold = io(PASSWORD);
    expect(
      await evidenceVerb.run(
        ['hold', '--case', 'WPD-26-9', ...as('det1'), '--reason', 'hit and run', '--plate', '6TRK400', '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-03T00:00:00Z', '--data-dir', dataDir],
        hold,
      ),
    ).toBe(0);
    expect(hold.out()).toMatch(/2 detection\(s\) held for case WPD-26-9/);
    const exp = io(PASSWORD);
    expect(await evidenceVerb.run(['export', '--case', 'WPD-26-9', ...as('cust1'), '--out', 'pkg', '--data-dir', dataDir], exp)).toBe(0);
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: join(dir, 'pkg'), encoding: 'utf8' })).toMatch(/detections.csv: OK/);
    expect(JSON.parse(readFileSync(join(dir, 'pkg', 'manifest.json'), 'utf8')).detections).toBe(2);
  });

  it('holds plates by the OCR classes the system is configured with, as up stored them', async () => {
    const classes = [...DEFAULT_OCR_CLASSES, '7T'];
    const storage = await openStorage({ dataDir });
    const writer = new DetectionWriter(storage, { alphabet: new OcrAlphabet(classes) });
    await (await writer.enqueue([detection({ readId: 'c1', plate: '7TX1234', seenAt: T0 })])).durable;
    await writer.close();
    await storage.close();
    const args = (caseNumber: string): string[] =>
      ['hold', '--case', caseNumber, ...as('det1'), '--reason', 'hit and run', '--plate', '7TX1234', '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-03T00:00:00Z', '--data-dir', dataDir];
    const configured = io(PASSWORD);
    configured.env = { PLATEWATCH_OCR_CLASSES: classes.join(',') };
    expect(await evidenceVerb.run(args('WPD-26-31'), configured)).toBe(0);
    expect(configured.out()).toMatch(/1 detection\(s\) held for case WPD-26-31/);
    // Without the class the verb looks for the OCR-mapped plate 7TX1234, where up stored 77X1234: what it found before it read the configuration.
    const unconfigured = io(PASSWORD);
    expect(await evidenceVerb.run(args('WPD-26-32'), unconfigured)).toBe(1);
    expect(unconfigured.err()).toMatch(/NOTHING_HELD: no detection matches .*nothing was held for case WPD-26-32/);
  });

  it('refuses a hold whose case number has no number or whose reason says nothing (exit 1, logged), as a search would', async () => {
    const hold = (caseNumber: string, reason: string): string[] =>
      ['hold', '--case', caseNumber, ...as('det1'), '--reason', reason, '--plate', '6TRK400', '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-03T00:00:00Z', '--data-dir', dataDir];
    const noNumber = io(PASSWORD);
    expect(await evidenceVerb.run(hold('abc', 'hit and run'), noNumber)).toBe(1);
    expect(noNumber.err()).toMatch(/PURPOSE_REQUIRED: case number "abc" has no number in it/);
    const vague = io(PASSWORD);
    expect(await evidenceVerb.run(hold('WPD-26-33', 'x'), vague)).toBe(1);
    expect(vague.err()).toMatch(/PURPOSE_REQUIRED: the reason "x" does not say why the data is needed/);
    // A pattern given as --plate is told where it goes, the same whether `up` runs or not.
    const pattern = io(PASSWORD);
    expect(await evidenceVerb.run(hold('WPD-26-34', 'hit and run').map((a) => (a === '6TRK400' ? '6TRK*' : a)), pattern)).toBe(2);
    expect(pattern.err()).toContain('--plate "6TRK*" is a pattern ("?" one character, "*" any run): give it as --pattern');
  });

  it.runIf(process.platform === 'linux')('refuses an --out that cannot be made (/proc/nope/x) in words and returns, instead of hanging', async () => {
    const run = await cliWithin(['evidence', 'export', '--case', 'WPD-26-9', ...as('cust1'), '--out', '/proc/nope/x', '--data-dir', dataDir], 60_000);
    expect(run.signal, 'the export never returned (killed at the time limit)').toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('evidence package not written: cannot make the directory /proc/nope: no such file or directory (ENOENT)');
  }, 90_000);

  it('refuses an --out that is a file, or a directory with files in it, before signing in', async () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const file = io(PASSWORD);
    expect(await evidenceVerb.run(['export', '--case', 'WPD-26-9', ...as('cust1'), '--out', 'a-file', '--data-dir', dataDir], file)).toBe(1);
    expect(file.err()).toBe(`platewatch evidence export: output directory ${join(dir, 'a-file')} is a file, not a directory\n`);
    const full = io(PASSWORD);
    expect(await evidenceVerb.run(['export', '--case', 'WPD-26-9', ...as('cust1'), '--out', 'pkg', '--data-dir', dataDir], full)).toBe(1);
    expect(full.err()).toBe(`platewatch evidence export: output directory ${join(dir, 'pkg')} is not empty; an evidence package is never overwritten\n`);
  });

  it('refuses an unknown user, a wrong password, and a role that may not export (logged); rejects bad usage with exit 2', async () => {
    const unknown = io(PASSWORD);
    expect(await evidenceVerb.run(['export', '--case', 'WPD-26-9', ...as('mallory'), '--out', 'pkg2', '--data-dir', dataDir], unknown)).toBe(1);
    expect(unknown.err()).toMatch(/unknown user or wrong password/);
    const wrong = io('not the password');
    expect(await evidenceVerb.run(['export', '--case', 'WPD-26-9', ...as('cust1'), '--out', 'pkg2', '--data-dir', dataDir], wrong)).toBe(1);
    // An analyst may hold evidence but only the custodian (or an administrator) exports it.
    const role = io(PASSWORD);
    expect(await evidenceVerb.run(['export', '--case', 'WPD-26-9', ...as('det1'), '--out', 'pkg2', '--data-dir', dataDir], role)).toBe(1);
    expect(role.err()).toMatch(/NOT_PERMITTED: "evidence.export" needs one of the roles custodian, administrator/);
    expect(existsSync(join(dir, 'pkg2'))).toBe(false);
    const storage = await openStorage({ dataDir });
    const rs = await storage.client.query({ query: `SELECT action, outcome FROM ${storage.db}.access_log WHERE user_id = 'det1' AND outcome = 'refused'`, format: 'JSONEachRow' });
    expect(await rs.json()).toContainEqual({ action: 'export', outcome: 'refused' });
    await storage.close();
    expect(await evidenceVerb.run(['export', '--out', 'x'], io())).toBe(2);
  });
});

describe('platewatch audit', () => {
  it('verifies the access log and prints its head', async () => {
    const v = io(PASSWORD);
    expect(await auditVerb.run(['verify', ...as('psd1'), '--data-dir', dataDir], v)).toBe(0);
    expect(v.out()).toMatch(/intact/);
    const head = /head (\d+:[0-9a-f]{64})/.exec(v.out())?.[1];
    expect(head).toBeDefined();
    expect(await auditVerb.run(['verify', ...as('psd1'), '--chain', 'main', '--expect-head', head!, '--data-dir', dataDir], io(PASSWORD))).toBe(0);
    expect(await auditVerb.run(['verify', ...as('psd1'), '--expect-head', head!, '--data-dir', dataDir], io(PASSWORD))).toBe(2);
    // Only auditors audit (Watsonville §471.9).
    const notAuditor = io(PASSWORD);
    expect(await auditVerb.run(['verify', ...as('cust1'), '--data-dir', dataDir], notAuditor)).toBe(1);
    expect(notAuditor.err()).toMatch(/NOT_PERMITTED: "audit.read" needs one of the roles auditor/);
    expect(await auditVerb.run(['verify', '--data-dir', dataDir], io())).toBe(2);
  });

  it('leaves the retention as up set it, whatever the verb is configured with, and still refuses an illegal one', async () => {
    // As `up --config prod.json` would: 400 days.
    const up = await openStorage({ dataDir, detectionRetentionSeconds: 400 * 86_400, hitRetentionSeconds: 400 * 86_400 });
    await up.close();
    const ttlDays = async (): Promise<string[]> => {
      const storage = await openStorage({ dataDir, applyRetention: false });
      try {
        const rs = await storage.client.query({
          query: `SELECT name, extract(create_table_query, 'toIntervalSecond\\((\\d+)\\)') AS ttl FROM system.tables
                   WHERE database = {db:String} AND name IN ('detections', 'hits', 'hit_dispositions') ORDER BY name`,
          query_params: { db: storage.db },
          format: 'JSONEachRow',
        });
        return (await rs.json<{ name: string; ttl: string }>()).map((r) => `${r.name} ${Number(r.ttl) / 86_400}`);
      } finally {
        await storage.close();
      }
    };
    const asUpSetIt = ['detections 400', 'hit_dispositions 400', 'hits 400'];
    expect(await ttlDays()).toEqual(asUpSetIt);
    // An auditor without the operator's --config: the default 365 days would purge 35 days of reads.
    expect(await auditVerb.run(['verify', ...as('psd1'), '--data-dir', dataDir], io(PASSWORD))).toBe(0);
    expect(await ttlDays()).toEqual(asUpSetIt);
    const longer = io(PASSWORD);
    longer.env = { PLATEWATCH_RETENTION_DAYS: '500' };
    expect(await auditVerb.run(['verify', ...as('psd1'), '--data-dir', dataDir], longer)).toBe(0);
    expect(await ttlDays()).toEqual(asUpSetIt);
    const bad = io(PASSWORD);
    bad.env = { PLATEWATCH_RETENTION_DAYS: '30' }; // Government Code § 34090.6: refused
    expect(await auditVerb.run(['verify', ...as('psd1'), '--data-dir', dataDir], bad)).toBe(2);
    expect(bad.err()).toMatch(/34090\.6/);
  });

  it('samples searches and writes the memorandum in Markdown and HTML', async () => {
    const s = io(PASSWORD);
    const today = new Date();
    const from = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
    const to = new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10);
    expect(await auditVerb.run(['sample', ...as('psd1'), '--from', from, '--to', to, '--out', 'memo', '--data-dir', dataDir], s)).toBe(0);
    expect(s.out()).toMatch(/10 of 12 inquiries reviewed/);
    expect(existsSync(join(dir, 'memo', `alpr-audit-${from}-${to}.md`))).toBe(true);
    expect(readFileSync(join(dir, 'memo', `alpr-audit-${from}-${to}.html`), 'utf8')).toMatch(/<h1>MEMORANDUM<\/h1>/);
    // The auditor's own name and title sign the memorandum unless --auditor says otherwise.
    expect(readFileSync(join(dir, 'memo', `alpr-audit-${from}-${to}.md`), 'utf8')).toContain('Capt. P. Standards, PSD Captain');
    expect(await auditVerb.run(['sample', ...as('psd1'), '--from', from, '--to', to, '--size', '5'], io(PASSWORD))).toBe(2);
    // The bound the running system's API has: the command gives the same answer whether it runs or not.
    const big = io(PASSWORD);
    expect(await auditVerb.run(['sample', ...as('psd1'), '--from', from, '--to', to, '--size', '1001'], big)).toBe(2);
    expect(big.err()).toContain('--size must be a whole number from 10 (Watsonville §471.9) to 1000');
  });

  it("audits the department's days, says the window it used, and dates the memorandum by the department's day", async () => {
    const LA = 'America/Los_Angeles';
    const s = io(PASSWORD, { PLATEWATCH_TIME_ZONE: LA });
    const from = dayIn(LA, Date.now() - 86_400_000);
    const to = dayIn(LA, Date.now() + 86_400_000);
    const last = dayIn(LA, startOfDayIn(LA, to) - 1);
    expect(await auditVerb.run(['sample', ...as('psd1'), '--from', from, '--to', to, '--out', 'memo-la', '--data-dir', dataDir], s), s.err()).toBe(0);
    const utc = (day: string) => new Date(startOfDayIn(LA, day)).toISOString().slice(0, 16);
    expect(s.out()).toContain(`window ${from} 00:00 – ${to} 00:00 ${LA} (${utc(from)}Z – ${utc(to)}Z)\n`);
    const memo = readFileSync(join(dir, 'memo-la', `alpr-audit-${from}-${to}.md`), 'utf8');
    expect(memo).toContain(`Period audited: ${from} through ${last}, ${LA} days.`);
    expect(memo).toMatch(new RegExp(`^\\*\\*Date:\\*\\* ${dayIn(LA)}`, 'm'));
  });

  it('files the memorandum (it quotes access-log records) readable by owner and group only, whatever the umask', async () => {
    const today = new Date();
    const from = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
    const to = new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10);
    const previous = process.umask(0o022);
    try {
      expect(await auditVerb.run(['sample', ...as('psd1'), '--from', from, '--to', to, '--out', 'memo-private/2026', '--data-dir', dataDir], io(PASSWORD))).toBe(0);
    } finally {
      process.umask(previous);
    }
    const memo = join(dir, 'memo-private', '2026');
    expect(statSync(memo).mode & 0o777).toBe(0o750);
    for (const ext of ['md', 'html']) expect(statSync(join(memo, `alpr-audit-${from}-${to}.${ext}`)).mode & 0o777).toBe(0o640);
  });

  it('files a second memorandum for the same period beside the first, never over it', async () => {
    const today = new Date();
    const from = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
    const to = new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10);
    const first = join(dir, 'memo', `alpr-audit-${from}-${to}.md`);
    const filed = readFileSync(first, 'utf8');
    const again = io(PASSWORD);
    expect(await auditVerb.run(['sample', ...as('psd1'), '--from', from, '--to', to, '--out', 'memo', '--data-dir', dataDir], again)).toBe(0);
    expect(again.out()).toContain(`alpr-audit-${from}-${to}-2.md`);
    expect(readFileSync(first, 'utf8')).toBe(filed);
    expect(readFileSync(join(dir, 'memo', `alpr-audit-${from}-${to}-2.html`), 'utf8')).toMatch(/<h1>MEMORANDUM<\/h1>/);
  });

  it('checks every chain against the heads the last memorandum listed, and finds a chain deleted whole', async () => {
    const today = new Date();
    const from = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
    const to = new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10);
    const memo = readFileSync(join(dir, 'memo', `alpr-audit-${from}-${to}.md`), 'utf8');
    expect(memo).toMatch(/No heads from the last audit were given/);
    const heads = /next audit \(give each to the next run as --expect-head\): ([^\n]*)\./.exec(memo)?.[1]?.split(' ') ?? [];
    expect(heads.length).toBeGreaterThan(0);
    // The heads have moved on since (the audits themselves are logged), so record them afresh.
    const v = io(PASSWORD);
    expect(await auditVerb.run(['verify', ...as('psd1'), '--data-dir', dataDir], v)).toBe(0);
    const now = [...v.out().matchAll(/chain "([^"]+)".*\n\s+head (\d+:[0-9a-f]{64})/g)].map((m) => `${m[1]}=${m[2]}`);
    const withHeads = io(PASSWORD);
    expect(await auditVerb.run(['verify', ...as('psd1'), ...now.flatMap((h) => ['--expect-head', h]), '--data-dir', dataDir], withHeads)).toBe(0);
    // A chain the last audit saw, deleted since: only the recorded head can show it was there.
    const gone = `cli-gone-1=7:${'a'.repeat(64)}`;
    const deleted = io(PASSWORD);
    expect(await auditVerb.run(['verify', ...as('psd1'), ...now.flatMap((h) => ['--expect-head', h]), '--expect-head', gone, '--data-dir', dataDir], deleted)).toBe(1);
    expect(deleted.out()).toMatch(/chain "cli-gone-1": 0 records, 1 problem/);
    // In words, as the memorandum says it, not as JSON.
    expect(deleted.out()).toContain(`  access log head differs from the one recorded at the last audit (expected 7:${'a'.repeat(12)}…, found no record)\n`);
    const s = io(PASSWORD);
    // Filed, and exit 1: the chain's loss is a data error in it.
    expect(await auditVerb.run(['sample', ...as('psd1'), '--from', from, '--to', to, '--out', 'memo-heads', '--expect-head', gone, '--data-dir', dataDir], s)).toBe(1);
    const checked = readFileSync(join(dir, 'memo-heads', `alpr-audit-${from}-${to}.md`), 'utf8');
    expect(checked).toContain("checked against the head the last audit recorded (cli-gone-1)");
    expect(checked).toMatch(/chain "cli-gone-1": access log head differs from the one recorded at the last audit/);
    expect(await auditVerb.run(['verify', ...as('psd1'), '--expect-head', 'main=7:zz', '--data-dir', dataDir], io(PASSWORD))).toBe(2);
  });

  it('exits 1 when the memorandum lists data errors (a tampered access log), and files it all the same', async () => {
    const today = new Date();
    const from = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
    const to = new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10);
    const setReason = async (from: string, to: string): Promise<void> => {
      const storage = await openStorage({ dataDir });
      try {
        await storage.client.command({
          query: `ALTER TABLE ${storage.db}.access_log UPDATE reason = {to:String} WHERE user_id = 'det1' AND case_number = 'WPD-26-3' AND reason = {from:String} SETTINGS mutations_sync = 2`,
          query_params: { from, to },
        });
      } finally {
        await storage.close();
      }
    };
    await setReason('', 'routine patrol'); // a purpose written in after the search
    try {
      const s = io(PASSWORD);
      expect(await auditVerb.run(['sample', ...as('psd1'), '--from', from, '--to', to, '--size', '12', '--out', 'memo-tampered', '--data-dir', dataDir], s)).toBe(1);
      expect(s.out()).toMatch(/^window .*\n12 of 12 inquiries reviewed, .*, [1-9]\d* data error\(s\)/);
      expect(s.err()).toMatch(/^platewatch audit sample: the memorandum lists [1-9]\d* data error\(s\) \(see its "Data errors"\)/m);
      const memo = readFileSync(join(dir, 'memo-tampered', `alpr-audit-${from}-${to}.md`), 'utf8');
      expect(memo.slice(memo.indexOf('## Data errors'))).toMatch(/altered/);
    } finally {
      await setReason('routine patrol', ''); // as it was: the other tests' log is intact
    }
    expect(await auditVerb.run(['verify', ...as('psd1'), '--data-dir', dataDir], io(PASSWORD))).toBe(0);
  });

  it('answers a --chain the log does not have with exit 2 naming its chains, for verify and sample alike', async () => {
    const verify = io(PASSWORD);
    expect(await auditVerb.run(['verify', ...as('psd1'), '--chain', 'ghost', '--data-dir', dataDir], verify)).toBe(2);
    expect(verify.out()).toBe('');
    expect(verify.err()).toMatch(/^platewatch audit verify: the access log has no chain "ghost"; its chains are .*"main"/);
    const sample = io(PASSWORD);
    expect(await auditVerb.run(['sample', ...as('psd1'), '--from', '2026-01-01', '--to', '2027-01-01', '--chain', 'ghost', '--out', 'memo-ghost', '--data-dir', dataDir], sample)).toBe(2);
    expect(sample.err()).toMatch(/^platewatch audit sample: the access log has no chain "ghost"; its chains are .*"main"/);
    expect(existsSync(join(dir, 'memo-ghost'))).toBe(false);
    // A chain the log has, in a period without an inquiry on it: filed, and said plainly.
    const empty = io(PASSWORD);
    expect(await auditVerb.run(['sample', ...as('psd1'), '--from', '2020-01-01', '--to', '2020-07-01', '--chain', 'main', '--out', 'memo-empty', '--data-dir', dataDir], empty)).toBe(0);
    expect(empty.out()).toMatch(/^window .*\n0 of 0 inquiries reviewed/);
    expect(empty.err()).toMatch(/^platewatch audit sample: note: No search inquiry by an employee was recorded in the period on access log chain "main", so none was sampled/);
  });

  describe('log', () => {
    // No daylight saving time, so the expected wall clock is UTC + 9:00 whenever the test runs.
    const ZONE = 'Asia/Tokyo';
    const wall = (at: string): string => new Date(Date.parse(`${at.replace(' ', 'T')}Z`) + 9 * 3_600_000).toISOString().slice(0, 23);
    type Page = { records: AccessRecord[]; more: boolean; olderTo: string | null };
    const log = async (args: string[], as_ = 'psd1'): Promise<{ code: number; out: string; err: string }> => {
      const r = io(PASSWORD, { PLATEWATCH_TIME_ZONE: ZONE });
      const code = await auditVerb.run(['log', ...as(as_), ...args, '--data-dir', dataDir], r);
      return { code, out: r.out(), err: r.err() };
    };
    const page = async (args: string[]): Promise<Page> => {
      const r = await log([...args, '--json']);
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out) as Page;
    };
    const searchesOf = ['--user', 'det1', '--action', 'search', '--from', '2026-01-01'];
    // det1's searches made before these tests: read once, for each test to compare with.
    let searches: Promise<Page> | undefined;
    const allSearches = (): Promise<Page> => (searches ??= page([...searchesOf, '--limit', '5000']));

    it("prints a member's records of one action, newest first, each time in the department's zone and in UTC, labelled", async () => {
      const all = await allSearches();
      expect(all.records.length).toBeGreaterThanOrEqual(12);
      expect(all.records.every((r) => r.user_id === 'det1' && r.action === 'search')).toBe(true);
      expect(all.more).toBe(false);
      const times = all.records.map((r) => r.at);
      expect([...times].sort().reverse()).toEqual(times);

      const table = await log([...searchesOf, '--limit', '3']);
      expect(table.code, table.err).toBe(0);
      const [window, count, head, ...rows] = table.out.split('\n');
      expect(window).toMatch(/^window 2026-01-01 00:00 – .* Asia\/Tokyo \(2025-12-31T15:00Z – .*\)$/);
      expect(count).toBe('3 record(s), newest first; times in Asia/Tokyo and in UTC (as stored and hashed); this reading is recorded in the access log');
      expect(head).toMatch(/^TIME \(Asia\/Tokyo\) +TIME \(UTC\) +USER +ACTION +OUTCOME +ROWS +CASE +CHAIN:SEQ +REASON \/ DETAIL \/ PARAMS$/);
      for (const [i, r] of all.records.slice(0, 3).entries()) {
        expect(rows[i]).toContain(`${wall(r.at).replace('T', ' ')} +09:00  ${r.at.replace(' ', 'T')}Z  det1`);
        expect(rows[i]).toContain(`${r.case_number}`);
      }
      expect(rows[3]).toBe(`older records match too: for the next page, run the same command with --to ${new Date(Date.parse(`${all.records[2]!.at.replace(' ', 'T')}Z`)).toISOString()}`);
    });

    it('shows each time once when the department keeps UTC', async () => {
      const r = io(PASSWORD, { PLATEWATCH_TIME_ZONE: 'UTC' });
      expect(await auditVerb.run(['log', ...as('psd1'), ...searchesOf, '--limit', '1', '--data-dir', dataDir], r), r.err()).toBe(0);
      const [, count, head] = r.out().split('\n');
      expect(count).toBe('1 record(s), newest first; times in UTC (as stored and hashed); this reading is recorded in the access log');
      expect(head).toMatch(/^TIME \(UTC\) +USER +ACTION/);
    });

    it('pages to older records with --to, and reads a --to without a zone in the department\'s', async () => {
      const all = await allSearches();
      const seen: AccessRecord[] = [];
      let to: string[] = [];
      for (;;) {
        const p = await page([...searchesOf, '--limit', '6', ...to]);
        expect(p.records.length).toBeLessThanOrEqual(6);
        seen.push(...p.records);
        if (!p.more) break;
        to = ['--to', p.olderTo!];
      }
      expect(seen.map((r) => `${r.chain}:${r.seq}`)).toEqual(all.records.map((r) => `${r.chain}:${r.seq}`));
      // The fourth newest's time on the Tokyo wall clock, no zone given: the end of the window, not included.
      const fourth = all.records[3]!;
      const older = await page([...searchesOf, '--to', wall(fourth.at)]);
      expect(older.records.map((r) => r.seq)).toEqual(all.records.filter((r) => r.at < fourth.at).map((r) => r.seq));
      const empty = await log(['--from', '2020-01-01', '--to', '2020-01-02']);
      expect(empty.out).toBe('window 2020-01-01 00:00 – 2020-01-02 00:00 Asia/Tokyo (2019-12-31T15:00Z – 2020-01-01T15:00Z)\n'
        + 'no access log records in the window with these filters; this reading is recorded in the access log\n');
    });

    it('puts each reading on the access log with its filters, as the API does', async () => {
      await log(['--user', 'det1', '--action', 'search', '--limit', '7']);
      const [reading] = (await page(['--user', 'psd1', '--action', 'audit', '--limit', '1'])).records;
      expect(reading).toMatchObject({ user_id: 'psd1', action: 'audit', outcome: 'ok', reason: 'access log review (§471.9)', rows_returned: 7 });
      expect(JSON.parse(reading!.params)).toMatchObject({ op: 'read_log', user: 'det1', action: 'search', limit: '7' });
    });

    it('refuses a member who is not an auditor (exit 1, the refusal logged), and bad filters with exit 2 and a message', async () => {
      const refused = await log(['--json'], 'cust1');
      expect(refused).toMatchObject({ code: 1, out: '' });
      expect(refused.err).toMatch(/^platewatch audit log: NOT_PERMITTED: "audit.read" needs one of the roles auditor/);
      const [logged] = (await page(['--user', 'cust1', '--action', 'audit', '--outcome', 'refused', '--limit', '1'])).records;
      expect(JSON.parse(logged!.params)).toMatchObject({ permission: 'audit.read', op: 'read_log' });

      const bad = await log(['--from', 'yesterday']);
      expect(bad).toMatchObject({ code: 2, out: '' });
      expect(bad.err).toBe('platewatch audit: --from must be an ISO 8601 time or date, such as 2026-11-01T08:00:00Z, 2026-11-01T08:00 (Asia/Tokyo wall clock) '
        + 'or 2026-11-01 (the start of that day there)\nRun "platewatch audit --help" for usage.\n');
      expect((await log(['--from', '2026-12-02', '--to', '2026-12-01'])).err).toMatch(/^platewatch audit: --from must be before --to\n/);
      expect((await log(['--action', 'browse'])).err).toMatch(/^platewatch audit: --action must be one of search, export, .* \(got "browse"\)\n/);
      expect((await log(['--limit', '0'])).err).toMatch(/^platewatch audit: --limit must be a whole number from 1 to 5000\n/);
      expect((await log(['--size', '10'])).code).toBe(2);
    });
  });

  it('refuses an --out that is a file in one line, before signing in or sampling', async () => {
    writeFileSync(join(dir, 'memo-file'), 'x');
    const s = io(PASSWORD);
    expect(await auditVerb.run(['sample', ...as('psd1'), '--from', '2026-01-01', '--to', '2027-01-01', '--out', 'memo-file', '--data-dir', dataDir], s)).toBe(2);
    expect(s.err()).toBe(
      `platewatch audit sample: --out ${join(dir, 'memo-file')} is a file, not a directory; --out names the directory to file the memorandum in (made if missing)\n`,
    );
  });
});
