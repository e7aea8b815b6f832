// JetStream streams and the pipeline's durable consumer, created or updated at start.
import { AckPolicy, DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import {
  HITS_STREAM,
  HITS_SUBJECT_PREFIX,
  INVALID_READS_STREAM,
  INVALID_READS_SUBJECT,
  READS_STREAM,
  READS_SUBJECT_PREFIX,
} from './subjects.js';

export const PIPELINE_CONSUMER = 'pipeline';

export interface StreamsConfig {
  /** Cameras that set Nats-Msg-Id (the read id) get duplicates dropped within this window. @default 120000 */
  duplicateWindowMs: number;
  /** Unprocessed reads kept at most this many bytes; beyond it cameras' publishes are refused, not old reads dropped. @default 10 GiB */
  readsMaxBytes: number;
  /** Hits kept on the stream for consoles that reconnect. @default 7 days */
  hitsMaxAgeMs: number;
  /** Invalid reads kept for inspection. @default 30 days */
  invalidMaxAgeMs: number;
  /**
   * Invalid reads kept at most this many bytes; beyond it the oldest copies are dropped, so a
   * flood of bad input can neither fill the NATS disk nor (as refusing new copies would) stop the
   * pipeline. JetStream reserves it on the store's disk. @default 1 GiB
   */
  invalidMaxBytes: number;
  /** A read not acked in this time is redelivered (to any worker). @default 30000 */
  ackWaitMs: number;
  /** Reads handed out and not yet acked, across all workers. @default 50000 */
  maxAckPending: number;
}

export const DEFAULT_STREAMS_CONFIG: StreamsConfig = {
  duplicateWindowMs: 120_000,
  readsMaxBytes: 10 * 1024 ** 3,
  hitsMaxAgeMs: 7 * 24 * 3600 * 1000,
  invalidMaxAgeMs: 30 * 24 * 3600 * 1000,
  invalidMaxBytes: 1024 ** 3,
  ackWaitMs: 30_000,
  maxAckPending: 50_000,
};

/** A stream that exists but whose new settings nats-server refused for lack of disk: it runs on its old ones. */
export interface StreamKept {
  stream: string;
  /** Its byte limit as it stands. */
  maxBytes: number;
  /** The byte limit asked for. */
  wantedMaxBytes: number;
  /** nats-server's refusal. */
  error: string;
}

/** Streams left as they were (see StreamKept); empty when every stream is as configured. */
export interface StreamsReport {
  kept: StreamKept[];
}

async function ensureStream(jsm: JetStreamManager, config: Parameters<JetStreamManager['streams']['add']>[0] & { name: string }, report: StreamsReport): Promise<void> {
  let existing: Awaited<ReturnType<JetStreamManager['streams']['info']>> | undefined;
  try {
    existing = await jsm.streams.info(config.name);
  } catch (error) {
    if ((error as { name?: string }).name !== 'StreamNotFoundError' && !/not found/i.test((error as Error).message)) throw error;
  }
  if (existing !== undefined) {
    try {
      await jsm.streams.update(config.name, config);
    } catch (error) {
      // A larger limit than the disk can reserve: the stream and its messages are there, so start on
      // its old settings and say so (refusing to start over a limit was found by QA to read as lost data).
      if (!isInsufficientStorage(error)) throw error;
      report.kept.push({ stream: config.name, maxBytes: existing.config.max_bytes, wantedMaxBytes: config.max_bytes ?? -1, error: (error as Error).message });
    }
    return;
  }
  try {
    await jsm.streams.add(config);
  } catch (addError) {
    // JetStream reserves a stream's max_bytes on the store's disk up front; its own message
    // ("insufficient storage resources available") does not say which stream or how much.
    if (!isInsufficientStorage(addError) || config.max_bytes === undefined || config.max_bytes < 0) throw addError;
    throw new StreamSpaceError(
      config.name, config.max_bytes,
      `cannot create the ${config.name} stream: JetStream reserves its limit of ${(config.max_bytes / 2 ** 30).toFixed(1)} GiB on the disk of the NATS store ` +
        `(the data directory's nats/ when embedded) and less is free there: free space or use a larger disk. (This server does not have the stream. With NATS_URL, a server that had it before ` +
        `and did not load it at its start for the same reason still keeps its messages in its store: give that server a larger disk or a max_file_store that holds its streams.) (${(addError as Error).message})`,
      { cause: addError },
    );
  }
}

/** A stream JetStream could not create because its byte limit is more than it can reserve on the store's disk. */
export class StreamSpaceError extends Error {
  readonly code = 'STREAM_NO_SPACE';

  constructor(readonly stream: string, readonly maxBytes: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StreamSpaceError';
  }
}

function isInsufficientStorage(error: unknown): boolean {
  return /insufficient storage/i.test((error as Error).message);
}

/** Creates the streams and the consumer, or brings existing ones to `config` where the disk allows (StreamsReport). */
export async function ensureStreams(jsm: JetStreamManager, config: StreamsConfig = DEFAULT_STREAMS_CONFIG): Promise<StreamsReport> {
  const report: StreamsReport = { kept: [] };
  // Work queue: a read leaves the stream once it is acked (stored), and stays until then —
  // when the store is full, cameras are refused (DiscardPolicy.New) rather than reads dropped.
  await ensureStream(jsm, {
    name: READS_STREAM,
    subjects: [`${READS_SUBJECT_PREFIX}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Workqueue,
    discard: DiscardPolicy.New,
    max_bytes: config.readsMaxBytes,
    duplicate_window: nanos(config.duplicateWindowMs),
  }, report);
  await ensureStream(jsm, {
    name: HITS_STREAM,
    subjects: [`${HITS_SUBJECT_PREFIX}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(config.hitsMaxAgeMs),
    duplicate_window: nanos(config.duplicateWindowMs),
  }, report);
  await ensureStream(jsm, {
    name: INVALID_READS_STREAM,
    subjects: [INVALID_READS_SUBJECT],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(config.invalidMaxAgeMs),
    // Oldest out, never new refused: a refused copy fails its batch, which is redelivered for good.
    discard: DiscardPolicy.Old,
    max_bytes: config.invalidMaxBytes,
    // A redelivered message's copy carries the same Nats-Msg-Id (ingest/invalid-copy.ts) and is dropped.
    duplicate_window: nanos(config.duplicateWindowMs),
  }, report);
  const consumer = {
    durable_name: PIPELINE_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(config.ackWaitMs),
    max_ack_pending: config.maxAckPending,
  };
  try {
    await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
    await jsm.consumers.update(READS_STREAM, PIPELINE_CONSUMER, { ack_wait: consumer.ack_wait, max_ack_pending: consumer.max_ack_pending });
  } catch {
    await jsm.consumers.add(READS_STREAM, consumer);
  }
  return report;
}
