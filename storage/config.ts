// Storage configuration: one typed object with documented defaults, validated once at start.
// Environment mapping lives in bin/config.ts; nothing here reads process.env.
import { canonicalTimeZone, DEFAULT_TIME_ZONE } from './department-day.js';
import { StorageError } from './errors.js';

export const DEFAULT_DATA_DIR = './data/clickhouse';
export const DEFAULT_DATABASE = 'platewatch';
const SECONDS_PER_DAY = 86_400;
/** Government Code § 34090.6 (Watsonville §471.6, Martinez §439.5): keep ALPR data at least one year. */
export const MINIMUM_RETENTION_SECONDS = 365 * SECONDS_PER_DAY;
export const DEFAULT_DETECTION_RETENTION_SECONDS = MINIMUM_RETENTION_SECONDS;
export const DEFAULT_HIT_RETENTION_SECONDS = MINIMUM_RETENTION_SECONDS;
/**
 * Larger parts mean fewer merges: at full rate, 50,000-row batches with migration 7's wider merges
 * sustained 136,000–157,000 rows/s on 2 cores, 10,000-row ones with the default merges
 * 92,000–139,000 (BENCHMARKS.md, "inserts sustained"). Below full rate the timer seals batches
 * long before they fill.
 */
export const DEFAULT_BATCH_ROWS = 50_000;
export const DEFAULT_BATCH_DELAY_MS = 250;
/** Room for the open batch, two inserting and one sealed, so encoding never waits on a full queue. */
export const DEFAULT_MAX_QUEUED_ROWS = 200_000;
export const DEFAULT_INSERT_ATTEMPTS = 3;
/** Detection batches inserting at once (bench/storage/insert.bench.ts: 2 against 1, BENCHMARKS.md). */
export const DEFAULT_INSERTS_IN_FLIGHT = 2;
export const DEFAULT_ACCESS_LOG_CHAIN = 'main';
/**
 * Decompressed skip-index blocks kept in memory (embedded chDB). The plate n-gram index is about
 * 3.8 bytes per detection (190 MiB per 50 M); without the cache every partial-plate search
 * decompresses the index of its whole range again (BENCHMARKS.md, "bloom filter size").
 */
export const DEFAULT_SKIP_INDEX_CACHE_BYTES = 512 * 2 ** 20;
/**
 * An analyst's search stops after this long. Embedded chDB runs in the pipeline's process, so a
 * search over a year for a pattern the index cannot narrow would otherwise hold cores the
 * pipeline stores reads with, for as long as it runs.
 */
export const DEFAULT_SEARCH_TIMEOUT_MS = 30_000;

export const INSERT_FORMATS = ['RowBinary', 'JSONCompactEachRow', 'JSONEachRow'] as const;
export type InsertFormat = (typeof INSERT_FORMATS)[number];

export interface StorageConfig {
  /**
   * ClickHouse server URL (`http(s)://host:8123`). Unset: embedded chDB under `dataDir`.
   * @default undefined
   */
  url: string | undefined;
  /** Server user; ignored in embedded mode. @default 'default' */
  username: string;
  /** Server password; ignored in embedded mode. @default '' */
  password: string;
  /** Embedded chDB data directory; one per process (chDB binds one). @default DEFAULT_DATA_DIR */
  dataDir: string;
  /** Database holding every platewatch table. @default DEFAULT_DATABASE */
  database: string;
  /** Detections are purged this long after they were read. @default DEFAULT_DETECTION_RETENTION_SECONDS (365 days) */
  detectionRetentionSeconds: number;
  /** Hits are purged this long after the read. @default DEFAULT_HIT_RETENTION_SECONDS (365 days) */
  hitRetentionSeconds: number;
  /**
   * Allow retention under one year. Only for tests and demos: Government Code § 34090.6 requires
   * at least one year. @default false
   */
  allowRetentionUnderOneYear: boolean;
  /**
   * Whether opening storage brings the tables' TTL to this retention. The process that runs the
   * system (`platewatch up`) does; a CLI verb that opens storage for a moment does not, since a
   * verb run without the operator's `--config` would carry the default retention, and a shorter
   * TTL purges the older days at once. Tables a verb creates still get its retention. @default true
   */
  applyRetention: boolean;
  /** A detection batch is sealed at this many rows. @default DEFAULT_BATCH_ROWS */
  batchRows: number;
  /** …or this long after its first row, whichever comes first. @default DEFAULT_BATCH_DELAY_MS */
  batchDelayMs: number;
  /** Rows accepted but not yet durable; callers wait for capacity beyond it. @default DEFAULT_MAX_QUEUED_ROWS */
  maxQueuedRows: number;
  /** Attempts per batch insert (same deduplication token each time). @default DEFAULT_INSERT_ATTEMPTS */
  insertAttempts: number;
  /** Detection batches inserting at the same time; their rows count in `maxQueuedRows`. @default DEFAULT_INSERTS_IN_FLIGHT */
  insertsInFlight: number;
  /**
   * Insert format for detections (docs/storage.md, Writer). RowBinary reaches embedded chDB through
   * a file under `dataDir`, and a server as the insert's body. @default 'RowBinary'
   */
  insertFormat: InsertFormat;
  /** Name of this process's access log hash chain; one writer per chain. @default DEFAULT_ACCESS_LOG_CHAIN */
  accessLogChain: string;
  /**
   * Embedded chDB's `index_uncompressed_cache_size`; 0 turns the cache off. A ClickHouse server
   * takes this from its own configuration (docs/storage.md). @default DEFAULT_SKIP_INDEX_CACHE_BYTES
   */
  skipIndexCacheBytes: number;
  /** A detection search is stopped after this long and refused with SEARCH_TOO_BROAD. @default DEFAULT_SEARCH_TIMEOUT_MS */
  searchTimeoutMs: number;
  /**
   * The department's IANA time zone: dates members enter (training completed, training lapses) are
   * days there (department-day.ts). @default DEFAULT_TIME_ZONE (the process's own zone)
   */
  timeZone: string;
}

export const DEFAULT_STORAGE_CONFIG: StorageConfig = {
  url: undefined,
  username: 'default',
  password: '',
  dataDir: DEFAULT_DATA_DIR,
  database: DEFAULT_DATABASE,
  detectionRetentionSeconds: DEFAULT_DETECTION_RETENTION_SECONDS,
  hitRetentionSeconds: DEFAULT_HIT_RETENTION_SECONDS,
  allowRetentionUnderOneYear: false,
  applyRetention: true,
  batchRows: DEFAULT_BATCH_ROWS,
  batchDelayMs: DEFAULT_BATCH_DELAY_MS,
  maxQueuedRows: DEFAULT_MAX_QUEUED_ROWS,
  insertAttempts: DEFAULT_INSERT_ATTEMPTS,
  insertsInFlight: DEFAULT_INSERTS_IN_FLIGHT,
  insertFormat: 'RowBinary',
  accessLogChain: DEFAULT_ACCESS_LOG_CHAIN,
  skipIndexCacheBytes: DEFAULT_SKIP_INDEX_CACHE_BYTES,
  searchTimeoutMs: DEFAULT_SEARCH_TIMEOUT_MS,
  timeZone: DEFAULT_TIME_ZONE,
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function isPositiveInteger(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

/** Merges overrides onto the defaults and validates; throws `StorageError` INVALID_CONFIG listing every problem. */
export function resolveStorageConfig(overrides: Partial<StorageConfig> = {}): StorageConfig {
  const c: StorageConfig = { ...DEFAULT_STORAGE_CONFIG, ...overrides };
  const problems: string[] = [];
  // The database name is spliced into DDL (identifiers cannot be query parameters), so it is whitelisted.
  if (!IDENTIFIER.test(c.database)) problems.push(`database "${c.database}" must match ${IDENTIFIER}`);
  if (c.url !== undefined) {
    try {
      const u = new URL(c.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`url "${c.url}" must be http(s)`);
    } catch {
      problems.push(`url "${c.url}" is not a URL`);
    }
  } else if (c.dataDir.trim() === '') {
    problems.push('dataDir must be set when url is not');
  }
  for (const key of ['detectionRetentionSeconds', 'hitRetentionSeconds'] as const) {
    const v = c[key];
    if (!isPositiveInteger(v)) problems.push(`${key} must be a positive whole number of seconds`);
    else if (v < MINIMUM_RETENTION_SECONDS && !c.allowRetentionUnderOneYear) {
      problems.push(
        `${key} = ${v} is under one year; Government Code § 34090.6 requires at least ${MINIMUM_RETENTION_SECONDS} ` +
          '(set allowRetentionUnderOneYear only for tests)',
      );
    }
  }
  for (const key of ['batchRows', 'batchDelayMs', 'maxQueuedRows', 'insertAttempts', 'insertsInFlight', 'searchTimeoutMs'] as const) {
    if (!isPositiveInteger(c[key])) problems.push(`${key} must be a positive integer`);
  }
  if (!Number.isInteger(c.skipIndexCacheBytes) || c.skipIndexCacheBytes < 0) problems.push('skipIndexCacheBytes must be a whole number of bytes (0: no cache)');
  if (c.maxQueuedRows < c.batchRows) problems.push(`maxQueuedRows (${c.maxQueuedRows}) must be ≥ batchRows (${c.batchRows})`);
  if (!INSERT_FORMATS.includes(c.insertFormat)) problems.push(`insertFormat must be one of ${INSERT_FORMATS.join(', ')}`);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(c.accessLogChain)) problems.push('accessLogChain must be 1–64 of A-Z a-z 0-9 _ . -');
  const timeZone = canonicalTimeZone(c.timeZone);
  if (timeZone === null) problems.push(`timeZone "${c.timeZone}" is not an IANA time zone (e.g. America/Los_Angeles)`);
  else c.timeZone = timeZone;
  if (problems.length > 0) {
    throw new StorageError('INVALID_CONFIG', `invalid storage configuration: ${problems.join('; ')}`);
  }
  return c;
}
