// The JetStream streams `up` runs on, sized by the configuration (nats.readsMaxGib), and what the
// operator is told when the NATS store's disk cannot hold them: how much is free there and which
// setting lowers the reservation. The refusal said only "free space or use a larger disk", and
// nothing could lower READS's 10 GiB, so a small machine could not start at all (found by QA).
import { statfs } from 'node:fs/promises';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { DEFAULT_STREAMS_CONFIG, ensureStreams, READS_STREAM, StreamSpaceError } from '../ingest/index.js';

export interface StreamsOptions {
  /** READS's byte limit. @default DEFAULT_STREAMS_CONFIG.readsMaxBytes */
  readsMaxBytes?: number;
  /** The pipeline consumer's ack wait. @default DEFAULT_STREAMS_CONFIG.ackWaitMs */
  ackWaitMs?: number;
  /** The embedded nats-server's store, whose free space a refusal names; null: a department's server. */
  storeDir: string | null;
  logger: Logger;
}

export async function openStreams(jsm: JetStreamManager, options: StreamsOptions): Promise<void> {
  const readsMaxBytes = options.readsMaxBytes ?? DEFAULT_STREAMS_CONFIG.readsMaxBytes;
  let report;
  try {
    report = await ensureStreams(jsm, { ...DEFAULT_STREAMS_CONFIG, readsMaxBytes, ackWaitMs: options.ackWaitMs ?? DEFAULT_STREAMS_CONFIG.ackWaitMs });
  } catch (error) {
    if (!(error instanceof StreamSpaceError) || options.storeDir === null) throw error;
    const free = await freeBytes(options.storeDir);
    if (free === null) throw error;
    throw new StreamSpaceError(error.stream, error.maxBytes, noRoomText(error, options.storeDir, free, readsMaxBytes), { cause: error });
  }
  for (const kept of report.kept) {
    options.logger.warn(
      { stream: kept.stream, maxBytes: kept.maxBytes, wantedMaxBytes: kept.wantedMaxBytes, error: kept.error },
      `the ${kept.stream} stream keeps its limit of ${gib(kept.maxBytes)}: NATS cannot reserve the ${gib(kept.wantedMaxBytes)} configured on its disk (${kept.error}); its messages are kept`,
    );
  }
}

/** The share of the free space nats-server grants JetStream's file store (ingest/nats-store-reservations.ts). */
const STORE_SHARE = 0.75;
const LEAST_READS_GIB = 1;

async function freeBytes(storeDir: string): Promise<number | null> {
  try {
    const { bavail, bsize } = await statfs(storeDir);
    return bavail * bsize;
  } catch {
    return null;
  }
}

/**
 * Why the embedded store has no room, in the operator's terms: the streams' limits together against
 * the share of the free space nats-server grants, and what to do. "Less is free there" read as
 * wrong with 2.4 GiB free and 2 GiB of limits, and advised a smaller READS that could not help
 * when it was at its least (QA).
 */
function noRoomText(error: StreamSpaceError, storeDir: string, free: number, readsMaxBytes: number): string {
  const invalid = DEFAULT_STREAMS_CONFIG.invalidMaxBytes;
  const limits = readsMaxBytes + invalid;
  const readsGib = Math.round(readsMaxBytes / 2 ** 30);
  const atLeast = (bytes: number) => gib(Math.ceil(bytes / STORE_SHARE / 2 ** 27) * 2 ** 27);
  const lower = readsGib > LEAST_READS_GIB
    ? `; or keep fewer reads while storage is down: lower nats.readsMaxGib (PLATEWATCH_READS_MAX_GIB, now ${readsGib}), whose least, ${LEAST_READS_GIB}, needs ${atLeast(LEAST_READS_GIB * 2 ** 30 + invalid)} free`
    : ` (nats.readsMaxGib is at its least, ${LEAST_READS_GIB})`;
  return `cannot create the ${error.stream} stream: JetStream reserves each stream's limit on the NATS store's disk up front, and the limits add up to ${gib(limits)} ` +
    `(${READS_STREAM} ${gib(readsMaxBytes)}, INVALID_READS ${gib(invalid)}), more than nats-server grants: three quarters of the ${gib(free)} free on the disk of ${storeDir}. ` +
    `Free space there (at least ${atLeast(limits)} free in all) or move the data directory to a larger disk${lower}. (nats-server: ${(error.cause as Error | undefined)?.message ?? error.message})`;
}

export function gib(bytes: number): string {
  return bytes < 0 ? 'no limit' : bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
