// Release requests on real chDB (Watsonville §471.8): recorded with agency, requester, purpose and
// the data asked for; refused automatically under the Values Act and Civil Code § 1798.90.55; decided
// only by the Chief or designee; every version kept; the package of an approved release written
// once with checksums; every step, refusals included, in the access log.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessLog, decideRelease, DEFAULT_RELEASE_POLICY, DetectionWriter, listReleases, parseReleaseRequest, placeLegalHold, produceReleasePackage,
  readPackageFile, recordReleaseRequest, ReleaseError, saveUser, viewRelease, type PackageContext, type ReleaseRequestInput, type Storage,
} from '../../storage/index.js';
import { alreadyReleased } from '../../storage/releases.js';
import { releaseHttpError } from '../../gateway/release-routes.js';
import { parseCsv } from './rfc4180.js';
import { detection, openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
let ctx: PackageContext;
let accessLog: AccessLog;
const DAY = Date.UTC(2026, 10, 20);

beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
  accessLog = new AccessLog(storage);
  ctx = { storage, accessLog, policy: DEFAULT_RELEASE_POLICY, packagesDir: join(temp.dir, 'releases') };
  const users = [
    ['cust1', ['custodian']], ['chief1', ['chief']], ['ofc1', ['officer']], ['admin1', ['administrator']], ['aud1', ['auditor']],
  ] as const;
  for (const [userId, roles] of users) {
    await saveUser(storage, { userId, name: `User ${userId}`, title: roles[0], roles, trainedAt: '2026-01-15', active: true }, 'admin');
  }
  await saveUser(storage, { userId: 'chief2', name: 'Untrained Chief', title: 'Deputy Chief', roles: ['chief'], trainedAt: null, active: true }, 'admin');
  const writer = new DetectionWriter(storage);
  const ticket = await writer.enqueue([
    detection({ readId: 'rel-1', plate: '7ABC123', seenAt: DAY + 1000 }),
    detection({ readId: 'rel-2', plate: '7ABC123', seenAt: DAY + 2000 }),
    detection({ readId: 'rel-3', plate: '8XYZ999', seenAt: DAY + 3000 }),
    detection({ readId: 'rel-4', plate: '7ABC123', seenAt: DAY - 86_400_000 }),
  ]);
  await ticket.durable;
  await writer.close();
});
afterAll(() => temp.cleanup());

const plateCriteria = { kind: 'plate', plate: { kind: 'exact', plate: '7ABC123' }, from: new Date(DAY).toISOString(), to: new Date(DAY + 86_400_000).toISOString() } as const;

function input(over: Partial<ReleaseRequestInput> = {}): ReleaseRequestInput {
  return {
    agency: 'Santa Cruz Police Department', agencyKind: 'local', requester: 'Det. M. Lopez', purpose: 'armed robbery, SCPD case 26-01234',
    criteria: plateCriteria, documentRef: 'letter 2026-11-20', ...over,
  };
}

async function logOf(user: string): Promise<Array<{ action: string; outcome: string; detail: string; params: string }>> {
  const rs = await storage.client.query({
    query: `SELECT action, outcome, detail, params FROM ${storage.db}.access_log WHERE user_id = {u:String} ORDER BY seq`,
    query_params: { u: user }, format: 'JSONEachRow',
  });
  return rs.json();
}

describe('recording a request (§471.8(a))', () => {
  it('refuses a purpose a search would refuse as saying nothing, a personal purpose, and a requester or agency that names nobody', () => {
    const bad = (body: unknown) => () => parseReleaseRequest(body);
    for (const purpose of ['x', '...', 'n/a', 'test', 'lookup', 'law enforcement purposes']) expect(bad({ ...input(), purpose })).toThrow(/too vague/);
    for (const purpose of ['personal', 'Personal use', 'for private reasons']) expect(bad({ ...input(), purpose })).toThrow(/personal use.*471\.5/);
    for (const requester of ['x', '...', '- -', 'J']) expect(bad({ ...input(), requester })).toThrow(/requester ".*" is not a name/);
    for (const agency of ['x', '...', '?']) expect(bad({ ...input(), agency })).toThrow(/agency ".*" is not a name/);
    // Short real names and purposes that only mention a person's property still pass.
    const criteria = { kind: 'plate', plate: '7abc123', from: '2026-11-20', to: '2026-11-21' };
    expect(parseReleaseRequest({ ...input(), criteria, agency: 'DA', requester: 'Jo', purpose: 'theft of personal property, case 26-7' })).toMatchObject({ agency: 'DA', requester: 'Jo' });
  });

  it('validates the written request: agency, requester, a real purpose, the data asked for', () => {
    const ok = parseReleaseRequest({ ...input(), criteria: { kind: 'plate', plate: '7abc123', from: '2026-11-20', to: '2026-11-21' } });
    expect(ok.criteria).toEqual({ kind: 'plate', plate: { kind: 'exact', plate: '7abc123' }, from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' });
    const bad = (body: unknown) => () => parseReleaseRequest(body);
    expect(bad({ ...input(), agency: ' ' })).toThrow(/agency is required/);
    expect(bad({ ...input(), requester: undefined })).toThrow(/requester is required/);
    expect(bad({ ...input(), purpose: 'investigation' })).toThrow(/too vague/);
    expect(bad({ ...input(), agencyKind: 'friends' })).toThrow(/agencyKind must be one of/);
    expect(bad({ ...input(), criteria: { kind: 'everything' } })).toThrow(/criteria must say/);
    expect(bad({ ...input(), criteria: { kind: 'plate', plate: '7ABC123', from: '2026-11-21', to: '2026-11-20' } })).toThrow(/before/);
    expect(bad({ ...input(), agencyState: 'Nevada' })).toThrow(/two-letter/);
    expect(bad({ ...input(), agencyState: 'XX' })).toThrow('agencyState must be a two-letter state code (NV, AZ, DC, PR…), not "XX"');
    expect(parseReleaseRequest({ ...input(), criteria: { kind: 'case', caseNumber: '26-1' }, agencyKind: 'out_of_state', agencyState: 'pr' }).agencyState).toBe('PR');
    // Held detections are filed under a number: a case asked for without one could match nothing.
    expect(bad({ ...input(), criteria: { kind: 'case', caseNumber: 'QA' } })).toThrow('criteria.caseNumber "QA" has no number in it');
    // A misspelt field is refused, not dropped: "state" for agencyState would have left a Nevada
    // agency judged as a California one.
    expect(bad({ ...input(), state: 'NV' })).toThrow(/unknown field "state"/);
    expect(bad({ ...input(), criteria: { kind: 'plate', plate: '7ABC123', matchKind: 'partial', from: '2026-11-20', to: '2026-11-21' } })).toThrow(/unknown field "criteria.matchKind"/);
    expect(bad({ ...input(), criteria: { kind: 'case', caseNumber: '26-1', plate: '7ABC123' } })).toThrow(/unknown field "criteria.plate"/);
    // Plates the package could not select are refused when recorded, not at export.
    for (const plate of ['A', 'A*', '7ABC%123']) {
      expect(bad({ ...input(), criteria: { kind: 'plate', plate, match: plate.includes('*') ? 'partial' : 'exact', from: '2026-11-20', to: '2026-11-21' } })).toThrow(/criteria.plate cannot be searched/);
    }
    // A pattern asked for as a plate says how to ask for it, not which character is outside A-Z0-9.
    expect(bad({ ...input(), criteria: { kind: 'plate', plate: '7AB?123', from: '2026-11-20', to: '2026-11-21' } }))
      .toThrow('criteria.plate "7AB?123" is a pattern ("?" one character, "*" any run): ask for it with criteria.match partial');
  });

  it('refuses a member without the role, and logs the refusal', async () => {
    await expect(recordReleaseRequest(ctx, 'ofc1', input())).rejects.toMatchObject({ code: 'NOT_PERMITTED' });
    expect(await logOf('ofc1')).toEqual([expect.objectContaining({ action: 'release', outcome: 'refused', detail: expect.stringContaining('releases.request') })]);
  });

  it('records a request from a California agency as pending, for the Chief', async () => {
    const r = await recordReleaseRequest(ctx, 'cust1', input());
    expect(r).toMatchObject({ status: 'pending', agencyKind: 'local', agencyState: 'CA', recordedBy: 'cust1', version: 1, refusalRule: '' });
    expect(r.requestId).toMatch(/^REL-/);
  });

  it('refuses an ICE request automatically (Values Act), keeps it on file and logs the refusal', async () => {
    const r = await recordReleaseRequest(ctx, 'cust1', input({ agency: 'U.S. Immigration and Customs Enforcement', agencyKind: 'federal' }));
    expect(r).toMatchObject({ status: 'refused', agencyKind: 'federal_immigration', refusalRule: 'values_act', decidedBy: 'system' });
    expect(r.decisionNote).toContain('California Values Act');
    const log = (await logOf('cust1')).filter((e) => e.outcome === 'refused');
    expect(log.at(-1)).toMatchObject({ action: 'release', detail: expect.stringContaining('values_act') });
    expect(JSON.parse(log.at(-1)!.params)).toMatchObject({ requestId: r.requestId });
    // Kept on file (§471.8(d)).
    expect((await viewRelease(ctx, 'chief1', r.requestId)).request.status).toBe('refused');
  });

  it('refuses an immigration purpose from a local agency even when out-of-state and federal releases are allowed', async () => {
    const open = { ...ctx, policy: { ...DEFAULT_RELEASE_POLICY, refuseOutOfState: false, refuseFederal: false } };
    const r = await recordReleaseRequest(open, 'cust1', input({ purpose: 'locate a person for deportation' }));
    expect(r).toMatchObject({ status: 'refused', refusalRule: 'values_act' });
  });

  it('refuses out-of-state and federal agencies by default, and records them pending when configured to allow', async () => {
    expect(await recordReleaseRequest(ctx, 'cust1', input({ agency: 'Reno Police Department', agencyState: 'NV' }))).toMatchObject({ status: 'refused', refusalRule: 'out_of_state' });
    expect(await recordReleaseRequest(ctx, 'cust1', input({ agency: 'FBI Sacramento', agencyKind: 'federal' }))).toMatchObject({ status: 'refused', refusalRule: 'federal' });
    const open = { ...ctx, policy: { ...DEFAULT_RELEASE_POLICY, refuseOutOfState: false, refuseFederal: false } };
    expect(await recordReleaseRequest(open, 'cust1', input({ agency: 'Reno Police Department', agencyState: 'NV' }))).toMatchObject({ status: 'pending', agencyKind: 'out_of_state' });
    expect(await recordReleaseRequest(open, 'cust1', input({ agency: 'FBI Sacramento', agencyKind: 'federal' }))).toMatchObject({ status: 'pending', agencyKind: 'federal' });
  });
});

describe('a request not recorded (INVALID_RELEASE) is on the access log all the same', () => {
  const body = (over: Record<string, unknown> = {}) => ({
    agency: 'Santa Cruz Police Department', agencyKind: 'local', requester: 'Det. M. Lopez', purpose: 'armed robbery, SCPD case 26-01234',
    criteria: { kind: 'plate', plate: '7ABC123', from: '2026-11-20', to: '2026-11-21' }, ...over,
  });

  it('logs a vague purpose as refused (as a search is) and another bad field as invalid; records nothing', async () => {
    const before = (await listReleases(ctx, 'chief1')).length;
    for (const purpose of ['investigation', 'law enforcement purposes']) {
      await expect(recordReleaseRequest(ctx, 'admin1', { body: body({ purpose }) })).rejects.toMatchObject({ code: 'INVALID_RELEASE', message: expect.stringContaining('too vague') });
      const entry = (await logOf('admin1')).at(-1)!;
      expect(entry).toMatchObject({ action: 'release', outcome: 'refused', detail: expect.stringContaining(`release request not recorded: purpose "${purpose}" is too vague`) });
      expect(JSON.parse(entry.params)).toMatchObject({ agency: 'Santa Cruz Police Department', requester: 'Det. M. Lopez', status: 'not recorded' });
    }
    await expect(recordReleaseRequest(ctx, 'admin1', { body: body({ agencyKind: 'friendly' }) })).rejects.toMatchObject({ code: 'INVALID_RELEASE' });
    expect((await logOf('admin1')).at(-1)).toMatchObject({ action: 'release', outcome: 'invalid', detail: expect.stringContaining('agencyKind must be one of') });
    // A contradiction is a mistake to correct, not an out-of-state request to refuse "as out of state (CA)".
    await expect(recordReleaseRequest(ctx, 'admin1', { body: body({ agencyKind: 'out_of_state', agencyState: 'ca' }) })).rejects.toMatchObject({
      code: 'INVALID_RELEASE', message: "agencyKind out_of_state contradicts agencyState CA, this department's own state: give the agency's state, or its kind (local, state, prosecutor)",
    });
    expect((await logOf('admin1')).at(-1)).toMatchObject({ action: 'release', outcome: 'invalid', detail: expect.stringContaining('contradicts agencyState CA') });
    expect((await listReleases(ctx, 'chief1')).length).toBe(before);
    // A body that is a request is recorded as before.
    expect(await recordReleaseRequest(ctx, 'admin1', { body: body() })).toMatchObject({ status: 'pending', recordedBy: 'admin1' });
  });

  it('checks the role first: a member without it is refused as before, and the body not read', async () => {
    await expect(recordReleaseRequest(ctx, 'ofc1', { body: body({ purpose: 'investigation' }) })).rejects.toMatchObject({ code: 'NOT_PERMITTED' });
    expect((await logOf('ofc1')).at(-1)).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('releases.request') });
  });
});

describe('a requester named as immigration enforcement (QA)', () => {
  it('is refused under the Values Act naming the requester; the agency kind stays as declared for the transparency report', async () => {
    const r = await recordReleaseRequest(ctx, 'cust1', input({ agency: 'Monterey County Task Force', agencyKind: 'local', requester: 'HSI agent R. Cole' }));
    expect(r).toMatchObject({ status: 'refused', refusalRule: 'values_act', agencyKind: 'local', decidedBy: 'system' });
    expect(r.decisionNote).toContain('the requester "HSI agent R. Cole"');
    expect(r.decisionNote).not.toContain('"Monterey County Task Force" is');
    expect((await viewRelease(ctx, 'chief1', r.requestId)).request.agencyKind).toBe('local');
  });
});

describe('deciding a request (§471.8(b))', () => {
  it('lets only the Chief or designee decide; others are refused and logged', async () => {
    const r = await recordReleaseRequest(ctx, 'cust1', input());
    for (const user of ['cust1', 'admin1']) {
      await expect(decideRelease(ctx, user, r.requestId, 'approve', '')).rejects.toMatchObject({ code: 'NOT_PERMITTED' });
    }
    expect((await logOf('admin1')).at(-1)).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('releases.decide') });
    // A chief whose training is not complete is refused too (§471.5(d)).
    await expect(decideRelease(ctx, 'chief2', r.requestId, 'approve', '')).rejects.toMatchObject({ code: 'NOT_PERMITTED', message: expect.stringContaining('training') });
    expect((await logOf('chief2')).at(-1)).toMatchObject({ outcome: 'refused' });
    const approved = await decideRelease(ctx, 'chief1', r.requestId, 'approve', 'verified with SCPD watch commander');
    expect(approved).toMatchObject({ status: 'approved', decidedBy: 'chief1', version: 2 });
    await expect(decideRelease(ctx, 'chief1', r.requestId, 'refuse', 'changed my mind')).rejects.toMatchObject({ code: 'RELEASE_NOT_PENDING' });
    // Every version is on file.
    const { history } = await viewRelease(ctx, 'aud1', r.requestId);
    expect(history.map((h) => h.status)).toEqual(['pending', 'approved']);
  });

  it('takes one of two simultaneous decisions and answers the other RELEASE_NOT_PENDING', async () => {
    const r = await recordReleaseRequest(ctx, 'cust1', input());
    const outcomes = await Promise.allSettled([
      decideRelease(ctx, 'chief1', r.requestId, 'approve', ''), decideRelease(ctx, 'chief1', r.requestId, 'refuse', 'no'),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'RELEASE_NOT_PENDING' } });
    expect((await viewRelease(ctx, 'chief1', r.requestId)).history).toHaveLength(2);
  });

  it('needs a reason to refuse, and keeps the refusal on file', async () => {
    const r = await recordReleaseRequest(ctx, 'cust1', input());
    await expect(decideRelease(ctx, 'chief1', r.requestId, 'refuse', '  ')).rejects.toMatchObject({ code: 'INVALID_RELEASE' });
    expect(await decideRelease(ctx, 'chief1', r.requestId, 'refuse', 'requester could not be verified')).toMatchObject({ status: 'refused', refusalRule: 'chief' });
    const refused = await listReleases(ctx, 'chief1', { status: 'refused' });
    expect(refused.map((x) => x.requestId)).toContain(r.requestId);
  });

  it('refuses a placeholder as the reason of a refusal, as a search reason or a purpose is ("x", "n/a", "test"), and logs it', async () => {
    const r = await recordReleaseRequest(ctx, 'cust1', input());
    for (const note of ['x', 'n/a', 'test', '...', 'investigation']) {
      await expect(decideRelease(ctx, 'chief1', r.requestId, 'refuse', note)).rejects.toMatchObject({ code: 'INVALID_RELEASE', message: expect.stringContaining(`the note "${note}" does not say why`) });
    }
    expect((await logOf('chief1')).at(-1)).toMatchObject({ action: 'release', outcome: 'invalid', detail: expect.stringContaining('decision not recorded') });
    expect((await viewRelease(ctx, 'chief1', r.requestId)).request.status).toBe('pending');
    expect(await decideRelease(ctx, 'chief1', r.requestId, 'refuse', 'no case of ours matches')).toMatchObject({ status: 'refused', decisionNote: 'no case of ours matches' });
  });

  it('refuses at decision time when the rules now forbid the release, whatever the Chief decides', async () => {
    const open = { ...ctx, policy: { ...DEFAULT_RELEASE_POLICY, refuseFederal: false } };
    const r = await recordReleaseRequest(open, 'cust1', input({ agency: 'FBI Sacramento', agencyKind: 'federal' }));
    expect(r.status).toBe('pending');
    await expect(decideRelease(ctx, 'chief1', r.requestId, 'approve', '')).rejects.toMatchObject({ code: 'RELEASE_REFUSED' });
    expect((await viewRelease(ctx, 'chief1', r.requestId)).request).toMatchObject({ status: 'refused', refusalRule: 'federal' });
  });

  it('refuses approval by the member who recorded the request (SELF_DECISION), logged, saying who approves; another chief approves it', async () => {
    await saveUser(storage, { userId: 'chief3', name: 'Deputy Chief', title: 'Deputy Chief', roles: ['chief'], trainedAt: '2026-01-15', active: true }, 'admin');
    const r = await recordReleaseRequest(ctx, 'chief1', input());
    await expect(decideRelease(ctx, 'chief1', r.requestId, 'approve', 'my own request')).rejects.toMatchObject({
      name: 'ReleaseError', code: 'SELF_DECISION',
      message: `chief1 recorded release request ${r.requestId}, so may not approve it: another Chief or a designee (an account holding the chief role) approves it; or refuse it yourself to withdraw it (§471.8(b): no data is released on one person's word)`,
    });
    expect((await logOf('chief1')).at(-1)).toMatchObject({ action: 'release', outcome: 'refused', detail: expect.stringContaining('another Chief or a designee') });
    expect((await viewRelease(ctx, 'aud1', r.requestId)).history.map((h) => h.status)).toEqual(['pending']);
    expect(await decideRelease(ctx, 'chief3', r.requestId, 'approve', 'verified')).toMatchObject({ status: 'approved', decidedBy: 'chief3', recordedBy: 'chief1' });
  });

  it('lets the member who recorded a request refuse it (withdraw it), with the reason, logged as withdrawn', async () => {
    const r = await recordReleaseRequest(ctx, 'chief1', input());
    await expect(decideRelease(ctx, 'chief1', r.requestId, 'refuse', ' ')).rejects.toMatchObject({ code: 'INVALID_RELEASE' });
    expect(await decideRelease(ctx, 'chief1', r.requestId, 'refuse', 'recorded twice; withdrawn')).toMatchObject({
      status: 'refused', refusalRule: 'chief', decidedBy: 'chief1', recordedBy: 'chief1', decisionNote: 'recorded twice; withdrawn',
    });
    expect((await logOf('chief1')).at(-1)).toMatchObject({
      action: 'release', outcome: 'ok', detail: 'release refused (withdrawn) by the Chief or designee who recorded it: recorded twice; withdrawn',
    });
    expect((await viewRelease(ctx, 'aud1', r.requestId)).history.map((h) => h.status)).toEqual(['pending', 'refused']);
    await expect(decideRelease(ctx, 'chief1', r.requestId, 'approve', '')).rejects.toMatchObject({ code: 'RELEASE_NOT_PENDING' });
  });

  it('answers UNKNOWN_RELEASE for an id that does not exist or is malformed', async () => {
    await expect(decideRelease(ctx, 'chief1', 'REL-00000000-0000-0000-0000-000000000000', 'approve', '')).rejects.toMatchObject({ code: 'UNKNOWN_RELEASE' });
    await expect(viewRelease(ctx, 'chief1', "x' OR 1=1 --")).rejects.toMatchObject({ code: 'UNKNOWN_RELEASE' });
  });
});

describe('the package of an approved release', () => {
  it('is refused for a pending request, and the refusal logged', async () => {
    const r = await recordReleaseRequest(ctx, 'cust1', input());
    await expect(produceReleasePackage(ctx, 'cust1', r.requestId)).rejects.toMatchObject({ code: 'RELEASE_NOT_APPROVED' });
    expect((await logOf('cust1')).at(-1)).toMatchObject({ action: 'export', outcome: 'refused' });
    expect(existsSync(join(ctx.packagesDir, r.requestId))).toBe(false);
  });

  it('may not be produced by the Chief or an auditor (evidence.export)', async () => {
    const r = await recordReleaseRequest(ctx, 'cust1', input());
    await decideRelease(ctx, 'chief1', r.requestId, 'approve', '');
    await expect(produceReleasePackage(ctx, 'aud1', r.requestId)).rejects.toMatchObject({ code: 'NOT_PERMITTED' });
  });

  it("reads bare criteria dates as the department's days: --to 2026-12-01 releases all of Nov 30 in California", async () => {
    // CI runs in UTC: the zone is the department's, given in the storage config, never the machine's.
    const la = { ...ctx, storage: { client: storage.client, db: storage.db, config: { ...storage.config, timeZone: 'America/Los_Angeles' } } };
    const writer = new DetectionWriter(storage);
    const ticket = await writer.enqueue([
      detection({ readId: 'tz-nov29', plate: '6TZR001', seenAt: Date.UTC(2026, 10, 30, 7, 30) }), // 23:30 PST Nov 29: before the window
      detection({ readId: 'tz-nov30', plate: '6TZR001', seenAt: Date.UTC(2026, 11, 1, 7, 59) }), // 23:59 PST Nov 30: the QA read
      detection({ readId: 'tz-dec01', plate: '6TZR001', seenAt: Date.UTC(2026, 11, 1, 8) }), // 00:00 PST Dec 1: the end, not included
    ]);
    await ticket.durable;
    await writer.close();
    const body = { ...input(), criteria: { kind: 'plate', plate: '6TZR001', from: '2026-11-30', to: '2026-12-01' } };
    const r = await recordReleaseRequest(la, 'cust1', { body });
    expect(r.criteria).toMatchObject({ from: '2026-11-30T08:00:00.000Z', to: '2026-12-01T08:00:00.000Z' });
    await decideRelease(la, 'chief1', r.requestId, 'approve', 'ok');
    await produceReleasePackage(la, 'cust1', r.requestId);
    const rows = JSON.parse(readFileSync(join(ctx.packagesDir, r.requestId, 'detections.json'), 'utf8')) as Array<{ read_id: string }>;
    expect(rows.map((x) => x.read_id)).toEqual(['tz-nov30']);
    // A time without a zone is the wall clock there, the fall-back night's 01:30 the first one (PDT).
    expect(parseReleaseRequest({ ...body, criteria: { ...body.criteria, from: '2026-11-01T01:30', to: '2026-11-01T02:00' } }, 'America/Los_Angeles').criteria)
      .toMatchObject({ from: '2026-11-01T08:30:00.000Z', to: '2026-11-01T10:00:00.000Z' });
  });

  it('holds exactly the detections asked for, with checksums, once; files are served by name only', async () => {
    const r = await recordReleaseRequest(ctx, 'cust1', input());
    await decideRelease(ctx, 'chief1', r.requestId, 'approve', 'ok');
    const { manifestSha256, ...manifest } = await produceReleasePackage(ctx, 'cust1', r.requestId);
    expect(manifest).toMatchObject({ requestId: r.requestId, detections: 2, generatedBy: 'cust1' });
    const dir = join(ctx.packagesDir, r.requestId);
    // For the property form: manifest.json as written (and as the access log records it).
    expect(manifestSha256).toBe(createHash('sha256').update(readFileSync(join(dir, 'manifest.json'))).digest('hex'));
    for (const f of manifest.files) {
      const bytes = readFileSync(join(dir, f.name));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
      expect(bytes.length).toBe(f.bytes);
    }
    const rows = JSON.parse(readFileSync(join(dir, 'detections.json'), 'utf8')) as Array<{ read_id: string; plate: string }>;
    expect(rows.map((x) => x.read_id)).toEqual(['rel-1', 'rel-2']);
    expect(readFileSync(join(dir, 'SHA256SUMS'), 'utf8')).toContain('  manifest.json');
    expect(JSON.parse(readFileSync(join(dir, 'release.json'), 'utf8'))).toMatchObject({ requestId: r.requestId, status: 'approved', decidedBy: 'chief1' });
    const exported = (await logOf('cust1')).filter((e) => e.action === 'export' && e.outcome === 'ok').at(-1);
    expect(JSON.parse(exported!.params)).toMatchObject({ requestId: r.requestId });

    expect((await viewRelease(ctx, 'chief1', r.requestId)).request).toMatchObject({ status: 'released', package: manifest });
    await expect(produceReleasePackage(ctx, 'cust1', r.requestId)).rejects.toMatchObject({ code: 'ALREADY_RELEASED' });

    const csv = await readPackageFile(ctx, 'cust1', r.requestId, 'detections.csv');
    expect(csv.body).toContain('rel-1');
    expect(csv.contentType).toContain('text/csv');
    for (const name of ['../../etc/passwd', '..', 'detections.csv/../../x', '.hidden', 'other.txt']) {
      await expect(readPackageFile(ctx, 'cust1', r.requestId, name)).rejects.toMatchObject({ code: 'UNKNOWN_FILE' });
    }
    await expect(readPackageFile(ctx, 'chief1', r.requestId, 'detections.csv')).rejects.toMatchObject({ code: 'NOT_PERMITTED' });
  });

  it('says a second export was already released (ALREADY_RELEASED, 409), when and by whom, and to give the package produced then', () => {
    const r = { ...input(), requestId: 'REL-00000000-0000-4000-8000-000000000001', status: 'released' } as unknown as Parameters<typeof alreadyReleased>[0];
    const e = alreadyReleased({ ...r, package: { requestId: r.requestId, agency: r.agency, generatedAt: '2026-11-21T09:00:00.000Z', generatedBy: 'cust1', detections: 2, accessLogSeq: 7, files: [] } });
    expect(e).toBeInstanceOf(ReleaseError);
    expect(e.code).toBe('ALREADY_RELEASED');
    expect(e.message).toContain('was already released: its package was produced on 2026-11-21T09:00:00.000Z by cust1 (2 detection(s))');
    expect(e.message).toContain('give the agency that one');
    expect(e.message).not.toMatch(/approved before it is fulfilled/);
    expect(releaseHttpError(e)).toMatchObject({ status: 409, code: 'ALREADY_RELEASED' });
  });

  it('answers a second export ALREADY_RELEASED, not RELEASE_NOT_APPROVED', async () => {
    const r = await recordReleaseRequest(ctx, 'cust1', input({ criteria: { ...plateCriteria, plate: { kind: 'exact', plate: '8XYZ999' } } }));
    await decideRelease(ctx, 'chief1', r.requestId, 'approve', 'verified with SCPD');
    const manifest = await produceReleasePackage(ctx, 'cust1', r.requestId);
    await expect(produceReleasePackage(ctx, 'admin1', r.requestId)).rejects.toMatchObject({
      code: 'ALREADY_RELEASED', message: expect.stringContaining(`produced on ${manifest.generatedAt} by cust1`),
    });
  });

  it('is refused, and the request refused on file, when the rules in force now forbid it', async () => {
    const open = { ...ctx, policy: { ...DEFAULT_RELEASE_POLICY, refuseOutOfState: false } };
    const r = await recordReleaseRequest(open, 'cust1', input({ agency: 'Reno Police Department', agencyState: 'NV' }));
    await decideRelease(open, 'chief1', r.requestId, 'approve', '');
    await expect(produceReleasePackage(ctx, 'cust1', r.requestId)).rejects.toMatchObject({ code: 'RELEASE_REFUSED' });
    expect((await viewRelease(ctx, 'chief1', r.requestId)).request).toMatchObject({ status: 'refused', refusalRule: 'out_of_state' });
    expect(existsSync(join(ctx.packagesDir, r.requestId))).toBe(false);
  });

  it('keeps nothing when the package cannot be written, logs it as failed, and can be produced once the disk is fixed', async () => {
    const r = await recordReleaseRequest(ctx, 'cust1', input());
    await decideRelease(ctx, 'chief1', r.requestId, 'approve', '');
    const blocker = join(temp.dir, 'releases-on-a-file');
    writeFileSync(blocker, 'a file where the packages directory should be');
    await expect(produceReleasePackage({ ...ctx, packagesDir: blocker }, 'cust1', r.requestId)).rejects.toMatchObject({
      code: 'RELEASE_FAILED', message: expect.stringMatching(/nothing was kept, so it can be tried again/),
    });
    expect((await logOf('cust1')).at(-1)).toMatchObject({ action: 'export', outcome: 'failed', detail: expect.stringMatching(/^package not produced: /) });
    expect((await viewRelease(ctx, 'chief1', r.requestId)).request).toMatchObject({ status: 'approved', package: null });
    const manifest = await produceReleasePackage(ctx, 'cust1', r.requestId);
    expect(manifest.detections).toBe(2);
    expect(readdirSync(ctx.packagesDir).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('approves no case that holds nothing yet: the request stays pending, and the refusal is logged', async () => {
    // An approval is of the detections held when it is given: one of nothing could never be released.
    const r = await recordReleaseRequest(ctx, 'cust1', input({ purpose: 'joint burglary investigation', criteria: { kind: 'case', caseNumber: 'WPD-26-0999' } }));
    await expect(decideRelease(ctx, 'chief1', r.requestId, 'approve', '')).rejects.toMatchObject({
      code: 'NOTHING_HELD', message: expect.stringMatching(/^no detections are held under case WPD-26-0999; place a legal hold \(Evidence\) first, then approve/),
    });
    expect((await logOf('chief1')).at(-1)).toMatchObject({ action: 'release', outcome: 'invalid', detail: expect.stringMatching(/^decision not recorded: no detections are held/) });
    expect((await viewRelease(ctx, 'chief1', r.requestId)).request).toMatchObject({ status: 'pending', approvedDetections: null, package: null });
    await expect(produceReleasePackage(ctx, 'cust1', r.requestId)).rejects.toMatchObject({ code: 'RELEASE_NOT_APPROVED' });
    expect(readdirSync(ctx.packagesDir)).not.toContain(r.requestId);
  });

  it('releases a case\'s held evidence when that is what was asked for', async () => {
    await placeLegalHold({ storage, accessLog }, { user: 'cust1', caseNumber: 'WPD-26-0777', reason: 'shooting', criteria: { from: new Date(DAY), to: new Date(DAY + 86_400_000), readIds: ['rel-3'] } });
    const r = await recordReleaseRequest(ctx, 'cust1', input({ purpose: 'joint shooting investigation', criteria: { kind: 'case', caseNumber: 'WPD-26-0777' } }));
    await decideRelease(ctx, 'chief1', r.requestId, 'approve', '');
    const manifest = await produceReleasePackage(ctx, 'cust1', r.requestId);
    expect(manifest.detections).toBe(1);
    expect((await readPackageFile(ctx, 'cust1', r.requestId, 'detections.json')).body).toContain('8XYZ999');
  });

  it("releases a held detection's heading and vehicle year as the evidence store copied them", async () => {
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([detection({ readId: 'rel-dir', plate: '3DIR777', seenAt: DAY + 7000, heading: 359.5, vehicleYear: 2008 })])).durable;
    await writer.close();
    await placeLegalHold({ storage, accessLog }, { user: 'cust1', caseNumber: 'WPD-26-0778', reason: 'hit and run', criteria: { from: new Date(DAY), to: new Date(DAY + 86_400_000), readIds: ['rel-dir'] } });
    const r = await recordReleaseRequest(ctx, 'cust1', input({ purpose: 'joint hit and run investigation', criteria: { kind: 'case', caseNumber: 'WPD-26-0778' } }));
    await decideRelease(ctx, 'chief1', r.requestId, 'approve', '');
    await produceReleasePackage(ctx, 'cust1', r.requestId);
    expect(JSON.parse((await readPackageFile(ctx, 'cust1', r.requestId, 'detections.json')).body)).toEqual([
      expect.objectContaining({ read_id: 'rel-dir', heading: 359.5, vehicle_year: 2008 }),
    ]);
    expect(parseCsv((await readPackageFile(ctx, 'cust1', r.requestId, 'detections.csv')).body).rows).toEqual([
      expect.objectContaining({ read_id: 'rel-dir', heading: '359.5', vehicle_year: '2008' }),
    ]);
  });

  it('releases the detections held under a case typed in other letters', async () => {
    await placeLegalHold({ storage, accessLog }, { user: 'cust1', caseNumber: 'QA-26-100', reason: 'shooting', criteria: { from: new Date(DAY), to: new Date(DAY + 86_400_000), readIds: ['rel-2'] } });
    const r = await recordReleaseRequest(ctx, 'cust1', input({ purpose: 'joint shooting investigation', criteria: { kind: 'case', caseNumber: 'qa-26-100' } }));
    await decideRelease(ctx, 'chief1', r.requestId, 'approve', '');
    const manifest = await produceReleasePackage(ctx, 'cust1', r.requestId);
    expect(manifest.detections).toBe(1);
    expect((JSON.parse((await readPackageFile(ctx, 'cust1', r.requestId, 'detections.json')).body) as Array<{ read_id: string }>).map((d) => d.read_id)).toEqual(['rel-2']);
  });

  it("writes a CSV no spreadsheet runs as formulas (text cells prefixed with '), with the exact values in detections.json", async () => {
    const hostile = {
      readId: '=1+2', plate: '9EVL999', seenAt: DAY + 5000, lat: 36.5, lon: -121.75,
      vehicleMake: "=cmd|' /C calc'!A0", vehicleModel: '+SUM(1,2)', vehicleColor: '@evil', vehicleType: '-2+3', imageRef: '\t=HYPERLINK("http://evil","x")',
      candidates: ['\rCR', '9EVL998'], heading: 87.25, vehicleYear: 2021,
    };
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([detection(hostile), detection({ readId: 'rel-nopos', plate: '9EVL999', seenAt: DAY + 6000, lat: undefined, lon: undefined })])).durable;
    await writer.close();
    const r = await recordReleaseRequest(ctx, 'cust1', input({ criteria: { ...plateCriteria, plate: { kind: 'exact', plate: '9EVL999' } } }));
    await decideRelease(ctx, 'chief1', r.requestId, 'approve', '');
    const manifest = await produceReleasePackage(ctx, 'cust1', r.requestId);
    const dir = join(ctx.packagesDir, r.requestId);
    for (const f of manifest.files) expect(createHash('sha256').update(readFileSync(join(dir, f.name))).digest('hex')).toBe(f.sha256);
    expect(manifest.csvNote).toMatch(/prefixed with '/);
    const text = readFileSync(join(dir, 'detections.csv'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toContain('\\N');
    const csv = parseCsv(text);
    expect(csv.rows).toEqual([
      expect.objectContaining({
        read_id: "'=1+2", vehicle_make: "'=cmd|' /C calc'!A0", vehicle_model: "'+SUM(1,2)", vehicle_color: "'@evil", vehicle_type: "'-2+3",
        image_ref: `'\t=HYPERLINK("http://evil","x")`, candidates: "'\rCR 9EVL998", lat: '36.5', lon: '-121.75', seen_at: '2026-11-20T00:00:05.000Z',
        heading: '87.25', vehicle_year: '2021',
      }),
      expect.objectContaining({ read_id: 'rel-nopos', lat: '', lon: '', candidates: '', seen_at: '2026-11-20T00:00:06.000Z', heading: '', vehicle_year: '' }),
    ]);
    expect(csv.quoted[1]?.[csv.header.indexOf('lon')]).toBe(false);
    expect(csv.quoted[1]?.[csv.header.indexOf('heading')]).toBe(false);
    // Columns added later go at the end, so a consumer reading columns by position still finds the old ones.
    expect(csv.header).toEqual([
      'read_id', 'agency', 'camera', 'seen_at', 'plate', 'state', 'confidence', 'lat', 'lon', 'vehicle_make', 'vehicle_model', 'vehicle_color',
      'vehicle_type', 'image_ref', 'candidates', 'heading', 'vehicle_year',
    ]);
    const json = JSON.parse(readFileSync(join(dir, 'detections.json'), 'utf8')) as Array<Record<string, unknown>>;
    expect(json[0]).toMatchObject({
      read_id: '=1+2', vehicle_make: hostile.vehicleMake, vehicle_model: hostile.vehicleModel, vehicle_color: hostile.vehicleColor,
      vehicle_type: '-2+3', image_ref: hostile.imageRef, candidates: hostile.candidates, lat: 36.5, lon: -121.75, seen_at: '2026-11-20T00:00:05.000Z',
      heading: 87.25, vehicle_year: 2021,
    });
    expect(json[1]).toMatchObject({ lat: null, lon: null, candidates: [], heading: null, vehicle_year: null });
  });
});

describe('the detections the Chief approves are the ones released (§471.8(b); QA: a plate never approved was exported)', () => {
  const WINDOW = { from: new Date(DAY), to: new Date(DAY + 86_400_000) };
  const write = async (...ds: Parameters<typeof detection>[0][]) => {
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue(ds.map((d) => detection(d)))).durable;
    await writer.close();
  };
  const hold = (caseNumber: string, readIds: string[]) =>
    placeLegalHold({ storage, accessLog }, { user: 'cust1', caseNumber, reason: 'stolen vehicle follow-up', criteria: { ...WINDOW, readIds } });
  const readIdsOf = async (requestId: string) =>
    (JSON.parse((await readPackageFile(ctx, 'cust1', requestId, 'detections.json')).body) as Array<{ read_id: string }>).map((d) => d.read_id);
  const manifestOnDisk = (requestId: string) => JSON.parse(readFileSync(join(ctx.packagesDir, requestId, 'manifest.json'), 'utf8')) as Record<string, unknown>;

  it('releases a case as held at approval: a second vehicle held under it afterwards is left out, and the export says 1 newer match needs a new request', async () => {
    await write({ readId: 'qa-other', plate: 'QAOTHER9', seenAt: DAY + 10_000 }, { readId: 'qa-hzzz', plate: 'QAHZZZ9', seenAt: DAY + 11_000 });
    await hold('WPD-26-0900', ['qa-other']);
    const r = await recordReleaseRequest(ctx, 'cust1', input({ purpose: 'joint auto theft investigation', criteria: { kind: 'case', caseNumber: 'WPD-26-0900' } }));
    const approved = await decideRelease(ctx, 'chief1', r.requestId, 'approve', 'verified with SCPD');
    expect(approved).toMatchObject({ status: 'approved', approvedDetections: 1 });
    expect((await logOf('chief1')).at(-1)).toMatchObject({ action: 'release', outcome: 'ok', detail: expect.stringContaining('1 detection(s), kept as approved') });
    // After the approval, a second vehicle is held under the case, typed in other letters.
    await hold('wpd-26-0900', ['qa-hzzz']);
    const manifest = await produceReleasePackage(ctx, 'cust1', r.requestId);
    expect(manifest).toMatchObject({ detections: 1, approvedDetections: 1, approvedNoLongerStored: 0, newerMatchesLeftOut: 1 });
    expect(manifest.selectedAtExport).toBeUndefined();
    expect(await readIdsOf(r.requestId)).toEqual(['qa-other']);
    expect((await readPackageFile(ctx, 'cust1', r.requestId, 'detections.csv')).body).not.toContain('QAHZZZ9');
    expect(manifestOnDisk(r.requestId)).toMatchObject({ approvedDetections: 1, newerMatchesLeftOut: 1 });
    expect((await viewRelease(ctx, 'chief1', r.requestId)).request).toMatchObject({ status: 'released', approvedDetections: 1 });
  });

  it('releases a plate and window as read at approval: a read arriving after it is left out, and counted', async () => {
    await write({ readId: 'late-1', plate: '5LATE01', seenAt: DAY + 20_000 });
    const r = await recordReleaseRequest(ctx, 'cust1', input({ criteria: { ...plateCriteria, plate: { kind: 'exact', plate: '5LATE01' } } }));
    expect(await decideRelease(ctx, 'chief1', r.requestId, 'approve', '')).toMatchObject({ approvedDetections: 1 });
    // A camera's late upload: read inside the window, stored after the approval.
    await write({ readId: 'late-2', plate: '5LATE01', seenAt: DAY + 5_000 });
    const manifest = await produceReleasePackage(ctx, 'cust1', r.requestId);
    expect(manifest).toMatchObject({ detections: 1, approvedDetections: 1, approvedNoLongerStored: 0, newerMatchesLeftOut: 1 });
    expect(await readIdsOf(r.requestId)).toEqual(['late-1']);
  });

  it('keeps approved reads apart from other reads sharing their read id (a detection is its plate, time and id, not the id alone)', async () => {
    await write({ readId: 'shared-id', plate: '5SHAR01', seenAt: DAY + 30_000, camera: 'cam-1' });
    const r = await recordReleaseRequest(ctx, 'cust1', input({ criteria: { ...plateCriteria, plate: { kind: 'exact', plate: '5SHAR01' } } }));
    await decideRelease(ctx, 'chief1', r.requestId, 'approve', '');
    // Another camera counting its own reads reuses the id, for the same plate, later.
    await write({ readId: 'shared-id', plate: '5SHAR01', seenAt: DAY + 40_000, camera: 'cam-2' });
    const manifest = await produceReleasePackage(ctx, 'cust1', r.requestId);
    expect(manifest).toMatchObject({ detections: 1, newerMatchesLeftOut: 1 });
    expect(JSON.parse((await readPackageFile(ctx, 'cust1', r.requestId, 'detections.json')).body)).toEqual([expect.objectContaining({ read_id: 'shared-id', camera: 'cam-1' })]);
  });

  // By time and id alone, rows sharing both came out in either order: a package made again (or a
  // copy checked against it) could list them otherwise, and its files' hashes differ.
  // (The table's own order, by agency/camera as one string, puts "WPD-X/…" before "WPD/…".)
  it('lists reads sharing a time and read id in one order, by plate, agency and camera', async () => {
    const sources = [['WPD', 'cam-z'], ['WPD-X', 'cam-a'], ['WPD', 'cam-a'], ['SCSO', 'cam-m']] as const;
    for (const [agency, camera] of sources) await write({ readId: 'tie-1', plate: '5TIE001', seenAt: DAY + 50_000, agency, camera });
    const r = await recordReleaseRequest(ctx, 'cust1', input({ criteria: { ...plateCriteria, plate: { kind: 'exact', plate: '5TIE001' } } }));
    expect(await decideRelease(ctx, 'chief1', r.requestId, 'approve', '')).toMatchObject({ approvedDetections: 4 });
    await produceReleasePackage(ctx, 'cust1', r.requestId);
    const rows = JSON.parse((await readPackageFile(ctx, 'cust1', r.requestId, 'detections.json')).body) as Array<{ agency: string; camera: string }>;
    expect(rows.map((d) => `${d.agency}/${d.camera}`)).toEqual(['SCSO/cam-m', 'WPD/cam-a', 'WPD/cam-z', 'WPD-X/cam-a']);
  });

  it('says how many approved detections are no longer stored (purged since the approval), in the export and its manifest', async () => {
    await write({ readId: 'gone-1', plate: '5GONE01', seenAt: DAY + 50_000 }, { readId: 'gone-2', plate: '5GONE01', seenAt: DAY + 51_000 });
    const r = await recordReleaseRequest(ctx, 'cust1', input({ criteria: { ...plateCriteria, plate: { kind: 'exact', plate: '5GONE01' } } }));
    expect(await decideRelease(ctx, 'chief1', r.requestId, 'approve', '')).toMatchObject({ approvedDetections: 2 });
    // As retention's TTL purge would, between the approval and the export.
    await storage.client.command({ query: `ALTER TABLE ${storage.db}.detections DELETE WHERE read_id = 'gone-1' SETTINGS mutations_sync = 2` });
    const manifest = await produceReleasePackage(ctx, 'cust1', r.requestId);
    expect(manifest).toMatchObject({ detections: 1, approvedDetections: 2, approvedNoLongerStored: 1, newerMatchesLeftOut: 0 });
    expect(await readIdsOf(r.requestId)).toEqual(['gone-2']);
    expect(manifestOnDisk(r.requestId)).toMatchObject({ detections: 1, approvedDetections: 2, approvedNoLongerStored: 1 });
    const exported = (await logOf('cust1')).filter((e) => e.action === 'export' && e.outcome === 'ok' && e.detail.includes('approved'));
    expect(exported.at(-1)?.detail).toBe('2 detection(s) approved, 1 no longer stored; 0 newer match(es) not approved, left out');
  });

  it('shows the Chief, while pending, how many detections the request matches now and their plates, on the access log; once approved, the count kept', async () => {
    await write({ readId: 'view-1', plate: '5VIEWB1', seenAt: DAY + 60_000 }, { readId: 'view-2', plate: '5VIEWA1', seenAt: DAY + 61_000 }, { readId: 'view-3', plate: '5VIEWA1', seenAt: DAY + 62_000 });
    await hold('WPD-26-0901', ['view-1', 'view-2', 'view-3']);
    const r = await recordReleaseRequest(ctx, 'cust1', input({ purpose: 'joint auto theft investigation', criteria: { kind: 'case', caseNumber: 'WPD-26-0901' } }));
    const pending = await viewRelease(ctx, 'chief1', r.requestId);
    expect(pending.matchingNow).toEqual({ detections: 3, distinctPlates: 2, plates: ['5VIEWA1', '5VIEWB1'] });
    expect(pending.request.approvedDetections).toBeNull();
    expect((await logOf('chief1')).at(-1)).toMatchObject({ action: 'release', outcome: 'ok', detail: 'viewed; matching now: 3 detection(s) of 2 plate(s)' });
    expect((await viewRelease(ctx, 'chief1', (await recordReleaseRequest(ctx, 'cust1', input())).requestId)).matchingNow)
      .toEqual({ detections: 2, distinctPlates: 1, plates: ['7ABC123'] });

    await decideRelease(ctx, 'chief1', r.requestId, 'approve', '');
    const decided = await viewRelease(ctx, 'chief1', r.requestId);
    expect(decided.matchingNow).toBeUndefined();
    expect(decided.request).toMatchObject({ status: 'approved', approvedDetections: 3 });
    expect(decided.history.map((v) => v.approvedDetections)).toEqual([null, 3]);
  });

  it('exports a request approved before approvals kept their detections (migration 13) as before: by the criteria at export, and says so', async () => {
    await write({ readId: 'old-1', plate: '5OLDAP1', seenAt: DAY + 70_000 });
    const r = await recordReleaseRequest(ctx, 'cust1', input({ criteria: { ...plateCriteria, plate: { kind: 'exact', plate: '5OLDAP1' } } }));
    // The approval as the code before migration 13 wrote it: no approved_count, no approved_detections.
    await storage.client.command({
      query: `INSERT INTO ${storage.db}.release_requests (request_id, version, received_at, agency, agency_kind, agency_state, requester, purpose, criteria,
          recorded_by, status, decided_by, decided_at, decision_note, refusal_rule, document_ref, package_manifest)
        SELECT request_id, 2, received_at, agency, agency_kind, agency_state, requester, purpose, criteria, recorded_by, 'approved', 'chief1', now64(3), 'ok',
          refusal_rule, document_ref, package_manifest FROM ${storage.db}.release_requests WHERE request_id = {id:String} AND version = 1`,
      query_params: { id: r.requestId },
    });
    expect((await viewRelease(ctx, 'chief1', r.requestId)).request).toMatchObject({ status: 'approved', approvedDetections: null });
    await write({ readId: 'old-2', plate: '5OLDAP1', seenAt: DAY + 71_000 });
    const manifest = await produceReleasePackage(ctx, 'cust1', r.requestId);
    expect(manifest).toMatchObject({ detections: 2, selectedAtExport: true });
    expect(manifest.approvedDetections).toBeUndefined();
    expect(await readIdsOf(r.requestId)).toEqual(['old-1', 'old-2']);
  });
});
