import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, type Migration, type Storage, StorageError } from '../../storage/index.js';
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
    expect(q).toMatch(/ORDER BY \(plate_ocr, seen_at, read_id\)/);
    expect(q).toMatch(/ngrambf_v1\(4/);
    expect(q).toMatch(/toIntervalSecond\(31536000\)/); // Government Code § 34090.6: one year
    expect(q).toMatch(/ttl_only_drop_parts = 1/);
    expect(await ttlOf('evidence_detections')).not.toMatch(/TTL/); // held evidence outlives retention
    expect(await ttlOf('access_log')).not.toMatch(/TTL/);
  });

  it('applies nothing twice', async () => {
    const report = await migrate(storage.client, ctx());
    expect(report).toEqual({ applied: [], retentionChanged: [] });
  });

  it('applies a new migration once, in order', async () => {
    const extra: Migration = {
      version: NEXT_VERSION,
      name: 'test table',
      statements: ({ db }) => [`CREATE TABLE IF NOT EXISTS ${db}.migration_probe (x UInt8) ENGINE = MergeTree ORDER BY x`],
    };
    expect((await migrate(storage.client, ctx(), [...MIGRATIONS, extra])).applied).toEqual([NEXT_VERSION]);
    expect((await migrate(storage.client, ctx(), [...MIGRATIONS, extra])).applied).toEqual([]);
    expect(await tableNames()).toContain('migration_probe');
  });

  it('refuses to start when a released migration was edited', async () => {
    const edited: Migration = { version: NEXT_VERSION, name: 'test table', statements: () => ['SELECT 1'] };
    await expect(migrate(storage.client, ctx(), [...MIGRATIONS, edited])).rejects.toMatchObject({
      code: 'MIGRATION_CHANGED',
    } satisfies Partial<StorageError>);
  });

  it('brings a changed retention onto the tables at start, once', async () => {
    const shorter = { ...ctx(), detectionRetentionSeconds: 400 * 86_400 };
    expect((await migrate(storage.client, shorter)).retentionChanged).toEqual(['detections']);
    expect(await ttlOf('detections')).toMatch(/toIntervalSecond\(34560000\)/);
    expect((await migrate(storage.client, shorter)).retentionChanged).toEqual([]);
  });
});
