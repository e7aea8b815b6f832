// The JSON messages between a console (a browser) and the gateway over /ws.
//
// console → gateway:  {type:'subscribe', filter:{agencies?, lists?, cameras?, area?}}
// gateway → console:  {type:'replay', hits:[...], omitted?, escalated?}   first answer to every subscribe
//                        (held while the gateway's feed catches up after a start), and after a resync;
//                        omitted: older unresolved hits left out by the 8 MiB cap; escalated: ids of
//                        replayed hits escalated to supervisors (their consoles only)
//                     {type:'hit', hitId, publishedAt, historical, read, hit}
//                     {type:'resync', reason, dropped}   the console fell behind; a replay follows
//                     {type:'error', code, message}
//                     {type:'disposition', hitId, disposition, user, at, visualVerified, cletsVerified, personVerified?, correction?}
//                        to every console: a hit was dealt with (disposition-routes.ts); personVerified
//                        only for a hit whose list asks the wanted-person check (§471.5(f)(2))
//                     {type:'escalation', hitId, list, agency, camera, plate, publishedAt, unresolvedSeconds}
//                        to supervisors' consoles: a hit left unresolved too long (escalation.ts)
//                     {type:'heartbeat', everyMs}   every `heartbeatMs` to every console: without word
//                        for 2.5 × everyMs the console takes the link for dead and reconnects
// A hit is serialised once per fan-out; live and replay frames splice that one string.
import type { HitMessage } from '../ingest/index.js';

export const CLOSE_CODES = {
  /**
   * The session ended: logged out, expired, its password changed, or its user disabled or no
   * longer trained. The console signs out and shows the reason (session-watch.ts).
   */
  sessionEnded: 4401,
  /** The session is valid but no longer allows live hits (a role change); the console signs out. */
  accessChanged: 4403,
  /** The console stayed over its buffer limit past `stuckTimeoutMs`. */
  tooSlow: 4008,
  /** The gateway is shutting down; reconnect to another or later. */
  goingAway: 1001,
} as const;

export type ClientMessage = { type: 'subscribe'; filter: unknown };
export type ClientMessageResult = { ok: true; message: ClientMessage } | { ok: false; reason: string };

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const textEncoder = new TextEncoder();

/** The hit as consoles see it; `publishedAt` comes early so latency probes find it quickly. */
export function serialiseHit(message: HitMessage): string {
  return JSON.stringify({ hitId: message.hitId, publishedAt: message.publishedAt, historical: message.historical, read: message.read, hit: message.hit });
}

export function hitFrame(json: string): Uint8Array {
  return textEncoder.encode(`{"type":"hit",${json.slice(1)}`);
}

/** The optional fields only when not 0 or empty (the contract with console/: docs/openapi.yaml, /ws). */
export function replayFrame(jsons: readonly string[], omitted = 0, escalated: readonly string[] = []): string {
  const extra = (omitted > 0 ? `,"omitted":${omitted}` : '') + (escalated.length > 0 ? `,"escalated":${JSON.stringify(escalated)}` : '');
  return `{"type":"replay","hits":[${jsons.join(',')}]${extra}}`;
}

export function heartbeatFrame(everyMs: number): string {
  return `{"type":"heartbeat","everyMs":${everyMs}}`;
}

export function resyncFrame(reason: string, dropped: number): string {
  return JSON.stringify({ type: 'resync', reason, dropped });
}

/** A disposition recorded for a hit, as every console is told of it. `at` is an ISO time. */
export interface DispositionNotice {
  hitId: string;
  /** The hit's list, so a notice about a covert list's hit goes only where the hit may go. */
  list?: string;
  disposition: string;
  user: string;
  at: string;
  visualVerified: boolean;
  cletsVerified: boolean;
  /**
   * The wanted-person check (§471.5(f)(2)), only for a hit whose list asks it (disposition-routes.ts
   * `personCheckOf`); absent for the stolen vehicle and plate lists, where it is not asked.
   */
  personVerified?: boolean;
  /** This answer replaces an earlier one (the reason is in the hit's stored notes). */
  correction?: true;
}

/** A notice as another gateway sent it over NATS, or null when it is not one. */
export function parseDispositionNotice(data: Uint8Array): DispositionNotice | null {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const n = v as Record<string, unknown>;
  const ok = typeof n['hitId'] === 'string' && typeof n['disposition'] === 'string' && typeof n['user'] === 'string' && typeof n['at'] === 'string' &&
    typeof n['visualVerified'] === 'boolean' && typeof n['cletsVerified'] === 'boolean' && (n['list'] === undefined || typeof n['list'] === 'string') &&
    (n['personVerified'] === undefined || typeof n['personVerified'] === 'boolean') && (n['correction'] === undefined || n['correction'] === true);
  return ok ? (n as unknown as DispositionNotice) : null;
}

export function dispositionFrame(notice: DispositionNotice): string {
  const { hitId, disposition, user, at, visualVerified, cletsVerified, personVerified, correction } = notice;
  return JSON.stringify({
    type: 'disposition', hitId, disposition, user, at, visualVerified, cletsVerified,
    ...(personVerified === undefined ? {} : { personVerified }), ...(correction === true ? { correction } : {}),
  });
}

export function errorFrame(code: string, message: string): string {
  return JSON.stringify({ type: 'error', code, message });
}

export function parseClientMessage(data: ArrayBuffer | Uint8Array): ClientMessageResult {
  let value: unknown;
  try {
    value = JSON.parse(textDecoder.decode(data));
  } catch {
    return { ok: false, reason: 'message is not UTF-8 JSON' };
  }
  if (typeof value !== 'object' || value === null) return { ok: false, reason: 'message must be a JSON object' };
  const type = (value as Record<string, unknown>)['type'];
  if (type === 'subscribe') return { ok: true, message: { type, filter: (value as Record<string, unknown>)['filter'] } };
  return { ok: false, reason: `unknown message type ${JSON.stringify(type)}; expected "subscribe"` };
}
