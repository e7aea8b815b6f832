// How `up` prints hits on its terminal (README: "then each hit as it happens"): from alpr.hits.>
// over core NATS, so hits of every worker and the retroactive checks show, each hit id once.
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

export interface HitPrinterOptions {
  /** Covert list name (upper case) → the alias printed instead of its details. */
  covert: ReadonlyMap<string, string>;
  /** @default PRINTED_HIT_IDS */
  rememberIds?: number;
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
  let skipped = 0;
  let loggedAt = Number.NEGATIVE_INFINITY;
  const skip = (msg: Msg, problem: unknown): void => {
    skipped++;
    const now = Date.now();
    if (now - loggedAt < SKIPPED_HIT_LOG_INTERVAL_MS) return;
    logger.warn({ subject: msg.subject, bytes: msg.data.length, problem: problem instanceof Error ? problem.message : problem, skipped }, 'message on alpr.hits that is not a hit: not printed');
    loggedAt = now;
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
      }
      printHit(out, message.read, message.hit);
    } catch (problem) {
      skip(msg, problem);
    }
  };
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
