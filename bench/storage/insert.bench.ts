// Detection insert throughput into embedded chDB, next to the ceiling measured in the same run.
// Every mode first times the ceiling: INSERT … SELECT of --rows rows generated inside ClickHouse,
// into the --table variant. Then one of three:
//   node --import tsx bench/storage/insert.bench.ts [--rows 1000000] [--chunk 1000] [--in-flight 2] [--table shipped]
//     bursts (default): the same --rows rows through the writer in each format (JSONEachRow,
//     JSONCompactEachRow, RowBinary) with 10,000- and 50,000-row batches, then pre-encoded
//     50,000-row batches straight into chDB (JSONCompactEachRow, TSV). Timed before most merges run.
//   node --import tsx bench/storage/insert.bench.ts --seconds 120 [--batch 50000] [--format RowBinary] [--settle 60] [--chunk 1000] [--in-flight 2] [--table shipped]
//     sustained: the writer as the pipeline configures it (--batch and --format override the
//     shipped defaults), flat out for --seconds. It writes as many rows as it can in that time,
//     going round a pool of --rows generated rows under new read ids; --rows is the pool, not the
//     rows written. --settle S then waits S s and counts the parts again.
//   node --import tsx bench/storage/insert.bench.ts --stages yes [--rows 1000000]
//     where the engine's time goes: --rows rows in pre-encoded 50,000-row batches into a Null
//     table (parse), a MergeTree (parts) and the shipped table's shape (merge tree, index).
// The printed report's Command line gives --rows, --chunk, --table and --in-flight in every mode.
// Its heading says "N rows per run" for bursts; a --seconds run's says how long, N being the
// ceiling's rows and the pool's size; the "sustained:" line gives the rows written and their rate.
// Rows are generated in JS before timing. "writer" = storage/writer.ts as the pipeline uses it
// (enqueue chunks of --chunk rows, await every ticket's durability). "raw chDB" hands one
// pre-encoded buffer per batch straight to chDB's parser (chdb/connection's rawInsert), skipping
// @clickhouse/client: the most a text format can do here. "INSERT … SELECT" generates the rows
// inside ClickHouse: the engine's ceiling for this table on this machine.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createChdbConnection } from 'chdb/connection';
import { DEFAULT_INSERTS_IN_FLIGHT, DETECTION_COLUMNS_DDL, DETECTION_INSERT_COLUMNS, DETECTION_SORTING_KEY, DetectionWriter, encodeDetection, INSERT_FORMATS, openStorage, readSource, type Detection, type InsertFormat } from '../../storage/index.js';
import { OcrAlphabet } from '../../matcher/index.js';
import { generatedDetections } from './generate.js';
import { acceptOnly, arg, fmt, machineLine, percentile } from './machine.js';
import { POSITIONAL_GRAMS } from './positional-grams.js';

const ROWS = Number(arg('rows', '1000000'));
// --table VARIANT: the same rows into a detections table with another plate index than the shipped
// one (docs/storage.md, partial-plate search): text4_g1024 = text(ngrams(4)) with 1,024-row
// granules; ngrambf4 = the 8 KiB bloom filter shipped until migration 6; ngrambf4_16k3 = a 16 KiB
// one (the shipped table has 32 KiB, 3 hashes: ngrambf4_32k3); ngrambf4_g1024_4k3 = 1,024-row
// granules with a bloom filter of the same bytes per row. For sustained runs: noindex = the shipped
// table without its plate index (what the index costs, mostly in merges); base5 = the shipped table
// with ClickHouse's default merge_selector_base instead of migration 7's 10 (narrower merges).
// Every variant otherwise has the shipped table's settings.
const TABLE_VARIANTS: Record<string, { index: string; settings?: string; mergeSelectorBase?: number }> = {
  text4_g1024: { index: 'INDEX plate_text plate_ocr TYPE text(tokenizer = ngrams(4)) GRANULARITY 64', settings: ', index_granularity = 1024' },
  ngrambf4: { index: 'INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 8192, 2, 0) GRANULARITY 1' },
  ngrambf4_16k3: { index: 'INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 16384, 3, 0) GRANULARITY 1' },
  ngrambf4_32k3: { index: 'INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 32768, 3, 0) GRANULARITY 1' },
  ngrambf4_g1024_4k3: { index: 'INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 4096, 3, 0) GRANULARITY 1', settings: ', index_granularity = 1024' },
  noindex: { index: '' },
  // Session 12's trial: the exact positional 4-gram index (bench/storage/positional-grams.ts)
  // instead of the bloom filter.
  pos4: { index: `INDEX plate_pos ${POSITIONAL_GRAMS} TYPE text(tokenizer = array)` },
  base5: { index: 'INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 32768, 3, 0) GRANULARITY 1', mergeSelectorBase: 5 },
};
acceptOnly(
  `Usage: node --import tsx bench/storage/insert.bench.ts [--rows 1000000] [--chunk 1000] [--in-flight 2] [--table shipped]
       node --import tsx bench/storage/insert.bench.ts --seconds N [--batch 50000] [--format ${INSERT_FORMATS.join('|')}] [--settle S]
                                                       [--rows 1000000] [--chunk 1000] [--in-flight 2] [--table shipped]
       node --import tsx bench/storage/insert.bench.ts --stages yes [--rows 1000000] [--table shipped]
Each run first times the ceiling (INSERT … SELECT of --rows rows generated in ClickHouse).
Bursts (default): the same --rows rows through the writer in each format with 10,000- and 50,000-row
  batches, --chunk rows per enqueue, --in-flight batches at once; then pre-encoded batches straight into chDB.
--seconds N: the writer as the pipeline configures it, flat out for N s, going round a pool of --rows rows
  under new read ids: it writes as many rows as it can, not --rows. --settle S: then wait S s, count parts again.
--stages yes: --rows rows pre-encoded into a Null table, a MergeTree and the shipped table's shape.
In a --seconds run the report's heading gives the seconds, and --rows is the ceiling's rows and the pool's size.
--candidates N: every read carries N alternative readings (0–10, default 0; cameras send up to 10).
--table (the ceiling's and the writer's table): shipped, ${Object.keys(TABLE_VARIANTS).join(', ')}. Figures in rows/s.`,
  ['rows', 'chunk', 'table', 'in-flight', 'seconds', 'stages', 'settle', 'batch', 'format', 'candidates'],
);
const TABLE_VARIANT = arg('table', 'shipped');
if (TABLE_VARIANT !== 'shipped' && TABLE_VARIANTS[TABLE_VARIANT] === undefined) {
  process.stderr.write(`unknown --table ${TABLE_VARIANT} (shipped, ${Object.keys(TABLE_VARIANTS).join(', ')})\n`);
  process.exit(2);
}
// --in-flight N: detection batches the writer inserts at once (StorageConfig.insertsInFlight).
const IN_FLIGHT = Number(arg('in-flight', String(DEFAULT_INSERTS_IN_FLIGHT)));
const CHUNK = Number(arg('chunk', '1000'));
// Rows per pre-encoded payload handed straight to chDB (the raw and --stages runs).
const RAW_BATCH_ROWS = 50_000;
// --seconds N: instead of the format and batch matrix, run the shipped writer configuration flat out
// for N seconds, so background merges have to keep up: the figure a planner can size from.
const SUSTAIN_SECONDS = Number(arg('seconds', '0'));
const INTERVAL_MS = 10_000;
// --stages yes: pre-encoded batches into tables that do ever more of the shipped table's work.
const STAGES = arg('stages', 'no') === 'yes';
// --settle S: after a sustained run, wait S seconds with no inserts and count the active parts again
// (what a search has to plan once merges catch up).
const SETTLE_SECONDS = Number(arg('settle', '0'));
// --batch N: the sustained run's batch size (default: the shipped StorageConfig.batchRows); room for
// four batches is kept queued, so a larger batch does not starve the encoder.
const SUSTAIN_BATCH = Number(arg('batch', '0'));
// --format F: the sustained run's insert format (default: the shipped StorageConfig.insertFormat,
// RowBinary since session 12; JSONCompactEachRow before).
const SUSTAIN_FORMAT = arg('format', '') as InsertFormat | '';
if (SUSTAIN_FORMAT !== '' && !INSERT_FORMATS.includes(SUSTAIN_FORMAT)) {
  process.stderr.write(`unknown --format ${SUSTAIN_FORMAT} (${INSERT_FORMATS.join(', ')})\n`);
  process.exit(2);
}
// --candidates N: alternative readings on every read (docs/wire.md allows 10), which the writer
// stores with their OCR mapping and the table indexes (migration 16): the dearest case for both.
const CANDIDATES = Number(arg('candidates', '0'));
if (!(Number.isInteger(CANDIDATES) && CANDIDATES >= 0 && CANDIDATES <= 10)) {
  process.stderr.write(`--candidates must be a whole number from 0 to 10\n`);
  process.exit(2);
}
const scratch = join(process.cwd(), 'bench', '.scratch', `insert-${process.pid}`);
mkdirSync(scratch, { recursive: true });
const storage = await openStorage({ dataDir: scratch });
const table = `${storage.db}.detections`;
const variant = TABLE_VARIANTS[TABLE_VARIANT];
if (variant !== undefined) {
  await storage.client.command({ query: `DROP TABLE ${table}` });
  await storage.client.command({
    query: `CREATE TABLE ${table} (${DETECTION_COLUMNS_DDL}${variant.index === '' ? '' : `,
  ${variant.index}`}
) ENGINE = ReplacingMergeTree PARTITION BY toDate(seen_at) ${DETECTION_SORTING_KEY}
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000, merge_selector_base = ${variant.mergeSelectorBase ?? 10}${variant.settings ?? ''}`,
  });
} else if (TABLE_VARIANT !== 'shipped') {
  throw new Error(`unknown --table ${TABLE_VARIANT} (shipped, ${Object.keys(TABLE_VARIANTS).join(', ')})`);
}
const alphabet = new OcrAlphabet();

function makeDetections(n: number): Detection[] {
  const letters = 'ABCDEFGHJKLMNPRSTUVWXYZ';
  const now = Date.UTC(2026, 10, 1);
  const out: Detection[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const plate = `${1 + (i % 9)}${letters[i % 23]}${letters[(i >> 3) % 23]}${letters[(i >> 7) % 23]}${String(i % 1000).padStart(3, '0')}`;
    out[i] = {
      readId: `r-${i}-${Math.random().toString(36).slice(2, 10)}`, agency: 'WPD', camera: `cam-${i % 40}`, seenAt: now - (i % 86_400_000),
      plate, state: 'CA', confidence: 0.91, lat: 36.91 + (i % 1000) / 1e5, lon: -121.76 - (i % 1000) / 1e5,
      // Heading and year on every row: the dearest case for the encoder and the columns (session 19).
      heading: (i * 37) % 360, vehicleMake: 'Toyota', vehicleYear: 2000 + (i % 25), vehicleColor: 'white', vehicleType: 'car',
      imageRef: `s3://alpr-images/2026/11/01/${i}.jpg`,
      // Each alternative differs from the plate in one place, as a reader's second guesses do.
      candidates: Array.from({ length: CANDIDATES }, (_, k) => plate.slice(0, k % 7) + letters[(i + k) % 23] + plate.slice((k % 7) + 1)),
    };
  }
  return out;
}

async function truncate(): Promise<void> {
  await storage.client.command({ query: `TRUNCATE TABLE ${table}` });
}

/** The one value a query returns, as a number (chDB prints 64-bit integers unquoted, a server quotes them). */
async function scalar(query: string, params: Record<string, unknown> = {}): Promise<number> {
  const rs = await storage.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return Number(Object.values((await rs.json<Record<string, number | string>>())[0] ?? {})[0] ?? 0);
}

function count(): Promise<number> {
  return scalar(`SELECT count() FROM ${table}`);
}

interface Row { path: string; format: string; batch: string; rowsPerSecond: number; seconds: number }
const results: Row[] = [];

try {
  // Ceiling: the engine generating and inserting the rows itself.
  for (let i = 0; i < 2; i++) {
    await truncate();
    const t0 = performance.now();
    await storage.client.command({
      query: `INSERT INTO ${table} SELECT * EXCEPT stored_at, now64(3) FROM (${generatedDetections(ROWS, 1, Date.UTC(2026, 10, 1))})`,
    });
    const s = (performance.now() - t0) / 1000;
    if (i === 1) results.push({ path: 'INSERT … SELECT FROM numbers (ceiling)', format: '—', batch: fmt(ROWS), rowsPerSecond: ROWS / s, seconds: s });
  }

  const rows = makeDetections(ROWS);
  if (SUSTAIN_SECONDS > 0) await sustained(rows);
  else if (STAGES) await engineStages(rows);
  else await formatsAndBatches(rows);
  printReport();
} finally {
  await storage.close();
  rmSync(scratch, { recursive: true, force: true });
}

/** Each format and batch size through the writer, then pre-encoded payloads straight into chDB. */
async function formatsAndBatches(rows: readonly Detection[]): Promise<void> {
  for (const format of ['JSONEachRow', 'JSONCompactEachRow', 'RowBinary'] as InsertFormat[]) {
    for (const batchRows of [10_000, 50_000]) {
      await truncate();
      const writer = new DetectionWriter(storage, { alphabet, overrides: { insertFormat: format, batchRows, maxQueuedRows: batchRows * 4, batchDelayMs: 200, insertsInFlight: IN_FLIGHT } });
      const t0 = performance.now();
      const tickets = [];
      for (let i = 0; i < rows.length; i += CHUNK) tickets.push((await writer.enqueue(rows.slice(i, i + CHUNK))).durable);
      await writer.flush();
      await Promise.all(tickets);
      const s = (performance.now() - t0) / 1000;
      await writer.close();
      if ((await count()) !== ROWS) throw new Error('row count mismatch');
      const path = format === 'RowBinary' ? 'DetectionWriter (a file per batch, INSERT … SELECT FROM file)' : 'DetectionWriter (@clickhouse/client exec)';
      results.push({ path, format, batch: fmt(batchRows), rowsPerSecond: ROWS / s, seconds: s });
      console.error(`writer ${format} batch ${batchRows}: ${fmt(ROWS / s)} rows/s`);
    }
  }

  // Raw: pre-encoded payloads straight into chDB (a second connection on the same directory).
  const raw = createChdbConnection({ path: scratch });
  for (const format of ['JSONCompactEachRow', 'TSV'] as const) {
    await truncate();
    const batchRows = RAW_BATCH_ROWS;
    const payloads = encodedBatches(rows, format);
    const t0 = performance.now();
    for (const p of payloads) {
      await raw.chdb.rawInsert({
        table,
        values: p,
        format,
        columns: [...DETECTION_INSERT_COLUMNS],
      });
    }
    const s = (performance.now() - t0) / 1000;
    results.push({ path: 'raw chDB insert, pre-encoded (no client, no encoding)', format, batch: fmt(batchRows), rowsPerSecond: ROWS / s, seconds: s });
  }
  await raw.close();
}

/**
 * The engine's side of an insert, stage by stage: the same pre-encoded JSONCompactEachRow batches
 * (50,000 rows, one at a time, no deduplication token) into a Null table (parsing only), a
 * MergeTree with the shipped key (plus sorting and writing parts), and the shipped table's shape
 * (plus ReplacingMergeTree's deduplication window and the plate index). CPU counts every thread
 * of the process, chDB's included.
 */
async function engineStages(rows: readonly Detection[]): Promise<void> {
  const batchRows = RAW_BATCH_ROWS;
  const payloads = encodedBatches(rows, 'JSONCompactEachRow');
  const stages = [
    { name: 'Null engine (parse only)', engine: 'ENGINE = Null' },
    { name: 'MergeTree, shipped key', engine: `ENGINE = MergeTree PARTITION BY toDate(seen_at) ${DETECTION_SORTING_KEY}` },
    {
      name: 'ReplacingMergeTree, shipped key, deduplication window, plate index',
      index: ', INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 32768, 3, 0) GRANULARITY 1',
      engine: `ENGINE = ReplacingMergeTree PARTITION BY toDate(seen_at) ${DETECTION_SORTING_KEY} SETTINGS non_replicated_deduplication_window = 10000`,
    },
  ];
  const raw = createChdbConnection({ path: scratch });
  for (const [i, stage] of stages.entries()) {
    const stageTable = `${storage.db}.insert_stage_${i}`;
    await storage.client.command({ query: `CREATE TABLE ${stageTable} (${DETECTION_COLUMNS_DDL}${stage.index ?? ''}) ${stage.engine}` });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const values of payloads) await raw.chdb.rawInsert({ table: stageTable, values, format: 'JSONCompactEachRow', columns: [...DETECTION_INSERT_COLUMNS] });
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    results.push({ path: `raw chDB insert into ${stage.name}; process CPU ${fmt((cpu.user + cpu.system) / 1e6 / s, 2)} cores`, format: 'JSONCompactEachRow', batch: fmt(batchRows), rowsPerSecond: rows.length / s, seconds: s });
  }
  await raw.close();
}

/** The rows as pre-encoded insert payloads of RAW_BATCH_ROWS each, for chDB's raw insert. */
function encodedBatches(rows: readonly Detection[], format: 'JSONCompactEachRow' | 'TSV'): Buffer[] {
  const payloads: Buffer[] = [];
  for (let i = 0; i < rows.length; i += RAW_BATCH_ROWS) {
    const part = rows.slice(i, i + RAW_BATCH_ROWS);
    const lines = format === 'TSV' ? part.map((d) => tsvLine(d)) : part.map((d) => encodeDetection(d, alphabet.mapPlate(d.plate), 'JSONCompactEachRow'));
    payloads.push(Buffer.from(lines.join('')));
  }
  return payloads;
}

function activeParts(): Promise<number> {
  return scalar(`SELECT count() FROM system.parts WHERE database = {db:String} AND table = 'detections' AND active`, { db: storage.db });
}

/** Rows that merges in this process have read so far (ClickHouse's MergedRows counter). */
function mergedRows(): Promise<number> {
  return scalar(`SELECT value FROM system.events WHERE event = 'MergedRows'`);
}

function variantDescription(v: { index: string; settings?: string; mergeSelectorBase?: number }): string {
  const settings = `${v.settings ?? ''}${v.mergeSelectorBase === undefined ? '' : `, merge_selector_base = ${v.mergeSelectorBase}`}`;
  if (v.index === '') return `without the plate index${settings}`;
  if (v.index.includes('ngrambf_v1(4, 32768, 3, 0)') && v.settings === undefined && v.mergeSelectorBase !== undefined) {
    return `as migrated but with merge_selector_base = ${v.mergeSelectorBase}`;
  }
  return `with \`${v.index}\`${settings} instead of the shipped index`;
}

function printReport(): void {
  const ceiling = results[0]?.rowsPerSecond ?? 1;
  const lines = [
    SUSTAIN_SECONDS > 0
      ? `### Detection inserts into embedded chDB, sustained ${SUSTAIN_SECONDS} s (a pool of ${fmt(ROWS)} rows; the ceiling inserts ${fmt(ROWS)})`
      : `### Detection inserts into embedded chDB, ${fmt(ROWS)} rows per run`,
    '',
    `Command: \`node --import tsx bench/storage/insert.bench.ts --rows ${ROWS} --chunk ${CHUNK} --table ${TABLE_VARIANT} --in-flight ${IN_FLIGHT}${SUSTAIN_SECONDS > 0 ? ` --seconds ${SUSTAIN_SECONDS}` : ''}${SUSTAIN_BATCH > 0 ? ` --batch ${SUSTAIN_BATCH}` : ''}${SETTLE_SECONDS > 0 ? ` --settle ${SETTLE_SECONDS}` : ''}${SUSTAIN_FORMAT === '' ? '' : ` --format ${SUSTAIN_FORMAT}`}${STAGES ? ' --stages yes' : ''}${CANDIDATES > 0 ? ` --candidates ${CANDIDATES}` : ''}\`  `,
    `Machine: ${machineLine()}  `,
    `Table: platewatch.detections ${variant === undefined ? 'as migrated (ReplacingMergeTree, ngrambf_v1 and alternative-readings bloom_filter skip indexes, day partitions)' : variantDescription(variant)}; writer runs include encoding (JSON text or RowBinary), OCR mapping and deduplication-token hashing; ${CANDIDATES} alternative readings a read.`,
    '',
    '| path | format | batch rows | rows/s | seconds | % of ceiling |',
    '|---|---|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.path} | ${r.format} | ${r.batch} | ${fmt(r.rowsPerSecond)} | ${fmt(r.seconds, 2)} | ${fmt((100 * r.rowsPerSecond) / ceiling, 1)} % |`),
  ];
  console.log(lines.join('\n'));
}

/**
 * The writer as the pipeline configures it, fed as fast as it accepts rows for SUSTAIN_SECONDS.
 * Each pass over the generated rows gives them new read ids (a shallow copy per row, timed with
 * the rest), so every row is a new detection and nothing is deduplicated away.
 */
async function sustained(pool: readonly Detection[]): Promise<void> {
  await truncate();
  const batchRows = SUSTAIN_BATCH > 0 ? SUSTAIN_BATCH : storage.config.batchRows;
  const writer = new DetectionWriter(storage, {
    alphabet,
    overrides: {
      insertsInFlight: IN_FLIGHT, batchRows, maxQueuedRows: Math.max(storage.config.maxQueuedRows, 4 * batchRows),
      ...(SUSTAIN_FORMAT === '' ? {} : { insertFormat: SUSTAIN_FORMAT }),
    },
  });
  const merged0 = await mergedRows();
  const cpu0 = process.cpuUsage();
  const intervals: number[] = [];
  let sent = 0;
  let durable = 0;
  let pass = 0;
  const t0 = performance.now();
  let intervalStart = t0;
  let intervalDurable = 0;
  const end = t0 + SUSTAIN_SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < pool.length && performance.now() < end; i += CHUNK) {
      const chunk = pool.slice(i, i + CHUNK).map((d) => ({ ...d, readId: `${d.readId}-${pass}` }));
      const ticket = await writer.enqueue(chunk);
      sent += chunk.length;
      void ticket.durable.then(() => (durable += ticket.rows));
      const now = performance.now();
      if (now - intervalStart >= INTERVAL_MS) {
        intervals.push(((durable - intervalDurable) * 1000) / (now - intervalStart));
        console.error(`  ${fmt((now - t0) / 1000)} s: ${fmt(intervals[intervals.length - 1] as number)} rows/s durable`);
        intervalStart = now;
        intervalDurable = durable;
      }
    }
    pass++;
  }
  await writer.flush();
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await writer.close();
  const stored = await count();
  if (stored !== sent) throw new Error(`row count mismatch: sent ${sent}, stored ${stored}`);
  const parts = await activeParts();
  const rewritten = (await mergedRows()) - merged0;
  const sorted = [...intervals].sort((a, b) => a - b);
  // Runs shorter than one interval have none: say so rather than print NaN.
  const intervalText = sorted.length === 0
    ? `no full ${INTERVAL_MS / 1000} s interval in ${fmt(s, 1)} s (min, median and max need --seconds ${INTERVAL_MS / 1000} or more)`
    : `${INTERVAL_MS / 1000} s intervals min ${fmt(sorted[0] as number)}, median ${fmt(percentile(sorted, 50))}, max ${fmt(sorted[sorted.length - 1] as number)} rows/s`;
  results.push({ path: `DetectionWriter, ${SUSTAIN_SECONDS} s flat out`, format: SUSTAIN_FORMAT === '' ? storage.config.insertFormat : SUSTAIN_FORMAT, batch: fmt(batchRows), rowsPerSecond: sent / s, seconds: s });
  console.log(
    `sustained: ${fmt(sent)} rows in ${fmt(s, 1)} s = ${fmt(sent / s)} rows/s; ${intervalText}; ${parts} active parts at the end; process CPU ${fmt((cpu.user + cpu.system) / 1e6 / s, 2)} cores; ` +
      `merges rewrote ${fmt(rewritten / sent, 1)} rows per row stored`,
  );
  if (SETTLE_SECONDS > 0) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000));
    console.log(`after ${SETTLE_SECONDS} s without inserts: ${await activeParts()} active parts`);
  }
}

function tsvLine(d: Detection): string {
  const t = (s: string) => s.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n');
  const seen = typeof d.seenAt === 'number' ? d.seenAt : d.seenAt.getTime();
  // Plates are [A-Z0-9], so an array of them needs no escaping inside its quotes.
  const list = (plates: readonly string[]) => `[${plates.map((p) => `'${p}'`).join(',')}]`;
  return `${t(d.readId)}\t${t(d.agency)}\t${t(d.camera)}\t${t(readSource(d.agency, d.camera))}\t${seen}\t${d.plate}\t${alphabet.mapPlate(d.plate)}\t${t(d.state)}\t${d.confidence}\t${d.lat}\t${d.lon}\t${d.heading ?? '\\N'}\t${t(d.vehicleMake ?? '')}\t${t(d.vehicleModel ?? '')}\t${d.vehicleYear ?? '\\N'}\t${t(d.vehicleColor ?? '')}\t${t(d.vehicleType ?? '')}\t${t(d.imageRef ?? '')}\t${list(d.candidates ?? [])}\n`;
}
