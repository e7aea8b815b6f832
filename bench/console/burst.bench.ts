// What a burst of live hits costs the dispatch console's page when a backlog of unresolved hits is
// loaded, as after a night of cameras and too few dispatchers: a replay of --backlog hits, "Show
// more" once (400 cards in the page), then --burst live hits sent together. Measured per run: the
// time from sending the burst until the console counts every hit, and the page's main-thread time
// meanwhile (Chromium's TaskDuration, of it LayoutDuration). The baseline of the same run is the
// same console with every card laid out whether on screen or not (`content-visibility: visible`),
// as the console was before 2026-12-07; the two alternate run by run, so load hits both alike.
// The console runs in Debian's Chromium against a scripted gateway (test/console/dispatch-gateway.ts):
// the page is what is measured, not the gateway.
// Run: node --import tsx bench/console/burst.bench.ts [--backlog 2600] [--burst 40] [--runs 5]
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { HitMessage } from '../../ingest/index.js';
import { launchChromium } from '../../test/console/browser.js';
import { startScriptedGateway, type ScriptedGateway } from '../../test/console/dispatch-gateway.js';
import { hitMessage } from '../../test/gateway/harness.js';
import { machineTable, markdownTable } from '../report.js';
import { acceptOnly, arg, fmt, percentile } from '../storage/machine.js';

const USAGE = 'Usage: node --import tsx bench/console/burst.bench.ts [--backlog N] (default 2600) [--burst N] (default 40) [--runs N] (default 5)';
acceptOnly(USAGE, ['backlog', 'burst', 'runs']);
const backlog = wholeNumber('backlog', '2600', 401);
const burst = wholeNumber('burst', '40', 1);
const runs = wholeNumber('runs', '5', 1);

function wholeNumber(name: string, fallback: string, least: number): number {
  const n = Number(arg(name, fallback));
  if (!Number.isInteger(n) || n < least) {
    process.stderr.write(`--${name} must be a whole number ≥ ${least}\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

/** The console as it was: every card laid out, on screen or not. */
const BASELINE_STYLE = '.hits > li { content-visibility: visible !important; }';
const VARIANTS = [
  { name: 'as shipped (cards off screen not laid out)', style: null },
  { name: 'baseline: every card laid out', style: BASELINE_STYLE },
] as const;

interface Run {
  burstMs: number;
  taskMs: number;
  layoutMs: number;
  showMoreMs: number;
  cardHeightPx: number;
}

function hitAt(readId: string, at: number): HitMessage {
  const base = hitMessage({ readId, list: 'SVS', publishedAt: at });
  return { ...base, read: { ...base.read, ts: at } };
}

async function metrics(cdp: CDPSession): Promise<Map<string, number>> {
  const { metrics: all } = await cdp.send('Performance.getMetrics');
  return new Map(all.map((m) => [m.name, m.value]));
}

/** Resolves once the page's unresolved count reads `n`, checked every frame. */
function countReaches(page: Page, n: number): Promise<unknown> {
  return page.waitForFunction(`document.getElementById('hit-count')?.textContent === '${n}'`, undefined, { polling: 'raf', timeout: 120_000 });
}

async function measure(browser: Browser, g: ScriptedGateway, style: string | null, run: number): Promise<Run> {
  const now = Date.now();
  const hits = Array.from({ length: backlog }, (_, i) => hitAt(`backlog-${run}-${i}`, now - 600_000 + i));
  g.replay = () => ({ type: 'replay', hits });
  // The baseline's style goes in as a style element, and the waits below are strings: the console's CSP would refuse both.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.goto(g.url);
    if (style !== null) await page.addStyleTag({ content: style });
    await page.getByLabel('User name').fill('dispatcher1');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#connection[data-state="live"]').waitFor();
    await countReaches(page, backlog);

    let started = performance.now();
    await page.locator('#show-more').click();
    await page.waitForFunction(`document.querySelectorAll('li.hit').length === 400`, undefined, { polling: 'raf' });
    const showMoreMs = performance.now() - started;
    const cardHeightPx = await page.evaluate<number>(`(() => {
      const cards = [...document.querySelectorAll('li.hit')].slice(0, 10);
      return cards.reduce((sum, li) => sum + li.getBoundingClientRect().height, 0) / cards.length;
    })()`);

    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const before = await metrics(cdp);
    started = performance.now();
    const sentAt = Date.now();
    for (let i = 0; i < burst; i++) g.send({ type: 'hit', ...hitAt(`burst-${run}-${i}`, sentAt - 1_000) });
    await countReaches(page, backlog + burst);
    const burstMs = performance.now() - started;
    const after = await metrics(cdp);
    const delta = (name: string) => ((after.get(name) ?? 0) - (before.get(name) ?? 0)) * 1000;
    return { burstMs, taskMs: delta('TaskDuration'), layoutMs: delta('LayoutDuration'), showMoreMs, cardHeightPx };
  } finally {
    await context.close();
  }
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

const spread = (values: number[]) => `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;

const g = await startScriptedGateway();
const browser = await launchChromium();
const chromiumVersion = browser.version();
const results = new Map<string, Run[]>(VARIANTS.map((v) => [v.name, []]));
try {
  for (let run = 0; run < runs; run++) {
    for (const variant of VARIANTS) results.get(variant.name)?.push(await measure(browser, g, variant.style, run));
  }
} finally {
  await browser.close();
  await g.stop();
}

const command = `node --import tsx bench/console/burst.bench.ts --backlog ${backlog} --burst ${burst} --runs ${runs}`;
process.stdout.write(`${machineTable()}\n\n\`${command}\`: a replay of ${fmt(backlog)} unresolved hits, "Show more" once (400 cards), then ${burst} live hits sent together; median (min–max) of ${runs} runs each, the two alternating. Chromium ${chromiumVersion}, 1280 × 900 window.\n\n`);
process.stdout.write(`${markdownTable(
  ['console', `${burst} live hits: until all counted (ms)`, 'main thread busy meanwhile (ms)', 'of it layout (ms)', '"Show more" 200 → 400 cards (ms)', 'card height (px, the newest 10)'],
  VARIANTS.map((v) => {
    const r = results.get(v.name) ?? [];
    return [v.name, spread(r.map((x) => x.burstMs)), spread(r.map((x) => x.taskMs)), spread(r.map((x) => x.layoutMs)), spread(r.map((x) => x.showMoreMs)), fmt(median(r.map((x) => x.cardHeightPx)))];
  }),
)}\n`);
