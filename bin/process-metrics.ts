// What the process itself costs, on /metrics: memory (its RSS includes embedded chDB, which runs in
// this process, so it is the figure to size a machine's RAM by), CPU time, and how late the event
// loop runs (a late loop delays every hit on its way to consoles and every API answer). Read at
// each scrape; the loop delay is the worst since the previous scrape.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricsRegistry } from '../ingest/index.js';

/** The loop delay histogram's sampling step: finer costs CPU for nothing an alert needs. */
const LOOP_DELAY_RESOLUTION_MS = 20;

/** Registers the gauges; the returned function stops sampling the event loop. */
export function registerProcessMetrics(metrics: MetricsRegistry): () => void {
  const rss = metrics.gauge('process_resident_memory_bytes', 'Resident memory of this process, embedded chDB included (bytes)');
  const heap = metrics.gauge('nodejs_heap_used_bytes', 'JavaScript heap in use (bytes)');
  const cpu = metrics.counter('process_cpu_seconds_total', 'User and system CPU time of this process (seconds)');
  const loopP99 = metrics.gauge('nodejs_eventloop_delay_p99_seconds', 'How late the event loop ran, 99th percentile since the previous scrape (seconds)');
  const loopMax = metrics.gauge('nodejs_eventloop_delay_max_seconds', 'How late the event loop ran at worst since the previous scrape (seconds)');
  const loop = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loop.enable();
  let cpuCounted = 0;
  metrics.onCollect(() => {
    rss.set(process.memoryUsage.rss());
    heap.set(process.memoryUsage().heapUsed);
    const used = process.cpuUsage();
    const cpuSeconds = (used.user + used.system) / 1e6;
    cpu.inc(cpuSeconds - cpuCounted);
    cpuCounted = cpuSeconds;
    // The histogram counts from when the loop was due, so the sampling step is not a delay.
    const late = (ns: number) => Math.max(0, ns / 1e9 - LOOP_DELAY_RESOLUTION_MS / 1000);
    if (loop.count > 0) {
      loopP99.set(late(loop.percentile(99)));
      loopMax.set(late(loop.max));
    }
    loop.reset();
  });
  return () => loop.disable();
}
