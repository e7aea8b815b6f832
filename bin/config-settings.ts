// The settings of the one platewatch configuration (bin/config.ts): their types and defaults.
import { DEFAULT_GATEWAY_PORT, DEFAULT_IDLE_LOCK_EXEMPT_ROLES, DEFAULT_IDLE_LOCK_MINUTES } from '../gateway/index.js';
import { DEFAULT_MAX_CAMERAS, DEFAULT_STALE_AFTER_MS, DEFAULT_STREAMS_CONFIG, DEFAULT_IMMIGRATION_MESSAGE_KEYS, type BulkLayout } from '../ingest/index.js';
import type { MatcherConfig } from '../matcher/index.js';
import { DEFAULT_BATCH_DELAY_MS, DEFAULT_BATCH_ROWS, DEFAULT_INSERTS_IN_FLIGHT, DEFAULT_MAX_QUEUED_ROWS, type ReleasePolicy } from '../storage/index.js';

/** Embedded NATS JetStream and chDB keep their files here (DESIGN.md, data flow). */
export const DEFAULT_DATA_DIR = './data';

export interface PlatewatchConfig {
  /** Directory for embedded NATS JetStream and chDB data. Env `PLATEWATCH_DATA_DIR`. @default DEFAULT_DATA_DIR (`./data`) */
  dataDir: string;
  /**
   * Matching model. Env: `PLATEWATCH_GENERAL_LISTS` (comma list, e.g. `SVS,SFR,SLR`),
   * `PLATEWATCH_OCR_CLASSES` (comma list, e.g. `0ODQ,1IL,8B`), `PLATEWATCH_FUZZY_MIN_LENGTH`,
   * `PLATEWATCH_PATTERN_MIN_KNOWN`, `PLATEWATCH_OCR_MAX_SUBSTITUTIONS` (9 comma numbers, index = plate length).
   * @default DEFAULT_MATCHER_CONFIG
   */
  matcher: MatcherConfig;
  /** Where NATS is. */
  nats: NatsSettings;
  /** Where detections are kept and for how long. */
  storage: StorageSettings;
  /** Where the gateway (HTTP API, WebSockets, console) listens. */
  gateway: GatewaySettings;
  /**
   * Days of stored detections searched for entries added to a specific list (retroactive hits);
   * 0 turns it off (with several workers, leave it on for one). Env `PLATEWATCH_RETROACTIVE_DAYS`. @default 30
   */
  retroactiveDays: number;
  /** What happens to hits: escalation, covert lists. */
  hits: HitSettings;
  /**
   * Releases to other agencies (Watsonville §471.8). The California Values Act refusal (ICE, CBP,
   * immigration purposes) is not configurable. Env `PLATEWATCH_RELEASE_REFUSE_OUT_OF_STATE`,
   * `PLATEWATCH_RELEASE_REFUSE_FEDERAL` (true/false), `PLATEWATCH_HOME_STATE`.
   * @default DEFAULT_RELEASE_POLICY: refuse out-of-state and federal agencies (Civil Code § 1798.90.55), home state CA
   */
  release: ReleasePolicy;
  /** Hot list loading and staleness. */
  hotlists: HotlistSettings;
  /** What /metrics keeps apart. */
  metrics: MetricsSettings;
  /**
   * How much `up` logs (pino levels, to stderr). Environment only: `PLATEWATCH_LOG_LEVEL`.
   * @default DEFAULT_LOG_LEVEL (`info`)
   */
  logLevel: LogLevel;
  /**
   * The department's IANA time zone (`America/Los_Angeles`): the dates members enter (training
   * completed, training lapses, a hot list expiry given as a date) are days there, not UTC days.
   * Env `PLATEWATCH_TIME_ZONE`.
   * @default DEFAULT_TIME_ZONE (the process's own zone)
   */
  timeZone: string;
}

/** pino's levels: a name outside these makes pino throw at start, so the config refuses it first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

export interface HitSettings {
  /** A hit unresolved this many minutes escalates to supervisors' consoles; 0: never. Env `PLATEWATCH_ESCALATE_AFTER_MINUTES`. @default 5 */
  escalateAfterMinutes: number;
  /**
   * Covert lists: list name → the user ids who alone see its hits (never patrol consoles). File only.
   * @default {}
   */
  covertLists: Record<string, string[]>;
}

export const DEFAULT_HIT_SETTINGS: HitSettings = { escalateAfterMinutes: 5, covertLists: {} };

export interface HotlistSettings {
  /**
   * A general list older than this raises the staleness alarm (Watsonville §471.5(f)(4): at least
   * a daily download). Env `PLATEWATCH_HOTLIST_STALE_HOURS`. @default 24
   */
  staleAfterHours: number;
  /**
   * NCIC MKE prefixes of the Immigration Violator File, dropped at load (Gov. Code § 7284.6).
   * Configured codes are added to the defaults, never replace them. Env `PLATEWATCH_IMMIGRATION_MKE`
   * (comma list). @default DEFAULT_IMMIGRATION_MESSAGE_KEYS (`EIV,IV`)
   */
  immigrationMessageKeys: readonly string[];
  /** Bulk file layouts by name (file only; see ingest/bulk-layout.ts). A layout mapping a name or DOB is refused. @default {} */
  layouts: Readonly<Record<string, BulkLayout>>;
}

export interface MetricsSettings {
  /**
   * Cameras (subject agency and camera tokens) with per-camera series of their own on /metrics, in
   * each pipeline process; reads from further cameras are counted as `camera="_other"` and one
   * warning is logged. Bounds the series a misconfigured or hostile publisher can create.
   * Env `PLATEWATCH_METRICS_MAX_CAMERAS`. @default DEFAULT_MAX_CAMERAS (5,000)
   */
  maxCameras: number;
  /**
   * The bearer token /metrics requires, so a Prometheus on another host can scrape it
   * (`Authorization: Bearer <token>`). Unset, /metrics answers only clients on this machine: it
   * names every agency, camera and hot list, and when covert lists' hits happen.
   * Env `PLATEWATCH_METRICS_TOKEN`. @default undefined
   */
  token?: string;
}

export const DEFAULT_METRICS_SETTINGS: MetricsSettings = { maxCameras: DEFAULT_MAX_CAMERAS };

export const DEFAULT_HOTLIST_SETTINGS: HotlistSettings = {
  staleAfterHours: DEFAULT_STALE_AFTER_MS / 3_600_000,
  immigrationMessageKeys: DEFAULT_IMMIGRATION_MESSAGE_KEYS,
  layouts: {},
};

export interface NatsSettings {
  /** An existing NATS server or cluster (`nats://host:4222`). Env `NATS_URL`. @default undefined: spawn nats-server under dataDir/nats */
  url: string | undefined;
  /** Port of the embedded nats-server; 0 picks a free one. Env `PLATEWATCH_NATS_PORT`. @default 0 */
  port: number;
  /**
   * GiB of reads the READS stream holds while the pipeline cannot store them (a ClickHouse outage):
   * beyond it cameras' publishes are refused and they keep the reads. JetStream reserves it on the
   * NATS store's disk at start, so a small disk needs a smaller value. At 10 GiB about 50 million
   * reads of ~200 bytes. Env `PLATEWATCH_READS_MAX_GIB`. @default 10
   */
  readsMaxGib: number;
  /**
   * Credentials for `url`'s server (ingest/nats-auth.ts), over any in the URL itself
   * (`nats://user:password@host`). Env `NATS_TOKEN`; `NATS_USER` and `NATS_PASSWORD`; `NATS_CREDS`.
   */
  token?: string;
  user?: string;
  password?: string;
  credsFile?: string;
}

export interface StorageSettings {
  /** A ClickHouse server (`http://host:8123`). Env `CLICKHOUSE_URL`. @default undefined: embedded chDB under dataDir/clickhouse */
  url: string | undefined;
  /** Env `CLICKHOUSE_USER`. @default 'default' */
  username: string;
  /** Env `CLICKHOUSE_PASSWORD`. @default '' */
  password: string;
  /** Detections and hits are purged after this many days (Government Code § 34090.6: at least 365). Env `PLATEWATCH_RETENTION_DAYS`. @default 365 */
  retentionDays: number;
  /**
   * Memory for decompressed skip-index blocks in embedded chDB, in MiB (0: none); partial-plate
   * searches read the plate n-gram index from it. A ClickHouse server sets
   * `index_uncompressed_cache_size` in its own configuration. Env `PLATEWATCH_SKIP_INDEX_CACHE_MB`. @default 512
   */
  skipIndexCacheMb: number;
  /** An analyst's detection search is stopped after this many seconds and refused as too broad. Env `PLATEWATCH_SEARCH_TIMEOUT_SECONDS`. @default 30 */
  searchTimeoutSeconds: number;
  /** Detections per insert, at most. Env `PLATEWATCH_BATCH_ROWS`. @default DEFAULT_BATCH_ROWS (50,000) */
  batchRows: number;
  /** A batch that is not full is inserted this long after its first detection (hits are published before, so they do not wait). Env `PLATEWATCH_BATCH_DELAY_MS`. @default DEFAULT_BATCH_DELAY_MS (250) */
  batchDelayMs: number;
  /** Full batches inserting at once when detections back up. Env `PLATEWATCH_INSERTS_IN_FLIGHT`. @default DEFAULT_INSERTS_IN_FLIGHT (2) */
  insertsInFlight: number;
  /** Detections waiting for storage, at most, before the pipeline waits for room (bounds memory while storage is slow). Env `PLATEWATCH_MAX_QUEUED_ROWS`. @default DEFAULT_MAX_QUEUED_ROWS (200,000) */
  maxQueuedRows: number;
}

export interface GatewaySettings {
  /** HTTP and WebSocket port; 0 picks a free one. Env `PLATEWATCH_HTTP_PORT`. @default 8080 */
  port: number;
  /** Address to bind; TLS ends at a reverse proxy in front. Env `PLATEWATCH_HTTP_HOST`. @default '127.0.0.1' */
  host: string;
  /**
   * IP addresses or CIDR ranges (`10.0.0.0/24`, for a cloud balancer whose addresses move within
   * its subnet) of proxies or load balancers on other hosts whose X-Forwarded-For names the client
   * (a loopback peer always counts as one), so failed logins are counted per client, not per
   * balancer. Env `PLATEWATCH_TRUSTED_PROXIES` (comma list). @default []
   */
  trustedProxies: string[];
  /**
   * Minutes without keyboard or pointer input before a console locks: its page is hidden and its
   * session ended until its user signs in again (gateway/idle-lock.ts); 0: never. At most 720 (a
   * session's 12 hours). Env `PLATEWATCH_IDLE_LOCK_MINUTES`. @default 30 (CJIS Security Policy 5.5.5)
   */
  idleLockMinutes: number;
  /**
   * Roles whose users' consoles never lock: a locked screen would hide a live hit. Env
   * `PLATEWATCH_IDLE_LOCK_EXEMPT_ROLES` (comma list; `none` for no exemption).
   * @default ['dispatcher', 'officer', 'supervisor'] (dispatch centres and patrol cars, as CJIS exempts them)
   */
  idleLockExemptRoles: string[];
  /**
   * Origins of the hosts that keep the reads' images (`https://images.example.org`): a hit whose
   * read's `image` is a URL on one of them shows the image on its card, and the console loads
   * images from them and no other host. Env `PLATEWATCH_IMAGE_ORIGINS` (comma list). @default []
   */
  imageOrigins: string[];
  /**
   * For cameras that send an object key as `image`: the image's address with `{image}` where the
   * key goes (`https://images.example.org/alpr/{image}`); '' for none. Env
   * `PLATEWATCH_IMAGE_URL_TEMPLATE`. @default ''
   */
  imageUrlTemplate: string;
}

export const DEFAULT_GATEWAY_SETTINGS: GatewaySettings = {
  port: DEFAULT_GATEWAY_PORT, host: '127.0.0.1', trustedProxies: [], idleLockMinutes: DEFAULT_IDLE_LOCK_MINUTES, idleLockExemptRoles: [...DEFAULT_IDLE_LOCK_EXEMPT_ROLES],
  imageOrigins: [], imageUrlTemplate: '',
};
export const DEFAULT_NATS_SETTINGS: NatsSettings = { url: undefined, port: 0, readsMaxGib: DEFAULT_STREAMS_CONFIG.readsMaxBytes / 1024 ** 3 };
export const DEFAULT_STORAGE_SETTINGS: StorageSettings = {
  url: undefined, username: 'default', password: '', retentionDays: 365, skipIndexCacheMb: 512, searchTimeoutSeconds: 30,
  batchRows: DEFAULT_BATCH_ROWS, batchDelayMs: DEFAULT_BATCH_DELAY_MS, insertsInFlight: DEFAULT_INSERTS_IN_FLIGHT, maxQueuedRows: DEFAULT_MAX_QUEUED_ROWS,
};

