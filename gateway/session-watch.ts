// Keeps open consoles to live sessions. The upgrade checks the session once; this checks every open
// console's session again every `sessionCheckMs`, through the same verifier, so a console whose
// session ended anywhere — logout, expiry, a password set, the user disabled or their training
// lapsed by another gateway or the CLI — stops receiving hits within that interval (Watsonville
// §471.5(d): only trained, authorised users see ALPR data). Routes of this gateway that end a
// session or change a user call in here, so their consoles close at once.
//
// Other gateways hear of such a change on SESSION_CHANGES_SUBJECT (core NATS: a notice that is
// missed is covered by the periodic check) and check their open consoles at once.
//
// Consoles are grouped by token: a check asks about each distinct token once, in one batch when
// the owner gives a SessionsVerifier (storage answers it in two queries), however many sockets.
// A check that cannot reach storage leaves consoles open (a storage blip must not blind every
// dispatcher) but still closes each at its session's expiry, which is known here.
import type { Logger } from 'pino';
import { mayPerform } from '../storage/index.js';
import { CLOSE_CODES } from './console-protocol.js';
import type { ConsoleSession } from './console-socket.js';
import type { ConsoleConnection, FanOut } from './fan-out.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { SessionsVerifier, SessionVerifier } from './session.js';

/** What the console is told (a WebSocket close reason: at most 123 bytes). */
export const SESSION_CLOSE_REASONS = {
  loggedOut: 'session ended: signed out',
  expired: 'session ended: expired',
  passwordSet: 'session ended: the password was changed',
  disabled: 'session ended: the account was disabled',
  notTrained: 'session ended: ALPR training is not current',
  /** The verifier says no and does not say why: any of the above, seen from another process. */
  invalid: 'session ended: signed out, expired or access withdrawn',
  noLiveHits: 'access changed: your roles no longer include live hits',
  scopeChanged: 'access changed: the hits you may see changed',
} as const;

/**
 * Told by a gateway whose route ended a session or changed a user; every gateway checks its open
 * consoles when it hears it. Carries no token: only that something changed (and for whom, for logs).
 */
export const SESSION_CHANGES_SUBJECT = 'platewatch.sessions.changed';

/** Distinct tokens verified at once when the owner gives no batch verifier. */
const VERIFY_CONCURRENCY = 8;
const MAX_CLOSE_REASON_BYTES = 123;

export interface SessionWatchOptions {
  checkEveryMs: number;
  verifySession: SessionVerifier;
  verifySessions?: SessionsVerifier;
  fanOut: Pick<FanOut, 'disconnect'>;
  metrics: Pick<GatewayMetrics, 'sessionCloses' | 'sessionCheckFailures'>;
  logger: Logger;
  /** Tells the other gateways that sessions changed here (gateway.ts publishes SESSION_CHANGES_SUBJECT). @default nobody */
  tellOthers?: (userId: string | null) => void;
}

export class SessionWatch {
  private readonly byToken = new Map<string, Set<ConsoleConnection>>();
  private readonly tokenOf = new Map<ConsoleConnection, string>();
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: SessionWatchOptions) {}

  /** Open consoles being watched. */
  get size(): number {
    return this.tokenOf.size;
  }

  /** The periodic check is scheduled (between start and stop). */
  get isRunning(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = setInterval(() => void this.checkAll(), this.options.checkEveryMs);
    this.timer.unref();
  }

  /** Stops the timer; a check under way finishes without closing anything (shutdown closes every console). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Watches a console opened with `token`. */
  track(conn: ConsoleConnection, token: string): void {
    let conns = this.byToken.get(token);
    if (conns === undefined) this.byToken.set(token, (conns = new Set()));
    conns.add(conn);
    this.tokenOf.set(conn, token);
  }

  /** Forgets a console that closed. */
  untrack(conn: ConsoleConnection): void {
    const token = this.tokenOf.get(conn);
    if (token === undefined) return;
    this.tokenOf.delete(conn);
    const conns = this.byToken.get(token);
    conns?.delete(conn);
    if (conns?.size === 0) this.byToken.delete(token);
  }

  /** Closes every console of a session this gateway has just ended (logout); returns how many. */
  endSession(token: string, reason: string = SESSION_CLOSE_REASONS.loggedOut): number {
    return this.close(token, CLOSE_CODES.sessionEnded, reason);
  }

  /** Closes every console of `userId` but those of `keepToken` (their password was set); returns how many. */
  endUserSessions(userId: string, reason: string, keepToken?: string | null): number {
    let closed = 0;
    for (const token of this.tokensOf(userId)) if (token !== keepToken) closed += this.close(token, CLOSE_CODES.sessionEnded, reason);
    return closed;
  }

  /**
   * Checks the sessions of `userId`'s consoles now (their user was changed here), closing those
   * no longer valid with `reason`. Never rejects: a failed check is logged and the timer retries.
   */
  async recheckUser(userId: string, reason: string = SESSION_CLOSE_REASONS.invalid): Promise<void> {
    const tokens = this.tokensOf(userId);
    if (tokens.length > 0) await this.check(tokens, reason);
  }

  /**
   * Tells the other gateways that a session of `userId` (null: not known here, e.g. a logout) ended
   * or their access changed, so they check their consoles now rather than within `checkEveryMs`.
   */
  tellOtherGateways(userId: string | null): void {
    this.options.tellOthers?.(userId);
  }

  /** One periodic check of every open console; a second call while one runs joins it. Never rejects. */
  checkAll(): Promise<void> {
    this.checking ??= this.check([...this.byToken.keys()], SESSION_CLOSE_REASONS.invalid).finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  /** The session a token's consoles were opened with (one token, one user), or undefined once they are gone. */
  private sessionOf(token: string): ConsoleSession | undefined {
    for (const conn of this.byToken.get(token) ?? []) return conn.session;
    return undefined;
  }

  private tokensOf(userId: string): string[] {
    return [...this.byToken.keys()].filter((token) => this.sessionOf(token)?.user === userId);
  }

  /** Checks `tokens`, closing what no longer holds; a failure is logged and counted, never thrown (the timer calls this). */
  private async check(tokens: readonly string[], reason: string): Promise<void> {
    try {
      await this.checkTokens(tokens, reason);
    } catch (error) {
      this.options.metrics.sessionCheckFailures.inc();
      this.options.logger.error({ err: error, sessions: tokens.length }, 'could not check open consoles\' sessions; they stay open until their expiry or the next check');
    }
  }

  private async checkTokens(tokens: readonly string[], reason: string): Promise<void> {
    const now = Date.now();
    const ask: string[] = [];
    for (const token of tokens) {
      const expiresAt = this.sessionOf(token)?.expiresAt;
      // Expiry is known here, so it holds even while storage cannot be asked.
      if (expiresAt !== undefined && expiresAt <= now) this.close(token, CLOSE_CODES.sessionEnded, SESSION_CLOSE_REASONS.expired);
      else ask.push(token);
    }
    if (ask.length === 0 || this.stopped) return;
    const answers = await this.verify(ask);
    if (this.stopped) return;
    // A token the verifier did not answer for is treated as ended: never keep a console on a guess.
    for (const token of ask) this.apply(token, answers.get(token) ?? null, reason);
  }

  private verify(tokens: readonly string[]): Promise<ReadonlyMap<string, ConsoleSession | null>> {
    if (this.options.verifySessions !== undefined) return this.options.verifySessions(tokens);
    return verifyEach(this.options.verifySession, tokens);
  }

  /** Closes or refreshes the consoles of `token` by what the verifier answered now. */
  private apply(token: string, fresh: ConsoleSession | null, reason: string): void {
    const conns = this.byToken.get(token);
    if (conns === undefined) return; // closed while the check ran
    if (fresh === null) {
      this.close(token, CLOSE_CODES.sessionEnded, reason);
      return;
    }
    if (!mayPerform(fresh.roles, 'hits.view')) {
      this.close(token, CLOSE_CODES.accessChanged, SESSION_CLOSE_REASONS.noLiveHits);
      return;
    }
    for (const conn of [...conns]) {
      // A filter was checked against the agencies and lists the session had when it was set.
      if (sameScope(conn.session, fresh)) conn.session = fresh;
      else this.closeOne(conn, CLOSE_CODES.accessChanged, SESSION_CLOSE_REASONS.scopeChanged);
    }
  }

  private close(token: string, code: number, reason: string): number {
    const conns = this.byToken.get(token);
    if (conns === undefined) return 0;
    let closed = 0;
    for (const conn of [...conns]) closed += this.closeOne(conn, code, reason);
    this.byToken.delete(token);
    return closed;
  }

  private closeOne(conn: ConsoleConnection, code: number, reason: string): number {
    this.untrack(conn);
    if (conn.closed) return 0;
    // Out of the fan-out first: not one more hit goes to it.
    this.options.fanOut.disconnect(conn);
    this.options.metrics.sessionCloses.inc(1, { code: String(code) });
    this.options.logger.info({ user: conn.session.user, code, reason }, 'closing a console whose session ended');
    conn.socket.end(code, closeReason(reason));
    return 1;
  }
}

async function verifyEach(verify: SessionVerifier, tokens: readonly string[]): Promise<Map<string, ConsoleSession | null>> {
  const answers = new Map<string, ConsoleSession | null>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tokens.length) {
      const token = tokens[next++] as string;
      answers.set(token, await verify(token));
    }
  };
  await Promise.all(Array.from({ length: Math.min(VERIFY_CONCURRENCY, tokens.length) }, worker));
  return answers;
}

function sameScope(a: ConsoleSession, b: ConsoleSession): boolean {
  return sameSet(a.agencies, b.agencies) && sameSet(a.hiddenLists, b.hiddenLists);
}

function sameSet(a: Iterable<string> | undefined, b: Iterable<string> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

/** A close reason cut to what a WebSocket close frame carries, on a character boundary. */
export function closeReason(reason: string): string {
  const encoder = new TextEncoder();
  const chars = [...reason];
  while (encoder.encode(chars.join('')).length > MAX_CLOSE_REASON_BYTES) chars.pop();
  return chars.join('');
}
