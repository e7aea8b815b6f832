// The one mapping from "NATS is not answering" to HTTP, as storage-errors.ts is for storage's
// refusals: a hung or stopped nats-server (request timed out, connection closed or draining, no
// responders, JetStream answering 503) is an outage of the message bus, not a gateway bug. It is
// answered 503 NATS_UNAVAILABLE with Retry-After, and logged once as a warning naming the cause
// (no stack trace); a 500 "it has been logged" told a dispatcher nothing (found by QA: 10 s, then
// 500, with the embedded nats-server under SIGSTOP).
import {
  ClosedConnectionError, ConnectionError, DrainingConnectionError, NoRespondersError, RequestError, TimeoutError,
} from '@nats-io/transport-node';
import { JetStreamApiError } from '@nats-io/jetstream';
import { HttpError } from './http-json.js';

/** Retry-After of a NATS_UNAVAILABLE answer: a restarted nats-server takes a few seconds. */
export const NATS_RETRY_AFTER_SECONDS = 5;

/** Causes looked through (an error wrapping an error wrapping the timeout). */
const MAX_CAUSE_DEPTH = 5;

/**
 * Classes of @nats-io/transport-node (nats-core) and @nats-io/jetstream meaning the server did not
 * answer, by name too: a second copy of a package in node_modules would fail `instanceof`.
 */
const UNAVAILABLE_CLASSES = [TimeoutError, ClosedConnectionError, DrainingConnectionError, ConnectionError, NoRespondersError, RequestError] as const;
const UNAVAILABLE_NAMES: ReadonlySet<string> = new Set([
  'TimeoutError', 'ClosedConnectionError', 'DrainingConnectionError', 'ConnectionError', 'NoRespondersError', 'RequestError',
]);
/** nats.js v2's NatsError codes for the same (`TIMEOUT`, `503` no responders, connection closed…). */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set(['TIMEOUT', '503', 'CONNECTION_CLOSED', 'CONNECTION_DRAINING', 'DISCONNECT', 'CONNECTION_REFUSED']);

function isUnavailableItself(error: Error): boolean {
  if (UNAVAILABLE_CLASSES.some((c) => error instanceof c) || UNAVAILABLE_NAMES.has(error.name)) return true;
  // JetStream's "no responders" status, and its API's "JetStream system temporarily unavailable".
  if (error instanceof JetStreamApiError) return error.status === 503;
  const code = (error as { code?: unknown }).code;
  if (error.name === 'JetStreamStatusError') return code === 503 || code === 408;
  // Only a NatsError's: ClickHouse's errors have numeric codes too, which mean something else.
  return error.name === 'NatsError' && (typeof code === 'string' || typeof code === 'number') && UNAVAILABLE_CODES.has(String(code));
}

/** True when `error`, or an error it was caused by, says NATS did not answer. */
export function isNatsUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    if (current instanceof HttpError) return false;
    if (isUnavailableItself(current)) return true;
    current = current.cause;
  }
  return false;
}

/**
 * `error` as the 503 it answers with, or unchanged when it is not NATS being unavailable.
 * `outcome` says what became of the request, for the route that knows it (a disposition: "nothing
 * was recorded"); the default claims nothing a route could not stand behind.
 */
export function natsUnavailableAsHttp(error: unknown, outcome = 'the request could not be completed'): unknown {
  if (!isNatsUnavailable(error)) return error;
  return new HttpError(503, 'NATS_UNAVAILABLE', `the message bus (NATS) is not answering, so ${outcome}; try again in a moment`, {
    cause: error, retryAfterSeconds: NATS_RETRY_AFTER_SECONDS, logAsWarning: true,
  });
}
