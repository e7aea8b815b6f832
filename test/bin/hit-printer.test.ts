// `up`'s hit printer (bin/hit-printer.ts) on a real NATS subscription to alpr.hits.>: each hit id
// printed once however often it is republished, past sightings marked as such, covert lists withheld.
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { hitPrinter } from '../../bin/hit-printer.js';
import { encodeHitMessage, HIT_MESSAGE_VERSION, hitsSubject, type HitMessage } from '../../ingest/index.js';
import type { Subscription } from '@nats-io/transport-node';
import { useLocalNats } from '../fixtures/nats.js';

const nats = useLocalNats('hit-printer');
let subscription: Subscription | undefined;
afterEach(() => subscription?.unsubscribe());

const SEEN_AT = Date.parse('2026-11-20T14:03:07.000Z');

function hitMessage(readId: string, options: { list?: string; historical?: boolean; plate?: string; ts?: number } = {}): HitMessage {
  const list = options.list ?? 'SVS';
  const plate = options.plate ?? '7ABC123';
  return {
    v: HIT_MESSAGE_VERSION,
    hitId: `${readId}|${list}|${plate}`,
    publishedAt: Date.now(),
    historical: options.historical ?? false,
    // A live hit's read is just made (an older one is printed with its age); a past sighting's was seen at SEEN_AT.
    read: { v: 1, id: readId, agency: 'wpd', camera: 'cam1', ts: options.ts ?? (options.historical === true ? SEEN_AT : Date.now()), conf: 0.9, plate, state: 'CA' },
    hit: {
      list, listVersion: 1, entry: plate, kind: 'exact', distance: 0, ocrSubstitutions: 0, positions: [], candidate: 0, plate,
      stateMatch: true, vehicleMismatch: [], state: 'CA', reason: 'Stolen vehicle', caseNumber: '26-0042', enteredBy: 'DOJ', synopsis: 'Gray sedan',
    },
  };
}

/** Subscribes a printer, publishes `messages` in order over NATS, and returns what it printed once the last has arrived. */
async function print(messages: HitMessage[], options: { covert?: ReadonlyMap<string, string>; rememberIds?: number; now?: () => number } = {}): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  let received = 0;
  const printer = hitPrinter(out, pino({ level: 'silent' }), {
    covert: options.covert ?? new Map(), ...(options.rememberIds === undefined ? {} : { rememberIds: options.rememberIds }), ...(options.now === undefined ? {} : { now: options.now }),
  });
  subscription = nats.nc.subscribe('alpr.hits.>', {
    callback: (error, msg) => {
      received++;
      printer(error, msg);
    },
  });
  for (const message of messages) nats.nc.publish(hitsSubject(message.read.agency, message.hit.list), encodeHitMessage(message));
  await nats.nc.flush();
  const deadline = Date.now() + 10_000;
  while (received < messages.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(received).toBe(messages.length);
  await new Promise((r) => setImmediate(r));
  return text;
}

describe('up hit printer', () => {
  it('prints a hit once however often it is republished (a read redelivered 20 times while storage was down)', async () => {
    const messages: HitMessage[] = [];
    for (let delivery = 0; delivery < 20; delivery++) messages.push(hitMessage('r-1'), hitMessage('r-2', { plate: '4XYZ771' }));
    const text = await print(messages);
    expect(text.match(/^read r-1: 7ABC123 → SVS 7ABC123 \[exact\]$/gm)).toHaveLength(1);
    expect(text.match(/^read r-2: 4XYZ771 → SVS 4XYZ771 \[exact\]$/gm)).toHaveLength(1);
  });

  it('remembers a bounded number of hit ids, forgetting the oldest first', async () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => hitMessage(id)) as [HitMessage, HitMessage, HitMessage, HitMessage];
    // With room for 2: a is still remembered at its second copy, forgotten (after c and d) by its third.
    const text = await print([a, b, a, c, d, a], { rememberIds: 2 });
    expect(text.match(/^read a: /gm)).toHaveLength(2);
    expect(text.match(/^read [bcd]: /gm)).toHaveLength(3);
  });

  it('marks a past sighting (historical hit) with when the car was seen, unlike a live hit; a covert list\'s past sighting stays withheld', async () => {
    const text = await print(
      [hitMessage('live-1'), hitMessage('old-1', { historical: true, list: 'BOLO' }), hitMessage('old-2', { historical: true, list: 'NARC', plate: '7NRC123' })],
      { covert: new Map([['NARC', 'covert-1']]) },
    );
    expect(text).toMatch(/^read live-1: 7ABC123 → SVS 7ABC123 \[exact\]$/m);
    expect(text).not.toMatch(/past sighting[^\n]*read live-1/);
    expect(text).toMatch(/^past sighting seen 2026-11-20T14:03:07\.000Z, not live: read old-1: 7ABC123 → BOLO 7ABC123 \[exact\]$/m);
    expect(text).toMatch(/^past sighting on a covert list \(covert-1\): details withheld$/m);
    expect(text).not.toContain('7NRC123');
  });

  it('prints a hit again after a restart, as the README says: the ids printed are remembered for one run only', async () => {
    // Two printers are two runs of `up`; the read delivered again after the restart republishes its hit.
    expect(await print([hitMessage('r-again'), hitMessage('r-again')])).toMatch(/^read r-again: [^\n]*\n[^\n]*\n$/);
    subscription?.unsubscribe();
    expect(await print([hitMessage('r-again')])).toMatch(/^read r-again: /m);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain('Each hit is printed once per run of `up`');
    expect(readme).not.toContain('Each hit is printed once, also when its read is delivered again');
  });

  it('says when a live hit\'s read is over 10 minutes old, or dated ahead of now by over 2 minutes, with the read\'s time', async () => {
    const now = Date.parse('2026-12-06T12:00:00.000Z');
    const text = await print([
      hitMessage('ts-fresh', { ts: now - 9 * 60_000 }),
      hitMessage('ts-old-min', { ts: now - 11 * 60_000 }),
      hitMessage('ts-old-h', { ts: now - 5 * 3_600_000 - 59 * 60_000 }),
      hitMessage('ts-172800-0', { ts: now - 172_800_000 }),
      hitMessage('ts-ahead-ok', { ts: now + 60_000 }),
      hitMessage('ts-ahead', { ts: now + 2 * 3_600_000 }),
      hitMessage('ts-ahead-min', { ts: now + 3 * 60_000 }),
    ], { now: () => now });
    expect(text).toMatch(/^read ts-fresh: 7ABC123 → SVS 7ABC123 \[exact\]$/m);
    expect(text).toMatch(/^seen 11 min ago \(2026-12-06T11:49:00\.000Z\): read ts-old-min: 7ABC123 → SVS 7ABC123 \[exact\]$/m);
    expect(text).toMatch(/^seen 5 h ago \(2026-12-06T06:01:00\.000Z\): read ts-old-h: /m);
    expect(text).toMatch(/^seen 2 d ago \(2026-12-04T12:00:00\.000Z\): read ts-172800-0: 7ABC123 → SVS 7ABC123 \[exact\]$/m);
    expect(text).toMatch(/^read ts-ahead-ok: /m);
    expect(text).toMatch(/^camera clock 2 h ahead \(read dated 2026-12-06T14:00:00\.000Z\): read ts-ahead: /m);
    expect(text).toMatch(/^camera clock 3 min ahead \(read dated 2026-12-06T12:03:00\.000Z\): read ts-ahead-min: /m);
  });
});
