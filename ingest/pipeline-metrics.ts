// The pipeline's metrics (issue 4, observability): what an operator watches on /metrics.
import { CameraMetrics, DEFAULT_MAX_CAMERAS } from './camera-metrics.js';
import type { Counter, Histogram, MetricsRegistry } from './metrics.js';

/** Latency buckets in seconds: 1 ms to 10 s. */
export const LATENCY_BUCKETS_SECONDS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

export interface PipelineMetrics {
  readsIn: Counter;
  messagesIn: Counter;
  invalidReads: Counter;
  hits: Counter;
  batches: Counter;
  batchFailures: Counter;
  acked: Counter;
  pullFailures: Counter;
  readToHitSeconds: Histogram;
  readToStoredSeconds: Histogram;
  /** Per camera: valid and refused reads, last valid read (fleet health). */
  cameras: CameraMetrics;
}

export interface PipelineMetricsOptions {
  /** Cameras with series of their own; further ones are counted as camera="_other". @default DEFAULT_MAX_CAMERAS */
  maxCameras?: number;
}

export function createPipelineMetrics(registry: MetricsRegistry, options: PipelineMetricsOptions = {}): PipelineMetrics {
  return {
    readsIn: registry.counter('platewatch_reads_total', 'Valid reads taken from the READS stream'),
    messagesIn: registry.counter('platewatch_read_messages_total', 'Messages taken from the READS stream (a gateway message may carry many reads)'),
    invalidReads: registry.counter('platewatch_invalid_reads_total', 'Reads or messages refused and published to alpr.invalid.reads'),
    hits: registry.counter('platewatch_hits_total', 'Hits published, by list and kind', { labelNames: ['list', 'kind'] }),
    batches: registry.counter('platewatch_pipeline_batches_total', 'Batches processed by the pipeline'),
    batchFailures: registry.counter('platewatch_pipeline_batch_failures_total', 'Batches not stored; their reads were left for redelivery'),
    acked: registry.counter('platewatch_read_messages_acked_total', 'Messages acknowledged after their reads were stored'),
    pullFailures: registry.counter('platewatch_pipeline_pull_failures_total', 'Pulls from READS that ended in an error, by reason (heartbeats_missed, other); the pull is repeated', {
      labelNames: ['reason'],
      known: [{ reason: 'heartbeats_missed' }, { reason: 'other' }],
    }),
    readToHitSeconds: registry.histogram('platewatch_read_to_hit_published_seconds', 'Camera read time to hit published; reads timed over an hour ago or ahead of the pipeline clock are not observed', LATENCY_BUCKETS_SECONDS),
    readToStoredSeconds: registry.histogram('platewatch_read_to_stored_seconds', 'Camera read time to stored and acknowledged (end to end); reads timed over an hour ago or ahead of the pipeline clock are not observed', LATENCY_BUCKETS_SECONDS),
    cameras: new CameraMetrics(registry, options.maxCameras ?? DEFAULT_MAX_CAMERAS),
  };
}
