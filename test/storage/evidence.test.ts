// Legal holds and evidence packages when something fails part-way: nothing half-made is left, and
// the access log says what happened (Watsonville §471.6, §471.7).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog, DetectionWriter, exportEvidence, placeLegalHold, saveUser, sha256, type EvidenceManifest, type Storage } from '../../storage/index.js';
import { OcrAlphabet } from '../../matcher/index.js';
import { parseCsv as parseRfc4180, type CsvTable } from './rfc4180.js';
import { positionsAt } from './radius-edge.js';
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

/** A package CSV's table: it starts with a UTF-8 byte-order mark (storage/package-csv.ts). */
function parseCsv(text: string): CsvTable {
  expect(text.startsWith('\uFEFF')).toBe(true);
  return parseRfc4180(text.slice(1));
}

/** The newest access log records of `user`, newest first, as stored. */
async function lastRecords(user: string, n: number): Promise<Array<Record<string, string>>> {
  const rs = await storage.client.query({
    // seq_text, not seq: an alias named like the column would sort the numbers as text.
    query: `SELECT chain, toString(seq) AS seq_text, action, outcome, params, detail, toString(rows_returned) AS rows FROM ${storage.db}.access_log
             WHERE user_id = {user:String} ORDER BY seq DESC LIMIT {n:UInt32}`,
    query_params: { user, n },
    format: 'JSONEachRow',
  });
  return (await rs.json<Record<string, string>>()).map(({ seq_text: seq = '', ...r }) => ({ ...r, seq }));
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

// A hold narrowed by `near` selects as a radius search does (storage/search.ts buildDetectionFilter):
// a read just inside the radius is held, whichever way from the centre (found by QA for searches).
describe('placeLegalHold within a radius', () => {
  const T2 = Date.UTC(2026, 10, 9, 10);
  const CENTER = { lat: 36.91, lon: -121.7569 };

  it('holds the reads just inside the radius in every direction and none just outside', async () => {
    const inside = await positionsAt(storage, CENTER, 999.5);
    const outside = await positionsAt(storage, CENTER, 1000.5);
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([
      ...inside.map((p, i) => detection({ readId: `hold-in-${p.direction}`, plate: '6NEAR00', seenAt: T2 + i * 1000, lat: p.lat, lon: p.lon })),
      ...outside.map((p, i) => detection({ readId: `hold-out-${p.direction}`, plate: '6NEAR00', seenAt: T2 + i * 1000 + 500, lat: p.lat, lon: p.lon })),
    ])).durable;
    await writer.close();
    const r = await placeLegalHold({ storage, accessLog }, {
      user: 'det1', caseNumber: 'WPD-26-73', reason: 'vehicles seen near the scene of a robbery',
      criteria: { from: new Date(T2 - 60_000), to: new Date(T2 + 60_000), plate: { kind: 'exact', plate: '6NEAR00' }, near: { ...CENTER, radiusMeters: 1_000 } },
    });
    const rs = await storage.client.query({
      query: `SELECT read_id FROM ${storage.db}.evidence_detections WHERE hold_id = {h:String} ORDER BY read_id`, query_params: { h: r.holdId }, format: 'JSONEachRow',
    });
    expect((await rs.json<{ read_id: string }>()).map((x) => x.read_id)).toEqual(inside.map((p) => `hold-in-${p.direction}`).sort());
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
    expect(readdirSync(outDir).sort()).toEqual(['README.txt', 'SHA256SUMS', 'detections.csv', 'detections.json', 'holds.json', 'manifest.json']);
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: outDir, encoding: 'utf8' })).toMatch(/manifest.json: OK/);
    expect(readdirSync(temp.dir).filter((name) => name.includes('.partial-'))).toEqual([]);
    const [, exported] = await lastRecords('cust1', 2);
    expect(exported).toMatchObject({ action: 'export', outcome: 'ok', rows: '2', seq: String(manifest.accessLogSeq) });
  });
});

describe('an evidence package checked for tampering', () => {
  it("records manifest.json's SHA-256 in the access log, so a file changed with manifest.json and SHA256SUMS recomputed no longer matches it", async () => {
    const outDir = join(temp.dir, 'pkg-tamper');
    const exported = await exportEvidence({ storage, accessLog }, { user: 'cust1', caseNumber: 'WPD-26-70', outDir, reason: 'booking into property' });
    const [sealed, exportRecord] = await lastRecords('cust1', 2);
    // The record the manifest names has every file's SHA-256; the next one, the manifest's.
    expect(exportRecord).toMatchObject({ chain: exported.accessLogChain, seq: String(exported.accessLogSeq), rows: '2' });
    expect((JSON.parse(exportRecord?.['params'] ?? '{}') as { files: unknown }).files).toEqual(exported.files.map(({ name, sha256: sha }) => ({ name, sha256: sha })));
    const manifestText = readFileSync(join(outDir, 'manifest.json'), 'utf8');
    expect(sha256(manifestText)).toBe(exported.manifestSha256);
    expect(sealed).toMatchObject({
      action: 'export', outcome: 'ok', rows: '0',
      detail: `manifest.json SHA-256 ${exported.manifestSha256} (package of export record ${exported.accessLogChain}:${exported.accessLogSeq})`,
    });
    expect(JSON.parse(sealed?.['params'] ?? '{}')).toMatchObject({ manifestSha256: exported.manifestSha256, accessLogSeq: exported.accessLogSeq });
    const logged = /^manifest\.json SHA-256 ([0-9a-f]{64}) /.exec(sealed?.['detail'] ?? '')?.[1];

    // A plate changed in both data files, and manifest.json and SHA256SUMS made again to fit.
    for (const name of ['detections.csv', 'detections.json']) writeFileSync(join(outDir, name), readFileSync(join(outDir, name), 'utf8').replaceAll('6TRK400', '6TRK401'));
    const manifest = JSON.parse(manifestText) as EvidenceManifest;
    manifest.files = manifest.files.map((f) => {
      const body = readFileSync(join(outDir, f.name));
      return { name: f.name, bytes: body.length, sha256: sha256(body) };
    });
    const forged = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(join(outDir, 'manifest.json'), forged);
    writeFileSync(join(outDir, 'SHA256SUMS'), [...manifest.files, { name: 'manifest.json', sha256: sha256(forged) }].map((f) => `${f.sha256}  ${f.name}\n`).join(''));
    // The package checks against itself…
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: outDir, encoding: 'utf8' })).toMatch(/detections\.csv: OK[\s\S]*manifest\.json: OK/);
    // …but not against the access log, whose record is hash-chained and cannot be made again.
    expect(sha256(readFileSync(join(outDir, 'manifest.json')))).not.toBe(logged);
  });

  it('says in the manifest what made it and why: software, time zone, reason, the exporter\'s name and title, with the first fields as they were', async () => {
    const outDir = join(temp.dir, 'pkg-described');
    const exported = await exportEvidence({ storage: { ...storage, config: { ...storage.config, timeZone: 'America/Los_Angeles' } }, accessLog, software: 'platewatch 9.8.7' }, {
      user: 'cust1', caseNumber: 'WPD-26-70', outDir, reason: 'discovery request DR-5',
    });
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(manifest).slice(0, 9)).toEqual(['caseNumber', 'generatedAt', 'generatedBy', 'detections', 'holds', 'accessLogSeq', 'csvNote', 'files']
      .concat('accessLogChain'));
    expect(manifest).toMatchObject({
      caseNumber: 'WPD-26-70', generatedBy: 'cust1', detections: 2, accessLogSeq: exported.accessLogSeq, accessLogChain: accessLog.chain,
      reason: 'discovery request DR-5', generatedByName: 'C. Ustodian', generatedByTitle: 'Records', software: 'platewatch 9.8.7', timeZone: 'America/Los_Angeles',
    });
    expect(exported.manifestSha256).toBe(sha256(readFileSync(join(outDir, 'manifest.json'))));

    // README.txt describes the package, and the manifest and SHA256SUMS cover it.
    const readme = readFileSync(join(outDir, 'README.txt'), 'utf8');
    const flat = readme.replace(/\s+/g, ' ');
    expect(exported.files.map((f) => f.name)).toEqual(['detections.csv', 'detections.json', 'holds.json', 'README.txt']);
    expect(readme.startsWith('Evidence package of case WPD-26-70\r\n')).toBe(true);
    expect(flat).toContain('exported by C. Ustodian, Records (user cust1) for: discovery request DR-5');
    expect(flat).toContain("Made by platewatch 9.8.7. The department's time zone is America/Los_Angeles.");
    for (const column of ['read_id', 'plate_ocr', 'stored_at', 'hold_id', 'hold_ids', 'held_at', 'heading', 'vehicle_year']) expect(readme).toMatch(new RegExp(`\r\n  ${column} +\\S`));
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: outDir, encoding: 'utf8' })).toMatch(/README\.txt: OK/);
  });
});

// Release copies go to other agencies and are opened in spreadsheets: what a camera sends must not
// run there as a formula (OWASP "CSV Injection"), while detections.json keeps it exactly.
describe('the evidence package read in a spreadsheet', () => {
  const T1 = Date.UTC(2026, 11, 5, 9);
  const hostile = {
    readId: '-2+3', plate: '5EVL123', seenAt: T1, lat: 36.5, lon: -121.75,
    vehicleMake: "=cmd|' /C calc'!A0", vehicleModel: '+SUM(1,2)', vehicleColor: '@evil', vehicleType: '\tTab', imageRef: '=HYPERLINK("http://evil","x")',
    candidates: ['\rCR', '5EVL128'], heading: 271.5, vehicleYear: 2014,
  };
  const plain = { readId: 'ev-plain', plate: '5EVL124', seenAt: T1 + 1000, vehicleMake: 'Honda', candidates: ['HLD0007', 'HLD0O07'] };
  const period = { from: new Date(T1 - 60_000), to: new Date(T1 + 60_000) };

  beforeAll(async () => {
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([detection(hostile), detection({ ...plain, lat: undefined, lon: undefined })])).durable;
    await writer.close();
  });

  async function exportOf(caseNumber: string, name: string): Promise<{ dir: string; manifest: EvidenceManifest; csv: CsvTable; csvText: string; json: Array<Record<string, unknown>> }> {
    const dir = join(temp.dir, name);
    const manifest = await exportEvidence({ storage, accessLog }, { user: 'cust1', caseNumber, outDir: dir });
    const csvText = readFileSync(join(dir, 'detections.csv'), 'utf8');
    return { dir, manifest, csv: parseCsv(csvText), csvText, json: JSON.parse(readFileSync(join(dir, 'detections.json'), 'utf8')) as Array<Record<string, unknown>> };
  }

  it("prefixes with ' the CSV text cells a spreadsheet would run, keeps numbers as numbers and the exact values in detections.json", async () => {
    await placeLegalHold({ storage, accessLog }, { user: 'det1', caseNumber: 'WPD-26-80', reason: 'vehicle used in a burglary', criteria: { ...period, readIds: ['-2+3'] } });
    const { dir, manifest, csv, json } = await exportOf('WPD-26-80', 'pkg-hostile');
    expect(csv.rows).toHaveLength(1);
    expect(csv.rows[0]).toMatchObject({
      read_id: "'-2+3", plate: '5EVL123', vehicle_make: "'=cmd|' /C calc'!A0", vehicle_model: "'+SUM(1,2)", vehicle_color: "'@evil",
      vehicle_type: "'\tTab", image_ref: `'=HYPERLINK("http://evil","x")`, candidates: "'\rCR 5EVL128", lat: '36.5', lon: '-121.75',
      heading: '271.5', vehicle_year: '2014',
    });
    // Columns added later go at the end, so a consumer reading columns by position still finds the old ones.
    expect(csv.header).toEqual([
      'read_id', 'agency', 'camera', 'seen_at', 'plate', 'plate_ocr', 'state', 'confidence', 'lat', 'lon', 'vehicle_make', 'vehicle_model',
      'vehicle_color', 'vehicle_type', 'image_ref', 'candidates', 'stored_at', 'hold_id', 'hold_ids', 'held_at', 'heading', 'vehicle_year',
    ]);
    expect(csv.quoted[1]?.[csv.header.indexOf('heading')]).toBe(false);
    // Numbers are written unquoted, so a spreadsheet reads -121.75 as a number.
    const lonAt = csv.header.indexOf('lon');
    expect(csv.quoted[1]?.[lonAt]).toBe(false);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({
      read_id: '-2+3', vehicle_make: hostile.vehicleMake, vehicle_model: hostile.vehicleModel, vehicle_color: hostile.vehicleColor,
      vehicle_type: hostile.vehicleType, image_ref: hostile.imageRef, candidates: hostile.candidates, lat: 36.5, lon: -121.75,
      heading: 271.5, vehicle_year: 2014,
    });
    for (const f of manifest.files) expect(sha256(readFileSync(join(dir, f.name)))).toBe(f.sha256);
    expect(manifest.csvNote).toMatch(/beginning with =, \+, -, @, a tab, a carriage return or ' has one ' added before it.*remove exactly one '.*detections\.json holds the exact values/);
  });

  it('writes an empty cell for no value, times in ISO 8601 UTC, candidates separated by spaces, and a final newline', async () => {
    await placeLegalHold({ storage, accessLog }, { user: 'det1', caseNumber: 'WPD-26-81', reason: 'vehicle used in a burglary', criteria: { ...period, readIds: ['ev-plain'] } });
    const { csv, csvText, json, dir } = await exportOf('WPD-26-81', 'pkg-plain');
    expect(csvText.endsWith('\n')).toBe(true);
    expect(csvText).not.toContain('\\N');
    expect(csv.rows[0]).toMatchObject({ read_id: 'ev-plain', lat: '', lon: '', seen_at: '2026-12-05T09:00:01.000Z', candidates: 'HLD0007 HLD0O07', heading: '', vehicle_year: '' });
    expect(csv.rows[0]?.['held_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // One clock: a detection is held when its hold was placed, not a few ms before.
    const holds = JSON.parse(readFileSync(join(dir, 'holds.json'), 'utf8')) as Array<{ hold_id: string; created_at: string }>;
    expect(holds.find((h) => h.hold_id === csv.rows[0]?.['hold_id'])?.created_at).toBe(csv.rows[0]?.['held_at']);
    // The JSON's times say their zone too; its values are otherwise as stored.
    expect(json[0]).toMatchObject({ seen_at: '2026-12-05T09:00:01.000Z', lat: null, lon: null, candidates: ['HLD0007', 'HLD0O07'], heading: null, vehicle_year: null });
    expect(holds[0]?.created_at).toMatch(/Z$/);
  });

  it('finds the holds of a case whatever the letter case it is typed in, and files them under the case as first typed', async () => {
    await placeLegalHold({ storage, accessLog }, { user: 'det1', caseNumber: 'QA-26-100', reason: 'vehicle used in a burglary', criteria: { ...period, readIds: ['ev-plain'] } });
    const { manifest } = await exportOf('qa-26-100', 'pkg-lower');
    expect(manifest).toMatchObject({ caseNumber: 'QA-26-100', detections: 1, holds: 1 });
    // A second hold typed in other letters joins the case, not a new one.
    await placeLegalHold({ storage, accessLog }, { user: 'det1', caseNumber: ' qa-26-100', reason: 'vehicle used in a burglary', criteria: { ...period, readIds: ['-2+3'] } });
    expect(await holdRecords('QA-26-100')).toBe(2);
    expect(await holdRecords('qa-26-100')).toBe(0);
    expect((await exportOf('Qa-26-100', 'pkg-mixed')).manifest).toMatchObject({ caseNumber: 'QA-26-100', detections: 2, holds: 2 });
  });

  it('names every hold that covers a detection, also after the copies are merged', async () => {
    const first = await placeLegalHold({ storage, accessLog }, { user: 'det1', caseNumber: 'WPD-26-82', reason: 'vehicle used in a burglary', criteria: { ...period, readIds: ['ev-plain'] } });
    const second = await placeLegalHold({ storage, accessLog }, { user: 'det1', caseNumber: 'WPD-26-82', reason: 'seen again near the scene', criteria: { ...period, plate: { kind: 'exact', plate: '5EVL124' } } });
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.evidence_detections FINAL` });
    const { csv, json } = await exportOf('WPD-26-82', 'pkg-twice');
    expect(csv.rows).toHaveLength(1);
    expect(csv.rows[0]).toMatchObject({ hold_id: second.holdId, hold_ids: `${first.holdId} ${second.holdId}` });
    expect(json[0]).toMatchObject({ hold_id: second.holdId, hold_ids: [first.holdId, second.holdId] });
  });
});

// Read ids are the cameras' own: two cameras may send the same one. Evidence keyed by case and
// read id kept one of two such detections held under a case, and dropped the other at merge.
describe('detections sharing a read id held under one case', () => {
  const T4 = Date.UTC(2026, 10, 12, 10);
  const period = { from: new Date(T4 - 60_000), to: new Date(T4 + 60_000) };
  const evidence = () => ({ storage, accessLog });

  beforeAll(async () => {
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([
      detection({ readId: 'shared-1', agency: 'WPD', camera: 'cam-north', plate: '4SHR001', seenAt: T4 }),
      detection({ readId: 'shared-1', agency: 'SCSO', camera: 'cam-east', plate: '4SHR002', seenAt: T4 + 5_000 }),
      detection({ readId: 'shared-2', camera: 'cam-north', plate: '4SHR003', seenAt: T4 + 10_000 }),
      detection({ readId: 'shared-2', camera: 'cam-east', plate: '4SHR004', seenAt: T4 + 15_000 }),
    ])).durable;
    await writer.close();
  });

  async function exported(caseNumber: string, name: string): Promise<{ manifest: EvidenceManifest; json: Array<Record<string, unknown>> }> {
    const dir = join(temp.dir, name);
    const manifest = await exportEvidence(evidence(), { user: 'cust1', caseNumber, outDir: dir });
    return { manifest, json: JSON.parse(readFileSync(join(dir, 'detections.json'), 'utf8')) as Array<Record<string, unknown>> };
  }

  it('holds and exports both, also after the evidence is merged', async () => {
    const hold = await placeLegalHold(evidence(), { user: 'det1', caseNumber: 'WPD-26-90', reason: 'vehicles seen at a robbery', criteria: { ...period, readIds: ['shared-1'] } });
    expect(hold.rowsHeld).toBe(2);
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.evidence_detections FINAL` });
    const { manifest, json } = await exported('WPD-26-90', 'pkg-shared-one-hold');
    expect(manifest.detections).toBe(2);
    expect(json.map((r) => [r['read_id'], r['camera'], r['plate'], r['hold_ids']])).toEqual([
      ['shared-1', 'cam-north', '4SHR001', [hold.holdId]],
      ['shared-1', 'cam-east', '4SHR002', [hold.holdId]],
    ]);
    const rs = await storage.client.query({
      query: `SELECT rows_held, read_ids, detection_keys FROM ${storage.db}.legal_holds WHERE hold_id = {h:String}`, query_params: { h: hold.holdId }, format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{
      rows_held: 2, read_ids: ['shared-1', 'shared-1'],
      detection_keys: [
        { plate_ocr: expect.any(String), seen_at: '2026-11-12 10:00:00.000', read_id: 'shared-1' },
        { plate_ocr: expect.any(String), seen_at: '2026-11-12 10:00:05.000', read_id: 'shared-1' },
      ],
    }]);
  });

  it('holds by detection key only the detection named, not another camera\'s sharing its read id, and logs the key', async () => {
    const named = { plateOcr: new OcrAlphabet().mapPlate('4SHR002'), seenAt: new Date(T4 + 5_000), readId: 'shared-1' };
    const hold = await placeLegalHold(evidence(), { user: 'det1', caseNumber: 'WPD-26-93', reason: 'vehicle seen at a robbery', criteria: { ...period, detections: [named] } });
    expect(hold.rowsHeld).toBe(1);
    const rs = await storage.client.query({
      query: `SELECT read_id, camera, plate FROM ${storage.db}.evidence_detections FINAL WHERE case_number = 'WPD-26-93'`, format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ read_id: 'shared-1', camera: 'cam-east', plate: '4SHR002' }]);
    const [record] = await lastRecords('det1', 1);
    expect(JSON.parse(record?.['params'] ?? 'null')).toMatchObject({ detections: [{ ...named, seenAt: '2026-11-12T10:00:05.000Z' }] });
  });

  it('keeps both when two holds each hold one, and names for each only the hold that covers it', async () => {
    const first = await placeLegalHold(evidence(), { user: 'det1', caseNumber: 'WPD-26-91', reason: 'vehicle seen at a robbery', criteria: { ...period, plate: { kind: 'exact', plate: '4SHR003' } } });
    const second = await placeLegalHold(evidence(), { user: 'det1', caseNumber: 'WPD-26-91', reason: 'second vehicle at the robbery', criteria: { ...period, plate: { kind: 'exact', plate: '4SHR004' } } });
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.evidence_detections FINAL` });
    const { manifest, json } = await exported('WPD-26-91', 'pkg-shared-two-holds');
    expect(manifest).toMatchObject({ detections: 2, holds: 2 });
    expect(json.map((r) => [r['plate'], r['hold_id'], r['hold_ids']])).toEqual([
      ['4SHR003', first.holdId, [first.holdId]],
      ['4SHR004', second.holdId, [second.holdId]],
    ]);
  });

  it('names a hold placed before holds kept their detections (migration 14) for every held detection of the case with a read id it held', async () => {
    // As such a hold was recorded: its copy, and its read ids without detection keys.
    const oldHold = 'hold-before-14';
    const heldAt = "toDateTime64('2026-11-30 08:00:00', 3, 'UTC')";
    await storage.client.command({
      query: `INSERT INTO ${storage.db}.evidence_detections SELECT * EXCEPT (read_source, case_number, hold_id, held_at), 'WPD-26-92', '${oldHold}', ${heldAt}
                FROM ${storage.db}.detections WHERE read_id = 'shared-2' AND plate = '4SHR003'`,
    });
    await storage.client.insert({
      table: `${storage.db}.legal_holds`, format: 'JSONEachRow',
      values: [{ hold_id: oldHold, case_number: 'WPD-26-92', created_at: '2026-11-30 08:00:00.000', created_by: 'det1', reason: 'robbery', criteria: '{}', rows_held: 1, read_ids: ['shared-2'] }],
    });
    const later = await placeLegalHold(evidence(), { user: 'det1', caseNumber: 'WPD-26-92', reason: 'both vehicles at the robbery', criteria: { ...period, readIds: ['shared-2'] } });
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.evidence_detections FINAL` });
    const { manifest, json } = await exported('WPD-26-92', 'pkg-shared-old-hold');
    expect(manifest).toMatchObject({ detections: 2, holds: 2 });
    // Its read ids cannot say which of the two it held: it is named for both.
    expect(json.map((r) => [r['plate'], r['hold_id'], r['hold_ids']])).toEqual([
      ['4SHR003', later.holdId, [oldHold, later.holdId]],
      ['4SHR004', later.holdId, [oldHold, later.holdId]],
    ]);
  });
});

// Cameras that stamp whole seconds and count their own reads send one id at one second, for one
// plate too (found by QA: cam-d and cam-e each sent same-9 for QASAME9; storage kept one).
describe('two cameras\' detections sharing a read id, a second and a plate, held under one case', () => {
  const T5 = Date.UTC(2026, 10, 14, 10);
  const period = { from: new Date(T5 - 60_000), to: new Date(T5 + 60_000) };
  const evidence = () => ({ storage, accessLog });
  const heldOf = async (caseNumber: string) => {
    const rs = await storage.client.query({
      query: `SELECT agency, camera, read_id, plate FROM ${storage.db}.evidence_detections WHERE case_number = {c:String} ORDER BY agency, camera`,
      query_params: { c: caseNumber }, format: 'JSONEachRow',
    });
    return rs.json();
  };
  const both = [
    { agency: 'SCSO', camera: 'cam-d', read_id: 'same-9', plate: 'QASAME9' },
    { agency: 'WPD', camera: 'cam-d', read_id: 'same-9', plate: 'QASAME9' },
    { agency: 'WPD', camera: 'cam-e', read_id: 'same-9', plate: 'QASAME9' },
  ];

  beforeAll(async () => {
    const writer = new DetectionWriter(storage);
    for (const [agency, camera] of [['WPD', 'cam-d'], ['WPD', 'cam-e'], ['SCSO', 'cam-d']] as const) {
      await (await writer.enqueue([detection({ readId: 'same-9', agency, camera, plate: 'QASAME9', seenAt: T5 })])).durable;
    }
    await writer.close();
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.detections FINAL` });
  });

  it('holds, keeps and exports each, also after the evidence is merged', async () => {
    const hold = await placeLegalHold(evidence(), { user: 'det1', caseNumber: 'WPD-26-94', reason: 'vehicles seen at a robbery', criteria: { ...period, plate: { kind: 'exact', plate: 'QASAME9' } } });
    expect(hold.rowsHeld).toBe(3);
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.evidence_detections FINAL` });
    expect(await heldOf('WPD-26-94')).toEqual(both);
    const dir = join(temp.dir, 'pkg-same-second');
    expect((await exportEvidence(evidence(), { user: 'cust1', caseNumber: 'WPD-26-94', outDir: dir })).detections).toBe(3);
    const json = JSON.parse(readFileSync(join(dir, 'detections.json'), 'utf8')) as Array<Record<string, unknown>>;
    // The hold's detection keys name the three once each: the hold is named once for each.
    expect(json.map((r) => [r['agency'], r['camera'], r['hold_ids']])).toEqual([
      ['SCSO', 'cam-d', [hold.holdId]], ['WPD', 'cam-d', [hold.holdId]], ['WPD', 'cam-e', [hold.holdId]],
    ]);
  });

  it('holds by detection key every detection sharing the key (plate, time and read id)', async () => {
    const key = { plateOcr: new OcrAlphabet().mapPlate('QASAME9'), seenAt: new Date(T5), readId: 'same-9' };
    const hold = await placeLegalHold(evidence(), { user: 'det1', caseNumber: 'WPD-26-95', reason: 'vehicle seen at a robbery', criteria: { ...period, detections: [key] } });
    expect(hold.rowsHeld).toBe(3);
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.evidence_detections FINAL` });
    expect(await heldOf('WPD-26-95')).toEqual(both);
  });
});
