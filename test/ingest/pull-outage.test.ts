// What the pipeline logs while pulls from READS keep failing: once at first, one error naming NATS
// once it lasts, repeated sparingly, and one line when pulls work again.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PullOutage } from '../../ingest/pull-outage.js';

function logged(): { logger: pino.Logger; lines: () => Array<{ level: number; msg: string }> } {
  const out: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void out.push(line) });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as { level: number; msg: string }) };
}

describe('PullOutage', () => {
  it('warns at the first failure, names NATS once failures last 6 s, repeats each minute, and says when pulls work again', () => {
    let now = 0;
    const { logger, lines } = logged();
    const outage = new PullOutage(logger, () => now);
    const heartbeats = new Error('heartbeats missed');
    for (now = 0; now <= 123_000; now += 3_000) outage.failed(heartbeats);
    now = 126_000;
    outage.answered();
    const shown = lines().filter((l) => l.level >= 30);
    expect(shown.map((l) => [l.level, l.msg.slice(0, 40)])).toEqual([
      [40, 'pull from READS failed; retrying'],
      [50, 'NATS is not answering: pulls from READS '],
      [50, 'NATS is not answering: pulls from READS '],
      [30, 'NATS answering again: pulls from READS r'],
    ]);
    expect(shown[1]?.msg).toContain('have failed for 6 s');
    expect(shown[1]?.msg).toContain('Check the nats-server process');
    expect(shown[2]?.msg).toContain('have failed for 66 s');
    expect(shown[2]?.msg).not.toContain('restart');
    expect(shown[3]?.msg).toBe('NATS answering again: pulls from READS resumed after 126 s (42 failed pulls)');
  });

  it('adds, once failures have lasted 5 minutes, that a nats-server whose disk filled may need platewatch restarted, still one line each minute (found by QA)', () => {
    let now = 0;
    const { logger, lines } = logged();
    const outage = new PullOutage(logger, () => now);
    for (now = 0; now <= 367_000; now += 3_000) outage.failed(new Error('heartbeats missed'));
    const reports = lines().filter((l) => l.level === 50).map((l) => l.msg);
    expect(reports.map((m) => /failed for (\d+) s/.exec(m)?.[1])).toEqual(['6', '66', '126', '186', '246', '306', '366']);
    for (const message of reports.slice(0, 5)) expect(message).not.toContain('restart');
    for (const message of reports.slice(5)) {
      expect(message).toContain('Check the nats-server process (stopped, hung, disk full, swapping?) and /healthz');
      expect(message).toContain('If its disk filled: once space is freed, platewatch may need restarting (systemctl restart platewatch)');
    }
  });

  it('says nothing more for a failure or two that pass (a pull missing its heartbeats once)', () => {
    let now = 0;
    const { logger, lines } = logged();
    const outage = new PullOutage(logger, () => now);
    outage.failed(new Error('heartbeats missed'));
    now = 3_000;
    outage.answered();
    now = 60_000;
    outage.failed(new Error('heartbeats missed'));
    outage.answered();
    expect(lines().filter((l) => l.level >= 30).map((l) => l.msg)).toEqual(['pull from READS failed; retrying', 'pull from READS failed; retrying']);
    // One line each, naming the cause: no stack for a failure that passes.
    for (const line of lines().filter((l) => l.level === 40)) expect(line).toMatchObject({ cause: 'heartbeats missed' });
    for (const line of lines().filter((l) => l.level === 40)) expect(line).not.toHaveProperty('err');
  });
});
