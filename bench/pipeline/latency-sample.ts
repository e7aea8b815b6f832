// Latencies of the pipeline benchmarks, in whole ms, each with the time its message was made, so
// the first second (warm-up: JIT, a new nats-server) can be left out of the "steady" p99.

export interface LatencySummary {
  p50: number;
  p99: number;
  /** p99 of the messages made after the first second. */
  steadyP99: number;
  max: number;
  count: number;
}

const WARM_UP_MS = 1000;

export class LatencySample {
  readonly #samples: Array<[madeAt: number, latencyMs: number]> = [];

  /** A message made at `madeAt` (ms epoch) and seen at `seenAt`. */
  add(madeAt: number, seenAt: number): void {
    this.#samples.push([madeAt, seenAt - madeAt]);
  }

  summary(): LatencySummary {
    const first = this.#samples.reduce((m, [t]) => Math.min(m, t), Number.POSITIVE_INFINITY);
    const all = this.#samples.map(([, l]) => l).sort((a, b) => a - b);
    const steady = this.#samples.filter(([t]) => t >= first + WARM_UP_MS).map(([, l]) => l).sort((a, b) => a - b);
    return { p50: at(all, 0.5), p99: at(all, 0.99), steadyP99: at(steady, 0.99), max: all[all.length - 1] ?? Number.NaN, count: all.length };
  }
}

function at(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
