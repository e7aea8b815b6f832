// Start-up: connect, then bring the schema up to date. Everything else in storage/ takes the result.
import type { StorageConfig } from './config.js';
import { connectStorage, type StorageConnection } from './connection.js';
import { StorageError } from './errors.js';
import { migrate, type MigrationReport } from './migrate.js';

export interface Storage extends StorageConnection {
  /** Database name, already validated as an identifier. */
  readonly db: string;
  readonly migrations: MigrationReport;
}

export async function openStorage(overrides: Partial<StorageConfig> = {}): Promise<Storage> {
  const conn = connectStorage(overrides);
  try {
    if (conn.kind === 'server') await checkServerAnswers(conn);
    const migrations = await migrate(conn.client, {
      db: conn.config.database,
      detectionRetentionSeconds: conn.config.detectionRetentionSeconds,
      hitRetentionSeconds: conn.config.hitRetentionSeconds,
    }, undefined, { applyRetention: conn.config.applyRetention });
    return { ...conn, db: conn.config.database, migrations };
  } catch (error) {
    await conn.close();
    throw error;
  }
}

/**
 * A server that is down, or refuses the user, failed at the first migration with the client's own
 * error ("connect ECONNREFUSED 127.0.0.1:8123"), which names neither ClickHouse nor the setting to
 * check. A SELECT, unlike /ping, proves the credentials too.
 */
async function checkServerAnswers(conn: StorageConnection): Promise<void> {
  const answer = await conn.client.ping({ select: true });
  if (answer.success) return;
  throw new StorageError(
    'STORAGE_UNREACHABLE',
    `the ClickHouse server at ${urlWithoutCredentials(conn.config.url ?? '')} (CLICKHOUSE_URL, storage.url) did not answer a query: ` +
      `${answer.error.message}. Check that it runs and is reachable from here, and its user and password (CLICKHOUSE_USER, CLICKHOUSE_PASSWORD)`,
    { cause: answer.error },
  );
}

function urlWithoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(an unreadable URL)';
  }
}
