import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectStorage, MIGRATIONS, MINIMUM_RETENTION_SECONDS, openStorage, resolveStorageConfig, StorageError } from '../../storage/index.js';
import { makeTempDir } from './temp-storage.js';

const dir = makeTempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('storage configuration', () => {
  it('defaults to embedded chDB under ./data/clickhouse with one-year retention', () => {
    const c = resolveStorageConfig();
    expect(c.url).toBeUndefined();
    expect(c.dataDir).toBe('./data/clickhouse');
    expect(c.detectionRetentionSeconds).toBe(365 * 86_400);
  });

  it('refuses retention under one year unless explicitly allowed (Government Code § 34090.6)', () => {
    expect(() => resolveStorageConfig({ detectionRetentionSeconds: 30 * 86_400 })).toThrowError(/34090\.6/);
    expect(resolveStorageConfig({ detectionRetentionSeconds: 5, allowRetentionUnderOneYear: true }).detectionRetentionSeconds).toBe(5);
    expect(resolveStorageConfig({ detectionRetentionSeconds: MINIMUM_RETENTION_SECONDS + 1 }).detectionRetentionSeconds).toBeGreaterThan(
      MINIMUM_RETENTION_SECONDS,
    );
  });

  it('names every bad option at once, with code INVALID_CONFIG', () => {
    try {
      resolveStorageConfig({ database: 'x; DROP', url: 'ftp://x', batchRows: 0 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StorageError);
      expect((e as StorageError).code).toBe('INVALID_CONFIG');
      expect((e as Error).message).toMatch(/database/);
      expect((e as Error).message).toMatch(/url/);
      expect((e as Error).message).toMatch(/batchRows/);
    }
  });

  it('refuses a negative skip-index cache', () => {
    expect(() => resolveStorageConfig({ skipIndexCacheBytes: -1 })).toThrowError(/skipIndexCacheBytes/);
  });

  it('builds a server client from a URL without connecting', async () => {
    const conn = connectStorage({ url: 'http://127.0.0.1:1' });
    expect(conn.kind).toBe('server');
    const ping = await conn.client.ping();
    expect(ping.success).toBe(false);
    await conn.close();
  });
});

describe('embedded chDB: one data directory per process', () => {
  it('opens, refuses a second directory while open, and reopens with the data kept', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const first = await openStorage({ dataDir: a });
    expect(first.kind).toBe('embedded');
    expect(existsSync(a)).toBe(true);
    await first.client.command({ query: `INSERT INTO ${first.db}.users (user_id, version, name, active) VALUES ('u1', 1, 'A', true)` });

    let busy: unknown;
    try {
      connectStorage({ dataDir: b });
    } catch (e) {
      busy = e;
    }
    expect((busy as StorageError).code).toBe('STORAGE_BUSY');

    // A second client on the same directory shares the engine.
    const same = connectStorage({ dataDir: a });
    expect((await same.client.ping()).success).toBe(true);
    await same.close();

    await first.close();
    const other = await openStorage({ dataDir: b });
    expect(other.migrations.applied).toEqual(MIGRATIONS.map((m) => m.version));
    await other.close();

    const again = await openStorage({ dataDir: a });
    expect(again.migrations.applied).toEqual([]);
    const rs = await again.client.query({ query: `SELECT count() AS n FROM ${again.db}.users`, format: 'JSONEachRow' });
    // chDB prints 64-bit integers unquoted, a server quotes them: storage/ always converts with Number().
    const [row] = await rs.json<{ n: string | number }>();
    expect(Number(row?.n)).toBe(1);
    await again.close();
  });
});

describe('embedded chDB: engine configuration', () => {
  it('starts the engine with the configured skip-index cache (partial-plate search reads its index from it)', async () => {
    const conn = connectStorage({ dataDir: join(dir, 'cache'), skipIndexCacheBytes: 48 * 2 ** 20 });
    const rs = await conn.client.query({ query: "SELECT value FROM system.server_settings WHERE name = 'index_uncompressed_cache_size'", format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ value: String(48 * 2 ** 20) }]);
    await conn.close();
  });
});

describe('embedded chDB: the data directory is the owner\'s alone', () => {
  // Password hashes, every read's plate and place, the access log: no other account may enter.
  it('makes the directory 0700 whatever the umask, leaving the directories above it to the umask', async () => {
    const previous = process.umask(0o022);
    try {
      const conn = connectStorage({ dataDir: join(dir, 'private', 'clickhouse') });
      await conn.close();
      expect(statSync(join(dir, 'private', 'clickhouse')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'private')).mode & 0o777).toBe(0o755);
    } finally {
      process.umask(previous);
    }
  });

  it('narrows an existing directory this account owns that others could enter', async () => {
    const loose = join(dir, 'loose');
    mkdirSync(loose);
    chmodSync(loose, 0o755);
    const conn = connectStorage({ dataDir: loose });
    await conn.close();
    expect(statSync(loose).mode & 0o777).toBe(0o700);
  });
});

describe('a ClickHouse server that does not answer', () => {
  it('is named at start, with the settings to check and without the password (not the client\'s "connect ECONNREFUSED")', async () => {
    const { createServer } = await import('node:net');
    // A port nothing listens on: taken, then released.
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const refused = await openStorage({ url: `http://ops:hunter2-secret@127.0.0.1:${closedPort}` }).catch((error: unknown) => error as StorageError);
    expect(refused).toBeInstanceOf(StorageError);
    expect((refused as StorageError).code).toBe('STORAGE_UNREACHABLE');
    expect((refused as StorageError).message).toMatch(new RegExp(`^the ClickHouse server at http://127\\.0\\.0\\.1:${closedPort}/ \\(CLICKHOUSE_URL, storage\\.url\\) did not answer a query: .*ECONNREFUSED`));
    expect((refused as StorageError).message).not.toContain('hunter2');

    // Something answers HTTP, but not as ClickHouse does (a proxy's error page, another service).
    const { createServer: createHttpServer } = await import('node:http');
    const other = createHttpServer((_req, res) => res.writeHead(502).end('Bad Gateway')).listen(0, '127.0.0.1');
    await new Promise((r) => other.once('listening', r));
    try {
      const { port } = other.address() as { port: number };
      const wrong = await openStorage({ url: `http://127.0.0.1:${port}` }).catch((error: unknown) => error as StorageError);
      expect((wrong as StorageError).code).toBe('STORAGE_UNREACHABLE');
    } finally {
      other.close();
    }
  });
});
