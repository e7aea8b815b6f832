// Start-up: connect, then bring the schema up to date. Everything else in storage/ takes the result.
import type { StorageConfig } from './config.js';
import { connectStorage, type StorageConnection } from './connection.js';
import { migrate, type MigrationReport } from './migrate.js';

export interface Storage extends StorageConnection {
  /** Database name, already validated as an identifier. */
  readonly db: string;
  readonly migrations: MigrationReport;
}

export async function openStorage(overrides: Partial<StorageConfig> = {}): Promise<Storage> {
  const conn = connectStorage(overrides);
  try {
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
