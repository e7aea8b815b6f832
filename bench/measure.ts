// Timing and memory measurements for the benchmark scripts. Means come from tinybench over
// batches of reads (one read is too short for a timer); per-read percentiles come from timing each
// read with process.hrtime.bigint, whose own cost is measured and reported beside them.
import { Bench } from 'tinybench';

/** Keeps the results the timed code computes alive, so the optimiser cannot drop the work. */
export const blackhole = { sum: 0 };

/** globalThis.gc exists only when node runs with --expose-gc. */
export function canCollectGarbage(): boolean {
  return typeof globalThis.gc === 'function';
}

/**
 * Heap in use after full collections: heapUsed plus arrayBuffers, because typed-array storage
 * lives outside the JS heap and an index built of typed arrays would otherwise look free.
 */
export function heapBytes(): number {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

export interface LatencySummary {
  reads: number;
  meanNs: number;
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
}

/** Times each call separately; the figures include one hrtime call's cost (see `timerOverheadNs`). */
export function timeEach<T>(items: readonly T[], run: (item: T) => number): LatencySummary {
  const samples = new Float64Array(items.length);
  let sink = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T;
    const started = process.hrtime.bigint();
    sink += run(item);
    samples[i] = Number(process.hrtime.bigint() - started);
  }
  blackhole.sum += sink;
  return summarize(samples);
}

export function summarize(samples: Float64Array): LatencySummary {
  const sorted = samples.slice().sort();
  let total = 0;
  for (let i = 0; i < sorted.length; i++) total += sorted[i] as number;
  return {
    reads: sorted.length,
    meanNs: sorted.length === 0 ? 0 : total / sorted.length,
    p50Ns: percentile(sorted, 0.5),
    p99Ns: percentile(sorted, 0.99),
    maxNs: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] as number),
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** What one empty hrtime-timed call costs here, so readers can discount it from per-read figures. */
export function timerOverheadNs(): number {
  const empty = new Array<number>(200_000).fill(0);
  timeEach(empty, (x) => x);
  return timeEach(empty, (x) => x).p50Ns;
}

/** Reads per tinybench iteration: long enough for the timer, short enough for many samples. */
const BATCH = 1_000;

export interface MeanSummary {
  meanNs: number;
  /** tinybench's relative margin of error of the batch mean, in percent. */
  rmePercent: number;
  /** Batches timed. */
  samples: number;
}

/**
 * Mean time per item with tinybench: each iteration runs the next batch of items (cycling), and
 * the batch mean divided by its size is the per-item mean.
 */
export async function benchMean<T>(name: string, items: readonly T[], run: (item: T) => number, timeMs: number): Promise<MeanSummary> {
  const batch = Math.min(BATCH, items.length);
  let next = 0;
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs / 4), throws: true });
  bench.add(name, () => {
    let sink = 0;
    for (let i = 0; i < batch; i++) {
      sink += run(items[next] as T);
      next = next + 1 === items.length ? 0 : next + 1;
    }
    blackhole.sum += sink;
  });
  await bench.run();
  const result = bench.tasks[0]?.result;
  if (result === undefined || (result.state !== 'completed' && result.state !== 'aborted-with-statistics')) {
    throw new Error(`benchmark task "${name}" did not complete: ${result?.state ?? 'missing'}`);
  }
  return { meanNs: (result.latency.mean * 1e6) / batch, rmePercent: result.latency.rme, samples: result.latency.samplesCount };
}
