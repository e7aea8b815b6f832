// The console as its users meet it, against the whole system (nats-server, chDB, the gateway):
// forms that cannot be sent twice, search paging that survives a network failure and a long-open
// page, a shared workstation that shows the next user nothing of the last one's searches, holds,
// releases, hot lists or users (hidden text, menus and the sign-in form included) and whose last
// user's late answers (data or a 401) neither reach the next one nor sign them out, dates read in
// the user's own time zone, approvals offered only to those who may decide them, the keyboard
// focus kept through a decision, and buttons a screen reader can tell apart.
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveUser, type UserRole } from '../../storage/index.js';
import { accessRecords, PASSWORD, type ApiSystem } from '../flows/api-system.js';
import { startConsoleSystem, type ConsoleSystem } from './console-system.js';
import { hitMessage, publishHit } from '../gateway/harness.js';
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

/** Whether the keyboard focus is inside the element `selector` (and so not dropped to the page). */
function focusIn(page: Page, selector: string): Promise<boolean> {
  return page.evaluate(`document.activeElement !== null && document.activeElement.closest(${JSON.stringify(selector)}) !== null`);
}

/** Submits a BOLO entry for `plate` as `role`'s user through the API: its entry id. */
async function submittedEntry(role: 'officer' | 'administrator', plate: string, synopsis: string): Promise<string> {
  const submitted = await api.call('POST', '/api/hotlists/BOLO/entries', api.token(role), { plate, caseNumber: '26-005600', synopsis });
  expect(submitted.status).toBe(201);
  return String(submitted.body['entryId']);
}

/** Signs the page's user out and waits until the gateway has ended the session. */
async function signOut(page: Page): Promise<void> {
  const loggedOut = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/logout');
  await page.getByRole('button', { name: 'Sign out' }).click();
  expect((await loggedOut).ok()).toBe(true);
  await page.locator('#sign-in:not([hidden])').waitFor();
}

/** What the admin view asks for when an administrator opens it. */
const ADMIN_PARTS = ['/api/users', '/api/hotlists/approvals', '/api/hotlists'];

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
    // The page was opened (and its form filled in) two hours ago, in a patrol car (an officer's
    // console does not lock when left; an analyst's would have locked, see the idle lock below)...
    await page.clock.setSystemTime(new Date(Date.now() - 2 * 3_600_000));
    await signIn(c, 'officer1');
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

  it('a console left without input locks: warned a minute before, the page hidden, the session ended; its user gets the page back, or signs out from the prompt', async () => {
    const c = await openConsole();
    const { page } = c;
    await page.clock.install();
    await signIn(c, 'analyst1');
    await searchFor(page, PAGED_PLATE, 'idle lock check');
    await page.locator('#search-form button[type="submit"]').click();
    await page.locator('#search-status', { hasText: '100 detections' }).waitFor();
    const token = await page.evaluate<string | null>("sessionStorage.getItem('platewatch.token')");
    expect(token).not.toBeNull();
    const warning = page.locator('#idle-warning');

    // Input within the half hour keeps it open. The warning is in sight wherever the page is scrolled.
    await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
    await page.clock.fastForward('29:30');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/locks at .*Press a key, move the mouse or touch the screen to stay signed in/);
    const box = await warning.boundingBox();
    expect(box !== null && box.y >= 0 && box.y + box.height <= (page.viewportSize()?.height ?? 0)).toBe(true);
    await page.mouse.move(200, 300);
    await warning.waitFor({ state: 'hidden' });
    await page.clock.fastForward('29:30');
    await warning.waitFor();
    // A dialog left open over the page (a read's image, a rejection's reason) would stay on top of
    // the prompt, in sight of whoever comes to the workstation.
    await page.evaluate("document.getElementById('image-viewer').showModal(); document.getElementById('reject-dialog').showModal()");
    await page.clock.fastForward('01:00');

    const prompt = page.getByRole('dialog', { name: 'Sign in' });
    await prompt.waitFor();
    expect(await page.evaluate('[...document.querySelectorAll("dialog")].filter((d) => d.open).length')).toBe(0);
    expect(await page.locator('#sign-in-error').textContent()).toMatch(/locked after 30 minutes without input.*Sign in again as analyst1/);
    await c.settled('/api/logout');
    expect((await api.call('GET', '/api/me', token ?? '')).status).toBe(401);
    // The access log tells a lock from a sign-out.
    const logouts = (await accessRecords(api, 'analyst1')).filter((r) => r['action'] === 'logout');
    expect(JSON.parse(logouts.at(-1)?.['params'] ?? '{}')).toEqual({ via: 'http', reason: 'idle_lock' });
    // Hidden from sight (an opaque backdrop) and from the keyboard and screen readers (inert).
    expect(await page.locator('#search').evaluate((el) => el.closest('[inert]') !== null)).toBe(true);
    expect(await page.evaluate<string>("getComputedStyle(document.getElementById('sign-in')).boxShadow")).toMatch(/^rgb\(16, 20, 26\) /);
    // The bar's Day display is under the backdrop: the prompt has its own, for the sun coming up.
    await prompt.getByRole('button', { name: 'Day display' }).click();
    expect(await page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe('day');
    expect(await prompt.getByRole('button', { name: 'Day display' }).getAttribute('aria-pressed')).toBe('true');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    // Hidden once the views are back (the dialog stops being one a moment before).
    await page.locator('#sign-in').waitFor({ state: 'hidden' });
    await expect(page.locator('#search-status').textContent()).resolves.toMatch(/^100 detections/);
    expect(await page.getByRole('button', { name: 'Day display' }).textContent()).toBe('Day display: on');
    // The watch starts again with the new session.
    await page.clock.fastForward('29:30');
    await warning.waitFor();
    // Locked again, the user leaves instead: the page is cleared for whoever comes next.
    await page.clock.fastForward('01:00');
    await prompt.waitFor();
    await page.getByRole('button', { name: 'Sign out and clear this page' }).click();
    await prompt.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByLabel('User name').inputValue()).toBe('');
    expect(await page.locator('#search-status').textContent()).toBe('');
    expect(await page.locator('#search').isHidden()).toBe(true);
    expect(await page.locator('#resume-sign-out').isHidden()).toBe(true);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a dispatcher\'s console does not lock however long it is left: a locked screen would hide a live hit', async () => {
    const c = await openConsole();
    const { page } = c;
    await page.clock.install();
    await signIn(c, 'dispatcher1');
    await page.locator('#connection[data-state="live"]').waitFor();
    await page.clock.fastForward('45:00');
    await page.clock.fastForward('45:00');
    expect(await page.locator('#idle-warning').isHidden()).toBe(true);
    expect(await page.locator('#sign-in').isHidden()).toBe(true);
    expect(c.sent('/api/logout', 'POST')).toBe(0);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a console whose user loses the exempt role while signed in locks again when left, and a reload then keeps nothing of them', async () => {
    const user = { userId: 'mixed1', name: 'M. Ixed', title: 'Analyst', roles: ['analyst', 'dispatcher'] as UserRole[], trainedAt: '2026-01-15', active: true };
    await saveUser(api.system.storage, user, 'test');
    await api.system.credentials.setPassword('mixed1', PASSWORD, 'test');
    const c = await openConsole();
    const { page } = c;
    await page.clock.install();
    await signIn(c, 'mixed1');
    await page.locator('#connection[data-state="live"]').waitFor();
    // The dispatcher role is taken away; the console hears of it at its next look at the session.
    await saveUser(api.system.storage, { ...user, roles: ['analyst'] }, 'test');
    const asked = c.sent('/api/me');
    await page.clock.fastForward('05:01');
    await expect.poll(() => c.sent('/api/me'), { timeout: 10_000 }).toBeGreaterThan(asked);
    await c.settled('/api/me');
    await page.clock.fastForward('30:00');
    await page.getByRole('dialog', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByLabel('User name').waitFor();
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
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
    await page.locator('#connection[data-state="live"]').waitFor();
    // A hit announced to screen readers (the live region is hidden on screen, not to them).
    const announced = hitMessage({ readId: 'rev-announced', list: 'SVS' });
    await publishHit(api.system.js, announced);
    await page.locator('#announcer', { hasText: 'New hit: 7 A B C 1 2 3' }).waitFor({ state: 'attached' });
    // The hot lists' menus, with a specific list's purpose.
    await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await page.locator('#entry-list option[value="BOLO"]').waitFor({ state: 'attached' });
    await searchFor(page, RECENT_PLATE, 'shared workstation, hidden text');
    await page.locator('#search-case').fill('26-0077');
    await page.locator('#search-form button[type="submit"]').click();
    await page.locator('#search-status', { hasText: '1 detection' }).waitFor();
    await page.locator('#hold:not([hidden])').waitFor();
    await page.getByRole('button', { name: 'Releases', exact: true }).click();
    await openRelease(page, id);
    await page.locator('#release-package:not([hidden])').waitFor();
    const lastUsers = [
      RECENT_PLATE, '26-0077', 'shared workstation, hidden text', id, 'Gilroy Police Department', 'GPD case 26-0913', 'administrator one',
      'administrator1', 'New hit: 7 A B C 1 2 3', 'department be-on-the-lookout list',
    ];
    // Each of them is in the page while the administrator is signed in (the hold's and the package's
    // text, the live region's announcement, the user id typed at sign-in among them).
    await expect(foundIn(page, lastUsers)).resolves.toEqual(lastUsers);
    await expect(page.locator('#hold-criteria-text').textContent()).resolves.toContain(RECENT_PLATE);
    await expect(page.locator('#release-package-summary').textContent()).resolves.toContain('Gilroy Police Department');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#sign-in:not([hidden])').waitFor();
    // Nothing of theirs is left for whoever comes to the workstation next, before anyone signs in.
    await expect(foundIn(page, lastUsers)).resolves.toEqual([]);
    await expect(page.locator('#entry-list option').count()).resolves.toBe(0);

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

  it('an entry sent twice is submitted once; its expiry is sent as the day chosen, for the gateway to read as the department\'s', async () => {
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
    const sent = (await answered).request().postDataJSON() as { expiresAt?: string };
    await page.locator('#entry-status', { hasText: 'Submitted 5KXR177' }).waitFor();
    await c.settled('/api/hotlists/BOLO/entries');
    expect(c.sent('/api/hotlists/BOLO/entries', 'POST')).toBe(1);
    expect(await page.locator('#entry-error').textContent()).toBe('');
    expect(await page.getByRole('button', { name: 'Submit for approval' }).isEnabled()).toBe(true);
    // The bare day, whatever the workstation's zone: the gateway reads it as the department's day.
    expect(sent.expiresAt).toBe('2027-01-15');
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
    // The button clicked is gone with its row: the keyboard is on the approvals still, not on the page.
    await expect.poll(() => focusIn(page, '#approvals-part')).toBe(true);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a rejection asks its reason in the page (not the browser\'s prompt), says an empty one is needed, can be cancelled, and is sent with it', async () => {
    const submitted = await api.call('POST', '/api/hotlists/BOLO/entries', api.token('officer'), { plate: '3NORSN1', caseNumber: '26-005300', synopsis: 'green coupe, vandalism' });
    expect(submitted.status).toBe(201);
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'administrator1');
    await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    const row = page.locator('#approvals tbody tr', { hasText: '3NORSN1' });
    await row.waitFor();
    const browserPrompts: string[] = [];
    page.on('dialog', (dialog) => {
      browserPrompts.push(dialog.message());
      void dialog.dismiss();
    });
    const approvalPath = `/api/hotlists/approvals/${String(submitted.body['entryId'])}`;
    const reject = row.getByRole('button', { name: 'Reject 3NORSN1 on BOLO', exact: true });
    await reject.click();
    const dialog = page.getByRole('dialog', { name: 'Reject 3NORSN1 on BOLO' });
    await dialog.waitFor();
    expect(await page.evaluate('document.activeElement?.id')).toBe('reject-reason');
    await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toMatch(/needs the reason/);
    expect(await dialog.isVisible()).toBe(true);
    // Cancelled (Escape): nothing sent, the keyboard back on the button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Reject 3NORSN1 on BOLO');
    expect(c.sent(approvalPath)).toBe(0);
    // Asked again, with a reason: sent with it, once.
    await reject.click();
    await dialog.getByLabel(/Reason for rejecting/).fill('no case number on file for this plate');
    const posted = page.waitForRequest((r) => new URL(r.url()).pathname === approvalPath && r.method() === 'POST');
    await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
    expect((await posted).postDataJSON()).toMatchObject({ decision: 'rejected', note: 'no case number on file for this plate' });
    await row.waitFor({ state: 'detached' });
    await c.settled(approvalPath);
    expect(c.sent(approvalPath)).toBe(1);
    expect(browserPrompts).toEqual([]);
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

  it('the admin view\'s answers to the last user, arriving after they signed out, show the next user none of their users, approvals or lists', async () => {
    await submittedEntry('officer', '5LATE01', 'late answer check');
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'administrator1');
    await c.settled('/api/hotlists');
    const finished = await watchAnswers(page);
    // Answered while the administrator is signed in; handed to the page after they signed out.
    const late = await Promise.all(ADMIN_PARTS.map((path) => holdAnswer(page, `**${path}`, { askAtOnce: true })));
    await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    for (const held of late) expect((await held.answered).status()).toBe(200);
    await signOut(page);

    await signIn(c, 'officer1');
    await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await page.locator('#lists:not([hidden]) tbody tr').first().waitFor();
    // The officer's own answers first (whatever their view asks for), then the administrator's.
    for (const path of ADMIN_PARTS) await finished(path, 1);
    for (const held of late) await held.release();
    for (const path of ADMIN_PARTS) await finished(path);
    expect(await page.locator('#users tbody tr').count()).toBe(0);
    expect(await page.locator('#approvals tbody tr').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Approve|Reject) / }).count()).toBe(0);
    await expect(foundIn(page, ['5LATE01', 'auditor1', 'custodian one'])).resolves.toEqual([]);
    await expect(page.locator('#who').textContent()).resolves.toBe('officer one (officer1)');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a late 401 answering the last user\'s admin view does not sign out the next user', async () => {
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'administrator1');
    await c.settled('/api/hotlists');
    const finished = await watchAnswers(page);
    const late = await Promise.all(ADMIN_PARTS.map((path) => holdAnswer(page, `**${path}`)));
    await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    for (const held of late) await held.sent;
    await signOut(page);

    await signIn(c, 'officer1');
    await page.locator('#connection[data-state="live"]').waitFor();
    // The administrator's session is over: the gateway refuses each request that was on its way.
    for (const held of late) expect((await held.release()).status()).toBe(401);
    for (const path of ADMIN_PARTS) await finished(path);
    expect(await page.locator('#sign-in-error').textContent()).toBe('');
    expect(await page.locator('#sign-in').isHidden()).toBe(true);
    await expect(page.locator('#who').textContent()).resolves.toBe('officer one (officer1)');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('the stale-list check answered for the last user after they signed out raises no alarm for the next, who may not see hot lists', async () => {
    const c = await openConsole();
    const { page } = c;
    await page.goto(api.base);
    const finished = await watchAnswers(page);
    // The check the administrator's sign-in starts, answered while they are signed in.
    const late = await holdAnswer(page, '**/api/hotlists', { askAtOnce: true });
    await signIn(c, 'administrator1');
    expect((await late.answered).status()).toBe(200);
    await signOut(page);

    await signIn(c, 'auditor1');
    await page.locator('#audit:not([hidden])').waitFor();
    await late.release();
    await finished('/api/hotlists');
    // No alarm about lists the auditor's roles do not show them, and no check of their own started.
    expect(await page.locator('#stale-alarm').isHidden()).toBe(true);
    expect(await page.locator('#stale-alarm').textContent()).toBe('');
    expect(c.sent('/api/hotlists')).toBe(1);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a hot list load that fails leaves the entry form no list to offer, not the names an earlier load gave', async () => {
    const c = await openConsole();
    const { page } = c;
    await signIn(c, 'officer1');
    await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await page.locator('#entry-list option[value="BOLO"]').waitFor({ state: 'attached' });
    await page.route('**/api/hotlists', (route) => route.fulfill({
      status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'STORAGE_UNAVAILABLE', message: 'storage is unavailable' } }),
    }), { times: 1 });
    await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await page.locator('#lists-status', { hasText: 'storage is unavailable' }).waitFor();
    expect(await page.locator('#entry-list option[value="BOLO"]').count()).toBe(0);
    await expect(page.locator('#entry-list option').allTextContents()).resolves.toEqual(['the hot lists could not be read (storage is unavailable)']);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('approvals are offered only to who may decide them: a new entry not to a supervisor, a change not to who submitted it', async () => {
    await submittedEntry('officer', '4NEWE01', 'new entry, the administrator approves');
    await submittedEntry('administrator', '4OWNE01', 'submitted by the administrator');
    const updated = await submittedEntry('officer', '4UPDE01', 'approved, then updated');
    expect((await api.call('POST', `/api/hotlists/approvals/${updated}`, api.token('administrator'), { decision: 'approved', version: 1 })).status).toBe(200);
    expect((await api.call('POST', `/api/hotlists/entries/${updated}`, api.token('officer'), { fields: { synopsis: 'now a red pickup' } })).status).toBe(201);
    const replated = await submittedEntry('officer', '4VEHE01', 'approved, then given another plate');
    expect((await api.call('POST', `/api/hotlists/approvals/${replated}`, api.token('administrator'), { decision: 'approved', version: 1 })).status).toBe(200);
    expect((await api.call('POST', `/api/hotlists/entries/${replated}`, api.token('officer'), { fields: { plate: '4VEHE02' } })).status).toBe(201);
    const row = (page: Page, plate: string) => page.locator('#approvals tbody tr', { hasText: plate });

    const supervisor = await openConsole();
    await signIn(supervisor, 'supervisor1');
    await supervisor.page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await row(supervisor.page, '4UPDE01').getByRole('button', { name: 'Approve 4UPDE01 on BOLO', exact: true }).waitFor();
    for (const plate of ['4NEWE01', '4OWNE01']) {
      expect(await row(supervisor.page, plate).getByRole('button').count()).toBe(0);
      await expect(row(supervisor.page, plate).textContent()).resolves.toContain('A new entry is approved by the ALPR administrator.');
    }
    expect(await row(supervisor.page, '4VEHE02').getByRole('button').count()).toBe(0);
    await expect(row(supervisor.page, '4VEHE02').textContent()).resolves.toMatch(/new vehicle, was 4VEHE01.*A change of the vehicle listed is approved by the ALPR administrator\./);
    // The next user of the workstation.
    await signOut(supervisor.page);
    const admin = supervisor;
    await signIn(admin, 'administrator1');
    await admin.page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    const approve = row(admin.page, '4NEWE01').getByRole('button', { name: 'Approve 4NEWE01 on BOLO', exact: true });
    await approve.waitFor();
    expect(await row(admin.page, '4OWNE01').getByRole('button').count()).toBe(0);
    await expect(row(admin.page, '4OWNE01').textContent()).resolves.toContain('You submitted it: another administrator decides it.');
    // Decided from the keyboard: the focus goes on to the approvals, not to the page.
    await approve.focus();
    await admin.page.keyboard.press('Enter');
    await row(admin.page, '4NEWE01').waitFor({ state: 'detached' });
    await expect.poll(() => focusIn(admin.page, '#approvals-part')).toBe(true);
    expect(await admin.page.locator('#admin-error').textContent()).toBe('');
    await admin.page.context().close();
  }, BROWSER_TEST_MS);

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
