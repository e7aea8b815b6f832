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
  /** The embedded nats-server's store, whose free space a refusal names; null: a department's server. */
  storeDir: string | null;
  logger: Logger;
}

export async function openStreams(jsm: JetStreamManager, options: StreamsOptions): Promise<void> {
  const readsMaxBytes = options.readsMaxBytes ?? DEFAULT_STREAMS_CONFIG.readsMaxBytes;
  let report;
  try {
    report = await ensureStreams(jsm, { ...DEFAULT_STREAMS_CONFIG, readsMaxBytes });
  } catch (error) {
    if (!(error instanceof StreamSpaceError)) throw error;
    throw new StreamSpaceError(error.stream, error.maxBytes, `${error.message}${await freeSpace(options.storeDir)}${error.stream === READS_STREAM ? lowerReads(readsMaxBytes) : ''}`, { cause: error });
  }
  for (const kept of report.kept) {
    options.logger.warn(
      { stream: kept.stream, maxBytes: kept.maxBytes, wantedMaxBytes: kept.wantedMaxBytes, error: kept.error },
      `the ${kept.stream} stream keeps its limit of ${gib(kept.maxBytes)}: NATS cannot reserve the ${gib(kept.wantedMaxBytes)} configured on its disk (${kept.error}); its messages are kept`,
    );
  }
}

async function freeSpace(storeDir: string | null): Promise<string> {
  if (storeDir === null) return '';
  try {
    const { bavail, bsize } = await statfs(storeDir);
    return ` ${gib(bavail * bsize)} is free on the disk of ${storeDir}, of which nats-server reserves at most three quarters.`;
  } catch {
    return '';
  }
}

function lowerReads(readsMaxBytes: number): string {
  return ` Or keep fewer reads while storage is down: lower nats.readsMaxGib (PLATEWATCH_READS_MAX_GIB, now ${Math.round(readsMaxBytes / 2 ** 30)}) to what the disk holds, at least 1 GiB;` +
    ' INVALID_READS reserves 1 GiB besides.';
}

export function gib(bytes: number): string {
  return bytes < 0 ? 'no limit' : bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
