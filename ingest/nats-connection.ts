// Whether a NATS connection is connected now. `isClosed()` says only whether it has ended for good:
// while the client reconnects (for ever, as `up` connects) it stays false, and /healthz said ok for
// minutes with the server gone. So the client's status events are followed: a 'disconnect' holds
// until the next 'reconnect'.
//
// A hung server (kill -STOP, a stalled host) keeps the socket open and produces no event for a
// while (QA: /healthz ok for 22 s). With `answerWithinMs`, a round trip (PING/PONG, `nc.flush()`)
// is kept going in the background, and one unanswered for longer than that is a problem too.
import type { NatsConnection } from '@nats-io/transport-node';

export interface NatsConnectionWatchOptions {
  /**
   * Also prove the server answers: a round trip every `answerWithinMs / 2`, one unanswered for
   * longer than `answerWithinMs` makes the state 'unanswered'. @default none: status events only
   */
  answerWithinMs?: number;
}

export type NatsConnectionState =
  | { state: 'connected'; server: string }
  /** Lost `server` at `since` (ms epoch); the client is trying to reconnect. */
  | { state: 'disconnected'; server: string; since: number }
  /** Connected, but a round trip sent at `since` (ms epoch) is unanswered past `answerWithinMs`. */
  | { state: 'unanswered'; server: string; since: number; answerWithinMs: number }
  | { state: 'closed' };

export class NatsConnectionWatch {
  private lost: { server: string; since: number } | null = null;
  private readonly statuses: ReturnType<NatsConnection['status']> & { stop?: () => void };
  /** When the round trip under way was sent; null when none is. */
  private asked: number | null = null;
  /** Counts connections (each reconnect starts one): a round trip of an earlier one is not waited for. */
  private generation = 0;
  private readonly probes: NodeJS.Timeout | null = null;
  private readonly answerWithinMs: number | undefined;

  /** Start it while `nc` is connected (after `connect` resolves): events before it are not seen. */
  constructor(private readonly nc: NatsConnection, options: NatsConnectionWatchOptions = {}) {
    const statuses = nc.status();
    this.statuses = statuses;
    void (async () => {
      for await (const status of statuses) {
        if (status.type === 'disconnect') this.lost ??= { server: status.server, since: Date.now() };
        else if (status.type === 'reconnect') this.lost = null;
        else continue;
        this.generation++;
        this.asked = null;
      }
    })();
    this.answerWithinMs = options.answerWithinMs;
    if (options.answerWithinMs !== undefined) {
      this.probes = setInterval(() => this.askRoundTrip(), Math.max(1, options.answerWithinMs / 2));
      this.probes.unref();
      this.askRoundTrip();
    }
  }

  private askRoundTrip(): void {
    if (this.asked !== null || this.lost !== null || this.nc.isClosed()) return;
    const generation = this.generation;
    this.asked = Date.now();
    const answered = (): void => {
      if (generation === this.generation) this.asked = null;
    };
    // A refused round trip comes with a disconnect or the close, which state() reports.
    this.nc.flush().then(answered, answered);
  }

  state(): NatsConnectionState {
    if (this.nc.isClosed()) return { state: 'closed' };
    if (this.lost !== null) return { state: 'disconnected', ...this.lost };
    const server = this.nc.getServer();
    if (this.asked !== null && this.answerWithinMs !== undefined && Date.now() - this.asked > this.answerWithinMs) {
      return { state: 'unanswered', server, since: this.asked, answerWithinMs: this.answerWithinMs };
    }
    return { state: 'connected', server };
  }

  isConnected(): boolean {
    return this.state().state === 'connected';
  }

  /** In words, for /healthz and logs; null while connected. */
  problem(): string | null {
    const now = this.state();
    if (now.state === 'closed') return 'NATS connection closed';
    if (now.state === 'disconnected') return `NATS not connected: lost ${now.server} at ${new Date(now.since).toISOString()}; reconnecting`;
    if (now.state === 'unanswered') {
      return `NATS did not answer within ${now.answerWithinMs / 1000} s: a round trip to ${now.server} sent at ${new Date(now.since).toISOString()} is unanswered (server hung or overloaded?)`;
    }
    return null;
  }

  stop(): void {
    if (this.probes !== null) clearInterval(this.probes);
    this.statuses.stop?.();
  }
}
