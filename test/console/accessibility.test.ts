// The console for a dispatcher on keyboard and screen reader through a shift, a supervisor zoomed
// in, a colour-blind officer: new hits heard and counted on any view, a sighted user scrolled down
// to a card told of hits above without losing the keyboard, each disposition said once, the
// keyboard kept after a submit, errors tied to their fields, a warning before the session ends,
// and cards named by their headings. Against a scripted gateway (the console's own files, a
// stand-in login whose session ends when the test says, a /ws that sends the frames each test
// writes), one for the whole file, with one browser.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf } from '../../gateway/index.js';
import type { HitMessage } from '../../ingest/index.js';
import { hitMessage } from '../gateway/harness.js';
import { json, readBody, startConsoleServer } from './scripted-gateway.js';
import { launchChromium } from './browser.js';

const BROWSER_TEST_MS = 60_000;
const PASSWORD = 'correct horse battery';
/** How long after their first sign-in each user's session ends; a user not named here, or signing in again, has 12 hours. */
const SESSION_MS: Record<string, number> = { shortshift: 14 * 60_000 };
const signedIn = new Set<string>();

interface ScriptedGateway {
  url: string;
  replay: HitMessage[];
  send(frame: object): void;
  stop(): Promise<void>;
}

async function startScriptedGateway(): Promise<ScriptedGateway> {
  const roles = ['officer'];
  const searchRow = (i: number) => ({
    readId: `row-${i}`, seenAt: new Date(Date.now() - i * 60_000).toISOString(), plate: '7ABC123', state: 'CA', camera: 'cam1', agency: 'wpd',
    confidence: 0.9, lat: null, lon: null, imageRef: `img/${i}.jpg`, heading: null,
  });
  const gateway: ScriptedGateway = { url: '', replay: [], send: (frame) => server.send(frame), stop: () => server.stop() };
  const server = await startConsoleServer(async (req, res, path) => {
    if (req.method === 'POST' && path === '/api/login') {
      const { user, password } = await readBody(req) as { user?: string; password?: string };
      if (password !== PASSWORD) return json(res, 401, { error: { code: 'BAD_CREDENTIALS', message: 'user name or password is wrong' } });
      const first = !signedIn.has(user ?? '');
      signedIn.add(user ?? '');
      const expiresAt = new Date(Date.now() + ((first ? SESSION_MS[user ?? ''] : undefined) ?? 12 * 3_600_000)).toISOString();
      return json(res, 200, { token: `tok-${user}`, expiresAt, user: { id: user, name: user, roles }, permissions: permissionsOf(roles) });
    }
    if (path === '/api/me') return json(res, 200, { user: { id: 'dispatcher1', name: 'dispatcher1', roles }, permissions: permissionsOf(roles) });
    if (path === '/api/hotlists') return json(res, 200, { lists: [] });
    if (req.method === 'POST' && path === '/api/detections/search') {
      const body = await readBody(req);
      const older = body['before'] !== undefined;
      const rows = Array.from({ length: 3 }, (_, i) => searchRow(older ? i + 3 : i));
      return json(res, 200, { rows, nextCursor: older ? null : 'cursor-1', accessRecord: older ? 2 : 1 });
    }
    const disposition = /^\/api\/hits\/([^/]+)\/disposition$/.exec(path);
    if (req.method === 'POST' && disposition !== null) {
      const body = await readBody(req);
      const notice = { hitId: decodeURIComponent(disposition[1] ?? ''), disposition: body['disposition'], user: 'dispatcher1', at: new Date().toISOString(), visualVerified: body['visualVerified'], cletsVerified: body['cletsVerified'] };
      json(res, 200, notice);
      // The gateway's broadcast of the same disposition follows its reply, as it does for real.
      setTimeout(() => gateway.send({ type: 'disposition', ...notice }), 40);
      return;
    }
  }, () => ({ type: 'replay', hits: gateway.replay }));
  gateway.url = server.url;
  return gateway;
}

let g: ScriptedGateway;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  [g, browser] = await Promise.all([startScriptedGateway(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await g?.stop();
});

/** A console in its own context, at the sign-in form, recording what every live region says (visible to assistive tech or not). */
async function openConsole(viewport = { width: 1280, height: 900 }, { fakeClock = false } = {}): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Running as usual, but the test can move it on: the end of a session without waiting for it.
  if (fakeClock) await page.clock.install();
  await page.goto(g.url);
  await page.evaluate(`(() => {
    window.__said = [];
    const live = (el) => el.closest('[aria-live], [role="status"], [role="alert"]');
    new MutationObserver((records) => {
      const regions = new Set(records.map((r) => live(r.target.nodeType === 1 ? r.target : r.target.parentElement)).filter((el) => el !== null));
      for (const el of regions) {
        // Heard only if no ancestor hides it from assistive tech.
        if (el.textContent !== '' && el.closest('[hidden]') === null) window.__said.push({ region: el.id || el.className, text: el.textContent });
      }
    }).observe(document.body, { childList: true, characterData: true, subtree: true });
  })()`);
  return page;
}

async function signIn(page: Page, user: string): Promise<void> {
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#who:not([hidden])').waitFor();
}

function said(page: Page): Promise<Array<{ region: string; text: string }>> {
  return page.evaluate<Array<{ region: string; text: string }>>('window.__said');
}

/** What has the keyboard focus: tag, id and the hit or read it belongs to. */
function focused(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const el = document.activeElement;
    const where = el.closest('[data-hit-id]')?.dataset.hitId ?? el.closest('[data-read-id]')?.dataset.readId ?? '';
    return [el.tagName.toLowerCase(), el.id, el.className, where].join('|');
  })()`);
}

function hit(readId: string, list = 'SVS'): HitMessage {
  return hitMessage({ readId, list });
}

/**
 * Text shown now whose colour on its background is below WCAG's AA minimum: 4.5:1, or 3:1 for large
 * text (24 px, or 18.66 px bold). The background is the first opaque one up the tree, semi-transparent
 * ones blended on; text of disabled controls is exempt (WCAG 1.4.3), as is the visually hidden.
 */
function lowContrast(page: Page): Promise<Array<{ text: string; ratio: number; colour: string; background: string }>> {
  return page.evaluate(`(() => {
    const rgba = (value) => { const [r, g, b, a = 1] = value.match(/[\\d.]+/g).map(Number); return { r, g, b, a }; };
    const over = (top, under) => ({ r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1 });
    const luminance = ({ r, g, b }) => { const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
    const backgroundOf = (el) => {
      const layers = [];
      for (let at = el; at !== null; at = at.parentElement) {
        const colour = rgba(getComputedStyle(at).backgroundColor);
        if (colour.a > 0) layers.push(colour);
        if (colour.a >= 1) break;
      }
      return layers.reduceRight((under, top) => over(top, under), { r: 255, g: 255, b: 255, a: 1 });
    };
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const el = node.parentElement;
      if (node.textContent.trim() === '' || el.closest('.visually-hidden, :disabled, script, style') !== null) continue;
      if (el.getClientRects().length === 0 || el.checkVisibility?.() === false) continue;
      const style = getComputedStyle(el);
      const background = backgroundOf(el);
      const colour = over(rgba(style.color), background);
      const [light, dark] = [luminance(colour), luminance(background)].sort((a, b) => b - a);
      const ratio = (light + 0.05) / (dark + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) found.push({ text: node.textContent.trim().slice(0, 60), ratio: Math.round(ratio * 100) / 100, colour: style.color, background: \`rgb(\${background.r}, \${background.g}, \${background.b})\` });
    }
    return found;
  })()`);
}

describe('console accessibility', () => {
  it('shows every text at night and in day display at AA contrast or better, and keeps the workstation\'s display across sign-outs and reloads', async () => {
    const careful = hitMessage({ readId: 'a11y-contrast-ocr' });
    careful.hit = { ...careful.hit, kind: 'ocr', plate: '7A8C123', positions: [2], stateMatch: null };
    g.replay = [hit('a11y-contrast-1'), careful, hit('a11y-contrast-bolo', 'BOLO'), hit('a11y-contrast-resolved')];
    const page = await openConsole();
    expect(await lowContrast(page)).toEqual([]);
    await signIn(page, 'dispatcher1');
    await page.locator('li.hit').nth(3).waitFor();
    g.send({ type: 'disposition', hitId: hit('a11y-contrast-resolved').hitId, disposition: 'misread', user: 'dispatcher2', at: new Date().toISOString(), visualVerified: true, cletsVerified: false });
    g.send({ type: 'escalation', hitId: careful.hitId, list: 'SVS', agency: 'wpd', camera: 'cam1', plate: careful.hit.plate, publishedAt: careful.publishedAt, unresolvedSeconds: 400 });
    await page.locator('li.hit.resolved').waitFor();
    await page.locator('#escalation-notice:not([hidden])').waitFor();
    const display = page.getByRole('button', { name: 'Day display' });
    expect(await display.getAttribute('aria-pressed')).toBe('false');
    expect(await lowContrast(page)).toEqual([]);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#search-plate').fill('7ABC123');
    await page.locator('#search-reason').fill('stolen vehicle follow-up');
    await page.getByRole('button', { name: 'Run search', exact: true }).click();
    await page.locator('#search-results:not([hidden]) tbody tr').nth(2).waitFor();
    expect(await lowContrast(page)).toEqual([]);
    // The fields in the page's text size and colours, not the browser's small grey text on a grey
    // box, which read as disabled (QA).
    const fields = await page.evaluate<string[][]>(`[...document.querySelectorAll('#search input:not([type=checkbox]):not([type=radio]), #search select, #search textarea')]
      .filter((el) => el.getClientRects().length > 0).map((el) => [el.id, ...['fontSize', 'color', 'backgroundColor'].map((p) => getComputedStyle(el)[p])])`);
    expect(fields.length).toBeGreaterThanOrEqual(4);
    for (const [id, ...look] of fields) expect({ id, look }).toEqual({ id, look: ['15px', 'rgb(232, 237, 243)', 'rgb(16, 20, 26)'] });

    await display.click();
    expect(await display.getAttribute('aria-pressed')).toBe('true');
    expect(await display.textContent()).toBe('Day display: on');
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(233, 237, 241)');
    expect(await lowContrast(page)).toEqual([]);
    await page.locator('#views').getByRole('button', { name: /^Dispatch/ }).click();
    expect(await lowContrast(page)).toEqual([]);

    // The workstation's choice: the next user, and a reload, keep it.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#sign-in:not([hidden])').waitFor();
    expect(await lowContrast(page)).toEqual([]);
    // Light from the start: without the console's modules at all, the page is already in day display (QA: dark until they loaded).
    await page.route('**/console.js', (route) => route.abort());
    await page.reload();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('day');
    await page.unroute('**/console.js');
    await page.reload();
    expect(await page.getByRole('button', { name: 'Day display' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('day');
    await page.getByRole('button', { name: 'Day display' }).click();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBeUndefined();
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('names each card by its hit, and a hit arriving while another view is open is heard and counted in the title and on the Dispatch tab until looked at', async () => {
    g.replay = [hit('a11y-r1'), hit('a11y-r2', 'BOLO')];
    const page = await openConsole();
    await signIn(page, 'dispatcher1');
    await page.locator('#connection[data-state="live"]').waitFor();

    const card = page.getByRole('article', { name: /^Hit 7ABC123, BOLO, \d{1,2}:\d\d:\d\d [AP]M \S+$/ });
    await card.waitFor();
    expect(await card.getByRole('heading', { level: 3 }).count()).toBe(1);
    expect(await card.getByRole('heading', { level: 4 }).allTextContents()).toEqual(['Read', 'Hot list entry', 'Before any action (§471.5(f)(1)(2))']);
    expect(await page.locator('#approvals th').last().textContent()).not.toBe('');

    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const live = hit('a11y-live');
    g.send({ type: 'hit', ...live });
    await expect.poll(() => page.title()).toBe('(1) platewatch');
    expect(await page.locator('#views').getByRole('button', { name: /^Dispatch/ }).textContent()).toBe('Dispatch 1 new');
    expect((await said(page)).filter((s) => s.text.startsWith('New hit: 7 A B C 1 2 3, SVS'))).toHaveLength(1);
    expect(await page.locator('#bar-hit-count').textContent()).toBe('3');

    await page.locator('#views').getByRole('button', { name: /^Dispatch/ }).click();
    expect(await page.title()).toBe('platewatch');
    expect(await page.locator('#dispatch-new').isHidden()).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a dispatcher typing in a card lower down is told of new hits above, keeps the keyboard, and hears each disposition once', async () => {
    g.replay = Array.from({ length: 6 }, (_, i) => hit(`a11y-s${i}`));
    const page = await openConsole({ width: 1280, height: 600 });
    await signIn(page, 'dispatcher1');
    await page.locator('li.hit').nth(5).waitFor();

    const lowest = page.locator('li.hit').nth(5);
    const lowestId = await lowest.getAttribute('data-hit-id');
    await lowest.locator('.notes').fill('driver on foot');
    const live = hit('a11y-above');
    g.send({ type: 'hit', ...live });
    const jump = page.getByRole('button', { name: '1 new hit ↑' });
    await jump.waitFor();
    expect(await focused(page)).toBe(`input||notes|${lowestId}`);
    // A click in its first second is not taken (it appeared over what was under the pointer).
    await page.locator('#jump-new:not(.just-moved)').waitFor();
    await jump.click();
    expect(await focused(page)).toBe(`article|||${live.hitId}`);
    expect(await jump.isHidden()).toBe(true);

    // "Other" without a reason: the notes field says it is wrong, and why; writing one clears it.
    const second = page.locator('li.hit').nth(1);
    const notes = second.locator('.notes');
    await second.getByRole('button', { name: /^Other/ }).click();
    expect(await notes.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${await notes.getAttribute('aria-describedby')}`).textContent()).toBe('Write the reason in the notes for "Other".');
    await notes.fill('checked, not the car');
    expect(await notes.getAttribute('aria-invalid')).toBeNull();

    // Its own disposition, answered and then broadcast: said once (here by the focus landing on it).
    const secondId = await second.getAttribute('data-hit-id');
    await second.getByRole('button', { name: /^Misread/ }).press('Enter');
    await second.locator('.recorded:not([hidden])').waitFor();
    await page.waitForTimeout(500);
    const onRecorded = (await focused(page)).startsWith('p||recorded|') ? 1 : 0;
    expect((await said(page)).filter((s) => s.text.includes('Misread')).length + onRecorded).toBe(1);
    expect(await focused(page)).toContain(`|${secondId}`);

    // Resolved on another console: said once, politely; a resolved card is not faded below 4.5:1.
    const third = g.replay[2] as HitMessage;
    g.send({ type: 'disposition', hitId: third.hitId, disposition: 'not_located', user: 'dispatcher2', at: new Date().toISOString(), visualVerified: false, cletsVerified: false });
    await page.locator(`li.hit[data-hit-id="${third.hitId}"].resolved`).waitFor();
    await page.waitForTimeout(300);
    expect((await said(page)).filter((s) => s.text.includes('Could not locate'))).toEqual([{ region: 'announcer-polite', text: 'Hit 7 A B C 1 2 3 resolved: Could not locate, by dispatcher2.' }]);
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('li.hit[data-hit-id="${third.hitId}"] article')).opacity`)).toBe('1');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('keeps the keyboard after every submit, ties errors to their fields, warns before the session ends, and signing in again keeps the place', async () => {
    const waiting = hit('a11y-kept');
    g.replay = [waiting];
    const page = await openConsole(undefined, { fakeClock: true });
    await page.getByLabel('User name').fill('shortshift');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).press('Enter');
    await page.locator('#sign-in-error', { hasText: 'user name or password is wrong' }).waitFor();
    expect(await page.locator('#password').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#password').getAttribute('aria-describedby')).toBe('sign-in-error');
    expect(await focused(page)).not.toMatch(/^body/);
    await page.getByLabel('Password').fill(PASSWORD);
    expect(await page.locator('#password').getAttribute('aria-invalid')).toBeNull();
    await page.getByRole('button', { name: 'Sign in' }).press('Enter');
    await page.locator('#who:not([hidden])').waitFor();

    // 14 minutes left: warned on screen and through the polite region, once.
    const warning = /^Your session ends in 14 minutes, at /;
    await expect.poll(() => page.locator('#session-warning').textContent()).toMatch(warning);
    expect(await page.locator('#session-warning').isVisible()).toBe(true);
    await expect.poll(async () => (await said(page)).filter((s) => s.region === 'announcer-polite' && warning.test(s.text)).length).toBe(1);

    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const run = page.getByRole('button', { name: 'Run search' });
    await run.press('Enter');
    const caseField = page.locator('#search-case');
    expect(await caseField.getAttribute('aria-invalid')).toBe('true');
    expect(await caseField.getAttribute('aria-describedby')).toBe('search-error');
    await caseField.fill('26-0042');
    expect(await caseField.getAttribute('aria-invalid')).toBeNull();

    await run.press('Enter');
    await page.locator('#search-status', { hasText: '3 detections' }).waitFor();
    expect(await focused(page)).toMatch(/^button\|/);
    await page.getByRole('button', { name: 'Older results' }).press('Enter');
    await page.locator('#search-status', { hasText: '6 detections' }).waitFor();
    expect(await focused(page)).toBe('tr|||row-3');

    // The session runs out while notes are being typed: a sign-in prompt over the page, which stays.
    await page.locator('#views').getByRole('button', { name: /^Dispatch/ }).click();
    const notes = page.locator(`li.hit[data-hit-id="${waiting.hitId}"] .notes`);
    await notes.fill('passenger matches');
    await page.clock.fastForward('14:00');
    const prompt = page.getByRole('dialog', { name: 'Sign in' });
    await prompt.waitFor();
    expect(await focused(page)).toBe('input|password||');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await prompt.waitFor({ state: 'hidden' });
    await page.locator('#connection[data-state="live"]').waitFor();
    expect(await notes.inputValue()).toBe('passenger matches');
    expect(await focused(page)).toBe(`input||notes|${waiting.hitId}`);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);
});
