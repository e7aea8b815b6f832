// The data a release request asks for, selected on real chDB (storage/release-request.ts
// criteriaSelection): a case's held evidence is released one row a detection, as detections are
// stored, not one a read id (read ids are the cameras' own and repeat across cameras).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessLog, decideRelease, DEFAULT_RELEASE_POLICY, DetectionWriter, placeLegalHold, produceReleasePackage, readPackageFile, recordReleaseRequest,
  saveUser, viewRelease, type PackageContext, type Storage,
} from '../../storage/index.js';
import { detection, openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
let ctx: PackageContext;
let accessLog: AccessLog;
const SEEN = Date.UTC(2026, 10, 20, 9);

beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
  accessLog = new AccessLog(storage);
  ctx = { storage, accessLog, policy: DEFAULT_RELEASE_POLICY, packagesDir: join(temp.dir, 'releases') };
  for (const [userId, role] of [['cust1', 'custodian'], ['chief1', 'chief']] as const) {
    await saveUser(storage, { userId, name: `User ${userId}`, title: role, roles: [role], trainedAt: '2026-01-15', active: true }, 'admin');
  }
  const writer = new DetectionWriter(storage);
  await (await writer.enqueue([
    detection({ readId: 'same-id', agency: 'WPD', camera: 'cam-north', plate: '5TWO001', seenAt: SEEN }),
    detection({ readId: 'same-id', agency: 'SCSO', camera: 'cam-east', plate: '5TWO002', seenAt: SEEN + 7_000 }),
  ])).durable;
  await writer.close();
});
afterAll(() => temp.cleanup());

describe('a release of a case\'s held evidence', () => {
  it('approves and releases both of two held detections sharing a read id, also after the evidence is merged', async () => {
    const period = { from: new Date(SEEN - 60_000), to: new Date(SEEN + 60_000) };
    // Two holds, one detection each: the evidence rows differ only past the old key (case, read id).
    for (const plate of ['5TWO001', '5TWO002']) {
      await placeLegalHold({ storage, accessLog }, { user: 'cust1', caseNumber: 'WPD-26-0500', reason: 'vehicles at a shooting', criteria: { ...period, plate: { kind: 'exact', plate } } });
    }
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.evidence_detections FINAL` });
    const r = await recordReleaseRequest(ctx, 'cust1', {
      agency: 'Santa Cruz Police Department', agencyKind: 'local', requester: 'Det. M. Lopez', purpose: 'joint shooting investigation, SCPD case 26-0500',
      criteria: { kind: 'case', caseNumber: 'WPD-26-0500' },
    });
    const pending = await viewRelease(ctx, 'chief1', r.requestId);
    expect(pending.matchingNow).toMatchObject({ detections: 2, plates: ['5TWO001', '5TWO002'] });
    expect(await decideRelease(ctx, 'chief1', r.requestId, 'approve', '')).toMatchObject({ approvedDetections: 2 });
    const manifest = await produceReleasePackage(ctx, 'cust1', r.requestId);
    expect(manifest).toMatchObject({ detections: 2, approvedDetections: 2 });
    const json = JSON.parse((await readPackageFile(ctx, 'cust1', r.requestId, 'detections.json')).body) as Array<Record<string, unknown>>;
    expect(json.map((d) => [d['read_id'], d['agency'], d['camera'], d['plate']])).toEqual([
      ['same-id', 'WPD', 'cam-north', '5TWO001'],
      ['same-id', 'SCSO', 'cam-east', '5TWO002'],
    ]);
  });
});
