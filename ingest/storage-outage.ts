// What the log and /healthz say while detections or hits cannot be stored (a full ClickHouse disk,
// a stopped ClickHouse server). A full disk left /healthz at 200 while every batch failed, and the
// log grew 8 MB a minute with a stack per batch and per retry (found by QA). The detection and hit
// writers tell this of each batch's outcome (storage/writer.ts WriteOutcomes): the first batch not
// stored is one error with the cause, repeated once a minute with the batches failed since, and
// one info line when a batch is stored again.
//
// Health rule: unhealthy from the first batch that failed (a detection batch after all its
// attempts, storage's insertAttempts, so not a blip) until a batch of that kind is stored. While
// reads are not stored they are not acknowledged, so the next batch comes within seconds
// (JetStream redelivers them) and says whether storage works again.
import type { Logger } from 'pino';
import type { WriteOutcomes } from '../storage/index.js';
import { OutageLog, type OutageWords } from './outage-log.js';

/** What a writer stores: detections (every read) or hits (storage/hit-writer.ts). */
export type StoredKind = 'detections' | 'hits';

function storageWords(kind: StoredKind): OutageWords {
  return {
    firstFailure: `${kind} batch not stored`,
    again: `${kind} batch not stored; its reads stay unacknowledged and are redelivered`,
    lasting: (seconds, cause) =>
      `storage is refusing ${kind}${seconds > 0 ? ` for ${seconds} s` : ''}: ${/[.!?]$/.test(cause) ? cause : `${cause}.`} Reads stay on the READS stream unacknowledged and are stored once it accepts ` +
      'them again (hits still go out). Check the ClickHouse disk (dataDir/clickhouse when embedded) and /healthz',
    over: (seconds, failures) => `storage writing again: ${kind} stored after ${seconds} s of refusals (${failures} batches refused, their reads redelivered)`,
  };
}

export type StorageHealth = { ok: true } | { ok: false; error: string };

/**
 * One outage per kind: detections and hits are stored by writers of their own, and a success of
 * one must not end the other's outage (with only hits refused, every detection stored would have
 * ended it, and the next hit refused started it again, two log lines a batch).
 */
export class StorageOutage {
  readonly #logs: ReadonlyArray<readonly [StoredKind, OutageLog]>;
  readonly #now: () => number;

  constructor(logger: Logger, options: { now?: () => number; repeatEveryMs?: number } = {}) {
    this.#now = options.now ?? Date.now;
    const logOptions = { now: this.#now, reportAfterMs: 0, ...(options.repeatEveryMs === undefined ? {} : { repeatEveryMs: options.repeatEveryMs }) };
    this.#logs = (['detections', 'hits'] as const).map((kind) => [kind, new OutageLog(logger, storageWords(kind), logOptions)] as const);
  }

  /** What the writer of `kind` tells of each batch. */
  outcomes(kind: StoredKind): WriteOutcomes {
    const log = this.#logs.find(([k]) => k === kind)?.[1] as OutageLog;
    return { stored: () => log.succeeded(), failed: (error) => log.failed(error) };
  }

  /** For /healthz. */
  health(): StorageHealth {
    const problems: string[] = [];
    for (const [kind, log] of this.#logs) {
      const { since, failures, cause } = log.state;
      if (since !== null) problems.push(`${kind} not stored for ${Math.round((this.#now() - since) / 1000)} s (${failures} batches refused): ${cause}`);
    }
    return problems.length === 0 ? { ok: true } : { ok: false, error: problems.join('; ') };
  }
}
