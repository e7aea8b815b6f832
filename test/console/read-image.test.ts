// The camera's image of a read in the console, against the whole system (nats-server, chDB, the
// gateway) configured with an image host: a hit card shows the image of a read whose reference is
// a URL on that host, or a key put into the address template; a URL on any other host is neither
// loaded nor allowed by the page's Content-Security-Policy, and the card says why there is no
// image; an image the host cannot give is said so. A search result's reference opens the image.
import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HitMessage } from '../../ingest/index.js';
import { PASSWORD } from '../flows/api-system.js';
import { hitMessage, publishHit } from '../gateway/harness.js';
import { signInAs } from './browser.js';
import { startConsoleSystem, type ConsoleSystem } from './console-system.js';

const BROWSER_TEST_MS = 120_000;
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

interface ImageHost {
  origin: string;
  requests: Array<{ path: string; referer: string | undefined }>;
  server: Server;
  /** Answers every request held under /slow/ so far (until then they wait). */
  release(): void;
}

/** An image host: a PNG under /alpr/ and /cams/, and under /slow/ once released; 404 elsewhere; every request kept. */
async function startImageHost(): Promise<ImageHost> {
  const requests: ImageHost['requests'] = [];
  const held: Array<() => void> = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, referer: req.headers.referer });
    const png = () => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    if (/^\/(alpr|cams)\//.test(path)) png();
    else if (path.startsWith('/slow/')) held.push(png);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    origin: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, requests, server,
    release: () => { for (const answer of held.splice(0)) answer(); },
  };
}

let imageHost: ImageHost;
let elsewhere: ImageHost;
let system: ConsoleSystem | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  [imageHost, elsewhere] = await Promise.all([startImageHost(), startImageHost()]);
  const now = Date.now();
  system = await startConsoleSystem([
    { readId: 'img-url', agency: 'WPD', camera: 'cam-1', seenAt: now - 600_000, plate: '5IMG123', state: 'CA', confidence: 0.9, imageRef: `${imageHost.origin}/cams/1/overview.png` },
    { readId: 'img-key', agency: 'WPD', camera: 'cam-2', seenAt: now - 300_000, plate: '5IMG124', state: 'CA', confidence: 0.9, imageRef: '2026/12/cam-2/read.png' },
    { readId: 'img-elsewhere', agency: 'WPD', camera: 'cam-3', seenAt: now - 200_000, plate: '5IMG125', state: 'CA', confidence: 0.9, imageRef: `${elsewhere.origin}/cams/3.png` },
  ], { gateway: { port: 0, host: '127.0.0.1', imageOrigins: [imageHost.origin], imageUrlTemplate: `${imageHost.origin}/alpr/{image}` } });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  for (const host of [imageHost, elsewhere]) {
    host?.release();
    await new Promise((resolve) => host?.server.close(resolve));
  }
});

/** A hit on plate 7ABC123 whose read names `image`. */
function hitWithImage(readId: string, image: string): HitMessage {
  const message = hitMessage({ readId });
  return { ...message, read: { ...message.read, image } };
}

function card(page: Page, hit: HitMessage) {
  return page.locator(`#hits li.hit[data-hit-id="${hit.hitId}"]`);
}

/** The card's image as loaded: its natural width, 0 while (or when not) loaded. */
function loadedWidth(page: Page, hit: HitMessage): Promise<number> {
  return card(page, hit).locator('.read-image img').evaluate((img) => { const loaded = img as unknown as { complete: boolean; naturalWidth: number }; return loaded.complete ? loaded.naturalWidth : 0; });
}

describe('read images', () => {
  it('a hit card shows the image from the configured host, by URL or by key, and no image from anywhere else', async () => {
    const api = (system as ConsoleSystem).api;
    // What the gateway tells the console, and the page's policy that holds it to it.
    const me = await api.call('GET', '/api/me', api.token('dispatcher'));
    expect(me.body['images']).toEqual({ origins: [imageHost.origin], urlTemplate: `${imageHost.origin}/alpr/{image}` });
    const { page } = await signInAs((system as ConsoleSystem).browser, api.base, 'dispatcher1', PASSWORD, pageErrors);
    const policy = (await page.request.get(api.base)).headers()['content-security-policy'];
    expect(policy).toContain(`img-src 'self' data: ${imageHost.origin};`);
    expect(policy).not.toContain(elsewhere.origin);

    const byUrl = hitWithImage('img-hit-url', `${imageHost.origin}/cams/1/plate.png`);
    // A key's parts are percent-encoded one by one: a space or # stays in the key.
    const byKey = hitWithImage('img-hit-key', '2026/12/07/cam 1/a#b.png');
    const foreign = hitWithImage('img-hit-foreign', `${elsewhere.origin}/cams/9.png`);
    const missing = hitWithImage('img-hit-missing', `${imageHost.origin}/gone/9.png`);
    const climbing = hitWithImage('img-hit-climbing', '../../admin/secret.png');
    // A colon does not make a key a URL; blob: and the like are not an image host's (QA).
    const colonKey = hitWithImage('img-hit-colon', 'cam:7/read.png');
    const blob = hitWithImage('img-hit-blob', `blob:${imageHost.origin}/6f1c`);
    const all = [byUrl, byKey, foreign, missing, climbing, colonKey, blob];
    for (const hit of all) await publishHit(api.system.js, hit);
    for (const hit of all) await card(page, hit).waitFor();

    for (const hit of [byUrl, byKey, colonKey]) {
      await card(page, hit).locator('.read-image img').scrollIntoViewIfNeeded();
      await expect.poll(() => loadedWidth(page, hit)).toBe(1);
      expect(await card(page, hit).locator('.read-image img').getAttribute('alt')).toBe('Camera image of the read of 7ABC123');
      expect(await card(page, hit).locator('.read-image-note').isHidden()).toBe(true);
    }
    expect(await card(page, byUrl).locator('.read-image a').getAttribute('href')).toBe(`${imageHost.origin}/cams/1/plate.png`);
    expect(await card(page, byKey).locator('.read-image a').getAttribute('href')).toBe(`${imageHost.origin}/alpr/2026/12/07/cam%201/a%23b.png`);
    expect(await card(page, colonKey).locator('.read-image a').getAttribute('href')).toBe(`${imageHost.origin}/alpr/cam%3A7/read.png`);
    expect(await card(page, blob).locator('.read-image a').getAttribute('href')).toBe(`${imageHost.origin}/alpr/blob%3Ahttp%3A//127.0.0.1%3A${new URL(imageHost.origin).port}/6f1c`);
    // A tap opens it at the size of the screen, over the page (no new tab); Escape closes it.
    await card(page, byUrl).locator('.read-image img').click();
    const viewer = page.getByRole('dialog', { name: 'Camera image of the read of 7ABC123' });
    await viewer.waitFor();
    expect(await viewer.locator('img').getAttribute('src')).toBe(`${imageHost.origin}/cams/1/plate.png`);
    expect(await viewer.getByRole('link', { name: 'Open in a new tab' }).getAttribute('href')).toBe(`${imageHost.origin}/cams/1/plate.png`);
    expect(page.context().pages()).toHaveLength(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.isHidden()).toBe(true);
    // The reference stays on the card as the camera sent it.
    expect(await card(page, byKey).locator('[data-field="image"]').textContent()).toBe('2026/12/07/cam 1/a#b.png');
    // The host learns which image, not from which console page.
    const paths = imageHost.requests.map((r) => r.path);
    expect(paths).toEqual(expect.arrayContaining(['/cams/1/plate.png', '/alpr/2026/12/07/cam%201/a%23b.png']));
    expect(imageHost.requests.filter((r) => r.referer !== undefined)).toEqual([]);

    // Another host: not asked, and the card says why there is no image.
    expect(await card(page, foreign).locator('.read-image img').getAttribute('src')).toBeNull();
    expect(await card(page, foreign).locator('.read-image-note').textContent()).toMatch(/^Image not shown: it is not on an image host set up for this console/);
    // The host answers 404: said so, with the host.
    await card(page, missing).locator('.read-image').scrollIntoViewIfNeeded();
    await expect.poll(() => card(page, missing).locator('.read-image-note').textContent()).toBe(`The image could not be loaded from ${new URL(imageHost.origin).host}. Its reference is under Image below.`);
    // Its box stays, the message on it, and opens nothing.
    expect(await card(page, missing).locator('.read-image a').getAttribute('href')).toBeNull();
    expect(await card(page, missing).locator('.read-image img').evaluate((img) => img.getBoundingClientRect().height)).toBeGreaterThan(100);
    // A key that climbs out of the template's path is not put into it.
    expect(await card(page, climbing).locator('.read-image').isHidden()).toBe(true);
    expect(imageHost.requests.map((r) => r.path).filter((p) => p.includes('admin'))).toEqual([]);
    expect(elsewhere.requests).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);

  it('keeps the image\'s room from the start, says an image is loading, and that it has not come after 15 s', async () => {
    const api = (system as ConsoleSystem).api;
    const context = await (system as ConsoleSystem).browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.clock.install();
    await page.goto(api.base);
    await page.getByLabel('User name').fill('dispatcher1');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#who:not([hidden])').waitFor();
    const slow = hitWithImage('img-hit-slow', `${imageHost.origin}/slow/overview.png`);
    await publishHit(api.system.js, slow);
    const note = card(page, slow).locator('.read-image-note');
    await expect.poll(() => note.textContent()).toBe(`Loading the image from ${new URL(imageHost.origin).host}…`);
    await expect.poll(() => imageHost.requests.some((r) => r.path === '/slow/overview.png')).toBe(true);
    const misread = card(page, slow).getByRole('button', { name: 'Misread' });
    const before = await misread.boundingBox();
    await page.clock.fastForward(16_000);
    await expect.poll(() => note.textContent()).toBe(`The image has not come from ${new URL(imageHost.origin).host} after 15 s; it may yet. Its reference is under Image below.`);
    imageHost.release();
    await expect.poll(() => note.isHidden()).toBe(true);
    expect(await loadedWidth(page, slow)).toBe(1);
    // An image arriving late moved the answers down under the finger (QA): its room was kept.
    expect((await misread.boundingBox())?.y).toBe(before?.y);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, BROWSER_TEST_MS);

  it('a search result opens the image of a read stored with a reference on the configured host, and only those', async () => {
    const api = (system as ConsoleSystem).api;
    const { page } = await signInAs((system as ConsoleSystem).browser, api.base, 'analyst1', PASSWORD, pageErrors);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#search-plate').fill('5IMG12?');
    await page.locator('#search-reason').fill('stolen vehicle follow-up, report 26-4411');
    await page.getByRole('button', { name: 'Run search', exact: true }).click();
    await page.locator('#search-results:not([hidden]) tbody tr').nth(2).waitFor();
    const imageCells = await page.locator('#search-results tbody tr').evaluateAll((rows) => rows.map((tr) => {
      const cell = tr.lastElementChild;
      const link = cell?.querySelector('a');
      return { text: cell?.textContent, href: link?.getAttribute('href') ?? null, target: link?.getAttribute('target') ?? null };
    }));
    expect(imageCells).toEqual([
      { text: `${elsewhere.origin}/cams/3.png`, href: null, target: null },
      { text: '2026/12/cam-2/read.png', href: `${imageHost.origin}/alpr/2026/12/cam-2/read.png`, target: '_blank' },
      { text: `${imageHost.origin}/cams/1/overview.png`, href: `${imageHost.origin}/cams/1/overview.png`, target: '_blank' },
    ]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, BROWSER_TEST_MS);
});
