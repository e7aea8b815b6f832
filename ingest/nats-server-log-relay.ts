// The running embedded nats-server's errors and warnings, into platewatch's own log and /metrics.
//
// Its stderr went nowhere once it had started: a JetStream store error ("no space left on device")
// or a camera refused for a wrong password left no trace an operator looks at (on-call QA). Each
// [ERR]/[WRN] line (and a line with no level: a Go panic) is logged at the matching pino level with
// the server's text; a client refused for its credentials is counted and logged as such. Both are
// rate-limited: a flood (a camera fleet with an old password, a disk error per write) logs the first
// few of each window, then one line saying how many more there were. The counters count them all.
import type { Logger } from 'pino';
import type { Counter, MetricsRegistry } from './metrics.js';
import { readNatsAuthFailure, readNatsLogLine, type NatsAuthFailure } from './nats-server-log-line.js';

/** Server errors and warnings logged per window; the rest are summed up in one line. */
export const DEFAULT_SERVER_LINES_PER_WINDOW = 20;
/** Refused clients logged one by one per window. */
export const DEFAULT_AUTH_FAILURES_PER_WINDOW = 10;
export const DEFAULT_LOG_WINDOW_MS = 60_000;

export interface NatsServerLogRelayOptions {
  logger: Logger;
  /** Where the counters are registered (the /metrics registry). */
  registry: MetricsRegistry;
  /** @default DEFAULT_SERVER_LINES_PER_WINDOW */
  serverLinesPerWindow?: number;
  /** @default DEFAULT_AUTH_FAILURES_PER_WINDOW */
  authFailuresPerWindow?: number;
  /** @default DEFAULT_LOG_WINDOW_MS */
  windowMs?: number;
}

export class NatsServerLogRelay {
  /** Clients refused for their credentials. Unlabelled: user names come from whoever connects. */
  readonly authFailures: Counter;
  /** Errors and warnings the server logged while running, by level; refused clients are not in it. */
  readonly serverProblems: Counter;
  private readonly logger: Logger;
  private readonly serverLines: LogBudget;
  private readonly authLines: LogBudget;

  constructor(options: NatsServerLogRelayOptions) {
    this.logger = options.logger.child({ component: 'nats-server' });
    const windowMs = options.windowMs ?? DEFAULT_LOG_WINDOW_MS;
    const window = windowMs % 60_000 === 0 ? `${windowMs / 60_000} minute${windowMs === 60_000 ? '' : 's'}` : `${windowMs / 1000} s`;
    this.authFailures = options.registry.counter('platewatch_nats_auth_failures_total', 'Clients (cameras) the embedded nats-server refused for a wrong or missing user or password');
    this.serverProblems = options.registry.counter('platewatch_nats_server_problems_total', 'Errors and warnings the embedded nats-server logged while running, by level (error, warn); refused clients are counted apart', {
      labelNames: ['level'],
      known: [{ level: 'error' }, { level: 'warn' }],
    });
    this.serverLines = new LogBudget(options.serverLinesPerWindow ?? DEFAULT_SERVER_LINES_PER_WINDOW, windowMs, (skipped) =>
      this.logger.warn({ skipped }, `… and ${skipped} more nats-server errors and warnings within ${window}, not logged (platewatch_nats_server_problems_total counts them all)`),
    );
    this.authLines = new LogBudget(options.authFailuresPerWindow ?? DEFAULT_AUTH_FAILURES_PER_WINDOW, windowMs, (skipped) =>
      this.logger.warn({ skipped }, `… and ${skipped} more clients refused by nats-server for their credentials within ${window}, not logged one by one (platewatch_nats_auth_failures_total counts them all)`),
    );
  }

  /** For LocalNatsServerOptions.logLines: one line of the server's stderr. */
  readonly take = (line: string): void => {
    const { level, text } = readNatsLogLine(line);
    if (level === 'info' || level === 'debug' || level === 'trace' || text === '') return;
    const refused = readNatsAuthFailure(text);
    if (refused !== null) {
      this.authFailures.inc();
      if (this.authLines.take()) this.logger.warn({ user: refused.user, remote: refused.remote, client: refused.client }, describeRefusal(refused));
      return;
    }
    const as = level === 'warn' ? 'warn' : 'error';
    this.serverProblems.inc(1, { level: as });
    if (this.serverLines.take()) this.logger[as](`nats-server: ${text}`);
  };

  /** Logs what is still held back (at stop). */
  close(): void {
    this.serverLines.flush();
    this.authLines.flush();
  }
}

function describeRefusal(refused: NatsAuthFailure): string {
  const who = refused.user === null ? 'a client that gave no user name' : `user "${refused.user}"`;
  const from = refused.remote === null ? '' : ` from ${refused.remote}`;
  const client = refused.client === null ? '' : ` (${refused.client})`;
  return `nats-server refused ${who}${from}${client}: no such user, or a wrong or missing password; a camera refused cannot send reads until given the right credentials`;
}

/** At most `limit` lines per window; the number left out is reported once the window ends. */
class LogBudget {
  private used = 0;
  private skipped = 0;
  private windowEnds = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly summarize: (skipped: number) => void,
  ) {}

  /** Whether this line may be logged. */
  take(): boolean {
    const now = Date.now();
    if (now >= this.windowEnds && this.timer === undefined) {
      this.windowEnds = now + this.windowMs;
      this.used = 0;
    }
    if (this.used < this.limit) {
      this.used++;
      return true;
    }
    if (this.skipped++ === 0) {
      // Unref: a summary still due must not keep a finished process alive; close() gives it.
      this.timer = setTimeout(() => this.flush(), Math.max(0, this.windowEnds - now));
      this.timer.unref();
    }
    return false;
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.skipped > 0) this.summarize(this.skipped);
    this.skipped = 0;
  }
}
