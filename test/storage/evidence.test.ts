// Legal holds and evidence packages when something fails part-way: nothing half-made is left, and
// the access log says what happened (Watsonville §471.6, §471.7).
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog, DetectionWriter, exportEvidence, placeLegalHold, saveUser, type Storage } from '../../storage/index.js';
import { detection, openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
let accessLog: AccessLog;
const T0 = Date.UTC(2026, 10, 2, 10);
const RANGE = { from: new Date(T0 - 3_600_000), to: new Date(T0 + 3_600_000) };

beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
  accessLog = new AccessLog(storage);
  await saveUser(storage, { userId: 'det1', name: 'D. Tective', title: 'Detective', roles: ['analyst'], trainedAt: '2026-01-01', active: true }, 'admin');
  await saveUser(storage, { userId: 'cust1', name: 'C. Ustodian', title: 'Records', roles: ['custodian'], trainedAt: '2026-01-01', active: true }, 'admin');
  const writer = new DetectionWriter(storage);
  await (await writer.enqueue([detection({ readId: 'e1', plate: '6TRK400', seenAt: T0 }), detection({ readId: 'e2', plate: '6TRK400', seenAt: T0 + 60_000 })])).durable;
  await writer.close();
});
afterAll(() => temp.cleanup());

async function lastRecord(user: string): Promise<Record<string, string>> {
  const rs = await storage.client.query({
    query: `SELECT action, outcome, detail, toString(rows_returned) AS rows FROM ${storage.db}.access_log WHERE user_id = {user:String} ORDER BY seq DESC LIMIT 1`,
    query_params: { user },
    format: 'JSONEachRow',
  });
  return (await rs.json<Record<string, string>>())[0] ?? {};
}

async function heldRows(caseNumber: string): Promise<number> {
  const rs = await storage.client.query({
    query: `SELECT count() AS n FROM ${storage.db}.evidence_detections WHERE case_number = {c:String}`,
    query_params: { c: caseNumber },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string }>())[0]?.n);
}

describe('placeLegalHold when storage fails part-way', () => {
  it('takes the copied rows back out, logs the hold as failed and throws EVIDENCE_FAILED', async () => {
    // The hold's own record cannot be written: its table is gone for the moment.
    await storage.client.command({ query: `RENAME TABLE ${storage.db}.legal_holds TO ${storage.db}.legal_holds_away` });
    try {
      await expect(
        placeLegalHold({ storage, accessLog }, { user: 'det1', caseNumber: 'WPD-26-70', reason: 'hit and run', criteria: { ...RANGE, plate: { kind: 'exact', plate: '6TRK400' } } }),
      ).rejects.toMatchObject({ code: 'EVIDENCE_FAILED', message: expect.stringMatching(/^hold not placed: /) });
    } finally {
      await storage.client.command({ query: `RENAME TABLE ${storage.db}.legal_holds_away TO ${storage.db}.legal_holds` });
    }
    expect(await heldRows('WPD-26-70')).toBe(0);
    expect(await lastRecord('det1')).toMatchObject({ action: 'hold', outcome: 'failed', detail: expect.stringMatching(/not placed/) });
    // With its table back, the same hold is placed.
    const r = await placeLegalHold({ storage, accessLog }, { user: 'det1', caseNumber: 'WPD-26-70', reason: 'hit and run', criteria: { ...RANGE, plate: { kind: 'exact', plate: '6TRK400' } } });
    expect(r.rowsHeld).toBe(2);
    expect(await heldRows('WPD-26-70')).toBe(2);
  });
});

async function holdRecords(caseNumber: string): Promise<number> {
  const rs = await storage.client.query({
    query: `SELECT count() AS n FROM ${storage.db}.legal_holds WHERE case_number = {c:String}`,
    query_params: { c: caseNumber },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string }>())[0]?.n);
}

describe('placeLegalHold purposes and empty holds', () => {
  const plate = { kind: 'exact', plate: '6TRK400' } as const;

  it('refuses, on the record, a case number without a number or a reason that says nothing, as a search would', async () => {
    for (const [caseNumber, reason, problem] of [
      ['abc', 'hit and run vehicle', 'case number "abc" has no number in it'],
      ['WPD-26-71', 'x', 'the reason "x" does not say why the data is needed'],
      ['WPD-26-71', 'n/a', 'the reason "n/a" does not say why the data is needed'],
    ] as const) {
      await expect(placeLegalHold({ storage, accessLog }, { user: 'det1', caseNumber, reason, criteria: { ...RANGE, plate } })).rejects.toMatchObject({
        code: 'PURPOSE_REQUIRED', message: expect.stringContaining(`${problem}: a legal hold needs the case or incident number`),
      });
      expect(await lastRecord('det1')).toMatchObject({ action: 'hold', outcome: 'refused', detail: expect.stringContaining(problem) });
      expect(await heldRows(caseNumber)).toBe(0);
    }
    await expect(placeLegalHold({ storage, accessLog }, { user: 'det1', caseNumber: 'WPD-26-70', reason: ' ', criteria: { ...RANGE, plate } })).rejects.toMatchObject({
      code: 'PURPOSE_REQUIRED', message: expect.stringMatching(/^no reason: a legal hold needs/),
    });
  });

  it('refuses a hold that matches no detection, logs it as invalid and records no hold', async () => {
    await expect(
      placeLegalHold({ storage, accessLog }, { user: 'det1', caseNumber: 'WPD-26-72', reason: 'hit and run vehicle', criteria: { ...RANGE, readIds: ['nope'] } }),
    ).rejects.toMatchObject({ code: 'NOTHING_HELD', message: expect.stringContaining('nothing was held for case WPD-26-72') });
    expect(await lastRecord('det1')).toMatchObject({ action: 'hold', outcome: 'invalid', detail: 'no detection matches; nothing was held' });
    expect(await holdRecords('WPD-26-72')).toBe(0);
    expect(await heldRows('WPD-26-72')).toBe(0);
  });
});

describe('exportEvidence', () => {
  it('writes nothing and logs the export as failed when the package cannot be written', async () => {
    const blocker = join(temp.dir, 'not-a-directory');
    writeFileSync(blocker, 'a file where the package directory would go');
    await expect(exportEvidence({ storage, accessLog }, { user: 'cust1', caseNumber: 'WPD-26-70', outDir: join(blocker, 'pkg') })).rejects.toMatchObject({
      code: 'EVIDENCE_FAILED', message: expect.stringMatching(/evidence package not written/),
    });
    expect(await lastRecord('cust1')).toMatchObject({ action: 'export', outcome: 'failed', detail: expect.stringMatching(/package not written/) });
    expect(readdirSync(temp.dir).filter((name) => name.includes('.partial-'))).toEqual([]);
    // The file itself as the output directory: refused in words, before anything is read.
    await expect(exportEvidence({ storage, accessLog }, { user: 'cust1', caseNumber: 'WPD-26-70', outDir: blocker })).rejects.toMatchObject({
      code: 'EVIDENCE_FAILED', message: `output directory ${blocker} is a file, not a directory`,
    });
  });

  it('renames a whole package into place (an empty directory given is used), and leaves no partial directory', async () => {
    const outDir = join(temp.dir, 'pkg-empty');
    execFileSync('mkdir', [outDir]);
    const manifest = await exportEvidence({ storage, accessLog }, { user: 'cust1', caseNumber: 'WPD-26-70', outDir: `${outDir}/` });
    expect(manifest.detections).toBe(2);
    expect(readdirSync(outDir).sort()).toEqual(['SHA256SUMS', 'detections.csv', 'detections.json', 'holds.json', 'manifest.json']);
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: outDir, encoding: 'utf8' })).toMatch(/manifest.json: OK/);
    expect(readdirSync(temp.dir).filter((name) => name.includes('.partial-'))).toEqual([]);
    expect(await lastRecord('cust1')).toMatchObject({ action: 'export', outcome: 'ok', rows: '2' });
  });
});
