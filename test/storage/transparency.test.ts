// The transparency report on real chDB: counts of cameras, reads, hits, searches by how their
// purpose was documented, releases granted and refused by rule, retention — and never a plate,
// nor a covert list's name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessLog, decideRelease, DEFAULT_RELEASE_POLICY, DetectionWriter, placeLegalHold, recordDisposition, recordHits, recordReleaseRequest, renderTransparencyHtml,
  renderTransparencyMarkdown, saveUser, searchDetections, SYSTEM_USER, transparencyReport, type Storage,
} from '../../storage/index.js';
import { detection, openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
let accessLog: AccessLog;
const DAY = Date.UTC(2026, 10, 20);
const period = { from: new Date(DAY - 86_400_000), to: new Date(Date.now() + 86_400_000) };
/** As `hits.covertLists` gives them (bin/config-sections.ts upper-cases; the report does too). */
const COVERT = ['Narc', 'WIRE-9'];

beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
  accessLog = new AccessLog(storage);
  for (const [userId, role] of [['cust1', 'custodian'], ['chief1', 'chief'], ['ana1', 'analyst'], ['ofc1', 'officer']] as const) {
    await saveUser(storage, { userId, name: userId, title: role, roles: [role], trainedAt: '2026-01-15', active: true }, 'admin');
  }
  await saveUser(storage, { userId: 'old1', name: 'old1', title: 'officer', roles: ['officer'], trainedAt: '2020-01-01', trainingExpiresAt: '2021-01-01', active: true }, 'admin');
  const writer = new DetectionWriter(storage);
  await (await writer.enqueue([
    detection({ readId: 't-1', camera: 'cam-1', plate: '7SECRET', seenAt: DAY + 1000 }),
    detection({ readId: 't-2', camera: 'cam-2', plate: '7SECRET', seenAt: DAY + 2000 }),
    detection({ readId: 't-3', camera: 'cam-2', plate: '5OTHER1', seenAt: DAY + 3000 }),
    // Another camera's read under an id cam-2 used too: a read of its own (cameras count their own ids).
    detection({ readId: 't-3', camera: 'cam-1', plate: '5OTHER1', seenAt: DAY + 4000 }),
  ])).durable;
  await writer.close();
  await recordHits(storage, [{
    hitId: 'h-1', readId: 't-1', agency: 'WPD', camera: 'cam-1', seenAt: DAY + 1000, plate: '7SECRET', list: 'SVS', entryId: '7SECRET', entryVersion: 1,
    matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
  }]);
  // Two hits on covert list NARC; WIRE-9 is configured but had none.
  await recordHits(storage, ['h-2', 'h-3'].map((hitId, i) => ({
    hitId, readId: `t-${i + 2}`, agency: 'WPD', camera: 'cam-2', seenAt: DAY + 2000 + i * 1000, plate: '7SECRET', list: 'NARC', entryId: 'NARC-E1', entryVersion: 1,
    matchKind: 'exact' as const, distance: 0, differing: [], stateMatch: 'match' as const,
  })));
  const search = { storage, accessLog };
  const range = { from: new Date(DAY), to: new Date(DAY + 86_400_000) };
  await searchDetections(search, { user: 'ana1', purpose: { caseNumber: 'WPD-26-1' }, plate: { kind: 'exact', plate: '7SECRET' }, ...range });
  await searchDetections(search, { user: 'ana1', purpose: { reason: 'stolen vehicle follow-up' }, ...range });
  await searchDetections(search, { user: 'ana1', purpose: {}, ...range }).catch(() => {});
  // A retroactive look-up, as bin/past-sightings.ts logs it: counted apart from members' searches.
  await accessLog.append({
    user: SYSTEM_USER, action: 'search', outcome: 'ok', params: { plate: { kind: 'ocr', plate: '7SECRET' } }, rowsReturned: 2,
    caseNumber: 'WPD-26-2', reason: 'retroactive hit check for new SVS entry 7SECRET', detail: '',
  });
  // A search logged before case numbers needed a digit: its "case number" is a word, so the report
  // counts it as documented by its reason only.
  await accessLog.append({
    user: 'ana1', action: 'search', outcome: 'ok', params: {}, rowsReturned: 0,
    caseNumber: 'Operation Nightjar', reason: 'narcotics delivery vehicles', detail: '',
  });
  const ctx = { storage, accessLog, policy: DEFAULT_RELEASE_POLICY };
  const base = { agency: 'Santa Cruz Police Department', agencyKind: 'local', requester: 'Det. Lopez', purpose: 'robbery case 26-9',
    criteria: { kind: 'plate', plate: { kind: 'exact', plate: '7SECRET' }, from: range.from.toISOString(), to: range.to.toISOString() } } as const;
  const granted = await recordReleaseRequest(ctx, 'cust1', base);
  await decideRelease(ctx, 'chief1', granted.requestId, 'approve', '');
  await recordReleaseRequest(ctx, 'cust1', { ...base, agency: 'ICE' });
  await recordReleaseRequest(ctx, 'cust1', { ...base, agency: 'Reno PD', agencyState: 'NV' });
  await recordReleaseRequest(ctx, 'cust1', base);
});
afterAll(() => temp.cleanup());

describe('transparency report', () => {
  it('counts cameras, reads, hits, searches by purpose, releases by outcome and rule, and retention', async () => {
    const r = await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', period);
    expect(r.hitsByList).toEqual({ SVS: 1 });
    expect(r).toMatchObject({
      cameras: 2, cameraAgencies: 1, reads: 4, hits: 3, hitsOnCovertLists: 2,
      searches: { withCaseNumber: 1, reasonOnly: 2, refused: 1, bySystem: 1 },
      releases: { received: 4, granted: 1, refused: 2, pending: 1, refusedByRule: { values_act: 1, out_of_state: 1 }, byAgencyKind: { local: 2, federal_immigration: 1, out_of_state: 1 } },
      retention: { detectionDays: 365, hitDays: 365, heldDetections: 0, legalHolds: 0 },
      authorisedUsers: 4,
    });
  });

  it('publishes no plate in any form', async () => {
    const r = await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'cust1', period);
    for (const text of [JSON.stringify(r), renderTransparencyMarkdown(r, 'Watsonville PD'), renderTransparencyHtml(r, 'Watsonville PD')]) {
      expect(text).not.toContain('7SECRET');
      expect(text).not.toContain('5OTHER1');
      expect(text).not.toContain('Santa Cruz');
    }
    expect(renderTransparencyMarkdown(r)).toContain('| Refused under the California Values Act (immigration agency or purpose) | 1 |');
    expect(renderTransparencyHtml(r)).toContain('<td>Plate reads</td><td>4</td>');
  });

  it('is refused to a role without reports.transparency, and the refusal logged; allowed reports are logged too', async () => {
    await expect(transparencyReport({ storage, accessLog, covertLists: COVERT }, 'ofc1', period)).rejects.toMatchObject({ code: 'NOT_PERMITTED' });
    const rs = await storage.client.query({
      query: `SELECT user_id, outcome FROM ${storage.db}.access_log WHERE action = 'report' ORDER BY seq`, format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ user_id: 'chief1', outcome: 'ok' }, { user_id: 'cust1', outcome: 'ok' }, { user_id: 'ofc1', outcome: 'refused' }]);
  });

  it('counts covert lists\' hits on one line with their names withheld, in JSON, Markdown and HTML', async () => {
    const r = await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', period);
    expect(r).toMatchObject({ hits: 3, hitsByList: { SVS: 1 }, hitsOnCovertLists: 2 });
    const markdown = renderTransparencyMarkdown(r, 'Watsonville PD');
    const html = renderTransparencyHtml(r, 'Watsonville PD');
    expect(markdown).toContain('| Hits (all lists) | 3 |');
    expect(markdown).toContain('| Hits on SVS | 1 |');
    expect(markdown).toContain('| Hits on covert lists (names withheld) | 2 |');
    expect(html).toContain('<td>Hits on covert lists (names withheld)</td><td>2</td>');
    for (const text of [JSON.stringify(r), markdown, html]) {
      expect(text).not.toMatch(/NARC|WIRE-9/i);
      expect(text).not.toContain('7SECRET');
    }
  });

  it("labels the period in the department's days, or exactly with offsets when the ends are not its midnights", async () => {
    const r = await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', period);
    expect(r.timeZone).toBe(storage.config.timeZone);
    // November in California (PDT to PST): both ends are midnights there.
    const november = { ...r, timeZone: 'America/Los_Angeles', from: '2026-11-01T07:00:00.000Z', to: '2026-12-01T08:00:00.000Z' };
    expect(renderTransparencyMarkdown(november)).toContain('Period: 2026-11-01 through 2026-11-30, America/Los_Angeles days. Generated');
    expect(renderTransparencyHtml(november)).toContain('<p>Period: 2026-11-01 through 2026-11-30, America/Los_Angeles days. Generated');
    // A two-hour window was printed "2026-12-06 to 2026-12-06 (UTC)".
    const twoHours = { ...november, from: '2026-12-06T16:00:00.000Z', to: '2026-12-06T18:00:00.000Z' };
    expect(renderTransparencyMarkdown(twoHours)).toContain('Period: 2026-12-06T08:00-08:00 up to 2026-12-06T10:00-08:00 (the end not included). Generated');
    // UTC November is not California's November, and is not labelled as if it were.
    expect(renderTransparencyMarkdown({ ...november, from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' })).not.toContain('through');
  });

  it('names every list when none is covert, and says no covert list had hits', async () => {
    const r = await transparencyReport({ storage, accessLog, covertLists: [] }, 'chief1', period);
    expect(r).toMatchObject({ hits: 3, hitsByList: { NARC: 2, SVS: 1 }, hitsOnCovertLists: 0 });
    expect(renderTransparencyMarkdown(r)).toContain('| Hits on covert lists (names withheld) | 0 |');
  });

  it('counts what happened in a past period and shows statuses as they stood at its end, so regenerating it gives the same numbers (found by QA)', async () => {
    const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
    const ctx = { storage, accessLog, policy: DEFAULT_RELEASE_POLICY };
    const evidence = { storage, accessLog };
    const range = { from: new Date(DAY), to: new Date(DAY + 86_400_000) };
    const base = { agency: 'Capitola Police Department', agencyKind: 'local', requester: 'Det. Ruiz', purpose: 'burglary case 26-31',
      criteria: { kind: 'plate', plate: { kind: 'exact', plate: '7SECRET' }, from: range.from.toISOString(), to: range.to.toISOString() } } as const;
    await saveUser(storage, { userId: 'ofc9', name: 'ofc9', title: 'officer', roles: ['officer'], trainedAt: '2026-01-15', active: true }, 'admin');
    await tick();
    const from = new Date();
    await tick();
    // Within the period: a hit and its disposition; two requests, one approved; a hold of two reads.
    await recordHits(storage, [{
      hitId: 'h-past', readId: 't-past', agency: 'WPD', camera: 'cam-1', seenAt: Date.now(), plate: '6PAST01', list: 'SVS', entryId: '6PAST01', entryVersion: 1,
      matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
    }]);
    const disposition = { hitId: 'h-past', seenAt: Date.now(), user: 'ofc9', visualVerified: true, cletsVerified: true, notes: '' } as const;
    await recordDisposition(storage, { ...disposition, disposition: 'not_located' });
    const approvedIn = await recordReleaseRequest(ctx, 'cust1', base);
    await decideRelease(ctx, 'chief1', approvedIn.requestId, 'approve', '');
    const approvedAfter = await recordReleaseRequest(ctx, 'cust1', base);
    await placeLegalHold(evidence, { user: 'ana1', caseNumber: 'WPD-26-80', reason: 'robbery', criteria: { ...range, plate: { kind: 'exact', plate: '7SECRET' } } });
    await tick();
    const to = new Date();
    await tick();
    // After its end: the disposition corrected, the officer disabled, the second request approved, a second hold placed.
    await recordDisposition(storage, { ...disposition, disposition: 'arrest' });
    await saveUser(storage, { userId: 'ofc9', name: 'ofc9', title: 'officer', roles: ['officer'], trainedAt: '2026-01-15', active: false }, 'admin');
    await decideRelease(ctx, 'chief1', approvedAfter.requestId, 'approve', '');
    await placeLegalHold(evidence, { user: 'ana1', caseNumber: 'WPD-26-81', reason: 'robbery', criteria: { ...range, plate: { kind: 'exact', plate: '5OTHER1' } } });

    const past = await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', { from, to });
    expect(past.releases).toMatchObject({ received: 2, granted: 1, pending: 1, refused: 0 });
    expect(past.retention).toMatchObject({ legalHolds: 1, heldDetections: 2 });
    expect(past.dispositions).toEqual({ not_located: 1 });
    // Published in the answers' own words and order, as the console's buttons say them, not as codes.
    expect(renderTransparencyMarkdown(past)).toContain('| Could not locate | 1 |');
    expect(renderTransparencyMarkdown(past)).not.toContain('not_located');
    const again = await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', { from, to });
    expect({ ...again, generatedAt: '' }).toEqual({ ...past, generatedAt: '' });

    const untilNow = await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', { from, to: new Date(Date.now() + 60_000) });
    expect(untilNow.releases).toMatchObject({ received: 2, granted: 2, pending: 0 });
    expect(untilNow.retention).toMatchObject({ legalHolds: 2, heldDetections: 4 }); // the second hold: both cameras' 5OTHER1 reads
    expect(untilNow.dispositions).toEqual({ arrest: 1 });
    // ofc9 was an authorised user at the period's end, and is not now.
    expect(past.authorisedUsers).toBe(untilNow.authorisedUsers + 1);
  });

  // Read ids are the cameras' own, and two cameras may send the same one (docs/storage.md).
  it("gives the dispositions in the answers' order (the cards' buttons), not by their codes' spelling", async () => {
    // A period of its own, a day ahead: nothing else recorded falls in it.
    const day = Date.now() + 86_400_000;
    for (const [hitId, disposition] of [['ord-1', 'other'], ['ord-2', 'not_located'], ['ord-3', 'recovered'], ['ord-4', 'confirmed']] as const) {
      await recordHits(storage, [{
        hitId, readId: hitId, agency: 'WPD', camera: 'cam-1', seenAt: day, plate: '6ORDR01', list: 'SVS', entryId: '6ORDR01', entryVersion: 1,
        matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
      }]);
      await recordDisposition(storage, { hitId, seenAt: day, user: 'ofc9', visualVerified: true, cletsVerified: true, notes: '', disposition });
    }
    const r = await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', { from: new Date(day - 60_000), to: new Date(day + 60_000) });
    expect(Object.keys(r.dispositions)).toEqual(['confirmed', 'not_located', 'recovered', 'other']);
    expect(renderTransparencyMarkdown(r)).toMatch(/\| Confirmed and acted on \| 1 \|\n\| Could not locate \| 1 \|\n\| Vehicle recovered \| 1 \|\n\| Other \| 1 \|/);
  });

  it('counts two held detections sharing a read id as two, also after the evidence is merged', async () => {
    const seen = Date.UTC(2026, 5, 1, 12);
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([
      detection({ readId: 'dup-1', camera: 'cam-1', plate: '6DUPA01', seenAt: seen }),
      detection({ readId: 'dup-1', camera: 'cam-2', plate: '6DUPB02', seenAt: seen + 4000 }),
    ])).durable;
    await writer.close();
    // Held counts are of every hold placed before the period's end: this hold adds to the earlier tests'.
    const until = { from: new Date(DAY), to: new Date(Date.now() + 600_000) };
    const before = (await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', until)).retention;
    await placeLegalHold({ storage, accessLog }, {
      user: 'ana1', caseNumber: 'WPD-26-85', reason: 'vehicles at a robbery', criteria: { from: new Date(seen - 60_000), to: new Date(seen + 60_000), readIds: ['dup-1'] },
    });
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.evidence_detections FINAL` });
    const after = (await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', until)).retention;
    expect(after).toMatchObject({ legalHolds: before.legalHolds + 1, heldDetections: before.heldDetections + 2 });
  });

  // Cameras stamping whole seconds send one id at one second for one plate (found by QA).
  it('counts two cameras\' held detections sharing a read id, a second and a plate as two, also after the evidence is merged', async () => {
    const seen = Date.UTC(2026, 5, 2, 12);
    const writer = new DetectionWriter(storage);
    for (const camera of ['cam-d', 'cam-e']) {
      await (await writer.enqueue([detection({ readId: 'same-9', camera, plate: '6SAME09', seenAt: seen })])).durable;
    }
    await writer.close();
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.detections FINAL` });
    const until = { from: new Date(DAY), to: new Date(Date.now() + 600_000) };
    const before = (await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', until)).retention;
    const hold = await placeLegalHold({ storage, accessLog }, {
      user: 'ana1', caseNumber: 'WPD-26-86', reason: 'vehicles at a robbery', criteria: { from: new Date(seen - 60_000), to: new Date(seen + 60_000), readIds: ['same-9'] },
    });
    expect(hold.rowsHeld).toBe(2);
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.evidence_detections FINAL` });
    const after = (await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', until)).retention;
    expect(after).toMatchObject({ legalHolds: before.legalHolds + 1, heldDetections: before.heldDetections + 2 });
  });

  // Last: it registers a person under the system's id, which every later report would see.
  it("counts searches under the system's id as members' when a person holds that id (stored before it was reserved)", async () => {
    const before = await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', period);
    expect(before.searches).toMatchObject({ withCaseNumber: 1, bySystem: 1 });
    await storage.client.insert({
      table: `${storage.db}.users`, format: 'JSONEachRow',
      values: [{ user_id: SYSTEM_USER, version: 1, name: 'Pre-rule', title: 'analyst', roles: ['analyst'], trained_at: '2026-01-15', training_expires_at: null, active: true, updated_at: Date.now(), updated_by: 'admin' }],
    });
    const after = await transparencyReport({ storage, accessLog, covertLists: COVERT }, 'chief1', period);
    expect(after.searches).toMatchObject({ withCaseNumber: 2, bySystem: 0 });
  });
});
