// What the pipeline's log says while pulls from READS keep failing. A hung nats-server made every
// pull miss its heartbeats, and the log repeated "pull from READS failed; retrying" every 3 s with
// a stack and no word of NATS or what to do (found by QA). Now: the first failure as a warning;
// once they have gone on for `reportAfterMs`, one error naming NATS and what to check, again every
// `repeatEveryMs` while it lasts; and one line when pulls work again.
import type { Logger } from 'pino';

export const PULL_OUTAGE_REPORT_AFTER_MS = 6_000;
export const PULL_OUTAGE_REPEAT_EVERY_MS = 60_000;

export class PullOutage {
  private failingSince: number | null = null;
  private failures = 0;
  private reportedAt: number | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly reportAfterMs = PULL_OUTAGE_REPORT_AFTER_MS,
    private readonly repeatEveryMs = PULL_OUTAGE_REPEAT_EVERY_MS,
  ) {}

  failed(error: unknown): void {
    const now = this.now();
    this.failures++;
    if (this.failingSince === null) {
      this.failingSince = now;
      this.logger.warn({ err: error }, 'pull from READS failed; retrying');
      return;
    }
    const lastedMs = now - this.failingSince;
    if (lastedMs < this.reportAfterMs || (this.reportedAt !== null && now - this.reportedAt < this.repeatEveryMs)) {
      this.logger.debug({ err: error }, 'pull from READS failed again; retrying');
      return;
    }
    this.reportedAt = now;
    this.logger.error(
      { failures: this.failures, seconds: Math.round(lastedMs / 1000), cause: error instanceof Error ? error.message : String(error) },
      `NATS is not answering: pulls from READS have failed for ${Math.round(lastedMs / 1000)} s. Reads wait on the stream and are processed once it answers. ` +
        'Check the nats-server process (stopped, hung, disk full, swapping?) and /healthz',
    );
  }

  answered(): void {
    if (this.failingSince === null) return;
    if (this.reportedAt !== null) {
      const seconds = Math.round((this.now() - this.failingSince) / 1000);
      this.logger.info({ failures: this.failures, seconds }, `NATS answering again: pulls from READS resumed after ${seconds} s (${this.failures} failed pulls)`);
    }
    this.failingSince = null;
    this.failures = 0;
    this.reportedAt = null;
  }
}
