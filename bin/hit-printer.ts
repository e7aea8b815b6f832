// How `up` prints hits on its terminal (README: "then each hit as it happens"): from alpr.hits.>
// over core NATS, so hits of every worker and the retroactive checks show, each hit id once per
// run. The ids printed are kept in memory only: after a restart (or kill -9) a read delivered again
// has its hit printed again; the hit message says nothing of deliveries, so that line cannot be
// marked as a repeat (consoles dedupe on the hit id and show nothing new).
import type { Writable } from 'node:stream';
import type { Msg } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { SeenIds } from '../gateway/index.js';
import { decodeHitMessage, type HitMessage } from '../ingest/index.js';
import { printHit } from './verbs/demo.js';

/** Of undecodable messages on alpr.hits.>, one log line per this interval at most (with how many were skipped). */
const SKIPPED_HIT_LOG_INTERVAL_MS = 60_000;
/**
 * Hit ids remembered so a hit is printed once: a read redelivered (storage down: every 2 s until it
 * is stored) republishes its hits under the same ids. As many as the gateway remembers for its
 * consoles (gateway.dedupeCapacity), ≈ 80 bytes each.
 */
export const PRINTED_HIT_IDS = 100_000;

/** A live hit's read older than this is printed with its age: a car seen long ago is no longer there. */
export const OLD_READ_MS = 10 * 60_000;
/** A read dated this far past now is printed with how far ahead its camera's clock is. */
export const FUTURE_READ_MS = 2 * 60_000;

export interface HitPrinterOptions {
  /** Covert list name (upper case) → the alias printed instead of its details. */
  covert: ReadonlyMap<string, string>;
  /** @default PRINTED_HIT_IDS */
  rememberIds?: number;
  /** The clock reads are compared with. @default Date.now */
  now?: () => number;
}

/**
 * The callback that prints each hit on alpr.hits.>. The NATS client runs it inside its reader loop,
 * on the connection the pipeline, the gateway and the hot list follower share: an exception there
 * ends the loop and stalls them all, and anyone allowed to publish on alpr.hits could send one. So
 * it never throws: a message that is not a printable hit is skipped and logged (the gateway's hit
 * feed counts it too, in platewatch_gateway_undecodable_hits_total, as it reads the HITS stream).
 * A covert list's hit is printed without plate, entry, case or synopsis: stdout ends up in journald
 * and log files, and only the users named for the list may see its hits (README, covert lists).
 * A historical hit (a past sighting of an entry added since) is marked so, with when it was seen:
 * printed like a live one, it sent a reader after a car that passed days ago.
 */
export function hitPrinter(out: Writable, logger: Logger, options: HitPrinterOptions): (error: Error | null, msg: Msg) => void {
  const printed = new SeenIds(options.rememberIds ?? PRINTED_HIT_IDS);
  const now = options.now ?? Date.now;
  let skipped = 0;
  let loggedAt = Number.NEGATIVE_INFINITY;
  const skip = (msg: Msg, problem: unknown): void => {
    skipped++;
    const at = Date.now();
    if (at - loggedAt < SKIPPED_HIT_LOG_INTERVAL_MS) return;
    logger.warn({ subject: msg.subject, bytes: msg.data.length, problem: problem instanceof Error ? problem.message : problem, skipped }, 'message on alpr.hits that is not a hit: not printed');
    loggedAt = at;
    skipped = 0;
  };
  return (error, msg) => {
    if (error !== null) {
      logger.error({ err: error }, 'hit printing subscription failed');
      return;
    }
    try {
      const message: unknown = decodeHitMessage(msg.data);
      if (!isPrintableHit(message)) {
        skip(msg, 'missing or mistyped hit id, read or hit fields');
        return;
      }
      if (printed.checkAndAdd(message.hitId)) return;
      const alias = options.covert.get(message.hit.list.toUpperCase());
      if (message.historical === true) {
        if (alias !== undefined) {
          out.write(`past sighting on a covert list (${alias}): details withheld\n`);
          return;
        }
        const seen = Number.isFinite(message.read.ts) ? ` seen ${new Date(message.read.ts).toISOString()}` : '';
        out.write(`past sighting${seen}, not live: `);
      } else if (alias !== undefined) {
        out.write(`hit on a covert list (${alias}): details withheld\n`);
        return;
      } else {
        const when = readTimeNote(message.read.ts, now());
        if (when !== undefined) out.write(`${when}: `);
      }
      printHit(out, message.read, message.hit);
    } catch (problem) {
      skip(msg, problem);
    }
  };
}

/**
 * What a live hit's line says of its read's time, when a reader would otherwise take it for now:
 * a read of a camera that uploads late (a backlog, a read delivered again after a restart) or
 * whose clock is wrong printed exactly like one just made (found by QA: a read two days old).
 */
export function readTimeNote(readTs: number, now: number): string | undefined {
  if (!Number.isFinite(readTs)) return undefined;
  const at = new Date(readTs).toISOString();
  if (now - readTs > OLD_READ_MS) return `seen ${roughDuration(now - readTs)} ago (${at})`;
  if (readTs - now > FUTURE_READ_MS) return `camera clock ${roughDuration(readTs - now)} ahead (read dated ${at})`;
  return undefined;
}

/** 12 min, 5 h, 2 d: rounded down, as a person says it. */
function roughDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d`;
}

/** The fields printing reads, with their types: a decodable message may still be anything. */
function isPrintableHit(value: unknown): value is HitMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { hitId, read, hit } = value as { hitId?: unknown; read?: unknown; hit?: unknown };
  if (typeof hitId !== 'string' || typeof read !== 'object' || read === null || typeof hit !== 'object' || hit === null) return false;
  const r = read as Record<string, unknown>;
  const h = hit as Record<string, unknown>;
  return (typeof r['id'] === 'string' || typeof r['id'] === 'number') &&
    (r['state'] === undefined || typeof r['state'] === 'string') &&
    ['list', 'entry', 'kind', 'plate', 'reason', 'caseNumber', 'synopsis'].every((k) => typeof h[k] === 'string') &&
    (h['state'] === undefined || typeof h['state'] === 'string') &&
    typeof h['candidate'] === 'number' && (typeof h['stateMatch'] === 'boolean' || h['stateMatch'] === null) &&
    Array.isArray(h['positions']) && Array.isArray(h['vehicleMismatch']);
}
