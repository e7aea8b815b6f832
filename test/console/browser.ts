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
 * who is signed in; its script errors go to `pageErrors`, and every request it sends is kept.
 */
export async function signInAs(
  browser: Browser, url: string, user: string, password: string, pageErrors: string[], options: BrowserContextOptions = {},
): Promise<{ page: Page; requests: Request[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));
  await page.goto(url);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#who:not([hidden])').waitFor();
  return { page, requests };
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
 * it returns. Later requests matching `url` are not held.
 */
export async function holdAnswer(page: Page, url: string): Promise<{ sent: Promise<Request>; release(): Promise<APIResponse> }> {
  let routed: (route: Route) => void = () => {};
  const held = new Promise<Route>((resolve) => { routed = resolve; });
  await page.route(url, (route) => routed(route), { times: 1 });
  return {
    sent: held.then((route) => route.request()),
    release: async () => {
      const route = await held;
      const response = await route.fetch();
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
 * nothing on the page to wait for.
 */
export async function watchAnswers(page: Page): Promise<(path: string) => Promise<void>> {
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
  return async (path) => {
    const key = JSON.stringify(path);
    await page.waitForFunction(`(() => { const c = window.__answers[${key}]; return c !== undefined && c.finished === c.asked; })()`);
  };
}
