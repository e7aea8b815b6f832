// The console's times are the department's, in a real browser whose own zone is another: the
// system runs in America/Los_Angeles and Chromium in Asia/Tokyo. Two reads an hour apart on the
// night clocks go back (2026-11-01 08:30Z and 09:30Z, both 1:30 AM on the department's clock) are
// told apart by PDT and PST on hit cards and search rows; a range typed in the console is read on
// the department's wall clock (its month end included), the repeated hour is pointed out; the
// memorandum and an entry's expiry are sent as bare days; an approver sees the expiry.
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type ApiSystem } from '../flows/api-system.js';
import { hitMessage, publishHit } from '../gateway/harness.js';
import { requestsTo, signInAs } from './browser.js';
import { startConsoleSystem, type ConsoleSystem } from './console-system.js';

const BROWSER_TEST_MS = 120_000;
const DEPARTMENT_ZONE = 'America/Los_Angeles';
/** The workstation's zone: 17 hours ahead of the department's in November. */
const BROWSER_ZONE = 'Asia/Tokyo';

const FIRST_130 = Date.parse('2026-11-01T08:30:00Z'); // 1:30 AM PDT
const SECOND_130 = Date.parse('2026-11-01T09:30:00Z'); // 1:30 AM PST
/** Around the department's month end: 30 November 00:00 PST is 08:00Z, 1 December 00:00 PST is 1 December 08:00Z. */
const MONTH_END = [
  { plate: '7TZB001', seenAt: Date.parse('2026-11-30T07:59:00Z') }, // 29 Nov 11:59 PM: before the range
  { plate: '7TZB002', seenAt: Date.parse('2026-11-30T08:00:00Z') }, // 30 Nov 12:00 AM
  { plate: '7TZB003', seenAt: Date.parse('2026-12-01T04:00:00Z') }, // 30 Nov 8:00 PM (1 Dec in UTC)
  { plate: '7TZB004', seenAt: Date.parse('2026-12-01T07:59:00Z') }, // 30 Nov 11:59 PM
  { plate: '7TZB005', seenAt: Date.parse('2026-12-01T08:00:00Z') }, // 1 Dec 12:00 AM: the range's end, not in it
];

let api: ApiSystem;
let browser: Browser;
let consoleSystem: ConsoleSystem | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  consoleSystem = await startConsoleSystem([
    { readId: 'tz-r1', agency: 'WPD', camera: 'cam-1', seenAt: FIRST_130, plate: '7TZA002', state: 'CA', confidence: 0.9 },
    { readId: 'tz-r2', agency: 'WPD', camera: 'cam-1', seenAt: SECOND_130, plate: '7TZA003', state: 'CA', confidence: 0.9 },
    ...MONTH_END.map((r, i) => ({ readId: `tz-m${i}`, agency: 'WPD', camera: 'cam-2', seenAt: r.seenAt, plate: r.plate, state: 'CA', confidence: 0.9 })),
  ], { storage: { batchDelayMs: 50, timeZone: DEPARTMENT_ZONE } });
  ({ api, browser } = consoleSystem);
}, 120_000);

afterAll(async () => {
  await consoleSystem?.stop();
});

async function signIn(user: string): Promise<{ page: Page; requests: Request[] }> {
  const { page, requests } = await signInAs(browser, api.base, user, PASSWORD, pageErrors, { timezoneId: BROWSER_ZONE });
  return { page, requests };
}

async function search(page: Page, plate: string, from: string, to: string): Promise<void> {
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('#search-plate').fill(plate);
  await page.locator('#search-from').fill(from);
  await page.locator('#search-to').fill(to);
  await page.locator('#search-reason').fill('time zone check');
  await page.getByRole('button', { name: 'Run search', exact: true }).click();
  await page.locator('#search-status', { hasText: 'Recorded in the access log' }).waitFor();
}

/** The seen-at cell and the plate of each result row, in order. */
function resultRows(page: Page): Promise<string[][]> {
  return page.locator('#search-results tbody tr').evaluateAll((rows) => rows.map((tr) => {
    const plate = tr.querySelector('.plate-cell');
    return [plate?.previousElementSibling?.textContent ?? '', plate?.textContent ?? ''];
  }));
}

/** `ms` on the department's wall clock, as a datetime-local input holds it. */
function departmentWallClock(ms: number): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: DEPARTMENT_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(ms).map((x) => [x.type, x.value]));
  return `${p['year']}-${p['month']}-${p['day']}T${p['hour']}:${p['minute']}`;
}

describe('the console keeps the department\'s time zone', () => {
  it('GET /api/me names the department\'s zone, and the console shows it once in its header', async () => {
    const me = await api.call('GET', '/api/me', api.token('analyst'));
    expect(me.status).toBe(200);
    expect(me.body['timeZone']).toBe(DEPARTMENT_ZONE);
    const { page } = await signIn('analyst1');
    await expect(page.locator('#time-zone').textContent()).resolves.toBe(`Times: ${DEPARTMENT_ZONE}`);
    expect(await page.evaluate<string>('Intl.DateTimeFormat().resolvedOptions().timeZone')).toBe(BROWSER_ZONE);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('search rows on the night clocks go back say PDT and PST, newest first; a repeated hour typed is pointed out', async () => {
    const { page, requests } = await signIn('analyst1');
    await search(page, '7TZA00?', '2026-11-01T00:00', '2026-11-01T03:00');
    const sent = requestsTo(requests, '/api/detections/search', 'POST').at(-1)?.postDataJSON() as Record<string, string>;
    expect([sent['from'], sent['to']]).toEqual(['2026-11-01T07:00:00.000Z', '2026-11-01T11:00:00.000Z']);
    expect(await resultRows(page)).toEqual([
      ['Nov 1, 2026, 1:30:00 AM PST', '7TZA003'],
      ['Nov 1, 2026, 1:30:00 AM PDT', '7TZA002'],
    ]);

    // 1:30 AM on 1 November is two instants: the first is taken, and the field says so.
    await page.locator('#search-to').fill('2026-11-01T01:30');
    const note = page.locator('#search-to-note:not([hidden])');
    await expect(note.textContent()).resolves.toBe('1:30 AM happens twice that day (clocks go back): it is read as the first, 1:30:00 AM PDT. '
      + 'The second, 1:30:00 AM PST, is an hour later: a range that ends after it (an hour past the time typed here) takes in its reads too.');
    await page.getByRole('button', { name: 'Run search', exact: true }).click();
    await expect.poll(() => requestsTo(requests, '/api/detections/search', 'POST').length).toBe(2);
    const second = requestsTo(requests, '/api/detections/search', 'POST').at(-1)?.postDataJSON() as Record<string, string>;
    expect(second['to']).toBe('2026-11-01T08:30:00.000Z');
    await page.locator('#search-to').fill('2026-11-01T03:00');
    await expect(page.locator('#search-to-note').isHidden()).resolves.toBe(true);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a range typed as the department\'s month end is sent as its instants, and its default is the department\'s last 7 days', async () => {
    const { page, requests } = await signIn('analyst1');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // Untouched, the range ends a minute from now on the department's clock, not Tokyo's.
    const before = Date.now();
    const shownTo = await page.locator('#search-to').inputValue();
    expect([departmentWallClock(before + 60_000), departmentWallClock(Date.now() + 60_000)]).toContain(shownTo);

    await search(page, '7TZB00?', '2026-11-30T00:00', '2026-12-01T00:00');
    const sent = requestsTo(requests, '/api/detections/search', 'POST').at(-1)?.postDataJSON() as Record<string, string>;
    expect([sent['from'], sent['to']]).toEqual(['2026-11-30T08:00:00.000Z', '2026-12-01T08:00:00.000Z']);
    expect(await resultRows(page)).toEqual([
      ['Nov 30, 2026, 11:59:00 PM PST', '7TZB004'],
      ['Nov 30, 2026, 8:00:00 PM PST', '7TZB003'],
      ['Nov 30, 2026, 12:00:00 AM PST', '7TZB002'],
    ]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('hit cards from the night clocks go back say 1:30 AM PDT and 1:30 AM PST', async () => {
    for (const [readId, ts] of [['tz-hit-1', FIRST_130], ['tz-hit-2', SECOND_130], ['tz-hit-3', Date.parse('2026-12-01T04:00:00Z')]] as const) {
      const m = hitMessage({ readId });
      await publishHit(api.system.js, { ...m, read: { ...m.read, ts } });
    }
    const { page } = await signIn('officer1');
    await page.locator('#connection[data-state="live"]').waitFor();
    const card = (readId: string) => page.locator(`#hits li[data-hit-id="${hitMessage({ readId }).hitId}"]`);
    await expect(card('tz-hit-1').locator('.time').textContent()).resolves.toBe('Nov 1, 2026, 1:30:00 AM PDT');
    await expect(card('tz-hit-2').locator('.time').textContent()).resolves.toBe('Nov 1, 2026, 1:30:00 AM PST');
    await expect(card('tz-hit-3').locator('.time').textContent()).resolves.toBe('Nov 30, 2026, 8:00:00 PM PST');
    await expect(card('tz-hit-2').locator('[data-field="ts"]').textContent()).resolves.toBe('Nov 1, 2026, 1:30:00 AM PST');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('an entry\'s expiry is sent as the bare day, and the approver sees it', async () => {
    const designated = await api.call('POST', '/api/hotlists', api.token('administrator'), { list: 'BOLO', purpose: 'department be-on-the-lookout list' });
    expect(designated.status).toBe(201);
    const year = new Date().getUTCFullYear() + 1;
    const officer = await signIn('officer1');
    await officer.page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    await officer.page.locator('#entry-list option[value="BOLO"]').waitFor({ state: 'attached' });
    await officer.page.locator('#entry-plate').fill('5TZX177');
    await officer.page.locator('#entry-case').fill('26-007100');
    await officer.page.locator('#entry-synopsis').fill('grey sedan, robbery');
    await officer.page.locator('#entry-expires').fill(`${year}-12-10`);
    await officer.page.getByRole('button', { name: 'Submit for approval' }).click();
    await officer.page.locator('#entry-status', { hasText: 'Submitted 5TZX177' }).waitFor();
    const sent = requestsTo(officer.requests, '/api/hotlists/BOLO/entries', 'POST')[0]?.postDataJSON() as Record<string, string>;
    expect(sent['expiresAt']).toBe(`${year}-12-10`);
    await officer.page.context().close();

    const admin = await signIn('administrator1');
    await admin.page.getByRole('button', { name: 'Hot lists & admin', exact: true }).click();
    const row = admin.page.locator('#approvals tbody tr', { hasText: '5TZX177' });
    await row.waitFor();
    const header = await admin.page.locator('#approvals thead th').allTextContents();
    const cells = await row.locator('td').allTextContents();
    // The instant the gateway made of the day (its rule for a bare day is the server's to apply),
    // shown on the department's clock with its zone, not Tokyo's.
    const approvals = await api.call('GET', '/api/hotlists/approvals', api.token('administrator'));
    const pending = (approvals.body['pending'] as Array<{ pending: { plate: string; expiresAt: string } }>).find((p) => p.pending.plate === '5TZX177');
    const expires = Date.parse(pending?.pending.expiresAt ?? '');
    expect(cells[header.indexOf('Expires')]).toBe(new Intl.DateTimeFormat('en-US', {
      timeZone: DEPARTMENT_ZONE, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
    }).format(expires));
    expect(cells[header.indexOf('Expires')]).toMatch(new RegExp(`^Dec (9|10), ${year}, .* PST$`));
    await admin.page.context().close();
  }, BROWSER_TEST_MS);

  it('the memorandum and the transparency report take department days, and the memorandum sends them bare', async () => {
    const { page, requests } = await signIn('auditor1');
    await page.getByRole('button', { name: 'Audit', exact: true }).click();
    await expect(page.locator('#audit-sample-title + .note').textContent()).resolves.toContain(`Days are department days (${DEPARTMENT_ZONE})`);
    const form = page.locator('#audit-sample-form');
    await form.getByLabel('From').fill('2026-11-01');
    await form.getByLabel(/^To/).fill('2026-12-01');
    await form.getByLabel('Inquiries to sample').fill('10');
    await page.getByRole('button', { name: 'Write the memorandum', exact: true }).click();
    await expect.poll(() => requestsTo(requests, '/api/audit/samples', 'POST').length).toBe(1);
    const sent = requestsTo(requests, '/api/audit/samples', 'POST')[0]?.postDataJSON() as Record<string, unknown>;
    expect([sent['from'], sent['to']]).toEqual(['2026-11-01', '2026-12-01']);
    await page.getByRole('button', { name: 'Releases', exact: true }).click();
    await expect(page.locator('#report-title + .note').textContent()).resolves.toContain(`Days are department days (${DEPARTMENT_ZONE})`);
    await page.context().close();
  }, BROWSER_TEST_MS);
});
