// What the log says while something the system depends on keeps failing. Logged per failure, an
// outage flooded the log: a hung nats-server repeated "pull from READS failed" every 3 s with a
// stack, and a full ClickHouse disk wrote 8 MB in a minute, the same error three times in each of
// thousands of lines (both found by QA). Now: optionally a warning at the first failure; once
// failures have gone on for `reportAfterMs`, one error with the cause, again every
// `repeatEveryMs` while it lasts with the failures since; and one info line when it works again.
import type { Logger } from 'pino';

export const DEFAULT_OUTAGE_REPEAT_EVERY_MS = 60_000;

/** The words of one kind of outage. */
export interface OutageWords {
  /** Logged as a warning at the first failure, when `reportAfterMs` > 0 (a single failure may pass). */
  firstFailure: string;
  /** The error report: the outage has lasted `seconds`. */
  lasting(seconds: number, cause: string): string;
  /** The info line when it works again after a report. */
  over(seconds: number, failures: number): string;
  /** Debug line for each failure not reported. */
  again: string;
}

export interface OutageLogOptions {
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** Failures for less than this are a warning only; 0: the first failure is reported as an error. */
  reportAfterMs: number;
  /** @default DEFAULT_OUTAGE_REPEAT_EVERY_MS */
  repeatEveryMs?: number;
}

/** The state of an outage: null `since` while the last attempt worked. */
export interface OutageState {
  since: number | null;
  failures: number;
  /** First line of the cause of the last failure ('' while none). */
  cause: string;
}

export class OutageLog {
  #since: number | null = null;
  #failures = 0;
  #failuresAtReport = 0;
  #reportedAt: number | null = null;
  #cause = '';
  readonly #now: () => number;
  readonly #reportAfterMs: number;
  readonly #repeatEveryMs: number;

  constructor(
    private readonly logger: Logger,
    private readonly words: OutageWords,
    options: OutageLogOptions,
  ) {
    this.#now = options.now ?? Date.now;
    this.#reportAfterMs = options.reportAfterMs;
    this.#repeatEveryMs = options.repeatEveryMs ?? DEFAULT_OUTAGE_REPEAT_EVERY_MS;
  }

  get state(): OutageState {
    return { since: this.#since, failures: this.#failures, cause: this.#cause };
  }

  failed(error: unknown): void {
    const now = this.#now();
    this.#failures++;
    this.#cause = firstLine(error);
    if (this.#since === null) {
      this.#since = now;
      if (this.#reportAfterMs > 0) {
        // The cause without its stack: a single failure often passes (a pull missing its heartbeats
        // under load or at a restart), and a stack for each made the log look broken (found by QA).
        // The error report, if the failures last, carries the stack.
        this.logger.warn({ cause: this.#cause }, this.words.firstFailure);
        return;
      }
    }
    const lastedMs = now - this.#since;
    if (lastedMs < this.#reportAfterMs || (this.#reportedAt !== null && now - this.#reportedAt < this.#repeatEveryMs)) {
      this.logger.debug({ err: error }, this.words.again);
      return;
    }
    const seconds = Math.round(lastedMs / 1000);
    const fields = { failures: this.#failures, failuresSinceLastReport: this.#failures - this.#failuresAtReport, seconds, cause: this.#cause };
    // The stack once, with the first report; the repeats carry the cause's first line only.
    this.logger.error(this.#reportedAt === null ? { ...fields, err: error } : fields, this.words.lasting(seconds, this.#cause));
    this.#reportedAt = now;
    this.#failuresAtReport = this.#failures;
  }

  succeeded(): void {
    if (this.#since === null) return;
    if (this.#reportedAt !== null) {
      const seconds = Math.round((this.#now() - this.#since) / 1000);
      this.logger.info({ failures: this.#failures, seconds }, this.words.over(seconds, this.#failures));
    }
    this.#since = null;
    this.#failures = 0;
    this.#failuresAtReport = 0;
    this.#reportedAt = null;
    this.#cause = '';
  }
}

/**
 * The first line of an error's message, whitespace collapsed, at most 300 characters: ClickHouse
 * repeats its message for each layer it passes (`Cannot reserve 1.00 MiB, not enough space. :
 * Cannot reserve …`), and the first says it.
 */
export function firstLine(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const text = cause instanceof Error ? cause.message : String(cause);
  const line = (text.split('\n')[0] ?? '').replace(/\s+/g, ' ').trim();
  const repeated = line.indexOf(' : ');
  const first = repeated > 0 ? line.slice(0, repeated) : line;
  return first.length > 300 ? `${first.slice(0, 299)}…` : first;
}
