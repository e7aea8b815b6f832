// What the log says of refused reads. They went to alpr.invalid.reads and a counter only: 300
// refused publishes left no log line, so an operator learned of a camera's broken firmware from
// nobody (found by QA). Now the first refusal is a warning with its reason, and after that one
// summary a minute at most while refusals go on: how many, from which subjects, and one reason.
// The summary is due a minute after the first refusal it sums, on a timer: made at the next batch
// only, a quiet system logged 49 refusals two minutes late, and a stop never logged them (found by
// QA). OutageLog (outage-log.ts) needs no such timer: an outage is retried every few seconds, and
// each retry carries its clock forward.
import type { Logger } from 'pino';

export const INVALID_READ_SUMMARY_EVERY_MS = 60_000;
/** Subjects named in a summary, the most refused first. */
const SUBJECTS_NAMED = 5;

export class InvalidReadLog {
  /** When the first and last refusal of the pending summary were; null while none is pending. */
  #firstAt: number | null = null;
  #lastAt = 0;
  #refused = 0;
  readonly #bySubject = new Map<string, number>();
  #example = '';
  #warned = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly everyMs = INVALID_READ_SUMMARY_EVERY_MS,
  ) {}

  /** `refused` reads of a message on `subject` were refused, the first for `reason`, at `nowMs`. */
  refused(subject: string, refused: number, reason: string, nowMs: number): void {
    if (!this.#warned) {
      this.#warned = true;
      this.logger.warn(
        { subject, refused, reason },
        `a camera's read was refused (${reason}); refused reads go to alpr.invalid.reads with their reasons and are counted per camera on /metrics; further refusals are summed up here once a minute`,
      );
      return;
    }
    if (this.#firstAt === null) {
      this.#firstAt = nowMs;
      // Unref'd: a pending summary never keeps a process alive; stop() logs it instead.
      this.#timer = setTimeout(() => this.#summarize(), this.everyMs);
      this.#timer.unref();
    }
    this.#lastAt = Math.max(this.#lastAt, nowMs);
    this.#refused += refused;
    this.#bySubject.set(subject, (this.#bySubject.get(subject) ?? 0) + refused);
    if (this.#example === '') this.#example = reason;
  }

  /** Logs the pending summary once `everyMs` has passed since its first refusal; the timer does it too. */
  flush(nowMs: number): void {
    if (this.#firstAt !== null && nowMs - this.#firstAt >= this.everyMs) this.#summarize();
  }

  /** Logs the pending summary now, whatever its age: at a stop, nothing refused goes unsaid. */
  stop(): void {
    this.#summarize();
  }

  #summarize(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#firstAt === null) return;
    const top = [...this.#bySubject].sort((a, b) => b[1] - a[1]);
    const named = top.slice(0, SUBJECTS_NAMED).map(([subject, n]) => `${subject} (${n})`).join(', ');
    const more = top.length > SUBJECTS_NAMED ? ` and ${top.length - SUBJECTS_NAMED} more subjects` : '';
    // The window is that of the refusals summed, not of the summary: "20 reads refused in the last
    // 481 s" was said of 20 sent within 2 s (found by QA).
    const seconds = Math.round((this.#lastAt - this.#firstAt) / 1000);
    const firstAt = new Date(this.#firstAt).toISOString();
    const lastAt = new Date(this.#lastAt).toISOString();
    const when = seconds === 0 ? `at ${clockTime(firstAt)} UTC` : `in ${seconds} s, ${clockTime(firstAt)}–${clockTime(lastAt)} UTC`;
    this.logger.warn(
      { refused: this.#refused, subjects: Object.fromEntries(top.slice(0, SUBJECTS_NAMED)), reason: this.#example, firstAt, lastAt },
      `${this.#refused} ${this.#refused === 1 ? 'read' : 'reads'} refused ${when}, from ${named}${more}; for example: ${this.#example}`,
    );
    this.#firstAt = null;
    this.#lastAt = 0;
    this.#refused = 0;
    this.#bySubject.clear();
    this.#example = '';
  }
}

/** HH:MM:SS of an ISO 8601 UTC time, as the log's own timestamps are UTC. */
function clockTime(iso: string): string {
  return iso.slice(11, 19);
}
