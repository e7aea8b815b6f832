// The console as its users meet it, against the whole system (nats-server, chDB, the gateway):
// forms that cannot be sent twice, search paging that survives a network failure and a long-open
// page, a shared workstation that shows the next user nothing of the last one's searches, holds or
// releases (hidden text included) and whose last user's late 401 does not sign the next one out,
// dates read in the user's own time zone, and buttons a screen reader can tell apart.
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveUser } from '../../storage/index.js';
import { PASSWORD, type ApiSystem } from '../flows/api-system.js';
import { startConsoleSystem, type ConsoleSystem } from './console-system.js';
import { holdAnswer, watchAnswers } from './browser.js';

// Each test signs in one or two Chromium contexts against the whole system on a loaded 2-core machine.
const BROWSER_TEST_MS = 120_000;
/** Reads of PAGED_PLATE: more than one page (storage's DEFAULT_PAGE_SIZE is 100). */
const PAGED_PLATE = '7PAGE01';
const PAGED_READS = 130;
/** One read, seen ten minutes before the system starts. */
const RECENT_PLATE = '4RCNT22';

let api: ApiSystem;
let browser: Browser;
let consoleSystem: ConsoleSystem | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  const now = Date.now();
  const rows = Array.from({ length: PAGED_READS }, (_, i) => ({
    readId: `rev-page-${String(i).padStart(3, '0')}`, agency: 'WPD', camera: 'cam-3', seenAt: now - 3_600_000 - i * 60_000, plate: PAGED_PLATE, state: 'CA', confidence: 0.9,
  }));
  // Seen ten minutes ago: after a console opened two hours ago set its default range.
  rows.push({ readId: 'rev-recent', agency: 'WPD', camera: 'cam-4', seenAt: now - 600_000, plate: RECENT_PLATE, state: 'CA', confidence: 0.88 });
  consoleSystem = await startConsoleSystem(rows);
  ({ api, browser } = consoleSystem);
  const designated = await api.call('POST', '/api/hotlists', api.token('administrator'), { list: 'BOLO', purpose: 'department be-on-the-lookout list' });
  expect(designated.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await consoleSystem?.stop();
});

interface Console {
  page: Page;
  /** Requests sent so far whose URL path is `path` (and method, when given). */
  sent(path: string, method?: string): number;
  /** Waits until every request to `path` sent so far has been answered or failed. */
  settled(path: string): Promise<void>;
}

async function openConsole(options: { timezoneId?: string } = {}): Promise<Console> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const requests: Request[] = [];
  const done = new Set<Request>();
  page.on('request', (r) => requests.push(r));
  page.on('response', (r) => done.add(r.request()));
  page.on('requestfailed', (r) => done.add(r));
  const matching = (path: string, method?: string) => requests.filter((r) => new URL(r.url()).pathname === path && (method === undefined || r.method() === method));
  return {
    page,
    sent: (path, method) => matching(path, method).length,
    settled: async (path) => {
      const deadline = Date.now() + 60_000;
      while (matching(path).some((r) => !done.has(r))) {
        if (Date.now() > deadline) throw new Error(`requests to ${path} never finished`);
        await page.waitForTimeout(50);
      }
    },
  };
}

async function signIn(c: Console, user: string): Promise<void> {
  const { page } = c;
  if (page.url() === 'about:blank') await page.goto(api.base);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#who:not([hidden])').waitFor();
}

/** Submits the form `id` `times` times in a row, as Enter pressed twice does, before any answer. */
async function submit(page: Page, id: string, times: number): Promise<void> {
  await page.evaluate(`for (let i = 0; i < ${times}; i++) document.getElementById(${JSON.stringify(id)}).requestSubmit()`);
}

/** The accessible names of the buttons shown now, as the browser computes them ('' for a button with none). */
async function buttonNames(page: Page): Promise<string[]> {
  const snapshot = await page.locator('body').ariaSnapshot();
  return [...snapshot.matchAll(/^\s*- button(?: "((?:[^"\\]|\\.)*)")?/gm)].map((m) => (m[1] === undefined ? '' : (JSON.parse(`"${m[1]}"`) as string)));
}

function duplicates(names: string[]): string[] {
  return names.filter((name, i) => names.indexOf(name) !== i);
}

/** A release request for RECENT_PLATE recorded by the custodian through the API: its id. */
async function recordedRelease(agency: string, purpose: string): Promise<string> {
  const now = Date.now();
  const recorded = await api.call('POST', '/api/releases', api.token('custodian'), {
    agency, agencyKind: 'local', requester: 'Det. M. Lopez', purpose,
    criteria: { kind: 'plate', plate: RECENT_PLATE, from: new Date(now - 2 * 3_600_000).toISOString(), to: new Date(now).toISOString() },
  });
  expect(recorded.status).toBe(201);
  return recorded.body['requestId'] as string;
}

/** Opens release request `id` from the list and waits until the detail shows it. */
async function openRelease(page: Page, id: string): Promise<void> {
  await page.getByRole('button', { name: `Open release ${id}`, exact: true }).click();
  await page.locator(`#release-detail[data-request-id="${id}"]:not([hidden])`).waitFor();
}

/**
 * Which of `texts` the page holds anywhere: in any element's text, hidden or not, in a form field, or
 * in an attribute (a screen reader reads aria-labels; data- attributes are in the page too).
 */
function foundIn(page: Page, texts: string[]): Promise<string[]> {
  return page.evaluate(`(() => {
    const fields = [...document.querySelectorAll('input, textarea, select')].map((el) => el.value);
    const attributes = [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.value));
    const all = [document.documentElement.textContent, ...fields, ...attributes].join('\\n');
    return ${JSON.stringify(texts)}.filter((text) => all.includes(text));
  })()`);
}

async function searchFor(page: Page, plate: string, reason: string): Promise<void> {
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('#search-plate').fill(plate);
  await page.locator('#search-reason').fill(reason);
}

describe('console review', () => {
  it('a sign-in sent twice (Enter pressed twice) opens one session, and the button works again after a refusal', async () => {
    const c = await openConsole();
    const { page } = c;
    await page.goto(api.base);
    await page.getByLabel('User name').fill('dispatcher1');
    await page.getByLabel('Password').fill('wrong password');
    await submit(page, 'sign-in-form', 1);
    await page.locator('#sign-in-error', { hasText: /./ }).waitFor();
    await c.settled('/api/login');
    expect(await page.getByRole('button', { name: 'Sign in' }).isEnabled()).toBe(true);

    await page.getByLabel('Password').fill(PASSWORD);
    await submit(page, 'sign-in-form', 2);
    await page.locator('#connection[data-state="live"]').waitFor();
    await c.settled('/api/login');
    expect(c.sent('/api/login')).toBe(2); // the refused one and one of the two
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a search sent twice shows its results once', async () => {
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'analyst1');
    await searchFor(page, PAGED_PLATE, 'double submit check');
    await submit(page, 'search-form', 2);
    await page.locator('#search-status', { hasText: 'Recorded in the access log' }).waitFor();
    await c.settled('/api/detections/search');
    expect(c.sent('/api/detections/search')).toBe(1);
    expect(await page.locator('#search-results tbody tr').count()).toBe(100);
    expect(await page.locator('#search-form button[type="submit"]').isEnabled()).toBe(true);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('pages through older results, and a page lost to a network failure can be asked for again', async () => {
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'analyst1');
    await searchFor(page, PAGED_PLATE, 'paging check');
    await page.locator('#search-form button[type="submit"]').click();
    await page.locator('#search-status', { hasText: '100 detections' }).waitFor();
    const more = page.getByRole('button', { name: 'Older results' });
    await more.waitFor();

    await page.context().setOffline(true);
    await more.click();
    await page.locator('#search-error', { hasText: 'cannot be reached' }).waitFor();
    await page.context().setOffline(false);
    // The older page is still there to ask for: the button comes back, not the whole search again.
    await more.waitFor({ timeout: 10_000 });
    await more.click();
    await page.locator('#search-status', { hasText: `${PAGED_READS} detections` }).waitFor();
    expect(await page.locator('#search-error').textContent()).toBe('');
    expect(await more.isHidden()).toBe(true);
    const ids = new Set(await page.locator('#search-results tbody td.plate-cell').allTextContents());
    expect(ids).toEqual(new Set([PAGED_PLATE]));
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a console left open for hours still searches up to now with the default time range', async () => {
    const c = await openConsole();
    const { page } = c;
    // The page was opened (and its form filled in) two hours ago...
    await page.clock.setSystemTime(new Date(Date.now() - 2 * 3_600_000));
    await signIn(c, 'analyst1');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // ...and the analyst searches now, for a car seen ten minutes ago.
    await page.clock.setSystemTime(new Date());
    await page.locator('#search-plate').fill(RECENT_PLATE);
    await page.locator('#search-reason').fill('recent sighting');
    await page.locator('#search-form button[type="submit"]').click();
    await page.locator('#search-status', { hasText: 'Recorded in the access log' }).waitFor();
    await expect(page.locator('#search-status').textContent()).resolves.toMatch(/^1 detection, newest first/);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('signing out leaves nothing of the last search for the next user of the workstation', async () => {
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'analyst1');
    await searchFor(page, PAGED_PLATE, 'shared workstation check');
    await page.locator('#search-case').fill('26-0042');
    await page.locator('#search-form button[type="submit"]').click();
    await page.locator('#search-status', { hasText: '100 detections' }).waitFor();
    // A BOLO entry half typed, then left.
    await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await page.locator('#entry-synopsis').fill('informant says: gray Tacoma, 26-0042');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#sign-in:not([hidden])').waitFor();

    await signIn(c, 'supervisor1');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#search:not([hidden])').waitFor();
    expect(await page.locator('#search-results tbody tr').count()).toBe(0);
    expect(await page.locator('#search-status').textContent()).toBe('');
    expect(await page.getByRole('button', { name: 'Older results' }).isHidden()).toBe(true);
    for (const id of ['search-plate', 'search-case', 'search-reason', 'entry-synopsis']) expect(await page.locator(`#${id}`).inputValue()).toBe('');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('signing out leaves none of the last user\'s text in the page, hidden parts included: the hold offered, the release opened', async () => {
    const id = await recordedRelease('Gilroy Police Department', 'hit and run, GPD case 26-0913');
    expect((await api.call('POST', `/api/releases/${id}/decision`, api.token('chief'), { decision: 'approve', note: 'verified by phone' })).status).toBe(200);
    expect((await api.call('POST', `/api/releases/${id}/package`, api.token('custodian'))).status).toBe(201);
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'administrator1');
    await searchFor(page, RECENT_PLATE, 'shared workstation, hidden text');
    await page.locator('#search-case').fill('26-0077');
    await page.locator('#search-form button[type="submit"]').click();
    await page.locator('#search-status', { hasText: '1 detection' }).waitFor();
    await page.locator('#hold:not([hidden])').waitFor();
    await page.getByRole('button', { name: 'Releases', exact: true }).click();
    await openRelease(page, id);
    await page.locator('#release-package:not([hidden])').waitFor();
    const lastUsers = [RECENT_PLATE, '26-0077', 'shared workstation, hidden text', id, 'Gilroy Police Department', 'GPD case 26-0913', 'administrator one'];
    // Each of them is in the page while the administrator is signed in (the hold's and the package's text among them).
    await expect(foundIn(page, lastUsers)).resolves.toEqual(lastUsers);
    await expect(page.locator('#hold-criteria-text').textContent()).resolves.toContain(RECENT_PLATE);
    await expect(page.locator('#release-package-summary').textContent()).resolves.toContain('Gilroy Police Department');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#sign-in:not([hidden])').waitFor();

    await signIn(c, 'officer1');
    await page.locator('#connection[data-state="live"]').waitFor();
    await expect(foundIn(page, lastUsers)).resolves.toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a 401 answering the last user\'s request after they signed out does not sign out the next user', async () => {
    const id = await recordedRelease('Morgan Hill Police Department', 'burglary, MHPD case 26-0410');
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'custodian1');
    const finished = await watchAnswers(page);
    const late = await holdAnswer(page, `**/api/releases/${id}`);
    await page.getByRole('button', { name: `Open release ${id}`, exact: true }).click();
    await late.sent;
    const loggedOut = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/logout');
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect((await loggedOut).ok()).toBe(true);

    await signIn(c, 'chief1');
    await page.locator('#releases:not([hidden])').waitFor();
    // The custodian's session is over: the gateway refuses the request that was on its way.
    expect((await late.release()).status()).toBe(401);
    await finished(`/api/releases/${id}`);
    expect(await page.locator('#sign-in-error').textContent()).toBe('');
    expect(await page.locator('#sign-in').isHidden()).toBe(true);
    await expect(page.locator('#who').textContent()).resolves.toBe('chief one (chief1)');
    // And the Chief's next request is answered.
    await openRelease(page, id);
    await expect(page.locator('#release-detail-title').textContent()).resolves.toBe(`Request ${id}`);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('an entry sent twice is submitted once; its expiry date ends at midnight where the user is', async () => {
    const c = await openConsole({ timezoneId: 'America/Los_Angeles' });
    const { page } = c;
    await signIn(c, 'officer1');
    await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await page.locator('#entry-list option[value="BOLO"]').waitFor({ state: 'attached' });
    await page.locator('#entry-plate').fill('5KXR177');
    await page.locator('#entry-state').fill('CA');
    await page.locator('#entry-case').fill('26-005100');
    await page.locator('#entry-synopsis').fill('blue pickup, hit and run');
    await page.locator('#entry-expires').fill('2027-01-15');
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/hotlists/BOLO/entries') && r.request().method() === 'POST');
    await submit(page, 'entry-form', 2);
    const body = (await (await answered).json()) as { expiresAt?: string };
    await page.locator('#entry-status', { hasText: 'Submitted 5KXR177' }).waitFor();
    await c.settled('/api/hotlists/BOLO/entries');
    expect(c.sent('/api/hotlists/BOLO/entries', 'POST')).toBe(1);
    expect(await page.locator('#entry-error').textContent()).toBe('');
    expect(await page.getByRole('button', { name: 'Submit for approval' }).isEnabled()).toBe(true);
    // The last second of 15 January in Watsonville, not 4 p.m. that day (23:59:59 UTC).
    expect(Date.parse(body.expiresAt ?? '')).toBe(Date.parse('2027-01-15T23:59:59-08:00'));
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('an approval clicked twice is sent once and shows no error', async () => {
    const submitted = await api.call('POST', '/api/hotlists/BOLO/entries', api.token('officer'), { plate: '6DBLC11', caseNumber: '26-005200', synopsis: 'white van, burglary' });
    expect(submitted.status).toBe(201);
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'administrator1');
    await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    const row = page.locator('#approvals tbody tr', { hasText: '6DBLC11' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Approve 6DBLC11 on BOLO', exact: true }).dblclick();
    await row.waitFor({ state: 'detached' });
    await c.settled(`/api/hotlists/approvals/${String(submitted.body['entryId'])}`);
    expect(c.sent(`/api/hotlists/approvals/${String(submitted.body['entryId'])}`, 'POST')).toBe(1);
    expect(await page.locator('#admin-error').textContent()).toBe('');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a rejection with no reason says it needs one', async () => {
    const submitted = await api.call('POST', '/api/hotlists/BOLO/entries', api.token('officer'), { plate: '3NORSN1', caseNumber: '26-005300', synopsis: 'green coupe, vandalism' });
    expect(submitted.status).toBe(201);
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'administrator1');
    await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    const row = page.locator('#approvals tbody tr', { hasText: '3NORSN1' });
    await row.waitFor();
    page.once('dialog', (dialog) => void dialog.accept(''));
    await row.getByRole('button', { name: 'Reject 3NORSN1 on BOLO', exact: true }).click();
    await expect(page.locator('#admin-error', { hasText: /./ }).textContent()).resolves.toMatch(/needs the reason/);
    expect(c.sent(`/api/hotlists/approvals/${String(submitted.body['entryId'])}`)).toBe(0);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a user whose roles open no view is told so, and the next users (the records custodian, a dispatcher) are not', async () => {
    // Every role opens a view now (the custodian and the Chief: releases); a user registered with no role opens none.
    await saveUser(api.system.storage, { userId: 'noroles1', name: 'N. Oroles', title: 'Clerk', roles: [], trainedAt: '2026-01-15', active: true }, 'setup');
    await api.system.credentials.setPassword('noroles1', PASSWORD, 'setup');
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'noroles1');
    await page.getByText('Your roles give you no console view').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(c, 'custodian1');
    await page.locator('#releases:not([hidden])').waitFor();
    expect(await page.getByText('Your roles give you no console view').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(c, 'dispatcher1');
    await page.locator('#connection[data-state="live"]').waitFor();
    expect(await page.getByText('Your roles give you no console view').isVisible()).toBe(false);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('buttons have distinct accessible names: the Search tab and the search form, and each approval names its entry', async () => {
    for (const entry of [{ plate: '2ACCS01', state: 'CA' }, { plate: '2ACCS02' }]) {
      const submitted = await api.call('POST', '/api/hotlists/BOLO/entries', api.token('officer'), { ...entry, caseNumber: '26-005400', synopsis: 'accessibility check' });
      expect(submitted.status).toBe(201);
    }
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'administrator1');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#search:not([hidden])').waitFor();
    const onSearch = await buttonNames(page);
    expect(onSearch.filter((n) => n === 'Search')).toHaveLength(1);
    expect(onSearch).toContain('Run search');
    expect(duplicates(onSearch)).toEqual([]);

    await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await page.locator('#approvals tbody tr', { hasText: '2ACCS02' }).waitFor();
    const onAdmin = await buttonNames(page);
    for (const name of ['Approve 2ACCS01 (CA) on BOLO', 'Reject 2ACCS01 (CA) on BOLO', 'Approve 2ACCS02 on BOLO', 'Reject 2ACCS02 on BOLO']) expect(onAdmin).toContain(name);
    expect(onAdmin.filter((n) => /^(Approve|Reject)$/.test(n))).toEqual([]);
    expect(duplicates(onAdmin)).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
