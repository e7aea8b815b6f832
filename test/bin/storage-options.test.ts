// How CLI verbs and `up` open storage: which access log chain each writes, and that a verb never
// changes the retention (the retention half is in test/storage/verbs.test.ts, with the verbs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { embeddedDirOf, missingDatabaseProblem, processAccessLogChain, storageConfigFrom, verbAccessLogChain } from '../../bin/storage-options.js';
import type { VerbIO } from '../../bin/verb.js';
import { AccessLog, verifyAccessLogs } from '../../storage/index.js';
import { openTempStorage, type TempStorage } from '../storage/temp-storage.js';

let temp: TempStorage;
beforeAll(async () => {
  temp = await openTempStorage();
});
afterAll(() => temp.cleanup());

describe('processAccessLogChain', () => {
  it('keeps the configured chain in embedded mode, where one process holds the data directory', () => {
    expect(processAccessLogChain(temp.storage, 'up')).toBe('main');
    expect(verbAccessLogChain(temp.storage)).toBe('main');
  });

  it('gives every process its own chain against a server, so two writers never fork one', () => {
    const server = { kind: 'server' as const, config: temp.storage.config };
    const names = [processAccessLogChain(server, 'up', 101), processAccessLogChain(server, 'up', 102), processAccessLogChain(server, 'cli', 101)];
    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
    expect(names[0]).toContain(hostname().replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40));
  });

  it('two processes appending at once verify intact on their own chains, and fork one shared chain', async () => {
    const server = { kind: 'server' as const, config: temp.storage.config };
    const entry = { user: 'a1', action: 'search' as const, outcome: 'ok' as const, params: {}, rowsReturned: 0, caseNumber: 'WPD-26-1', reason: '', detail: '' };
    const first = new AccessLog(temp.storage, processAccessLogChain(server, 'up', 201));
    const second = new AccessLog(temp.storage, processAccessLogChain(server, 'up', 202));
    for (let i = 0; i < 3; i++) await Promise.all([first.append(entry), second.append(entry)]);
    const own = await verifyAccessLogs(temp.storage);
    expect(own.map((v) => [v.chain, v.ok, v.records])).toEqual(
      [[first.chain, true, 3], [second.chain, true, 3]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // What the old shared "main" did: two writers, each with its own cached head.
    const shared = [new AccessLog(temp.storage, 'shared'), new AccessLog(temp.storage, 'shared')];
    for (let i = 0; i < 2; i++) for (const log of shared) await log.append(entry);
    const forked = (await verifyAccessLogs(temp.storage)).find((v) => v.chain === 'shared');
    expect(forked?.ok).toBe(false);
  });
});

describe('the embedded directory a storage verb opens (found by QA: --data-dir given the data directory made a new chDB in it)', () => {
  const io = (env: NodeJS.ProcessEnv = {}): VerbIO => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env, cwd: tmpdir() });

  it('takes the data directory (clickhouse/ beside nats/ and run/) for its clickhouse/, and a chDB directory as itself', async () => {
    const chdb = temp.storage.config.dataDir;
    const dataDir = dirname(chdb);
    expect(embeddedDirOf(dataDir)).toBe(chdb);
    expect(embeddedDirOf(chdb)).toBe(chdb);
    expect((await storageConfigFrom({ 'data-dir': dataDir }, io()))?.dataDir).toBe(chdb);
    expect((await storageConfigFrom({ 'data-dir': chdb }, io()))?.dataDir).toBe(chdb);
    expect((await storageConfigFrom({}, io({ PLATEWATCH_DATA_DIR: dataDir })))?.dataDir).toBe(chdb);
    // A chDB directory that happens to hold a clickhouse/ of its own is still itself.
    mkdirSync(join(chdb, 'clickhouse'), { recursive: true });
    try {
      expect(embeddedDirOf(chdb)).toBe(chdb);
    } finally {
      rmSync(join(chdb, 'clickhouse'), { recursive: true });
    }
  });

  it('says there is no platewatch database where there is none, and nothing of a server', () => {
    const empty = mkdtempSync(join(tmpdir(), 'platewatch-no-db-'));
    try {
      expect(missingDatabaseProblem({ dataDir: temp.storage.config.dataDir, database: temp.storage.config.database })).toBeNull();
      expect(missingDatabaseProblem({ dataDir: empty })).toBe(`no platewatch database at ${empty}: is the data directory right? (PLATEWATCH_DATA_DIR / --data-dir)`);
      expect(missingDatabaseProblem({ dataDir: temp.storage.config.dataDir, database: 'other' })).toMatch(/^no platewatch database at /);
      expect(missingDatabaseProblem({ url: 'http://127.0.0.1:8123', dataDir: empty })).toBeNull();
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
