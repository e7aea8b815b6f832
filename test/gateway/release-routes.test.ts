// Releases and the transparency report over the real gateway (uWS, nats-server) with the real
// credential store on chDB (Watsonville §471.8): each forbidden step answered 401/403/409 and on the
// access log, each allowed step done; the package downloadable by name only.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseRoutes, reportRoutes } from '../../gateway/index.js';
import { DEFAULT_RELEASE_POLICY, DetectionWriter, type ProducedRelease, type ReleaseManifest } from '../../storage/index.js';
import { detection } from '../storage/temp-storage.js';
import { errorOf, startApiFixture, type ApiFixture } from './api-fixture.js';

const DAY = Date.UTC(2026, 10, 20);
let api: ApiFixture;
const call = (method: string, path: string, user?: string, body?: unknown) => api.call(method, path, user, body);
const lastLog = (user: string) => api.lastLog(user);

beforeAll(async () => {
  api = await startApiFixture({
    users: [['cust1', 'custodian'], ['chief1', 'chief'], ['chief2', 'chief'], ['ofc1', 'officer'], ['aud1', 'auditor']],
    seed: async (temp) => {
      const writer = new DetectionWriter(temp.storage);
      await (await writer.enqueue([detection({ readId: 'g-1', plate: '7ABC123', seenAt: DAY + 1000 }), detection({ readId: 'g-2', plate: '6OTHER6', seenAt: DAY + 2000 })])).durable;
      await writer.close();
    },
    routes: ({ guard, accessLog, temp }) => [
      ...releaseRoutes({ guard, releases: { storage: temp.storage, accessLog, policy: DEFAULT_RELEASE_POLICY, packagesDir: join(temp.dir, 'releases') } }),
      ...reportRoutes({ guard, reports: { storage: temp.storage, accessLog, covertLists: [] }, agency: 'Watsonville PD' }),
    ],
  });
});

afterAll(async () => {
  await api?.stop();
});

const request = {
  agency: 'Santa Cruz Police Department', agencyKind: 'local', requester: 'Det. M. Lopez', purpose: 'armed robbery, SCPD case 26-01234',
  criteria: { kind: 'plate', plate: '7ABC123', from: '2026-11-20', to: '2026-11-21' },
};

describe('release requests over HTTP', () => {
  let pendingId = '';

  it('answers 401 without a session, and 403 to a role that may not record requests (logged)', async () => {
    expect((await call('POST', '/api/releases', undefined, request)).status).toBe(401);
    expect(await errorOf(await call('POST', '/api/releases', 'ofc1', request))).toMatchObject({ status: 403, code: 'ROLE_REQUIRED' });
    expect(await lastLog('ofc1')).toMatchObject({ action: 'release', outcome: 'refused', detail: expect.stringContaining('releases.request') });
  });

  it('answers 400 naming what is missing from the written request', async () => {
    const e = await errorOf(await call('POST', '/api/releases', 'cust1', { ...request, purpose: '' }));
    expect(e).toMatchObject({ status: 400, code: 'INVALID_RELEASE', message: 'purpose is required' });
    expect((await errorOf(await call('POST', '/api/releases', 'cust1', { ...request, criteria: { kind: 'plate', plate: '7ABC123', from: 'yesterday', to: '2026-11-21' } }))).message).toMatch(/criteria.from/);
  });

  it('puts a request it does not record on the access log: a vague purpose as refused, another bad field as invalid (QA)', async () => {
    for (const purpose of ['investigation', 'law enforcement purposes']) {
      expect(await errorOf(await call('POST', '/api/releases', 'cust1', { ...request, purpose }))).toMatchObject({ status: 400, code: 'INVALID_RELEASE' });
      expect(await lastLog('cust1')).toMatchObject({ action: 'release', outcome: 'refused', detail: expect.stringContaining(`purpose "${purpose}" is too vague`) });
    }
    expect(await errorOf(await call('POST', '/api/releases', 'cust1', { ...request, agencyKind: 'friendly' }))).toMatchObject({ status: 400, code: 'INVALID_RELEASE' });
    expect(await lastLog('cust1')).toMatchObject({ action: 'release', outcome: 'invalid', detail: expect.stringContaining('agencyKind must be one of') });
  });

  it('records an ICE request as refused under the Values Act, on the record', async () => {
    const res = await call('POST', '/api/releases', 'cust1', { ...request, agency: 'ICE Enforcement and Removal Operations', agencyKind: 'federal' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { status: string; refusalRule: string; decisionNote: string };
    expect(body).toMatchObject({ status: 'refused', refusalRule: 'values_act' });
    expect(body.decisionNote).toContain('California Values Act');
    expect(await lastLog('cust1')).toMatchObject({ action: 'release', outcome: 'refused', detail: expect.stringContaining('Values Act') });
  });

  it('records a California agency\'s request as pending', async () => {
    const res = await call('POST', '/api/releases', 'cust1', request);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { requestId: string; status: string };
    expect(body.status).toBe('pending');
    pendingId = body.requestId;
  });

  it('answers the package of a pending request with 404 NO_PACKAGE at once: nothing it matches is counted or put on the access log (QA)', async () => {
    const records = async (): Promise<number> => {
      const rs = await api.temp.storage.client.query({ query: `SELECT count() AS n FROM ${api.temp.storage.db}.access_log`, format: 'JSONEachRow' });
      return Number(((await rs.json()) as Array<{ n: string }>)[0]?.n);
    };
    const before = await records();
    expect(await errorOf(await call('GET', `/api/releases/${pendingId}/package`, 'chief1'))).toEqual({
      status: 404, code: 'NO_PACKAGE', message: `release request ${pendingId} has no package (it is pending)`,
    });
    expect(await records()).toBe(before);
    // What it matches is shown, and so logged, where it is shown: with the request.
    expect(await (await call('GET', `/api/releases/${pendingId}`, 'chief1')).json()).toMatchObject({ matchingNow: { detections: 1 } });
    expect(await records()).toBe(before + 1);
    expect(await lastLog('chief1')).toMatchObject({ action: 'release', detail: expect.stringContaining('matching now: 1 detection(s)') });
  });

  it('lets only the chief decide (others 403, logged); a decided request cannot be decided again (409)', async () => {
    expect(await errorOf(await call('POST', `/api/releases/${pendingId}/decision`, 'cust1', { decision: 'approve' }))).toMatchObject({ status: 403, code: 'ROLE_REQUIRED' });
    expect(await lastLog('cust1')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('releases.decide') });
    expect(await errorOf(await call('POST', `/api/releases/${pendingId}/decision`, 'chief1', { decision: 'maybe' }))).toMatchObject({ status: 400 });
    const res = await call('POST', `/api/releases/${pendingId}/decision`, 'chief1', { decision: 'approve', note: 'verified by phone' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'approved', decidedBy: 'chief1' });
    expect(await errorOf(await call('POST', `/api/releases/${pendingId}/decision`, 'chief1', { decision: 'refuse', note: 'no' }))).toMatchObject({ status: 409, code: 'RELEASE_NOT_PENDING' });
    expect(await errorOf(await call('POST', '/api/releases/REL-nope/decision', 'chief1', { decision: 'approve' }))).toMatchObject({ status: 404, code: 'UNKNOWN_RELEASE' });
  });

  it('produces the package for the custodian only, once, and offers its files by name only', async () => {
    expect(await errorOf(await call('GET', `/api/releases/${pendingId}/package`, 'aud1'))).toMatchObject({ status: 404, code: 'NO_PACKAGE' });
    expect(await errorOf(await call('POST', `/api/releases/${pendingId}/package`, 'chief1'))).toMatchObject({ status: 403 });
    const res = await call('POST', `/api/releases/${pendingId}/package`, 'cust1');
    expect(res.status).toBe(201);
    const { manifestSha256, ...manifest } = (await res.json()) as ProducedRelease;
    expect(manifest).toMatchObject({ requestId: pendingId, detections: 1 });
    const sealed = await lastLog('cust1');
    expect(sealed).toMatchObject({ action: 'export', outcome: 'ok', detail: expect.stringMatching(/^manifest\.json SHA-256 [0-9a-f]{64} \(package of export record /) });
    // The answer has the SHA-256 the access log has, for the property form.
    expect(sealed.detail).toContain(`manifest.json SHA-256 ${manifestSha256} `);
    expect(await errorOf(await call('POST', `/api/releases/${pendingId}/package`, 'cust1'))).toMatchObject({ status: 409 });
    expect(await (await call('GET', `/api/releases/${pendingId}/package`, 'aud1')).json()).toEqual(manifest);
    expect(await lastLog('aud1')).toMatchObject({ action: 'release', outcome: 'ok', detail: 'package manifest viewed' });

    const csv = await call('GET', `/api/releases/${pendingId}/package/detections.csv`, 'cust1');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('cache-control')).toBe('no-store'); // ALPR data: no proxy or browser cache keeps it
    // The name SHA256SUMS lists, so `sha256sum -c` checks the file as saved.
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="detections.csv"; filename*=UTF-8''detections.csv`);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.files.find((f) => f.name === 'detections.csv')?.sha256);
    const text = bytes.toString('utf8');
    expect(text).toContain('7ABC123');
    expect(text).not.toContain('6OTHER6');
    expect(await lastLog('cust1')).toMatchObject({ action: 'export', outcome: 'ok', detail: 'package file detections.csv downloaded' });

    for (const name of ['..%2F..%2Fetc%2Fpasswd', '..%2Fmanifest.json', '%2Fetc%2Fpasswd', 'nothing.txt']) {
      expect(await errorOf(await call('GET', `/api/releases/${pendingId}/package/${name}`, 'cust1'))).toMatchObject({ status: 404, code: 'UNKNOWN_FILE' });
    }
    // `%2E%2E` is resolved by the URL parser to the package path itself: no file route matches.
    expect((await call('GET', `/api/releases/${pendingId}/package/%2E%2E`, 'cust1')).status).toBe(404);
    expect(await errorOf(await call('GET', `/api/releases/${pendingId}/package/detections.csv`, 'aud1'))).toMatchObject({ status: 403 });
  });

  it('lists requests on file by status, and shows one with its history', async () => {
    const refused = (await (await call('GET', '/api/releases?status=refused', 'aud1')).json()) as { releases: Array<{ agency: string }> };
    expect(refused.releases.map((r) => r.agency)).toEqual(['ICE Enforcement and Removal Operations']);
    expect(await errorOf(await call('GET', '/api/releases?status=bogus', 'aud1'))).toMatchObject({ status: 400 });
    // A misspelt parameter is refused, not answered with every request on file.
    expect(await errorOf(await call('GET', '/api/releases?stauts=refused', 'aud1'))).toMatchObject({ status: 400, code: 'INVALID_RELEASE', message: expect.stringContaining('"stauts"') });
    const one = (await (await call('GET', `/api/releases/${pendingId}`, 'chief1')).json()) as { history: Array<{ status: string }> };
    expect(one.history.map((h) => h.status)).toEqual(['pending', 'approved', 'released']);
    expect(await errorOf(await call('GET', `/api/releases/${pendingId}?history=no`, 'chief1'))).toMatchObject({
      status: 400, code: 'INVALID_RELEASE', message: 'unknown query parameter "history": this endpoint takes none',
    });
    expect(await errorOf(await call('GET', '/api/releases?status=refused&status=pending', 'aud1'))).toMatchObject({ status: 400, message: 'query parameter "status" is given twice' });
    expect((await call('GET', '/api/releases', 'ofc1')).status).toBe(403);
  });
});

describe('GET /api/reports/transparency', () => {
  it('gives counts only, as JSON, Markdown or HTML', async () => {
    const json = (await (await call('GET', '/api/reports/transparency?from=2026-11-01&to=2030-01-01', 'chief1')).json()) as Record<string, unknown>;
    expect(json).toMatchObject({ reads: 2, releases: { received: 2, granted: 1, refused: 1 } });
    const html = await call('GET', '/api/reports/transparency?from=2026-11-01&to=2030-01-01&format=html', 'aud1');
    expect(html.headers.get('content-type')).toContain('text/html');
    // A report opened from the gateway's origin runs no script: users' text in it cannot act as the console.
    expect(html.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox");
    expect(html.headers.get('content-disposition')).toMatch(/^attachment; filename="transparency-report-2026-11-01-to-2030-01-01\.html"/);
    const page = await html.text();
    expect(page).toContain('Watsonville PD');
    expect(page).not.toContain('7ABC123');
    expect((await call('GET', '/api/reports/transparency?format=markdown', 'cust1')).status).toBe(200);
  });

  it('refuses other roles (logged) and bad periods', async () => {
    expect(await errorOf(await call('GET', '/api/reports/transparency', 'ofc1'))).toMatchObject({ status: 403 });
    expect(await lastLog('ofc1')).toMatchObject({ action: 'report', outcome: 'refused' });
    expect(await errorOf(await call('GET', '/api/reports/transparency?from=last-week', 'chief1'))).toMatchObject({ status: 400, code: 'INVALID_PERIOD' });
    expect(await errorOf(await call('GET', '/api/reports/transparency?from=2026-02-30', 'chief1'))).toMatchObject({ status: 400, code: 'INVALID_PERIOD' });
    // "since" is not a parameter: refused, not answered with the default year.
    expect(await errorOf(await call('GET', '/api/reports/transparency?since=2026-11-01', 'chief1'))).toMatchObject({ status: 400, code: 'BAD_REPORT_QUERY' });
    expect(await errorOf(await call('GET', '/api/reports/transparency?from=2026-12-01&to=2026-11-01', 'chief1'))).toMatchObject({ status: 400 });
    expect(await errorOf(await call('GET', '/api/reports/transparency?format=pdf', 'chief1'))).toMatchObject({ status: 400, code: 'INVALID_FORMAT' });
  });
});

// Last: the requests recorded here would change the counts the report above checks.
describe('a request recorded by a chief', () => {
  const recordAsChief = async (): Promise<string> => {
    const res = await call('POST', '/api/releases', 'chief1', request);
    expect(res.status).toBe(201);
    return ((await res.json()) as { requestId: string }).requestId;
  };

  it('is not approved by the chief who recorded it (403 SELF_DECISION, logged, saying who approves), but by another chief', async () => {
    const own = await recordAsChief();
    expect(await errorOf(await call('POST', `/api/releases/${own}/decision`, 'chief1', { decision: 'approve', note: 'my own request' }))).toEqual({
      status: 403, code: 'SELF_DECISION',
      message: `chief1 recorded release request ${own}, so may not approve it: another Chief or a designee (an account holding the chief role) approves it; or refuse it yourself to withdraw it (§471.8(b): no data is released on one person's word)`,
    });
    expect(await lastLog('chief1')).toMatchObject({ action: 'release', outcome: 'refused', detail: expect.stringContaining('another Chief or a designee') });
    expect(await (await call('GET', `/api/releases/${own}`, 'aud1')).json()).toMatchObject({ request: { status: 'pending', recordedBy: 'chief1' } });
    const approved = await call('POST', `/api/releases/${own}/decision`, 'chief2', { decision: 'approve', note: 'verified by phone' });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ status: 'approved', recordedBy: 'chief1', decidedBy: 'chief2' });
  });

  it('may be refused (withdrawn) by the chief who recorded it, logged, and counts in the report as refused by the Chief', async () => {
    const own = await recordAsChief();
    const refused = await call('POST', `/api/releases/${own}/decision`, 'chief1', { decision: 'refuse', note: 'recorded in error; withdrawn' });
    expect(refused.status).toBe(200);
    expect(await refused.json()).toMatchObject({ status: 'refused', refusalRule: 'chief', recordedBy: 'chief1', decidedBy: 'chief1', decisionNote: 'recorded in error; withdrawn' });
    expect(await lastLog('chief1')).toMatchObject({ action: 'release', outcome: 'ok', detail: expect.stringContaining('withdrawn') });
    // The two requests of the report above, and the two recorded here: one approved by chief2, one withdrawn.
    const report = (await (await call('GET', '/api/reports/transparency?from=2026-11-01&to=2030-01-01', 'aud1')).json()) as Record<string, unknown>;
    expect(report['releases']).toMatchObject({ received: 4, granted: 2, refused: 2, pending: 0, refusedByRule: { values_act: 1, chief: 1 } });
  });
});

// Last: the transparency counts above are of the requests made before it.
describe('a release package downloaded file by file', () => {
  it('serves every file of a package under the name SHA256SUMS gives it, so that the files saved pass sha256sum -c and match the logged manifest', async () => {
    const r = (await (await call('POST', '/api/releases', 'cust1', { ...request, purpose: 'armed robbery, SCPD case 26-01299' })).json()) as { requestId: string };
    expect((await call('POST', `/api/releases/${r.requestId}/decision`, 'chief1', { decision: 'approve', note: 'verified by phone' })).status).toBe(200);
    const manifest = (await (await call('POST', `/api/releases/${r.requestId}/package`, 'cust1')).json()) as ReleaseManifest;
    const logged = /^manifest\.json SHA-256 ([0-9a-f]{64}) /.exec((await lastLog('cust1')).detail)?.[1];
    const downloads = mkdtempSync(join(tmpdir(), 'platewatch-release-download-'));
    try {
      for (const name of [...manifest.files.map((f) => f.name), 'manifest.json', 'SHA256SUMS']) {
        const res = await call('GET', `/api/releases/${r.requestId}/package/${name}`, 'cust1');
        const saveAs = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? '';
        writeFileSync(join(downloads, saveAs), Buffer.from(await res.arrayBuffer()));
      }
      expect(manifest.files.map((f) => f.name)).toContain('README.txt');
      expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: downloads, encoding: 'utf8' })).toMatch(/detections\.csv: OK[\s\S]*README\.txt: OK\nmanifest\.json: OK\n$/);
      expect(execFileSync('sha256sum', ['manifest.json'], { cwd: downloads, encoding: 'utf8' })).toBe(`${logged}  manifest.json\n`);
    } finally {
      rmSync(downloads, { recursive: true, force: true });
    }
  });
});
