// `platewatch evidence` and `platewatch audit`, run in-process against a real chDB directory.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditVerb } from '../../bin/verbs/audit.js';
import { evidenceVerb } from '../../bin/verbs/evidence.js';
import type { VerbIO } from '../../bin/verb.js';
import { AccessLog, DetectionWriter, openStorage, saveUser, searchDetections } from '../../storage/index.js';
import { detection, makeTempDir } from './temp-storage.js';

const dir = makeTempDir();
const dataDir = join(dir, 'clickhouse');
const T0 = Date.UTC(2026, 10, 2, 10);

beforeAll(async () => {
  const storage = await openStorage({ dataDir });
  await saveUser(storage, { userId: 'det1', name: 'D. Tective', title: 'Detective', roles: ['officer'], trainedAt: '2026-01-01', active: true }, 'admin');
  const writer = new DetectionWriter(storage);
  await (await writer.enqueue([detection({ readId: 'v1', plate: '6TRK400', seenAt: T0 }), detection({ readId: 'v2', plate: '6TRK400', seenAt: T0 + 60_000 })])).durable;
  await writer.close();
  const accessLog = new AccessLog(storage);
  for (let i = 0; i < 12; i++) {
    await searchDetections({ storage, accessLog }, { user: 'det1', purpose: { caseNumber: `WPD-26-${i}` }, from: new Date(T0 - 3_600_000), to: new Date(T0 + 3_600_000) });
  }
  await storage.close(); // the verbs open the directory themselves
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): VerbIO & { out(): string; err(): string } {
  const chunks = { out: '', err: '' };
  const sink = (key: 'out' | 'err'): Writable => {
    const s = new PassThrough();
    s.on('data', (c: Buffer) => (chunks[key] += c.toString()));
    return s;
  };
  return { stdin: new PassThrough(), stdout: sink('out'), stderr: sink('err'), env: {}, cwd: dir, out: () => chunks.out, err: () => chunks.err };
}

describe('platewatch evidence', () => {
  it('holds and exports a case with checksums', async () => {
    const hold = io();
    expect(
      await evidenceVerb.run(
        ['hold', '--case', 'WPD-26-9', '--user', 'det1', '--reason', 'hit and run', '--plate', '6TRK400', '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-03T00:00:00Z', '--data-dir', dataDir],
        hold,
      ),
    ).toBe(0);
    expect(hold.out()).toMatch(/2 detection\(s\) held for case WPD-26-9/);
    const exp = io();
    expect(await evidenceVerb.run(['export', '--case', 'WPD-26-9', '--user', 'det1', '--out', 'pkg', '--data-dir', dataDir], exp)).toBe(0);
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: join(dir, 'pkg'), encoding: 'utf8' })).toMatch(/detections.csv: OK/);
    expect(JSON.parse(readFileSync(join(dir, 'pkg', 'manifest.json'), 'utf8')).detections).toBe(2);
  });

  it('refuses an export by an unknown user, and rejects bad usage with exit 2', async () => {
    const refused = io();
    expect(await evidenceVerb.run(['export', '--case', 'WPD-26-9', '--user', 'mallory', '--out', 'pkg2', '--data-dir', dataDir], refused)).toBe(1);
    expect(refused.err()).toMatch(/USER_NOT_AUTHORISED/);
    expect(await evidenceVerb.run(['export', '--out', 'x'], io())).toBe(2);
  });
});

describe('platewatch audit', () => {
  it('verifies the access log and prints its head', async () => {
    const v = io();
    expect(await auditVerb.run(['verify', '--data-dir', dataDir], v)).toBe(0);
    expect(v.out()).toMatch(/intact/);
    const head = /head (\d+:[0-9a-f]{64})/.exec(v.out())?.[1];
    expect(head).toBeDefined();
    expect(await auditVerb.run(['verify', '--chain', 'main', '--expect-head', head!, '--data-dir', dataDir], io())).toBe(0);
    expect(await auditVerb.run(['verify', '--expect-head', head!, '--data-dir', dataDir], io())).toBe(2);
  });

  it('opens storage with the configured retention, so a verb never resets the TTL', async () => {
    const withEnv = io();
    withEnv.env = { PLATEWATCH_RETENTION_DAYS: '400' };
    expect(await auditVerb.run(['verify', '--data-dir', dataDir], withEnv)).toBe(0);
    const storage = await openStorage({ dataDir, detectionRetentionSeconds: 400 * 86_400, hitRetentionSeconds: 400 * 86_400 });
    expect(storage.migrations.retentionChanged).toEqual([]); // the verb already applied 400 days
    await storage.close();
    const bad = io();
    bad.env = { PLATEWATCH_RETENTION_DAYS: '30' }; // Government Code § 34090.6: refused
    expect(await auditVerb.run(['verify', '--data-dir', dataDir], bad)).toBe(2);
    expect(bad.err()).toMatch(/34090\.6/);
  });

  it('samples searches and writes the memorandum in Markdown and HTML', async () => {
    const s = io();
    const today = new Date();
    const from = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
    const to = new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10);
    expect(await auditVerb.run(['sample', '--from', from, '--to', to, '--auditor', 'Capt. A, PSD', '--out', 'memo', '--data-dir', dataDir], s)).toBe(0);
    expect(s.out()).toMatch(/10 of 12 inquiries reviewed/);
    expect(existsSync(join(dir, 'memo', `alpr-audit-${from}-${to}.md`))).toBe(true);
    expect(readFileSync(join(dir, 'memo', `alpr-audit-${from}-${to}.html`), 'utf8')).toMatch(/<h1>MEMORANDUM<\/h1>/);
    expect(await auditVerb.run(['sample', '--from', from, '--to', to, '--auditor', 'X', '--size', '5'], io())).toBe(2);
  });
});
