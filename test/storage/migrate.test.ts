import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OcrAlphabet } from '../../matcher/index.js';
import { buildDetectionFilter, connectStorage, migrate, migrationChecksum, MIGRATIONS, openStorage, type Migration, type Storage, StorageError } from '../../storage/index.js';
import { until } from '../reliability/fixtures.js';
import { openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
});
afterAll(() => temp.cleanup());

/** A version after every released migration, for probe migrations. */
const NEXT_VERSION = (MIGRATIONS.at(-1)?.version ?? 0) + 1;
const ctx = () => ({ db: storage.db, detectionRetentionSeconds: 365 * 86_400, hitRetentionSeconds: 365 * 86_400 });

async function tableNames(): Promise<string[]> {
  const rs = await storage.client.query({
    query: 'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name',
    query_params: { db: storage.db },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ name: string }>()).map((r) => r.name);
}

async function ttlOf(table: string): Promise<string> {
  const rs = await storage.client.query({
    query: 'SELECT create_table_query AS q FROM system.tables WHERE database = {db:String} AND name = {t:String}',
    query_params: { db: storage.db, t: table },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ q: string }>())[0]?.q ?? '';
}

describe('migrations', () => {
  it('creates every table at first start', async () => {
    expect(storage.migrations.applied).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await tableNames()).toEqual([
      'access_log', 'credentials', 'detections', 'evidence_detections', 'hit_dispositions', 'hits', 'hotlist_approvals',
      'hotlist_entries', 'hotlist_lists', 'legal_holds', 'login_attempts', 'release_requests', 'schema_migrations', 'sessions', 'users',
    ]);
  });

  it('partitions detections by day, orders them for plate and time search, keeps a year, drops whole parts', async () => {
    const q = await ttlOf('detections');
    expect(q).toMatch(/ReplacingMergeTree/);
    expect(q).toMatch(/PARTITION BY toDate\(seen_at\)/);
    expect(q).toMatch(/ORDER BY \(plate_ocr, seen_at, read_id, read_source\)/);
    expect(q).toMatch(/PRIMARY KEY \(plate_ocr, seen_at, read_id\)/);
    expect(q).toMatch(/ngrambf_v1\(4/);
    expect(q).toMatch(/toIntervalSecond\(31536000\)/); // Government Code § 34090.6: one year
    expect(q).toMatch(/ttl_only_drop_parts = 1/);
    expect(await ttlOf('evidence_detections')).not.toMatch(/TTL/); // held evidence outlives retention
    expect(await ttlOf('access_log')).not.toMatch(/TTL/);
  });

  it('indexes plate n-grams with the 32 KiB filter, not the 8 KiB one of migration 1, and the alternative readings (migration 16)', async () => {
    const rs = await storage.client.query({
      query: "SELECT name, type_full, expr FROM system.data_skipping_indices WHERE database = {db:String} AND table = 'detections' ORDER BY name",
      query_params: { db: storage.db },
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([
      // 0ODQ, 1IL, 8B, 5S, 2Z, 6G: each letter of a class becomes its first character.
      { name: 'candidates_ocr_bloom', type_full: 'bloom_filter(0.01)', expr: "arrayMap(c -> translate(c, 'BDGILOQSZ', '806110052'), candidates)" },
      { name: 'plate_ngram_32k', type_full: 'ngrambf_v1(4, 32768, 3, 0)', expr: 'plate_ocr' },
    ]);
  });

  it('indexes the alternative readings of rows stored before migration 16, and a search finds them by it', async () => {
    const db = 'migration16_probe';
    const old = { ...ctx(), db };
    await storage.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
    await migrate(storage.client, old, MIGRATIONS.filter((m) => m.version < 16));
    const columns = '(read_id, agency, camera, read_source, seen_at, plate, plate_ocr, state, confidence, candidates)';
    await storage.client.command({
      query: `INSERT INTO ${db}.detections ${columns} VALUES
        ('r-1', 'WPD', 'c', 'WPD/c', '2026-11-20 12:00:00', '7ABC128', '7A8C128', 'CA', 0.9, ['7ABC123', 'ZOQ1SIL']),
        ('r-2', 'WPD', 'c', 'WPD/c', '2026-11-20 12:00:01', '5DEF456', '5DEF456', 'CA', 0.9, [])`,
    });
    expect((await migrate(storage.client, old)).applied).toEqual([16]);
    // The part stored before gets the index from the migration's mutation.
    await until('the index built for the part stored before', async () => {
      const rs = await storage.client.query({ query: `SELECT count() AS n FROM system.mutations WHERE database = {db:String} AND NOT is_done`, query_params: { db }, format: 'JSONEachRow' });
      return Number((await rs.json<{ n: string }>())[0]?.n) === 0 ? true : undefined;
    }, 20_000);
    const search = async (plateOcr: string) => {
      const filter = buildDetectionFilter({ plate: { kind: 'ocr', plate: plateOcr }, from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z'), otherReadings: true }, new OcrAlphabet());
      if (!filter.ok) throw new Error(filter.reason);
      const other = filter.branches?.[1] ?? '';
      const plan = await storage.client.query({ query: `EXPLAIN indexes = 1 SELECT read_id FROM ${db}.detections WHERE ${other}`, query_params: filter.params, format: 'TabSeparatedRaw' });
      const found = await storage.client.query({ query: `SELECT read_id FROM ${db}.detections WHERE ${filter.where.join(' AND ')}`, query_params: filter.params, format: 'JSONEachRow' });
      return { plan: await plan.text(), found: (await found.json<{ read_id: string }>()).map((r) => r.read_id) };
    };
    // ZOQ1SIL is 2001511 through the classes; the branch of the alternatives skips the part without it.
    expect((await search('2001511')).found).toEqual(['r-1']);
    expect((await search('7ABC123')).found).toEqual(['r-1']);
    const none = await search('9NOTHER');
    expect(none.found).toEqual([]);
    expect(none.plan).toMatch(/Name: candidates_ocr_bloom[\s\S]*Granules: 0\/1/);
    // A start that died after its statements, before recording them, runs them again.
    const m16 = MIGRATIONS.find((m) => m.version === 16) as Migration;
    for (const statement of m16.statements(old)) await storage.client.command({ query: statement });
    expect((await search('2001511')).found).toEqual(['r-1']);
    await storage.client.command({ query: `DROP DATABASE ${db}` });
  });

  it('merges detections wider than ClickHouse does by default (migration 7), and only detections', async () => {
    const setting = async (table: string) => {
      const rs = await storage.client.query({ query: `SHOW CREATE TABLE ${storage.db}.${table}`, format: 'TabSeparatedRaw' });
      return /merge_selector_base = (\d+)/.exec(await rs.text())?.[1];
    };
    expect(await setting('detections')).toBe('10');
    expect(await setting('hits')).toBeUndefined();
  });

  it('merges a day of detections whole once its parts have been left alone for an hour (migration 8)', async () => {
    const rs = await storage.client.query({ query: `SHOW CREATE TABLE ${storage.db}.detections`, format: 'TabSeparatedRaw' });
    const q = await rs.text();
    expect(q).toMatch(/min_age_to_force_merge_seconds = 3600\b/);
    // The whole partition, never a range of it: today's partition keeps its young parts apart.
    expect(q).toMatch(/min_age_to_force_merge_on_partition_only = 1\b/);
  });

  it('builds the new filter for detections stored before migration 6, so a pattern skips them', async () => {
    const db = 'migration6_probe';
    const old = { ...ctx(), db };
    await storage.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
    await migrate(storage.client, old, MIGRATIONS.filter((m) => m.version < 6));
    await storage.client.command({
      query: `INSERT INTO ${db}.detections (read_id, agency, camera, seen_at, plate, plate_ocr, state, confidence)
        SELECT concat('r', toString(number)), 'WPD', 'cam-1', now64(3), concat('7ABC', leftPad(toString(number % 1000), 3, '0')), concat('7A8C', leftPad(toString(number % 1000), 3, '0')), 'CA', 0.9 FROM numbers(20000)`,
    });
    expect((await migrate(storage.client, old)).applied).toEqual(MIGRATIONS.filter((m) => m.version >= 6).map((m) => m.version));
    // The filter is built for stored parts by a background mutation.
    await until('the migration 6 mutations', async () => {
      const rs = await storage.client.query({ query: `SELECT count() AS n FROM system.mutations WHERE database = {db:String} AND NOT is_done`, query_params: { db }, format: 'JSONEachRow' });
      return Number((await rs.json<{ n: number | string }>())[0]?.n) === 0 ? true : undefined;
    }, 30_000);
    const explain = await storage.client.query({ query: `EXPLAIN indexes = 1 SELECT read_id FROM ${db}.detections WHERE plate_ocr LIKE '%XYZW%'`, format: 'JSONEachRow' });
    const lines = (await explain.json<{ explain: string }>()).map((r) => r.explain.trim());
    const skip = lines.findIndex((l) => l === 'Name: plate_ngram_32k');
    expect(skip).toBeGreaterThan(-1);
    expect(lines.slice(skip).find((l) => l.startsWith('Granules:'))).toMatch(/^Granules: 0\/[1-9]/);
    await storage.client.command({ query: `DROP DATABASE ${db}` });
  });

  it('adds heading and vehicle year to detections and their evidence copies stored before migration 10, as NULL', async () => {
    const db = 'migration10_probe';
    const old = { ...ctx(), db };
    await storage.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
    await migrate(storage.client, old, MIGRATIONS.filter((m) => m.version < 10));
    const oldRow = "'r-old', 'WPD', 'cam-1', toDateTime64('2026-11-20 12:00:00', 3, 'UTC'), '7ABC123', '7A8C123', 'CA', 0.9";
    await storage.client.command({ query: `INSERT INTO ${db}.detections (read_id, agency, camera, seen_at, plate, plate_ocr, state, confidence) SELECT ${oldRow}` });
    await storage.client.command({
      query: `INSERT INTO ${db}.evidence_detections (read_id, agency, camera, seen_at, plate, plate_ocr, state, confidence, case_number, hold_id, held_at)
        SELECT ${oldRow}, 'WPD-26-1', 'h-1', now64(3)`,
    });
    expect((await migrate(storage.client, old)).applied).toEqual(MIGRATIONS.filter((m) => m.version >= 10).map((m) => m.version));
    const columns = await storage.client.query({
      query: `SELECT table, name, type FROM system.columns WHERE database = {db:String} AND table LIKE '%detections' AND name IN ('heading', 'vehicle_year')
              ORDER BY table, name`,
      query_params: { db },
      format: 'JSONEachRow',
    });
    expect(await columns.json()).toEqual([
      { table: 'detections', name: 'heading', type: 'Nullable(Float32)' },
      { table: 'detections', name: 'vehicle_year', type: 'Nullable(UInt16)' },
      { table: 'evidence_detections', name: 'heading', type: 'Nullable(Float32)' },
      { table: 'evidence_detections', name: 'vehicle_year', type: 'Nullable(UInt16)' },
    ]);
    for (const table of ['detections', 'evidence_detections']) {
      const rs = await storage.client.query({ query: `SELECT read_id, heading, vehicle_year FROM ${db}.${table}`, format: 'JSONEachRow' });
      expect(await rs.json()).toEqual([{ read_id: 'r-old', heading: null, vehicle_year: null }]);
    }
    // A start that died after some of its statements runs them all again.
    const m10 = MIGRATIONS.find((m) => m.version === 10) as Migration;
    for (const statement of m10.statements(old)) await storage.client.command({ query: statement });
    await storage.client.command({ query: `DROP DATABASE ${db}` });
  });

  it('adds the wanted-person check to dispositions recorded before migration 11, as NULL (not asked)', async () => {
    const db = 'migration11_probe';
    const old = { ...ctx(), db };
    await storage.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
    await migrate(storage.client, old, MIGRATIONS.filter((m) => m.version < 11));
    await storage.client.command({
      query: `INSERT INTO ${db}.hit_dispositions (hit_id, seen_at, recorded_at, user_id, disposition, visual_verified, clets_verified, notes)
        SELECT 'h-old', toDateTime64('2026-11-20 12:00:00', 3, 'UTC'), toDateTime64('2026-11-20 12:05:00', 3, 'UTC'), 'disp1', 'confirmed', true, true, 'stopped'`,
    });
    expect((await migrate(storage.client, old)).applied).toEqual(MIGRATIONS.filter((m) => m.version >= 11).map((m) => m.version));
    const columns = await storage.client.query({
      query: `SELECT name, type FROM system.columns WHERE database = {db:String} AND table = 'hit_dispositions' AND name LIKE '%verified' ORDER BY position`,
      query_params: { db },
      format: 'JSONEachRow',
    });
    expect(await columns.json()).toEqual([
      { name: 'visual_verified', type: 'Bool' }, { name: 'clets_verified', type: 'Bool' }, { name: 'person_verified', type: 'Nullable(Bool)' },
    ]);
    // The answer stored before keeps what it said; the person check was not asked of it on its own.
    await storage.client.command({
      query: `INSERT INTO ${db}.hit_dispositions (hit_id, seen_at, recorded_at, user_id, disposition, visual_verified, clets_verified, person_verified, notes)
        SELECT 'h-new', toDateTime64('2026-11-21 12:00:00', 3, 'UTC'), toDateTime64('2026-11-21 12:05:00', 3, 'UTC'), 'disp1', 'arrest', true, true, false, ''`,
    });
    const rows = await storage.client.query({ query: `SELECT hit_id, visual_verified, person_verified FROM ${db}.hit_dispositions ORDER BY hit_id`, format: 'JSONEachRow' });
    expect(await rows.json()).toEqual([
      { hit_id: 'h-new', visual_verified: true, person_verified: false },
      { hit_id: 'h-old', visual_verified: true, person_verified: null },
    ]);
    // A start that died after its statement runs it again.
    const m11 = MIGRATIONS.find((m) => m.version === 11) as Migration;
    for (const statement of m11.statements(old)) await storage.client.command({ query: statement });
    await storage.client.command({ query: `DROP DATABASE ${db}` });
  });

  it('keys evidence by case and detection (its agency and camera too), keeping every row and column held under the old key (migration 14)', async () => {
    const db = 'migration14_probe';
    const old = { ...ctx(), db };
    await storage.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
    await migrate(storage.client, old, MIGRATIONS.filter((m) => m.version < 14));
    const columnsOf = async () => {
      const rs = await storage.client.query({
        query: "SELECT name, type, default_expression FROM system.columns WHERE database = {db:String} AND table = 'evidence_detections' ORDER BY position",
        query_params: { db }, format: 'JSONEachRow',
      });
      return rs.json();
    };
    const columnsBefore = await columnsOf();
    // Each row its own insert: ReplacingMergeTree collapses rows of one key within an insert. The first
    // two are detections of one case sharing a read id, which the old key would make one at merge.
    const rows = [
      "'r-shared', 'WPD', 'cam-north', toDateTime64('2026-11-20 12:00:00', 3, 'UTC'), '7ABC123', '7A8C123', 'CA', 0.9, 36.9, -121.7, 90.5, 'Honda', 'Civic', 2014, 'blue', 'sedan', 'img/1', ['7ABC128'], toDateTime64('2026-11-20 12:00:01', 3, 'UTC'), 'WPD-26-1', 'h-1', toDateTime64('2026-11-21 08:00:00', 3, 'UTC')",
      "'r-shared', 'SCSO', 'cam-east', toDateTime64('2026-11-20 12:05:00', 3, 'UTC'), '8XYZ999', '8XYZ999', 'CA', 0.8, NULL, NULL, NULL, '', '', NULL, '', '', '', [], toDateTime64('2026-11-20 12:05:01', 3, 'UTC'), 'WPD-26-1', 'h-2', toDateTime64('2026-11-22 08:00:00', 3, 'UTC')",
      // Another camera's read of the same id, second and plate (cameras stamping whole seconds).
      "'r-shared', 'WPD', 'cam-south', toDateTime64('2026-11-20 12:00:00', 3, 'UTC'), '7ABC123', '7A8C123', 'CA', 0.6, NULL, NULL, NULL, '', '', NULL, '', '', '', [], toDateTime64('2026-11-20 12:00:02', 3, 'UTC'), 'WPD-26-1', 'h-4', toDateTime64('2026-11-23 08:00:00', 3, 'UTC')",
      "'r-other', 'WPD', 'cam-north', toDateTime64('2026-11-20 13:00:00', 3, 'UTC'), '5DEF456', '5DEF456', 'NV', 0.7, NULL, NULL, 359.5, 'Ford', '', NULL, '', '', '', [], toDateTime64('2026-11-20 13:00:01', 3, 'UTC'), 'WPD-26-2', 'h-3', toDateTime64('2026-11-21 09:00:00', 3, 'UTC')",
    ];
    for (const row of rows) await storage.client.command({ query: `INSERT INTO ${db}.evidence_detections SELECT ${row}` });
    const everyRow = async () => {
      const rs = await storage.client.query({ query: `SELECT * FROM ${db}.evidence_detections ORDER BY case_number, hold_id`, format: 'JSONEachRow' });
      return rs.json();
    };
    const rowsBefore = await everyRow();
    expect(rowsBefore).toHaveLength(4);
    await storage.client.insert({
      table: `${db}.legal_holds`, format: 'JSONEachRow',
      values: [{ hold_id: 'h-1', case_number: 'WPD-26-1', created_at: '2026-11-21 08:00:00.000', created_by: 'det1', reason: 'robbery', criteria: '{}', rows_held: 1, read_ids: ['r-shared'] }],
    });

    expect((await migrate(storage.client, old)).applied).toEqual(MIGRATIONS.filter((m) => m.version >= 14).map((m) => m.version));
    const sortingKey = async () => {
      const rs = await storage.client.query({
        query: "SELECT engine, sorting_key FROM system.tables WHERE database = {db:String} AND name LIKE '%evidence%'", query_params: { db }, format: 'JSONEachRow',
      });
      return rs.json();
    };
    // Nothing left beside it: the old table is dropped.
    expect(await sortingKey()).toEqual([{ engine: 'ReplacingMergeTree', sorting_key: 'case_number, plate_ocr, seen_at, read_id, agency, camera' }]);
    expect(await columnsOf()).toEqual(columnsBefore);
    expect(await everyRow()).toEqual(rowsBefore);
    await storage.client.command({ query: `OPTIMIZE TABLE ${db}.evidence_detections FINAL` });
    expect(await everyRow()).toEqual(rowsBefore);
    // A hold placed before keeps its read ids, with no detection keys.
    const holds = await storage.client.query({ query: `SELECT hold_id, read_ids, detection_keys FROM ${db}.legal_holds`, format: 'JSONEachRow' });
    expect(await holds.json()).toEqual([{ hold_id: 'h-1', read_ids: ['r-shared'], detection_keys: [] }]);

    // A start that died after its statements, before recording it, runs them all again: nothing lost.
    const m14 = MIGRATIONS.find((m) => m.version === 14) as Migration;
    for (const statement of m14.statements(old)) await storage.client.command({ query: statement });
    expect(await sortingKey()).toEqual([{ engine: 'ReplacingMergeTree', sorting_key: 'case_number, plate_ocr, seen_at, read_id, agency, camera' }]);
    expect(await everyRow()).toEqual(rowsBefore);
    await storage.client.command({ query: `DROP DATABASE ${db}` });
  });

  it('keeps two cameras\' reads of one id, second and plate apart: read_source joins the sort key, every row stored before kept (migration 15)', async () => {
    const db = 'migration15_probe';
    const old = { ...ctx(), db };
    await storage.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
    await migrate(storage.client, old, MIGRATIONS.filter((m) => m.version < 15));
    const seenAt = "toDateTime64('2026-11-20 12:00:00', 3, 'UTC')";
    const columns = '(read_id, agency, camera, seen_at, plate, plate_ocr, state, confidence)';
    for (const [id, camera, plate] of [['r-1', 'cam-d', '7ABC123'], ['r-2', 'cam-e', '7ABC123'], ['r-1', 'cam-e', '5DEF456']]) {
      await storage.client.command({ query: `INSERT INTO ${db}.detections ${columns} SELECT '${id}', 'WPD', '${camera}', ${seenAt}, '${plate}', '${plate}', 'CA', 0.9` });
    }
    const everyRow = async () => {
      const rs = await storage.client.query({ query: `SELECT * EXCEPT (read_source, stored_at) FROM ${db}.detections ORDER BY read_id, camera`, format: 'JSONEachRow' });
      return rs.json();
    };
    const rowsBefore = await everyRow();
    expect(rowsBefore).toHaveLength(3);
    const table = async () => {
      const rs = await storage.client.query({
        query: "SELECT sorting_key, primary_key FROM system.tables WHERE database = {db:String} AND name = 'detections'", query_params: { db }, format: 'JSONEachRow',
      });
      return rs.json();
    };
    expect(await table()).toEqual([{ sorting_key: 'plate_ocr, seen_at, read_id', primary_key: 'plate_ocr, seen_at, read_id' }]);

    expect((await migrate(storage.client, old)).applied).toEqual(MIGRATIONS.filter((m) => m.version >= 15).map((m) => m.version));
    const shipped = [{ sorting_key: 'plate_ocr, seen_at, read_id, read_source', primary_key: 'plate_ocr, seen_at, read_id' }];
    expect(await table()).toEqual(shipped);
    const column = await storage.client.query({
      query: "SELECT type, default_kind FROM system.columns WHERE database = {db:String} AND table = 'detections' AND name = 'read_source'",
      query_params: { db }, format: 'JSONEachRow',
    });
    expect(await column.json()).toEqual([{ type: 'LowCardinality(String)', default_kind: '' }]);
    expect(await everyRow()).toEqual(rowsBefore);
    const sources = await storage.client.query({ query: `SELECT DISTINCT read_source FROM ${db}.detections`, format: 'JSONEachRow' });
    expect(await sources.json()).toEqual([{ read_source: '' }]);

    // A start that died after its statement, before recording it, runs it again.
    const m15 = MIGRATIONS.find((m) => m.version === 15) as Migration;
    for (const statement of m15.statements(old)) await storage.client.command({ query: statement });
    expect(await table()).toEqual(shipped);

    // Two cameras' reads written after it, as the writer fills read_source, each in its own insert.
    for (const camera of ['cam-d', 'cam-e']) {
      await storage.client.command({
        query: `INSERT INTO ${db}.detections ${columns.replace('camera,', 'camera, read_source,')} SELECT 'same-9', 'WPD', '${camera}', 'WPD/${camera}', ${seenAt}, 'QASAME9', 'QASAME9', 'CA', 0.9`,
      });
    }
    await storage.client.command({ query: `OPTIMIZE TABLE ${db}.detections FINAL` });
    const merged = await storage.client.query({ query: `SELECT camera FROM ${db}.detections WHERE read_id = 'same-9' ORDER BY camera`, format: 'JSONEachRow' });
    expect(await merged.json()).toEqual([{ camera: 'cam-d' }, { camera: 'cam-e' }]);
    expect((await everyRow()).filter((r) => (r as { read_id: string }).read_id !== 'same-9')).toEqual(rowsBefore);
    await storage.client.command({ query: `DROP DATABASE ${db}` });
  });

  it('keeps migration 1 as released: the columns added since do not change its checksum', () => {
    expect(migrationChecksum(MIGRATIONS[0] as Migration)).toBe('222c0844f59672afa01fcf0045f52e5fddf565c773fd2d6680af4822d6b53ffe');
  });

  it('applies nothing twice', async () => {
    const report = await migrate(storage.client, ctx());
    expect(report).toEqual({ applied: [], retentionChanged: [], retentionChanges: [] });
  });

  it('applies a new migration once, in order, and refuses to start when it was edited since', async () => {
    // A database of its own: the probe's version, newer than this release's, would refuse the main one.
    const probe = { ...ctx(), db: 'next_version_probe' };
    const extra: Migration = {
      version: NEXT_VERSION,
      name: 'test table',
      statements: ({ db }) => [`CREATE TABLE IF NOT EXISTS ${db}.migration_probe (x UInt8) ENGINE = MergeTree ORDER BY x`],
    };
    await migrate(storage.client, probe);
    expect((await migrate(storage.client, probe, [...MIGRATIONS, extra])).applied).toEqual([NEXT_VERSION]);
    expect((await migrate(storage.client, probe, [...MIGRATIONS, extra])).applied).toEqual([]);
    const rs = await storage.client.query({ query: 'SELECT name FROM system.tables WHERE database = {db:String}', query_params: { db: probe.db }, format: 'JSONEachRow' });
    expect((await rs.json<{ name: string }>()).map((r) => r.name)).toContain('migration_probe');

    const edited: Migration = { version: NEXT_VERSION, name: 'test table', statements: () => ['SELECT 1'] };
    await expect(migrate(storage.client, probe, [...MIGRATIONS, edited])).rejects.toMatchObject({
      code: 'MIGRATION_CHANGED',
    } satisfies Partial<StorageError>);
    await storage.client.command({ query: `DROP DATABASE ${probe.db}` });
  });

  it('brings a changed retention onto the tables at start, once', async () => {
    const shorter = { ...ctx(), detectionRetentionSeconds: 400 * 86_400 };
    const report = await migrate(storage.client, shorter);
    expect(report.retentionChanged).toEqual(['detections']);
    // With the retention it had, read from its TTL: what `up` logs (bin/retention-log.ts).
    expect(report.retentionChanges).toEqual([{ table: 'detections', fromSeconds: 365 * 86_400, toSeconds: 400 * 86_400 }]);
    expect(await ttlOf('detections')).toMatch(/toIntervalSecond\(34560000\)/);
    expect((await migrate(storage.client, shorter)).retentionChanged).toEqual([]);
  });
});

describe('a database migrated by a newer platewatch (found by QA: an older one ran on it silently, no hot lists, no hits)', () => {
  it('is refused at open with SCHEMA_TOO_NEW naming both versions and the way back; the current version opens as before', async () => {
    const newest = MIGRATIONS.at(-1)?.version ?? 0;
    const dataDir = join(temp.dir, 'clickhouse');
    // As migrate.ts records a migration it applied.
    await storage.client.insert({
      table: `${storage.db}.schema_migrations`,
      values: [{ version: newest + 1, name: 'from a newer release', checksum: 'f'.repeat(64), applied_at: Date.now() }],
      format: 'JSONEachRow',
    });
    await storage.close();
    const refused = await openStorage({ dataDir }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(StorageError);
    expect(refused).toMatchObject({ code: 'SCHEMA_TOO_NEW' } satisfies Partial<StorageError>);
    const message = (refused as StorageError).message;
    expect(message).toContain(`schema version ${newest + 1}`);
    expect(message).toContain(`versions up to ${newest}`);
    expect(message).toContain('Run the newer release, or restore the backup taken before upgrading');
    expect(message).toContain('README, "Backup, restore and upgrade"');

    // The newer release's row gone (as a restore of the backup would leave it), it opens as before.
    const conn = connectStorage({ dataDir });
    try {
      await conn.client.command({ query: `DELETE FROM ${storage.db}.schema_migrations WHERE version = ${newest + 1}` });
    } finally {
      await conn.close();
    }
    const reopened = await openStorage({ dataDir });
    temp.storage = reopened;
    storage = reopened;
    expect(reopened.migrations.applied).toEqual([]);
  }, 120_000);
});
