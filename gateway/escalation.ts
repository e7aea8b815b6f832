// Hits nobody has dealt with escalate to a supervisor. A hit alone is not grounds for action, but
// one left unverified and unanswered is a vehicle of interest nobody looked for (Watsonville
// §471.5(f)(3): every hit is cleared with what happened). Each gateway checks its own unresolved
// hits every `checkEveryMs`; one unresolved for `escalateAfterMs` is announced once to every
// console whose user may see escalations (storage/permissions.ts: hits.escalated), and stays
// escalated until a disposition resolves it.
//
// Escalations are not stored (not in ClickHouse, not on HITS): a restarted gateway works them out
// again from its unresolved hits. A hit already overdue when this gateway started is marked
// escalated without a notice or a log line of its own — it was announced before the restart, or
// nobody was listening — and one summary line counts them; supervisors find them in the
// `escalated` list of their replay (fan-out.ts). Hits that fall due after the start are announced
// one by one, as always — unless more than MAX_ESCALATION_LINES fall due in one check (a camera's
// backlog uploaded at once, a burst of hits nobody answered): then one line counts them by list,
// where one line each flooded the log (QA found 89 in a row). Consoles get a notice each either way.
// Log lines name a covert list only by its alias (`covert-1`, as on /metrics and in `up`'s
// output): logs end up where its name must not.
import type { Logger } from 'pino';
import { mayPerform } from '../storage/index.js';
import type { ConsoleSession } from './console-socket.js';
import type { FanOut } from './fan-out.js';
import type { ReplaySource } from './fan-out.js';
import type { Counter } from '../ingest/index.js';

/** Escalations of one check logged one line each up to this many; more make one summary line. */
export const MAX_ESCALATION_LINES = 5;

export interface EscalationConfig {
  /** Unresolved this long after it was published, a hit escalates; 0 turns escalation off. */
  escalateAfterMs: number;
  /** How often unresolved hits are looked at. */
  checkEveryMs: number;
}

export interface EscalatorOptions {
  /** When the gateway started: hits due by then escalate without a notice each. @default when constructed */
  startedAtMs?: number;
  /** A list's name as logs may show it: MetricsRegistry.labelValue, covert lists as `covert-1`… (no default, so no caller logs a covert name by omission). */
  listLabel: (list: string) => string;
  /** Whether the feed has read its backlog; the start-up summary is logged once it has. @default always */
  isCaughtUp?: () => boolean;
}

export interface EscalationNotice {
  hitId: string;
  list: string;
  agency: string;
  camera: string;
  plate: string;
  publishedAt: string;
  unresolvedSeconds: number;
}

export function escalationFrame(n: EscalationNotice): string {
  return JSON.stringify({ type: 'escalation', ...n });
}

/** Whether a console's user receives escalations (storage/permissions.ts: hits.escalated). */
export function mayReceiveEscalations(session: ConsoleSession): boolean {
  return mayPerform(session.roles, 'hits.escalated');
}

export class HitEscalator {
  private escalated = new Map<string, EscalationNotice>();
  private timer: NodeJS.Timeout | null = null;
  private readonly startedAtMs: number;
  private readonly listLabel: (list: string) => string;
  private readonly isCaughtUp: () => boolean;
  /** Hits found already overdue at start, until the summary line is logged. */
  private overdueAtStart = 0;
  private startReported = false;

  constructor(
    private readonly config: EscalationConfig,
    private readonly hits: ReplaySource,
    private readonly fanOut: Pick<FanOut, 'broadcast'>,
    private readonly counter: Counter | null,
    private readonly logger: Logger,
    options: EscalatorOptions,
  ) {
    this.startedAtMs = options.startedAtMs ?? Date.now();
    this.listLabel = options.listLabel;
    this.isCaughtUp = options.isCaughtUp ?? (() => true);
  }

  mayReceive(session: ConsoleSession): boolean {
    return mayReceiveEscalations(session);
  }

  /** Whether the hit is escalated and still unresolved (as of the last check). */
  isEscalated(hitId: string): boolean {
    return this.escalated.has(hitId);
  }

  start(): void {
    if (this.config.escalateAfterMs <= 0 || this.timer !== null) return;
    this.timer = setInterval(() => this.check(Date.now()), this.config.checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Escalates what is due at `nowMs`; returns how many hits escalated now. */
  check(nowMs: number): number {
    if (this.config.escalateAfterMs <= 0) return 0;
    const still = new Map<string, EscalationNotice>();
    const announced: Array<{ hitId: string; list: string; unresolvedSeconds: number }> = [];
    for (const feedHit of this.hits.recentHits(nowMs)) {
      const m = feedHit.message;
      const previous = this.escalated.get(m.hitId);
      if (previous !== undefined) {
        still.set(m.hitId, previous);
        continue;
      }
      const unresolvedMs = nowMs - m.publishedAt;
      if (unresolvedMs < this.config.escalateAfterMs) continue;
      const notice: EscalationNotice = {
        hitId: m.hitId, list: m.hit.list, agency: m.read.agency, camera: m.read.camera, plate: m.hit.plate,
        publishedAt: new Date(m.publishedAt).toISOString(), unresolvedSeconds: Math.round(unresolvedMs / 1000),
      };
      still.set(m.hitId, notice);
      // Not counted either: the counter would jump by the whole backlog at every restart.
      if (m.publishedAt + this.config.escalateAfterMs <= this.startedAtMs) {
        this.overdueAtStart++;
        continue;
      }
      this.fanOut.broadcast(escalationFrame(notice), { list: m.hit.list }, mayReceiveEscalations);
      announced.push({ hitId: m.hitId, list: this.listLabel(m.hit.list), unresolvedSeconds: notice.unresolvedSeconds });
    }
    this.logEscalations(announced);
    const now = announced.length;
    // Resolved hits (and those past the replay window) drop out here, so the map stays bounded.
    this.escalated = still;
    if (now > 0) this.counter?.inc(now);
    if (!this.startReported && this.isCaughtUp()) {
      this.startReported = true;
      if (this.overdueAtStart > 0) {
        this.logger.warn({ hits: this.overdueAtStart }, `${this.overdueAtStart} unresolved hits were already overdue at start; escalated`);
      }
    }
    return now;
  }

  private logEscalations(announced: ReadonlyArray<{ hitId: string; list: string; unresolvedSeconds: number }>): void {
    if (announced.length <= MAX_ESCALATION_LINES) {
      for (const a of announced) this.logger.warn(a, 'hit unresolved; escalated to supervisors');
      return;
    }
    const lists: Record<string, number> = {};
    for (const a of announced) lists[a.list] = (lists[a.list] ?? 0) + 1;
    const minutes = Math.round(this.config.escalateAfterMs / 60_000);
    this.logger.warn(
      { hits: announced.length, lists, firstHitIds: announced.slice(0, MAX_ESCALATION_LINES).map((a) => a.hitId) },
      `${announced.length} hits unresolved for ${minutes} minute${minutes === 1 ? '' : 's'} at once; escalated to supervisors`,
    );
  }

  /** Hits escalated and still unresolved, oldest first, leaving out covert lists `hidden` names. */
  current(hidden?: ReadonlySet<string>): EscalationNotice[] {
    return [...this.escalated.values()].filter((n) => hidden?.has(n.list) !== true);
  }
}
