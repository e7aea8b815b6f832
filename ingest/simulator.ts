// A simulated camera fleet for demos, tests and benchmarks: realistic US plates (state formats by
// fleet size), OCR misreads at a realistic rate, and a chosen share of hot plates taken from the
// lists in use. Publishes with JetStream acks at a steady rate; bounded in count and time. A read
// counts as published only once JetStream acknowledged it: counted when sent, a run with NATS
// stopped for 2 s said "published 1000" with 107 never stored (found by QA).
import type { JetStreamClient } from '@nats-io/jetstream';
import { Packr } from 'msgpackr';
import { createRandom, DEFAULT_MISREAD_RATE, generatePlate, pickOne, randomInt, simulateCameraRead, type Random } from './plate-generator.js';
import { readsSubject } from './subjects.js';
import { WIRE_VERSION, type WireRead } from './wire.js';

export interface SimulationOptions {
  js: JetStreamClient;
  /** @default 'demo' */
  agency?: string;
  /** @default 4 */
  cameras?: number;
  /** Reads per second across the fleet. @default 10 */
  rate?: number;
  /** Share of reads that are listed plates (before misreads). @default 0.005 (DESIGN.md: ~0.5% of reads hit) */
  hitRate?: number;
  /** Listed plates to draw hot reads from. */
  hotPlates?: readonly { plate: string; state?: string }[];
  /** Stop after this many reads. @default unbounded (then `durationMs` must be set) */
  count?: number;
  /** Stop after this long. */
  durationMs?: number;
  /** Reads per message (a camera gateway batches). @default 1 */
  batch?: number;
  /** Share of reads with an OCR confusion-class error. @default DEFAULT_MISREAD_RATE */
  misreadRate?: number;
  seed?: number;
  signal?: AbortSignal;
  /** Publishes awaiting their JetStream ack at once. @default 1000 */
  maxInFlight?: number;
}

export interface SimulationReport {
  /** Reads JetStream acknowledged (stored). */
  published: number;
  /** Reads whose publish failed or went unacknowledged: not stored, as far as the simulator knows. */
  failed: number;
  /** Why the first failed publish failed; null when none failed. */
  firstFailure: string | null;
  /** Messages sent, acknowledged or not. */
  messages: number;
  hot: number;
  durationMs: number;
}

const packr = new Packr({ useRecords: false });
/** A fixed camera position per camera id: Watsonville, CA, spread over a few kilometres. */
const BASE_LAT = 36.91;
const BASE_LON = -121.76;

export function simulatedRead(random: Random, options: { agency: string; camera: string; id: string; ts: number; hot?: { plate: string; state?: string }; misreadRate: number }): WireRead {
  const source = options.hot ?? generatePlate(random);
  const plate = simulateCameraRead(source.plate, random, options.misreadRate);
  const cameraIndex = Number(options.camera.replace(/\D/g, '')) || 0;
  const read: WireRead = {
    v: WIRE_VERSION,
    id: options.id,
    agency: options.agency,
    camera: options.camera,
    ts: options.ts,
    plate,
    conf: Math.round((0.75 + random() * 0.24) * 100) / 100,
    // Rounded to a GPS fix's six decimals, so a search shows 36.947 rather than 36.946999999999996.
    lat: roundToMicrodegrees(BASE_LAT + ((cameraIndex * 37) % 100) / 2000),
    lon: roundToMicrodegrees(BASE_LON + ((cameraIndex * 53) % 100) / 2000),
    heading: randomInt(random, 360),
  };
  if (source.state !== undefined) read.state = source.state;
  return read;
}

export async function simulateFleet(options: SimulationOptions): Promise<SimulationReport> {
  const agency = options.agency ?? 'demo';
  const cameras = Math.max(1, options.cameras ?? 4);
  const rate = options.rate ?? 10;
  const hitRate = options.hitRate ?? 0.005;
  const batch = Math.max(1, options.batch ?? 1);
  const misreadRate = options.misreadRate ?? DEFAULT_MISREAD_RATE;
  const hotPlates = options.hotPlates ?? [];
  const maxInFlight = options.maxInFlight ?? 1000;
  if (options.count === undefined && options.durationMs === undefined) throw new RangeError('simulateFleet needs a count or a duration');
  const random = createRandom(options.seed ?? Date.now());
  const runId = `${Date.now().toString(36)}-${randomInt(random, 1e6).toString(36)}`;
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let published = 0;
  let failed = 0;
  let firstFailure: string | null = null;
  let messages = 0;
  let hot = 0;
  const done = (): boolean =>
    options.signal?.aborted === true || (options.count !== undefined && sent >= options.count) || (options.durationMs !== undefined && performance.now() - started >= options.durationMs);

  while (!done()) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due && !done()) {
      const camera = `cam${randomInt(random, cameras) + 1}`;
      const reads: WireRead[] = [];
      // A gateway sends full batches: fill this one even if it runs a few reads ahead of the rate.
      for (let i = 0; i < batch && !(options.count !== undefined && sent >= options.count); i++) {
        const isHot = hotPlates.length > 0 && random() < hitRate;
        if (isHot) hot++;
        reads.push(simulatedRead(random, { agency, camera, id: `sim-${runId}-${sent}`, ts: Date.now(), misreadRate, ...(isHot ? { hot: pickOne(random, hotPlates) } : {}) }));
        sent++;
      }
      const data = packr.pack(batch === 1 ? reads[0] : reads);
      const size = reads.length;
      // Settles either way: a failure is counted and its reason kept, never thrown past the run.
      const ack: Promise<void> = options.js
        .publish(readsSubject(agency, camera), data, { msgID: size === 1 ? reads[0]!.id : `${reads[0]!.id}+${size}` })
        .then(
          () => {
            published += size;
          },
          (error: unknown) => {
            failed += size;
            firstFailure ??= error instanceof Error ? error.message : String(error);
          },
        )
        .finally(() => inFlight.delete(ack));
      messages++;
      inFlight.add(ack);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(inFlight);
  return { published, failed, firstFailure, messages, hot, durationMs: performance.now() - started };
}

function roundToMicrodegrees(degrees: number): number {
  return Math.round(degrees * 1e6) / 1e6;
}
