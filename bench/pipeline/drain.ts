// What the pipeline benchmarks share: the 100,000-entry SVS list they match against, and a timed
// drain of READS by pipeline workers storing into the system's chDB.
import { jetstreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { detectionSink, type RunningSystem } from '../../bin/system.js';
import { createPipelineMetrics, generatePlate, MetricsRegistry, PIPELINE_CONSUMER, PipelineWorker, publishHotlist, READS_STREAM, type Random } from '../../ingest/index.js';
import { validateEntry, type HotlistEntry, type MatcherConfig } from '../../matcher/index.js';

/** Publishes a 100,000-entry SVS list of generated plates and waits until the matcher has it. */
export async function loadBenchList(system: RunningSystem, config: MatcherConfig, random: Random): Promise<HotlistEntry[]> {
  const svs: HotlistEntry[] = [];
  for (let i = 0; i < 100_000; i++) {
    const { plate, state } = generatePlate(random);
    const r = validateEntry({ plate, state, list: 'SVS', reason: 'STOLEN VEHICLE', case_number: `V${100000000 + i}`, entered_by: 'NCIC' }, config);
    if (r.ok) svs.push(r.entry);
  }
  await publishHotlist(system.hotlists, 'SVS', svs, 'bench');
  while (system.matcher.lists().length === 0) await new Promise((r) => setTimeout(r, 50));
  return svs;
}

/**
 * Starts `workers` pipeline workers on what READS holds and times them until every message is
 * stored and acked; throws unless they took at least `reads` reads. Returns reads per second.
 */
export async function drainThroughPipeline(system: RunningSystem, workers: number, reads: number, logger: Logger): Promise<number> {
  const metrics = createPipelineMetrics(new MetricsRegistry());
  const started = performance.now();
  const pool = Array.from({ length: workers }, () => new PipelineWorker({ js: system.js, matcher: system.matcher, sink: detectionSink(system.writer), metrics, logger }));
  for (const w of pool) await w.start();
  const jsm = await jetstreamManager(system.nc);
  for (;;) {
    const info = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
    if (info.num_pending === 0 && info.num_ack_pending === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  for (const w of pool) await w.stop();
  if (metrics.readsIn.get() < reads) throw new Error(`pipeline saw ${metrics.readsIn.get()} of ${reads} reads`);
  return reads / seconds;
}
