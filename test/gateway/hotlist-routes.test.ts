// The hot list API over the real gateway (uWS), real nats-server (hot list object store, a worker's
// HotlistFollower and Matcher) and real chDB: for each rule the forbidden thing refused (and in the
// access log when a user did it) and the allowed thing done. Watsonville §471.5(f)(4)(5);
// Gov. Code § 7284.6; State Auditor 2019-118 (no personal data in hot list entries). A covert list
// is invisible to users not named for it (404 as for no list at all); an administrator not named
// sees only that it exists. Changes are claimed in NATS KV as `platewatch up` claims them, and a
// second connection plays another gateway.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ObjectStore } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLogRefusals } from '../../bin/refusal-log.js';
import { ApiGuard, authRoutes, CovertLists, hotlistRoutes, startGateway, type RunningGateway } from '../../gateway/index.js';
import { ROWS_ANSWERED_MAX } from '../../gateway/hotlist-routes.js';
import { LOGGED_BODY_CHARACTERS } from '../../gateway/request-fields.js';
import {
  encodeHotlist, ensureStreams, HotlistFollower, ListBuilder, MetricsRegistry, openHotlistStore, openVersionClaims, publishHotlist, readHotlist, readHotlistVersion, registerHotlistStaleness,
  resolveBulkLayout, startLocalNatsServer, type LocalNatsServer, type NatsVersionClaims,
} from '../../ingest/index.js';
import { hitId, Matcher, resolveMatcherConfig, validateEntry } from '../../matcher/index.js';
import { listingClaimId } from '../../storage/hotlists.js';
import { AccessLog, CredentialStore, designateList, entryHistory, saveUser, type HotlistContext, type UserRole } from '../../storage/index.js';
import { openTempStorage, type TempStorage } from '../storage/temp-storage.js';

const PASSWORD = 'a long enough passphrase';
const config = resolveMatcherConfig();
const DAY_MS = 24 * 3600 * 1000;
let temp: TempStorage;
let accessLog: AccessLog;
let credentials: CredentialStore;
let hotlists: HotlistContext;
let nats: LocalNatsServer;
let nc: NatsConnection;
let otherConnection: NatsConnection;
/** Another gateway's claims on the same NATS. */
let otherGateway: NatsVersionClaims;
let store: ObjectStore;
let gateway: RunningGateway;
let base: string;
let matcher: Matcher;
let builder: ListBuilder;
let follower: HotlistFollower;
const tokens = new Map<string, string>();

const NCIC_LAYOUT = { format: 'delimited', fields: { MKE: 'MKE', LIC: 'LIC', LIS: 'LIS', VMA: 'VMA', NIC: 'NIC', OCA: 'OCA', ORI: 'ORI' } };

beforeAll(async () => {
  temp = await openTempStorage();
  accessLog = new AccessLog(temp.storage);
  credentials = new CredentialStore(temp.storage, accessLog);
  const users: Array<[string, UserRole[]]> = [
    ['admin1', ['administrator']], ['admin2', ['administrator']], ['sup1', ['supervisor']], ['ofc1', ['officer']], ['disp1', ['dispatcher']],
    // Named for covert list NARC: a detective and the lieutenant who approves its entries.
    ['det1', ['officer']], ['lt1', ['administrator']],
  ];
  for (const [id, roles] of users) {
    await saveUser(temp.storage, { userId: id, name: `User ${id}`, title: roles.join(','), roles, trainedAt: '2026-01-15', active: true }, 'setup');
    await credentials.setPassword(id, PASSWORD, 'setup');
  }
  nats = await startLocalNatsServer({ storeDir: join(temp.dir, 'nats') });
  nc = await connect({ servers: nats.url });
  await ensureStreams(await jetstreamManager(nc));
  const js = jetstream(nc);
  store = await openHotlistStore(js);
  matcher = new Matcher(config);
  builder = new ListBuilder(config);
  follower = new HotlistFollower(store, matcher, builder, pino({ level: 'silent' }));
  await follower.start();
  const registry = new MetricsRegistry();
  registerHotlistStaleness(registry, store, config, DAY_MS);
  hotlists = { storage: temp.storage, accessLog, config, claims: await openVersionClaims(js) };
  otherConnection = await connect({ servers: nats.url });
  otherGateway = await openVersionClaims(jetstream(otherConnection));
  await designateList(hotlists, 'admin1', { list: 'BOLO', purpose: 'Be on the lookout: vehicles tied to open cases' });
  await designateList(hotlists, 'admin1', { list: 'NARC', purpose: 'Operation Nightjar: narcotics delivery vehicles' });
  gateway = await startGateway({
    nc, js, registry, logger: pino({ level: 'silent' }), config: { port: 0 },
    verifySession: (token) => credentials.verify(token),
    routes: () => [
      ...authRoutes({ authenticator: credentials }),
      ...hotlistRoutes({
        guard: new ApiGuard(credentials, accessLogRefusals(accessLog)), hotlists, store, covert: new CovertLists({ NARC: ['det1', 'lt1'] }), staleAfterMs: DAY_MS,
        immigrationMessageKeys: ['EIV', 'IV'], layouts: { ncic: resolveBulkLayout(NCIC_LAYOUT) },
      }),
    ],
  });
  base = gateway.url;
  for (const [user] of users) {
    const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password: PASSWORD }) });
    tokens.set(user, ((await res.json()) as { token: string }).token);
  }
});

afterAll(async () => {
  await follower?.stop();
  await builder?.close();
  await gateway?.stop();
  await otherConnection?.close();
  await nc?.close();
  await nats?.stop();
  await temp?.cleanup();
});

async function call(method: string, path: string, user?: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (user !== undefined) headers['authorization'] = `Bearer ${tokens.get(user) as string}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function errorCode(reply: { body: Record<string, unknown> }): string | undefined {
  return (reply.body['error'] as { code?: string } | undefined)?.code;
}

function errorMessage(reply: { body: Record<string, unknown> }): string {
  return (reply.body['error'] as { message?: string } | undefined)?.message ?? '';
}

async function lastLog(user: string): Promise<{ outcome: string; detail: string; params: string }> {
  const rs = await temp.storage.client.query({
    query: `SELECT outcome, detail, params FROM ${temp.storage.db}.access_log WHERE user_id = {u:String} AND action = 'hotlist' ORDER BY seq DESC LIMIT 1`,
    query_params: { u: user }, format: 'JSONEachRow',
  });
  const rows = await rs.json<{ outcome: string; detail: string; params: string }>();
  return rows[0] ?? { outcome: '', detail: '', params: '' };
}

/** Until the follower has swapped a version in: NATS's watch and a list built in a worker thread. */
async function until(probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function matches(plate: string): string[] {
  return matcher.matchRead({ id: 'r', plate }, Date.now()).map((h) => `${h.list}:${h.entry}`);
}

const NCIC_FILE = [
  'MKE,LIC,LIS,VMA,NIC,OCA,ORI,NAM,DOB',
  'EV,7ABC123,CA,TOYT,V000000001,26-0101,CA0440300,DOE/JOHN,19800101',
  'EIV,8XYZ999,CA,HOND,I000000002,,DCICE0000,ROE/JANE,19900202',
  'EV,BAD!,CA,,V3,,CA0440300,,',
].join('\n');

describe('GET /api/hotlists', () => {
  it('answers 401 without a session', async () => {
    expect((await call('GET', '/api/hotlists')).status).toBe(401);
  });

  it('shows every list with its staleness; a general list never loaded is stale', async () => {
    const reply = await call('GET', '/api/hotlists', 'ofc1');
    expect(reply.status).toBe(200);
    const lists = reply.body['lists'] as Array<Record<string, unknown>>;
    expect(lists.find((l) => l['list'] === 'SFR')).toMatchObject({ kind: 'general', version: 0, stale: true });
    expect(lists.find((l) => l['list'] === 'BOLO')).toMatchObject({ kind: 'specific', designated: true, stale: false });
    expect(reply.body['staleAfterSeconds']).toBe(86400);
    // The configured bulk layouts, for the console's load form.
    expect(reply.body['layouts']).toContain('ncic');
  });

  it('raises the alarm for a general list older than 24 h, in the API and in metrics, and clears it on a fresh load', async () => {
    const old = validateEntry({ plate: '1OLD111', list: 'SLR' }, config);
    if (!old.ok) throw new Error(old.reason);
    await store.putBlob({ name: 'SLR', description: '1 entries', metadata: { loadedBy: 'feed', loadedAt: new Date(Date.now() - 2 * DAY_MS).toISOString() } }, encodeHotlist([old.entry]));
    const lists = (await call('GET', '/api/hotlists', 'disp1')).body['lists'] as Array<Record<string, unknown>>;
    expect(lists.find((l) => l['list'] === 'SLR')).toMatchObject({ stale: true, entries: 1, loadedBy: 'feed' });
    expect((lists.find((l) => l['list'] === 'SLR')?.['ageSeconds'] as number)).toBeGreaterThan(86400);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('platewatch_hotlist_stale{list="SLR"} 1');
    // The age an alert reads counts from the load two days ago, not from this process's build of it.
    expect(Number(/^platewatch_hotlist_age_seconds\{list="SLR"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2 * 86400);
    expect(metrics).toContain('general lists older than 86400 are stale');

    const loaded = await call('POST', '/api/hotlists/SLR/load', 'admin1', { text: 'MKE,LIC,LIS,VMA,NIC,OCA,ORI\nEV,2NEW222,CA,,,,\n', layout: 'ncic' });
    expect(loaded.status).toBe(200);
    const after = await call('GET', '/api/hotlists', 'disp1');
    expect(after.body['stale']).not.toContain('SLR');
    // The version the load reported is the one the list shows, one past the version it replaced.
    const before = lists.find((l) => l['list'] === 'SLR')?.['version'] as number;
    expect(loaded.body['version']).toBe(before + 1);
    expect((after.body['lists'] as Array<Record<string, unknown>>).find((l) => l['list'] === 'SLR')).toMatchObject({ version: before + 1 });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('platewatch_hotlist_stale{list="SLR"} 0');
  });
});

describe('POST /api/hotlists (designation)', () => {
  it('refuses other roles than the Administrator, with the refusal logged', async () => {
    const reply = await call('POST', '/api/hotlists', 'sup1', { list: 'CASE-7', purpose: 'Vehicles of the burglary series' });
    expect(reply.status).toBe(403);
    expect(await lastLog('sup1')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('hotlists.manage') });
  });

  it('refuses a list for immigration enforcement, with the refusal logged', async () => {
    const reply = await call('POST', '/api/hotlists', 'admin2', { list: 'ICE-HOLDS', purpose: 'Vehicles wanted by the field office' });
    expect(reply.status).toBe(403);
    expect(errorCode(reply)).toBe('PROHIBITED_PURPOSE');
    expect(await lastLog('admin2')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('7284.6') });
  });

  it('refuses names the API uses as paths, and a bad body', async () => {
    expect((await call('POST', '/api/hotlists', 'admin2', { list: 'approvals', purpose: 'Vehicles of the burglary series' })).status).toBe(400);
    expect((await call('POST', '/api/hotlists', 'admin2', ['CASE-7'])).status).toBe(400);
  });

  it('refuses a list name or purpose that is not text, naming the field, rather than designating its String()', async () => {
    const number = await call('POST', '/api/hotlists', 'admin2', { list: 5, purpose: 'Vehicles of the burglary series' });
    expect({ status: number.status, code: errorCode(number) }).toEqual({ status: 400, code: 'INVALID' });
    expect(errorMessage(number)).toBe('"list" must be text');
    const array = await call('POST', '/api/hotlists', 'admin2', { list: 'CASE-8', purpose: ['Vehicles of the burglary series'] });
    expect({ status: array.status, code: errorCode(array) }).toEqual({ status: 400, code: 'INVALID' });
    expect(errorMessage(array)).toBe('"purpose" must be text');
    const lists = (await call('GET', '/api/hotlists', 'admin2')).body['lists'] as Array<{ list: string }>;
    expect(lists.map((l) => l.list)).not.toContain('5');
    expect(lists.map((l) => l.list)).not.toContain('CASE-8');
  });

  it('designates a list for the Administrator', async () => {
    const reply = await call('POST', '/api/hotlists', 'admin2', { list: 'case-7', purpose: 'Vehicles of the burglary series' });
    expect(reply).toMatchObject({ status: 201, body: { list: 'CASE-7', kind: 'specific', changedBy: 'admin2' } });
  });
});

describe('POST /api/hotlists/:list/load (bulk)', () => {
  it('refuses a non-administrator, logged', async () => {
    expect((await call('POST', '/api/hotlists/SVS/load', 'sup1', { text: NCIC_FILE, layout: 'ncic' })).status).toBe(403);
    expect(await lastLog('sup1')).toMatchObject({ outcome: 'refused' });
  });

  it('refuses a layout that maps a name or date of birth, logged, and loads nothing', async () => {
    const reply = await call('POST', '/api/hotlists/SVS/load', 'admin1', { text: NCIC_FILE, layout: { ...NCIC_LAYOUT, fields: { ...NCIC_LAYOUT.fields, NAM: 'NAM' } } });
    expect(reply.status).toBe(400);
    expect(errorCode(reply)).toBe('PERSONAL_DATA');
    expect(await lastLog('admin1')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('PERSONAL_DATA') });
    expect(await readHotlist(store, 'SVS')).toBeNull();
  });

  it('refuses bulk loads of a specific list (entries are approved one by one), and an empty file', async () => {
    const specific = await call('POST', '/api/hotlists/BOLO/load', 'admin1', { text: NCIC_FILE, layout: 'ncic' });
    expect(specific.status).toBe(409);
    expect(await lastLog('admin1')).toMatchObject({ outcome: 'invalid', detail: expect.stringContaining('SPECIFIC_LIST') });
    expect((await call('POST', '/api/hotlists/SVS/load', 'admin1', { text: 'MKE,LIC,LIS,VMA,NIC,OCA,ORI\n', layout: 'ncic' })).status).toBe(400);
    // A name every object answers to is no configured layout: 400, not a 500.
    const inherited = await call('POST', '/api/hotlists/SVS/load', 'admin1', { text: NCIC_FILE, layout: 'constructor' });
    expect(inherited.status).toBe(400);
    expect(errorCode(inherited)).toBe('INVALID_LAYOUT');
    expect((await call('POST', '/api/hotlists/SVS/load', 'admin1', { text: NCIC_FILE, layout: 'nope' })).status).toBe(400);
    const ice = await call('POST', '/api/hotlists/ICE/load', 'admin1', { text: NCIC_FILE, layout: 'ncic' });
    expect(ice.status).toBe(403);
    expect(errorCode(ice)).toBe('PROHIBITED_PURPOSE');
    expect(await lastLog('admin1')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('7284.6') });
  });

  it('answers a list nobody configured, designated or loaded 404 UNKNOWN_LIST, as the entries routes do, logged', async () => {
    const reply = await call('POST', '/api/hotlists/NOPE/load', 'admin1', { text: 'x' });
    expect({ status: reply.status, code: errorCode(reply) }).toEqual({ status: 404, code: 'UNKNOWN_LIST' });
    expect(await lastLog('admin1')).toMatchObject({ outcome: 'invalid', detail: expect.stringContaining('UNKNOWN_LIST') });
    const entries = await call('GET', '/api/hotlists/NOPE/entries', 'admin1');
    expect({ status: entries.status, code: errorCode(entries) }).toEqual({ status: 404, code: 'UNKNOWN_LIST' });
    // A designated specific list stays a 409: it exists, its entries just do not come in bulk.
    expect(errorCode(await call('POST', '/api/hotlists/BOLO/load', 'admin1', { text: 'x' }))).toBe('SPECIFIC_LIST');
    expect(await readHotlist(store, 'NOPE')).toBeNull();
  });

  it('loads an NCIC extract: immigration violator records dropped and counted, person columns never read, a diff report, the newest in force', async () => {
    const reply = await call('POST', '/api/hotlists/SVS/load', 'admin1', { text: NCIC_FILE, layout: 'ncic' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ list: 'SVS', entries: 1, added: 1, removed: 0, rows: 3, droppedImmigration: 1, ignoredColumns: ['NAM', 'DOB'] });
    expect((reply.body['rejected'] as unknown[]).length).toBe(1);
    const stored = await readHotlist(store, 'SVS');
    expect(stored?.map((e) => e.plate)).toEqual(['7ABC123']);
    expect(JSON.stringify(stored)).not.toMatch(/DOE|ROE|19800101/);
    await until(() => matches('7ABC123').length === 1);
    expect(matches('8XYZ999')).toEqual([]);
    expect(await lastLog('admin1')).toMatchObject({ outcome: 'ok', params: expect.stringContaining('"droppedImmigration":1') });

    const next = await call('POST', '/api/hotlists/SVS/load', 'admin1', { text: 'plate,state,list,reason,case_number,entered_by,synopsis\n6TRJ244,CA,SVS,Stolen,,,\n' });
    expect(next.body).toMatchObject({ entries: 1, added: 1, removed: 1 });
    await until(() => matches('6TRJ244').length === 1);
    expect(matches('7ABC123')).toEqual([]);
  }, 90_000);
});

describe('POST /api/hotlists/:list/load with the file as text', () => {
  it('takes the file itself with the options in the query, past the JSON limit, as a daily download is', async () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => `9T${String(i).padStart(5, '0')},CA,SVS,Stolen,,,`);
    const text = `plate,state,list,reason,case_number,entered_by,synopsis\n${rows.join('\n')}\n`;
    expect(text.length).toBeGreaterThan(2 ** 20); // the gateway's JSON limit
    const post = async (query: string, type: string, body: string) => {
      const res = await fetch(`${base}/api/hotlists/SVS/load${query}`, { method: 'POST', headers: { authorization: `Bearer ${tokens.get('admin1') as string}`, 'content-type': type }, body });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await post('', 'application/json', JSON.stringify({ text }))).status).toBe(413);
    // Who may load is settled before the file is read (gateway/http-json.ts TextBody.admit).
    const anonymous = await fetch(`${base}/api/hotlists/SVS/load`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: text });
    expect(anonymous.status).toBe(401);
    const supervisor = await fetch(`${base}/api/hotlists/SVS/load`, { method: 'POST', headers: { authorization: `Bearer ${tokens.get('sup1') as string}`, 'content-type': 'text/csv' }, body: text });
    expect(await supervisor.json()).toMatchObject({ error: { code: 'ROLE_REQUIRED' } });
    expect(await post('?strict=yes', 'text/csv', text)).toMatchObject({ status: 400, body: { error: { code: 'INVALID' } } });
    expect(await post('?strict=true', 'application/json', JSON.stringify({ text: 'plate\n' }))).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('not in the query') } } });
    expect(await post('?stritc=true', 'text/csv', text)).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('unknown query parameter "stritc"') } } });

    const loaded = await post('?strict=true&allowEmpty=false', 'text/csv', text);
    expect(loaded).toMatchObject({ status: 200, body: { list: 'SVS', entries: 50_000, rows: 50_000, rejected: [] } });
    await until(() => matches('9T49999').length === 1);
    expect(await lastLog('admin1')).toMatchObject({ outcome: 'ok', params: expect.stringContaining('"entries":50000') });
    // Bytes that are not UTF-8 (a Windows-1252 export) cost their row, as in a file loaded from disk;
    // a blank file is refused as one sent as JSON is.
    const header = 'plate,state,list,reason,case_number,entered_by,synopsis\n';
    const latin1 = Buffer.concat([Buffer.from(`${header}6TRJ244,CA,SVS,Stolen,,,\n5CAF555,CA,SVS,Stolen,,,Caf`), Buffer.from([0xe9, 0x0a])]);
    const mixed = await fetch(`${base}/api/hotlists/SVS/load`, { method: 'POST', headers: { authorization: `Bearer ${tokens.get('admin1') as string}`, 'content-type': 'text/csv' }, body: latin1 });
    expect(await mixed.json()).toMatchObject({ entries: 1, rows: 2, rejected: [{ line: 3, reason: expect.stringContaining('UTF-8') }] });
    expect(await post('', 'text/csv', ' \r\n\n')).toMatchObject({ status: 400, body: { error: { code: 'INVALID' } } });
    // The next load puts the earlier lists' plates back for the tests after this one.
    expect((await post('', 'text/plain', `${header}6TRJ244,CA,SVS,Stolen,,,\n`)).status).toBe(200);
  }, 90_000);
});

describe('hot list CSV loads and the Values Act', () => {
  it('drops rows for immigration enforcement from a plain CSV load, counts them in the report and the log, and raises no hit for them', async () => {
    const csv = [
      'plate,state,list,reason,case_number,entered_by,synopsis',
      'QAIVF01,CA,SFR,NCIC MKE EIV,V1,CA0440500,Immigration Violator File',
      'QAIVF02,CA,SFR,Immigration violator - deportable alien,V2,CA0440500,ICE detainer',
      '5FEL123,CA,SFR,Felony vehicle,V3,CA0440500,ice cream truck robbery',
    ].join('\n');
    const reply = await call('POST', '/api/hotlists/SFR/load', 'admin1', { text: csv });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ list: 'SFR', entries: 1, rows: 3, droppedImmigration: 2, rejected: [] });
    // Which rows, by line, so the administrator knows which listed vehicles will not alert.
    expect((reply.body['dropped'] as Array<{ line: number }>).map((d) => d.line)).toEqual([2, 3]);
    expect((await readHotlist(store, 'SFR'))?.map((e) => e.plate)).toEqual(['5FEL123']);
    expect(await lastLog('admin1')).toMatchObject({ outcome: 'ok', params: expect.stringContaining('"droppedImmigration":2') });
    await until(() => matches('5FEL123').length === 1);
    expect(matches('QAIVF01')).toEqual([]);
    expect(matches('QAIVF02')).toEqual([]);
  }, 90_000);
});

describe('specific-list entries and approvals', () => {
  const entry = { plate: '4DEF567', state: 'CA', reason: 'Shooting suspect vehicle', caseNumber: 'WPD-26-0777', synopsis: 'Dark SUV fled the shooting on Main St', vehicle: { make: 'CHEV', year: 2018 } };

  it('refuses an entry without case number or synopsis, and bad input, with 400', async () => {
    expect((await call('POST', '/api/hotlists/BOLO/entries', 'ofc1', { ...entry, synopsis: undefined })).status).toBe(400);
    expect((await call('POST', '/api/hotlists/BOLO/entries', 'ofc1', { ...entry, caseNumber: ' ' })).status).toBe(400);
    expect(await lastLog('ofc1')).toMatchObject({ outcome: 'invalid' });
    expect((await call('POST', '/api/hotlists/BOLO/entries', 'ofc1', { ...entry, vehicle: { year: 'old' } })).status).toBe(400);
    expect((await call('POST', '/api/hotlists/BOLO/entries', 'ofc1', { ...entry, plate: 'NOT A PLATE!!' })).status).toBe(400);
    expect((await call('POST', '/api/hotlists/NOPE/entries', 'ofc1', entry)).status).toBe(404);
    expect((await call('POST', '/api/hotlists/SVS/entries', 'ofc1', entry)).status).toBe(409);
    expect((await call('POST', '/api/hotlists/BOLO/entries', 'disp1', entry)).status).toBe(403);
  });

  it('matches a new entry only after an administrator other than the submitter approves it', async () => {
    const submitted = await call('POST', '/api/hotlists/BOLO/entries', 'admin1', entry);
    expect(submitted).toMatchObject({ status: 201, body: { enteredBy: 'admin1', version: 1, decision: null } });
    const entryId = submitted.body['entryId'] as string;
    expect(await readHotlist(store, 'BOLO')).toBeNull();

    const pending = await call('GET', '/api/hotlists/approvals', 'sup1');
    expect((pending.body['pending'] as Array<{ entryId: string }>).map((p) => p.entryId)).toContain(entryId);
    expect((await call('GET', '/api/hotlists/approvals', 'ofc1')).status).toBe(403);

    const bySupervisor = await call('POST', `/api/hotlists/approvals/${entryId}`, 'sup1', { decision: 'approved' });
    expect(bySupervisor.status).toBe(403);
    expect(await lastLog('sup1')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('hotlists.approve_entry') });
    const bySelf = await call('POST', `/api/hotlists/approvals/${entryId}`, 'admin1', { decision: 'approved' });
    expect(bySelf.status).toBe(403);
    expect(errorCode(bySelf)).toBe('SELF_APPROVAL');
    expect(await lastLog('admin1')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('SELF_APPROVAL') });
    expect(matches('4DEF567')).toEqual([]);

    const approved = await call('POST', `/api/hotlists/approvals/${entryId}`, 'admin2', { decision: 'approved', note: 'case confirmed' });
    expect(approved).toMatchObject({ status: 200, body: { decision: 'approved', published: { list: 'BOLO', entries: 1, added: 1 } } });
    await until(() => matches('4DEF567').length === 1);
    expect(matches('4DEF567')).toEqual(['BOLO:4DEF567']);
    expect((await call('POST', `/api/hotlists/approvals/${entryId}`, 'admin2', { decision: 'approved' })).status).toBe(409);
  }, 90_000);

  it('puts an update into force only with a supervisor’s approval, and records who and when', async () => {
    const submitted = await call('POST', '/api/hotlists/BOLO/entries', 'ofc1', { ...entry, plate: '5GHJ678' });
    const entryId = submitted.body['entryId'] as string;
    await call('POST', `/api/hotlists/approvals/${entryId}`, 'admin2', { decision: 'approved' });
    await until(() => matches('5GHJ678').length === 1);

    const update = await call('POST', `/api/hotlists/entries/${entryId}`, 'ofc1', { fields: { synopsis: 'Now with a dented rear bumper' } });
    expect(update).toMatchObject({ status: 201, body: { version: 2, enteredBy: 'ofc1', plate: '5GHJ678', synopsis: 'Now with a dented rear bumper' } });
    expect((await call('POST', `/api/hotlists/entries/${entryId}`, 'ofc1', { fields: {} })).status).toBe(400);
    expect((await call('POST', `/api/hotlists/approvals/${entryId}`, 'ofc1', { decision: 'approved' })).status).toBe(403);
    expect((await call('POST', `/api/hotlists/approvals/${entryId}`, 'sup1', { decision: 'maybe' })).status).toBe(400);
    expect(matches('5GHJ678')).toEqual(['BOLO:5GHJ678']);

    const decided = await call('POST', `/api/hotlists/approvals/${entryId}`, 'sup1', { decision: 'approved', version: 2 });
    expect(decided.status).toBe(200);

    // Another plate puts another car on the list: the Administrator's to approve, as a new entry is.
    await call('POST', `/api/hotlists/entries/${entryId}`, 'ofc1', { fields: { plate: '5GHJ679' } });
    const pending = await call('GET', '/api/hotlists/approvals', 'sup1');
    expect((pending.body['pending'] as Array<{ entryId: string; approver: string }>).find((p) => p.entryId === entryId)?.approver).toBe('administrator');
    expect(await call('POST', `/api/hotlists/approvals/${entryId}`, 'sup1', { decision: 'approved' })).toMatchObject({ status: 403 });
    expect((await call('POST', `/api/hotlists/approvals/${entryId}`, 'admin1', { decision: 'approved', version: 3 })).status).toBe(200);
    await until(() => matches('5GHJ679').some((m) => m === 'BOLO:5GHJ679') && !matches('5GHJ678').includes('BOLO:5GHJ678'));

    const history = await call('GET', `/api/hotlists/entries/${entryId}`, 'ofc1');
    const versions = history.body['versions'] as Array<{ version: number; enteredBy: string; recordedAt: string; decision: { decidedBy: string; decidedRole: string; decidedAt: string } }>;
    expect(versions.map((v) => [v.version, v.enteredBy, v.decision.decidedBy, v.decision.decidedRole])).toEqual([
      [1, 'ofc1', 'admin2', 'administrator'], [2, 'ofc1', 'sup1', 'supervisor'], [3, 'ofc1', 'admin1', 'administrator'],
    ]);
    expect(versions.every((v) => Date.parse(v.recordedAt) > 0 && Date.parse(v.decision.decidedAt) > 0)).toBe(true);

    const listed = await call('GET', '/api/hotlists/BOLO/entries', 'disp1');
    expect((listed.body['entries'] as Array<{ entryId: string; current: { plate: string } }>).find((e) => e.entryId === entryId)?.current.plate).toBe('5GHJ679');
    expect((await call('GET', '/api/hotlists/entries/no-such-entry', 'ofc1')).status).toBe(404);
  }, 90_000);
});

describe('GET /api/hotlists/:list/entries of a general list', () => {
  it('answers 409 GENERAL_LIST, logged, rather than an empty list that reads as "this list is empty"', async () => {
    const loaded = await call('POST', '/api/hotlists/SFR/load', 'admin1', { text: 'plate,state,list,reason,case_number,entered_by,synopsis\n2SFR001,CA,SFR,Felony vehicle,,,\n' });
    expect(loaded).toMatchObject({ status: 200, body: { entries: 1 } });
    const reply = await call('GET', '/api/hotlists/SFR/entries', 'disp1');
    expect({ status: reply.status, code: errorCode(reply) }).toEqual({ status: 409, code: 'GENERAL_LIST' });
    expect(errorMessage(reply)).toContain('GET /api/hotlists gives its version, size and age');
    expect(await lastLog('disp1')).toMatchObject({ outcome: 'invalid', detail: expect.stringContaining('GENERAL_LIST') });
    // Configured but never loaded: the same answer, since the kind of list is what decides.
    expect(errorCode(await call('GET', '/api/hotlists/SLR/entries', 'disp1'))).toBe('GENERAL_LIST');
  });
});

describe('POST /api/hotlists/entries/:entryId (update or removal)', () => {
  it('refuses remove with fields, neither, or a remove that is not true, with 400, and records nothing', async () => {
    const submitted = await call('POST', '/api/hotlists/BOLO/entries', 'ofc1', { plate: '5RMV111', state: 'CA', caseNumber: 'WPD-26-0888', synopsis: 'Tan minivan, hit and run' });
    const entryId = submitted.body['entryId'] as string;
    expect((await call('POST', `/api/hotlists/approvals/${entryId}`, 'admin2', { decision: 'approved' })).status).toBe(200);
    const both = await call('POST', `/api/hotlists/entries/${entryId}`, 'ofc1', { remove: true, fields: { plate: '5RMV112' } });
    expect({ status: both.status, code: errorCode(both) }).toEqual({ status: 400, code: 'INVALID' });
    expect(errorMessage(both)).toContain('send either remove or fields, not both');
    for (const body of [{}, { remove: false }, { remove: 'yes' }, { remove: 1 }, { fields: 'plate' }, { fields: [] }, { remove: true, fields: {} }]) {
      const reply = await call('POST', `/api/hotlists/entries/${entryId}`, 'ofc1', body);
      expect({ body, status: reply.status, code: errorCode(reply) }).toEqual({ body, status: 400, code: 'INVALID' });
    }
    expect((await entryHistory(temp.storage, entryId)).map((v) => v.version)).toEqual([1]);
    expect((await call('POST', `/api/hotlists/entries/${entryId}`, 'ofc1', { remove: true })).status).toBe(201);
  });
});

describe('one entry per list, plate, state and case number', () => {
  // QA's case: one car entered twice under one case; the hits shared an id and one was lost.
  const listed = { plate: '7ABC123', state: 'CA', reason: 'Armed robbery', caseNumber: 'C26-200', synopsis: 'Silver sedan seen leaving the bank robbery' };

  it('refuses a second submission with 409 naming the entry to update; another case is a second entry, and each hit has its own id', async () => {
    const first = await call('POST', '/api/hotlists/BOLO/entries', 'ofc1', listed);
    expect(first.status).toBe(201);
    const firstId = first.body['entryId'] as string;
    const again = await call('POST', '/api/hotlists/BOLO/entries', 'sup1', { ...listed, synopsis: 'Same sedan, now with a cracked windshield' });
    expect({ status: again.status, code: errorCode(again) }).toEqual({ status: 409, code: 'DUPLICATE_ENTRY' });
    expect(errorMessage(again)).toMatch(new RegExp(`entry ${firstId} .*update that entry`));
    expect(await lastLog('sup1')).toMatchObject({ outcome: 'invalid', detail: expect.stringContaining('DUPLICATE_ENTRY') });

    expect((await call('POST', `/api/hotlists/approvals/${firstId}`, 'admin2', { decision: 'approved' })).status).toBe(200);
    const afterApproval = await call('POST', '/api/hotlists/BOLO/entries', 'sup1', { ...listed, plate: '7abc 123', synopsis: 'Same sedan' });
    expect({ status: afterApproval.status, code: errorCode(afterApproval) }).toEqual({ status: 409, code: 'DUPLICATE_ENTRY' });

    const otherCase = await call('POST', '/api/hotlists/BOLO/entries', 'sup1', { ...listed, caseNumber: 'C26-314', synopsis: 'Same sedan, a second investigation' });
    expect(otherCase.status).toBe(201);
    expect((await call('POST', `/api/hotlists/approvals/${otherCase.body['entryId'] as string}`, 'admin2', { decision: 'approved' })).status).toBe(200);
    const boloHits = () => matcher.matchRead({ id: 'r-dup', plate: '7ABC123', state: 'CA' }, Date.now()).filter((h) => h.list === 'BOLO' && h.entry === '7ABC123');
    await until(() => boloHits().length === 2);
    const hits = boloHits();
    expect(hits.map((h) => h.synopsis).sort()).toEqual([listed.synopsis, 'Same sedan, a second investigation'].sort());
    expect(new Set(hits.map((h) => hitId({ id: 'r-dup', agency: 'wpd', camera: 'cam1', ts: Date.now() }, h.list, h.entry, h))).size).toBe(2);
  }, 90_000);

  it('refuses with 409 the second approval of two duplicates submitted at the same moment (the other on another gateway)', async () => {
    const here = await call('POST', '/api/hotlists/BOLO/entries', 'ofc1', { ...listed, plate: '7ABC125' });
    expect(here.status).toBe(201);
    // The other gateway checked its submission while this one checked ours, so neither saw the other.
    const there = randomUUID();
    await temp.storage.client.insert({
      table: `${temp.storage.db}.hotlist_entries`, format: 'JSONEachRow',
      values: [{ entry_id: there, version: 1, list: 'BOLO', plate: '7ABC125', is_pattern: false, state: 'CA', reason: '', case_number: listed.caseNumber, entered_by: 'sup1', synopsis: 'Same sedan, from the other desk', expires_at: null, status: 'active', recorded_at: Date.now() }],
    });
    expect((await call('POST', `/api/hotlists/approvals/${here.body['entryId'] as string}`, 'admin2', { decision: 'approved' })).status).toBe(200);
    const second = await call('POST', `/api/hotlists/approvals/${there}`, 'admin2', { decision: 'approved' });
    expect({ status: second.status, code: errorCode(second) }).toEqual({ status: 409, code: 'DUPLICATE_ENTRY' });
    expect(errorMessage(second)).toContain(`entry ${here.body['entryId'] as string} already holds it`);
    expect((await entryHistory(temp.storage, there))[0]?.decision).toBeNull();
  });

  it('refuses with 409 an approval while another gateway approves an entry with the same plate, state and case', async () => {
    const submitted = await call('POST', '/api/hotlists/BOLO/entries', 'ofc1', { ...listed, plate: '7ABC126' });
    const entryId = submitted.body['entryId'] as string;
    expect(await otherGateway.claim('hotlist_listing', listingClaimId({ list: 'BOLO', plate: '7ABC126', state: 'CA', caseNumber: listed.caseNumber }), 1)).toBe(true);
    const reply = await call('POST', `/api/hotlists/approvals/${entryId}`, 'admin2', { decision: 'approved' });
    expect({ status: reply.status, code: errorCode(reply) }).toEqual({ status: 409, code: 'DUPLICATE_ENTRY' });
    expect(errorMessage(reply)).toContain('approved at the same moment');
    expect((await entryHistory(temp.storage, entryId))[0]?.decision).toBeNull();
    // Nor is the decision's own claim kept: once the other gateway's approval is in, this one can be rejected.
    expect((await call('POST', `/api/hotlists/approvals/${entryId}`, 'admin2', { decision: 'rejected', note: 'entered on the other desk' })).status).toBe(200);
  });
});

describe('covert lists', () => {
  const secret = { plate: '3NRC333', state: 'CA', reason: 'Narcotics delivery', caseNumber: 'WPD-26-0999', synopsis: 'Grey van seen at the Nightjar stash house' };
  let approvedId = '';
  let pendingId = '';

  const covertRefusals = async (user: string): Promise<number> => {
    const rs = await temp.storage.client.query({
      query: `SELECT count() AS n FROM ${temp.storage.db}.access_log WHERE user_id = {u:String} AND outcome = 'refused' AND detail LIKE 'COVERT_LIST:%'`,
      query_params: { u: user }, format: 'JSONEachRow',
    });
    return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
  };

  /** The body with `name` written as `as`: one list's or entry's answer as another's would read. */
  const renamed = (reply: { status: number; body: Record<string, unknown> }, name: string, as: string) =>
    ({ status: reply.status, body: JSON.parse(JSON.stringify(reply.body).replaceAll(name, as)) as unknown });

  beforeAll(async () => {
    const first = await call('POST', '/api/hotlists/NARC/entries', 'det1', secret);
    expect(first.status).toBe(201);
    approvedId = first.body['entryId'] as string;
    expect((await call('POST', `/api/hotlists/approvals/${approvedId}`, 'lt1', { decision: 'approved' })).status).toBe(200);
    const second = await call('POST', '/api/hotlists/NARC/entries', 'det1', { ...secret, plate: '3NRC334' });
    expect(second.status).toBe(201);
    pendingId = second.body['entryId'] as string;
  });

  it('leaves a covert list out of the overview of users not named for it: no name, purpose, size or loader', async () => {
    for (const user of ['ofc1', 'disp1', 'sup1']) {
      const reply = await call('GET', '/api/hotlists', user);
      expect(reply.status).toBe(200);
      expect((reply.body['lists'] as Array<{ list: string }>).map((l) => l.list)).not.toContain('NARC');
      expect(JSON.stringify(reply.body)).not.toMatch(/NARC|Nightjar|lt1|det1/);
    }
  });

  it('answers a covert list\'s entries 404, exactly as for a list that does not exist, and logs the attempt', async () => {
    const refusalsBefore = await covertRefusals('ofc1');
    const covert = await call('GET', '/api/hotlists/NARC/entries', 'ofc1');
    const unknown = await call('GET', '/api/hotlists/NOPE/entries', 'ofc1');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_LIST' } } });
    expect(renamed(covert, 'NARC', 'NOPE')).toEqual(renamed(unknown, 'NOPE', 'NOPE'));
    expect(JSON.stringify(covert.body)).not.toMatch(/3NRC33|Nightjar|WPD-26-0999/);
    expect((await call('GET', '/api/hotlists/narc/entries', 'disp1')).status).toBe(404);

    const submitted = await call('POST', '/api/hotlists/NARC/entries', 'ofc1', { ...secret, plate: '3NRC335' });
    const submittedUnknown = await call('POST', '/api/hotlists/NOPE/entries', 'ofc1', { ...secret, plate: '3NRC335' });
    expect(submittedUnknown.status).toBe(404);
    expect(renamed(submitted, 'NARC', 'NOPE')).toEqual(renamed(submittedUnknown, 'NOPE', 'NOPE'));
    expect(await lastLog('ofc1')).toMatchObject({ outcome: 'invalid', detail: expect.stringContaining('UNKNOWN_LIST') });
    // The auditor sees the attempts for what they were.
    expect(await covertRefusals('ofc1')).toBe(refusalsBefore + 2);
  });

  it('answers a covert entry\'s id 404, exactly as for an unknown entry: its history, an update, a decision', async () => {
    const unknownId = 'no-such-entry';
    const asUnknown = (reply: { status: number; body: Record<string, unknown> }, id: string) => renamed(reply, id, unknownId);
    const pairs: Array<[string, string, string, unknown]> = [
      ['GET', 'entries', 'ofc1', undefined],
      ['POST', 'entries', 'ofc1', { fields: { synopsis: 'Grey van, new plates' } }],
      ['POST', 'entries', 'ofc1', { remove: true }],
      ['POST', 'approvals', 'sup1', { decision: 'rejected', note: 'not ours' }],
    ];
    for (const [method, path, user, body] of pairs) {
      for (const id of [approvedId, pendingId]) {
        const covert = await call(method, `/api/hotlists/${path}/${id}`, user, body);
        const unknown = await call(method, `/api/hotlists/${path}/${unknownId}`, user, body);
        expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_ENTRY' } } });
        expect({ method, path, ...asUnknown(covert, id) }).toEqual({ method, path, ...asUnknown(unknown, unknownId) });
      }
    }
    // Nothing changed: the entry in force and the pending one are as they were.
    const history = await call('GET', `/api/hotlists/entries/${approvedId}`, 'det1');
    expect((history.body['versions'] as unknown[]).length).toBe(1);
    expect((await call('GET', `/api/hotlists/entries/${pendingId}`, 'det1')).body['versions']).toMatchObject([{ decision: null }]);
  });

  it('leaves covert changes out of the approvals of a supervisor or administrator not named for the list', async () => {
    for (const user of ['sup1', 'admin2']) {
      const reply = await call('GET', '/api/hotlists/approvals', user);
      expect(reply.status).toBe(200);
      expect(JSON.stringify(reply.body)).not.toMatch(/NARC|3NRC33|Nightjar/);
    }
    const named = await call('GET', '/api/hotlists/approvals', 'lt1');
    expect((named.body['pending'] as Array<{ entryId: string }>).map((p) => p.entryId)).toContain(pendingId);
  });

  it('shows an administrator not named that the list exists with its size and version, but not its purpose, loader or entries', async () => {
    const lists = (await call('GET', '/api/hotlists', 'admin2')).body['lists'] as Array<Record<string, unknown>>;
    expect(lists.find((l) => l['list'] === 'NARC')).toMatchObject({
      kind: 'specific', version: 1, entries: 1, designated: true, purpose: '', loadedBy: '', pendingChanges: 1, covert: true, withheld: true,
    });
    expect(JSON.stringify(lists)).not.toMatch(/Nightjar|lt1|det1/);
    expect(lists.find((l) => l['list'] === 'BOLO')).toMatchObject({ covert: false, withheld: false });
    for (const [method, path, body] of [
      ['GET', '/api/hotlists/NARC/entries', undefined],
      ['POST', '/api/hotlists/NARC/entries', { ...secret, plate: '3NRC336' }],
      ['GET', `/api/hotlists/entries/${approvedId}`, undefined],
      ['POST', `/api/hotlists/approvals/${pendingId}`, { decision: 'approved' }],
    ] as const) {
      const reply = await call(method, path, 'admin2', body);
      expect({ path, status: reply.status, code: errorCode(reply) }).toEqual({ path, status: 403, code: 'COVERT_LIST' });
      expect(JSON.stringify(reply.body)).not.toMatch(/3NRC33|Nightjar|WPD-26-0999/);
    }
    expect(await lastLog('admin2')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('COVERT_LIST') });
  });

  it('shows the users named for the list everything: the list, its purpose, entries, history and approvals', async () => {
    const lists = (await call('GET', '/api/hotlists', 'det1')).body['lists'] as Array<Record<string, unknown>>;
    expect(lists.find((l) => l['list'] === 'NARC')).toMatchObject({ purpose: 'Operation Nightjar: narcotics delivery vehicles', loadedBy: 'approval by lt1', covert: true, withheld: false });
    const entries = await call('GET', '/api/hotlists/NARC/entries', 'det1');
    expect(entries.status).toBe(200);
    expect((entries.body['entries'] as Array<{ entryId: string }>).map((e) => e.entryId).sort()).toEqual([approvedId, pendingId].sort());
    expect((await call('GET', `/api/hotlists/entries/${approvedId}`, 'lt1')).body['versions']).toMatchObject([{ plate: '3NRC333', enteredBy: 'det1' }]);
    const another = await call('POST', '/api/hotlists/NARC/entries', 'det1', { ...secret, plate: '3NRC337' });
    expect(another.status).toBe(201);
    const decided = await call('POST', `/api/hotlists/approvals/${another.body['entryId'] as string}`, 'lt1', { decision: 'approved' });
    expect(decided).toMatchObject({ status: 200, body: { published: { list: 'NARC', entries: 2 } } });
  });
});

describe('POST /api/hotlists/:list/load of a file with a header of megabytes', () => {
  // Found by an assessor: 4 concurrent uploads of 100 MB of "A" were answered with the whole
  // "column" quoted, and the access log got 100 MB records that every auditor then downloads.
  const recordsOf = async (n: number): Promise<Array<{ detail: string; params: string }>> => {
    const rs = await temp.storage.client.query({
      query: `SELECT detail, params FROM ${temp.storage.db}.access_log WHERE user_id = 'admin1' AND action = 'hotlist' AND reason = 'bulk_load' ORDER BY seq DESC LIMIT ${n}`, format: 'JSONEachRow',
    });
    return rs.json<{ detail: string; params: string }>();
  };
  const detailsOf = async (n: number): Promise<string[]> => (await recordsOf(n)).map((r) => r.detail);

  it('answers UNKNOWN_COLUMN quoting the column clipped, and logs a short record, four at once', async () => {
    const text = `${'A'.repeat(3_000_000)}\n`;
    const post = async () => {
      const res = await fetch(`${base}/api/hotlists/SFR/load`, { method: 'POST', headers: { authorization: `Bearer ${tokens.get('admin1') as string}`, 'content-type': 'text/csv' }, body: text });
      return { status: res.status, raw: await res.text() };
    };
    const replies = await Promise.all([post(), post(), post(), post()]);
    // Uploads past the gateway's concurrent limit are answered BUSY before any is read.
    const refused = replies.filter((r) => r.status !== 503 || JSON.parse(r.raw).error?.code !== 'BUSY');
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const reply of refused) {
      expect(reply.status, reply.raw.slice(0, 300)).toBe(400);
      expect(reply.raw.length).toBeLessThan(1000);
      expect(JSON.parse(reply.raw)).toMatchObject({ error: { code: 'UNKNOWN_COLUMN', message: expect.stringContaining('(3000000 characters)') } });
    }
    const details = await detailsOf(refused.length);
    expect(details).toHaveLength(refused.length);
    for (const detail of details) {
      expect(detail).toMatch(/^UNKNOWN_COLUMN: /);
      expect(detail.length).toBeLessThan(1000);
    }
  }, 60_000);

  it('clips any refusal it logs to the characters a refused body keeps', async () => {
    // A layout name is not file text, but its refusal quotes it whole: the log keeps its head.
    const reply = await call('POST', '/api/hotlists/SFR/load', 'admin1', { text: 'x', layout: 'L'.repeat(600_000) });
    expect(errorCode(reply)).toBe('INVALID_LAYOUT');
    const [record] = await recordsOf(1);
    const detail = record?.detail ?? '';
    expect(detail).toMatch(/^INVALID_LAYOUT: no layout "LLL/);
    expect(detail).toMatch(/… \(\d+ characters\)$/);
    expect(detail.length).toBeLessThanOrEqual(LOGGED_BODY_CHARACTERS + 30);
    // The name sent is in the record's params too: clipped there as well.
    expect(JSON.parse(record?.params ?? '{}')).toMatchObject({ layout: `${'L'.repeat(64)}… (600000 characters)` });
  });
});

describe('loads of one list at the same moment', () => {
  const HEADER = 'plate,state,list,reason,case_number,entered_by,synopsis';
  const fileOf = (list: string, plates: readonly string[]): string => `${HEADER}\n${plates.map((p) => `${p},CA,${list},Stolen,,,`).join('\n')}\n`;
  const platesOf = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
  const postFile = async (list: string, user: string, text: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${base}/api/hotlists/${list}/load`, { method: 'POST', headers: { authorization: `Bearer ${tokens.get(user) as string}`, 'content-type': 'text/csv' }, body: text });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('gives two uploads versions N + 1 and N + 2, each diffed against the version it replaced, and puts the later in force', async () => {
    const before = await readHotlistVersion(store, 'SFR');
    const n = before?.version ?? 0;
    const previous = new Set(before?.entries.map((e) => e.plate) ?? []);
    const files = { admin1: platesOf('1QA', 3000), admin2: platesOf('2QB', 5) };
    const [one, two] = await Promise.all([postFile('SFR', 'admin1', fileOf('SFR', files.admin1)), postFile('SFR', 'admin2', fileOf('SFR', files.admin2))]);
    expect([one.status, two.status]).toEqual([200, 200]);
    const replies = [{ user: 'admin1', plates: files.admin1, body: one.body }, { user: 'admin2', plates: files.admin2, body: two.body }]
      .sort((a, b) => (a.body['version'] as number) - (b.body['version'] as number));
    const [first, second] = replies as [typeof replies[0], typeof replies[0]];
    expect([first.body['version'], second.body['version']]).toEqual([n + 1, n + 2]);
    // Against version N, then against the first upload: the plates sets are disjoint.
    expect(first.body).toMatchObject({ entries: first.plates.length, added: first.plates.length, removed: previous.size });
    expect(second.body).toMatchObject({ entries: second.plates.length, added: second.plates.length, removed: first.plates.length });
    const stored = await readHotlistVersion(store, 'SFR');
    expect({ version: stored?.version, plates: stored?.entries.map((e) => e.plate).sort() }).toEqual({ version: n + 2, plates: [...second.plates].sort() });
    await until(() => matches(second.plates[0] as string).length === 1);
    expect(matches(first.plates[0] as string)).toEqual([]);
    // The access log names each upload's own version.
    const rs = await temp.storage.client.query({
      query: `SELECT user_id, params FROM ${temp.storage.db}.access_log WHERE action = 'hotlist' AND reason = 'bulk_load' AND outcome = 'ok' ORDER BY seq DESC LIMIT 2`, format: 'JSONEachRow',
    });
    const logged = (await rs.json<{ user_id: string; params: string }>()).map((r) => ({ user: r.user_id, version: (JSON.parse(r.params) as { version: number }).version }));
    expect(logged.sort((a, b) => a.version - b.version)).toEqual([{ user: first.user, version: n + 1 }, { user: second.user, version: n + 2 }]);
  }, 90_000);

  it('never gives a version number twice across processes: a gateway load and two other processes publishing at once', async () => {
    const otherStore = await openHotlistStore(jetstream(otherConnection));
    const thirdConnection = await connect({ servers: nats.url });
    try {
      const thirdStore = await openHotlistStore(jetstream(thirdConnection));
      const n = (await readHotlistVersion(store, 'SLR'))?.version ?? 0;
      const entriesOf = (plates: readonly string[]) => plates.map((plate) => {
        const checked = validateEntry({ plate, state: 'CA', list: 'SLR', reason: 'Stolen plate' }, config);
        if (!checked.ok) throw new Error(checked.reason);
        return checked.entry;
      });
      const [viaGateway, otherGatewayPut, cliPut] = await Promise.all([
        postFile('SLR', 'admin1', fileOf('SLR', platesOf('3QC', 2000))),
        publishHotlist(otherStore, 'SLR', entriesOf(platesOf('4QD', 20)), 'admin2'),
        publishHotlist(thirdStore, 'SLR', entriesOf(platesOf('5QE', 30)), 'admin1'),
      ]);
      expect(viaGateway.status).toBe(200);
      const versions = [viaGateway.body['version'] as number, otherGatewayPut.version, cliPut.version];
      expect([...versions].sort((a, b) => a - b)).toEqual([n + 1, n + 2, n + 3]);
      // The list holds the contents the last version number was given for.
      const last = [{ version: versions[0], entries: 2000 }, { version: versions[1], entries: 20 }, { version: versions[2], entries: 30 }].find((v) => v.version === n + 3);
      const stored = await readHotlistVersion(store, 'SLR');
      expect({ version: stored?.version, entries: stored?.entries.length }).toEqual(last);
    } finally {
      await thirdConnection.close();
    }
  }, 90_000);
});

describe('a load answered after the gateway’s 10 s idle limit', () => {
  // A pipeline that swaps the new version in only after uWS's idle limit (10 s, checked every 4 s,
  // so it strikes 8–12 s in): a large list on a busy machine. The route waits up to a minute.
  const SWAP_MS = 15_000;
  let slowGateway: RunningGateway;

  beforeAll(async () => {
    slowGateway = await startGateway({
      nc, js: jetstream(nc), registry: new MetricsRegistry(), logger: pino({ level: 'silent' }), config: { port: 0 },
      verifySession: (token) => credentials.verify(token),
      routes: () => hotlistRoutes({
        guard: new ApiGuard(credentials, accessLogRefusals(accessLog)), hotlists, store, covert: new CovertLists({}), staleAfterMs: DAY_MS,
        immigrationMessageKeys: ['EIV', 'IV'], layouts: {},
        inForce: () => new Promise((resolve) => setTimeout(() => resolve(true), SWAP_MS)),
      }),
    });
  });

  afterAll(async () => {
    await slowGateway?.stop();
  });

  it('answers a small file sent as text once its version is in force, on the connection it came on', async () => {
    // A small file arrives whole with its headers, before the sender is admitted: the gateway's
    // idle limit then closed the connection under the waiting load ("fetch failed: other side closed").
    const text = 'plate,state,list,reason,case_number,entered_by,synopsis\n7IDL001,CA,SFR,Stolen,,,\n7IDL002,CA,SFR,Stolen,,,\n';
    const res = await fetch(`${slowGateway.url}/api/hotlists/SFR/load`, { method: 'POST', headers: { authorization: `Bearer ${tokens.get('admin1') as string}`, 'content-type': 'text/csv' }, body: text });
    expect({ status: res.status, body: await res.json() }).toMatchObject({ status: 200, body: { list: 'SFR', entries: 2, inForce: true } });
  }, 90_000);
});

describe('POST /api/hotlists/:list/load of a file whose every row is rejected', () => {
  it('answers EMPTY_LIST saying all rows were rejected, with each row, line and reason, in the error (found by QA)', async () => {
    const header = 'plate,state,list,reason,case_number,entered_by,synopsis,expires_at,vehicle_make,vehicle_model,vehicle_year,vehicle_color,vehicle_style';
    const before = await readHotlist(store, 'SFR');
    const reply = await call('POST', '/api/hotlists/SFR/load', 'admin1', { text: `${header}\n7KDX482,CA,SFR,Felony,F26-1,CA0440500,armed\n8BNR215,CA,SFR,Felony,F26-2,CA0440500,armed\n` });
    expect(reply.status).toBe(400);
    expect(errorCode(reply)).toBe('EMPTY_LIST');
    expect(errorMessage(reply)).toMatch(/^all 2 rows were rejected; /);
    expect(reply.body['error']).toMatchObject({
      rows: 2,
      rejected: [{ line: 2, reason: expect.stringMatching(/13 fields/) }, { line: 3, reason: expect.stringMatching(/13 fields/) }],
    });
    expect(await readHotlist(store, 'SFR')).toEqual(before);
    expect(await lastLog('admin1')).toMatchObject({ outcome: 'invalid', detail: expect.stringContaining('EMPTY_LIST: all 2 rows were rejected') });
  }, 90_000);

  it('lists the first 1,000 rejected rows and counts them all, refused or loaded (a broken feed answered every row)', async () => {
    const header = 'plate,state,list,reason,case_number,entered_by,synopsis';
    const bad = Array.from({ length: 1500 }, (_, i) => `7K${String(i).padStart(5, '0')},CA,SFR,Stolen,,`);
    const refused = await call('POST', '/api/hotlists/SFR/load', 'admin1', { text: `${header}\n${bad.join('\n')}\n` });
    expect(errorCode(refused)).toBe('EMPTY_LIST');
    const error = refused.body['error'] as { rows: number; rejected: Array<{ line: number }>; rejectedCount: number };
    expect({ rows: error.rows, listed: error.rejected.length, first: error.rejected[0]?.line, last: error.rejected.at(-1)?.line, count: error.rejectedCount })
      .toEqual({ rows: 1500, listed: ROWS_ANSWERED_MAX, first: 2, last: 1001, count: 1500 });
    const loaded = await call('POST', '/api/hotlists/SFR/load', 'admin1', { text: `${header}\n${bad.join('\n')}\n7KDX482,CA,SFR,Stolen,,,\n` });
    expect(loaded.status).toBe(200);
    expect({ entries: loaded.body['entries'], listed: (loaded.body['rejected'] as unknown[]).length, count: loaded.body['rejectedCount'] }).toEqual({ entries: 1, listed: ROWS_ANSWERED_MAX, count: 1500 });
  }, 90_000);
});
