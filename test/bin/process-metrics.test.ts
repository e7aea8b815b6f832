import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../ingest/index.js';
import { registerProcessMetrics } from '../../bin/process-metrics.js';

function value(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${name} is not on /metrics:\n${text}`);
  return Number(line.slice(name.length + 1));
}

describe('process metrics', () => {
  it('reports the memory, CPU time and event loop delay of the process at each scrape', async () => {
    const metrics = new MetricsRegistry();
    const stop = registerProcessMetrics(metrics);
    // Keep the loop busy for 400 ms, then let the monitor sample it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const until = Date.now() + 400;
    while (Date.now() < until) { /* a blocked loop */ }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const first = await metrics.render();
    expect(value(first, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 2 ** 20);
    expect(value(first, 'nodejs_heap_used_bytes')).toBeGreaterThan(2 ** 20);
    expect(value(first, 'process_cpu_seconds_total')).toBeGreaterThan(0.3);
    expect(value(first, 'nodejs_eventloop_delay_max_seconds')).toBeGreaterThan(0.3);
    // The CPU time counts up from where it was; the loop delay is since the previous scrape.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await metrics.render();
    expect(value(second, 'process_cpu_seconds_total')).toBeGreaterThanOrEqual(value(first, 'process_cpu_seconds_total'));
    expect(value(second, 'nodejs_eventloop_delay_max_seconds')).toBeLessThan(0.3);
    stop();
  });
});
