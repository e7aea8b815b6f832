// Applies the versioned schema at start. Each migration runs once, recorded in schema_migrations;
// statements are idempotent (IF NOT EXISTS, or a table rebuilt whole by CREATE OR REPLACE … AS
// SELECT, which swaps in its copy atomically), so a start that died half-way simply runs it again.
// Then the configured retention is brought onto the tables (it is configuration, not history), by
// the process that runs the system only: see StorageConfig.applyRetention. A database migrated by a
// newer release is refused: an older one ran on it silently, with no hot lists loaded and no hits
// (found by QA).
import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { DEFAULT_DATABASE, DEFAULT_DETECTION_RETENTION_SECONDS, DEFAULT_HIT_RETENTION_SECONDS } from './config.js';
import { StorageError } from './errors.js';
import { detectionTtl, hitTtl, MIGRATIONS, type Migration, type SchemaContext } from './schema.js';
import { queryRows } from './sql.js';

export interface MigrationReport {
  /** Versions applied by this call, in order. */
  applied: number[];
  /** Tables whose TTL was changed to the configured retention. */
  retentionChanged: string[];
  /** The same changes with the retention before and after, so a cut can be said with what it purges. */
  retentionChanges: RetentionChange[];
}

/** One table's TTL brought to the configured retention at start. */
export interface RetentionChange {
  table: string;
  /** The retention the table had, read from its TTL; null when its TTL was not in the form written here. */
  fromSeconds: number | null;
  toSeconds: number;
}

/** The checksum covers the statements as written, not the deployment's database name or retention. */
const CANONICAL: SchemaContext = {
  db: DEFAULT_DATABASE,
  detectionRetentionSeconds: DEFAULT_DETECTION_RETENTION_SECONDS,
  hitRetentionSeconds: DEFAULT_HIT_RETENTION_SECONDS,
};

export function migrationChecksum(m: Migration): string {
  return createHash('sha256').update(m.statements(CANONICAL).join('\n;\n')).digest('hex');
}

export async function migrate(
  client: ClickHouseClient,
  ctx: SchemaContext,
  migrations: readonly Migration[] = MIGRATIONS,
  options: { applyRetention?: boolean } = {},
): Promise<MigrationReport> {
  for (let i = 1; i < migrations.length; i++) {
    if ((migrations[i] as Migration).version <= (migrations[i - 1] as Migration).version) {
      throw new StorageError('MIGRATION_FAILED', 'migrations must have strictly increasing versions');
    }
  }
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${ctx.db}` });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${ctx.db}.schema_migrations (
  version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC')
) ENGINE = MergeTree ORDER BY version`,
  });
  // Two processes starting at once against a server may both record a version: read it once.
  const done = await queryRows<{ version: number; checksum: string }>(
    client,
    `SELECT version, any(checksum) AS checksum FROM ${ctx.db}.schema_migrations GROUP BY version`,
  );
  const appliedChecksum = new Map(done.map((r) => [Number(r.version), r.checksum]));
  refuseNewerSchema(ctx.db, [...appliedChecksum.keys()], migrations);
  const applied: number[] = [];
  for (const m of migrations) {
    const checksum = migrationChecksum(m);
    const previous = appliedChecksum.get(m.version);
    if (previous !== undefined) {
      if (previous !== checksum) {
        throw new StorageError(
          'MIGRATION_CHANGED',
          `migration ${m.version} (${m.name}) was applied with checksum ${previous} but the code now has ${checksum}; ` +
            'released migrations must not change — add a new migration instead',
        );
      }
      continue;
    }
    for (const statement of m.statements(ctx)) {
      try {
        await client.command({ query: statement });
      } catch (error) {
        throw new StorageError('MIGRATION_FAILED', `migration ${m.version} (${m.name}) failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    await client.insert({
      table: `${ctx.db}.schema_migrations`,
      values: [{ version: m.version, name: m.name, checksum, applied_at: Date.now() }],
      format: 'JSONEachRow',
    });
    applied.push(m.version);
  }
  const retentionChanges = options.applyRetention === false ? [] : await applyRetention(client, ctx);
  return { applied, retentionChanged: retentionChanges.map((c) => c.table), retentionChanges };
}

/** Throws SCHEMA_TOO_NEW when `db` holds a migration after the newest of `known`. */
function refuseNewerSchema(db: string, appliedVersions: readonly number[], known: readonly Migration[]): void {
  const newestKnown = known.at(-1)?.version ?? 0;
  const newestApplied = Math.max(0, ...appliedVersions);
  if (newestApplied <= newestKnown) return;
  throw new StorageError(
    'SCHEMA_TOO_NEW',
    `database ${db} has schema version ${newestApplied}, from a newer platewatch; this one knows versions up to ${newestKnown} ` +
      'and would run on tables it does not understand. Run the newer release, or restore the backup taken before upgrading ' +
      '(README, "Backup, restore and upgrade": Rollback)',
  );
}

const TTL_SECONDS = /TTL toDateTime\(seen_at\) \+ toIntervalSecond\((\d+)\)/;

/** Brings each table's TTL to the configured retention when it differs (Government Code § 34090.6). */
async function applyRetention(client: ClickHouseClient, ctx: SchemaContext): Promise<RetentionChange[]> {
  const wanted: Record<string, string> = {
    detections: detectionTtl(ctx.detectionRetentionSeconds),
    hits: hitTtl(ctx.hitRetentionSeconds),
    hit_dispositions: hitTtl(ctx.hitRetentionSeconds),
  };
  const seconds: Record<string, number> = {
    detections: ctx.detectionRetentionSeconds,
    hits: ctx.hitRetentionSeconds,
    hit_dispositions: ctx.hitRetentionSeconds,
  };
  const tables = await queryRows<{ name: string; create_table_query: string }>(
    client,
    'SELECT name, create_table_query FROM system.tables WHERE database = {db:String} AND name IN {names:Array(String)}',
    { db: ctx.db, names: Object.keys(wanted) },
  );
  const changed: RetentionChange[] = [];
  // In a fixed order (system.tables has none), so the report and the log read the same at every start.
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) {
    const current = TTL_SECONDS.exec(t.create_table_query)?.[1];
    const toSeconds = seconds[t.name] as number;
    if (current !== undefined && Number(current) === toSeconds) continue;
    // Rewrites expired parts now rather than at the next merge, so a shortened retention takes effect.
    await client.command({ query: `ALTER TABLE ${ctx.db}.${t.name} MODIFY TTL ${wanted[t.name] as string}` });
    changed.push({ table: t.name, fromSeconds: current === undefined ? null : Number(current), toSeconds });
  }
  return changed;
}
