// The analyst's and the administrator's views in a real browser against the whole system: the
// views follow the user's roles, a search without a purpose is stopped with the policy's reason,
// a search with one shows results and the access log record, and the admin view shows users with
// their training status, each part only to the roles it is for (asking for no other), and a
// covert list only as the gateway lets each user see it; every view fits a 400 px window, long
// unbroken values included.
import { pack } from 'msgpackr';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessRecords, PASSWORD, type ApiSystem } from '../flows/api-system.js';
import { hitMessage, publishHit } from '../gateway/harness.js';
import { readsSubject } from '../../ingest/index.js';
import { startConsoleSystem, type ConsoleSystem } from './console-system.js';
import { until } from '../reliability/fixtures.js';
import { requestsTo, signInAs, signInNext } from './browser.js';

// Each test signs two to four users in turn (signInNext: the next user of the same workstation, a
// context of its own costing Chromium twice as much) against the whole system (nats-server, chDB,
// the list builder's worker thread): 30 s was short for that on a loaded 2-core machine.
const BROWSER_TEST_MS = 120_000;

let api: ApiSystem;
let browser: Browser;
let consoleSystem: ConsoleSystem | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  const seen = Date.now() - 3_600_000;
  // NARC is covert: only analyst1 is named for it (administrator1 is not).
  consoleSystem = await startConsoleSystem([
    { readId: 'view-r1', agency: 'WPD', camera: 'cam-7', seenAt: seen, plate: '8KLM456', state: 'CA', confidence: 0.91 },
    { readId: 'view-r2', agency: 'WPD', camera: 'cam-8', seenAt: seen + 60_000, plate: '8KLM458', state: 'CA', confidence: 0.85, heading: 142.5, vehicleYear: 2019, vehicleMake: 'Toyota', vehicleColor: 'white' },
  ], { hits: { escalateAfterMinutes: 5, covertLists: { NARC: ['analyst1'] } } });
  ({ api, browser } = consoleSystem);
}, 120_000);

afterAll(async () => {
  await consoleSystem?.stop();
});

async function signIn(user: string): Promise<Page> {
  return (await signInAs(browser, api.base, user, PASSWORD, pageErrors)).page;
}

/** The admin view's parts (console/index.html) a user is shown. */
async function adminParts(page: Page): Promise<string[]> {
  return page.locator('#admin > section:not([hidden])').evaluateAll((els) => els.map((el) => el.id));
}

/** The widest the page is (CSS px): wider than the window means the page scrolls sideways. */
function pageWidth(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth');
}

/** Each table whose own content is wider than the box it scrolls in (so its cells did not wrap). */
function tablesWiderThanTheirBox(page: Page): Promise<string[]> {
  return page.locator('.table-scroll').evaluateAll((boxes) => boxes.filter((box) => box.scrollWidth > box.clientWidth).map((box) => box.querySelector('table')?.id ?? '?'));
}

/** At the page's window width, nothing scrolls sideways and Sign out can be seen and clicked. */
async function expectFits(page: Page, width: number, what: string): Promise<void> {
  expect(await pageWidth(page), what).toBeLessThanOrEqual(width);
  const signOut = page.getByRole('button', { name: 'Sign out' });
  await signOut.click({ trial: true });
  const box = await signOut.boundingBox();
  expect(box !== null && box.x >= 0 && box.x + box.width <= width, `${what}: Sign out within the window`).toBe(true);
}

describe('console views by role', () => {
  it('an analyst searches: refused without a purpose, results and the access record with one', async () => {
    const page = await signIn('analyst1');
    // An analyst sees hits but records no disposition: they land on Search, their main work.
    await page.locator('#search:not([hidden])').waitFor();
    await expect(page.locator('#dispatch').isHidden()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page.locator('#search .logged-notice').textContent()).resolves.toMatch(/recorded in the access log/);
    await page.locator('#search-plate').fill('8KLM45?');
    await page.getByRole('button', { name: 'Run search', exact: true }).click();
    await expect(page.locator('#search-error').textContent()).resolves.toMatch(/case or incident number and\/or a reason/);

    await page.locator('#search-reason').fill('stolen vehicle follow-up');
    await page.getByRole('button', { name: 'Run search', exact: true }).click();
    await page.locator('#search-results:not([hidden]) tbody tr').nth(1).waitFor();
    const plates = await page.locator('#search-results tbody td.plate-cell').allTextContents();
    expect(plates).toEqual(['8KLM458', '8KLM456']);
    // The model year and the direction of travel go with the vehicle, and only where the camera sent them.
    const vehicles = await page.locator('#search-results tbody tr').evaluateAll((rows) => rows.map((tr) => tr.children[tr.children.length - 2]?.textContent));
    expect(vehicles).toEqual(['white 2019 Toyota, heading 142.5° SE', '']);
    await expect(page.locator('#search-status').textContent()).resolves.toMatch(/2 detections, newest first\. Recorded in the access log as record \d+/);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a camera name longer than the gateway takes is stopped in the form with the limit, not sent, and the last results go', async () => {
    const { page, requests } = await signInAs(browser, api.base, 'analyst1', PASSWORD, pageErrors);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#search-plate').fill('8KLM45?');
    await page.locator('#search-reason').fill('stolen vehicle follow-up');
    await page.getByRole('button', { name: 'Run search', exact: true }).click();
    await page.locator('#search-results:not([hidden]) tbody tr').nth(1).waitFor();
    await page.locator('#search-cameras').fill(`cam-7, ${'x'.repeat(201)}`);
    await page.getByRole('button', { name: 'Run search', exact: true }).click();
    await expect(page.locator('#search-error', { hasText: /./ }).textContent()).resolves.toMatch(/^A camera name is at most 200 characters; "x{24}…" has 201\./);
    expect(requestsTo(requests, '/api/detections/search', 'POST')).toHaveLength(1);
    // The last search's results are not left beside the error as if they were this one's answer.
    expect(await page.locator('#search-results tbody tr').count()).toBe(0);
    expect(await page.locator('#search-status').textContent()).toBe('');
    expect(await page.locator('#hold').isHidden()).toBe(true);
    // At the limit, it goes.
    await page.locator('#search-cameras').fill(`cam-7, ${'x'.repeat(200)}`);
    await page.getByRole('button', { name: 'Run search', exact: true }).click();
    await page.locator('#search-status', { hasText: 'Recorded in the access log' }).waitFor();
    expect(await page.locator('#search-error').textContent()).toBe('');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('an administrator sees users with training status; an auditor sees users but no dispatch or search', async () => {
    const { page: admin, requests } = await signInAs(browser, api.base, 'administrator1', PASSWORD, pageErrors);
    await admin.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await admin.locator('#admin:not([hidden])').waitFor();
    await admin.locator('#users:not([hidden]) tbody tr').first().waitFor();
    const lapsedRow = admin.locator('#users tbody tr', { hasText: 'lapsed' });
    await expect(lapsedRow.locator('.badge').textContent()).resolves.toBe('expired');
    const rookieRow = admin.locator('#users tbody tr', { hasText: 'rookie' });
    await expect(rookieRow.locator('.badge').textContent()).resolves.toBe('untrained');
    expect(await adminParts(admin)).toEqual(['lists-part', 'manage-lists', 'submit-part', 'approvals-part', 'users-part', 'refused-part']);

    const sentBefore = requests.length;
    await signInNext(admin, 'auditor1', PASSWORD);
    const auditor = admin;
    // An auditor lands on the Audit view (audit.test.ts); the users are one click away.
    await auditor.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await auditor.locator('#users:not([hidden]) tbody tr').first().waitFor();
    expect(await auditor.locator('#views button[data-view="dispatch"]').isHidden()).toBe(true);
    expect(await auditor.locator('#views button[data-view="search"]').isHidden()).toBe(true);
    expect(await auditor.locator('#dispatch').isHidden()).toBe(true);
    // Only the users: no hot lists, no entry form to submit, no approvals, and none of them asked for.
    expect(await adminParts(auditor)).toEqual(['users-part']);
    for (const path of ['/api/hotlists', '/api/hotlists/approvals']) expect(requestsTo(requests.slice(sentBefore), path, 'GET'), path).toHaveLength(0);

    // A dispatcher sees the hot lists (their age: is a hit on a stale list?) and nothing else of the view.
    await signInNext(auditor, 'dispatcher1', PASSWORD);
    const dispatcher = auditor;
    await dispatcher.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await dispatcher.locator('#lists:not([hidden]) tbody tr').first().waitFor();
    expect(await adminParts(dispatcher)).toEqual(['lists-part']);
    await dispatcher.context().close();
    // Neither was refused anything: a part they may not use is not asked for, so the audit finds no violation.
    for (const user of ['auditor1', 'dispatcher1']) expect(await accessRecords(api, user, 'refused'), user).toEqual([]);
  }, BROWSER_TEST_MS);

  it('an officer submits a BOLO entry; the administrator approves it; the list is published with it', async () => {
    const designated = await api.call('POST', '/api/hotlists', api.token('administrator'), { list: 'BOLO', purpose: 'department be-on-the-lookout list' });
    expect(designated.status).toBe(201);
    const officer = await signIn('officer1');
    await officer.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await officer.locator('#entry-list option[value="BOLO"]').waitFor({ state: 'attached' });
    await officer.locator('#entry-plate').fill('6TRJ244');
    await officer.locator('#entry-state').fill('CA');
    await officer.locator('#entry-case').fill('26-004211');
    await officer.locator('#entry-synopsis').fill('gray sedan, robbery suspect');
    await officer.getByRole('button', { name: 'Submit for approval' }).click();
    await officer.locator('#entry-status', { hasText: 'Submitted' }).waitFor();
    await expect(officer.locator('#entry-status').textContent()).resolves.toMatch(/Submitted 6TRJ244 to BOLO as entry .*matches once an administrator approves it/);
    // An officer cannot approve: that part of the view is not shown.
    expect(await officer.locator('#approvals-part').isHidden()).toBe(true);

    await signInNext(officer, 'administrator1', PASSWORD);
    const admin = officer;
    await admin.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    const row = admin.locator('#approvals tbody tr', { hasText: '6TRJ244' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/new entry \(administrator approves\)/);
    // Designated, nothing approved yet: not "never loaded" and "current", as a download would be.
    const boloCells = () => admin.locator('#lists tbody tr', { hasText: 'BOLO' }).locator('td').allTextContents();
    expect((await boloCells()).slice(3)).toEqual(['no entry approved yet', '', '—']);
    await row.getByRole('button', { name: 'Approve 6TRJ244 (CA) on BOLO', exact: true }).click();
    await admin.locator('#approvals-status', { hasText: 'Nothing waiting for approval.' }).waitFor();
    // The list table reloads after the approval's answer: wait for it to show the published entry.
    const bolo = admin.locator('#lists tbody tr', { hasText: 'BOLO' });
    await bolo.locator('td:nth-child(3)', { hasText: /^1$/ }).waitFor();
    // Published by the approval: said once, not "by approval by administrator1".
    expect((await boloCells())[3]).toMatch(/, on approval by administrator1$/);
    expect((await boloCells())[5]).toBe('current');
    await admin.context().close();
    // And the matcher has it (NATS's watch, then a build in a worker thread).
    await until('the approved BOLO entry in the matcher', () => (api.system.matcher.lists().some((l) => l.list === 'BOLO' && l.entries === 1) ? true : undefined), 30_000);
    expect(api.system.matcher.lists().find((l) => l.list === 'BOLO')?.entries).toBe(1);
  }, BROWSER_TEST_MS);

  it('an administrator designates a case list and loads a general list from a file; an officer sees neither form', async () => {
    const admin = await signIn('administrator1');
    await admin.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await admin.locator('#manage-lists:not([hidden])').waitFor();

    await admin.locator('#designate-list').fill('CASE-12');
    await admin.locator('#designate-purpose').fill('Vehicles seen near the burglaries of case 26-1207');
    await admin.getByRole('button', { name: 'Designate', exact: true }).click();
    await admin.locator('#designate-status', { hasText: 'CASE-12 is designated' }).waitFor();
    await admin.locator('#entry-list option[value="CASE-12"]').waitFor({ state: 'attached' });
    // A general list's purpose is recorded, and the page does not promise member entries for it.
    await admin.locator('#designate-list').fill('SVS');
    await admin.locator('#designate-purpose').fill('Stolen vehicles from the state system, downloaded daily');
    await admin.getByRole('button', { name: 'Designate', exact: true }).click();
    await admin.locator('#designate-status', { hasText: 'SVS is a general list: its purpose is recorded' }).waitFor();
    await expect(admin.locator('#designate-status').textContent()).resolves.not.toMatch(/members can now submit/);
    // A purpose the law forbids is refused with the reason.
    await admin.locator('#designate-list').fill('ICE-HOLDS');
    await admin.locator('#designate-purpose').fill('Vehicles wanted by the field office');
    await admin.getByRole('button', { name: 'Designate', exact: true }).click();
    await expect(admin.locator('#designate-error', { hasText: 'Not designated' }).textContent()).resolves.toMatch(/7284\.6/);

    const header = 'plate,state,list,reason,case_number,entered_by,synopsis\n';
    // No general list has been loaded yet: the alarm names SLR among them.
    await expect.poll(() => admin.locator('#stale-alarm').textContent()).toContain('SLR (never loaded)');
    await admin.locator('#load-list').selectOption('SLR');
    await admin.locator('#load-file').setInputFiles({ name: 'slr.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}5LDR321,CA,SLR,Stolen plate,V26-1,CA0440500,\n!!,CA,SLR,Stolen plate,V26-2,CA0440500,\nQAIVF09,CA,SLR,NCIC MKE EIV,V26-9,CA0440500,\n`) });
    await admin.getByRole('button', { name: 'Load', exact: true }).click();
    await admin.locator('#load-status', { hasText: 'SLR is now version 1' }).waitFor();
    await expect(admin.locator('#load-status').textContent()).resolves.toMatch(/1 entry from 3 rows \(1 added, 0 removed\)\. 1 row not loaded: line 3: .*1 immigration record dropped \(Gov\. Code § 7284\.6\): line 4\.$/);
    await admin.locator('#lists tbody tr', { hasText: 'SLR' }).locator('td:nth-child(3)', { hasText: /^1$/ }).waitFor();
    // The alarm follows at once: SLR is current now (its next check is minutes away).
    await expect.poll(() => admin.locator('#stale-alarm').textContent()).not.toContain('SLR');
    await expect(admin.locator('#stale-alarm').textContent()).resolves.toContain('SFR (never loaded)');
    await until('SLR in the matcher', () => (api.system.matcher.matchRead({ id: 'probe', plate: '5LDR321' }, Date.now()).length > 0 ? true : undefined), 30_000);
    expect(api.system.matcher.matchRead({ id: 'probe', plate: '5LDR321' }, Date.now())).toHaveLength(1);

    // A file over the gateway's JSON limit loads too: the view sends the file itself, as a daily download is.
    const rows = Array.from({ length: 30_000 }, (_, i) => `6B${String(i).padStart(5, '0')},CA,SLR,Stolen plate,V26-3,CA0440500,\n`).join('');
    expect(rows.length).toBeGreaterThan(1024 * 1024);
    await admin.locator('#load-file').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(header + rows) });
    await admin.getByRole('button', { name: 'Load', exact: true }).click();
    await admin.locator('#load-status', { hasText: 'SLR is now version 2' }).waitFor({ timeout: 30_000 });
    await expect(admin.locator('#load-status').textContent()).resolves.toMatch(/^SLR is now version 2: 30,?000 entries from 30,?000 rows/);
    expect(await admin.locator('#load-error').textContent()).toBe('');

    await signInNext(admin, 'officer1', PASSWORD);
    const officer = admin;
    await officer.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await officer.locator('#entry-list option[value="CASE-12"]').waitFor({ state: 'attached' });
    expect(await officer.locator('#manage-lists').isHidden()).toBe(true);
    await officer.context().close();
  }, BROWSER_TEST_MS);

  it('a covert list: an administrator not named sees it marked covert with its loader and purpose withheld, and cannot submit to it; an officer sees nothing of it', async () => {
    const designated = await api.call('POST', '/api/hotlists', api.token('administrator'), { list: 'NARC', purpose: 'Operation Nightjar: narcotics delivery vehicles' });
    expect(designated.status).toBe(201);
    const admin = await signIn('administrator1');
    await admin.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    const row = admin.locator('#lists tbody tr', { hasText: 'NARC' });
    await expect(row.locator('td').first().textContent()).resolves.toBe('NARC (specific, covert)');
    await admin.locator('#entry-list option').first().waitFor({ state: 'attached' });
    expect(await admin.locator('#entry-list option[value="NARC"]').count()).toBe(0);
    expect(await admin.locator('#admin').textContent()).not.toContain('Nightjar');

    await signInNext(admin, 'officer1', PASSWORD);
    const officer = admin;
    await officer.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await officer.locator('#lists:not([hidden]) tbody tr').first().waitFor();
    expect(await officer.locator('#admin').textContent()).not.toContain('NARC');
    expect(await officer.locator('#entry-list option[value="NARC"]').count()).toBe(0);

    await signInNext(officer, 'analyst1', PASSWORD);
    const analyst = officer;
    await analyst.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await expect(analyst.locator('#entry-list option[value="NARC"]').textContent()).resolves.toBe('NARC — Operation Nightjar: narcotics delivery vehicles');
    await analyst.context().close();
  }, BROWSER_TEST_MS);

  it("an administrator reads why a camera's reads were refused, only when asked, on the access log; the next user sees none of it", async () => {
    await api.system.js.publish(readsSubject('wpd', 'cam-77'), pack({ v: 1, id: 'refused-1', agency: 'wpd', camera: 'cam-77', ts: Date.now(), plate: '7ABC123' }));
    const { page: admin, requests } = await signInAs(browser, api.base, 'administrator1', PASSWORD, pageErrors);
    await admin.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await admin.locator('#refused-part:not([hidden])').waitFor();
    // Each reading is on the access log: none is made until asked.
    await admin.locator('#users:not([hidden]) tbody tr').first().waitFor();
    expect(requestsTo(requests, '/api/refused-reads', 'GET')).toHaveLength(0);
    await admin.locator('#refused-camera').fill('cam-77');
    // The pipeline copies the refused read within moments: ask until it is there.
    await until('the refused read in the table', async () => {
      await admin.getByRole('button', { name: 'Show refused reads' }).click();
      await admin.locator('#refused-status').filter({ hasText: /recorded in the access log/ }).waitFor();
      return (await admin.locator('#refused tbody tr').count()) > 0 ? true : undefined;
    }, 30_000);
    const row = admin.locator('#refused tbody tr').first();
    expect(await row.locator('td').nth(1).textContent()).toBe('wpd');
    expect(await row.locator('td').nth(2).textContent()).toBe('cam-77');
    expect(await row.locator('td').nth(3).textContent()).toBe('whole message: conf is missing');
    expect(await row.locator('td').nth(5).textContent()).toMatch(/^#\d+$/);
    expect(await admin.locator('#refused-status').textContent()).toMatch(/^1 refused message, newest first, of \d+ looked through \(the oldest kept is from .*\)\. This reading is recorded in the access log\.$/);
    const logged = (await accessRecords(api, 'administrator1', 'ok')).filter((r) => r['action'] === 'refused_reads');
    expect(JSON.parse(logged.at(-1)?.['params'] ?? '{}')).toMatchObject({ camera: 'cam-77' });
    // A bad name is the gateway's 400, in words.
    await admin.locator('#refused-camera').fill('cam 77');
    await admin.getByRole('button', { name: 'Show refused reads' }).click();
    await expect.poll(() => admin.locator('#refused-error').textContent()).toMatch(/^Not read: "camera" must be the camera as in the camera's subject/);
    expect(await admin.locator('#refused').isHidden()).toBe(true);
    // Signed out, the next user of the page sees nothing of it.
    await admin.getByRole('button', { name: 'Sign out' }).click();
    expect(await admin.locator('#refused tbody tr').count()).toBe(0);
    expect(await admin.locator('#refused-camera').inputValue()).toBe('');
    await admin.context().close();
  }, BROWSER_TEST_MS);

  it('every view fits a 400 px window: the top bar wraps, forms stack, long unbroken values wrap, and Sign out stays in reach', async () => {
    const agency = `Agency${'Q'.repeat(194)}`;
    const now = Date.now();
    const recorded = await api.call('POST', '/api/releases', api.token('custodian'), {
      agency, agencyKind: 'local', requester: 'Det. M. Lopez', purpose: 'layout check',
      criteria: { kind: 'plate', plate: '8KLM456', from: new Date(now - 2 * 3_600_000).toISOString(), to: new Date(now).toISOString() },
    });
    expect(recorded.status).toBe(201);
    const caseNumber = `26-${'0'.repeat(57)}4211`;
    expect(caseNumber).toHaveLength(64);
    const searched = await api.call('POST', '/api/detections/search', api.token('analyst'), {
      plate: '8KLM456', from: new Date(now - 2 * 3_600_000).toISOString(), to: new Date(now).toISOString(), caseNumber,
    });
    expect(searched.status).toBe(200);
    await publishHit(api.system.js, hitMessage({ readId: 'view-narrow', list: 'SVS' }));

    const narrow = { viewport: { width: 400, height: 900 } };
    const { page: admin, failedLoads } = await signInAs(browser, api.base, 'administrator1', PASSWORD, pageErrors, narrow);
    await admin.locator('li.hit').first().waitFor();
    await expectFits(admin, 400, 'dispatch');
    await admin.getByRole('button', { name: 'Search', exact: true }).click();
    await admin.locator('#search-plate').fill('8KLM45?');
    await admin.locator('#search-reason').fill('layout check');
    await admin.getByRole('button', { name: 'Run search', exact: true }).click();
    await admin.locator('#search-results:not([hidden]) tbody tr').first().waitFor();
    await expectFits(admin, 400, 'search');
    await admin.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await admin.locator('#users:not([hidden]) tbody tr').first().waitFor();
    await expectFits(admin, 400, 'admin');
    await admin.getByRole('button', { name: 'Releases', exact: true }).click();
    await admin.locator('#release-table tbody tr', { hasText: 'AgencyQQQ' }).waitFor();
    await expectFits(admin, 400, 'releases');
    await admin.getByRole('button', { name: 'Evidence', exact: true }).click();
    await expectFits(admin, 400, 'evidence');
    // The long agency wraps in its cell: at a desktop width the table fits its box, no scrolling at all.
    await admin.setViewportSize({ width: 1280, height: 900 });
    await admin.getByRole('button', { name: 'Releases', exact: true }).click();
    await expectFits(admin, 1280, 'releases, 1280 px');
    await expect(tablesWiderThanTheirBox(admin)).resolves.toEqual([]);
    // And the page load asked for no favicon the gateway does not serve (a 404 each time).
    expect(failedLoads.filter((url) => url.endsWith('/favicon.ico'))).toEqual([]);

    await admin.setViewportSize(narrow.viewport);
    await signInNext(admin, 'auditor1', PASSWORD);
    const auditor = admin;
    await auditor.locator('#audit:not([hidden])').waitFor();
    await auditor.getByRole('button', { name: 'Show the log', exact: true }).click();
    await auditor.locator('#audit-log tbody tr', { hasText: caseNumber }).waitFor();
    await expectFits(auditor, 400, 'audit');
    await auditor.setViewportSize({ width: 1280, height: 900 });
    await expectFits(auditor, 1280, 'audit, 1280 px');
    await expect(tablesWiderThanTheirBox(auditor)).resolves.toEqual([]);
    await auditor.context().close();
  }, BROWSER_TEST_MS);

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
