// HitEscalator's log lines, against the hits a gateway holds (a RecentHits-like source of real hit
// messages) and a fan-out that records what consoles were sent.
import { describe, expect, it } from 'vitest';
import { HitEscalator, MAX_ESCALATION_LINES, type FeedHit } from '../../gateway/index.js';
import { capturingLogger, hitMessage } from './harness.js';

function escalator(hits: FeedHit[], startedAtMs: number) {
  const log = capturingLogger();
  const sent: string[] = [];
  const escalate = new HitEscalator(
    { escalateAfterMs: 5 * 60_000, checkEveryMs: 10_000 },
    { recentHits: () => hits },
    { broadcast: (frame: string) => { sent.push(frame); return 1; } },
    null,
    log.logger,
    { startedAtMs, listLabel: (list) => (list === 'NARC' ? 'covert-1' : list) },
  );
  return { escalate, log, sent };
}

function feedHits(count: number, list: string, publishedAt: number, prefix: string): FeedHit[] {
  return Array.from({ length: count }, (_, i) => {
    const message = hitMessage({ readId: `${prefix}-${i}`, list, publishedAt: publishedAt + i });
    return { message, json: JSON.stringify(message), receivedAt: publishedAt + i, fannedOut: true } as FeedHit;
  });
}

describe('escalation log lines', () => {
  it('logs a line per hit when a few fall due in one check', () => {
    const start = Date.now();
    const { escalate, log, sent } = escalator(feedHits(MAX_ESCALATION_LINES, 'SVS', start, 'few'), start - 1);
    expect(escalate.check(start + 5 * 60_000 + 1_000)).toBe(MAX_ESCALATION_LINES);
    expect(sent).toHaveLength(MAX_ESCALATION_LINES);
    expect(log.lines.map((l) => l['msg'])).toEqual(Array(MAX_ESCALATION_LINES).fill('hit unresolved; escalated to supervisors'));
  });

  it('counts a burst falling due in one check on one line, by list (covert lists by alias), while every console notice still goes out', () => {
    const start = Date.now();
    const hits = [...feedHits(80, 'SVS', start, 'svs'), ...feedHits(9, 'NARC', start, 'narc')];
    const { escalate, log, sent } = escalator(hits, start - 1);
    expect(escalate.check(start + 5 * 60_000 + 1_000)).toBe(89);
    expect(sent).toHaveLength(89);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({
      msg: '89 hits unresolved for 5 minutes at once; escalated to supervisors', hits: 89, lists: { SVS: 80, 'covert-1': 9 },
      firstHitIds: hits.slice(0, MAX_ESCALATION_LINES).map((h) => h.message.hitId),
    });
    expect(log.text()).not.toMatch(/NARC/);
    // Escalated once: the next check neither sends nor logs them again.
    expect(escalate.check(start + 6 * 60_000)).toBe(0);
    expect(log.lines).toHaveLength(1);
  });
});
