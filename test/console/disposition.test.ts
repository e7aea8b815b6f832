// Recording a disposition from the console in a real browser (Debian's chromium through
// playwright-core) against a real nats-server and gateway: two consoles signed in, a hit published
// over NATS, a disposition recorded on one shows on the other within a second, and the hit stays
// shown, marked resolved (Watsonville §471.5(f)(1)–(3)), among the 20 resolved last, until cleared;
// a hit resolved first elsewhere is refused in plain words on the card; the keyboard stays on the
// card; an analyst is offered no disposition; a late 401 for the last user's disposition does not
// sign the next user out; a BOLO hit's wanted-person check is sent and shown on its own (§471.5(f)(2)).
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiGuard, CovertLists, dispositionRoutes, HttpError, permissionsOf, personCheckOf, type DispositionEntry, type DispositionRecorder, type JsonRoute } from '../../gateway/index.js';
import type { HitMessage } from '../../ingest/index.js';
import { DEFAULT_MATCHER_CONFIG } from '../../matcher/index.js';
import { hitMessage, publishHit, startHarness, type Harness } from '../gateway/harness.js';
import { cardsSettled, holdAnswer, launchChromium, signedInConsole as signInConsole, watchAnswers, watchClicks, watchShown } from './browser.js';

// Browser tests sign in one or two Chromium contexts and wait up to 10 s (Playwright's own
// waits default to 30 s): more than vitest's default 30 s on a loaded 2-core machine.
const BROWSER_TEST_MS = 120_000;

const PASSWORD = 'correct horse battery';
// Role refusals are the route tests' business (test/gateway/); here they need only be seen.
const refused: string[] = [];
const refusals = { refused: async (user: string) => void refused.push(user) };
const ROLES = new Map([['dispatcher1', ['dispatcher']], ['officer1', ['officer']], ['analyst1', ['analyst']]]);

let h: Harness;
let browser: Browser;
const pageErrors: string[] = [];
const recorded: DispositionEntry[] = [];

// Stand-in for the real login (gateway/auth-routes.ts): issues a token into the harness's sessions.
const loginRoute: JsonRoute = {
  method: 'post',
  pattern: '/api/login',
  handler: (req) => {
    const { user, password } = (req.body ?? {}) as { user?: unknown; password?: unknown };
    const roles = typeof user === 'string' ? ROLES.get(user) : undefined;
    if (roles === undefined || password !== PASSWORD) throw new HttpError(401, 'BAD_CREDENTIALS', 'user name or password is wrong');
    const token = randomBytes(16).toString('hex');
    h.sessions.set(token, { user: user as string, roles });
    return { status: 200, body: { token, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), user: { id: user, name: user, roles }, permissions: permissionsOf(roles) } };
  },
};

// An in-memory recorder: knows the hits the gateway holds (it passes their read time), like the
// storage one (bin/disposition-recorder.ts) before the hit writer has flushed, and refuses a second
// answer to a hit as it does (a correction aside), and applies the wanted-person check as it does.
const recordedAt = new Map<string, number>();
const recorder: DispositionRecorder = {
  record: async (entry) => {
    // A hit answered before is one storage holds, as the real recorder would find it.
    if (entry.seenAt === undefined && !recorded.some((r) => r.hitId === entry.hitId)) return { ok: false, reason: 'unknown_hit' };
    const first = recorded.find((r) => r.hitId === entry.hitId);
    if (first !== undefined && entry.correction !== true) {
      return { ok: false, reason: 'already_resolved', resolved: { user: first.user, disposition: first.disposition, recordedAt: recordedAt.get(first.hitId) ?? 0 } };
    }
    const person = entry.list === undefined ? undefined : personCheckOf(entry, entry.list, DEFAULT_MATCHER_CONFIG);
    if (person?.ok === false) return person;
    recorded.push(entry);
    recordedAt.set(entry.hitId, Date.now());
    return { ok: true, recordedAt: recordedAt.get(entry.hitId) ?? 0, corrected: first !== undefined, ...(person === undefined ? {} : { personVerified: person.personVerified }) };
  },
};

beforeAll(async () => {
  h = await startHarness({}, ({ feed, fanOut }) => [
    loginRoute,
    ...dispositionRoutes({
      guard: new ApiGuard({
        verify: async (token) => {
          const s = h.sessions.get(token);
          return s === undefined ? null : { user: s.user, name: s.user, roles: ROLES.get(s.user) ?? [], expiresAt: Date.now() + 3_600_000 };
        },
      }, refusals),
      recorder,
      feed,
      fanOut,
      covert: new CovertLists(),
      // The recorder above is in memory; the console's handling of answers is this file's subject.
      accessLog: { append: async () => undefined },
    }),
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

async function signedInConsole(user: string): Promise<Page> {
  return signInConsole(browser, h.gateway.url, user, PASSWORD, pageErrors);
}

describe('recording a disposition from the console', () => {
  it('records on one console, shows on the other within a second, and keeps the hit shown as resolved', async () => {
    const first = await signedInConsole('officer1');
    const second = await signedInConsole('dispatcher1');
    const hit = hitMessage({ readId: 'disp-ui-1', list: 'SVS' });
    const other = hitMessage({ readId: 'disp-ui-2', list: 'SFR' });
    await publishHit(h.js, hit);
    await publishHit(h.js, other);
    const card1 = first.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    const card2 = second.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    await card1.waitFor({ timeout: 5000 });
    await card2.waitFor({ timeout: 5000 });
    await second.locator(`li.hit[data-hit-id="${other.hitId}"]`).waitFor({ timeout: 5000 });
    expect(await second.locator('#hit-count').textContent()).toBe('2');
    for (const page of [first, second]) await cardsSettled(page);

    // "Other" needs a reason: refused in the page, nothing recorded.
    await card1.getByRole('button', { name: /^Other/ }).click();
    expect(await card1.locator('.disposition-error').textContent()).toContain('reason');
    expect(recorded).toEqual([]);

    const confirm = card1.getByRole('button', { name: 'Confirmed and acted on' });
    expect(await confirm.isDisabled()).toBe(true);
    for (const name of ['Plate visually matches the image', 'Vehicle matches the description', 'Status confirmed through CLETS']) {
      await card1.getByRole('checkbox', { name: new RegExp(name) }).check();
    }
    await card1.getByLabel('Notes').fill('driver detained, Main & 5th');
    // Timed in the pages (the click on the first console, the line shown on the second), so the
    // second is the console's, not Playwright's click and polling on a loaded machine.
    const clickedAt = await watchClicks(first);
    const shownAt = await watchShown(second, `li.hit[data-hit-id="${hit.hitId}"] .recorded`);
    await confirm.click();
    await card2.locator('.recorded').waitFor({ state: 'visible', timeout: 5000 });
    const confirmMs = (await shownAt()) - (await clickedAt());
    expect(confirmMs).toBeGreaterThanOrEqual(0); // shown by the click, not before it
    expect(confirmMs).toBeLessThan(1000);

    const line = await card2.locator('.recorded').textContent();
    expect(line).toMatch(/^Confirmed and acted on — recorded by officer1 at \d{1,2}:\d\d:\d\d [AP]M \S+ \(visual check done, CLETS confirmed\)$/);
    expect(await card1.locator('.recorded').textContent()).toBe(line);
    for (const card of [card1, card2]) {
      expect(await card.evaluate((el) => el.classList.contains('resolved'))).toBe(true);
      for (const button of await card.locator('.dispositions button').all()) expect(await button.isDisabled()).toBe(true);
    }
    expect(await second.locator('#hit-count').textContent()).toBe('1');
    expect(await second.locator('li.hit').count()).toBe(2);
    expect(recorded).toEqual([expect.objectContaining({ hitId: hit.hitId, user: 'officer1', disposition: 'confirmed', visualVerified: true, cletsVerified: true, notes: 'driver detained, Main & 5th' })]);

    // A set-aside outcome needs no checks; it reaches the first console too.
    const otherCard1 = first.locator(`li.hit[data-hit-id="${other.hitId}"]`);
    const misreadClickedAt = await watchClicks(second);
    const misreadShownAt = await watchShown(first, `li.hit[data-hit-id="${other.hitId}"] .recorded`);
    await second.locator(`li.hit[data-hit-id="${other.hitId}"]`).getByRole('button', { name: 'Misread' }).click();
    await expect.poll(() => otherCard1.locator('.recorded').textContent(), { timeout: 5000 }).toMatch(/^Misread — recorded by dispatcher1 at .* \(no visual check, CLETS not confirmed\)$/);
    const misreadMs = (await misreadShownAt()) - (await misreadClickedAt());
    expect(misreadMs).toBeGreaterThanOrEqual(0);
    expect(misreadMs).toBeLessThan(1000);

    // After a reconnect the gateway no longer replays the resolved hits; the cards stay, marked.
    h.gateway.fanOut.closeAll('test restart');
    await second.locator('#connection[data-state="offline"]').waitFor();
    await second.locator('#connection[data-state="live"]').waitFor({ timeout: 10_000 });
    expect(await second.locator('li.hit.resolved').count()).toBe(2);
    expect(await second.locator('#hit-count').textContent()).toBe('0');

    await second.screenshot({ path: '/tmp/console-disposition.png', fullPage: true });
    expect(pageErrors).toEqual([]);
    await first.context().close();
    await second.context().close();
  }, BROWSER_TEST_MS);

  it('sends and shows the wanted-person check of a BOLO hit on its own, apart from the visual check (§471.5(f)(2))', async () => {
    const first = await signedInConsole('officer1');
    const second = await signedInConsole('dispatcher1');
    const acted = hitMessage({ readId: 'disp-bolo-acted', list: 'BOLO' });
    const setAside = hitMessage({ readId: 'disp-bolo-aside', list: 'BOLO' });
    const vehicle = hitMessage({ readId: 'disp-bolo-svs', list: 'SVS' });
    for (const hit of [acted, setAside, vehicle]) await publishHit(h.js, hit);
    const card = (page: Page, hit: HitMessage) => page.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    for (const hit of [acted, setAside, vehicle]) await card(first, hit).waitFor({ timeout: 5000 });
    await card(second, acted).waitFor({ timeout: 5000 });
    for (const page of [first, second]) await cardsSettled(page);
    const vehicleChecks = ['Plate visually matches the image', 'Vehicle matches the description', 'Status confirmed through CLETS'];
    const person = /confirm the wanted person is in the vehicle/;

    for (const name of vehicleChecks) await card(first, acted).getByRole('checkbox', { name: new RegExp(name) }).check();
    const arrest = card(first, acted).getByRole('button', { name: /^Arrest/ });
    expect(await arrest.isDisabled()).toBe(true);
    await card(first, acted).getByRole('checkbox', { name: person }).check();
    await arrest.click();
    const line = /^Arrest — recorded by officer1 at \d{1,2}:\d\d:\d\d [AP]M \S+ \(visual check done, CLETS confirmed, person check done\)$/;
    await expect.poll(() => card(second, acted).locator('.recorded').textContent(), { timeout: 5000 }).toMatch(line);
    expect(await card(first, acted).locator('.recorded').textContent()).toMatch(line);
    expect(recorded.find((r) => r.hitId === acted.hitId)).toMatchObject({ disposition: 'arrest', visualVerified: true, cletsVerified: true, personVerified: true });

    // Plate and vehicle checked, the person not looked for: visually verified, person check not made.
    for (const name of vehicleChecks) await card(first, setAside).getByRole('checkbox', { name: new RegExp(name) }).check();
    await card(first, setAside).getByRole('button', { name: /^Could not locate/ }).click();
    await expect.poll(() => card(first, setAside).locator('.recorded').textContent(), { timeout: 5000 })
      .toMatch(/^Could not locate — recorded by officer1 at .* \(visual check done, CLETS confirmed, no person check\)$/);
    expect(recorded.find((r) => r.hitId === setAside.hitId)).toMatchObject({ disposition: 'not_located', visualVerified: true, personVerified: false });

    // A stolen vehicle hit is not asked it: the console sends none, and says nothing of it.
    for (const name of vehicleChecks) await card(first, vehicle).getByRole('checkbox', { name: new RegExp(name) }).check();
    await card(first, vehicle).getByRole('button', { name: /^Vehicle recovered/ }).click();
    await expect.poll(() => card(first, vehicle).locator('.recorded').textContent(), { timeout: 5000 })
      .toMatch(/^Vehicle recovered — recorded by officer1 at .* \(visual check done, CLETS confirmed\)$/);
    expect(recorded.find((r) => r.hitId === vehicle.hitId)).not.toHaveProperty('personVerified');
    expect(pageErrors).toEqual([]);
    await first.context().close();
    await second.context().close();
  }, BROWSER_TEST_MS);

  it('names each disposition button for its hit, so a screen reader can tell the cards\' buttons apart', async () => {
    const now = Date.now();
    // The same car on the same list, read twice a minute apart, and on another list: three cards.
    const hits = [
      hitMessage({ readId: 'disp-name-1', list: 'SVS', publishedAt: now - 120_000 }),
      hitMessage({ readId: 'disp-name-2', list: 'SVS', publishedAt: now - 60_000 }),
      hitMessage({ readId: 'disp-name-3', list: 'SFR', publishedAt: now - 60_000 }),
    ];
    for (const hit of hits) await publishHit(h.js, hit);
    const page = await signedInConsole('dispatcher1');
    for (const hit of hits) await page.locator(`li.hit[data-hit-id="${hit.hitId}"]`).waitFor({ timeout: 5000 });
    // The accessible names as the browser computes them (a name with ":" is quoted in the YAML).
    const snapshot = await page.locator('#hits').ariaSnapshot();
    const names = [...snapshot.matchAll(/^\s*- '?button(?: "((?:[^"\\]|\\.)*)")?/gm)].map((m) => (m[1] === undefined ? '' : (JSON.parse(`"${m[1]}"`) as string)));
    expect(names.length).toBeGreaterThanOrEqual(hits.length * 7);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
    for (const name of names) expect(name).toMatch(/^(Confirmed and acted on|Arrest|Vehicle recovered|Misread|Could not locate|No longer wanted \/ no action|Other \(reason in notes\)) \(hit 7ABC123 on (SVS|SFR), camera cam1, \d{1,2}:\d\d:\d\d [AP]M \S+\)$/);
    const card = page.locator(`li.hit[data-hit-id="${hits[2]?.hitId}"]`);
    expect(await card.getByRole('button', { name: /^Misread \(hit 7ABC123 on SFR, camera cam1, / }).count()).toBe(1);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);
  it('a hit resolved first on another gateway: the gateway\'s refusal says plainly by whom and how, and the card takes no other disposition', async () => {
    const hit = hitMessage({ readId: 'disp-first-elsewhere', list: 'SVS' });
    await publishHit(h.js, hit);
    const page = await signedInConsole('dispatcher1');
    const card = page.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    await card.waitFor({ timeout: 5000 });
    const unresolved = Number(await page.locator('#hit-count').textContent());
    // Recorded by officer1 through another gateway, whose notice has not reached this one yet.
    const elsewhere = await recorder.record({ hitId: hit.hitId, user: 'officer1', disposition: 'misread', visualVerified: false, cletsVerified: false, notes: '', seenAt: hit.read.ts });
    expect(elsewhere.ok).toBe(true);
    // From the keyboard: the keyboard stays on the card, on what the gateway said.
    await card.getByRole('button', { name: /^Could not locate/ }).focus();
    await page.keyboard.press('Enter');
    const error = card.locator('.disposition-error');
    await error.filter({ hasText: /./ }).waitFor();
    await expect(error.textContent()).resolves.toMatch(/^Not recorded: this hit was already resolved as "misread" by officer1 at \d{1,2}:\d\d:\d\d [AP]M \S+\.$/);
    expect(await card.evaluate((el) => el.classList.contains('resolved'))).toBe(true);
    for (const button of await card.locator('.dispositions button').all()) expect(await button.isDisabled()).toBe(true);
    await expect(page.locator('#hit-count').textContent()).resolves.toBe(String(unresolved - 1));
    expect(await error.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('keeps the keyboard on the card: a disposition recorded from the keyboard leaves the focus on the line that says so', async () => {
    const hit = hitMessage({ readId: 'disp-keyboard', list: 'SFR' });
    await publishHit(h.js, hit);
    const page = await signedInConsole('dispatcher1');
    const card = page.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    await card.waitFor({ timeout: 5000 });
    await card.getByRole('button', { name: /^Misread/ }).focus();
    await page.keyboard.press('Enter');
    const line = card.locator('.recorded');
    await line.waitFor({ state: 'visible', timeout: 5000 });
    await expect(line.textContent()).resolves.toMatch(/^Misread — recorded by dispatcher1 at /);
    await expect.poll(() => line.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('keeps the 20 hits resolved last on Dispatch, and clears the resolved on request, leaving the hits still to answer', async () => {
    const page = await signedInConsole('dispatcher1');
    const hits = Array.from({ length: 24 }, (_, i) => hitMessage({ readId: `disp-pile-${i}`, list: 'SVS' }));
    for (const hit of hits) await publishHit(h.js, hit);
    const card = (hit: HitMessage) => page.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    for (const hit of hits) await card(hit).waitFor({ timeout: 5000 });
    expect(await page.locator('#clear-resolved').isHidden()).toBe(true);
    // Resolved on other consoles, through the API: hits 0–21, in that order; hits 22 and 23 stay open.
    h.sessions.set('tok-pile', { user: 'officer1', roles: ['officer'] });
    const answer = async (hit: HitMessage, body: object) => {
      const res = await fetch(`${h.gateway.url}/api/hits/${hit.hitId}/disposition`, {
        method: 'POST',
        headers: { authorization: 'Bearer tok-pile', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
    };
    for (const hit of hits.slice(0, 22)) await answer(hit, { disposition: 'misread', visualVerified: true, cletsVerified: false });
    // The two resolved first are dropped; the newest 20 stay, marked.
    await card(hits[1] as HitMessage).waitFor({ state: 'detached', timeout: 5000 });
    await card(hits[21] as HitMessage).locator('.recorded').waitFor({ state: 'visible', timeout: 5000 });
    expect(await card(hits[0] as HitMessage).count()).toBe(0);
    expect(await page.locator('li.hit.resolved').count()).toBe(20);
    // Hit 2, the oldest kept, is corrected on another console: it counts as resolved last, so the
    // next resolution drops hit 3 instead.
    await answer(hits[2] as HitMessage, { disposition: 'not_located', visualVerified: false, cletsVerified: false, correction: true, notes: 'car had left' });
    await card(hits[2] as HitMessage).locator('.recorded').filter({ hasText: /^Corrected to/ }).waitFor({ timeout: 5000 });
    await answer(hits[23] as HitMessage, { disposition: 'misread', visualVerified: true, cletsVerified: false });
    await card(hits[3] as HitMessage).waitFor({ state: 'detached', timeout: 5000 });
    await card(hits[23] as HitMessage).locator('.recorded').waitFor({ state: 'visible', timeout: 5000 });
    expect(await card(hits[2] as HitMessage).count()).toBe(1);
    expect(await page.locator('li.hit.resolved').count()).toBe(20);
    await expect(page.getByRole('button', { name: 'Clear resolved (20)' }).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Clear resolved (20)' }).click();
    expect(await page.locator('li.hit.resolved').count()).toBe(0);
    expect(await card(hits[22] as HitMessage).isVisible()).toBe(true);
    expect(await page.locator('#clear-resolved').isHidden()).toBe(true);
    expect(await page.locator('#dispatch-title').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a disposition given wrongly is corrected from the card, with its reason, and every console shows the correction', async () => {
    const first = await signedInConsole('officer1');
    const second = await signedInConsole('dispatcher1');
    const hit = hitMessage({ readId: 'disp-correct', list: 'SFR' });
    await publishHit(h.js, hit);
    const card1 = first.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    const card2 = second.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    await card1.waitFor({ timeout: 5000 });
    await card2.waitFor({ timeout: 5000 });
    for (const page of [first, second]) await cardsSettled(page);
    // The dispatcher is typing a note when the officer answers: told it was not sent (QA: it read as sent).
    await card2.getByLabel('Notes').fill('unit 12 en route');
    const correct = card1.getByRole('button', { name: 'Correct this disposition' });
    expect(await correct.isHidden()).toBe(true);
    await card1.getByRole('button', { name: /^Misread/ }).click();
    await correct.waitFor({ state: 'visible', timeout: 5000 });
    await card2.locator('.recorded').waitFor({ timeout: 5000 });
    await expect(card2.locator('.disposition-error').textContent()).resolves.toBe('officer1 answered this hit on another console while you were working on it: nothing you entered here was sent.');
    expect(await card1.locator('.disposition-error').textContent()).toBe('');

    // Cancelled: nothing is sent and the card takes no answer again.
    await correct.click();
    expect(await card1.getByRole('button', { name: /^Could not locate/ }).isEnabled()).toBe(true);
    await card1.getByRole('button', { name: 'Cancel correction' }).click();
    expect(await card1.getByRole('button', { name: /^Could not locate/ }).isDisabled()).toBe(true);
    expect(await card1.locator('.correction-hint').isHidden()).toBe(true);

    // A correction needs its reason, said on the card before anything is sent.
    await correct.click();
    await card1.getByRole('button', { name: /^Could not locate/ }).click();
    await expect(card1.locator('.disposition-error').textContent()).resolves.toBe('Write in the notes why the disposition is corrected.');
    expect(recorded.filter((r) => r.hitId === hit.hitId)).toHaveLength(1);
    // Notes of nothing but invisible characters (a zero-width space, a BOM) are no reason either.
    await card1.getByLabel('Notes').fill(' \u200B\uFEFF ');
    await card1.getByRole('button', { name: /^Could not locate/ }).click();
    await expect(card1.locator('.disposition-error').textContent()).resolves.toBe('Write in the notes why the disposition is corrected.');
    expect(recorded.filter((r) => r.hitId === hit.hitId)).toHaveLength(1);
    // The acted-on answers still need every check.
    expect(await card1.getByRole('button', { name: /^Arrest/ }).isDisabled()).toBe(true);

    await card1.getByLabel('Notes').fill('pressed the wrong button: the car had left');
    await card1.getByRole('button', { name: /^Could not locate/ }).click();
    for (const card of [card1, card2]) {
      await card.locator('.recorded').filter({ hasText: /^Corrected to/ }).waitFor({ timeout: 5000 });
      await expect(card.locator('.recorded').textContent()).resolves.toMatch(/^Corrected to Could not locate — recorded by officer1 at /);
    }
    expect(recorded.filter((r) => r.hitId === hit.hitId).map((r) => [r.disposition, r.correction ?? false, r.notes])).toEqual([
      ['misread', false, ''], ['not_located', true, 'pressed the wrong button: the car had left'],
    ]);
    expect(await card1.getByRole('button', { name: /^Misread/ }).isDisabled()).toBe(true);
    expect(await correct.isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
    await first.context().close();
    await second.context().close();
  }, BROWSER_TEST_MS);

  it('an analyst sees the hit but is offered no disposition, and is told who records it', async () => {
    const hit = hitMessage({ readId: 'disp-analyst', list: 'SVS' });
    await publishHit(h.js, hit);
    const page = await signedInConsole('analyst1');
    // An analyst lands on Search (their main work); the hits are one click away.
    await page.locator('#search:not([hidden])').waitFor();
    await page.getByRole('button', { name: 'Dispatch', exact: true }).click();
    const card = page.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    await card.waitFor({ timeout: 5000 });
    expect(await card.getByRole('button').count()).toBe(0);
    expect(await card.getByRole('checkbox').count()).toBe(0);
    await expect(card.locator('.no-dispose').textContent()).resolves.toBe('Your roles do not record dispositions: the officer, dispatcher or supervisor handling the hit records what became of it.');
    expect(await card.locator('.no-dispose').isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a past sighting says so as loudly as a delayed read, in its name and when announced; on an entry with no reason it reads "list · past sighting"', async () => {
    const base = hitMessage({ readId: 'disp-no-reason', list: 'BOLO' });
    const threeDaysAgo = Date.now() - 3 * 86_400_000;
    const hit: HitMessage = { ...base, historical: true, hit: { ...base.hit, reason: '' }, read: { ...base.read, ts: threeDaysAgo } };
    const page = await signedInConsole('dispatcher1');
    await publishHit(h.js, hit);
    const card = page.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    await card.waitFor({ timeout: 5000 });
    await expect(card.locator('.list-reason').textContent()).resolves.toBe('BOLO · past sighting');
    // Otherwise the card of a car seen days ago looks like a live hit and offers the same answers.
    await expect(card.locator('.time-caution').textContent()).resolves.toBe('past sighting, seen 3 d ago — not live');
    expect(await card.locator('.time-caution').isVisible()).toBe(true);
    expect(await card.locator('.caution').isVisible()).toBe(true);
    await expect(card.locator('.cautions').textContent()).resolves.toContain('the car was seen 3 d ago, not now');
    await expect(card.getByRole('article', { name: /^Past sighting 7ABC123, BOLO, / }).count()).resolves.toBe(1);
    await expect(page.locator('#announcer').textContent()).resolves.toMatch(/^Past sighting, not live: 7 A B C 1 2 3, BOLO, exact match, verify carefully\.$/);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('a 401 answering the last user\'s disposition after they signed out does not sign out the next user', async () => {
    const hit = hitMessage({ readId: 'disp-late-401', list: 'SVS' });
    await publishHit(h.js, hit);
    const page = await signedInConsole('officer1');
    const card = page.locator(`li.hit[data-hit-id="${hit.hitId}"]`);
    await card.waitFor({ timeout: 5000 });
    await cardsSettled(page);
    const finished = await watchAnswers(page);
    const late = await holdAnswer(page, '**/api/hits/*/disposition');
    await card.getByRole('button', { name: /^Misread/ }).click();
    await late.sent;
    const token = await page.evaluate<string | null>("sessionStorage.getItem('platewatch.token')");
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#sign-in:not([hidden])').waitFor();
    // This harness has no logout route: the session is ended here, as the gateway's logout would.
    h.sessions.delete(token ?? '');

    await page.getByLabel('User name').fill('dispatcher1');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#connection[data-state="live"]').waitFor();
    expect((await late.release()).status()).toBe(401);
    await finished(`/api/hits/${hit.hitId}/disposition`);
    expect(await page.locator('#sign-in').isHidden()).toBe(true);
    expect(await page.locator('#sign-in-error').textContent()).toBe('');
    await expect(page.locator('#who').textContent()).resolves.toBe('dispatcher1');
    expect(recorded.some((r) => r.hitId === hit.hitId)).toBe(false);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);
});
