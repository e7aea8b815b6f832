// A restart with a shorter retention is a warning naming, per table, the retention before and after
// and what goes (it was an info line listing table names: found by QA). Real chDB.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { logRetentionChanges } from '../../bin/retention-log.js';
import { DetectionWriter, openStorage, type RetentionChange, type Storage } from '../../storage/index.js';
import { REPO_ROOT } from '../fixtures/cli.js';
import { until } from '../reliability/fixtures.js';
import { detection, openTempStorage, type TempStorage } from '../storage/temp-storage.js';

const DAY = 86_400;
let temp: TempStorage;

beforeAll(async () => {
  temp = await openTempStorage({ detectionRetentionSeconds: 400 * DAY, hitRetentionSeconds: 400 * DAY });
});
afterAll(async () => {
  await temp.cleanup();
  if (upDataDir !== undefined) rmSync(upDataDir, { recursive: true, force: true });
});
let upDataDir: string | undefined;

/** `platewatch up` as a process until it says it is up, then stopped with SIGTERM: what it wrote on stderr. */
async function upOnce(retentionDays: number, dataDir: string): Promise<string> {
  const child = spawn('node', ['--import', 'tsx', 'bin/platewatch.ts', 'up'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], PLATEWATCH_DATA_DIR: dataDir, PLATEWATCH_HTTP_PORT: '0', PLATEWATCH_LOG_LEVEL: 'warn', PLATEWATCH_RETENTION_DAYS: String(retentionDays) },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await until('up to say it is up', () => (out.includes('platewatch is up') ? true : child.exitCode !== null ? Promise.reject(new Error(err)) : undefined), 60_000);
    child.kill('SIGTERM');
    await exited;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  return err;
}

async function reopen(days: number): Promise<Storage> {
  const { dataDir } = temp.storage.config;
  await temp.storage.close();
  temp.storage = await openStorage({ dataDir, detectionRetentionSeconds: days * DAY, hitRetentionSeconds: days * DAY });
  return temp.storage;
}

function logged(changes: readonly RetentionChange[]): Array<Record<string, unknown>> {
  let text = '';
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done()) });
  logRetentionChanges(pino({ base: undefined, timestamp: false }, sink), changes);
  return text.trim().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

const readIds = async (storage: Storage): Promise<string[]> => {
  const rs = await storage.client.query({ query: `SELECT read_id FROM ${storage.db}.detections ORDER BY read_id`, format: 'JSONEachRow' });
  return (await rs.json<{ read_id: string }>()).map((r) => r.read_id);
};

describe('a retention change at start, in the log', () => {
  it('warns of a cut from 400 to 365 days per table with both values and what will be deleted, and the detections past it go', async () => {
    const writer = new DetectionWriter(temp.storage);
    const now = Date.now();
    await (await writer.enqueue([
      detection({ readId: 'past-365-days', seenAt: now - 380 * DAY * 1000 }),
      detection({ readId: 'kept-10-days', seenAt: now - 10 * DAY * 1000 }),
    ])).durable;
    await writer.close();
    expect(await readIds(temp.storage)).toEqual(['kept-10-days', 'past-365-days']);

    const storage = await reopen(365);
    expect(storage.migrations.retentionChanges).toEqual([
      { table: 'detections', fromSeconds: 400 * DAY, toSeconds: 365 * DAY },
      { table: 'hit_dispositions', fromSeconds: 400 * DAY, toSeconds: 365 * DAY },
      { table: 'hits', fromSeconds: 400 * DAY, toSeconds: 365 * DAY },
    ]);
    expect(logged(storage.migrations.retentionChanges)).toEqual([
      { level: 40, table: 'detections', fromDays: 400, toDays: 365, msg: 'storage retention of detections cut from 400 to 365 days: detections older than 365 days are being deleted now' },
      { level: 40, table: 'hit_dispositions', fromDays: 400, toDays: 365, msg: 'storage retention of hit dispositions cut from 400 to 365 days: hit dispositions older than 365 days are being deleted now' },
      { level: 40, table: 'hits', fromDays: 400, toDays: 365, msg: 'storage retention of hits cut from 400 to 365 days: hits older than 365 days are being deleted now' },
    ]);
    // What the warning says happens: the 380-day-old detection goes with no merge asked for (against a
    // server the TTL is applied by a background mutation, hence the wait).
    await until('the detection past 365 days to be deleted', async () => ((await readIds(storage)).length === 1 ? true : undefined), 30_000);
    expect(await readIds(storage)).toEqual(['kept-10-days']);
  });

  it('says a longer retention at info, and nothing when it is unchanged', async () => {
    const storage = await reopen(400);
    const lines = logged(storage.migrations.retentionChanges);
    expect(lines.map((l) => [l['level'], l['table'], l['fromDays'], l['toDays']])).toEqual([
      [30, 'detections', 365, 400], [30, 'hit_dispositions', 365, 400], [30, 'hits', 365, 400],
    ]);
    expect(lines[0]?.['msg']).toBe('storage retention of detections raised from 365 to 400 days');
    expect(logged((await reopen(400)).migrations.retentionChanges)).toEqual([]);
  });

  it('is what `platewatch up` logs when restarted with a shorter retention', async () => {
    upDataDir = join(temp.dir, 'up');
    const first = await upOnce(400, upDataDir);
    expect(first).not.toContain('storage retention');
    const lines = (await upOnce(365, upDataDir)).split('\n').filter((line) => line.includes('storage retention')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => [l['level'], l['table'], l['fromDays'], l['toDays']])).toEqual([
      [40, 'detections', 400, 365], [40, 'hit_dispositions', 400, 365], [40, 'hits', 400, 365],
    ]);
    expect(lines[0]?.['msg']).toBe('storage retention of detections cut from 400 to 365 days: detections older than 365 days are being deleted now');
  });
});
