// Hit fan-out throughput: hits sent in windows with a few windows in flight, so no socket is over
// its buffer limit and nothing is dropped; deliveries per second across all consoles.
import type { ConsoleFleet } from './consoles.js';

/** Hits per window; four windows of the benchmark's frame stay far under 1 MiB per socket. */
const WINDOW = 200;
const WINDOWS_IN_FLIGHT = 4;

export interface FanOutRate {
  /** Frames received per second, summed over consoles. */
  deliveriesPerSecond: number;
  hitsPerSecond: number;
  delivered: number;
  expected: number;
}

export async function windowedFanOut(consoles: ConsoleFleet, hits: number, sendWindow: (n: number) => Promise<void>): Promise<FanOutRate> {
  await consoles.measure({ expectedPerConsole: hits, reportEveryPerConsole: WINDOW });
  const started = performance.now();
  for (let w = 0; w * WINDOW < hits; w++) {
    await consoles.waitForFrames((w - WINDOWS_IN_FLIGHT + 1) * WINDOW * consoles.count);
    await sendWindow(Math.min(WINDOW, hits - w * WINDOW));
  }
  const done = await consoles.finish(true);
  const seconds = (performance.now() - started) / 1000;
  return { deliveriesPerSecond: done.frames / seconds, hitsPerSecond: hits / seconds, delivered: done.frames, expected: hits * consoles.count };
}
