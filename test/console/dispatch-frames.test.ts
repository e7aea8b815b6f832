// The dispatch console in a real browser against a scripted gateway: the console's own files, a
// stand-in login, and a /ws that sends the frames each test writes (gateway/console-protocol.ts),
// so that a replay of thousands of hits, one capped with `omitted`, hits already `escalated`, and
// reads whose time is far from now can be sent exactly. The real gateway's side of these frames is
// tested in test/gateway/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HitMessage } from '../../ingest/index.js';
import { hitMessage } from '../gateway/harness.js';
import { launchChromium, signedInConsole } from './browser.js';
import { startScriptedGateway, type ScriptedGateway } from './dispatch-gateway.js';

const BROWSER_TEST_MS = 120_000;

let g: ScriptedGateway;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  g = await startScriptedGateway();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await g?.stop();
});

function signIn(): Promise<Page> {
  return signedInConsole(browser, g.url, 'dispatcher1', 'correct horse battery', pageErrors);
}

/** A hit as the gateway serialises it (console-protocol.ts serialiseHit), its read taken at `readAt`. */
function hitAt(readId: string, readAt: number, options: { list?: string; publishedAt?: number } = {}): HitMessage {
  const base = hitMessage({ readId, list: options.list ?? 'SVS', publishedAt: options.publishedAt ?? Date.now() });
  return { ...base, read: { ...base.read, ts: readAt } };
}

/** Records, in the page, every text the screen-reader announcer takes from now on. */
async function recordAnnouncements(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(`(() => {
    window.__announced = [];
    const el = document.getElementById('announcer');
    new MutationObserver(() => { if (el.textContent !== '') window.__announced.push(el.textContent); }).observe(el, { childList: true, characterData: true, subtree: true });
  })()`);
  return () => page.evaluate<string[]>('window.__announced');
}

describe('dispatch console, scripted frames', () => {
  it('marks a read far older than its hit as delayed, and one ahead of the clock, in the headline and as verify carefully, with the date when not today', async () => {
    const now = Date.now();
    const old = hitAt('old-1', now - 2 * 86_400_000, { publishedAt: now });
    const ahead = hitAt('ahead-1', now + 2 * 3_600_000, { publishedAt: now });
    const fresh = hitAt('fresh-1', now - 5_000, { publishedAt: now });
    // Raised three hours ago, from a read taken then: an old hit, not a delayed read.
    const earlier = hitAt('earlier-1', now - 3 * 3_600_000 - 5_000, { publishedAt: now - 3 * 3_600_000 });
    g.replay = () => ({ type: 'replay', hits: [fresh, old, ahead, earlier] });
    const page = await signIn();
    const card = (m: HitMessage) => page.locator(`li.hit[data-hit-id="${m.hitId}"]`);
    await card(old).waitFor();

    // This stand-in gateway names no department zone: the console keeps the browser's, and says so.
    const dateOf = (ts: number) => page.evaluate<string>(`new Date(${ts}).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' })`);
    const todayIs = (ts: number) => page.evaluate<boolean>(`new Date(${ts}).toDateString() === new Date().toDateString()`);
    expect(await card(old).locator('.time').textContent()).toMatch(new RegExp(`^${await dateOf(old.read.ts)}, \\d{1,2}:\\d\\d:\\d\\d [AP]M \\S+$`));
    expect(await card(old).locator('.time-caution').textContent()).toBe('seen 2 d ago — read delayed');
    expect(await card(old).locator('.time-caution').isVisible()).toBe(true);
    expect(await card(old).locator('.caution').isVisible()).toBe(true);
    expect((await card(old).locator('.cautions li').allTextContents()).join('\n')).toContain('reached the gateway late');

    expect(await card(ahead).locator('.time-caution').textContent()).toBe('camera clock ahead by 2 h');
    expect(await card(ahead).locator('.caution').isVisible()).toBe(true);
    expect((await card(ahead).locator('.cautions li').allTextContents()).join('\n')).toContain("camera's clock is wrong");
    if (!(await todayIs(ahead.read.ts))) expect(await card(ahead).locator('.time').textContent()).toContain(await dateOf(ahead.read.ts));

    for (const ordinary of [fresh, earlier]) {
      expect(await card(ordinary).locator('.time-caution').isHidden()).toBe(true);
      expect(await card(ordinary).locator('.caution').isHidden()).toBe(true);
    }
    expect(await card(fresh).locator('.time').textContent()).toMatch(/^\d{1,2}:\d\d:\d\d [AP]M \S+$/);

    // Live, the same: read out as "verify carefully".
    const lateLive = hitAt('old-live', Date.now() - 45 * 60_000);
    g.send({ type: 'hit', ...lateLive });
    await card(lateLive).waitFor();
    expect(await card(lateLive).locator('.time-caution').textContent()).toBe('seen 45 min ago — read delayed');
    await expect.poll(() => page.locator('#announcer').textContent()).toContain('verify carefully');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('asks on a BOLO hit for the wanted person to be looked for before acting on it (§471.5(f)(2)), and not on a stolen vehicle hit', async () => {
    const bolo = hitAt('bolo-1', Date.now() - 5_000, { list: 'BOLO' });
    const svs = hitAt('svs-1', Date.now() - 5_000, { list: 'SVS' });
    g.replay = () => ({ type: 'replay', hits: [svs, bolo] });
    g.dispositions.length = 0;
    const page = await signIn();
    const boloCard = page.locator(`li.hit[data-hit-id="${bolo.hitId}"]`);
    const svsCard = page.locator(`li.hit[data-hit-id="${svs.hitId}"]`);
    await boloCard.waitFor();

    const person = /confirm the wanted person is in the vehicle/;
    expect(await svsCard.getByRole('checkbox', { name: person }).count()).toBe(0);
    const personBox = boloCard.getByRole('checkbox', { name: person });
    expect(await personBox.isVisible()).toBe(true);

    const confirmed = boloCard.getByRole('button', { name: /^Confirmed and acted on/ });
    for (const name of ['Plate visually matches the image', 'Vehicle matches the description', 'Status confirmed through CLETS']) {
      await boloCard.getByRole('checkbox', { name: new RegExp(name) }).check();
      await svsCard.getByRole('checkbox', { name: new RegExp(name) }).check();
    }
    // The three vehicle checks are enough on the stolen vehicle hit, not on the BOLO hit.
    expect(await svsCard.getByRole('button', { name: /^Confirmed and acted on/ }).isEnabled()).toBe(true);
    expect(await confirmed.isDisabled()).toBe(true);
    expect(await boloCard.evaluate((el) => el.classList.contains('verified'))).toBe(false);

    // Answered without acting on it, the person unchecked: the gateway is told the plate and
    // vehicle were verified, and the person check, a field of its own, was not made.
    await boloCard.getByRole('button', { name: /^Could not locate/ }).click();
    await boloCard.locator('.recorded:not([hidden])').waitFor();
    expect(g.dispositions.at(-1)).toMatchObject({ disposition: 'not_located', visualVerified: true, cletsVerified: true, personVerified: false });
    // The stolen vehicle hit sends no person check: its list does not ask it.
    await svsCard.getByRole('button', { name: /^Confirmed and acted on/ }).click();
    await svsCard.locator('.recorded:not([hidden])').waitFor();
    expect(g.dispositions.at(-1)).toMatchObject({ disposition: 'confirmed', visualVerified: true, cletsVerified: true });
    expect(g.dispositions.at(-1)).not.toHaveProperty('personVerified');

    // Another BOLO hit, every check ticked: acted on, visually verified.
    const second = hitAt('bolo-2', Date.now() - 5_000, { list: 'BOLO' });
    g.send({ type: 'hit', ...second });
    const secondCard = page.locator(`li.hit[data-hit-id="${second.hitId}"]`);
    await secondCard.waitFor();
    for (const name of ['Plate visually matches the image', 'Vehicle matches the description', 'Status confirmed through CLETS']) {
      await secondCard.getByRole('checkbox', { name: new RegExp(name) }).check();
    }
    expect(await secondCard.getByRole('button', { name: /^Confirmed and acted on/ }).isDisabled()).toBe(true);
    await secondCard.getByRole('checkbox', { name: person }).check();
    expect(await secondCard.getByRole('button', { name: /^Confirmed and acted on/ }).isEnabled()).toBe(true);
    await secondCard.getByRole('button', { name: /^Confirmed and acted on/ }).click();
    await secondCard.locator('.recorded:not([hidden])').waitFor();
    expect(g.dispositions.at(-1)).toMatchObject({ disposition: 'confirmed', visualVerified: true, cletsVerified: true, personVerified: true });
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('loads a replay of thousands of unresolved hits with a bounded page, counts them all, shows more on request, and announces a burst once', async () => {
    const now = Date.now();
    const hits = Array.from({ length: 2609 }, (_, i) => hitAt(`many-${i}`, now - 60_000 + i, { publishedAt: now - 60_000 + i }));
    g.replay = () => ({ type: 'replay', hits });
    const page = await signIn();
    await expect.poll(() => page.locator('#hit-count').textContent()).toBe('2609');
    expect(await page.locator('li.hit').count()).toBe(200);
    // Newest first.
    expect(await page.locator('li.hit').first().getAttribute('data-hit-id')).toBe(hits[2608]?.hitId);
    expect(await page.locator('#more-hits').isVisible()).toBe(true);
    expect(await page.locator('#more-hits-text').textContent()).toBe('2409 more unresolved hits, older than those shown.');
    expect(await page.locator('#notice').textContent()).toBe('Loaded 2609 unresolved hits from the recent window.');
    expect(await page.evaluate<number>('document.getElementsByTagName("*").length')).toBeLessThan(40_000);

    await page.locator('#show-more').click();
    expect(await page.locator('li.hit').count()).toBe(400);
    expect(await page.locator('#more-hits-text').textContent()).toBe('2209 more unresolved hits, older than those shown.');

    // Resolving a shown hit keeps the count right; one behind "Show more" resolved elsewhere too.
    const shownHit = hits[2608] as HitMessage;
    const hiddenHit = hits[0] as HitMessage;
    for (const h of [shownHit, hiddenHit]) g.send({ type: 'disposition', hitId: h.hitId, disposition: 'misread', user: 'dispatcher2', at: new Date().toISOString(), visualVerified: true, cletsVerified: false });
    await expect.poll(() => page.locator('#hit-count').textContent()).toBe('2607');
    expect(await page.locator('#resolved-count').textContent()).toBe('1');

    // A burst of 40 live hits: the first is read out, the rest as one summary.
    const announced = await recordAnnouncements(page);
    const burst = Array.from({ length: 40 }, (_, i) => hitAt(`burst-${i}`, Date.now() - 1_000));
    for (const hit of burst) g.send({ type: 'hit', ...hit });
    await expect.poll(() => page.locator('#hit-count').textContent()).toBe('2647');
    await expect.poll(announced, { timeout: 10_000 }).toHaveLength(2);
    await page.waitForTimeout(2500);
    const said = await announced();
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/^New hit: /);
    expect(said[1]).toMatch(/^39 more new hits\. The newest: New hit: /);
    expect(await page.locator('li.hit').first().getAttribute('data-hit-id')).toBe(burst[39]?.hitId);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('sounds an alert for a live hit (once for a burst) and another for an escalation, not for a replay; Alert sound turns it off for the workstation', async () => {
    const replayed = hitAt('snd-replayed', Date.now() - 60_000);
    g.replay = () => ({ type: 'replay', hits: [replayed] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // What the page asks the browser's synthesiser to play, as [Hz, …] per tone started.
    await context.addInitScript(`window.tones = []; const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (...args) { window.tones.push(this.frequency.value); return start.apply(this, args); };`);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const tones = () => page.evaluate<number[]>('window.tones');
    const button = page.locator('#sound');
    const blocked = page.locator('#sound-blocked');
    await page.goto(g.url);
    await page.getByLabel('User name').fill('dispatcher1');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#connection[data-state="live"]').waitFor();
    await page.locator(`li.hit[data-hit-id="${replayed.hitId}"]`).waitFor();
    // The sign-in click lets the page make sound: on, and nothing said about the browser holding it back.
    expect(await button.getAttribute('aria-pressed')).toBe('true');
    expect(await button.textContent()).toBe('Alert sound: on');
    await expect.poll(() => blocked.isHidden()).toBe(true);
    expect(await tones()).toEqual([]); // the replayed hit is not a new one

    const first = hitAt('snd-1', Date.now());
    g.send({ type: 'hit', ...first });
    await page.locator(`li.hit[data-hit-id="${first.hitId}"]`).waitFor();
    await expect.poll(tones).toEqual([880, 1320]);
    // A burst right after: one alert was enough.
    const burst = ['snd-2', 'snd-3', 'snd-4'].map((id) => hitAt(id, Date.now()));
    for (const hit of burst) g.send({ type: 'hit', ...hit });
    await page.locator(`li.hit[data-hit-id="${burst[2]?.hitId}"]`).waitFor();
    g.send({ type: 'escalation', hitId: first.hitId, list: 'SVS', agency: 'wpd', camera: 'cam1', plate: '7ABC123', publishedAt: first.publishedAt, unresolvedSeconds: 300 });
    await expect.poll(() => page.locator(`li.hit[data-hit-id="${first.hitId}"]`).evaluate((el) => el.classList.contains('escalated'))).toBe(true);
    await expect.poll(tones).toEqual([880, 1320, 1320, 880, 1320, 880]);

    // Off: no sound for the next hit, and the choice outlives a reload (the workstation's, in localStorage).
    await button.click();
    expect(await button.getAttribute('aria-pressed')).toBe('false');
    expect(await button.textContent()).toBe('Alert sound: off');
    expect(await button.evaluate((el) => el.getAttribute('aria-label'))).toBe('Alert sound');
    await page.waitForTimeout(2_100); // past the quiet after the last alert, which would hide a wrong one
    const unheard = hitAt('snd-off', Date.now());
    g.send({ type: 'hit', ...unheard });
    await page.locator(`li.hit[data-hit-id="${unheard.hitId}"]`).waitFor();
    await page.reload();
    await page.locator('#connection[data-state="live"]').waitFor();
    expect(await button.textContent()).toBe('Alert sound: off');
    expect(await tones()).toEqual([]); // a new page: nothing played since the reload
    expect(await blocked.isHidden()).toBe(true); // off: nothing held back
    // On again: it plays once, to be heard.
    await button.click();
    expect(await button.textContent()).toBe('Alert sound: on');
    await expect.poll(tones).toEqual([880, 1320]);
    // Reloaded with sound on: the browser holds it back until a key or click on the page, and says so.
    await page.reload();
    await page.locator('#connection[data-state="live"]').waitFor();
    await expect.poll(() => blocked.isVisible()).toBe(true);
    const held = hitAt('snd-held', Date.now());
    g.send({ type: 'hit', ...held });
    await page.locator(`li.hit[data-hit-id="${held.hitId}"]`).waitFor();
    await page.keyboard.press('Shift');
    await expect.poll(() => blocked.isHidden()).toBe(true);
    const heard = hitAt('snd-heard', Date.now());
    g.send({ type: 'hit', ...heard });
    await page.locator(`li.hit[data-hit-id="${heard.hitId}"]`).waitFor();
    await expect.poll(tones).toEqual([880, 1320]);

    // An analyst sees hits but answers none: no alert and no button, whatever the workstation's setting.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('User name').fill('analyst1');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#connection[data-state="live"]').waitFor();
    await page.locator('#views').getByRole('button', { name: /^Dispatch/ }).click();
    expect(await button.isHidden()).toBe(true);
    expect(await blocked.isHidden()).toBe(true);
    await page.waitForTimeout(2_100); // past the quiet after the last alert, which would hide a wrong one
    const seen = hitAt('snd-analyst', Date.now());
    g.send({ type: 'hit', ...seen });
    await page.locator(`li.hit[data-hit-id="${seen.hitId}"]`).waitFor();
    g.send({ type: 'escalation', hitId: seen.hitId, list: 'SVS', agency: 'wpd', camera: 'cam1', plate: '7ABC123', publishedAt: seen.publishedAt, unresolvedSeconds: 300 });
    await page.waitForTimeout(500);
    expect(await tones()).toEqual([880, 1320]);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, BROWSER_TEST_MS);

  it('warns when the replay left older unresolved hits out, and flags the replayed hits already escalated as an escalation frame does', async () => {
    const now = Date.now();
    const a = hitAt('cap-a', now - 9 * 60_000, { publishedAt: now - 9 * 60_000 });
    const b = hitAt('cap-b', now - 60_000, { publishedAt: now - 60_000 });
    const live = hitAt('cap-live', now - 7 * 60_000, { publishedAt: now - 7 * 60_000 });
    g.replay = () => ({ type: 'replay', hits: [a, b, live], omitted: 1234, escalated: [a.hitId] });
    const page = await signIn();
    const card = (m: HitMessage) => page.locator(`li.hit[data-hit-id="${m.hitId}"]`);
    await card(a).waitFor();

    const warning = page.locator('#replay-omitted');
    expect(await warning.isVisible()).toBe(true);
    expect(await warning.textContent()).toContain('1234 older unresolved hits were not loaded');
    expect(await page.locator('#notice').textContent()).not.toMatch(/^Loaded 3 unresolved hits/);
    expect(await page.locator('#notice').textContent()).toContain('1234 older are not shown');
    // No count of the escalated in the notice: it went stale beside the bar's row, which follows them.
    expect(await page.locator('#notice').textContent()).not.toMatch(/escalated/);

    expect(await card(a).evaluate((el) => el.classList.contains('escalated'))).toBe(true);
    expect(await card(a).locator('.escalation').textContent()).toBe('Escalated: unresolved for 9 min');
    // And in the bar's escalation row, as a live escalation is.
    expect(await page.locator('#escalation-text').textContent()).toMatch(/^Escalated to supervisors: hit 7ABC123 \(SVS, camera cam1\), unresolved since /);
    expect(await card(b).evaluate((el) => el.classList.contains('escalated'))).toBe(false);
    expect(await card(b).locator('.escalation').isHidden()).toBe(true);

    // The live escalation frame's flag, for comparison: the same class and words.
    g.send({ type: 'escalation', hitId: live.hitId, list: 'SVS', agency: 'wpd', camera: 'cam1', plate: '7ABC123', publishedAt: live.publishedAt, unresolvedSeconds: 7 * 60 });
    await expect.poll(() => card(live).evaluate((el) => el.classList.contains('escalated'))).toBe(true);
    expect(await card(live).locator('.escalation').textContent()).toBe('Escalated: unresolved for 7 min');

    // A complete replay (after a reconnection) takes the warning away.
    g.replay = () => ({ type: 'replay', hits: [a, b, live] });
    for (const s of g.sockets) s.close(1001, 'restarting');
    await page.locator('#connection[data-state="offline"]').waitFor();
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => warning.isHidden()).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  // QA in a patrol car's terminal: a link that stops passing data without closing showed "Live"
  // for minutes while no hit could arrive.
  it('takes a link silent past its heartbeats for dead, and a network gone for gone: says so and connects again', async () => {
    g.replay = () => ({ type: 'replay', hits: [] });
    const page = await signIn();
    const connection = page.locator('#connection');
    // Every text the connection pill shows, recorded in the page: "Offline" lasts half a second
    // before the retry, shorter than Playwright's polling on a loaded machine.
    await page.evaluate(`(() => {
      window.__states = [];
      const el = document.getElementById('connection');
      new MutationObserver(() => window.__states.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
    })()`);
    const states = () => page.evaluate<string[]>('window.__states');
    g.send({ type: 'heartbeat', everyMs: 400 });
    // This gateway says nothing more: 2.5 heartbeats later the console gives up on the socket.
    await expect.poll(states, { timeout: 10_000 }).toContainEqual(expect.stringMatching(/^Offline: no word from the gateway for 1 s\. Retrying in \d+ s$/));
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 10_000 });
    // The new socket heard no heartbeat yet, so it is not taken for silent (a gateway from before heartbeats).
    await page.waitForTimeout(1_500);
    expect(await connection.getAttribute('data-state')).toBe('live');
    await page.context().setOffline(true);
    await expect.poll(states, { timeout: 10_000 }).toContainEqual(expect.stringMatching(/^Offline: this computer lost its network connection\./));
    await page.context().setOffline(false);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 10_000 });
    await page.context().close();
  }, BROWSER_TEST_MS);

  // QA: a new hit pushed the card being answered 394 px down at the top of the page, and a tap
  // aimed at it 150 ms later recorded "Misread" on the new hit, unseen.
  it('does not take a tap that lands as a new hit moves the cards, and keeps the card being worked on in place', async () => {
    const first = hitAt('move-1', Date.now() - 60_000);
    g.replay = () => ({ type: 'replay', hits: [first] });
    g.dispositions.length = 0;
    const page = await signIn();
    await page.setViewportSize({ width: 1280, height: 720 });
    const card = (hit: HitMessage) => page.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    await card(first).waitFor();
    // A pointer's click (detail 1) on a card's control the moment the next hit's card goes in.
    const tapOnArrival = (target: HitMessage, control = 'button[data-disposition="misread"]') => page.evaluate(`(() => {
      const list = document.getElementById('hits');
      const observer = new MutationObserver(() => {
        observer.disconnect();
        const el = document.querySelector('li.hit[data-hit-id="${target.hitId}"] ${control.replace(/"/g, '\\"')}');
        el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, detail: 1 }));
      });
      observer.observe(list, { childList: true });
    })()`);
    // A box is not ticked either: ticked on the wrong card, it would hold that card in place for the answer.
    await tapOnArrival(first, 'input[name="plate"]');
    const early = hitAt('move-0', Date.now() - 30_000);
    g.send({ type: 'hit', ...early });
    await card(early).waitFor();
    await expect.poll(() => card(first).locator('.disposition-error').textContent()).toMatch(/^Not taken: a new hit moved the cards/);
    expect(await card(first).locator('input[name="plate"]').isChecked()).toBe(false);
    await page.waitForTimeout(1_100);
    await tapOnArrival(first);
    const second = hitAt('move-2', Date.now());
    g.send({ type: 'hit', ...second });
    await card(second).waitFor();
    await expect.poll(() => card(first).locator('.disposition-error').textContent()).toBe(
      'Not taken: a new hit moved the cards as you tapped. Check this card, then tap again.',
    );
    expect(g.dispositions).toEqual([]);
    // A moment later the same tap is taken.
    await page.waitForTimeout(1_100);
    await card(first).getByRole('button', { name: /^Misread/ }).click();
    await expect.poll(() => g.dispositions.length).toBe(1);

    // Working on the second card (a box ticked): the next hit goes in above the screen, the card stays, and a tap on it is taken.
    await page.evaluate('window.scrollTo(0, 0)');
    await card(second).getByLabel(/Plate visually matches/).check();
    const topBefore = await card(second).evaluate((el) => el.getBoundingClientRect().top);
    await tapOnArrival(second);
    const third = hitAt('move-3', Date.now());
    g.send({ type: 'hit', ...third });
    await card(third).waitFor({ state: 'attached' });
    expect(Math.abs((await card(second).evaluate((el) => el.getBoundingClientRect().top)) - topBefore)).toBeLessThanOrEqual(2);
    await expect.poll(() => g.dispositions.length).toBe(2);
    expect(g.dispositions[1]).toMatchObject({ disposition: 'misread' });
    await expect.poll(() => page.locator('#jump-new').textContent()).toBe('1 new hit ↑');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('on a phone: says new hits arrived above when scrolled down, keeps the last card clear of that button, gives fingers 44 px targets, and a tap on a greyed-out answer says what it waits for', async () => {
    g.replay = () => ({ type: 'replay', hits: ['ph-1', 'ph-2', 'ph-3'].map((id, i) => hitAt(id, Date.now() - 60_000 * (i + 1))) });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(g.url);
    await page.getByLabel('User name').fill('dispatcher1');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('li.hit').nth(2).waitFor();
    expect(await page.evaluate('matchMedia("(pointer: coarse)").matches')).toBe(true);
    // Of what is shown (the correction button waits for a disposition).
    const heights = await page.locator('li.hit').first().evaluate((li) => {
      const shownOnes = (selector: string) => [...li.querySelectorAll(selector)].map((el) => el.getBoundingClientRect()).filter((r) => r.height > 0);
      return {
        buttons: Math.min(...shownOnes('.dispositions button').map((r) => r.height)),
        checks: Math.min(...shownOnes('.checklist label').map((r) => r.height)),
        box: Math.min(...shownOnes('.checklist input').map((r) => r.width)),
      };
    });
    expect(heights.buttons).toBeGreaterThanOrEqual(44);
    expect(heights.checks).toBeGreaterThanOrEqual(44);
    expect(heights.box).toBeGreaterThanOrEqual(24);
    // On the narrowest phones (320 px) too, the cards below the screen, which the browser does not lay
    // out, widen nothing: a width in their stand-in size once made the page scroll sideways.
    await page.setViewportSize({ width: 320, height: 844 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(320);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate('document.activeElement.blur(); window.scrollTo(0, document.documentElement.scrollHeight)');
    // A tap the moment "new hits ↑" appears (over what was under the finger) is not taken.
    await page.evaluate(`(() => {
      const jump = document.getElementById('jump-new');
      const observer = new MutationObserver(() => {
        if (jump.hidden) return;
        observer.disconnect();
        jump.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, detail: 1 }));
      });
      observer.observe(jump, { attributes: true, attributeFilter: ['hidden'] });
    })()`);
    const hit = hitAt('ph-new', Date.now());
    g.send({ type: 'hit', ...hit });
    await page.locator(`li.hit[data-hit-id="${hit.hitId}"]`).waitFor({ state: 'attached' });
    const jump = page.locator('#jump-new');
    await expect.poll(() => jump.textContent()).toBe('1 new hit ↑');
    expect(await jump.isVisible()).toBe(true);
    // The page ends below the button: the last card's last button is not under it.
    const [button, last] = await Promise.all([jump.boundingBox(), page.locator('li.hit').last().locator('.dispositions button').last().boundingBox()]);
    expect((last?.y ?? 0) + (last?.height ?? 0)).toBeLessThanOrEqual(button?.y ?? 0);
    await page.waitForTimeout(1_100);
    await jump.tap();
    await expect.poll(() => jump.isHidden()).toBe(true);
    // The newest card comes up with its plate in sight, the keyboard on it.
    const newPlate = await page.locator(`li.hit[data-hit-id="${hit.hitId}"] .plate`).boundingBox();
    expect(newPlate !== null && newPlate.y >= 0 && newPlate.y + newPlate.height <= 844).toBe(true);
    expect(await page.evaluate<string | undefined>('document.activeElement?.closest("li.hit")?.dataset.hitId')).toBe(hit.hitId);

    // A tap on a greyed-out answer says what it waits for, and the message goes once it is done.
    const card = page.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    const tapOn = async (name: string) => {
      const box = await card.getByRole('button', { name }).boundingBox();
      if (box === null) throw new Error(`no ${name} button`);
      await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    };
    await page.waitForTimeout(1_100); // past the tap guard of a card that just went in
    const sentBefore = g.dispositions.length;
    await tapOn('Arrest');
    const error = card.locator('.disposition-error');
    await expect.poll(() => error.textContent()).toBe('"Arrest" needs every check above ticked first. Not ticked yet: ' +
      'Plate visually matches the image: characters and state; Vehicle matches the description; Status confirmed through CLETS / dispatch.');
    // It follows the boxes, not only the next tap (QA: it kept listing a box just ticked).
    await card.getByLabel('Plate visually matches the image').tap();
    await expect.poll(() => error.textContent()).toBe('"Arrest" needs every check above ticked first. Not ticked yet: Vehicle matches the description; Status confirmed through CLETS / dispatch.');
    await card.getByLabel('Vehicle matches the description').tap();
    await tapOn('Vehicle recovered');
    await expect.poll(() => error.textContent()).toBe('"Vehicle recovered" needs every check above ticked first. Not ticked yet: Status confirmed through CLETS / dispatch.');
    await card.getByLabel('Status confirmed through CLETS').tap();
    await expect.poll(() => error.textContent()).toBe('');
    expect(await card.getByRole('button', { name: 'Arrest' }).isEnabled()).toBe(true);
    expect(g.dispositions).toHaveLength(sentBefore);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, BROWSER_TEST_MS);

  it('keeps the escalated hits still unresolved in sight in the bar, scrolled or on a phone, shows the hit on request, and drops each once answered', async () => {
    const hits = Array.from({ length: 12 }, (_, i) => hitMessage({ readId: `esc-${i}`, camera: `cam${i}`, publishedAt: Date.now() - 600_000 + i * 1_000 }));
    g.replay = () => ({ type: 'replay', hits });
    const page = await signIn();
    await expect.poll(() => page.locator('#hit-count').textContent()).toBe('12');
    const notice = page.locator('#escalation-notice');
    expect(await notice.isHidden()).toBe(true);
    // Scrolled to the oldest card, as a supervisor answering it would be.
    await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
    const escalate = (hit: HitMessage) => g.send({ type: 'escalation', hitId: hit.hitId, list: 'SVS', agency: 'wpd', camera: hit.read.camera, plate: '7ABC123', publishedAt: hit.publishedAt, unresolvedSeconds: 400 });
    const inSight = async () => {
      const box = await notice.boundingBox();
      const height = await page.evaluate<number>('window.innerHeight');
      return box !== null && box.y >= 0 && box.y + box.height <= height;
    };
    const [second, fifth] = [hits[1] as HitMessage, hits[4] as HitMessage];
    const bar = page.locator('header.bar');
    escalate(second);
    await expect.poll(() => notice.textContent()).toMatch(/^Escalated to supervisors: hit 7ABC123 \(SVS, camera cam1\), unresolved since \d{1,2}:\d{2}:\d{2} [AP]M \S+\. Show the hit$/);
    expect(await inSight()).toBe(true);
    escalate(fifth);
    await expect.poll(() => page.locator('#escalation-text').textContent()).toMatch(/^2 hits escalated to supervisors are unresolved; the first: hit 7ABC123 \(SVS, camera cam1\)/);

    // To the top, then "Show the hit": the first one escalated, with the keyboard on it.
    await page.evaluate('window.scrollTo(0, 0)');
    await page.getByRole('button', { name: 'Show the hit' }).click();
    await expect.poll(() => page.evaluate<string | undefined>('document.activeElement?.closest("li.hit")?.dataset.hitId')).toBe(second.hitId);
    // Below the sticky bar, escalation row and all (QA: the plate was under it).
    const card = await page.locator(`li.hit[data-hit-id="${second.hitId}"]`).boundingBox();
    const barBox = await bar.boundingBox();
    expect(card !== null && barBox !== null && card.y >= barBox.y + barBox.height && card.y < (await page.evaluate<number>('window.innerHeight'))).toBe(true);

    // Answered (here or elsewhere): the bar names the one still waiting, then nothing.
    const answer = (hit: HitMessage) => g.send({ type: 'disposition', hitId: hit.hitId, disposition: 'not_located', user: 'dispatcher2', at: new Date().toISOString(), visualVerified: false, cletsVerified: false });
    answer(second);
    await expect.poll(() => page.locator('#escalation-text').textContent()).toMatch(/^Escalated to supervisors: hit 7ABC123 \(SVS, camera cam4\)/);
    // On a phone the bar scrolls away: the escalation stays at the top of the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
    expect(await inSight()).toBe(true);
    // At the page's top the bar is below the row, not under it (QA: it hid the views and Sign out).
    await page.evaluate('window.scrollTo(0, 0)');
    const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
    expect(signOut).not.toBeNull();
    expect(await page.evaluate(`document.elementFromPoint(${(signOut?.x ?? 0) + 5}, ${(signOut?.y ?? 0) + 5})?.id`)).toBe('sign-out');
    // "Show the hit" there: the card, taller than the screen, starts below the row, its plate in
    // sight (QA: the keyboard put on it scrolled its plate under the row again).
    await page.getByRole('button', { name: 'Show the hit' }).click();
    await expect.poll(() => page.evaluate<string | undefined>('document.activeElement?.closest("li.hit")?.dataset.hitId')).toBe(fifth.hitId);
    const row = await notice.boundingBox();
    const plate = await page.locator(`li.hit[data-hit-id="${fifth.hitId}"] .plate`).boundingBox();
    expect(row !== null && plate !== null && plate.y >= row.y + row.height).toBe(true);
    answer(fifth);
    await expect.poll(() => notice.isHidden()).toBe(true);
    expect(await page.locator('#escalation-text').textContent()).toBe('');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);
});
