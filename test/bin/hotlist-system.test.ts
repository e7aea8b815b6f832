// The hot list API as `platewatch up` assembles it (bin/system.ts): the routes, the access log,
// the staleness metric, and the running matcher, which only ever sees approved entries
// (Watsonville §471.5(f)(4)(5)).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HOTLIST_SETTINGS } from '../../bin/config.js';
import { startSystem, type RunningSystem } from '../../bin/system.js';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { saveUser, type UserRole } from '../../storage/index.js';
import { runCliInProcess } from '../fixtures/cli.js';

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
  /**
   * An administrator's upload admitted and held: headers and part of the body sent, the rest never.
   * Holds one of the gateway's upload slots until destroyed.
   */
  const heldUpload = async (): Promise<ClientRequest> => {
    const url = new URL(`${base}/api/hotlists/SVS/load`);
    const req = httpRequest({
      host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
      headers: { authorization: `Bearer ${tokens.get('admin1') as string}`, 'content-type': 'text/csv', 'content-length': String(10 * 2 ** 20) },
    });
    req.on('error', () => {}); // destroyed by the test
    req.write('plate,state,list,reason,case_number,entered_by,synopsis\n');
    await new Promise((r) => setTimeout(r, 300)); // admitted (its role checked) and reading
    return req;
  };

  it('waits as long as the gateway asks and sends the file again, until a slot frees, and loads it', async () => {
    // The run file `platewatch up` writes: this process runs the system, so the CLI goes through its API.
    mkdirSync(join(dir, 'run'), { recursive: true });
    writeFileSync(join(dir, 'run', 'platewatch.json'), JSON.stringify({ natsUrl: 'nats://127.0.0.1:1', pid: process.pid, startedAt: new Date().toISOString(), httpUrl: base, storageDir: join(dir, 'clickhouse') }));
    writeFileSync(join(dir, 'svs.csv'), 'plate,state,list,reason,case_number,entered_by,synopsis\n7BSY777,CA,SVS,Stolen,,,\n');
    const held = [await heldUpload(), await heldUpload()];
    try {
      const third = await fetch(`${base}/api/hotlists/SVS/load`, { method: 'POST', headers: { authorization: `Bearer ${tokens.get('admin1') as string}`, 'content-type': 'text/csv' }, body: 'plate\n' });
      expect(third.status).toBe(503);
      const run = runCliInProcess(['hotlist', 'load', '--list', 'SVS', join(dir, 'svs.csv'), '--as', 'admin2', '--password-stdin'], { env: { PLATEWATCH_DATA_DIR: dir }, stdin: `${PASSWORD}\n` });
      // One upload ends while the command waits.
      setTimeout(() => held.shift()?.destroy(), 2_000);
      const { code, stdout, stderr } = await run;
      expect({ code, stderr }).toMatchObject({ code: 0, stderr: expect.stringContaining('platewatch hotlist: the running platewatch is receiving 2 other uploads; trying again in 5 s\n') });
      expect(stdout).toMatch(/^list SVS is now version \d+: 1 entries \(1 added, \d+ removed\); in force$/m);
      expect(hitsFor('7BSY777')).toEqual(['SVS']);
    } finally {
      for (const req of held) req.destroy();
      rmSync(join(dir, 'run'), { recursive: true, force: true });
    }
  }, 60_000);
});
