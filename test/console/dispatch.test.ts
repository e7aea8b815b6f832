// The dispatch console in a real browser (Debian's chromium through playwright-core) against a
// real nats-server, HITS stream and gateway: sign in (the keyboard then on the view, and on an
// empty user name after signing out), a hit published over NATS appears within a second with its
// match marked, a second console gets it by replay, and a dropped console reconnects by itself and
// reloads what is still unresolved.
import { randomBytes } from 'node:crypto';
import { connect as connectTcp, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, permissionsOf, SESSION_CLOSE_REASONS, type JsonRoute } from '../../gateway/index.js';
import type { HitMessage } from '../../ingest/index.js';
import { hitId } from '../../ingest/index.js';
import { hitMessage, publishHit, startHarness, type Harness } from '../gateway/harness.js';
import { launchChromium, signedInConsole as signInConsole, watchShown } from './browser.js';

// Browser tests sign in one or two Chromium contexts and wait up to 10 s (Playwright's own
// waits default to 30 s): more than vitest's default 30 s on a loaded 2-core machine.
const BROWSER_TEST_MS = 120_000;

const PASSWORDS = new Map([['dispatcher1', 'correct horse battery']]);

let h: Harness;
let browser: Browser;
const pageErrors: string[] = [];

// Stand-ins for the real login and logout (gateway/auth-routes.ts): check a password, issue a
// token into the harness's session store, answer as POST /api/login and /api/logout do.
const loginRoute: JsonRoute = {
  method: 'post',
  pattern: '/api/login',
  handler: (req) => {
    const { user, password } = (req.body ?? {}) as { user?: unknown; password?: unknown };
    if (typeof user !== 'string' || PASSWORDS.get(user) !== password) throw new HttpError(401, 'BAD_CREDENTIALS', 'user name or password is wrong');
    const token = randomBytes(16).toString('hex');
    h.sessions.set(token, { user, roles: ['dispatcher'] });
    return { status: 200, body: { token, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), user: { id: user, name: 'Dana Reyes', roles: ['dispatcher'] }, permissions: permissionsOf(['dispatcher']) } };
  },
};
const logoutRoute: JsonRoute = {
  method: 'post',
  pattern: '/api/logout',
  handler: (req) => {
    const token = (req.headers['authorization'] ?? '').replace(/^Bearer /, '');
    if (!h.sessions.delete(token)) throw new HttpError(401, 'BAD_SESSION', 'no valid session');
    return { status: 204 };
  },
};

// Stand-in for GET /api/me: who the token belongs to, or 401 BAD_SESSION as the gateway answers.
const meRoute: JsonRoute = {
  method: 'get',
  pattern: '/api/me',
  handler: (req) => {
    const token = (req.headers['authorization'] ?? '').replace(/^Bearer /, '');
    const session = h.sessions.get(token);
    if (session === undefined) throw new HttpError(401, 'BAD_SESSION', 'no valid session');
    return { status: 200, body: { user: { id: session.user, name: 'Dana Reyes', roles: session.roles }, permissions: permissionsOf(session.roles), expiresAt: new Date(Date.now() + 3_600_000).toISOString() } };
  },
};

/**
 * A reverse proxy in front of the gateway, as nginx is: it forwards while `up`, and while down (the
 * gateway restarting) answers every request, WebSocket upgrades included, 502 Bad Gateway as nginx
 * does. `refused` counts the requests it answered so, by their request line.
 */
interface TestProxy { url: string; up: boolean; refused: string[]; setUp(up: boolean): void; close(): Promise<void> }

async function startProxy(target: number): Promise<TestProxy> {
  const open = new Set<Socket>();
  const proxy: TestProxy = {
    url: '', up: true, refused: [],
    setUp(up) {
      proxy.up = up;
      // The connections to the old gateway die with it.
      if (!up) for (const s of open) s.destroy();
    },
    close: () => new Promise((resolve) => { for (const s of open) s.destroy(); server.close(() => resolve()); }),
  };
  const server: TcpServer = createTcpServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => {});
    if (!proxy.up) {
      client.once('data', (data) => {
        proxy.refused.push(String(data).split('\r\n')[0] ?? '');
        const page = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
        client.end(`HTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: ${page.length}\r\nConnection: close\r\n\r\n${page}`);
      });
      return;
    }
    const upstream = connectTcp(target, '127.0.0.1');
    open.add(upstream);
    upstream.on('close', () => { open.delete(upstream); client.destroy(); });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  proxy.url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
  return proxy;
}

beforeAll(async () => {
  h = await startHarness({}, [loginRoute, logoutRoute, meRoute]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

async function signedInConsole(): Promise<Page> {
  return signInConsole(browser, h.gateway.url, 'dispatcher1', 'correct horse battery', pageErrors);
}

/** The session token the console keeps (its sessionStorage). */
function storedToken(page: Page): Promise<string | null> {
  return page.evaluate<string | null>("sessionStorage.getItem('platewatch.token')");
}

function ocrHit(readId: string): HitMessage {
  const base = hitMessage({ readId, list: 'BOLO', camera: 'wpd-main-st', lat: 36.9103, lon: -121.7569 });
  const plate = '7A8C123';
  return {
    ...base,
    hitId: hitId(base.read, 'BOLO', '7ABC123'),
    read: { ...base.read, plate, image: 'img/wpd-main-st/2026-11-23/0001.jpg' },
    hit: { ...base.hit, plate, kind: 'ocr', ocrSubstitutions: 1, positions: [2], reason: 'WANTED', caseNumber: '26-0117', synopsis: 'armed robbery suspect vehicle, gray Honda Civic' },
  };
}

describe('dispatch console', () => {
  it('refuses a wrong password with the gateway\'s message', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(h.gateway.url);
    await page.getByLabel('User name').fill('dispatcher1');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toBe('user name or password is wrong');
    expect(await page.locator('#dispatch').isHidden()).toBe(true);
    await page.context().close();
  });

  it('shows who is signed in, and signing out ends the session on the gateway', async () => {
    const page = await signedInConsole();
    expect(await page.locator('#who').textContent()).toBe('Dana Reyes (dispatcher1)');
    // The sign-in form (with the field that had the focus) is hidden: the keyboard is on the view's heading.
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('dispatch-title');
    const sessions = h.sessions.size;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#sign-in').waitFor();
    await expect.poll(() => h.sessions.size).toBe(sessions - 1);
    expect(await page.locator('#dispatch').isHidden()).toBe(true);
    // The next user of the workstation types their own name: the field is empty, and has the focus.
    expect(await page.getByLabel('User name').inputValue()).toBe('');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('user');
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('signs out showing why when the gateway ends the session or takes live hits away, instead of reconnecting', async () => {
    const page = await signedInConsole();
    const token = await storedToken(page);
    expect(token).not.toBeNull();
    // The session itself would still let it reconnect: only the close code can make it sign out.
    expect(h.sessions.has(token as string)).toBe(true);
    expect(h.gateway.sessions.endSession(token as string, SESSION_CLOSE_REASONS.disabled)).toBe(1);
    await page.locator('#sign-in').waitFor({ timeout: 10_000 });
    expect(await page.locator('#sign-in-error').textContent()).toBe('Session ended: the account was disabled. Sign in again.');
    expect(await page.locator('#connection').getAttribute('data-state')).toBe('signed-out');
    expect(await storedToken(page)).toBeNull();

    const second = await signedInConsole();
    const secondToken = await storedToken(second);
    h.sessions.set(secondToken as string, { user: 'dispatcher1', roles: ['custodian'] });
    await h.gateway.sessions.checkAll();
    await second.locator('#sign-in').waitFor({ timeout: 10_000 });
    expect(await second.locator('#sign-in-error').textContent()).toBe('Access changed: your roles no longer include live hits. Sign in again.');
    expect(pageErrors).toEqual([]);
    await page.context().close();
    await second.context().close();
  }, BROWSER_TEST_MS);

  it('shows a hit published over NATS within a second, marked and with the checklist, and replays it to a second console', async () => {
    const page = await signedInConsole();

    const ocr = ocrHit('ui-1');
    // When the page showed the card (its own observer), not when Playwright's polling noticed it.
    const shownAt = await watchShown(page, `li.hit[data-hit-id="${ocr.hitId}"]`);
    const started = Date.now();
    await publishHit(h.js, ocr);
    const card = page.locator(`li.hit[data-hit-id="${ocr.hitId}"]`);
    await card.waitFor({ timeout: 5000 });
    expect((await shownAt()) - started).toBeLessThan(1000);

    expect(await card.locator('.plate').textContent()).toBe('7A8C123');
    expect(await card.locator('.plate mark').allTextContents()).toEqual(['8']);
    expect(await card.locator('.kind').textContent()).toBe('ocr');
    expect(await card.locator('.caution').isVisible()).toBe(true);
    expect(await card.locator('.caution').textContent()).toBe('Verify carefully');
    expect(await card.locator('[data-field="case"]').textContent()).toBe('26-0117');
    expect(await card.locator('[data-field="image"]').textContent()).toBe('img/wpd-main-st/2026-11-23/0001.jpg');
    expect(await card.locator('[data-field="entry"]').textContent()).toBe('7ABC123');
    // §471.5(f)(1)(2): the checklist before action; "acted on" dispositions wait for every check.
    const actedOn = card.getByRole('button', { name: 'Confirmed and acted on' });
    expect(await actedOn.isDisabled()).toBe(true);
    expect(await card.getByRole('button', { name: 'Misread' }).isEnabled()).toBe(true);
    for (const name of ['Plate visually matches the image', 'Vehicle matches the description', 'Status confirmed through CLETS']) {
      await card.getByRole('checkbox', { name: new RegExp(name) }).check();
    }
    // A BOLO hit: the wanted person is looked for too (§471.5(f)(2)) before it can be acted on.
    expect(await actedOn.isDisabled()).toBe(true);
    await card.getByRole('checkbox', { name: /confirm the wanted person is in the vehicle/ }).check();
    expect(await card.evaluate((el) => el.classList.contains('verified'))).toBe(true);
    expect(await actedOn.isEnabled()).toBe(true);

    // A camera with no position that sends its heading (verification QA: the card dropped it).
    const exactBase = hitMessage({ readId: 'ui-2', list: 'SVS' });
    const exact: HitMessage = { ...exactBase, read: { ...exactBase.read, heading: 270 } };
    await publishHit(h.js, exact);
    const exactCard = page.locator(`li.hit[data-hit-id="${exact.hitId}"]`);
    await exactCard.waitFor({ timeout: 5000 });
    expect(await exactCard.locator('.caution').isHidden()).toBe(true);
    expect(await exactCard.locator('[data-field="location"]').textContent()).toBe('heading 270°');
    // Announced at once, or with the hits of its burst (the first hit was read out just before).
    await expect.poll(() => page.locator('#announcer').textContent(), { timeout: 5000 }).toContain('7 A B C 1 2 3');

    // Exact characters, but another state and another colour: still "verify carefully", with why.
    const base = hitMessage({ readId: 'ui-3', list: 'SFR' });
    const otherState: HitMessage = { ...base, read: { ...base.read, state: 'NV' }, hit: { ...base.hit, state: 'CA', stateMatch: false, vehicleMismatch: ['color'] } };
    await publishHit(h.js, otherState);
    const otherCard = page.locator(`li.hit[data-hit-id="${otherState.hitId}"]`);
    await otherCard.waitFor({ timeout: 5000 });
    expect(await otherCard.locator('.caution').isVisible()).toBe(true);
    expect(await otherCard.locator('.cautions li').allTextContents()).toEqual(['state differs: read NV, listed CA', 'vehicle differs from the entry: color']);
    expect(await page.locator('li.hit').evaluateAll((els) => els.map((el) => el.getAttribute('data-hit-id')))).toEqual([otherState.hitId, exact.hitId, ocr.hitId]);

    await page.screenshot({ path: '/tmp/console.png', fullPage: true });

    const second = await signedInConsole();
    const replayed = second.locator(`li.hit[data-hit-id="${ocr.hitId}"]`);
    await replayed.waitFor();
    expect(await replayed.locator('.plate mark').allTextContents()).toEqual(['8']);
    expect(await second.locator('li.hit').count()).toBe(3);
    expect(await second.locator('#notice').textContent()).toBe('Loaded 3 unresolved hits from the recent window.');

    // The gateway drops every console: each reconnects by itself, and the replay leaves out a
    // hit resolved meanwhile.
    expect(h.gateway.feed.resolve(exact.hitId)).toBe(true);
    h.gateway.fanOut.closeAll('test restart');
    await page.locator('#connection[data-state="offline"]').waitFor();
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator('li.hit').count()).toBe(2);
    expect(await exactCard.count()).toBe(0);
    expect(await card.locator('input[type="checkbox"]:checked').count()).toBe(4);

    // Sessions revoked (expired, signed out elsewhere): the gateway still answers but refuses the
    // socket, so the console asks for a new sign-in instead of retrying for ever.
    h.sessions.clear();
    h.gateway.fanOut.closeAll('test restart');
    await page.locator('#sign-in').waitFor({ timeout: 10_000 });
    expect(await page.locator('#sign-in-error').textContent()).toContain('Your session was refused');
    expect(await page.locator('li.hit').count()).toBe(0);

    expect(pageErrors).toEqual([]);
    await page.context().close();
    await second.context().close();
  }, BROWSER_TEST_MS);

  it('keeps a console signed in while a reverse proxy answers 502 for a restarting gateway, and reconnects when it is back', async () => {
    const proxy = await startProxy(h.gateway.port);
    try {
      const page = await signInConsole(browser, proxy.url, 'dispatcher1', 'correct horse battery', pageErrors);
      const token = await storedToken(page);
      const kept = hitMessage({ readId: 'proxy-1', list: 'SVS' });
      await publishHit(h.js, kept);
      await page.locator(`li.hit[data-hit-id="${kept.hitId}"]`).waitFor({ timeout: 5000 });

      // The gateway goes away: nginx answers 502 to the socket and to every other request.
      proxy.setUp(false);
      h.gateway.fanOut.closeAll('test restart');
      await page.locator('#connection[data-state="offline"]').waitFor();
      // Several refused reconnections and session checks later (the console used to sign out
      // after the second, about 1.5 s in, taking the 502 for a refused session)…
      const deadline = Date.now() + 20_000;
      while (proxy.refused.filter((line) => line.startsWith('GET /api/me')).length < 2 && Date.now() < deadline && await page.locator('#sign-in').isHidden()) {
        await page.waitForTimeout(100);
      }
      expect(await page.locator('#sign-in').isHidden()).toBe(true);
      expect(proxy.refused.filter((line) => line.startsWith('GET /ws')).length).toBeGreaterThanOrEqual(2);
      expect(await page.locator('#connection').textContent()).toMatch(/^Offline: /);

      // …the gateway is back: the console reconnects by itself, still signed in, the hit still there.
      proxy.setUp(true);
      await page.locator('#connection[data-state="live"]').waitFor({ timeout: 20_000 });
      expect(await page.locator('#sign-in').isHidden()).toBe(true);
      expect(await storedToken(page)).toBe(token);
      expect(await page.locator(`li.hit[data-hit-id="${kept.hitId}"]`).count()).toBe(1);

      // The gateway's own refusal still signs out: the session is gone, /api/me answers 401.
      h.sessions.delete(token as string);
      h.gateway.fanOut.closeAll('test restart');
      await page.locator('#sign-in').waitFor({ timeout: 10_000 });
      expect(await page.locator('#sign-in-error').textContent()).toContain('Your session was refused');
      expect(pageErrors).toEqual([]);
      await page.context().close();
    } finally {
      await proxy.close();
    }
  }, BROWSER_TEST_MS);
});
