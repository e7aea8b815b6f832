// Options and helpers shared by the verbs that open storage directly (audit, evidence), and the
// one mapping from the platewatch configuration to storage's own, which `up` uses too.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { DEFAULT_DATA_DIR, DEFAULT_DATABASE, openStorage, type Storage, type StorageConfig } from '../storage/index.js';
import { ConfigError, loadConfig, type PlatewatchConfig } from './config.js';
import type { VerbIO } from './verb.js';

/** Storage options every storage verb takes, on top of the platewatch configuration (bin/config.ts). */
export const STORAGE_OPTIONS_USAGE = `Storage options (otherwise from the configuration: --config FILE, then the environment —
PLATEWATCH_DATA_DIR, CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, PLATEWATCH_RETENTION_DAYS):
  --config FILE          JSON config file (README, Configuration)
  --data-dir DIR         embedded chDB directory: DATA_DIR/clickhouse, or the data directory itself
                         (what PLATEWATCH_DATA_DIR names, holding clickhouse/, nats/, run/), taken
                         for its clickhouse/ (a new one: any directory not named clickhouse)
                                                [default: $PLATEWATCH_DATA_DIR/clickhouse, i.e. ./data/clickhouse]
                         A command never creates storage there but the first "users add" (no --as).
  --clickhouse-url URL   use a ClickHouse server instead [default: storage.url / $CLICKHOUSE_URL]`;

export const STORAGE_PARSE_OPTIONS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  'clickhouse-url': { type: 'string' },
} as const;

/**
 * The storage configuration a verb opens with: the same as `platewatch up` uses, with --data-dir /
 * --clickhouse-url on top — except that a verb leaves the tables' retention as `up` set it
 * (StorageConfig.applyRetention): an auditor who runs a verb without the operator's --config must
 * not shorten the TTL and purge a year of detections.
 */
export async function storageConfigFrom(
  values: { config?: string; 'data-dir'?: string; 'clickhouse-url'?: string },
  io: VerbIO,
): Promise<Partial<StorageConfig> | undefined> {
  let config;
  try {
    config = await loadConfig({ ...(values.config === undefined ? {} : { file: resolve(io.cwd, values.config) }), env: io.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`platewatch: ${error.message}\n`);
    return undefined;
  }
  const settings = storageSettings(config);
  return {
    ...settings,
    url: values['clickhouse-url'] ?? settings.url,
    dataDir: values['data-dir'] === undefined ? resolve(io.cwd, config.dataDir, 'clickhouse') : embeddedDirOf(resolve(io.cwd, values['data-dir'])),
    applyRetention: false,
  };
}

/** The storage part of the platewatch configuration, as storage/ takes it (`dataDir` is the system's). */
export function storageSettings(config: PlatewatchConfig): Partial<StorageConfig> {
  const retentionSeconds = config.storage.retentionDays * 86_400;
  return {
    url: config.storage.url,
    username: config.storage.username,
    password: config.storage.password,
    detectionRetentionSeconds: retentionSeconds,
    hitRetentionSeconds: retentionSeconds,
    skipIndexCacheBytes: config.storage.skipIndexCacheMb * 2 ** 20,
    searchTimeoutMs: config.storage.searchTimeoutSeconds * 1000,
    batchRows: config.storage.batchRows,
    batchDelayMs: config.storage.batchDelayMs,
    insertsInFlight: config.storage.insertsInFlight,
    maxQueuedRows: config.storage.maxQueuedRows,
    timeZone: config.timeZone,
  };
}

/**
 * The access log chain a process appends to. Embedded chDB is one process, so the configured chain
 * is safe. Against a server, several `platewatch up` processes and CLI verbs may append at the same
 * moment, and one chain must have one writer (each caches its head): so each process gets its own,
 * `up-<host>-<pid>` or `cli-<host>-<pid>` (`audit verify` checks every chain).
 */
export function processAccessLogChain(storage: Pick<Storage, 'kind' | 'config'>, role: 'up' | 'cli', pid = process.pid): string {
  return storage.kind === 'embedded' ? storage.config.accessLogChain : `${role}-${chainHost()}-${pid}`;
}

/** The chain a storage verb appends to (processAccessLogChain). */
export function verbAccessLogChain(storage: Pick<Storage, 'kind' | 'config'>): string {
  return processAccessLogChain(storage, 'cli');
}

// A chain name is 1–64 of A-Z a-z 0-9 _ . - (storage/config.ts).
function chainHost(): string {
  return hostname().replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
}

/**
 * The embedded chDB directory --data-dir names: the data directory itself (PLATEWATCH_DATA_DIR's,
 * holding clickhouse/ beside nats/ and run/) stands for its clickhouse/, unless it is a chDB
 * directory itself (metadata/). Taken as the chDB directory, it was opened as a new, empty one
 * beside the real (found by QA: "unknown user or wrong password" for a registered administrator).
 */
export function embeddedDirOf(dir: string): string {
  if (existsSync(join(dir, 'metadata'))) return dir;
  if (existsSync(join(dir, 'clickhouse'))) return join(dir, 'clickhouse');
  // Neither yet: the first administrator's bootstrap, which creates it. Made in the directory
  // itself, it was where `up` given the same directory never looked (found by QA): any name but
  // clickhouse is taken for the data directory.
  return basename(dir) === 'clickhouse' ? dir : join(dir, 'clickhouse');
}

/**
 * Why embedded storage `config` names has no platewatch database, or null (a server: it is asked).
 * chDB creates a directory it opens, so a verb given the wrong one would work on a new, empty
 * database and leave it behind (found by QA: ./data/clickhouse created in the repository).
 */
export function missingDatabaseProblem(config: Partial<StorageConfig>): string | null {
  if (config.url !== undefined) return null;
  const dir = resolve(config.dataDir ?? DEFAULT_DATA_DIR);
  if (existsSync(join(dir, 'metadata', `${config.database ?? DEFAULT_DATABASE}.sql`))) return null;
  return `no platewatch database at ${dir}: is the data directory right? (PLATEWATCH_DATA_DIR / --data-dir)`;
}

/**
 * Opens storage for a verb; on failure writes the reason and returns undefined. Only existing
 * storage unless `create` (the first administrator's bootstrap, which starts a new system).
 */
export async function openForVerb(config: Partial<StorageConfig>, io: VerbIO, mode: 'existing' | 'create' = 'existing'): Promise<Storage | undefined> {
  const missing = mode === 'existing' ? missingDatabaseProblem(config) : null;
  if (missing !== null) {
    io.stderr.write(`platewatch: ${missing}\n`);
    return undefined;
  }
  try {
    return await openStorage(config);
  } catch (error) {
    io.stderr.write(`platewatch: cannot open storage: ${(error as Error).message}\n`);
    return undefined;
  }
}
