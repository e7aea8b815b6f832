// What the log says of refused reads: the first at once with its reason, then one summary a minute
// at most naming the subjects most refused, and nothing while none are refused.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { InvalidReadLog } from '../../ingest/invalid-read-log.js';
import { until } from '../reliability/fixtures.js';

function logged(): { logger: pino.Logger; lines: () => Array<{ level: number; msg: string; refused?: number }> } {
  const out: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void out.push(line) });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as { level: number; msg: string }) };
}

describe('InvalidReadLog', () => {
  it('warns at the first refusal, sums up the rest once a minute by subject, and goes quiet when they stop', () => {
    const { logger, lines } = logged();
    const log = new InvalidReadLog(logger);
    log.refused('alpr.reads.wpd.cam3', 1, 'ts 1796588113 is before 2000-01-01 (seconds instead of milliseconds?)', 0);
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({ level: 40, subject: 'alpr.reads.wpd.cam3', refused: 1 });
    expect(lines()[0]?.msg).toMatch(/^a camera's read was refused \(ts 1796588113 .*seconds instead of milliseconds\?\)\)/);
    // 299 more over the next 50 s: nothing until a minute has passed.
    for (let i = 1; i < 300; i++) {
      log.refused(i % 3 === 0 ? 'alpr.reads.spd.gate1' : 'alpr.reads.wpd.cam3', 1, 'ts 1796588113 is before 2000-01-01 (seconds instead of milliseconds?)', i * 166);
      log.flush(i * 166);
    }
    expect(lines()).toHaveLength(1);
    log.flush(61_000);
    expect(lines()).toHaveLength(2);
    expect(lines()[1]).toMatchObject({ level: 40, refused: 299 });
    expect(lines()[1]?.msg).toBe(
      '299 reads refused in 49 s, 00:00:00–00:00:49 UTC, from alpr.reads.wpd.cam3 (200), alpr.reads.spd.gate1 (99); for example: ts 1796588113 is before 2000-01-01 (seconds instead of milliseconds?)',
    );
    // No refusals in the next minute: no line, then none at all.
    log.flush(125_000);
    log.flush(300_000);
    expect(lines()).toHaveLength(2);
    // A later burst is summed up a minute after it began.
    log.refused('alpr.reads.wpd.cam9', 2, 'plate missing', 400_000);
    log.flush(430_000);
    expect(lines()).toHaveLength(2);
    log.flush(460_000);
    expect(lines()[2]?.msg).toBe('2 reads refused at 00:06:40 UTC, from alpr.reads.wpd.cam9 (2); for example: plate missing');
    log.stop();
  });

  it('sums up the refusals a minute after the first of them even when no batch follows (found by QA)', async () => {
    const { logger, lines } = logged();
    const log = new InvalidReadLog(logger, 300);
    const t = Date.parse('2026-12-06T22:40:12Z');
    log.refused('alpr.reads.wpd.cam3', 1, 'plate missing', t);
    for (let i = 0; i < 49; i++) log.refused('alpr.reads.wpd.cam3', 1, 'plate missing', t + 1000);
    log.flush(t + 1000);
    expect(lines()).toHaveLength(1);
    // No flush, no further read: the timer alone writes the summary.
    await until('the summary', () => (lines().length === 2 ? true : undefined), 30_000);
    expect(lines()[1]?.msg).toBe('49 reads refused at 22:40:13 UTC, from alpr.reads.wpd.cam3 (49); for example: plate missing');
    log.stop();
    expect(lines()).toHaveLength(2);
  });

  it('names the span from the first to the last refusal summed, not since the last summary (found by QA)', () => {
    const { logger, lines } = logged();
    const log = new InvalidReadLog(logger);
    const t = Date.parse('2026-12-06T22:32:11Z');
    log.refused('alpr.reads.wpd.cam3', 1, 'plate missing', t);
    for (let i = 0; i < 20; i++) log.refused('alpr.reads.wpd.cam3', 1, 'plate missing', t + 479_000 + (i === 19 ? 2000 : i * 100));
    log.flush(t + 481_000);
    log.flush(t + 539_100);
    expect(lines()).toHaveLength(2);
    expect(lines()[1]?.msg).toBe('20 reads refused in 2 s, 22:40:10–22:40:12 UTC, from alpr.reads.wpd.cam3 (20); for example: plate missing');
    expect(lines()[1]).toMatchObject({ firstAt: '2026-12-06T22:40:10.000Z', lastAt: '2026-12-06T22:40:12.000Z' });
    log.stop();
  });

  it('logs the refusals still pending at a stop, and nothing when none are (found by QA)', () => {
    const { logger, lines } = logged();
    const log = new InvalidReadLog(logger);
    log.stop();
    expect(lines()).toHaveLength(0);
    log.refused('alpr.reads.wpd.cam3', 1, 'plate missing', 0);
    for (let i = 1; i < 10; i++) log.refused('alpr.reads.wpd.cam3', 1, 'plate missing', i);
    log.stop();
    expect(lines()).toHaveLength(2);
    expect(lines()[1]?.msg).toBe('9 reads refused at 00:00:00 UTC, from alpr.reads.wpd.cam3 (9); for example: plate missing');
    log.stop();
    expect(lines()).toHaveLength(2);
  });
});
