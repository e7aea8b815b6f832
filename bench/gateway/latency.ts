// Latency samples in milliseconds as a fixed-resolution histogram: cheap to record, and the
// histograms of several console processes merge exactly, which percentiles would not.

export interface LatencyMs {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

/** 0.05 ms buckets up to 10 s; slower samples land in the last bucket. */
const BUCKETS_PER_MS = 20;
const MAX_MS = 10_000;

export class LatencyHistogram {
  readonly counts = new Uint32Array(MAX_MS * BUCKETS_PER_MS + 1);
  samples = 0;

  add(ms: number): void {
    const bucket = ms <= 0 ? 0 : Math.min(this.counts.length - 1, Math.ceil(ms * BUCKETS_PER_MS));
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.samples++;
  }

  /** Non-empty buckets as [bucket, count] pairs, small enough to send over IPC. */
  toPairs(): Array<[number, number]> {
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] !== 0) pairs.push([i, this.counts[i] as number]);
    return pairs;
  }

  addPairs(pairs: ReadonlyArray<readonly [number, number]>): void {
    for (const [bucket, count] of pairs) {
      this.counts[bucket] = (this.counts[bucket] as number) + count;
      this.samples += count;
    }
  }

  /** Upper bound of the bucket holding quantile `q`. */
  quantile(q: number): number {
    if (this.samples === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.samples));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return i / BUCKETS_PER_MS;
    }
    return MAX_MS;
  }

  summary(): LatencyMs {
    return { samples: this.samples, p50: this.quantile(0.5), p99: this.quantile(0.99), max: this.quantile(1) };
  }
}
