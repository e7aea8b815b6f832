// The Audit view in a real browser against the whole system (nats-server, chDB, the gateway): the
// auditor reads the access log for a period, filtered, newest first, and finds the searches just
// made (a query refused leaves no earlier answer beside its error); verifies the hash chains
// intact, gives their heads back as the last memorandum would, and sees a head that does not match
// reported; writes the memorandum and downloads it as Markdown and HTML without the HTML ever
// entering the page; and no other role sees the view.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type ApiSystem } from '../flows/api-system.js';
import { startConsoleSystem, type ConsoleSystem } from './console-system.js';
import { signInAs, signInNext } from './browser.js';

// Each test signs in a Chromium context against the whole system on a loaded 2-core machine.
const BROWSER_TEST_MS = 120_000;
const PLATE = '7AUD001';
/** The reasons of the searches analyst1 makes before the auditor looks, oldest first. */
const REASONS = ['audit check: first search', 'audit check: second search'];

let api: ApiSystem;
let browser: Browser;
let consoleSystem: ConsoleSystem | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  const now = Date.now();
  consoleSystem = await startConsoleSystem([
    { readId: 'aud-r1', agency: 'WPD', camera: 'cam-1', seenAt: now - 3_600_000, plate: PLATE, state: 'CA', confidence: 0.92 },
  ]);
  ({ api, browser } = consoleSystem);
  const period = { from: new Date(now - 2 * 3_600_000).toISOString(), to: new Date(now + 60_000).toISOString() };
  for (const reason of REASONS) {
    const searched = await api.call('POST', '/api/detections/search', api.token('analyst'), { plate: PLATE, ...period, reason });
    expect(searched.status).toBe(200);
  }
  // And one the gateway refuses: no case number, no reason.
  expect((await api.call('POST', '/api/detections/search', api.token('analyst'), { plate: PLATE, ...period })).status).toBe(400);
}, 120_000);

afterAll(async () => {
  await consoleSystem?.stop();
});

async function signIn(user: string): Promise<Page> {
  return (await signInAs(browser, api.base, user, PASSWORD, pageErrors, { acceptDownloads: true })).page;
}

async function openAudit(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await page.locator('#audit:not([hidden])').waitFor();
}

/** The UTC day `days` from today, as a date input takes it. */
function utcDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

describe('console audit view', () => {
  it('an auditor lands on the Audit view, with the views their role also opens one click away', async () => {
    const page = await signIn('auditor1');
    await page.locator('#audit:not([hidden])').waitFor();
    expect(await page.getByRole('button', { name: 'Audit', exact: true }).getAttribute('aria-current')).toBe('page');
    expect(await page.locator('#admin').isHidden()).toBe(true);
    expect(await page.getByRole('button', { name: 'Hot lists & admin', exact: true }).isVisible()).toBe(true);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('an auditor reads the access log: the searches just made, newest first, filtered by user, action and outcome', async () => {
    const page = await signIn('auditor1');
    await openAudit(page);
    const form = page.locator('#audit-log-form');
    await form.getByLabel('User').fill('analyst1');
    await form.getByLabel('Action').selectOption('search');
    await page.getByRole('button', { name: 'Show the log', exact: true }).click();
    await page.locator('#audit-log-status', { hasText: 'newest first' }).waitFor();
    await expect(page.locator('#audit-log-status').textContent()).resolves.toMatch(/^3 records, newest first\. This reading is recorded in the access log\.$/);
    const rows = page.locator('#audit-log tbody tr');
    const cell = (row: number, column: number) => rows.nth(row).locator('td').nth(column).textContent();
    // Newest first: the refused search, then the second, then the first.
    await expect(cell(0, 3)).resolves.toBe('refused');
    // Local time with its zone named, beside "Asked for" JSON in UTC (the browser here runs in UTC).
    await expect(cell(0, 0)).resolves.toMatch(/\d:\d\d:\d\d( [AP]M)? (UTC|GMT([+-]\d+)?|[A-Z]{3,5})$/);
    await expect(cell(1, 5)).resolves.toBe(REASONS[1]);
    await expect(cell(2, 5)).resolves.toBe(REASONS[0]);
    for (const i of [1, 2]) {
      await expect(cell(i, 1)).resolves.toBe('analyst1');
      await expect(cell(i, 2)).resolves.toBe('search');
      await expect(cell(i, 3)).resolves.toBe('ok');
      // "name: value" a line, not the record's JSON (QA: squeezed into the column, broken mid-word).
      await expect(cell(i, 6)).resolves.toMatch(new RegExp(`^plate\\.plate: ${PLATE}$`, 'm'));
      await expect(cell(i, 6)).resolves.not.toContain('{"');
      await expect(cell(i, 7)).resolves.toBe('1');
    }
    const records = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-record') ?? ''));
    const seqs = records.map((r) => Number(r.split(':').pop()));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    await form.getByLabel('Outcome').selectOption('refused');
    // As many as asked for, and no more match: nothing older is offered.
    await form.getByLabel('Most records').fill('1');
    await page.getByRole('button', { name: 'Show the log', exact: true }).click();
    await page.locator('#audit-log-status', { hasText: /^1 record, newest first/ }).waitFor();
    await expect(page.locator('#audit-log-status').textContent()).resolves.toBe('1 record, newest first. This reading is recorded in the access log.');
    expect(await page.getByRole('button', { name: 'Older records' }).isHidden()).toBe(true);
    await expect(cell(0, 8)).resolves.toMatch(/case or incident number|reason/);

    // The log read itself is on the log, under the auditor.
    await form.getByLabel('User').fill('auditor1');
    await form.getByLabel('Action').selectOption('audit');
    await form.getByLabel('Outcome').selectOption('');
    await form.getByLabel('Most records').fill('1');
    await page.getByRole('button', { name: 'Show the log', exact: true }).click();
    await page.locator('#audit-log-status', { hasText: /^1 record, newest first: older ones in the period match too/ }).waitFor();
    await expect(cell(0, 6)).resolves.toContain('read_log');
    const newest = await rows.nth(0).getAttribute('data-record');
    // The next page of the same reading, added below; the keyboard goes to the first record added.
    await page.getByRole('button', { name: 'Older records' }).click();
    await page.locator('#audit-log-status', { hasText: /^1 older record added; 2 shown, newest first/ }).waitFor();
    await expect(cell(1, 6)).resolves.toContain('read_log');
    const [first, second] = (await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-record') ?? ''))).map((r) => Number(r.split(':').pop()));
    expect(await rows.nth(0).getAttribute('data-record')).toBe(newest);
    expect(second).toBeLessThan(first ?? 0);
    expect(await page.evaluate(`document.activeElement === document.querySelectorAll('#audit-log tbody tr')[1]`)).toBe(true);

    // A query the gateway refuses (its period ends before it starts) leaves no earlier answer shown beside its error.
    await form.getByLabel('From').fill('2026-12-07T00:00');
    await form.getByLabel('To', { exact: true }).fill('2026-12-01T00:00');
    await page.getByRole('button', { name: 'Show the log', exact: true }).click();
    await page.locator('#audit-log-error', { hasText: /^Not read: / }).waitFor();
    expect(await rows.count()).toBe(0);
    expect(await page.locator('#audit-log').isHidden()).toBe(true);
    expect(await page.locator('#audit-log-status').textContent()).toBe('');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('an auditor verifies the chains intact, gives their heads back as the next audit would, and sees a head that does not match reported', async () => {
    const page = await signIn('auditor1');
    await openAudit(page);
    await page.getByRole('button', { name: 'Verify the chains', exact: true }).click();
    const status = page.locator('#audit-verify-status');
    await page.locator('#audit-verify-status[data-outcome="intact"]').waitFor();
    await expect(status.textContent()).resolves.toMatch(/^Every chain is intact: \d+ records in \d+ chains?\. No expected heads were given/);
    const rows = page.locator('#audit-chains tbody tr');
    const chains = await rows.count();
    expect(chains).toBeGreaterThan(0);
    const heads: string[] = [];
    for (let i = 0; i < chains; i++) {
      const cells = await rows.nth(i).locator('td').allTextContents();
      expect(cells[2]).toBe('intact');
      expect(Number(cells[1])).toBeGreaterThan(0);
      expect(cells[3]).toMatch(new RegExp(`^${cells[0]}=\\d+:[0-9a-f]{64}$`));
      heads.push(cells[3] ?? '');
    }
    await expect(status.textContent()).resolves.toContain(`Heads to record for the next audit: ${heads.join(', ')}.`);

    // The heads recorded, given back (the chains have only grown since): still intact.
    await page.getByLabel('Expected heads').fill(heads.join('\n'));
    await page.getByRole('button', { name: 'Verify the chains', exact: true }).click();
    await page.locator('#audit-verify-status', { hasText: 'Each chain reaches the head expected.' }).waitFor();

    // A head the chain does not have (its hash changed): reported as a problem of that chain.
    const [first] = heads;
    const [chain, seqAndHash] = (first ?? '').split('=');
    const [seq, hash] = (seqAndHash ?? '').split(':');
    const forged = `${chain}=${seq}:${(hash ?? '').replace(/^./, (c) => (c === '0' ? '1' : '0'))}`;
    await page.getByLabel('Expected heads').fill(forged);
    await page.getByRole('button', { name: 'Verify the chains', exact: true }).click();
    await page.locator('#audit-verify-status[data-outcome="problems"]').waitFor();
    await expect(status.textContent()).resolves.toMatch(/^Problems found in 1 of \d+ chains?/);
    const row = page.locator(`#audit-chains tbody tr[data-chain="${chain}"]`);
    await expect(row.locator('td').nth(2).textContent()).resolves.toMatch(/^1 problem the chain's end does not match the expected head /);

    // A head that is not CHAIN=SEQ:HASH: the gateway's words.
    await page.getByLabel('Expected heads').fill('not-a-head');
    await page.getByRole('button', { name: 'Verify the chains', exact: true }).click();
    await expect(page.locator('#audit-verify-error', { hasText: /./ }).textContent()).resolves.toMatch(/^Not verified: expected head "not-a-head" must be CHAIN=SEQ:HASH/);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('an auditor writes the memorandum and downloads it as Markdown and HTML; the HTML never enters the page', async () => {
    const page = await signIn('auditor1');
    await openAudit(page);
    const form = page.locator('#audit-sample-form');
    const from = utcDay(-1);
    const to = utcDay(1);
    await form.getByLabel('From').fill(from);
    await form.getByLabel(/^To/).fill(to);
    await form.getByLabel('Inquiries to sample').fill('10');
    await form.getByLabel('Auditor').fill('Capt. R. Diaz, PSD');
    await page.getByRole('button', { name: 'Write the memorandum', exact: true }).click();
    const name = `alpr-audit-${from}-${to}`;
    await page.locator('#audit-sample-status', { hasText: `Memorandum ${name}: 2 of 2 inquiries reviewed, 0 with findings.` }).waitFor();
    const figure = (label: string) => page.locator('#audit-counts tr', { has: page.locator('td:first-child', { hasText: new RegExp(`^${label}$`) }) }).locator('td').nth(1).textContent();
    await expect(figure('Search inquiries in the period')).resolves.toBe('2');
    await expect(figure('Reviewed')).resolves.toBe('2');
    await expect(figure('Actions refused by the system')).resolves.not.toBe('0');

    const [md] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: `Download the memorandum as Markdown (${name}.md)`, exact: true }).click()]);
    expect(md.suggestedFilename()).toBe(`${name}.md`);
    const markdown = readFileSync((await md.path()) ?? '', 'utf8');
    expect(markdown).toMatch(/^# MEMORANDUM/);
    expect(markdown).toContain('**From:** Capt. R. Diaz, PSD');
    expect(markdown).toContain(REASONS[0]);
    await expect(page.locator('#audit-preview').textContent()).resolves.toBe(markdown);

    const [html] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: `Download the memorandum as HTML (${name}.html)`, exact: true }).click()]);
    expect(html.suggestedFilename()).toBe(`${name}.html`);
    const htmlText = readFileSync((await html.path()) ?? '', 'utf8');
    expect(htmlText).toMatch(/^<!doctype html>/);
    expect(htmlText).toContain('<h1>MEMORANDUM</h1>');
    // Text in the page, not markup: no heading of the memorandum, no element it would bring.
    expect(await page.locator('h1').allTextContents()).toEqual(['platewatch']);
    expect(await page.locator('#audit style, #audit table.header').count()).toBe(0);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('no other role sees the Audit view', async () => {
    // One workstation, each user in turn (signInNext).
    const users = ['administrator1', 'custodian1', 'chief1', 'analyst1', 'supervisor1'];
    const page = await signIn(users[0] as string);
    for (const [i, user] of users.entries()) {
      if (i > 0) await signInNext(page, user, PASSWORD);
      await page.locator('main > section:not([hidden]):not(#sign-in)').first().waitFor();
      expect(await page.getByRole('button', { name: 'Audit', exact: true }).count(), user).toBe(0);
      expect(await page.locator('#audit').isHidden(), user).toBe(true);
      expect(await page.locator('#no-view').isHidden(), user).toBe(true);
    }
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
