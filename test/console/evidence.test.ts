// Legal holds and evidence packages in a real browser against the whole system (nats-server, chDB,
// the gateway): an analyst holds the rows ticked in a search, or the search's plate and period as
// run, under a case; a read found by one of the camera's other readings is marked so and held as
// searched, and the Other readings box leaves such reads out; a search limited by camera is held
// with its cameras; a hold answered after the next search has shown leaves that search's hold
// form as it was; an officer, who may search but not hold, is offered nothing; the records
// custodian produces a case's package, sees its manifest and downloads a file whose SHA-256 is the
// manifest's; a case with nothing held is refused in the gateway's words.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OcrAlphabet } from '../../matcher/index.js';
import { PASSWORD, type ApiSystem } from '../flows/api-system.js';
import { startConsoleSystem, type ConsoleSystem } from './console-system.js';
import { holdAnswer, requestsTo, signInAs, watchAnswers } from './browser.js';

// Each test signs in a Chromium context against the whole system on a loaded 2-core machine.
const BROWSER_TEST_MS = 120_000;
/** Three reads, from two cameras. */
const PLATE = '7EVD001';
/** Another agency's read, whose camera numbered it ev-r1 too: never held by a hold of ev-r1's row. */
const SHARED_ID_PLATE = '7EVX900';
/** One read, held through the API for the custodian's package. */
const PACKAGED_PLATE = '7EVD002';
/** One read, read first as 7EVK565: this plate was one of the camera's other readings. */
const OTHER_READING_PLATE = '7EVK555';

let api: ApiSystem;
/** When the first read was made (an hour before the tests start). */
let seen: number;
let browser: Browser;
let consoleSystem: ConsoleSystem | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  seen = Date.now() - 3_600_000;
  consoleSystem = await startConsoleSystem([
    { readId: 'ev-r1', agency: 'WPD', camera: 'cam-1', seenAt: seen, plate: PLATE, state: 'CA', confidence: 0.93 },
    { readId: 'ev-r1', agency: 'SCSO', camera: 'cam-9', seenAt: seen + 30_000, plate: SHARED_ID_PLATE, state: 'CA', confidence: 0.91 },
    { readId: 'ev-r2', agency: 'WPD', camera: 'cam-2', seenAt: seen + 60_000, plate: PLATE, state: 'CA', confidence: 0.9 },
    { readId: 'ev-r3', agency: 'WPD', camera: 'cam-2', seenAt: seen + 120_000, plate: PLATE, state: 'CA', confidence: 0.88 },
    { readId: 'ev-p1', agency: 'WPD', camera: 'cam-3', seenAt: seen + 180_000, plate: PACKAGED_PLATE, state: 'CA', confidence: 0.95 },
    { readId: 'ev-c1', agency: 'WPD', camera: 'cam-3', seenAt: seen + 240_000, plate: '7EVK565', state: 'CA', confidence: 0.7, candidates: [OTHER_READING_PLATE] },
  ]);
  ({ api, browser } = consoleSystem);
}, 120_000);

afterAll(async () => {
  await consoleSystem?.stop();
});

interface Console {
  page: Page;
  /** Bodies of the holds the page has sent so far. */
  holds(): Array<Record<string, unknown>>;
}

async function signIn(user: string): Promise<Console> {
  const { page, requests } = await signInAs(browser, api.base, user, PASSWORD, pageErrors, { acceptDownloads: true });
  return { page, holds: () => requestsTo(requests, '/api/evidence/holds', 'POST').map((r) => r.postDataJSON() as Record<string, unknown>) };
}

async function search(page: Page, s: { plate: string; caseNumber?: string; reason: string; cameras?: string }, rows: number): Promise<void> {
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('#search-plate').fill(s.plate);
  await page.locator('#search-cameras').fill(s.cameras ?? '');
  await page.locator('#search-case').fill(s.caseNumber ?? '');
  await page.locator('#search-reason').fill(s.reason);
  await page.getByRole('button', { name: 'Run search', exact: true }).click();
  await page.locator('#search-status', { hasText: `${rows} detection${rows === 1 ? '' : 's'}, newest first` }).waitFor();
}

/** The read ids held under `caseNumber`, as the evidence store has them. */
async function heldReads(caseNumber: string): Promise<string[]> {
  const { storage } = api.system;
  const rs = await storage.client.query({
    query: `SELECT read_id FROM ${storage.db}.evidence_detections FINAL WHERE case_number = {caseNumber:String} ORDER BY read_id`,
    query_params: { caseNumber },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ read_id: string }>()).map((r) => r.read_id);
}

const HOLD_OUTCOME = /^Hold [0-9a-f-]{36}: (\d+) detections? held for case (\S+)\./;

describe('console legal holds and evidence packages', () => {
  it('an analyst ticks two rows of a search and holds only them, under the search\'s case number', async () => {
    const c = await signIn('analyst1');
    const { page } = c;
    await search(page, { plate: PLATE, caseNumber: '26-EV-0001', reason: 'burglary series follow-up' }, 3);
    const hold = page.locator('#hold');
    await hold.waitFor();
    await expect(hold.getByLabel('Case number').inputValue()).resolves.toBe('26-EV-0001');
    await expect(hold.getByLabel('Reason').inputValue()).resolves.toBe('');

    await page.getByRole('checkbox', { name: 'Select read ev-r1', exact: true }).check();
    await page.getByRole('checkbox', { name: 'Select read ev-r3', exact: true }).check();
    const byTicked = page.getByRole('radio', { name: /^Only the rows ticked in the results/ });
    expect(await byTicked.isChecked()).toBe(true);
    await expect(byTicked.evaluate((el) => el.closest('label')?.textContent?.trim())).resolves.toBe('Only the rows ticked in the results (2 ticked)');
    await hold.getByLabel('Reason').fill('suspect vehicle in case 26-EV-0001');
    await page.getByRole('button', { name: 'Place hold', exact: true }).click();
    const outcome = page.locator('#hold-status', { hasText: /^Hold / });
    await outcome.waitFor();
    const text = (await outcome.textContent()) ?? '';
    expect(text).toMatch(HOLD_OUTCOME);
    expect(HOLD_OUTCOME.exec(text)?.slice(1)).toEqual(['2', '26-EV-0001']);
    expect(await page.locator('#hold-error').textContent()).toBe('');

    // Only what the hold API takes: the ticked detections, each by its key, within the search's
    // period, nothing more; not the other agency's read that shares ev-r1's id.
    const [sent] = c.holds();
    expect(c.holds()).toHaveLength(1);
    expect(Object.keys(sent ?? {}).sort()).toEqual(['caseNumber', 'detections', 'from', 'reason', 'to']);
    const plateOcr = new OcrAlphabet().mapPlate(PLATE);
    expect(sent?.['detections']).toEqual(expect.arrayContaining([
      { readId: 'ev-r1', seenAt: new Date(seen).toISOString(), plateOcr },
      { readId: 'ev-r3', seenAt: new Date(seen + 120_000).toISOString(), plateOcr },
    ]));
    expect(sent?.['detections']).toHaveLength(2);
    await expect(heldReads('26-EV-0001')).resolves.toEqual(['ev-r1', 'ev-r3']);
    // Held rows are unticked, so the next hold does not take them again unseen.
    expect(await page.locator('#search-results tbody input:checked').count()).toBe(0);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('an analyst holds everything the search matched, by its plate and period as run', async () => {
    const c = await signIn('analyst1');
    const { page } = c;
    await search(page, { plate: PLATE, reason: 'stolen vehicle, pattern of sightings' }, 3);
    const hold = page.locator('#hold');
    await hold.waitFor();
    // The search gave no case number: the analyst gives the hold's.
    await expect(hold.getByLabel('Case number').inputValue()).resolves.toBe('');
    const byCriteria = page.getByRole('radio', { name: /^Everything the search matches: plate 7EVD001, / });
    expect(await byCriteria.isChecked()).toBe(true);
    await hold.getByLabel('Case number').fill('26-EV-0002');
    await hold.getByLabel('Reason').fill('every sighting of the stolen vehicle');
    await page.getByRole('button', { name: 'Place hold', exact: true }).click();
    const text = (await page.locator('#hold-status', { hasText: /^Hold / }).textContent()) ?? '';
    expect(HOLD_OUTCOME.exec(text)?.slice(1)).toEqual(['3', '26-EV-0002']);
    const [sent] = c.holds();
    expect(Object.keys(sent ?? {}).sort()).toEqual(['caseNumber', 'from', 'otherReadings', 'plate', 'reason', 'to']);
    expect(sent?.['plate']).toBe(PLATE);
    expect(sent?.['otherReadings']).toBe(true);
    await expect(heldReads('26-EV-0002')).resolves.toEqual(['ev-r1', 'ev-r2', 'ev-r3']);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('an analyst finds a read by one of the camera\'s other readings, marked so, holds it as searched, and can leave such reads out', async () => {
    const c = await signIn('analyst1');
    const { page } = c;
    await search(page, { plate: OTHER_READING_PLATE, caseNumber: '26-EV-0004', reason: 'vehicle seen leaving the scene' }, 1);
    const plateCell = page.locator('#search-results tbody tr .plate-cell');
    await expect(plateCell.innerText()).resolves.toBe(`7EVK565\nmatched its other reading ${OTHER_READING_PLATE}`);
    const byCriteria = page.getByRole('radio', { name: /^Everything the search matches: plate 7EVK555, also as another reading, / });
    expect(await byCriteria.isChecked()).toBe(true);
    await page.locator('#hold').getByLabel('Reason').fill('the vehicle, as the camera also read it');
    await page.getByRole('button', { name: 'Place hold', exact: true }).click();
    const text = (await page.locator('#hold-status', { hasText: /^Hold / }).textContent()) ?? '';
    expect(HOLD_OUTCOME.exec(text)?.slice(1)).toEqual(['1', '26-EV-0004']);
    expect(c.holds()[0]).toMatchObject({ plate: OTHER_READING_PLATE, otherReadings: true });
    await expect(heldReads('26-EV-0004')).resolves.toEqual(['ev-c1']);

    // Unticked: the plate as read only.
    await page.getByRole('checkbox', { name: /other readings/ }).uncheck();
    await page.getByRole('button', { name: 'Run search', exact: true }).click();
    await page.locator('#search-status', { hasText: 'No detections found' }).waitFor();
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a search limited by camera is held as it was run, cameras included: never every camera\'s reads', async () => {
    const c = await signIn('analyst1');
    const { page } = c;
    await search(page, { plate: PLATE, caseNumber: '26-EV-0003', reason: 'sightings at cam-2', cameras: 'cam-2' }, 2);
    const hold = page.locator('#hold');
    await hold.waitFor();
    const byCriteria = page.getByRole('radio', { name: /^Everything the search matches: .*camera cam-2/ });
    expect(await byCriteria.isChecked()).toBe(true);
    await hold.getByLabel('Reason').fill('seen at cam-2');
    await page.getByRole('button', { name: 'Place hold', exact: true }).click();
    const text = (await page.locator('#hold-status', { hasText: /^Hold / }).textContent()) ?? '';
    expect(HOLD_OUTCOME.exec(text)?.slice(1)).toEqual(['2', '26-EV-0003']);
    expect(c.holds()[0]?.['cameras']).toEqual(['cam-2']);
    await expect(heldReads('26-EV-0003')).resolves.toEqual(['ev-r2', 'ev-r3']);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a hold answered after the next search has shown says nothing on that search\'s hold form and unticks none of its rows', async () => {
    const c = await signIn('analyst1');
    const { page } = c;
    const finished = await watchAnswers(page);
    await search(page, { plate: PLATE, caseNumber: '26-EV-0006', reason: 'burglary series, first look' }, 3);
    const hold = page.locator('#hold');
    await hold.waitFor();
    await page.getByRole('checkbox', { name: 'Select read ev-r1', exact: true }).check();
    await hold.getByLabel('Reason').fill('suspect vehicle in case 26-EV-0006');
    const late = await holdAnswer(page, '**/api/evidence/holds');
    await page.getByRole('button', { name: 'Place hold', exact: true }).click();
    await late.sent;

    // The next search, while the hold is on its way; the same read ticked in its results.
    await search(page, { plate: PLATE, caseNumber: '26-EV-0007', reason: 'sightings at cam-1', cameras: 'cam-1' }, 1);
    await expect(hold.getByLabel('Case number').inputValue()).resolves.toBe('26-EV-0007');
    await page.getByRole('checkbox', { name: 'Select read ev-r1', exact: true }).check();
    expect((await late.release()).status()).toBe(201);
    await finished('/api/evidence/holds');

    expect(await page.locator('#hold-status').textContent()).toBe('');
    expect(await page.locator('#hold-error').textContent()).toBe('');
    expect(await page.getByRole('checkbox', { name: 'Select read ev-r1', exact: true }).isChecked()).toBe(true);
    await expect(page.getByRole('radio', { name: /^Only the rows ticked in the results/ }).evaluate((el) => el.closest('label')?.textContent?.trim()))
      .resolves.toBe('Only the rows ticked in the results (1 ticked)');
    // The first search's hold was placed: only its answer came too late to be shown.
    await expect(heldReads('26-EV-0006')).resolves.toEqual(['ev-r1']);
    expect(c.holds()).toHaveLength(1);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('an officer, who may search but not hold, is offered no hold and no Evidence view', async () => {
    const c = await signIn('officer1');
    const { page } = c;
    await search(page, { plate: PLATE, caseNumber: '26-EV-0004', reason: 'traffic stop check' }, 3);
    expect(await page.locator('#hold').isHidden()).toBe(true);
    expect(await page.getByRole('button', { name: 'Place hold' }).count()).toBe(0);
    expect(await page.locator('#search-results tbody tr').count()).toBe(3);
    expect(await page.locator('#search-results input[type="checkbox"]:visible').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Evidence', exact: true }).count()).toBe(0);
    await page.context().close();

    // The analyst holds but does not export: no Evidence view either.
    const analyst = await signIn('analyst1');
    await analyst.page.locator('#connection[data-state="live"]').waitFor();
    expect(await analyst.page.getByRole('button', { name: 'Evidence', exact: true }).count()).toBe(0);
    expect(await analyst.page.locator('#evidence').isHidden()).toBe(true);
    await analyst.page.context().close();
  }, BROWSER_TEST_MS);

  it('the records custodian produces a case\'s package and downloads a file whose SHA-256 is the manifest\'s', async () => {
    const now = Date.now();
    const held = await api.call('POST', '/api/evidence/holds', api.token('analyst'), {
      caseNumber: '26-EV-0005', reason: 'hit and run vehicle', plate: PACKAGED_PLATE,
      from: new Date(now - 2 * 3_600_000).toISOString(), to: new Date(now).toISOString(),
    });
    expect(held.status).toBe(201);
    const { page } = await signIn('custodian1');
    await page.getByRole('button', { name: 'Evidence', exact: true }).click();
    await page.locator('#evidence:not([hidden])').waitFor();
    await page.locator('#export-form').getByLabel('Case number').fill('26-EV-0005');
    await page.locator('#export-form').getByLabel('Reason').fill('booking into evidence');
    await page.getByRole('button', { name: 'Produce the evidence package', exact: true }).click();
    await page.locator('#export-package:not([hidden])').waitFor();
    await expect(page.locator('#export-summary').textContent()).resolves.toMatch(/^1 detection under 1 hold for case 26-EV-0005, produced .* by custodian1 \(package [0-9a-f-]{36}, access log record \d+\)/);

    const rows = page.locator('#export-files tbody tr');
    await expect(rows.locator('td:first-child').allTextContents()).resolves.toEqual(['detections.csv', 'detections.json', 'holds.json', 'README.txt', 'manifest.json', 'SHA256SUMS']);
    const digest = (await rows.filter({ hasText: 'detections.csv' }).locator('td').nth(2).textContent()) ?? '';
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download detections.csv of the evidence package for case 26-EV-0005', exact: true }).click(),
    ]);
    // The name SHA256SUMS gives it, so `sha256sum -c SHA256SUMS` checks the files saved (found by QA).
    expect(download.suggestedFilename()).toBe('detections.csv');
    const saved = readFileSync((await download.path()) ?? '');
    expect(createHash('sha256').update(saved).digest('hex')).toBe(digest);
    expect(saved.toString('utf8')).toContain(PACKAGED_PLATE);
    await page.locator('#export-status', { hasText: 'Downloaded detections.csv' }).waitFor();
    await expect(page.locator('#export-status').textContent()).resolves.toContain('checked against its SHA-256 in the manifest');

    // A copy spoilt on its way is not saved: the browser checks it against the manifest's digest.
    await page.route('**/api/evidence/exports/*/detections.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '[]' }));
    let spoiltSaved = false;
    page.on('download', (d) => { if (d.suggestedFilename().endsWith('detections.json')) spoiltSaved = true; });
    await page.getByRole('link', { name: 'Download detections.json of the evidence package for case 26-EV-0005', exact: true }).click();
    await expect(page.locator('#export-error', { hasText: /./ }).textContent()).resolves.toBe('Not saved (detections.json): the file received does not match its SHA-256 in the manifest. Download it again.');
    expect(spoiltSaved).toBe(false);
    await page.unroute('**/api/evidence/exports/*/detections.json');

    // The manifest downloaded is the one shown: each file's size and digest.
    const [manifestDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download manifest.json of the evidence package for case 26-EV-0005', exact: true }).click(),
    ]);
    const manifest = JSON.parse(readFileSync((await manifestDownload.path()) ?? '', 'utf8')) as { caseNumber: string; files: Array<{ name: string; bytes: number; sha256: string }> };
    expect(manifest.caseNumber).toBe('26-EV-0005');
    for (const file of manifest.files) {
      const cells = await rows.filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${file.name.replace('.', '\\.')}$`) }) }).locator('td').allTextContents();
      expect(cells).toEqual([file.name, String(file.bytes), file.sha256]);
    }
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a case with nothing held is refused in the gateway\'s words (NOTHING_HELD), and no package is shown', async () => {
    const { page } = await signIn('custodian1');
    await page.getByRole('button', { name: 'Evidence', exact: true }).click();
    await page.locator('#export-form').getByLabel('Case number').fill('26-EV-9999');
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/evidence/exports');
    await page.getByRole('button', { name: 'Produce the evidence package', exact: true }).click();
    const response = await answered;
    expect(response.status()).toBe(404);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('NOTHING_HELD');
    await expect(page.locator('#export-error', { hasText: /./ }).textContent()).resolves.toBe(`Not produced: ${error.message}`);
    expect(error.message).toMatch(/no detections are held for case 26-EV-9999/);
    expect(await page.locator('#export-package').isHidden()).toBe(true);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
