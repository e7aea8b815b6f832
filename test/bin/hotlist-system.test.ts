// The hot list API as `platewatch up` assembles it (bin/system.ts): the routes, the access log,
// the staleness metric, and the running matcher, which only ever sees approved entries
// (Watsonville §471.5(f)(4)(5)).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { runPlatewatch } from '../../bin/cli.js';
import { DEFAULT_HOTLIST_SETTINGS } from '../../bin/config.js';
import { startSystem, type RunningSystem } from '../../bin/system.js';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { saveUser, type UserRole } from '../../storage/index.js';
import { REPO_ROOT, runCliInProcess } from '../fixtures/cli.js';

const PASSWORD = 'a long enough passphrase';
const dir = mkdtempSync(join(tmpdir(), 'platewatch-hotlist-system-'));
let system: RunningSystem;
let base: string;
const tokens = new Map<string, string>();

beforeAll(async () => {
  system = await startSystem({
    dataDir: dir, matcher: resolveMatcherConfig(), logger: pino({ level: 'silent' }), retroactiveDays: 0,
    hotlists: { ...DEFAULT_HOTLIST_SETTINGS, staleAfterHours: 12 },
  });
  for (const [id, roles] of [['admin1', ['administrator']], ['admin2', ['administrator']], ['ofc1', ['officer']]] as Array<[string, UserRole[]]>) {
    await saveUser(system.storage, { userId: id, name: `User ${id}`, title: '', roles, trainedAt: '2026-01-15', active: true }, 'setup');
    await system.credentials.setPassword(id, PASSWORD, 'setup');
  }
  base = system.gateway?.url as string;
  for (const user of ['admin1', 'admin2', 'ofc1']) {
    const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password: PASSWORD }) });
    tokens.set(user, ((await res.json()) as { token: string }).token);
  }
}, 60_000);

afterAll(async () => {
  await system?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, user: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens.get(user) as string}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Until the matcher has the approved version: NATS's watch and a list built in a worker thread. */
async function until(probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const hitsFor = (plate: string): string[] => system.matcher.matchRead({ id: 'r', plate }, Date.now()).map((h) => h.list);

describe('hot lists in the running system', () => {
  it('serves the lists with the configured staleness limit and the stale metric', async () => {
    const reply = await call('GET', '/api/hotlists', 'ofc1');
    expect(reply).toMatchObject({ status: 200, body: { staleAfterSeconds: 12 * 3600, stale: ['SFR', 'SLR', 'SVS'] } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^platewatch_hotlist_stale\{list="SVS"\} 1$/m);
  });

  it('matches a BOLO entry only once a second administrator approved it, and logs each step', async () => {
    expect((await call('POST', '/api/hotlists', 'admin1', { list: 'BOLO', purpose: 'Be on the lookout: vehicles tied to open cases' })).status).toBe(201);
    const submitted = await call('POST', '/api/hotlists/BOLO/entries', 'ofc1', { plate: '6TRJ244', caseNumber: 'WPD-26-0101', synopsis: 'Red pickup seen at the burglary' });
    expect(submitted.status).toBe(201);
    const entryId = submitted.body['entryId'] as string;
    expect(hitsFor('6TRJ244')).toEqual([]);
    expect((await call('POST', `/api/hotlists/approvals/${entryId}`, 'admin2', { decision: 'approved' })).status).toBe(200);
    await until(() => hitsFor('6TRJ244').length === 1);
    expect(hitsFor('6TRJ244')).toEqual(['BOLO']);
    // The hit names the entering member, with the case number and synopsis (§471.5(f)(5)(a)).
    expect(system.matcher.matchRead({ id: 'r', plate: '6TRJ244' }, Date.now())[0]).toMatchObject({ enteredBy: 'User ofc1 (ofc1)', caseNumber: 'WPD-26-0101', synopsis: 'Red pickup seen at the burglary' });

    const rs = await system.storage.client.query({ query: `SELECT user_id, outcome FROM ${system.storage.db}.access_log WHERE action = 'hotlist' ORDER BY seq`, format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([
      { user_id: 'admin1', outcome: 'ok' },
      { user_id: 'ofc1', outcome: 'ok' },
      { user_id: 'admin2', outcome: 'ok' },
    ]);
  }, 60_000);
});

describe('platewatch hotlist load while the running system is receiving other uploads', () => {
  const HELD_BODY_BYTES = 10 * 2 ** 20;
  /**
   * More than uWS's idle limit asks of a body still coming (16 KB/s, counted over its 10 s): sent
   * every few seconds it keeps a held upload alive however long a busy machine takes to get to
   * the command, where a silent one was ended 8–12 s after admission and its place freed.
   */
  const KEEP_ALIVE_CHUNK = Buffer.alloc(192 * 1024, 'x');
  const KEEP_ALIVE_EVERY_MS = 3_000;

  interface HeldUpload {
    release(): void;
  }

  /**
   * An administrator's upload: headers and the first bytes of a body that never ends, so once
   * admitted it holds one of the gateway's upload places until released.
   */
  const heldUpload = (): HeldUpload => {
    const url = new URL(`${base}/api/hotlists/SVS/load`);
    const req = httpRequest({
      host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
      headers: { authorization: `Bearer ${tokens.get('admin1') as string}`, 'content-type': 'text/csv', 'content-length': String(HELD_BODY_BYTES) },
    });
    req.on('error', () => {}); // destroyed by the test
    const header = 'plate,state,list,reason,case_number,entered_by,synopsis\n';
    req.write(header);
    let sent = header.length;
    const keepAlive = setInterval(() => {
      // Never the whole body: a complete one would be loaded and free its place.
      if (sent + KEEP_ALIVE_CHUNK.length >= HELD_BODY_BYTES) return;
      req.write(KEEP_ALIVE_CHUNK);
      sent += KEEP_ALIVE_CHUNK.length;
    }, KEEP_ALIVE_EVERY_MS);
    req.on('close', () => clearInterval(keepAlive));
    return {
      release: () => {
        clearInterval(keepAlive);
        req.destroy();
      },
    };
  };

  /**
   * Until `count` uploads by admin1 are admitted: their sessions checked, in ClickHouse, which on a
   * busy machine took longer than any fixed wait. An admitted upload takes its place in the same
   * tick as its check resolves, so polling on timers sees both done.
   */
  const untilAdmitted = async (verify: MockInstance<RunningSystem['credentials']['verify']>, count: number): Promise<void> => {
    const token = tokens.get('admin1');
    const deadline = Date.now() + 60_000;
    const admitted = () => verify.mock.calls.filter((args, i) => args[0] === token && verify.mock.settledResults[i]?.type === 'fulfilled' && verify.mock.settledResults[i]?.value !== null).length;
    while (admitted() < count) {
      if (Date.now() > deadline) throw new Error(`only ${admitted()} of ${count} held uploads admitted after 60 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('waits as long as the gateway asks and sends the file again, until a slot frees, and loads it', async () => {
    // The run file `platewatch up` writes: this process runs the system, so the CLI goes through its API.
    mkdirSync(join(dir, 'run'), { recursive: true });
    writeFileSync(join(dir, 'run', 'platewatch.json'), JSON.stringify({ natsUrl: 'nats://127.0.0.1:1', pid: process.pid, startedAt: new Date().toISOString(), httpUrl: base, storageDir: join(dir, 'clickhouse') }));
    writeFileSync(join(dir, 'svs.csv'), 'plate,state,list,reason,case_number,entered_by,synopsis\n7BSY777,CA,SVS,Stolen,,,\n');
    const verify = vi.spyOn(system.credentials, 'verify');
    const held = [heldUpload(), heldUpload()];
    try {
      await untilAdmitted(verify, 2);
      verify.mockRestore();
      const third = await fetch(`${base}/api/hotlists/SVS/load`, { method: 'POST', headers: { authorization: `Bearer ${tokens.get('admin1') as string}`, 'content-type': 'text/csv' }, body: 'plate\n' });
      expect(third.status).toBe(503);
      // As runCliInProcess runs it, with its standard error read as it comes: one upload ends once
      // the command has been told to wait, however long it took to get there.
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      stderr.setEncoding('utf8').on('data', (chunk: string) => {
        err += chunk;
        if (err.includes('trying again')) held.shift()?.release();
      });
      const code = await runPlatewatch(['hotlist', 'load', '--list', 'SVS', join(dir, 'svs.csv'), '--as', 'admin2', '--password-stdin'], {
        stdin: new PassThrough().end(`${PASSWORD}\n`), stdout, stderr,
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'], PLATEWATCH_DATA_DIR: dir }, cwd: REPO_ROOT,
      });
      stdout.end();
      stderr.end();
      await Promise.all([new Promise((done) => stdout.on('end', done)), new Promise((done) => stderr.on('end', done))]);
      expect({ code, stderr: err }).toMatchObject({ code: 0, stderr: expect.stringContaining('platewatch hotlist: the running platewatch is receiving 2 other uploads; trying again in 5 s\n') });
      expect(out).toMatch(/^list SVS is now version \d+: 1 entries \(1 added, \d+ removed\); in force$/m);
      expect(hitsFor('7BSY777')).toEqual(['SVS']);
    } finally {
      verify.mockRestore();
      for (const upload of held) upload.release();
      rmSync(join(dir, 'run'), { recursive: true, force: true });
    }
    // Room for the admissions' minute and the command's own two minutes of patience (BUSY_PATIENCE_MS),
    // so a gateway that stays busy fails on what the command said rather than on this limit.
  }, 240_000);
});

describe('platewatch hotlist load through the running system, of a file whose every row is rejected', () => {
  it('prints each rejected row with its line and reason before the refusal, which says all rows were rejected (found by QA)', async () => {
    mkdirSync(join(dir, 'run'), { recursive: true });
    writeFileSync(join(dir, 'run', 'platewatch.json'), JSON.stringify({ natsUrl: 'nats://127.0.0.1:1', pid: process.pid, startedAt: new Date().toISOString(), httpUrl: base, storageDir: join(dir, 'clickhouse') }));
    const header = 'plate,state,list,reason,case_number,entered_by,synopsis,expires_at,vehicle_make,vehicle_model,vehicle_year,vehicle_color,vehicle_style';
    const file = join(dir, 'short-rows.csv');
    writeFileSync(file, `${header}\n7KDX482,CA,SFR,Felony,F26-1,CA0440500,armed\n8BNR215,CA,SFR,Felony,F26-2,CA0440500,armed\n`);
    try {
      const run = await runCliInProcess(['hotlist', 'load', '--list', 'SFR', file, '--as', 'admin1', '--password-stdin'], { stdin: `${PASSWORD}\n`, env: { PLATEWATCH_DATA_DIR: dir } });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('going through its API');
      expect(run.stderr).toMatch(new RegExp(`\\n${file}:2: expected 13 fields as in the header, found 7\\n${file}:3: expected 13 fields as in the header, found 7\\nloaded 0 of 2 rows from ${file} \\(2 rejected`));
      expect(run.stderr).toMatch(/platewatch hotlist load: EMPTY_LIST: all 2 rows were rejected; .*\(use --allow-empty to empty the list\)\n$/);
      expect(run.stdout).toBe('');
      // A broken feed of 1,200 rows: the answer lists 1,000 of them, and the rest are counted.
      const rows = Array.from({ length: 1200 }, (_, i) => `7K${String(i).padStart(5, '0')},CA,SFR,Felony,F26-1,CA0440500,armed`);
      writeFileSync(file, `${header}\n${rows.join('\n')}\n`);
      const big = await runCliInProcess(['hotlist', 'load', '--list', 'SFR', file, '--as', 'admin1', '--password-stdin'], { stdin: `${PASSWORD}\n`, env: { PLATEWATCH_DATA_DIR: dir } });
      expect(big.code).toBe(1);
      expect(big.stderr.match(/: expected 13 fields as in the header, found 7\n/g)?.length).toBe(1000);
      expect(big.stderr).toContain(`\n${file}:1001: expected 13 fields as in the header, found 7\n${file}: and 200 more rows rejected (the first 1000 are listed)\nloaded 0 of 1200 rows from ${file} (1200 rejected`);
    } finally {
      rmSync(join(dir, 'run'), { recursive: true, force: true });
    }
  }, 120_000);
});
