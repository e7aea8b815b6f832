// Percentiles of latency samples in milliseconds, for the fan-out benchmark.

export interface LatencyMs {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: Float64Array): LatencyMs {
  const sorted = samples.slice().sort();
  const at = (q: number): number => (sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number));
  return { samples: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}
