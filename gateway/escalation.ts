// Hits nobody has dealt with escalate to a supervisor. A hit alone is not grounds for action, but
// one left unverified and unanswered is a vehicle of interest nobody looked for (Watsonville
// §471.5(f)(3): every hit is cleared with what happened). Each gateway checks its own unresolved
// hits every `checkEveryMs`; one unresolved for `escalateAfterMs` is announced once to every
// console whose user may see escalations (storage/permissions.ts: hits.escalated), and stays
// escalated until a disposition resolves it.
import type { Logger } from 'pino';
import { mayPerform } from '../storage/index.js';
import type { ConsoleSession } from './console-socket.js';
import type { FanOut } from './fan-out.js';
import type { ReplaySource } from './fan-out.js';
import type { Counter } from '../ingest/index.js';

export interface EscalationConfig {
  /** Unresolved this long after it was published, a hit escalates; 0 turns escalation off. */
  escalateAfterMs: number;
  /** How often unresolved hits are looked at. */
  checkEveryMs: number;
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

function mayReceive(session: ConsoleSession): boolean {
  return mayPerform(session.roles, 'hits.escalated');
}

export class HitEscalator {
  private escalated = new Map<string, EscalationNotice>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: EscalationConfig,
    private readonly hits: ReplaySource,
    private readonly fanOut: Pick<FanOut, 'broadcast'>,
    private readonly counter: Counter | null,
    private readonly logger: Logger,
  ) {}

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
    let now = 0;
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
      this.fanOut.broadcast(escalationFrame(notice), { list: m.hit.list }, mayReceive);
      this.logger.warn({ hitId: m.hitId, list: m.hit.list, unresolvedSeconds: notice.unresolvedSeconds }, 'hit unresolved; escalated to supervisors');
      now++;
    }
    // Resolved hits (and those past the replay window) drop out here, so the map stays bounded.
    this.escalated = still;
    if (now > 0) this.counter?.inc(now);
    return now;
  }

  /** Hits escalated and still unresolved, oldest first, leaving out covert lists `hidden` names. */
  current(hidden?: ReadonlySet<string>): EscalationNotice[] {
    return [...this.escalated.values()].filter((n) => hidden?.has(n.list) !== true);
  }
}
