// The releases view in a real browser against the whole system (nats-server, chDB, the gateway):
// the records custodian records a written request and sees it pending, or refused by the rules
// and so recorded; the Chief approves with a note (and cannot refuse without one); the custodian
// produces the package and downloads its files; the auditor reads but is offered nothing to do;
// a refusal by the gateway is shown in its words; a slow answer for a request opened before never
// replaces the one opened last, on which the Chief's decision acts; users without releases.view
// never see the view; a package of one detection said in the singular; the transparency report's
// figures in a table, gone when the next period asked for is refused, in the rows and words of the
// published report files (searches as inquiries, their later pages, refusals by kind); a Chief who
// records a request is offered Refuse (to withdraw it) but not Approve, which another Chief is
// offered; the typed note survives a decision the gateway refuses.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordDisposition, recordHits, saveUser } from '../../storage/index.js';
import { PASSWORD, type ApiSystem } from '../flows/api-system.js';
import { startConsoleSystem, type ConsoleSystem } from './console-system.js';
import { holdAnswer, requestsTo, signInAs, signInNext, watchAnswers } from './browser.js';

// Each test signs in one or two Chromium contexts against the whole system on a loaded 2-core machine.
const BROWSER_TEST_MS = 120_000;
const PLATE = '7REL001';
/** Reads of PLATE seeded for the package and the report: three, from two cameras, a minute apart from SEEN on. */
const READS = 3;
const SEEN = Date.now() - 3_600_000;

let api: ApiSystem;
let browser: Browser;
let consoleSystem: ConsoleSystem | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  const seen = SEEN;
  consoleSystem = await startConsoleSystem([
    { readId: 'rel-r1', agency: 'WPD', camera: 'cam-1', seenAt: seen, plate: PLATE, state: 'CA', confidence: 0.93 },
    { readId: 'rel-r2', agency: 'WPD', camera: 'cam-2', seenAt: seen + 60_000, plate: PLATE, state: 'CA', confidence: 0.9 },
    { readId: 'rel-r3', agency: 'WPD', camera: 'cam-2', seenAt: seen + 120_000, plate: PLATE, state: 'CA', confidence: 0.88 },
  ]);
  ({ api, browser } = consoleSystem);
}, 120_000);

afterAll(async () => {
  await consoleSystem?.stop();
});

interface Console {
  page: Page;
  /** Requests sent so far whose URL path is `path` and method `method`. */
  sent(path: string, method: string): number;
}

async function signIn(user: string): Promise<Console> {
  const { page, requests } = await signInAs(browser, api.base, user, PASSWORD, pageErrors);
  return { page, sent: (path, method) => requestsTo(requests, path, method).length };
}

/** A pending request recorded through the API by the custodian (or `by`): its id. */
async function pendingRequest(purpose: string, by: 'custodian' | 'administrator' = 'custodian'): Promise<string> {
  const now = Date.now();
  const recorded = await api.call('POST', '/api/releases', api.token(by), {
    agency: 'Santa Cruz Police Department', agencyKind: 'local', requester: 'Det. M. Lopez', purpose,
    criteria: { kind: 'plate', plate: PLATE, from: new Date(now - 2 * 3_600_000).toISOString(), to: new Date(now).toISOString() },
  });
  expect(recorded.status).toBe(201);
  expect(recorded.body['status']).toBe('pending');
  return recorded.body['requestId'] as string;
}

/** A request approved by the Chief through the API: its id. */
async function approvedRequest(purpose: string): Promise<string> {
  const id = await pendingRequest(purpose);
  const decided = await api.call('POST', `/api/releases/${id}/decision`, api.token('chief'), { decision: 'approve', note: 'verified by phone' });
  expect(decided.status).toBe(200);
  return id;
}

/** The page's local time `offsetMs` from now, as a datetime-local input takes it. */
function localInput(page: Page, offsetMs: number): Promise<string> {
  return page.evaluate(`(() => {
    const d = new Date(Date.now() + ${offsetMs});
    const pad = (n) => String(n).padStart(2, '0');
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  })()`);
}

async function fillRequest(page: Page, r: { agency: string; state?: string; purpose: string }): Promise<void> {
  const form = page.locator('#release-form');
  await form.getByLabel('Agency', { exact: true }).fill(r.agency);
  await form.getByLabel('Kind of agency').selectOption('local');
  await form.getByLabel("Agency's state").fill(r.state ?? '');
  await form.getByLabel('Requester').fill('Det. A. Ruiz');
  await form.getByLabel('Purpose').fill(r.purpose);
  await form.getByLabel('Plate or pattern').fill(PLATE);
  await form.getByLabel('From').fill(await localInput(page, -2 * 3_600_000));
  await form.getByLabel('To', { exact: true }).fill(await localInput(page, 60_000));
}

/** Opens request `id` from the list and waits until the detail shows it. */
async function openRequest(page: Page, id: string): Promise<void> {
  await page.getByRole('button', { name: `Open release ${id}`, exact: true }).click();
  await page.locator(`#release-detail[data-request-id="${id}"]:not([hidden])`).waitFor();
}

/** The value shown for `field` (data-field, e.g. "status", "note") of the open request. */
function field(page: Page, name: string) {
  return page.locator(`#release-fields dd[data-field="${name}"]`);
}

describe('console releases view', () => {
  it('a records custodian records a request and sees it pending, newest first in the list', async () => {
    const { page } = await signIn('custodian1');
    await page.locator('#releases:not([hidden])').waitFor();
    expect(await page.locator('#no-view').isVisible()).toBe(false);
    await fillRequest(page, { agency: 'Santa Cruz Police Department', purpose: 'armed robbery, SCPD case 26-01234' });
    await page.locator('#release-form').getByLabel('Written request filed as').fill('letter of 2026-11-09');
    await page.getByRole('button', { name: 'Record request' }).click();
    const outcome = page.locator('#release-form-status[data-outcome="pending"]');
    await outcome.waitFor();
    const text = (await outcome.textContent()) ?? '';
    expect(text).toMatch(/^Recorded as REL-[0-9a-f-]+: pending, awaiting the decision of the Chief/);
    const id = /REL-[0-9a-f-]+/.exec(text)?.[0] ?? '';
    expect(await page.locator('#release-form-error').textContent()).toBe('');
    // The form is empty again: sent so, the browser stops it, and this outcome is not left beside it.
    await page.getByRole('button', { name: 'Record request' }).click();
    await expect(page.locator('#release-form-status').textContent()).resolves.toBe('');

    const first = page.locator('#release-table tbody tr').first();
    await page.locator(`#release-table tbody tr[data-request-id="${id}"]`).waitFor();
    expect(await first.getAttribute('data-request-id')).toBe(id);
    const cells = await first.locator('td').allTextContents();
    expect(cells.slice(0, 5)).toEqual([id, 'Santa Cruz Police Department', 'Det. A. Ruiz', 'armed robbery, SCPD case 26-01234', 'pending']);
    expect(cells[5]).not.toBe('');

    await openRequest(page, id);
    await expect(field(page, 'status').textContent()).resolves.toBe('pending');
    await expect(field(page, 'data-asked-for').textContent()).resolves.toMatch(new RegExp(`^plate ${PLATE}, `));
    await expect(field(page, 'written-request').textContent()).resolves.toBe('letter of 2026-11-09');
    await expect(field(page, 'decision').textContent()).resolves.toBe('awaiting the Chief of Police or the designee');
    // The custodian neither decides nor produces a pending request.
    expect(await page.locator('#release-decision').isHidden()).toBe(true);
    expect(await page.locator('#release-produce').isHidden()).toBe(true);

    const stored = await api.call('GET', `/api/releases/${id}`, api.token('auditor'));
    expect((stored.body['request'] as Record<string, unknown>)['status']).toBe('pending');
    expect((stored.body['request'] as Record<string, unknown>)['recordedBy']).toBe('custodian1');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('an immigration-purpose request, and an out-of-state agency, are shown refused and recorded so', async () => {
    const { page } = await signIn('custodian1');
    await fillRequest(page, { agency: 'Salinas Police Department', purpose: 'locate the driver for deportation proceedings' });
    await page.getByRole('button', { name: 'Record request' }).click();
    const refused = page.locator('#release-form-status[data-outcome="refused"]');
    await refused.waitFor();
    const text = (await refused.textContent()) ?? '';
    expect(text).toMatch(/^Refused automatically, and recorded as REL-[0-9a-f-]+: California Values Act .*immigration.*Nothing will be released/);
    expect(await page.locator('#release-form-error').textContent()).toBe('');
    const id = /REL-[0-9a-f-]+/.exec(text)?.[0] ?? '';
    const row = page.locator(`#release-table tbody tr[data-request-id="${id}"]`);
    await row.waitFor();
    await expect(row.locator('td').nth(4).textContent()).resolves.toBe('refused');
    await openRequest(page, id);
    await expect(field(page, 'decision').textContent()).resolves.toMatch(/^refused automatically \(system\) on .*: California Values Act/);
    await expect(field(page, 'note').textContent()).resolves.toMatch(/never shared for immigration enforcement/);

    await fillRequest(page, { agency: 'Reno Police Department', state: 'NV', purpose: 'stolen vehicle, RPD case 26-555' });
    await page.getByRole('button', { name: 'Record request' }).click();
    await expect(page.locator('#release-form-status[data-outcome="refused"]', { hasText: 'out-of-state' }).textContent())
      .resolves.toMatch(/^Refused automatically, and recorded as REL-.*out-of-state agency \(NV\)/);

    const list = await api.call('GET', '/api/releases?status=refused', api.token('auditor'));
    const refusedIds = (list.body['releases'] as Array<{ requestId: string; refusalRule: string }>).filter((r) => r.requestId === id);
    expect(refusedIds).toEqual([expect.objectContaining({ requestId: id, refusalRule: 'values_act' })]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('the Chief cannot refuse without a note, and approves with one, sent once however often clicked', async () => {
    const id = await pendingRequest('hit and run, SCPD case 26-01300');
    const c = await signIn('chief1');
    const { page } = c;
    await page.locator('#releases:not([hidden])').waitFor();
    await page.getByLabel('Status').selectOption('pending');
    await openRequest(page, id);
    const decisionPath = `/api/releases/${id}/decision`;

    await page.getByRole('button', { name: `Refuse release ${id}`, exact: true }).click();
    await expect(page.locator('#release-detail-error').textContent()).resolves.toMatch(/a refusal needs the reason/);
    expect(c.sent(decisionPath, 'POST')).toBe(0);

    await page.getByLabel('Decision note').fill('verified with SCPD by phone');
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === decisionPath);
    await page.getByRole('button', { name: `Approve release ${id}`, exact: true }).dblclick();
    expect((await answered).status()).toBe(200);
    await page.locator('#release-detail-status', { hasText: 'Approved' }).waitFor();
    await expect(field(page, 'status').textContent()).resolves.toBe('approved');
    // The decision form went with the decision: the keyboard is on the request, not the page's start.
    expect(await page.evaluate('document.activeElement?.id')).toBe('release-detail-title');
    await expect(field(page, 'decision').textContent()).resolves.toMatch(/^approved by chief1 on /);
    await expect(field(page, 'note').textContent()).resolves.toBe('verified with SCPD by phone');
    await expect(page.locator('#release-history li').count()).resolves.toBe(2);
    expect(await page.locator('#release-detail-error').textContent()).toBe('');
    expect(c.sent(decisionPath, 'POST')).toBe(1);
    // Decided: no more decision controls; and the Chief does not produce packages (evidence.export).
    expect(await page.locator('#release-decision').isHidden()).toBe(true);
    expect(await page.getByRole('button', { name: `Produce the package of release ${id}` }).count()).toBe(0);

    const stored = await api.call('GET', `/api/releases/${id}`, api.token('auditor'));
    expect(stored.body['request']).toMatchObject({ status: 'approved', decidedBy: 'chief1', decisionNote: 'verified with SCPD by phone' });
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('the custodian produces the package of an approved request and its file links download the files', async () => {
    const id = await approvedRequest('armed robbery, SCPD case 26-01400');
    const { page } = await signIn('custodian1');
    await openRequest(page, id);
    await page.getByRole('button', { name: `Produce the package of release ${id}`, exact: true }).click();
    await page.locator('#release-package:not([hidden])').waitFor();
    await page.locator('#release-detail-status', { hasText: `Package produced: ${READS} detections; release ${id} is now released.` }).waitFor();
    expect(await page.evaluate('document.activeElement?.id')).toBe('release-package-title');
    await expect(field(page, 'status').textContent()).resolves.toBe('released');
    await expect(page.locator(`#release-table tbody tr[data-request-id="${id}"] td`).nth(4).textContent()).resolves.toBe('released');
    expect(await page.locator('#release-produce').isHidden()).toBe(true);

    const csvRow = page.locator('#release-files tbody tr', { hasText: 'detections.csv' });
    const digest = await csvRow.locator('td').nth(2).textContent();
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: `Download detections.csv of release ${id}`, exact: true }).click(),
    ]);
    // The name SHA256SUMS gives it, so `sha256sum -c SHA256SUMS` checks the files saved (found by QA).
    expect(download.suggestedFilename()).toBe('detections.csv');
    const saved = readFileSync((await download.path()) ?? '');
    expect(createHash('sha256').update(saved).digest('hex')).toBe(digest);
    // A byte-order mark first, for Excel (storage/package-csv.ts).
    expect([...saved.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = saved.toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(READS + 1);
    expect(lines.slice(1).every((l) => l.includes(PLATE))).toBe(true);

    // The link itself, fetched in the page with the session, serves the same file.
    const fetched = await page.evaluate<{ status: number; text: string }>(`(async () => {
      const a = document.querySelector('#release-files a[download="detections.csv"]');
      const res = await fetch(a.href, { headers: { authorization: 'Bearer ' + sessionStorage.getItem('platewatch.token') } });
      return { status: res.status, text: await res.text() };
    })()`);
    expect(fetched.status).toBe(200);
    // text() drops the byte-order mark; the bytes were compared with the manifest's SHA-256 above.
    expect(fetched.text).toBe(saved.toString('utf8').replace(/^\uFEFF/, ''));

    const [sums] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: `Download SHA256SUMS of release ${id}`, exact: true }).click(),
    ]);
    expect(readFileSync((await sums.path()) ?? '', 'utf8')).toContain(`${digest}  detections.csv`);
    await page.locator('#release-detail-status', { hasText: 'Downloaded SHA256SUMS' }).waitFor();

    // A file listed in the manifest is checked against its SHA-256 before it is saved.
    await page.getByRole('link', { name: `Download detections.json of release ${id}`, exact: true }).click();
    await expect(page.locator('#release-detail-status', { hasText: 'Downloaded detections.json' }).textContent()).resolves.toContain('checked against its SHA-256 in the manifest');
    await page.route('**/package/detections.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '[]' }));
    await page.getByRole('link', { name: `Download detections.json of release ${id}`, exact: true }).click();
    await expect(page.locator('#release-detail-error', { hasText: /./ }).textContent()).resolves.toBe('Not saved (detections.json): the file received does not match its SHA-256 in the manifest. Download it again.');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a package of one detection says so in the singular, in the summary and in the history', async () => {
    // The first read only.
    const first = SEEN;
    const recorded = await api.call('POST', '/api/releases', api.token('custodian'), {
      agency: 'Watsonville Police Department', agencyKind: 'local', requester: 'Det. M. Lopez', purpose: 'one sighting, WPD case 26-01500',
      criteria: { kind: 'plate', plate: PLATE, from: new Date(first - 600_000).toISOString(), to: new Date(first + 30_000).toISOString() },
    });
    expect(recorded.status).toBe(201);
    const id = recorded.body['requestId'] as string;
    expect((await api.call('POST', `/api/releases/${id}/decision`, api.token('chief'), { decision: 'approve', note: 'verified by phone' })).status).toBe(200);
    const produced = await api.call('POST', `/api/releases/${id}/package`, api.token('custodian'));
    expect(produced.status).toBe(201);
    expect(produced.body['detections']).toBe(1);
    const { page } = await signIn('custodian1');
    await openRequest(page, id);
    await expect(page.locator('#release-package-summary').textContent()).resolves.toMatch(/^1 detection for Watsonville Police Department,/);
    await expect(page.locator('#release-history').textContent()).resolves.toMatch(/\(1 detection\)/);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('an auditor reads the requests and the package manifest, but is offered nothing to record, decide, produce or download', async () => {
    const pending = await pendingRequest('burglary series, SCPD case 26-01500');
    const released = await approvedRequest('carjacking, SCPD case 26-01600');
    expect((await api.call('POST', `/api/releases/${released}/package`, api.token('custodian'))).status).toBe(201);
    const { page } = await signIn('auditor1');
    await page.getByRole('button', { name: 'Releases', exact: true }).click();
    await page.locator(`#release-table tbody tr[data-request-id="${released}"]`).waitFor();
    await page.locator(`#release-table tbody tr[data-request-id="${pending}"]`).waitFor();
    expect(await page.locator('#release-record').isHidden()).toBe(true);
    expect(await page.getByRole('button', { name: 'Record request' }).count()).toBe(0);
    // One "Open" a row, each named for its request.
    const opens = await page.locator('#release-table button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')));
    expect(opens).toContain(`Open release ${released}`);
    expect(new Set(opens).size).toBe(opens.length);

    await openRequest(page, pending);
    await expect(field(page, 'status').textContent()).resolves.toBe('pending');
    expect(await page.getByRole('button', { name: /^(Approve|Refuse) release / }).count()).toBe(0);

    await openRequest(page, released);
    await expect(field(page, 'status').textContent()).resolves.toBe('released');
    await page.locator('#release-package:not([hidden])').waitFor();
    await expect(page.locator('#release-files tbody tr').first().locator('td').first().textContent()).resolves.toBe('detections.csv');
    expect(await page.getByRole('button', { name: /^Produce the package/ }).count()).toBe(0);
    expect(await page.locator('#release-files a').count()).toBe(0);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('the gateway is the authority: a decision it refuses shows its 403 message and changes nothing, and the note typed is kept', async () => {
    // Recorded by another member: the custodian is offered Approve, as a chief would be.
    const id = await pendingRequest('vandalism, SCPD case 26-01700', 'administrator');
    const { page } = await signIn('custodian1');
    // A page that believes it may decide (as one whose roles were changed since sign-in would).
    await page.evaluate(`(() => {
      const p = JSON.parse(sessionStorage.getItem('platewatch.permissions'));
      sessionStorage.setItem('platewatch.permissions', JSON.stringify([...p, 'releases.decide']));
    })()`);
    await page.reload();
    await openRequest(page, id);
    const finished = await watchAnswers(page);
    // The request is read again after the refusal, and drawn as it stands.
    const reread = page.waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname === `/api/releases/${id}`);
    await page.getByLabel('Decision note').fill('looks fine');
    await page.getByRole('button', { name: `Approve release ${id}`, exact: true }).click();
    await expect(page.locator('#release-detail-error', { hasText: /./ }).textContent()).resolves.toBe('Not recorded: "releases.decide" needs one of the roles chief');
    await reread;
    await finished(`/api/releases/${id}`);
    await expect(field(page, 'status').textContent()).resolves.toBe('pending');
    // What was typed is kept for the next try.
    await expect(page.getByLabel('Decision note').inputValue()).resolves.toBe('looks fine');
    const stored = await api.call('GET', `/api/releases/${id}`, api.token('auditor'));
    expect((stored.body['request'] as Record<string, unknown>)['status']).toBe('pending');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a request opened before, answered late, does not replace the one opened last: the Chief decides on the request shown', async () => {
    const before = await pendingRequest('stolen vehicle, SCPD case 26-01800');
    const last = await pendingRequest('stolen vehicle, SCPD case 26-01801');
    const { page } = await signIn('chief1');
    const finished = await watchAnswers(page);
    const slow = await holdAnswer(page, `**/api/releases/${before}`);
    await page.getByRole('button', { name: `Open release ${before}`, exact: true }).click();
    await slow.sent;
    await openRequest(page, last);
    expect((await slow.release()).status()).toBe(200);
    await finished(`/api/releases/${before}`);

    await expect(page.locator('#release-detail').getAttribute('data-request-id')).resolves.toBe(last);
    await expect(page.locator('#release-detail-title').textContent()).resolves.toBe(`Request ${last}`);
    await expect(field(page, 'purpose').textContent()).resolves.toBe('stolen vehicle, SCPD case 26-01801');
    await page.getByLabel('Decision note').fill('verified with SCPD by phone');
    await page.getByRole('button', { name: `Approve release ${last}`, exact: true }).click();
    await page.locator('#release-detail-status', { hasText: `Approved: release ${last} is now approved` }).waitFor();
    const stored = async (id: string) => ((await api.call('GET', `/api/releases/${id}`, api.token('auditor'))).body['request'] as Record<string, unknown>)['status'];
    await expect(stored(last)).resolves.toBe('approved');
    await expect(stored(before)).resolves.toBe('pending');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a Chief who records a request is told another Chief or designee approves it, is offered Refuse but not Approve, and withdraws it', async () => {
    const c = await signIn('chief1');
    const { page } = c;
    await page.locator('#releases:not([hidden])').waitFor();
    await fillRequest(page, { agency: 'Santa Cruz Police Department', purpose: 'burglary, SCPD case 26-01900' });
    await page.getByRole('button', { name: 'Record request' }).click();
    const outcome = page.locator('#release-form-status[data-outcome="pending"]');
    await outcome.waitFor();
    const text = (await outcome.textContent()) ?? '';
    expect(text).toMatch(/^Recorded as REL-[0-9a-f-]+: pending, awaiting the decision of another Chief or a designee; you may refuse it to withdraw it\.$/);
    const id = /REL-[0-9a-f-]+/.exec(text)?.[0] ?? '';
    await page.locator(`#release-table tbody tr[data-request-id="${id}"]`).waitFor();

    await openRequest(page, id);
    await expect(field(page, 'recorded-by').textContent()).resolves.toBe('chief1');
    expect(await page.locator('#release-decision').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: `Approve release ${id}`, exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: `Refuse release ${id}`, exact: true }).isVisible()).toBe(true);
    await expect(page.locator('#release-own-request').textContent()).resolves.toBe('You recorded this request: another Chief or designee approves it; you may refuse it to withdraw it.');
    expect(await page.locator('#release-own-request').isVisible()).toBe(true);

    await page.getByLabel('Decision note').fill('recorded in error; withdrawn');
    const decisionPath = `/api/releases/${id}/decision`;
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === decisionPath);
    await page.getByRole('button', { name: `Refuse release ${id}`, exact: true }).click();
    expect((await answered).status()).toBe(200);
    await page.locator('#release-detail-status', { hasText: 'Refused' }).waitFor();
    await expect(field(page, 'status').textContent()).resolves.toBe('refused');
    await expect(field(page, 'decision').textContent()).resolves.toMatch(/^refused by chief1 on /);
    expect(await page.locator('#release-decision').isHidden()).toBe(true);
    expect(c.sent(decisionPath, 'POST')).toBe(1);
    const stored = await api.call('GET', `/api/releases/${id}`, api.token('auditor'));
    expect(stored.body['request']).toMatchObject({ status: 'refused', recordedBy: 'chief1', decidedBy: 'chief1', refusalRule: 'chief' });
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('another Chief is offered Approve and Refuse on a request the first recorded, and approves it', async () => {
    await saveUser(api.system.storage, { userId: 'chief2', name: 'chief two', title: 'Deputy Chief', roles: ['chief'], trainedAt: '2026-01-15', active: true }, 'setup');
    await api.system.credentials.setPassword('chief2', PASSWORD, 'setup');
    const now = Date.now();
    const recorded = await api.call('POST', '/api/releases', api.token('chief'), {
      agency: 'Santa Cruz Police Department', agencyKind: 'local', requester: 'Det. M. Lopez', purpose: 'burglary, SCPD case 26-02000',
      criteria: { kind: 'plate', plate: PLATE, from: new Date(now - 2 * 3_600_000).toISOString(), to: new Date(now).toISOString() },
    });
    expect(recorded.body).toMatchObject({ status: 'pending', recordedBy: 'chief1' });
    const id = recorded.body['requestId'] as string;
    const { page } = await signIn('chief2');
    await page.locator('#releases:not([hidden])').waitFor();
    await openRequest(page, id);
    expect(await page.getByRole('button', { name: `Approve release ${id}`, exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: `Refuse release ${id}`, exact: true }).isVisible()).toBe(true);
    expect(await page.locator('#release-own-request').isHidden()).toBe(true);
    await page.getByLabel('Decision note').fill('verified with SCPD by phone');
    await page.getByRole('button', { name: `Approve release ${id}`, exact: true }).click();
    await page.locator('#release-detail-status', { hasText: `Approved: release ${id} is now approved` }).waitFor();
    const stored = await api.call('GET', `/api/releases/${id}`, api.token('auditor'));
    expect(stored.body['request']).toMatchObject({ status: 'approved', recordedBy: 'chief1', decidedBy: 'chief2' });
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('users without releases.view (dispatcher, officer, analyst) do not see the view; the administrator, who holds it, does', async () => {
    // One workstation, each user in turn (signInNext).
    const users = ['dispatcher1', 'officer1', 'analyst1', 'administrator1'];
    const { page } = await signIn(users[0] as string);
    for (const [i, user] of users.entries()) {
      if (i > 0) await signInNext(page, user, PASSWORD);
      await page.locator('#connection[data-state="live"]').waitFor();
      const holds = user === 'administrator1';
      expect(await page.getByRole('button', { name: 'Releases', exact: true }).count(), user).toBe(holds ? 1 : 0);
      expect(await page.locator('#releases').isHidden(), user).toBe(true);
      if (holds) {
        await page.getByRole('button', { name: 'Releases', exact: true }).click();
        await page.locator('#releases:not([hidden]) #release-table:not([hidden])').waitFor();
        expect(await page.locator('#dispatch').isHidden()).toBe(true);
      }
    }
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('the transparency report shows its figures for the period asked', async () => {
    const { page } = await signIn('chief1');
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const panel = page.locator('#report');
    await panel.getByLabel('From').fill(yesterday);
    await panel.getByLabel('Through').fill(today);
    await panel.getByRole('button', { name: 'Show report' }).click();
    const table = page.locator('#report-table:not([hidden])');
    await table.waitFor();
    const figure = (label: string) => table.locator('tr', { has: page.locator('th', { hasText: new RegExp(`^${label}$`) }) }).locator('td');
    await expect(figure('Plate reads').textContent()).resolves.toBe(String(READS));
    await expect(figure('Cameras reporting').textContent()).resolves.toBe('2');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const report = await api.call('GET', `/api/reports/transparency?from=${yesterday}&to=${tomorrow}`, api.token('auditor'));
    const releases = report.body['releases'] as { received: number; refused: number };
    await expect(figure('Received').textContent()).resolves.toBe(String(releases.received));
    await expect(figure('Refused').textContent()).resolves.toBe(String(releases.refused));
    await expect(table.locator('caption').textContent()).resolves.toMatch(new RegExp(`^Transparency report, ${yesterday} through ${today} \\(UTC\\)`));
    expect(await table.textContent()).not.toContain(PLATE);

    // A period refused (its last day before its first) leaves no earlier period's figures beside the error.
    await panel.getByLabel('From').fill(today);
    await panel.getByLabel('Through').fill(yesterday);
    await panel.getByRole('button', { name: 'Show report' }).click();
    await expect(page.locator('#report-error', { hasText: /./ }).textContent()).resolves.toBe('The last day comes before the first.');
    expect(await page.locator('#report-table').isHidden()).toBe(true);
    expect((await page.locator('#report-table').textContent())?.trim()).toBe('');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('the transparency report reads as the published report files: its inquiries, later pages, refusals by kind and release refusals', async () => {
    const period = { from: new Date(SEEN - 3_600_000).toISOString(), to: new Date().toISOString() };
    const search = (role: 'analyst' | 'dispatcher', body: Record<string, unknown>) => api.call('POST', '/api/detections/search', api.token(role), { plate: PLATE, ...period, ...body });
    // One inquiry of two pages ("Older results" once), one documented by a reason only, and a
    // refusal of each kind the report names.
    const first = await search('analyst', { caseNumber: 'WPD-26-0471', limit: 1 });
    expect(first.status).toBe(200);
    expect(first.body['nextCursor']).not.toBeNull();
    expect((await search('analyst', { caseNumber: 'WPD-26-0471', limit: 1, before: first.body['nextCursor'] })).status).toBe(200);
    expect((await search('analyst', { reason: 'stolen vehicle follow-up' })).status).toBe(200);
    expect((await search('analyst', {})).status).toBe(400);
    expect((await search('analyst', { reason: 'ICE detainer' })).status).toBe(403);
    expect((await search('dispatcher', { caseNumber: 'WPD-26-0472' })).status).toBe(403);
    const refusedId = await pendingRequest('vehicle of interest, SCPD case 26-03000');
    expect((await api.call('POST', `/api/releases/${refusedId}/decision`, api.token('chief'), { decision: 'refuse', note: 'no case shown' })).status).toBe(200);
    // Two hits answered: the report names the answers as the cards' buttons do, in their order.
    const { storage } = api.system;
    for (const [hitId, disposition] of [['rep-h1', 'not_located'], ['rep-h2', 'confirmed']] as const) {
      await recordHits(storage, [{
        hitId, readId: hitId, agency: 'WPD', camera: 'cam-1', seenAt: Date.now(), plate: PLATE, list: 'SVS', entryId: PLATE, entryVersion: 1,
        matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
      }]);
      await recordDisposition(storage, { hitId, seenAt: Date.now(), user: 'officer1', visualVerified: true, cletsVerified: true, notes: '', disposition });
    }

    const { page } = await signIn('chief1');
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const panel = page.locator('#report');
    await panel.getByLabel('From').fill(yesterday);
    await panel.getByLabel('Through').fill(today);
    await panel.getByRole('button', { name: 'Show report' }).click();
    await page.locator('#report-table:not([hidden])').waitFor();
    // The table as lines: "## Section" for a section, "label | figure" for a row.
    const shown = await page.locator('#report-table tbody tr').evaluateAll((rows) => rows.map((tr) => {
      const cells = [...tr.children].map((c) => c.textContent ?? '');
      return cells.length === 1 ? `## ${cells[0]}` : cells.join(' | ');
    }));

    const query = `from=${yesterday}&to=${tomorrow}`;
    const report = await api.call('GET', `/api/reports/transparency?${query}`, api.token('auditor'));
    expect(report.body['searches']).toMatchObject({
      withCaseNumber: 1, reasonOnly: 1, laterPages: 1, refused: 3, refusedNoPurpose: 1, refusedProhibitedPurpose: 1, refusedUser: 1, refusedOther: 0,
    });
    expect(shown).toEqual(expect.arrayContaining([
      'Searches documented with a case or incident number | 1',
      'Searches documented with a reason only | 1',
      'Later pages of those searches (not counted as searches) | 1',
      'Searches refused: no case or incident number or reason given | 1',
      'Searches refused: a prohibited purpose (immigration enforcement or personal use) | 1',
      'Searches refused: user not trained, active or authorised | 1',
    ]));
    expect(shown.slice(shown.indexOf('## Hit dispositions recorded'), shown.indexOf('## Detection searches'))).toEqual([
      '## Hit dispositions recorded', 'Confirmed and acted on | 1', 'Could not locate | 1',
    ]);
    const chiefRefusals = (report.body['releases'] as { refusedByRule: Record<string, number> }).refusedByRule['chief'];
    expect(shown).toContain(`Refused by the Chief of Police or designee | ${chiefRefusals}`);
    expect(shown.join('\n')).not.toMatch(/\bnone\b|Searches refused for another reason|refused:? refused|Refused \(no purpose/i);

    // Row for row, word for word, the Markdown file the gateway writes for the same period.
    const markdown = await fetch(`${api.base}/api/reports/transparency?${query}&format=markdown`, { headers: { authorization: `Bearer ${api.token('auditor')}` } });
    expect(markdown.status).toBe(200);
    const published = (await markdown.text()).split('\n').flatMap((line) => {
      if (line.startsWith('## ')) return [line];
      const row = /^\| (.+) \| (.+) \|$/.exec(line);
      return row === null ? [] : [`${row[1]} | ${row[2]}`];
    });
    expect(shown).toEqual(published);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
