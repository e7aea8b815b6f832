// Legal holds, evidence packages and audit samples over the real gateway (uWS, nats-server) with
// the real credential store on chDB (Watsonville §471.6, §471.9): what the CLI does with the
// system stopped, done while it runs. Each forbidden step answered 4xx and on the access log.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRoutes, evidenceRoutes, searchRoutes } from '../../gateway/index.js';
import { OcrAlphabet } from '../../matcher/index.js';
import { DetectionWriter, verifyAccessLogs, type EvidenceManifest } from '../../storage/index.js';
import { detection } from '../storage/temp-storage.js';
import { errorOf, startApiFixture, type ApiFixture } from './api-fixture.js';

const DAY = Date.UTC(2026, 10, 20);
const FROM = '2026-11-20T00:00:00Z';
const TO = '2026-11-21T00:00:00Z';
let api: ApiFixture;
const call = (method: string, path: string, user?: string, body?: unknown) => api.call(method, path, user, body);
const lastLog = (user: string) => api.lastLog(user);

beforeAll(async () => {
  api = await startApiFixture({
    users: [['ana1', 'analyst'], ['cust1', 'custodian'], ['ofc1', 'officer'], ['aud1', 'auditor']],
    seed: async (temp) => {
      const writer = new DetectionWriter(temp.storage);
      await (await writer.enqueue([
        detection({ readId: 'e-1', plate: '7ABC123', seenAt: DAY + 1000 }),
        detection({ readId: 'e-2', plate: '7ABC123', seenAt: DAY + 2000 }),
        detection({ readId: 'e-3', plate: '6OTHER6', seenAt: DAY + 3000 }),
        detection({ readId: 'e-4', plate: '5CAMERA', seenAt: DAY + 4000, camera: 'cam-1' }),
        detection({ readId: 'e-5', plate: '5CAMERA', seenAt: DAY + 5000, camera: 'cam-2' }),
        // Two cameras' reads sharing a read id (cameras number their reads on their own).
        detection({ readId: 'e-6', plate: '4SHARE1', seenAt: DAY + 6000, agency: 'WPD', camera: 'cam-1' }),
        detection({ readId: 'e-6', plate: '4SHARE2', seenAt: DAY + 7000, agency: 'SCSO', camera: 'cam-9' }),
        // Read first as 2OTHER2; 8CANDI8 was one of the camera's other readings.
        detection({ readId: 'e-7', plate: '2OTHER2', seenAt: DAY + 8000, candidates: ['8CANDI8'] }),
      ])).durable;
      await writer.close();
    },
    routes: ({ guard, accessLog, temp }) => [
      ...searchRoutes({ guard, search: { storage: temp.storage, accessLog } }),
      ...evidenceRoutes({ guard, evidence: { storage: temp.storage, accessLog }, exportsDir: join(temp.dir, 'evidence') }),
      ...auditRoutes({ guard, storage: temp.storage, accessLog }),
    ],
  });
});

afterAll(async () => {
  await api?.stop();
});

const hold = { caseNumber: 'WPD-26-0777', reason: 'vehicle seen at the scene', from: FROM, to: TO, plate: '7ABC123' };

describe('legal holds over HTTP', () => {
  it('holds an analyst\'s plate for the case, on the record with the rows held', async () => {
    const res = await call('POST', '/api/evidence/holds', 'ana1', hold);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { holdId: string; rowsHeld: number };
    expect(body.rowsHeld).toBe(2);
    expect(await lastLog('ana1')).toMatchObject({ action: 'hold', outcome: 'ok', case_number: 'WPD-26-0777', detail: `hold ${body.holdId}` });
    expect((await lastLog('ana1')).rows_returned).toBe(2);
  });

  it('holds named reads, and partial patterns as a search finds them', async () => {
    const byId = await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: 'WPD-26-0900', plate: undefined, readIds: ['e-3'] });
    expect(await byId.json()).toMatchObject({ rowsHeld: 1 });
    const byPattern = await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: 'WPD-26-0901', plate: '7AB*' });
    expect(await byPattern.json()).toMatchObject({ rowsHeld: 2 });
  });

  it('holds a plate typed full-width, and an agency or camera in any letter case, as a search finds them', async () => {
    const fullWidth = await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: 'WPD-26-0905', plate: '７ＡＢＣ１２３' });
    expect(await fullWidth.json()).toMatchObject({ rowsHeld: 2 });
    const anyCase = await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: 'WPD-26-0906', plate: '5CAMERA', agencies: ['wpd'], cameras: ['CAM-2'] });
    expect(await anyCase.json()).toMatchObject({ rowsHeld: 1 });
  });

  it('holds only what the search narrowed to: a camera, or an area', async () => {
    const byCamera = await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: 'WPD-26-0902', plate: '5CAMERA', cameras: ['cam-2'] });
    expect(await byCamera.json()).toMatchObject({ rowsHeld: 1 });
    const farAway = await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: 'WPD-26-0903', plate: '5CAMERA', near: { lat: 0, lon: 0, radiusMeters: 1000 } });
    expect(await errorOf(farAway)).toMatchObject({ status: 404, code: 'NOTHING_HELD' });
    expect(await errorOf(await call('POST', '/api/evidence/holds', 'ana1', { ...hold, near: { lat: 0 } }))).toMatchObject({ status: 400, message: expect.stringContaining('"near" needs') });
  });

  it('holds a read by one of its other readings as a search finds it, unless otherReadings is false; refuses it for a pattern', async () => {
    const byOther = await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: 'WPD-26-0907', plate: '8CANDI8' });
    expect(await byOther.json()).toMatchObject({ rowsHeld: 1 });
    const logged = await api.temp.storage.client.query({
      query: `SELECT params FROM ${api.temp.storage.db}.access_log WHERE user_id = 'ana1' AND action = 'hold' ORDER BY seq DESC LIMIT 1`, format: 'JSONEachRow',
    });
    expect(JSON.parse((await logged.json<{ params: string }>())[0]?.params ?? '{}')).toMatchObject({ plate: { kind: 'exact', plate: '8CANDI8' }, otherReadings: true });
    const asRead = await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: 'WPD-26-0908', plate: '8CANDI8', otherReadings: false });
    expect(await errorOf(asRead)).toMatchObject({ status: 404, code: 'NOTHING_HELD' });
    const pattern = await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: 'WPD-26-0909', plate: '8CAND*', otherReadings: true });
    expect(await errorOf(pattern)).toMatchObject({ status: 400, code: 'BAD_EVIDENCE_REQUEST', message: expect.stringContaining('"otherReadings"') });
  });

  it('takes up to 10,000 read ids in one hold, and refuses more', async () => {
    const ids = ['e-1', ...Array.from({ length: 4999 }, (_, i) => `none-${i}`)];
    expect(await (await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: 'WPD-26-0904', plate: undefined, readIds: ids })).json()).toMatchObject({ rowsHeld: 1 });
    const tooMany = Array.from({ length: 10_001 }, (_, i) => `x-${i}`);
    expect(await errorOf(await call('POST', '/api/evidence/holds', 'ana1', { ...hold, plate: undefined, readIds: tooMany }))).toMatchObject({ status: 400, message: expect.stringContaining('at most 10000') });
  });

  it('holds detections named by their key as a search row gives them, not another camera\'s read sharing the id', async () => {
    const named = { readId: 'e-6', seenAt: new Date(DAY + 7000).toISOString(), plateOcr: new OcrAlphabet().mapPlate('4SHARE2') };
    const res = await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: 'WPD-26-0910', plate: undefined, detections: [named] });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ rowsHeld: 1 });
    expect(await lastLog('ana1')).toMatchObject({ action: 'hold', outcome: 'ok', rows_returned: 1 });
    const { storage } = api.temp;
    const rs = await storage.client.query({
      query: `SELECT camera, (SELECT params FROM ${storage.db}.access_log WHERE user_id = 'ana1' ORDER BY seq DESC LIMIT 1) AS logged
                FROM ${storage.db}.evidence_detections WHERE case_number = 'WPD-26-0910'`,
      format: 'JSONEachRow',
    });
    const held = await rs.json<{ camera: string; logged: string }>();
    expect(held.map((r) => r.camera)).toEqual(['cam-9']);
    // The access log names what was held.
    expect(JSON.parse(held[0]?.logged ?? 'null')).toMatchObject({ detections: [named] });
    // By read id, as before: every detection in the period with it.
    const byId = await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: 'WPD-26-0911', plate: undefined, readIds: ['e-6'] });
    expect(await byId.json()).toMatchObject({ rowsHeld: 2 });
  });

  it('answers 400 naming the item and its field to a bad detection, and to more than 10,000', async () => {
    const good = { readId: 'e-6', seenAt: new Date(DAY + 7000).toISOString(), plateOcr: '4SHARE2' };
    const bad = (detections: unknown) => call('POST', '/api/evidence/holds', 'ana1', { ...hold, plate: undefined, detections }).then(errorOf);
    for (const [detections, message] of [
      ['e-6', '"detections" must be a list of at most 10000 detections'],
      [[good, 'e-6'], '"detections" item 2 must be a JSON object with readId, seenAt, plateOcr'],
      [[{ ...good, readId: '' }], '"detections" item 1: "readId" must be text of 1–128 characters'],
      [[{ readId: 'e-6', seenAt: good.seenAt }], '"detections" item 1: "plateOcr" must be text'],
      [[{ ...good, seenAt: '2026-11-20T00:00:07' }], '"detections" item 1: "seenAt" must be the detection\'s time as its search row gives it'],
      [[{ ...good, seenAt: '2026-11-22T00:00:00Z' }], '"detections" item 1: "seenAt" 2026-11-22T00:00:00Z is outside "from" to "to"'],
      [[{ ...good, camera: 'cam-9' }], '"detections" item 1 has unknown field "camera"'],
    ] as const) {
      expect(await bad(detections)).toMatchObject({ status: 400, code: 'BAD_EVIDENCE_REQUEST', message: expect.stringContaining(message) });
    }
    expect(await bad(Array.from({ length: 10_001 }, () => good))).toMatchObject({ status: 400, message: expect.stringContaining('at most 10000 detections') });
    expect(await bad([])).toMatchObject({ status: 400, message: expect.stringContaining('say what to hold') });
  });

  it('answers 400 naming what is wrong: no case number (refused on the record), nothing to hold, an unknown field, a bad range or match', async () => {
    expect(await errorOf(await call('POST', '/api/evidence/holds', 'ana1', { ...hold, caseNumber: undefined }))).toMatchObject({ status: 400, code: 'PURPOSE_REQUIRED', message: expect.stringContaining('case number') });
    expect(await lastLog('ana1')).toMatchObject({ action: 'hold', outcome: 'refused' });
    expect(await errorOf(await call('POST', '/api/evidence/holds', 'ana1', { ...hold, plate: undefined }))).toMatchObject({ status: 400, message: expect.stringContaining('say what to hold') });
    expect(await errorOf(await call('POST', '/api/evidence/holds', 'ana1', { ...hold, case: 'WPD-1' }))).toMatchObject({ status: 400, message: expect.stringContaining('case') });
    expect(await errorOf(await call('POST', '/api/evidence/holds', 'ana1', { ...hold, from: TO, to: FROM }))).toMatchObject({ status: 400, message: '"from" must be before "to"' });
    expect(await errorOf(await call('POST', '/api/evidence/holds', 'ana1', { ...hold, match: 'nearly' }))).toMatchObject({ status: 400, message: expect.stringContaining('"match" must be one of') });
    expect(await errorOf(await call('POST', '/api/evidence/holds', 'ana1', { ...hold, plate: '7AB*', match: 'exact' }))).toMatchObject({ status: 400, message: expect.stringContaining('partial pattern') });
  });

  it('refuses the purposes a search refuses: a case number without a number, a reason that says nothing (400, on the record)', async () => {
    for (const [field, value, problem] of [
      ['caseNumber', 'abc', 'case number "abc" has no number in it'],
      ['reason', 'x', 'the reason "x" does not say why the data is needed'],
    ] as const) {
      expect(await errorOf(await call('POST', '/api/evidence/holds', 'ana1', { ...hold, [field]: value }))).toMatchObject({
        status: 400, code: 'PURPOSE_REQUIRED', message: expect.stringContaining(problem),
      });
      expect(await lastLog('ana1')).toMatchObject({ action: 'hold', outcome: 'refused', detail: expect.stringContaining(problem) });
    }
  });

  it('refuses a hold that would hold nothing (404 NOTHING_HELD, logged), and records no hold for the case\'s package', async () => {
    expect(await errorOf(await call('POST', '/api/evidence/holds', 'ana1', { ...hold, plate: undefined, readIds: ['nope'] }))).toMatchObject({
      status: 404, code: 'NOTHING_HELD', message: expect.stringContaining('nothing was held'),
    });
    expect(await lastLog('ana1')).toMatchObject({ action: 'hold', outcome: 'invalid', case_number: hold.caseNumber, rows_returned: 0 });
    const rs = await api.temp.storage.client.query({
      query: `SELECT count() AS n FROM ${api.temp.storage.db}.legal_holds WHERE case_number = {c:String} AND rows_held = 0`,
      query_params: { c: hold.caseNumber }, format: 'JSONEachRow',
    });
    expect((await rs.json<{ n: number | string }>()).map((r) => Number(r.n))).toEqual([0]);
  });

  it('answers a plate or pattern it cannot search for in the route\'s own documented code', async () => {
    expect(await errorOf(await call('POST', '/api/evidence/holds', 'ana1', { ...hold, plate: '*' }))).toMatchObject({
      status: 400, code: 'BAD_EVIDENCE_REQUEST', message: expect.stringMatching(/^hold not placed: /),
    });
  });

  it('answers 401 without a session and 403 to an officer (logged)', async () => {
    expect((await call('POST', '/api/evidence/holds', undefined, hold)).status).toBe(401);
    expect(await errorOf(await call('POST', '/api/evidence/holds', 'ofc1', hold))).toMatchObject({ status: 403, code: 'ROLE_REQUIRED' });
    expect(await lastLog('ofc1')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('evidence.hold') });
  });
});

describe('evidence packages over HTTP', () => {
  let exportId = '';
  let manifest: EvidenceManifest;
  let manifestSha256 = '';

  it('writes the case\'s package for the custodian, and answers 403 to an analyst (logged)', async () => {
    expect(await errorOf(await call('POST', '/api/evidence/exports', 'ana1', { caseNumber: 'WPD-26-0777' }))).toMatchObject({ status: 403, code: 'ROLE_REQUIRED' });
    expect(await lastLog('ana1')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('evidence.export') });
    const res = await call('POST', '/api/evidence/exports', 'cust1', { caseNumber: 'WPD-26-0777', reason: 'booking' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { exportId: string; files: string[]; manifest: EvidenceManifest; manifestSha256: string };
    exportId = body.exportId;
    manifest = body.manifest;
    manifestSha256 = body.manifestSha256;
    expect(manifest).toMatchObject({ caseNumber: 'WPD-26-0777', detections: 2, holds: 1, generatedBy: 'cust1', reason: 'booking' });
    expect(body.files).toEqual(['detections.csv', 'detections.json', 'holds.json', 'README.txt', 'manifest.json', 'SHA256SUMS']);
    // The SHA-256 of manifest.json for the property form, as the access log records it.
    expect(manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await lastLog('cust1')).toMatchObject({
      action: 'export', outcome: 'ok', case_number: 'WPD-26-0777',
      detail: `manifest.json SHA-256 ${manifestSha256} (package of export record ${manifest.accessLogChain}:${manifest.accessLogSeq})`,
    });
  });

  it('serves each file as a download under its own name, each matching its SHA-256 in the manifest, each download logged', async () => {
    for (const f of manifest.files) {
      const res = await call('GET', `/api/evidence/exports/${exportId}/${f.name}`, 'cust1');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${f.name}"; filename*=UTF-8''${f.name}`);
      // Bytes, not text(): fetch's text() drops the byte-order mark detections.csv starts with.
      expect(createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex')).toBe(f.sha256);
      expect(await lastLog('cust1')).toMatchObject({ action: 'export', outcome: 'ok', case_number: 'WPD-26-0777', detail: `package file ${f.name} downloaded` });
    }
    const sumsRes = await call('GET', `/api/evidence/exports/${exportId}/SHA256SUMS`, 'cust1');
    expect(sumsRes.headers.get('content-disposition')).toBe('attachment; filename="SHA256SUMS"; filename*=UTF-8\'\'SHA256SUMS');
    const sums = await sumsRes.text();
    const manifestRes = await call('GET', `/api/evidence/exports/${exportId}/manifest.json`, 'cust1');
    expect(manifestRes.headers.get('content-disposition')).toBe('attachment; filename="manifest.json"; filename*=UTF-8\'\'manifest.json');
    const manifestText = await manifestRes.text();
    expect(sums).toContain(`${createHash('sha256').update(manifestText).digest('hex')}  manifest.json`);
    expect(createHash('sha256').update(manifestText).digest('hex')).toBe(manifestSha256);
    expect(JSON.parse(manifestText)).toEqual(manifest);
  });

  it('answers 404 to a file or package it does not have, and to a path, without reading it', async () => {
    expect(await errorOf(await call('GET', `/api/evidence/exports/${exportId}/secrets.txt`, 'cust1'))).toMatchObject({ status: 404, code: 'UNKNOWN_FILE' });
    expect(await errorOf(await call('GET', `/api/evidence/exports/${exportId}/..%2F..%2Fetc%2Fpasswd`, 'cust1'))).toMatchObject({ status: 404 });
    expect(await errorOf(await call('GET', '/api/evidence/exports/..%2Freleases/manifest.json', 'cust1'))).toMatchObject({ status: 404, code: 'UNKNOWN_EXPORT' });
    expect(await errorOf(await call('GET', '/api/evidence/exports/00000000-0000-4000-8000-000000000000/manifest.json', 'cust1'))).toMatchObject({ status: 404, code: 'UNKNOWN_EXPORT' });
    expect(await errorOf(await call('GET', `/api/evidence/exports/${exportId}/manifest.json`, 'ana1'))).toMatchObject({ status: 403 });
  });

  it('answers 404 NOTHING_HELD for a case with no hold, on the record', async () => {
    expect(await errorOf(await call('POST', '/api/evidence/exports', 'cust1', { caseNumber: 'WPD-26-9999' }))).toMatchObject({ status: 404, code: 'NOTHING_HELD' });
    expect(await lastLog('cust1')).toMatchObject({ action: 'export', outcome: 'invalid', case_number: 'WPD-26-9999' });
  });
});

describe('audit samples and verification over HTTP', () => {
  it('writes the memorandum for the auditor from the period\'s inquiries, and refuses anyone else', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await call('POST', '/api/detections/search', 'ana1', { plate: '7ABC123', from: FROM, to: TO, caseNumber: `WPD-26-00${i}` });
      expect(res.status).toBe(200);
    }
    const period = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    expect(await errorOf(await call('POST', '/api/audit/samples', 'cust1', period))).toMatchObject({ status: 403 });
    const res = await call('POST', '/api/audit/samples', 'aud1', { ...period, auditor: 'Capt. R. Diaz, PSD' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { population: number; reviewed: number; markdown: string; html: string; name: string };
    expect(body.population).toBe(3);
    expect(body.reviewed).toBe(3);
    expect(body.name).toMatch(/^alpr-audit-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}$/);
    expect(body.markdown).toContain('Capt. R. Diaz, PSD');
    expect(body.markdown).toContain('WPD-26-001');
    expect(body.html).toMatch(/^<!DOCTYPE html>/i);
    expect(await lastLog('aud1')).toMatchObject({ action: 'audit', outcome: 'ok' });
  });

  it('answers 404 UNKNOWN_CHAIN naming the chains to a sample of a chain the log does not have; a head from the last audit makes it known', async () => {
    const period = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    expect(await errorOf(await call('POST', '/api/audit/samples', 'aud1', { ...period, chain: 'ghost' }))).toEqual({
      status: 404, code: 'UNKNOWN_CHAIN', message: 'the access log has no chain "ghost"; its chains are "main"',
    });
    const gone = await call('POST', '/api/audit/samples', 'aud1', { ...period, chain: 'ghost', expectHeads: [`ghost=2:${'c'.repeat(64)}`] });
    expect(gone.status).toBe(200);
    expect(await gone.json()).toMatchObject({ population: 0, dataErrors: 1, warnings: [expect.stringContaining('on access log chain "ghost", so none was sampled')] });
  });

  it('says plainly in the answer and the memorandum when the period has no inquiry to sample', async () => {
    const res = await call('POST', '/api/audit/samples', 'aud1', { from: '2020-01-01T00:00:00Z', to: '2020-07-01T00:00:00Z', chain: 'main' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { population: number; warnings: string[]; markdown: string };
    expect(body.population).toBe(0);
    expect(body.warnings).toHaveLength(1);
    expect(body.markdown).toContain(body.warnings[0]);
  });

  it('answers 400 naming the allowed values to a log filter that can match nothing, and to a parameter given twice', async () => {
    expect(await errorOf(await call('GET', '/api/audit/log?outcome=great', 'aud1'))).toEqual({
      status: 400, code: 'BAD_AUDIT_QUERY', message: '"outcome" must be one of ok, refused, invalid, failed (got "great")',
    });
    expect(await errorOf(await call('GET', '/api/audit/log?action=nope', 'aud1'))).toMatchObject({
      status: 400, code: 'BAD_AUDIT_QUERY', message: expect.stringMatching(/^"action" must be one of search, export, hit_view, hold, audit, login, .*report, refused_reads \(got "nope"\)$/),
    });
    expect(await errorOf(await call('GET', '/api/audit/log?limit=1&limit=2', 'aud1'))).toEqual({
      status: 400, code: 'BAD_AUDIT_QUERY', message: 'query parameter "limit" is given twice',
    });
    expect(await errorOf(await call('GET', '/api/audit/log?sql=1', 'aud1'))).toMatchObject({ status: 400, message: expect.stringContaining('(known: from, to, user, action, outcome, limit)') });
    const ok = await call('GET', '/api/audit/log?action=hold&outcome=refused&user=', 'aud1');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { records: Array<{ action: string; outcome: string }> }).records.every((r) => r.action === 'hold' && r.outcome === 'refused')).toBe(true);
  });

  it('answers 400 to a sample under 10, a bad period or a bad expected head', async () => {
    const period = { from: FROM, to: TO };
    expect(await errorOf(await call('POST', '/api/audit/samples', 'aud1', { ...period, size: 5 }))).toMatchObject({ status: 400, code: 'BAD_AUDIT_QUERY' });
    expect(await errorOf(await call('POST', '/api/audit/samples', 'aud1', { from: TO, to: FROM }))).toMatchObject({ status: 400 });
    expect(await errorOf(await call('POST', '/api/audit/samples', 'aud1', { ...period, expectHeads: ['12:abc'] }))).toMatchObject({ status: 400, message: expect.stringContaining('CHAIN=SEQ:HASH') });
    expect(await errorOf(await call('POST', '/api/audit/verify', 'aud1', { expectHeads: ['nonsense'] }))).toMatchObject({ status: 400, message: expect.stringContaining('CHAIN=SEQ:HASH') });
    const verifyQuery = await errorOf(await call('GET', '/api/audit/verify?expectHeads=x', 'aud1'));
    expect(verifyQuery).toMatchObject({ status: 400, code: 'BAD_AUDIT_QUERY', message: expect.stringContaining('unknown query parameter "expectHeads": this endpoint takes none; to check each chain') });
    expect(verifyQuery.message).not.toContain('(known: )');
  });

  it('verifies against the head an earlier audit recorded, and finds records cut from the end', async () => {
    const [chain] = await verifyAccessLogs(api.temp.storage);
    const head = `${chain!.chain}=${chain!.head!.seq}:${chain!.head!.hash}`;
    // Many chains' heads (one per process against a ClickHouse server): more than a query parameter holds.
    const others = Array.from({ length: 40 }, (_, i) => `cli-host-${i}=0:${'0'.repeat(64)}`);
    const intact = (await (await call('POST', '/api/audit/verify', 'aud1', { expectHeads: [head] })).json()) as { ok: boolean };
    expect(intact.ok).toBe(true);
    // A head further on than the chain reaches: records after it were cut (or never written).
    const ahead = `${chain!.chain}=${chain!.head!.seq + 1000}:${'0'.repeat(64)}`;
    const cut = (await (await call('POST', '/api/audit/verify', 'aud1', { expectHeads: [ahead] })).json()) as { ok: boolean };
    expect(cut.ok).toBe(false);
    // Chains the last audit saw that are gone now: each reported missing, none refused for length.
    const many = await call('POST', '/api/audit/verify', 'aud1', { expectHeads: [head, ...others] });
    expect(many.status).toBe(200);
    const body = (await many.json()) as { ok: boolean; chains: Array<{ chain: string; ok: boolean }> };
    expect(body.chains.filter((c) => c.chain.startsWith('cli-host-'))).toHaveLength(40);
    expect(body.ok).toBe(false);
  });
});
