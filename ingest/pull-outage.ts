// What the pipeline's log says while pulls from READS keep failing. A hung nats-server made every
// pull miss its heartbeats, and the log repeated "pull from READS failed; retrying" every 3 s with
// a stack and no word of NATS or what to do (found by QA). Now (outage-log.ts): the first failure
// as a warning; once they have gone on for `reportAfterMs`, one error naming NATS and what to
// check, again every `repeatEveryMs` while it lasts; and one line when pulls work again. After its
// disk filled and was freed, a nats-server can go on answering nothing that platewatch's
// connection asks until platewatch restarts (found by QA): once the outage has lasted minutes,
// the same line says so.
import type { Logger } from 'pino';
import { OutageLog, type OutageWords } from './outage-log.js';

export const PULL_OUTAGE_REPORT_AFTER_MS = 6_000;
export const PULL_OUTAGE_REPEAT_EVERY_MS = 60_000;
/** How long pulls fail before the report adds that platewatch may need restarting. */
export const PULL_OUTAGE_RESTART_HINT_AFTER_S = 300;

const PULL_WORDS: OutageWords = {
  firstFailure: 'pull from READS failed; retrying',
  again: 'pull from READS failed again; retrying',
  lasting: (seconds) =>
    `NATS is not answering: pulls from READS have failed for ${seconds} s. Reads wait on the stream and are processed once it answers. ` +
    'Check the nats-server process (stopped, hung, disk full, swapping?) and /healthz' +
    (seconds >= PULL_OUTAGE_RESTART_HINT_AFTER_S
      ? '. If its disk filled: once space is freed, platewatch may need restarting (systemctl restart platewatch)'
      : ''),
  over: (seconds, failures) => `NATS answering again: pulls from READS resumed after ${seconds} s (${failures} failed pulls)`,
};

export class PullOutage {
  readonly #log: OutageLog;

  constructor(logger: Logger, now: () => number = Date.now, reportAfterMs = PULL_OUTAGE_REPORT_AFTER_MS, repeatEveryMs = PULL_OUTAGE_REPEAT_EVERY_MS) {
    this.#log = new OutageLog(logger, PULL_WORDS, { now, reportAfterMs, repeatEveryMs });
  }

  failed(error: unknown): void {
    this.#log.failed(error);
  }

  answered(): void {
    this.#log.succeeded();
  }
}
