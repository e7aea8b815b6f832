// The versioned schema: every table platewatch keeps, as an ordered list of migrations.
// Never edit a migration once released (the runner refuses a changed checksum); add a new one.
//
// Detections — the decisions, measured in bench/storage/ and explained in docs/storage.md:
// - PARTITION BY day: TTL drops whole days (ttl_only_drop_parts), and time ranges prune partitions.
// - ORDER BY (plate_ocr, seen_at, read_id): exact and OCR-equivalent searches are a primary-key
//   range per day; a known leading prefix of a partial pattern is too.
// - ReplacingMergeTree on that key, which holds read_id (a read's plate and time never change),
//   so a redelivered read collapses to one row at merge; until then searches dedupe with
//   ONE_ROW_A_READ (storage/detection.ts). A retried batch is dropped at insert by its deduplication
//   token (non_replicated_deduplication_window).
// - ngrambf_v1(4, 32768, 3, 0) on plate_ocr (migration 6; migration 1 had an 8 KiB filter):
//   partial-plate patterns with ≥ 4 known consecutive characters skip granules that cannot
//   contain them.
// - Merges: wider than ClickHouse's default (migration 7), and a day quiet for an hour is merged
//   into one part (migration 8), because a search pays for every part in its range.
// - TTL: Government Code § 34090.6 — keep ≥ 1 year, then purge (Watsonville §471.6, Martinez §439.5);
//   held detections are copied to evidence_detections, which has no TTL.
// - Heading and vehicle year (migration 10): NULL when the camera sent none, never 0.
// - A disposition's wanted-person check (migration 11): NULL when not asked, never false.
// - The detections a release approved (migration 13): kept with the approving version.
// - Evidence is keyed by case and detection, (case_number, plate_ocr, seen_at, read_id, agency,
//   camera) (migration 14).
// - Detections are kept apart by their source, agency and camera (migration 15): read ids and whole
//   seconds repeat across cameras, and the sort key is what ReplacingMergeTree collapses.
// - A bloom filter over the reader's alternative readings mapped through the OCR classes
//   (migration 16): searches by plate find a read by them too.
import { CANDIDATES_OCR_INDEX } from './other-readings.js';

export interface SchemaContext {
  /** Database name (validated identifier). */
  db: string;
  detectionRetentionSeconds: number;
  hitRetentionSeconds: number;
}

export interface Migration {
  version: number;
  name: string;
  statements(ctx: SchemaContext): string[];
}

/**
 * Columns of a stored detection as migration 1 created them, for `detections` and the evidence copy.
 * Frozen: migration 1's checksum covers this text, so columns added later belong in new migrations.
 */
const DETECTION_COLUMNS_V1_DDL = `
  read_id String,
  agency LowCardinality(String),
  camera LowCardinality(String),
  seen_at DateTime64(3, 'UTC'),
  plate String,
  plate_ocr String,
  state LowCardinality(String),
  confidence Float32,
  lat Nullable(Float64),
  lon Nullable(Float64),
  vehicle_make LowCardinality(String),
  vehicle_model LowCardinality(String),
  vehicle_color LowCardinality(String),
  vehicle_type LowCardinality(String),
  image_ref String,
  candidates Array(String),
  stored_at DateTime64(3, 'UTC') DEFAULT now64(3)`;

/**
 * Columns of a stored detection as migration 10 left them, in their order. Frozen: migration 14's
 * checksum covers this text.
 */
const DETECTION_COLUMNS_V10_DDL = `
  read_id String,
  agency LowCardinality(String),
  camera LowCardinality(String),
  seen_at DateTime64(3, 'UTC'),
  plate String,
  plate_ocr String,
  state LowCardinality(String),
  confidence Float32,
  lat Nullable(Float64),
  lon Nullable(Float64),
  heading Nullable(Float32),
  vehicle_make LowCardinality(String),
  vehicle_model LowCardinality(String),
  vehicle_year Nullable(UInt16),
  vehicle_color LowCardinality(String),
  vehicle_type LowCardinality(String),
  image_ref String,
  candidates Array(String),
  stored_at DateTime64(3, 'UTC') DEFAULT now64(3)`;

/**
 * Columns of a stored detection as the migrations leave them, in their order (for tables made
 * outside the migrations: the benchmarks' variants, whose sorting key must then end in read_source,
 * DETECTION_SORTING_KEY). Heading and vehicle year: migration 10; read_source (migration 15)
 * goes in after camera, where the migration puts it; the migration 10 text stays as it is.
 */
export const DETECTION_COLUMNS_DDL = DETECTION_COLUMNS_V10_DDL.replace(
  '\n  camera LowCardinality(String),\n',
  '\n  camera LowCardinality(String),\n  read_source LowCardinality(String),\n',
);

/**
 * The detections' sorting key and primary key as migration 15 leaves them, for tables made outside
 * the migrations (`ORDER BY … PRIMARY KEY …`): the primary key stays the first three.
 */
export const DETECTION_SORTING_KEY = 'ORDER BY (plate_ocr, seen_at, read_id, read_source) PRIMARY KEY (plate_ocr, seen_at, read_id)';

/** Every column of evidence_detections as migration 14 copies it, in the table's order. Frozen, like its DDL. */
const EVIDENCE_COLUMN_NAMES_V14 = 'read_id, agency, camera, seen_at, plate, plate_ocr, state, confidence, lat, lon, heading, ' +
  'vehicle_make, vehicle_model, vehicle_year, vehicle_color, vehicle_type, image_ref, candidates, stored_at, case_number, hold_id, held_at';

/** How long a day partition's parts must all be untouched before it is merged whole (migration 8). */
const CLOSED_DAY_QUIET_SECONDS = 3600;

/** Migration 1's skip index for partial-plate search; migration 6 replaces it. */
const PLATE_NGRAM_INDEX_V1 = 'INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 8192, 2, 0) GRANULARITY 1';

export function detectionTtl(seconds: number): string {
  return `toDateTime(seen_at) + toIntervalSecond(${Math.trunc(seconds)})`;
}

export function hitTtl(seconds: number): string {
  return `toDateTime(seen_at) + toIntervalSecond(${Math.trunc(seconds)})`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial tables',
    statements: ({ db, detectionRetentionSeconds, hitRetentionSeconds }) => [
      `CREATE TABLE IF NOT EXISTS ${db}.detections (${DETECTION_COLUMNS_V1_DDL},
  ${PLATE_NGRAM_INDEX_V1}
) ENGINE = ReplacingMergeTree
PARTITION BY toDate(seen_at)
ORDER BY (plate_ocr, seen_at, read_id)
TTL ${detectionTtl(detectionRetentionSeconds)}
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000`,

      `CREATE TABLE IF NOT EXISTS ${db}.hits (
  hit_id String,
  read_id String,
  agency LowCardinality(String),
  camera LowCardinality(String),
  seen_at DateTime64(3, 'UTC'),
  plate String,
  list LowCardinality(String),
  entry_id String,
  entry_version UInt32,
  match_kind LowCardinality(String),
  distance UInt8,
  differing Array(UInt8),
  state_match LowCardinality(String),
  created_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(seen_at)
ORDER BY (agency, seen_at, hit_id)
TTL ${hitTtl(hitRetentionSeconds)}
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000`,

      // Watsonville §471.5(f)(3): every hit is cleared with what happened; history is kept.
      `CREATE TABLE IF NOT EXISTS ${db}.hit_dispositions (
  hit_id String,
  seen_at DateTime64(3, 'UTC'),
  recorded_at DateTime64(3, 'UTC'),
  user_id String,
  disposition LowCardinality(String),
  visual_verified Bool,
  clets_verified Bool,
  notes String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(seen_at)
ORDER BY (hit_id, recorded_at)
TTL ${hitTtl(hitRetentionSeconds)}
SETTINGS ttl_only_drop_parts = 1`,

      // Watsonville §471.5(f)(5): entries carry member, case number, synopsis; every version is kept.
      `CREATE TABLE IF NOT EXISTS ${db}.hotlist_entries (
  entry_id String,
  version UInt32,
  list LowCardinality(String),
  plate String,
  is_pattern Bool,
  state LowCardinality(String),
  reason String,
  case_number String,
  entered_by String,
  synopsis String,
  expires_at Nullable(DateTime64(3, 'UTC')),
  status LowCardinality(String),
  recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree
ORDER BY (list, entry_id, version)`,

      // Watsonville §471.5(f)(5): first entry approved by the administrator, updates by a supervisor.
      `CREATE TABLE IF NOT EXISTS ${db}.hotlist_approvals (
  entry_id String,
  version UInt32,
  decision LowCardinality(String),
  decided_by String,
  decided_role LowCardinality(String),
  decided_at DateTime64(3, 'UTC'),
  note String
) ENGINE = MergeTree
ORDER BY (entry_id, version, decided_at)`,

      // Watsonville §471.4.1(a)(b), §471.5(h): individual, trained, authorised users. Every version is
      // kept (MergeTree, not Replacing): the audit asks whether a user was trained on the day of a search.
      `CREATE TABLE IF NOT EXISTS ${db}.users (
  user_id String,
  version UInt32,
  name String,
  title String,
  roles Array(LowCardinality(String)),
  trained_at Nullable(Date),
  active Bool,
  updated_at DateTime64(3, 'UTC'),
  updated_by String
) ENGINE = MergeTree
ORDER BY (user_id, version)`,

      // Watsonville §471.7(b), Civil Code § 1798.90.52: every access by name, date and time.
      // Append-only and hash-chained (storage/access-log.ts); no TTL.
      `CREATE TABLE IF NOT EXISTS ${db}.access_log (
  chain LowCardinality(String),
  seq UInt64,
  at DateTime64(3, 'UTC'),
  user_id String,
  action LowCardinality(String),
  outcome LowCardinality(String),
  params String,
  rows_returned UInt64,
  case_number String,
  reason String,
  detail String,
  prev_hash String,
  hash String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (chain, seq)`,

      // Watsonville §471.8(a)–(d): written request, approval, Values Act check; requests retained.
      `CREATE TABLE IF NOT EXISTS ${db}.release_requests (
  request_id String,
  version UInt32,
  received_at DateTime64(3, 'UTC'),
  agency String,
  agency_kind LowCardinality(String),
  requester String,
  purpose String,
  status LowCardinality(String),
  decided_by String,
  decided_at Nullable(DateTime64(3, 'UTC')),
  decision_note String,
  document_ref String,
  recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree
ORDER BY (request_id, version)`,

      // Watsonville §471.6: data that is or may become evidence is kept past retention.
      `CREATE TABLE IF NOT EXISTS ${db}.legal_holds (
  hold_id String,
  case_number String,
  created_at DateTime64(3, 'UTC'),
  created_by String,
  reason String,
  criteria String,
  rows_held UInt64
) ENGINE = MergeTree
ORDER BY (case_number, hold_id)`,

      `CREATE TABLE IF NOT EXISTS ${db}.evidence_detections (${DETECTION_COLUMNS_V1_DDL},
  case_number String,
  hold_id String,
  held_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree
ORDER BY (case_number, read_id)`,
    ],
  },
  {
    version: 2,
    name: 'credentials, login attempts and sessions',
    statements: ({ db }) => [
      // Watsonville §471.5(h): individual credentials. Every version is kept; the newest is in force.
      // `password_hash` is self-describing (`scrypt$logN$r$p$salt$hash`, storage/password.ts).
      `CREATE TABLE IF NOT EXISTS ${db}.credentials (
  user_id String,
  version UInt32,
  password_hash String,
  set_at DateTime64(3, 'UTC'),
  set_by String
) ENGINE = MergeTree
ORDER BY (user_id, version)`,

      // Lockout survives a restart: failures since the last success or reset, within the window, count.
      `CREATE TABLE IF NOT EXISTS ${db}.login_attempts (
  user_id String,
  at DateTime64(3, 'UTC'),
  outcome LowCardinality(String)
) ENGINE = MergeTree
ORDER BY (user_id, at)`,

      // Sessions hold the SHA-256 of the token, never the token; revocation is a newer version.
      `CREATE TABLE IF NOT EXISTS ${db}.sessions (
  token_hash String,
  version UInt8,
  user_id String,
  issued_at DateTime64(3, 'UTC'),
  expires_at DateTime64(3, 'UTC'),
  revoked_at Nullable(DateTime64(3, 'UTC'))
) ENGINE = MergeTree
ORDER BY (token_hash, version)`,
    ],
  },
  {
    version: 3,
    name: 'training expiry',
    statements: ({ db }) => [
      // Watsonville §471.10: training is renewed; a lapsed user is refused like an untrained one.
      `ALTER TABLE ${db}.users ADD COLUMN IF NOT EXISTS training_expires_at Nullable(Date) AFTER trained_at`,
    ],
  },
  {
    version: 4,
    name: 'hot list designations and entry vehicles',
    statements: ({ db }) => [
      // Watsonville §471.5(f): hot lists are designated by the ALPR Administrator; every version of a
      // designation is kept. Gov. Code § 7284.6: no list for immigration enforcement (storage/hotlists.ts).
      `CREATE TABLE IF NOT EXISTS ${db}.hotlist_lists (
  list String,
  version UInt32,
  kind LowCardinality(String),
  purpose String,
  active Bool,
  changed_by String,
  changed_at DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (list, version)`,
      // What verification needs (NCIC VMA/VMO/VYR/VCO/VST), never a person's name or birth date.
      `ALTER TABLE ${db}.hotlist_entries ADD COLUMN IF NOT EXISTS vehicle_make String DEFAULT '' AFTER expires_at`,
      `ALTER TABLE ${db}.hotlist_entries ADD COLUMN IF NOT EXISTS vehicle_model String DEFAULT '' AFTER vehicle_make`,
      `ALTER TABLE ${db}.hotlist_entries ADD COLUMN IF NOT EXISTS vehicle_year Nullable(UInt16) AFTER vehicle_model`,
      `ALTER TABLE ${db}.hotlist_entries ADD COLUMN IF NOT EXISTS vehicle_color String DEFAULT '' AFTER vehicle_year`,
      `ALTER TABLE ${db}.hotlist_entries ADD COLUMN IF NOT EXISTS vehicle_style String DEFAULT '' AFTER vehicle_color`,
    ],
  },
  {
    version: 5,
    name: 'release request details',
    statements: ({ db }) => [
      // Watsonville §471.8(a): the written request names the data asked for; the agency's state decides
      // Civil Code § 1798.90.55 (out-of-state agencies). Which rule refused a request, and the package
      // of an approved one (SHA-256 manifest), are kept with the request (§471.8(d)).
      `ALTER TABLE ${db}.release_requests ADD COLUMN IF NOT EXISTS agency_state LowCardinality(String) AFTER agency_kind`,
      `ALTER TABLE ${db}.release_requests ADD COLUMN IF NOT EXISTS criteria String AFTER purpose`,
      `ALTER TABLE ${db}.release_requests ADD COLUMN IF NOT EXISTS recorded_by String AFTER criteria`,
      `ALTER TABLE ${db}.release_requests ADD COLUMN IF NOT EXISTS refusal_rule LowCardinality(String) AFTER decision_note`,
      `ALTER TABLE ${db}.release_requests ADD COLUMN IF NOT EXISTS package_manifest String AFTER document_ref`,
    ],
  },
  {
    version: 6,
    name: 'larger plate n-gram filter',
    statements: ({ db }) => [
      // The new index is built for parts already stored by a background mutation (system.mutations);
      // until a part has it, searches read that part whole. New parts get it at insert.
      // bench/storage/search.bench.ts variant ngrambf4_32k3. A granule holds up to ~30,000
      // distinct n-grams: the 8 KiB filter let about 1 granule in 5 through for an n-gram it did
      // not hold, this one fewer than 1 in 100 (docs/storage.md, BENCHMARKS.md "bloom filter size").
      `ALTER TABLE ${db}.detections ADD INDEX IF NOT EXISTS plate_ngram_32k plate_ocr TYPE ngrambf_v1(4, 32768, 3, 0) GRANULARITY 1`,
      `ALTER TABLE ${db}.detections MATERIALIZE INDEX plate_ngram_32k`,
      `ALTER TABLE ${db}.detections DROP INDEX IF EXISTS plate_ngram`,
    ],
  },
  {
    version: 7,
    name: 'wider detection merges',
    statements: ({ db }) => [
      // Merges took about half of a 2-core machine's CPU at full insert rate, each row rewritten
      // 3.1–3.4 times in a minute; with 10 (ClickHouse's default is 5) and the writer's 50,000-row
      // batches, 1.5–1.8 times, and the sustained rate rose from 120,000–130,000 to 150,000–157,000
      // rows/s in alternated runs (bench/storage/insert.bench.ts --seconds 60, BENCHMARKS.md
      // "inserts sustained"). A day's partition may hold more parts between merges.
      // Needs ClickHouse 24.11 or newer (docs/storage.md, server versions).
      `ALTER TABLE ${db}.detections MODIFY SETTING merge_selector_base = 10`,
    ],
  },
  {
    version: 8,
    name: 'closed days merged whole',
    statements: ({ db }) => [
      // A search plans every part in its range: on 50 M detections over 30 days, ten parts a day
      // instead of one took a 3-known prefix search from 38 to 169 ms p95 and a 5-known one from
      // 217 to 339 ms (bench/storage/search.bench.ts variant ngrambf4_32k3_p10, BENCHMARKS.md
      // "partitions of many parts"), and a busy writer leaves about ten (migration 7). A day whose
      // parts have all been left alone for an hour takes no more reads, bar a camera's late
      // upload, so it is merged into one part; ReplacingMergeTree then also drops its redelivered
      // copies. Today's partition keeps getting parts and is left to the normal merges.
      `ALTER TABLE ${db}.detections MODIFY SETTING min_age_to_force_merge_seconds = ${CLOSED_DAY_QUIET_SECONDS}, min_age_to_force_merge_on_partition_only = 1`,
    ],
  },
  {
    version: 9,
    name: 'reads of each legal hold',
    statements: ({ db }) => [
      // A read held twice under one case is one row of evidence_detections (ReplacingMergeTree on
      // (case_number, read_id)): at merge the earlier hold's copy goes, and its hold_id with it. Each
      // hold keeps the read ids it copied, so a package names every hold that covers a detection
      // (storage/evidence.ts). Holds placed before have none: a row's own hold_id stands for them.
      `ALTER TABLE ${db}.legal_holds ADD COLUMN IF NOT EXISTS read_ids Array(String) AFTER rows_held`,
    ],
  },
  {
    version: 10,
    name: 'heading and vehicle year of detections',
    statements: ({ db }) => [
      // The camera wire format (docs/wire.md) has carried both from the start; storage dropped them.
      // NULL where a camera sends none (and for every row stored before): 0 is due north, and a year
      // of 0 would read as a value. Heading is Float32 because the wire takes any number 0–360, not
      // only whole degrees: Float32 keeps about 0.00003° of it at 360, far finer than a camera
      // measures, in half the bytes of Float64; UInt16 would round 142.5 away. The year is an
      // integer 1900–2100 on the wire, as in hotlist_entries (migration 4). Both tables hold detection
      // rows: a hold copies every column of the detection into evidence_detections.
      ...['detections', 'evidence_detections'].flatMap((table) => [
        `ALTER TABLE ${db}.${table} ADD COLUMN IF NOT EXISTS heading Nullable(Float32) AFTER lon`,
        `ALTER TABLE ${db}.${table} ADD COLUMN IF NOT EXISTS vehicle_year Nullable(UInt16) AFTER vehicle_model`,
      ]),
    ],
  },
  {
    version: 11,
    name: 'wanted-person check of dispositions',
    statements: ({ db }) => [
      // Watsonville §471.5(f)(2): on a hit of a list that may be about a wanted person (any but the
      // stolen vehicle and plate lists), a reasonable effort to confirm the person is in the vehicle
      // before a stop. It was folded into visual_verified; on its own, an auditor can tell whether it
      // was made. NULL is "not asked": the stolen vehicle and plate lists' hits, and every answer
      // recorded before this migration, whose visual_verified may include it.
      `ALTER TABLE ${db}.hit_dispositions ADD COLUMN IF NOT EXISTS person_verified Nullable(Bool) AFTER clets_verified`,
    ],
  },
  {
    version: 12,
    name: 'login attempts by client',
    statements: ({ db }) => [
      // Lockout is per account and client (storage/credentials.ts): failures from one address lock
      // that address out of the account, not the account's owner elsewhere. '' is an attempt made
      // before this migration, whose client was not kept.
      `ALTER TABLE ${db}.login_attempts ADD COLUMN IF NOT EXISTS client String DEFAULT '' AFTER at`,
    ],
  },
  {
    version: 13,
    name: 'detections of each approved release',
    statements: ({ db }) => [
      // Watsonville §471.8(b): the Chief approves the data released, so the package holds the
      // detections matched at approval, not those matched at export (found by QA: a vehicle held
      // under the case after approval was released unapproved). The approving version keeps each
      // by the key detections are stored once by (plate_ocr, seen_at, read_id: migration 1), in
      // that order so a package finds them by primary key; later versions keep only the count.
      // Up to MAX_RELEASE_ROWS (100,000) keys, about 40 bytes each before compression, in one row
      // of a table of a few requests a month. NULL count: not approved, or approved before this
      // migration (selected at export, as then).
      `ALTER TABLE ${db}.release_requests ADD COLUMN IF NOT EXISTS approved_count Nullable(UInt32) AFTER refusal_rule`,
      `ALTER TABLE ${db}.release_requests ADD COLUMN IF NOT EXISTS approved_detections Array(Tuple(plate_ocr String, seen_at DateTime64(3, 'UTC'), read_id String)) AFTER approved_count`,
    ],
  },
  {
    version: 14,
    name: 'evidence keyed by detection',
    statements: ({ db }) => [
      // Read ids are the cameras' own and repeat across cameras (docs/storage.md, "Idempotent on the
      // read"): keyed (case_number, read_id), two detections of one case sharing an id became one row
      // of evidence at merge, and one was lost without trace. A detection is its plate, time, read id,
      // agency and camera: cameras that stamp whole seconds send the same id at the same time for
      // the same plate (found by QA), so (plate_ocr, seen_at, read_id) alone still merged two
      // cameras' reads into one. Rows merged away before this migration are gone and cannot be
      // brought back.
      //
      // A sorting key cannot be changed by ALTER, so the table is made anew, filled from the old one,
      // exchanged for it atomically and the old one dropped: all in this one statement, which
      // ClickHouse runs on a table of a random name (_tmp_replace_…). A start that dies during it
      // leaves evidence_detections as it was (and maybe that half-filled table, which holds nothing
      // that is not in evidence_detections), and runs it again; a start that dies after it copies
      // the re-keyed table onto itself, losing nothing. Separate DROP/CREATE/INSERT/EXCHANGE
      // statements could be made safe to re-run, but not for two processes starting at once against
      // one server (migrate.ts): one would exchange in the other's half-filled copy and drop the full one.
      `CREATE OR REPLACE TABLE ${db}.evidence_detections (${DETECTION_COLUMNS_V10_DDL},
  case_number String,
  hold_id String,
  held_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree
ORDER BY (case_number, plate_ocr, seen_at, read_id, agency, camera)
AS SELECT ${EVIDENCE_COLUMN_NAMES_V14} FROM ${db}.evidence_detections`,
      // Each hold keeps the detections it copied, as read_ids (migration 9) kept their ids, so a
      // package names every hold that covers a detection. Holds placed before: empty, and their
      // read_ids stand for them (storage/evidence.ts).
      `ALTER TABLE ${db}.legal_holds ADD COLUMN IF NOT EXISTS detection_keys Array(Tuple(plate_ocr String, seen_at DateTime64(3, 'UTC'), read_id String)) AFTER read_ids`,
    ],
  },
  {
    version: 15,
    name: 'detections kept apart by camera',
    statements: ({ db }) => [
      // A read is its agency, camera, id and time (docs/wire.md), but ReplacingMergeTree collapses
      // rows by the sort key, (plate_ocr, seen_at, read_id): two cameras stamping whole seconds sent
      // the same id at the same second for one plate, both were acked, and the merge kept one
      // (found by QA). An existing column cannot join a sorting key (old parts are not sorted by
      // it); a column added in the same ALTER without a default can, since every old part holds ''
      // in it and stays sorted. So the writer fills read_source with agency and camera
      // (storage/detection.ts), and parts written before keep '' and merge as they did: reads of two
      // cameras stored before this migration and not yet merged still collapse.
      // The primary key stays (plate_ocr, seen_at, read_id), and with it searches and the index.
      // LowCardinality, as agency and camera are: one value per camera.
      // Safe to run again: IF NOT EXISTS skips the column and an unchanged ORDER BY is accepted.
      `ALTER TABLE ${db}.detections ADD COLUMN IF NOT EXISTS read_source LowCardinality(String) AFTER camera,
  MODIFY ORDER BY (plate_ocr, seen_at, read_id, read_source)`,
    ],
  },
  {
    version: 16,
    name: 'alternative readings searchable',
    statements: ({ db }) => [
      // A hit may be raised on one of the reader's alternative readings (docs/wire.md, candidates),
      // and a search for the listed plate did not find that read: it compared the plate as read
      // only (noticed in QA, session 29). Searches by plate now look in the alternatives too
      // (storage/search.ts, otherReadings), through the OCR classes as plate_ocr is looked up, with
      // this index over their mapping (storage/other-readings.ts: an expression, not a column,
      // which would cost every insert). It is built for parts already stored by a background
      // mutation, as in migration 6.
      `ALTER TABLE ${db}.detections ADD ${CANDIDATES_OCR_INDEX.replace('INDEX ', 'INDEX IF NOT EXISTS ')}`,
      `ALTER TABLE ${db}.detections MATERIALIZE INDEX candidates_ocr_bloom`,
    ],
  },
];
