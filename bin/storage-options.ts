// Options and helpers shared by the verbs that open storage directly (audit, evidence), and the
// one mapping from the platewatch configuration to storage's own, which `up` uses too.
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { openStorage, type Storage, type StorageConfig } from '../storage/index.js';
import { ConfigError, loadConfig, type PlatewatchConfig } from './config.js';
import type { VerbIO } from './verb.js';

/** Storage options every storage verb takes, on top of the platewatch configuration (bin/config.ts). */
export const STORAGE_OPTIONS_USAGE = `Storage options (otherwise from the configuration: --config FILE, then the environment —
PLATEWATCH_DATA_DIR, CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, PLATEWATCH_RETENTION_DAYS):
  --config FILE          JSON config file (README, Configuration)
  --data-dir DIR         embedded chDB directory        [default: <dataDir>/clickhouse, i.e. ./data/clickhouse]
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
    dataDir: resolve(io.cwd, values['data-dir'] ?? join(config.dataDir, 'clickhouse')),
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

/** Opens storage for a verb; on failure writes the reason and returns undefined. */
export async function openForVerb(config: Partial<StorageConfig>, io: VerbIO): Promise<Storage | undefined> {
  try {
    return await openStorage(config);
  } catch (error) {
    io.stderr.write(`platewatch: cannot open storage: ${(error as Error).message}\n`);
    return undefined;
  }
}
