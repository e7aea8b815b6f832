// What the log says of refused reads. They went to alpr.invalid.reads and a counter only: 300
// refused publishes left no log line, so an operator learned of a camera's broken firmware from
// nobody (found by QA). Now the first refusal is a warning with its reason, and after that one
// summary a minute at most while refusals go on: how many, from which subjects, and one reason.
import type { Logger } from 'pino';

export const INVALID_READ_SUMMARY_EVERY_MS = 60_000;
/** Subjects named in a summary, the most refused first. */
const SUBJECTS_NAMED = 5;

export class InvalidReadLog {
  #windowStart: number | null = null;
  #refused = 0;
  readonly #bySubject = new Map<string, number>();
  #example = '';
  #warned = false;

  constructor(
    private readonly logger: Logger,
    private readonly everyMs = INVALID_READ_SUMMARY_EVERY_MS,
  ) {}

  /** `refused` reads of a message on `subject` were refused, the first for `reason`, at `nowMs`. */
  refused(subject: string, refused: number, reason: string, nowMs: number): void {
    if (!this.#warned) {
      this.#warned = true;
      this.#windowStart = nowMs;
      this.logger.warn(
        { subject, refused, reason },
        `a camera's read was refused (${reason}); refused reads go to alpr.invalid.reads with their reasons and are counted per camera on /metrics; further refusals are summed up here once a minute`,
      );
      return;
    }
    this.#windowStart ??= nowMs;
    this.#refused += refused;
    this.#bySubject.set(subject, (this.#bySubject.get(subject) ?? 0) + refused);
    if (this.#example === '') this.#example = reason;
  }

  /** Logs the summary of the refusals since the last one, once `everyMs` has passed; call it after each batch. */
  flush(nowMs: number): void {
    if (this.#windowStart === null || nowMs - this.#windowStart < this.everyMs) return;
    if (this.#refused > 0) {
      const top = [...this.#bySubject].sort((a, b) => b[1] - a[1]);
      const named = top.slice(0, SUBJECTS_NAMED).map(([subject, n]) => `${subject} (${n})`).join(', ');
      const more = top.length > SUBJECTS_NAMED ? ` and ${top.length - SUBJECTS_NAMED} more subjects` : '';
      const seconds = Math.round((nowMs - this.#windowStart) / 1000);
      this.logger.warn(
        { refused: this.#refused, subjects: Object.fromEntries(top.slice(0, SUBJECTS_NAMED)), reason: this.#example },
        `${this.#refused} reads refused in the last ${seconds} s, from ${named}${more}; for example: ${this.#example}`,
      );
    }
    this.#windowStart = this.#refused > 0 ? nowMs : null;
    this.#refused = 0;
    this.#bySubject.clear();
    this.#example = '';
  }
}
