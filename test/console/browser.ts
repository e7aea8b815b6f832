// Shared by the console's browser tests: Debian's chromium driven by playwright-core (never a
// downloaded browser), and a console page signed in and live.
import { chromium, type APIResponse, type Browser, type BrowserContextOptions, type Page, type Request, type Route } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No sandbox as root in CI; no background networking: this machine's network is closed.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/**
 * A console in its own browser context (own sessionStorage), signed in as `user` once the page shows
 * who is signed in; its script errors go to `pageErrors`, and every request it sends is kept, with
 * the URL of every resource the browser reported it failed to load (`failedLoads`: among them what
 * the browser asks for itself, such as /favicon.ico, which `requests` never shows).
 */
export async function signInAs(
  browser: Browser, url: string, user: string, password: string, pageErrors: string[], options: BrowserContextOptions = {},
): Promise<{ page: Page; requests: Request[]; failedLoads: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));
  const failedLoads: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().startsWith('Failed to load resource')) failedLoads.push(m.location().url);
  });
  await page.goto(url);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#who:not([hidden])').waitFor();
  return { page, requests, failedLoads };
}

/**
 * Signs the console's user out and `user` in, on the same page: the next user of a shared
 * workstation. Cheaper than a context of its own (~1.5 of the ~3 core-seconds Chromium spends on
 * a console opened and signed in, measured 2026-12-07) for tests that go through roles in turn.
 */
export async function signInNext(page: Page, user: string, password: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#sign-in:not([hidden])').waitFor();
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#who:not([hidden])', { hasText: `(${user})` }).waitFor();
}

/** The requests among `requests` to `path` (URL path) with `method`. */
export function requestsTo(requests: readonly Request[], path: string, method: string): Request[] {
  return requests.filter((r) => new URL(r.url()).pathname === path && r.method() === method);
}

/** A console in its own browser context (own sessionStorage), signed in and live. */
export async function signedInConsole(browser: Browser, url: string, user: string, password: string, pageErrors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#connection[data-state="live"]').waitFor();
  return page;
}

/**
 * Starts watching `page` for an element matching `selector` to be visible, and returns a function
 * that gives the page's Date.now() at the moment it first was: when the console showed it, not
 * when Playwright's polling noticed (that polling, and the CDP round trips of a click, took a
 * measured "within a second" past 1,000 ms on a loaded machine while the console itself was fast).
 */
export async function watchShown(page: Page, selector: string): Promise<() => Promise<number>> {
  const key = JSON.stringify(selector);
  await page.evaluate(`(() => {
    const shown = (window.__shownAt ??= {});
    const mark = () => {
      const el = document.querySelector(${key});
      if (shown[${key}] === undefined && el !== null && el.checkVisibility()) shown[${key}] = Date.now();
    };
    mark();
    new MutationObserver(mark).observe(document.documentElement, { childList: true, subtree: true, attributes: true, characterData: true });
  })()`);
  return async () => {
    const at = await page.evaluate<number | null>(`window.__shownAt?.[${key}] ?? null`);
    if (at === null) throw new Error(`${selector} was never seen visible by the page's observer`);
    return at;
  };
}

/** Starts recording, in `page`, the Date.now() of the latest click; returns a function that reads it. */
export async function watchClicks(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(`document.addEventListener('click', () => { window.__clickedAt = Date.now(); }, true)`);
  return async () => {
    const at = await page.evaluate<number | null>('window.__clickedAt ?? null');
    if (at === null) throw new Error('no click was recorded in the page');
    return at;
  };
}

/**
 * Holds the answer to the next request of `page` matching `url` (a Playwright route pattern) until
 * the test lets it go, so that a race between two answers is run in the order the test chooses:
 * `sent` resolves once the request is on its way; `release()` then asks the gateway (as the
 * request was sent, with its session header) and hands the page the gateway's own answer, which
 * it returns. With `askAtOnce`, the gateway is asked as soon as the request is sent, and only the
 * handing over waits for `release()`: an answer given while the session was alive, arriving after
 * it ended. `answered` resolves once the gateway has answered. Later requests matching `url` are
 * not held.
 */
export async function holdAnswer(
  page: Page, url: string, options: { askAtOnce?: boolean } = {},
): Promise<{ sent: Promise<Request>; answered: Promise<APIResponse>; release(): Promise<APIResponse> }> {
  let routed: ((route: Route) => void) | null = null;
  const held = new Promise<Route>((resolve) => { routed = resolve; });
  // Not `{ times: 1 }`: once a page's last route is used up, Playwright stops intercepting and lets
  // every request still held go on to the gateway, so with two answers held the second would reach
  // the page before its release. The route stays, and passes on the requests after the first.
  await page.route(url, async (route) => {
    if (routed === null) return route.fallback();
    const take = routed;
    routed = null;
    take(route);
  });
  let ask: () => void = () => {};
  const asked = options.askAtOnce === true ? Promise.resolve() : new Promise<void>((resolve) => { ask = resolve; });
  const answered = held.then(async (route) => {
    await asked;
    return route.fetch();
  });
  return {
    sent: held.then((route) => route.request()),
    answered,
    release: async () => {
      const route = await held;
      ask();
      const response = await answered;
      await route.fulfill({ response });
      return response;
    },
  };
}

/**
 * Starts counting, in `page`, the answers its code has finished with, by URL path; returns a
 * function that waits until every answer to `path` asked for so far has been. An answer is
 * finished with once fetch() has handed it over, and the read of its body the code started then
 * (json(), blob()…) has resolved: counted in a task queued after both, so the code that awaited
 * them has run. It is the gate for "the late answer has been dropped", when dropping it changes
 * nothing on the page to wait for. With `held`, it waits for all but that many (answers the test
 * holds back still): the page has finished with its other answers before the held ones arrive.
 */
export async function watchAnswers(page: Page): Promise<(path: string, held?: number) => Promise<void>> {
  await page.evaluate(`(() => {
    const answers = (window.__answers ??= {});
    const fetchFirst = window.fetch.bind(window);
    window.fetch = (input, init) => {
      const path = new URL(input instanceof Request ? input.url : String(input), location.href).pathname;
      const counts = (answers[path] ??= { asked: 0, finished: 0 });
      counts.asked += 1;
      const finished = () => setTimeout(() => { counts.finished += 1; }, 0);
      const answered = fetchFirst(input, init);
      answered.then((res) => {
        let reading = null;
        for (const how of ['json', 'text', 'blob', 'arrayBuffer', 'formData']) {
          const read = res[how].bind(res);
          res[how] = () => (reading = read());
        }
        setTimeout(() => {
          if (reading === null) finished();
          else reading.then(finished, finished);
        }, 0);
      }, finished);
      return answered;
    };
  })()`);
  return async (path, held = 0) => {
    const key = JSON.stringify(path);
    const done = `(() => { const c = window.__answers[${key}]; return c !== undefined && c.finished === c.asked - ${held}; })()`;
    // Polled from here, not with page.waitForFunction: polling in the page evaluates the predicate
    // as a string, which the console's Content-Security-Policy (no 'unsafe-eval') refuses.
    const deadline = Date.now() + 30_000;
    while (!(await page.evaluate<boolean>(done))) {
      if (Date.now() > deadline) throw new Error(`the answers to ${path} were never all finished with`);
      await page.waitForTimeout(20);
    }
  };
}

/**
 * Waits until no hit card has just moved: the console does not take a click on a card that moved
 * under the pointer a moment ago, as a new hit went in above it (console.js, MOVED_TAP_MS).
 */
export async function cardsSettled(page: Page): Promise<void> {
  await page.locator('#hits > li.just-moved').first().waitFor({ state: 'detached' });
}
