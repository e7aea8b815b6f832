import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OcrAlphabet } from '../../matcher/index.js';
import {
  AccessLog, buildDetectionFilter, buildSearchQuery, DEFAULT_SEARCH_TIMEOUT_MS, DetectionWriter, firstOfEachRead, type SearchRequest, saveUser, searchDetections,
  type Storage, StorageError, verifyAccessLog,
} from '../../storage/index.js';
import { clickHouseDistances, destination, positionsAt } from './radius-edge.js';
import { detection, openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
let accessLog: AccessLog;
const T0 = Date.UTC(2026, 9, 1, 8, 0, 0);
const HOUR = 3_600_000;
const WATSONVILLE = { lat: 36.9102, lon: -121.7569 };

beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
  accessLog = new AccessLog(storage);
  await saveUser(storage, { userId: 'analyst1', name: 'A. Analyst', title: 'Crime Analyst', roles: ['analyst'], trainedAt: '2026-01-15', active: true }, 'admin');
  await saveUser(storage, { userId: 'newhire', name: 'N. Hire', title: 'Officer', roles: ['officer'], trainedAt: null, active: true }, 'admin');
  const writer = new DetectionWriter(storage);
  const rows = [
    detection({ readId: 'exact-1', plate: '7ABC123', seenAt: T0 + 1 * HOUR, camera: 'main-st' }),
    detection({ readId: 'exact-2', plate: '7ABC123', seenAt: T0 + 5 * HOUR, camera: 'freeway', agency: 'SCSO', lat: 36.97, lon: -122.03 }),
    detection({ readId: 'ocr-1', plate: '7A8C1Z3', seenAt: T0 + 2 * HOUR }), // OCR-equivalent of 7ABC123
    detection({ readId: 'fuzzy-sub', plate: '7ABX123', seenAt: T0 + 3 * HOUR }),
    detection({ readId: 'fuzzy-del', plate: '7ABC12', seenAt: T0 + 4 * HOUR }),
    detection({ readId: 'fuzzy-ins', plate: '7ABC1234', seenAt: T0 + 6 * HOUR }),
    detection({ readId: 'two-edits', plate: '7AXX123', seenAt: T0 + 7 * HOUR }),
    detection({ readId: 'other', plate: '4XYZ999', seenAt: T0 + 8 * HOUR }),
    detection({ readId: 'outside-range', plate: '7ABC123', seenAt: T0 + 100 * HOUR }),
    { ...detection({ readId: 'no-location', plate: '9NOLOC1', seenAt: T0 + 30 * HOUR }), lat: undefined, lon: undefined },
  ];
  await (await writer.enqueue(rows)).durable;
  await (await writer.enqueue([rows[0]!])).durable; // a redelivered read, not yet merged
  await writer.close();
});
afterAll(() => temp.cleanup());

const base = (over: Partial<SearchRequest> = {}): SearchRequest => ({
  user: 'analyst1',
  purpose: { caseNumber: 'WPD-26-0042' },
  from: new Date(T0),
  to: new Date(T0 + 24 * HOUR),
  ...over,
});
const ctx = () => ({ storage, accessLog });
const ids = async (over: Partial<SearchRequest>) => (await searchDetections(ctx(), base(over))).rows.map((r) => r.readId);

/** The read ids of every page of a search, following its cursor (at most 10 pages). */
async function everyPage(request: (before: SearchRequest['before']) => SearchRequest): Promise<string[]> {
  const seen: string[] = [];
  let before: SearchRequest['before'];
  for (let page = 0; page < 10; page++) {
    const r = await searchDetections(ctx(), request(before));
    seen.push(...r.rows.map((x) => x.readId));
    before = r.nextCursor;
    if (before === undefined) break;
  }
  return seen;
}

async function lastAccess(): Promise<Record<string, unknown>> {
  const rs = await storage.client.query({
    query: `SELECT * FROM ${storage.db}.access_log ORDER BY seq DESC LIMIT 1`,
    format: 'JSONEachRow',
  });
  return (await rs.json<Record<string, unknown>>())[0] ?? {};
}

describe('search: plate kinds', () => {
  it('finds a full plate, newest first, each read once', async () => {
    expect(await ids({ plate: { kind: 'exact', plate: '7abc-123' } })).toEqual(['exact-2', 'exact-1']);
  });

  it('finds OCR-equivalent plates', async () => {
    expect(await ids({ plate: { kind: 'ocr', plate: '7ABC123' } })).toEqual(['exact-2', 'ocr-1', 'exact-1']);
  });

  it('finds plates within one edit after OCR mapping, with the distance', async () => {
    const r = await searchDetections(ctx(), base({ plate: { kind: 'fuzzy', plate: '7ABC123' } }));
    expect(r.rows.map((x) => [x.readId, x.distance])).toEqual([
      ['fuzzy-ins', 1], ['exact-2', 0], ['fuzzy-del', 1], ['fuzzy-sub', 1], ['ocr-1', 0], ['exact-1', 0],
    ]);
  });

  it('finds partial patterns: ? one character, * any run', async () => {
    expect(await ids({ plate: { kind: 'partial', pattern: '7AB?123' } })).toEqual(['exact-2', 'fuzzy-sub', 'ocr-1', 'exact-1']);
    expect(await ids({ plate: { kind: 'partial', pattern: '*C1234' } })).toEqual(['fuzzy-ins']);
    expect(await ids({ plate: { kind: 'partial', pattern: '4X*9' } })).toEqual(['other']);
  });
});

describe('search: filters and paging', () => {
  it('limits by time range, agency, camera and radius', async () => {
    const plate = { kind: 'exact', plate: '7ABC123' } as const;
    expect(await ids({ plate, to: new Date(T0 + 200 * HOUR) })).toEqual(['outside-range', 'exact-2', 'exact-1']);
    expect(await ids({ plate, agencies: ['SCSO'] })).toEqual(['exact-2']);
    expect(await ids({ plate, cameras: ['main-st', 'elsewhere'] })).toEqual(['exact-1']);
    expect(await ids({ plate, near: { ...WATSONVILLE, radiusMeters: 2_000 } })).toEqual(['exact-1']);
    expect(await ids({ plate, near: { ...WATSONVILLE, radiusMeters: 40_000 } })).toEqual(['exact-2', 'exact-1']);
  });

  it('matches agencies and cameras in any letter case, whatever case the camera sent them in', async () => {
    // QA: reads on alpr.reads.scpd.<camera> were stored as 'scpd', and agencies ["SCPD"] found none.
    const T_CASE = Date.UTC(2026, 9, 5, 8, 0, 0); // a day of its own, so no other test sees these reads
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([
      detection({ readId: 'case-lower', plate: '7ABC123', seenAt: T_CASE + 1000, agency: 'scpd', camera: 'gate-a' }),
      detection({ readId: 'case-upper', plate: '7ABC123', seenAt: T_CASE + 2000, agency: 'SCSO', camera: 'Gate-B' }),
    ])).durable;
    await writer.close();
    const found = (over: Partial<SearchRequest>) => ids({ from: new Date(T_CASE), to: new Date(T_CASE + HOUR), ...over });
    expect(await found({ agencies: ['SCPD'] })).toEqual(['case-lower']);
    expect(await found({ agencies: ['scso'] })).toEqual(['case-upper']);
    expect(await found({ agencies: ['Scpd', 'sCsO'], plate: { kind: 'exact', plate: '7ABC123' } })).toEqual(['case-upper', 'case-lower']);
    expect(await found({ cameras: ['GATE-A'] })).toEqual(['case-lower']);
    expect(await found({ cameras: ['gate-b'], agencies: ['SCSO'] })).toEqual(['case-upper']);
    expect(await found({ cameras: ['gate-b'], agencies: ['SCPD'] })).toEqual([]);
  });

  it('keeps a read without a position as no position: never at 0,0, never in a radius', async () => {
    const plate = { kind: 'exact', plate: '9NOLOC1' } as const;
    const to = new Date(T0 + 48 * HOUR); // outside the other tests' range, so their results stay as they are
    const found = (await searchDetections(ctx(), base({ plate, to }))).rows.find((r) => r.readId === 'no-location');
    expect(found).toMatchObject({ lat: null, lon: null });
    expect(await ids({ plate, to, near: { lat: 0, lon: 0, radiusMeters: 500_000 } })).toEqual([]);
  });

  it('pages a fuzzy search (two key branches) without losing or repeating reads', async () => {
    expect(await everyPage((before) => base({ plate: { kind: 'fuzzy', plate: '7ABC123' }, limit: 2, before }))).toEqual(
      ['fuzzy-ins', 'exact-2', 'fuzzy-del', 'fuzzy-sub', 'ocr-1', 'exact-1'],
    );
  });

  it('pages newest first with a cursor', async () => {
    expect(await everyPage((before) => base({ limit: 3, before }))).toEqual(
      ['other', 'two-edits', 'fuzzy-ins', 'exact-2', 'fuzzy-del', 'fuzzy-sub', 'ocr-1', 'exact-1'],
    );
  });

  // A cursor on the last page sent the analyst on to an empty one.
  it('gives a cursor only when older detections follow the page', async () => {
    const exact = { kind: 'exact', plate: '7ABC123' } as const;
    const cursorOf = async (over: Partial<SearchRequest>) => (await searchDetections(ctx(), base(over))).nextCursor;
    expect(await cursorOf({ plate: exact, limit: 1 })).toBeDefined();
    expect(await cursorOf({ plate: exact, limit: 2 })).toBeUndefined(); // exact-1, exact-2: all of them
    expect(await cursorOf({ limit: 7 })).toBeDefined(); // no plate: the windowed scan
    expect(await cursorOf({ limit: 8 })).toBeUndefined();
    const last = await searchDetections(ctx(), base({ limit: 4, before: await cursorOf({ limit: 4 }) }));
    expect(last.rows.map((r) => r.readId)).toEqual(['fuzzy-del', 'fuzzy-sub', 'ocr-1', 'exact-1']);
    expect(last.nextCursor).toBeUndefined();
  });
});

// wire.md accepts a read's heading (direction of travel) and the classifier's model year: an
// analyst sees both, and a read without them shows none (NULL), never due north or year 0.
describe('search: direction of travel and model year', () => {
  const T_DIR = T0 - 120 * HOUR; // a range of its own: no other test's reads in it
  const range = { from: new Date(T_DIR), to: new Date(T_DIR + HOUR) };

  beforeAll(async () => {
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([
      detection({ readId: 'dir-both', plate: '3DIR001', seenAt: T_DIR + 1000, heading: 142.5, vehicleYear: 2019, vehicleMake: 'Toyota' }),
      detection({ readId: 'dir-north', plate: '3DIR001', seenAt: T_DIR + 2000, heading: 0, vehicleYear: 1900 }),
      detection({ readId: 'dir-none', plate: '3DIR001', seenAt: T_DIR + 3000 }),
      // Not a Float32: stored as 201.6999969…, shown as sent.
      detection({ readId: 'dir-tenth', plate: '3DIR001', seenAt: T_DIR + 4000, heading: 201.7 }),
    ])).durable;
    await writer.close();
  });

  it('returns the heading and vehicle year a camera sent, and null where it sent none', async () => {
    for (const plate of [{ kind: 'exact', plate: '3DIR001' }, { kind: 'partial', pattern: '3DIR*' }, undefined] as const) {
      const r = await searchDetections(ctx(), base({ ...range, ...(plate === undefined ? {} : { plate }) }));
      expect(r.rows.map((x) => [x.readId, x.heading, x.vehicleYear])).toEqual([
        ['dir-tenth', 201.7, null], ['dir-none', null, null], ['dir-north', 0, 1900], ['dir-both', 142.5, 2019],
      ]);
    }
  });
});

// A radius search checks ClickHouse's greatCircleDistance; the box that goes first must never be
// smaller than it (found by QA: a box sized for a larger Earth dropped reads 998.7–999.6 m away
// from a 1 km search), nor end at ±180° of longitude or explode near a pole.
describe('search: a radius', () => {
  const T_NEAR = T0 - 240 * HOUR; // a range of its own: no other test's reads in it
  const CENTER = { lat: 36.91, lon: -121.7569 };
  const RADII = [1_000, 100_000];
  const near = (radiusMeters: number, center: { lat: number; lon: number } = CENTER) => ({
    from: new Date(T_NEAR), to: new Date(T_NEAR + HOUR), near: { ...center, radiusMeters },
  });
  const inside = new Map<number, string[]>();
  const outside = new Map<number, string[]>();

  beforeAll(async () => {
    const rows = [];
    let n = 0;
    for (const radius of RADII) {
      // Just inside (0.9995 r) and just outside (1.0005 r), as greatCircleDistance measures them.
      for (const [fraction, into, tag] of [[0.9995, inside, 'in'], [1.0005, outside, 'out']] as const) {
        const points = await positionsAt(storage, CENTER, radius * fraction);
        for (const p of points) expect(Math.abs(p.distance - radius * fraction)).toBeLessThan(radius * 0.0001);
        into.set(radius, points.map((p) => `near-${radius}-${tag}-${p.direction}`));
        rows.push(...points.map((p) => detection({ readId: `near-${radius}-${tag}-${p.direction}`, plate: '2NEAR00', seenAt: T_NEAR + ++n * 1000, lat: p.lat, lon: p.lon })));
      }
    }
    rows.push(
      detection({ readId: 'near-antimeridian-west', plate: '2NEAR00', seenAt: T_NEAR + ++n * 1000, lat: 0, lon: -179.999 }),
      detection({ readId: 'near-antimeridian-east', plate: '2NEAR00', seenAt: T_NEAR + ++n * 1000, lat: 0, lon: 179.999 }),
      detection({ readId: 'near-pole-120', plate: '2NEAR00', seenAt: T_NEAR + ++n * 1000, lat: 89.99, lon: 120 }),
      detection({ readId: 'near-pole-minus-150', plate: '2NEAR00', seenAt: T_NEAR + ++n * 1000, lat: 89.995, lon: -150 }),
    );
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue(rows)).durable;
    await writer.close();
  });

  it('finds reads just inside the radius in every direction (N, S, E, W and between), and none just outside', async () => {
    for (const radius of RADII) {
      const found = new Set(await ids(near(radius)));
      expect({ radius, missing: inside.get(radius)!.filter((id) => !found.has(id)) }).toEqual({ radius, missing: [] });
      expect({ radius, beyond: outside.get(radius)!.filter((id) => found.has(id)) }).toEqual({ radius, beyond: [] });
    }
  });

  it('reaches across ±180° of longitude', async () => {
    expect(await ids(near(1_000, { lat: 0, lon: 179.999 }))).toEqual(['near-antimeridian-east', 'near-antimeridian-west']);
    expect(await ids(near(1_000, { lat: 0, lon: -179.999 }))).toEqual(['near-antimeridian-east', 'near-antimeridian-west']);
  });

  it('finds reads on the far side of a pole', async () => {
    // 0.01° from the pole: 120° of longitude away is under 2 km (measured, not assumed, below).
    const [d120, d150] = await clickHouseDistances(storage, { lat: 89.99, lon: 0 }, [{ lat: 89.99, lon: 120 }, { lat: 89.995, lon: -150 }]);
    expect(d120).toBeLessThan(5_000);
    expect(d150).toBeLessThan(5_000);
    expect(await ids(near(5_000, { lat: 89.99, lon: 0 }))).toEqual(['near-pole-minus-150', 'near-pole-120']);
  });

  it('keeps exactly the positions greatCircleDistance puts within the radius, wherever the centre and whatever the radius', async () => {
    // The filter's own conditions (box and exact check) over positions around each centre at
    // 0.99–1.01 of the radius, against greatCircleDistance alone: any difference is a position
    // the box dropped.
    const centers = [
      CENTER, { lat: 0, lon: 0 }, { lat: 0, lon: 179.999 }, { lat: -0.5, lon: -179.9 }, { lat: 60, lon: 10 }, { lat: -45, lon: -179.99 },
      { lat: 75, lon: 179.5 }, { lat: 84, lon: -30 }, { lat: 89.99, lon: 0 }, { lat: -89.5, lon: 100 },
    ];
    for (const center of centers) {
      for (const radiusMeters of [50, 1_000, 100_000, 500_000]) {
        const points = [];
        for (let bearing = 0; bearing < 360; bearing += 7.5) {
          for (const f of [0.99, 0.999, 0.9999, 1.0001, 1.001, 1.01]) points.push(destination(center, bearing, radiusMeters * f));
        }
        const filter = buildDetectionFilter({ from: new Date(T0), to: new Date(T0 + HOUR), near: { ...center, radiusMeters } }, new OcrAlphabet());
        if (!filter.ok) throw new Error(filter.reason);
        const where = filter.where.filter((c) => !c.includes('seen_at'));
        const rs = await storage.client.query({
          query: `SELECT countIf(${where.join(' AND ')}) AS kept, countIf(greatCircleDistance(lon, lat, {lon:Float64}, {lat:Float64}) <= {radius:Float64}) AS within
                    FROM (SELECT p.1 AS lat, p.2 AS lon FROM (SELECT arrayJoin(arrayZip({lats:Array(Float64)}, {lons:Array(Float64)})) AS p))`,
          query_params: { ...filter.params, lats: points.map((p) => p.lat), lons: points.map((p) => p.lon) },
          format: 'JSONEachRow',
        });
        const [row] = await rs.json<{ kept: string; within: string }>();
        const within = Number(row?.within);
        expect(within, `${JSON.stringify(center)} ${radiusMeters} m`).toBeGreaterThan(0);
        expect({ center, radiusMeters, kept: Number(row?.kept) }).toEqual({ center, radiusMeters, kept: within });
      }
    }
  });
});

// Watsonville §471.7(e): every detection browsing inquiry is documented by a case/incident number and/or a reason.
describe('search: purpose, authorisation and the access log', () => {
  it('refuses a search without a purpose, and logs the refusal', async () => {
    await expect(searchDetections(ctx(), base({ purpose: {} }))).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
    expect(await lastAccess()).toMatchObject({ user_id: 'analyst1', action: 'search', outcome: 'refused' });
    await expect(searchDetections(ctx(), base({ purpose: { reason: '   ' } }))).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
  });

  it('refuses a placeholder reason or a case "number" with no number in it, and logs the refusal', async () => {
    await expect(searchDetections(ctx(), base({ purpose: { reason: 'test' } }))).rejects.toMatchObject({
      code: 'PURPOSE_REQUIRED', message: expect.stringMatching(/the reason "test" does not say why/),
    });
    expect(await lastAccess()).toMatchObject({ user_id: 'analyst1', action: 'search', outcome: 'refused', reason: 'test' });
    await expect(searchDetections(ctx(), base({ purpose: { caseNumber: 'pending', reason: 'n/a' } }))).rejects.toMatchObject({
      code: 'PURPOSE_REQUIRED', message: expect.stringMatching(/case number "pending" has no number in it and the reason "n\/a"/),
    });
    // Either half is enough when it documents the inquiry.
    await expect(searchDetections(ctx(), base({ purpose: { caseNumber: 'WPD-26-0042', reason: 'test' } }))).resolves.toBeDefined();
    await expect(searchDetections(ctx(), base({ purpose: { caseNumber: 'pending', reason: 'stolen vehicle follow-up' } }))).resolves.toBeDefined();
  });

  it('refuses a search without a user, and logs the refusal', async () => {
    await expect(searchDetections(ctx(), base({ user: '' }))).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
    expect(await lastAccess()).toMatchObject({ user_id: '', outcome: 'refused' });
  });

  it('refuses an untrained or unknown user (Watsonville §471.5(d)), and logs it', async () => {
    await expect(searchDetections(ctx(), base({ user: 'newhire' }))).rejects.toMatchObject({ code: 'USER_NOT_AUTHORISED' });
    expect(await lastAccess()).toMatchObject({ user_id: 'newhire', outcome: 'refused' });
    await expect(searchDetections(ctx(), base({ user: 'nobody' }))).rejects.toMatchObject({ code: 'USER_NOT_AUTHORISED' });
  });

  it('logs each search with user, parameters, purpose and rows returned', async () => {
    const r = await searchDetections(ctx(), base({ plate: { kind: 'exact', plate: '7ABC123' }, purpose: { reason: 'stolen vehicle follow-up' } }));
    const rec = await lastAccess();
    expect(Number(rec['seq'])).toBe(r.accessSeq);
    expect(rec).toMatchObject({ user_id: 'analyst1', action: 'search', outcome: 'ok', case_number: '', reason: 'stolen vehicle follow-up' });
    expect(Number(rec['rows_returned'])).toBe(2);
    expect(JSON.parse(String(rec['params']))).toMatchObject({ plate: { kind: 'exact', plate: '7ABC123' } });
    // The row read past the page to learn that another follows was not returned, so not counted.
    await searchDetections(ctx(), base({ plate: { kind: 'exact', plate: '7ABC123' }, limit: 1 }));
    expect(Number((await lastAccess())['rows_returned'])).toBe(1);
    expect((await verifyAccessLog(storage)).ok).toBe(true);
  });
});

describe('search: time limit', () => {
  // A day of 2,000,000 reads well before the other tests' range, so nothing else sees them. The
  // pattern, with a run of any characters between each known one, costs ~100 ms to scan here.
  const DAY_START = T0 - 60 * 24 * HOUR;
  const broad = (timeoutMs: number) =>
    searchDetections({ ...ctx(), timeoutMs }, base({ plate: { kind: 'partial', pattern: '*X*W*V*K*' }, from: new Date(DAY_START), to: new Date(DAY_START + 24 * HOUR) }));
  beforeAll(async () => {
    await storage.client.command({
      query: `INSERT INTO ${storage.db}.detections (read_id, agency, camera, seen_at, plate, plate_ocr, state, confidence)
        SELECT concat('bulk-', toString(number)), 'WPD', 'cam-1', fromUnixTimestamp64Milli(toInt64(${DAY_START} + number * 43), 'UTC'),
               hex(sipHash64(number)), hex(sipHash64(number)), 'CA', 0.9 FROM numbers(2000000)`,
    });
  });

  it('stops a search at its time limit, refuses it as too broad and logs it', async () => {
    // 20 ms against a scan of ~100 ms: ClickHouse stops the query itself (max_execution_time).
    // Should this process stall 20 ms before the query starts, the check between queries refuses
    // it instead; that is retried, so the test shows ClickHouse's own stop.
    let refused: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      refused = await broad(20).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'SEARCH_TOO_BROAD', message: expect.stringMatching(/narrow the time range/) });
      expect(await lastAccess()).toMatchObject({ user_id: 'analyst1', action: 'search', outcome: 'failed', detail: expect.stringMatching(/time limit/) });
      if ((refused as StorageError).cause instanceof StorageError) break;
    }
    expect((refused as StorageError).cause).toMatchObject({ code: 'QUERY_FAILED', message: expect.stringMatching(/Timeout exceeded/) });
    expect((await verifyAccessLog(storage)).ok).toBe(true);
  });

  it('lets the same search finish within the default limit', async () => {
    const r = await broad(DEFAULT_SEARCH_TIMEOUT_MS);
    expect(r.rows).toEqual([]); // hex plates hold none of X W V K
    expect(await lastAccess()).toMatchObject({ outcome: 'ok' });
  });
});

describe('search: user input is never SQL', () => {
  const hostile = `%' OR 1=1 --`;

  it('refuses an injection attempt in the pattern, and logs it as invalid', async () => {
    await expect(searchDetections(ctx(), base({ plate: { kind: 'partial', pattern: hostile } }))).rejects.toMatchObject({
      code: 'INVALID_SEARCH',
    } satisfies Partial<StorageError>);
    const rec = await lastAccess();
    expect(rec).toMatchObject({ outcome: 'invalid' });
    expect(JSON.parse(String(rec['params'])).plate.pattern).toBe(hostile); // stored as data, verbatim
  });

  it('keeps every value out of the SQL text', () => {
    const built = buildSearchQuery(
      'platewatch',
      base({ plate: { kind: 'partial', pattern: '7AB*' }, cameras: [hostile], agencies: [`x'); DROP TABLE t; --`] }),
      new OcrAlphabet(),
    );
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.query.sql).not.toContain('7AB');
    expect(built.query.sql).not.toContain('DROP');
    expect(built.query.sql).not.toContain('OR 1=1');
    expect(built.query.params['cameras']).toEqual([`%' or 1=1 --`]); // data, lower-cased as camera ids are compared
  });

  it('treats hostile filter values as plain strings that match nothing', async () => {
    expect(await ids({ cameras: [hostile], agencies: [`WPD' OR '1'='1`] })).toEqual([]);
    expect(await ids({ plate: { kind: 'exact', plate: '7ABC123' } })).toEqual(['exact-2', 'exact-1']);
  });

  it('rejects a bad range or page size before touching data', async () => {
    await expect(searchDetections(ctx(), base({ from: new Date(T0 + HOUR), to: new Date(T0) }))).rejects.toMatchObject({ code: 'INVALID_SEARCH' });
    await expect(searchDetections(ctx(), base({ limit: 5000 }))).rejects.toMatchObject({ code: 'INVALID_SEARCH' });
    await expect(searchDetections(ctx(), base({ plate: { kind: 'fuzzy', plate: 'AB1' } }))).rejects.toMatchObject({ code: 'INVALID_SEARCH' });
    // Alternative readings are of a plate: a browse has none to look in.
    await expect(searchDetections(ctx(), base({ otherReadings: true }))).rejects.toMatchObject({ code: 'INVALID_SEARCH', message: expect.stringContaining('otherReadings needs a plate') });
  });
});

describe('windowed search cursors', () => {
  it('refuses a cursor that is not a real time instead of finding nothing', async () => {
    const code = await searchDetections({ storage, accessLog }, {
      user: 'analyst1', purpose: { reason: 'cursor test' }, plate: { kind: 'partial', pattern: '*ABC*' },
      from: new Date(Date.UTC(2026, 10, 1)), to: new Date(Date.UTC(2026, 10, 20)), before: { seenAt: '2026-13-45 99:99:99.000', readId: 'x' },
    }).then(() => 'none', (error: unknown) => (error as StorageError).code);
    expect(code).toBe('INVALID_SEARCH');
  });
});

// A window the rows so far say overfills the page is read without LIMIT 1 BY (ClickHouse then
// reads whole rows for the page only), and the search drops a read's second copy itself; when
// copies took places on a full page, it reads the window again with LIMIT 1 BY, so the page is
// never short of the reads that follow.
describe('lazily read windows and a read stored twice', () => {
  const T1 = Date.UTC(2026, 9, 20, 0, 0, 0);
  const DAY = 24 * HOUR;
  const search = (over: Partial<SearchRequest>): SearchRequest => ({
    user: 'analyst1', purpose: { reason: 'duplicate test' }, plate: { kind: 'partial', pattern: '?DUP0??' },
    from: new Date(T1), to: new Date(T1 + 3 * DAY), ...over,
  });

  beforeAll(async () => {
    // Merges would fold the copies into one at any moment: stopped, so the copies are there.
    await storage.client.command({ query: `SYSTEM STOP MERGES ${storage.db}.detections` });
    const writer = new DetectionWriter(storage);
    const twice = detection({ readId: 'dup-twice', plate: '5DUP003', seenAt: T1 + DAY + 5 * HOUR });
    await (await writer.enqueue([
      // The newest day, the walk's first window: two a day, so the next window (two days) should
      // hold four, more than the two a page of four still wants.
      detection({ readId: 'dup-day3-a', plate: '5DUP001', seenAt: T1 + 2 * DAY + 5 * HOUR }),
      detection({ readId: 'dup-day3-b', plate: '5DUP002', seenAt: T1 + 2 * DAY + 4 * HOUR }),
      twice,
      detection({ readId: 'dup-day2', plate: '5DUP004', seenAt: T1 + DAY + 3 * HOUR }),
      detection({ readId: 'dup-day1', plate: '5DUP005', seenAt: T1 + 5 * HOUR }),
    ])).durable;
    await (await writer.enqueue([twice])).durable; // another batch, another part
    await writer.close();
  });
  afterAll(async () => {
    await storage.client.command({ query: `SYSTEM START MERGES ${storage.db}.detections` });
  });

  it('builds the one-pass window query without LIMIT 1 BY only when asked', () => {
    const alphabet = new OcrAlphabet();
    const lazy = buildSearchQuery('platewatch', search({}), alphabet, { onePass: true, dedupeInQuery: false });
    const exact = buildSearchQuery('platewatch', search({}), alphabet, { onePass: true });
    expect(lazy.ok && lazy.query.sql).not.toContain('LIMIT 1 BY');
    expect(exact.ok && exact.query.sql).toContain('LIMIT 1 BY read_id, seen_at, plate_ocr, agency, camera');
  });

  it('keeps the first copy of each read, in order; reads sharing an id at other times, plates, cameras or agencies are other reads', () => {
    const read = (id: string, n: number, at = '2026-11-20 10:00:00.000', plate = '7ABC123', camera = 'cam-1', agency = 'WPD') =>
      ({ read_id: id, seen_at_text: at, plate_ocr: plate, agency, camera, n });
    const rows = [
      read('a', 1), read('a', 2), read('b', 3), read('a', 4), read('a', 5, '2026-11-21 09:00:00.000'), read('a', 6, undefined, '8XYZ999'),
      read('a', 7, undefined, undefined, 'cam-2'), read('a', 8, undefined, undefined, undefined, 'SCSO'), read('a', 9, undefined, undefined, 'cam-2'),
    ];
    expect(firstOfEachRead(rows).map((r) => r.n)).toEqual([1, 3, 5, 6, 7, 8]);
  });

  it('fills a page on which two copies of one read took places, and pages on without repeats', async () => {
    const copies = await storage.client.query({
      query: `SELECT count() AS n FROM ${storage.db}.detections WHERE read_id = 'dup-twice'`, format: 'JSONEachRow',
    });
    expect(Number((await copies.json<{ n: string }>())[0]?.n)).toBe(2);
    const first = await searchDetections(ctx(), search({ limit: 4 }));
    expect(first.rows.map((r) => r.readId)).toEqual(['dup-day3-a', 'dup-day3-b', 'dup-twice', 'dup-day2']);
    expect(first.nextCursor).toBeDefined();
    const second = await searchDetections(ctx(), search({ limit: 4, before: first.nextCursor }));
    expect(second.rows.map((r) => r.readId)).toEqual(['dup-day1']);
    expect(second.nextCursor).toBeUndefined();
    // The same search in one page: every read once.
    expect((await searchDetections(ctx(), search({ limit: 10 }))).rows.map((r) => r.readId)).toEqual(
      ['dup-day3-a', 'dup-day3-b', 'dup-twice', 'dup-day2', 'dup-day1'],
    );
  });
});

// Five known characters in a row walk month-long windows and more over a long range (session 32:
// one pass over a year read every match to sort out the newest): each read once, newest first,
// across the windows and the pages.
describe('a five-known pattern over most of a year', () => {
  const DAY = 24 * HOUR;
  // From today back, not a fixed date: the table's TTL drops days older than the retention (a year).
  const END = Math.floor(Date.now() / DAY) * DAY;
  // Days before END: in the first month-long window, the second (30–90 days), the third and the rest.
  const AGO = [2, 25, 31, 60, 89, 95, 150, 200, 299, 340];
  const search = (over: Partial<SearchRequest>): SearchRequest => ({
    user: 'analyst1', purpose: { caseNumber: 'WPD-26-0099' }, plate: { kind: 'partial', pattern: '*KWXYT*' },
    from: new Date(END - 350 * DAY), to: new Date(END), ...over,
  });

  beforeAll(async () => {
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([
      ...AGO.map((d) => detection({ readId: `year-${d}`, plate: `${d % 10}KWXYT${d % 7}`, seenAt: END - d * DAY })),
      detection({ readId: 'year-other', plate: '4KWXYA1', seenAt: END - 3 * DAY }), // four of the five
      detection({ readId: 'year-after', plate: '4KWXYT1', seenAt: END + HOUR }), // after the range
    ])).durable;
    await writer.close();
  });

  it('finds every read once, newest first, in one page and in pages of three', async () => {
    const want = AGO.map((d) => `year-${d}`);
    expect((await searchDetections(ctx(), search({ limit: 100 }))).rows.map((r) => r.readId)).toEqual(want);
    expect(await everyPage((before) => search({ limit: 3, before }))).toEqual(want);
  });
});

describe('two cameras\' reads sharing an id, a second and a plate (found by QA: one of them was lost at merge)', () => {
  const AT = Date.UTC(2026, 9, 10, 14, 0, 0);
  const search = (over: Partial<SearchRequest> = {}): SearchRequest => ({
    user: 'analyst1', purpose: { caseNumber: 'QA-26-9' }, plate: { kind: 'exact', plate: 'QASAME9' },
    from: new Date(AT - HOUR), to: new Date(AT + HOUR), ...over,
  });
  const sources = async (over: Partial<SearchRequest> = {}) =>
    (await searchDetections(ctx(), search(over))).rows.map((r) => `${r.agency}/${r.camera}/${r.readId}`).sort();

  beforeAll(async () => {
    const writer = new DetectionWriter(storage);
    const read = (agency: string, camera: string) => detection({ readId: 'same-9', agency, camera, plate: 'QASAME9', seenAt: AT });
    // Each camera's read in its own batch, as it arrives; the last is cam-d's redelivered.
    // And a fourth camera's read of another plate under the same id at that second.
    const other = detection({ readId: 'same-9', agency: 'SCSO', camera: 'cam-e', plate: 'QBSAME9', seenAt: AT });
    for (const batch of [[read('WPD', 'cam-d')], [read('WPD', 'cam-e')], [read('SCSO', 'cam-d')], [read('WPD', 'cam-d'), detection({ seenAt: AT })], [other]]) {
      await (await writer.enqueue(batch)).durable;
    }
    await writer.close();
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.detections FINAL` });
  });

  it('stores each camera\'s and each agency\'s read, and a redelivered one once', async () => {
    const rs = await storage.client.query({
      query: `SELECT agency, camera FROM ${storage.db}.detections WHERE read_id = 'same-9' AND plate = 'QASAME9' ORDER BY agency, camera`, format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ agency: 'SCSO', camera: 'cam-d' }, { agency: 'WPD', camera: 'cam-d' }, { agency: 'WPD', camera: 'cam-e' }]);
  });

  it('finds all of them by plate, and each by its camera and agency', async () => {
    expect(await sources()).toEqual(['SCSO/cam-d/same-9', 'WPD/cam-d/same-9', 'WPD/cam-e/same-9']);
    expect(await sources({ plate: { kind: 'partial', pattern: 'QASAM*' } })).toEqual(['SCSO/cam-d/same-9', 'WPD/cam-d/same-9', 'WPD/cam-e/same-9']);
    expect(await sources({ cameras: ['cam-d'] })).toEqual(['SCSO/cam-d/same-9', 'WPD/cam-d/same-9']);
    expect(await sources({ cameras: ['cam-e'] })).toEqual(['WPD/cam-e/same-9']);
    expect(await sources({ agencies: ['SCSO'] })).toEqual(['SCSO/cam-d/same-9']);
    expect(await sources({ agencies: ['WPD'], cameras: ['cam-d'] })).toEqual(['WPD/cam-d/same-9']);
  });

  // The cursor was (time, read id): a page ending on one of these rows skipped the others.
  it('pages through them one at a time, each once, another plate\'s read under the id included', async () => {
    const rowsOf = (r: Awaited<ReturnType<typeof searchDetections>>) => r.rows.map((x) => `${x.agency}/${x.camera}/${x.plate}`);
    const pattern = { plate: { kind: 'partial', pattern: '*SAME9' } } as const;
    const seen: string[] = [];
    let before: SearchRequest['before'];
    let pages = 0;
    for (; pages < 10; ) {
      const r = await searchDetections(ctx(), search({ ...pattern, limit: 1, before }));
      pages += 1;
      seen.push(...rowsOf(r));
      before = r.nextCursor;
      if (before === undefined) break;
    }
    const all = rowsOf(await searchDetections(ctx(), search({ ...pattern, limit: 10 })));
    expect(all).toEqual(['WPD/cam-e/QASAME9', 'WPD/cam-d/QASAME9', 'SCSO/cam-d/QASAME9', 'SCSO/cam-e/QBSAME9']);
    expect(seen).toEqual(all);
    expect(pages).toBe(4); // the fourth page said it was the last: no fifth, empty one
    // A cursor given out before it carried plate, agency and camera still pages, by time and id.
    const old = await searchDetections(ctx(), search({ ...pattern, limit: 1, before: { seenAt: '2026-10-10 14:00:00.001', readId: 'same-9' } }));
    expect(rowsOf(old)).toEqual(['WPD/cam-e/QASAME9']);
  });
});
