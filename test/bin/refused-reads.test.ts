// `platewatch refused-reads` in this process against a real nats-server and real chDB, with no
// `up` running (a department whose NATS and ClickHouse are servers): the administrator signs in,
// reads why a camera's reads were refused, and the reading is on the access log; other roles are
// refused and logged. Through a running `up` it asks GET /api/refused-reads
// (test/flows/refused-reads.test.ts).
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { jetstreamManager } from '@nats-io/jetstream';
import { beforeAll, describe, expect, it } from 'vitest';
import { positionsText, refusedReadsVerb } from '../../bin/verbs/refused-reads.js';
import type { VerbIO } from '../../bin/verb.js';
import { DEFAULT_STREAMS_CONFIG, ensureStreams } from '../../ingest/index.js';
import { openStorage, saveUser, setPassword } from '../../storage/index.js';
import { useLocalNats } from '../fixtures/nats.js';
import { goodRead, publishRefusedCopy } from '../fixtures/refused-copies.js';

const nats = useLocalNats('refused-reads-cli');
const dataDir = (): string => join(nats.dir, 'clickhouse');
const PASSWORD = 'camera bench passphrase';

beforeAll(async () => {
  const storage = await openStorage({ dataDir: dataDir() });
  await saveUser(storage, { userId: 'admin1', name: 'R. Diaz', title: 'Lieutenant', roles: ['administrator'], trainedAt: '2026-01-15', active: true }, 'setup');
  await saveUser(storage, { userId: 'ana1', name: 'A. Nalyst', title: 'Analyst', roles: ['analyst'], trainedAt: '2026-01-15', active: true }, 'setup');
  for (const id of ['admin1', 'ana1']) await setPassword(storage, id, PASSWORD, 'setup', 10);
  await storage.close(); // the verb opens the directory itself
  await ensureStreams(await jetstreamManager(nats.nc), { ...DEFAULT_STREAMS_CONFIG, readsMaxBytes: 2 ** 20 });
  await publishRefusedCopy(nats.nc, 'wpd', 'cam-12', { ...goodRead(1), conf: undefined });
  const batch = Array.from({ length: 6 }, (_, i) => ({ ...goodRead(10 + i), v: i === 5 ? 1 : 2 }));
  await publishRefusedCopy(nats.nc, 'wpd', 'gw-1', batch);
  await publishRefusedCopy(nats.nc, 'scso', 'cam-1', { ...goodRead(20, 'scso'), plate: 'AB\u001b[2J' });
}, 60_000);

async function refusedReads(args: readonly string[], as = 'admin1'): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr'): Writable => {
    const s = new PassThrough();
    s.on('data', (c: Buffer) => (out[key] += c.toString()));
    return s;
  };
  const stdin = new PassThrough();
  stdin.end(`${PASSWORD}\n`);
  const io: VerbIO = { stdin, stdout: sink('stdout'), stderr: sink('stderr'), env: {}, cwd: nats.dir };
  const code = await refusedReadsVerb.run(['--as', as, '--password-stdin', ...args, '--nats', nats.server.url, '--data-dir', dataDir()], io);
  return { code, ...out };
}

async function refusedReadsRecords(): Promise<Array<{ user_id: string; outcome: string; rows_returned: string; params: string }>> {
  const storage = await openStorage({ dataDir: dataDir() });
  try {
    const rs = await storage.client.query({
      query: `SELECT user_id, outcome, toString(rows_returned) AS rows_returned, params FROM ${storage.db}.access_log WHERE action = 'refused_reads' ORDER BY seq`,
      format: 'JSONEachRow',
    });
    return await rs.json();
  } finally {
    await storage.close();
  }
}

describe('platewatch refused-reads', () => {
  it('prints each refused message newest first with its reasons and positions, terminal text shown not obeyed, and logs the reading', async () => {
    const run = await refusedReads([]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^3 refused message\(s\), newest first, of 3 looked through \(the oldest kept is from \d{4}-.*Z\); times in UTC; this reading is recorded in the access log\n/);
    const subjects = [...run.stdout.matchAll(/^#\d+ {2}\S+ {2}(\S+)/gm)].map((m) => m[1]);
    expect(subjects).toEqual(['alpr.reads.scso.cam-1', 'alpr.reads.wpd.gw-1', 'alpr.reads.wpd.cam-12']);
    expect(run.stdout).toContain('  positions 0–4: schema version 2 is not supported (this receiver speaks 1)\n');
    expect(run.stdout).toContain('  whole message: conf is missing\n');
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).not.toContain('--before');
    const [record] = await refusedReadsRecords();
    expect(record).toMatchObject({ user_id: 'admin1', outcome: 'ok', rows_returned: '3' });
    expect(JSON.parse(record!.params)).toEqual({ scanned: 3 });
  });

  it('keeps to a camera, and says how to go on to older messages', async () => {
    const run = await refusedReads(['--agency', 'WPD', '--limit', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('alpr.reads.wpd.gw-1');
    const before = /run the same command with --before (\d+)\n$/.exec(run.stdout)?.[1];
    expect(before).toBeDefined();
    const older = await refusedReads(['--agency', 'wpd', '--before', before!, '--json']);
    const page = JSON.parse(older.stdout) as { messages: Array<{ camera: string; refusals: unknown }>; olderThan: number | null };
    expect(page.messages.map((m) => m.camera)).toEqual(['cam-12']);
    expect(page.messages[0]!.refusals).toEqual([{ reason: 'conf is missing', positions: [-1] }]);
    expect(page.olderThan).toBeNull();
  });

  it('refuses a member without reads.refused, on the access log, and bad options as usage errors', async () => {
    const refused = await refusedReads([], 'ana1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^platewatch refused-reads: NOT_PERMITTED: "reads\.refused" needs one of the roles administrator; user "ana1" has analyst\n$/);
    expect((await refusedReadsRecords()).at(-1)).toMatchObject({ user_id: 'ana1', outcome: 'refused' });
    const bad = await refusedReads(['--camera', 'cam 12']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^platewatch refused-reads: --camera must be the camera as in the camera's subject/);
    expect((await refusedReads(['--limit', '0'])).stderr).toMatch(/--limit must be a whole number from 1 to 500/);
  });
});

describe('positionsText', () => {
  it('writes runs of positions as ranges', () => {
    expect(positionsText([0, 1, 2, 3, 7, 9, 10])).toBe('0–3, 7, 9–10');
    expect(positionsText([5])).toBe('5');
  });
});
