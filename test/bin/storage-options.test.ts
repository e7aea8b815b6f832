// How CLI verbs and `up` open storage: which access log chain each writes, and that a verb never
// changes the retention (the retention half is in test/storage/verbs.test.ts, with the verbs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { processAccessLogChain, verbAccessLogChain } from '../../bin/storage-options.js';
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
