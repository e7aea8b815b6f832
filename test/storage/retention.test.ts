// Retention and legal holds: Government Code § 34090.6 / Watsonville §471.6 — purge after the
// retention period unless the data is or may become evidence.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessLog, DetectionWriter, exportEvidence, openStorage, placeLegalHold, saveUser, sha256, type Storage, verifyAccessLog,
} from '../../storage/index.js';
import { detection, openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
let accessLog: AccessLog;
const DAY = 86_400_000;
const now = Date.now();
const old = now - 3 * DAY; // past a one-day test retention, in its own day partition
const fresh = now + 60_000; // a minute ahead: cannot expire while the test runs

beforeAll(async () => {
  // Written under the default one-year retention; the test later shortens it to a day.
  temp = await openTempStorage();
  storage = temp.storage;
  accessLog = new AccessLog(storage);
  await saveUser(storage, { userId: 'det1', name: 'D. Tective', title: 'Detective', roles: ['officer'], trainedAt: '2026-02-01', active: true }, 'admin');
  const writer = new DetectionWriter(storage);
  await (
    await writer.enqueue([
      detection({ readId: 'old-held-1', plate: '5KID123', seenAt: old, camera: 'school' }),
      detection({ readId: 'old-held-2', plate: '5KID123', seenAt: old + 60_000, camera: 'bridge' }),
      detection({ readId: 'old-free', plate: '8XYZ777', seenAt: old + 120_000 }),
      detection({ readId: 'fresh', plate: '5KID123', seenAt: fresh }),
    ])
  ).durable;
  await writer.close();
});
afterAll(() => temp.cleanup());

const count = async (table: string) => {
  const rs = await storage.client.query({ query: `SELECT read_id FROM ${storage.db}.${table} ORDER BY read_id`, format: 'JSONEachRow' });
  return (await rs.json<{ read_id: string }>()).map((r) => r.read_id);
};

describe('retention and legal holds', () => {
  it('copies held detections to the evidence store, then purges expired detections but keeps the evidence', async () => {
    const hold = await placeLegalHold(
      { storage, accessLog },
      {
        user: 'det1', caseNumber: 'WPD-26-0777', reason: 'kidnapping suspect vehicle',
        criteria: { plate: { kind: 'exact', plate: '5KID123' }, from: new Date(old - DAY), to: new Date(old + DAY) },
      },
    );
    expect(hold.rowsHeld).toBe(2);

    // Restart with a one-day retention (tests only: allowRetentionUnderOneYear). The start-up
    // migration changes the TTL; with day partitions and ttl_only_drop_parts whole days expire.
    const { dataDir } = storage.config;
    await storage.close();
    storage = await openStorage({ dataDir, detectionRetentionSeconds: 86_400, hitRetentionSeconds: 86_400, allowRetentionUnderOneYear: true });
    temp.storage = storage;
    accessLog = new AccessLog(storage);
    expect(storage.migrations.retentionChanged).toContain('detections');
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.detections FINAL` });
    expect(await count('detections')).toEqual(['fresh']);
    expect(await count('evidence_detections')).toEqual(['old-held-1', 'old-held-2']);
  });

  it('refuses a hold without a case number, and logs the refusal', async () => {
    await expect(
      placeLegalHold({ storage, accessLog }, { user: 'det1', caseNumber: ' ', reason: 'x', criteria: { from: new Date(old), to: new Date(now) } }),
    ).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
  });

  it('exports the case as CSV + JSON with a manifest of SHA-256 checksums that sha256sum accepts', async () => {
    const out = join(temp.dir, 'export-777');
    const manifest = await exportEvidence({ storage, accessLog }, { user: 'det1', caseNumber: 'WPD-26-0777', outDir: out });
    expect(manifest.detections).toBe(2);
    expect(manifest.files.map((f) => f.name)).toEqual(['detections.csv', 'detections.json', 'holds.json', 'README.txt']);
    for (const f of manifest.files) expect(sha256(readFileSync(join(out, f.name)))).toBe(f.sha256);
    const csv = readFileSync(join(out, 'detections.csv'), 'utf8').trim().split('\n');
    // trim() drops the byte-order mark Excel needs (storage/package-csv.ts): it is checked in the bytes.
    expect([...readFileSync(join(out, 'detections.csv')).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv[0]).toMatch(/^"read_id","agency","camera","seen_at","plate"/);
    expect(csv).toHaveLength(3);
    expect(JSON.parse(readFileSync(join(out, 'detections.json'), 'utf8'))).toHaveLength(2);
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' })).toMatch(/manifest.json: OK/);
    await expect(exportEvidence({ storage, accessLog }, { user: 'det1', caseNumber: 'WPD-26-0777', outDir: out })).rejects.toMatchObject({
      code: 'EVIDENCE_FAILED',
    });
  });

  it('records holds and exports in the access log', async () => {
    const rs = await storage.client.query({
      query: `SELECT action, outcome, case_number FROM ${storage.db}.access_log ORDER BY seq`,
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([
      { action: 'hold', outcome: 'ok', case_number: 'WPD-26-0777' },
      { action: 'hold', outcome: 'refused', case_number: '' },
      { action: 'export', outcome: 'ok', case_number: 'WPD-26-0777' },
      // The second names manifest.json's SHA-256 (storage/evidence.ts), written before the package is in place.
      { action: 'export', outcome: 'ok', case_number: 'WPD-26-0777' },
    ]);
    expect((await verifyAccessLog(storage)).ok).toBe(true);
  });
});
