// Partial-plate search latency over 30 days of generated detections, with and without a skip index.
//   node --import tsx bench/storage/search.bench.ts [--rows 50000000] [--runs 20] [--variants none,ngrambf4_32k3] [--shapes one,two,windowed,windowedlb,windowed2,walkall] [--index-cache-mib 512] [--compact yes] [--keep yes | --reuse DIR]
// Each variant is a copy of the detections table (same schema, ORDER BY and data) differing only in
// the plate index. The query is the one storage/search.ts runs for a partial pattern. Warm cache.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CANDIDATES_OCR_INDEX, connectStorage, DEFAULT_SKIP_INDEX_CACHE_BYTES, DETECTION_COLUMNS_DDL, expectsFewMatches, scanNewestFirst, SEARCH_RESULT_COLUMNS, windowsInOnePass } from '../../storage/index.js';
import { generatedDetections } from './generate.js';
import { acceptOnly, arg, fmt, machineLine, percentile } from './machine.js';
import { POSITIONAL_GRAMS, positionalGramFilter } from './positional-grams.js';
import { tailFilter } from './plate-tails.js';

const ROWS = Number(arg('rows', '50000000'));
const RUNS = Number(arg('runs', '20'));
const DAYS = 30;
// partsPerDay: the copy goes in that many slices with merges off, so each day holds about that many
// parts, as a partition does between merges while the writer is busy (every other variant is one
// part a day after OPTIMIZE … FINAL, which is what the walk's figures assume).
// filter: what a query on that variant adds to `plate_ocr LIKE` so the index can answer it (the
// bloom filters read LIKE itself).
const VARIANTS: Record<string, { index: string; settings?: string; partsPerDay?: number; filter?: (like: string) => string | undefined }> = {
  none: { index: '' },
  // Shipped until migration 6.
  ngrambf4: { index: ', INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 8192, 2, 0) GRANULARITY 1' },
  // Larger bloom filters per granule (bytes, hash functions): fewer false positives, more index.
  ngrambf4_16k3: { index: ', INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 16384, 3, 0) GRANULARITY 1' },
  // Shipped (storage/schema.ts, migration 6).
  ngrambf4_32k3: { index: ', INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 32768, 3, 0) GRANULARITY 1' },
  // The shipped filter plus one on 5-grams: a run of 5 known characters is then looked up whole,
  // not as two 4-grams that may sit in different plates of a granule.
  ngrambf4_32k3_5: {
    index: ', INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 32768, 3, 0) GRANULARITY 1, INDEX plate_ngram5 plate_ocr TYPE ngrambf_v1(5, 32768, 3, 0) GRANULARITY 1',
  },
  // 1,024-row granules: fetching a page's rows decompresses an eighth of the data per row; the
  // bloom filter shrinks with the granule, so the same bytes per row as ngrambf4_32k3.
  ngrambf4_g1024_4k3: {
    index: ', INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 4096, 3, 0) GRANULARITY 1',
    settings: ', index_granularity = 1024',
  },
  // The same, with compressed blocks of about one granule (8 KiB) instead of 64 KiB–1 MiB: a page's
  // rows sit one per granule, and each costs a decompressed block per column.
  ngrambf4_g1024_4k3_b8k: {
    index: ', INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 4096, 3, 0) GRANULARITY 1',
    settings: ', index_granularity = 1024, min_compress_block_size = 8192, max_compress_block_size = 65536',
  },
  // 1,024-row granules with 8 KiB compressed blocks, but the shipped filter still one per 8,192
  // rows (GRANULARITY 8), so it costs what the shipped one does to check. A matching row then
  // decompresses about a third of the bytes; the walk was no faster (session 9, not kept).
  ngrambf4_32k3_gx8_b8k: {
    index: ', INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 32768, 3, 0) GRANULARITY 8',
    settings: ', index_granularity = 1024, min_compress_block_size = 8192, max_compress_block_size = 65536',
  },
  ngrambf4_g1024: {
    index: ', INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 4096, 2, 0) GRANULARITY 1',
    settings: ', index_granularity = 1024',
  },
  text4: { index: ', INDEX plate_text plate_ocr TYPE text(tokenizer = ngrams(4)) GRANULARITY 64' },
  text4_g1024: {
    index: ', INDEX plate_text plate_ocr TYPE text(tokenizer = ngrams(4)) GRANULARITY 64',
    settings: ', index_granularity = 1024',
  },
  none_g1024: { index: '', settings: ', index_granularity = 1024' },
  // An exact inverted index of positional 4-grams ('2ABCD': ABCD at the plate's 2nd character), so
  // a fixed-length pattern looks up its characters where they sit, and a run of 5 known characters
  // needs both its 4-grams one position apart in the same plate.
  pos4: { index: `, INDEX plate_pos ${POSITIONAL_GRAMS} TYPE text(tokenizer = array)`, filter: positionalGramFilter },
  // Trial (session 16): the shipped filter plus a lightweight projection (only the sort key and
  // _part_offset) ordered by the plate from its 2nd character, which ClickHouse ≥ 25.6 uses as a
  // secondary primary index: a run of known characters at the 2nd position is a key range there.
  tail2: {
    index: ', INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 32768, 3, 0) GRANULARITY 1, PROJECTION plate_from_2 (SELECT _part_offset ORDER BY substring(plate_ocr, 2))',
    settings: ", deduplicate_merge_projection_mode = 'rebuild'",
    filter: (like) => tailFilter(like, [2]),
  },
  // The same projection holding the page's key columns too, so finding the newest matches reads
  // the projection alone; the `two` shape then fetches the page by primary key.
  keys2: {
    index: ', INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 32768, 3, 0) GRANULARITY 1, PROJECTION plate_keys_from_2 (SELECT plate_ocr, seen_at, read_id, _part_offset ORDER BY substring(plate_ocr, 2))',
    settings: ", deduplicate_merge_projection_mode = 'rebuild'",
    filter: (like) => tailFilter(like, [2]),
  },
  // The shipped table as merges leave it under a busy writer: session 10 counted 10 active parts
  // a day after a sustained run and 90 s of quiet.
  ngrambf4_32k3_p10: {
    index: ', INDEX plate_ngram plate_ocr TYPE ngrambf_v1(4, 32768, 3, 0) GRANULARITY 1',
    settings: ', max_bytes_to_merge_at_max_space_in_pool = 1, max_bytes_to_merge_at_min_space_in_pool = 1',
    partsPerDay: 10,
  },
};
acceptOnly(
  `Usage: node --import tsx bench/storage/search.bench.ts [--rows 50000000] [--runs 20] [--variants none,ngrambf4_32k3] [--shapes one,two]
         [--index-cache-mib 512] [--compact yes] [--keep yes] [--reuse DIR] [--candidates 0]
--variants: ${Object.keys(VARIANTS).join(', ')}
--shapes: one, two, windowed, windowed2, windowedlb, walkall; a walk may take @H (first window H hours, e.g. windowed@6)
--keep yes keeps the generated tables in bench/.scratch/search-<pid> (printed at the end) for --reuse DIR and the
other storage benches. --candidates N: every generated read carries N alternative readings (0–10).
Every variant has the alternative readings' bloom filter (migration 16) besides its plate index.
Figures: p50 / p95 ms per query.`,
  ['rows', 'runs', 'variants', 'shapes', 'index-cache-mib', 'compact', 'reuse', 'keep', 'candidates'],
);
const chosen = arg('variants', 'none,ngrambf4_32k3').split(',');
const CANDIDATES = Number(arg('candidates', '0'));
if (!(Number.isInteger(CANDIDATES) && CANDIDATES >= 0 && CANDIDATES <= 10)) {
  process.stderr.write('--candidates must be a whole number from 0 to 10\n');
  process.exit(2);
}
// Checked before anything is built: an unknown variant used to stop the run after the tables before
// it were built, and an unknown shape (e.g. session 7's trial `windowed1`) ran the `two` query.
for (const name of chosen) {
  if (VARIANTS[name] === undefined) {
    process.stderr.write(`unknown variant ${name} (${Object.keys(VARIANTS).join(', ')})\n`);
    process.exit(2);
  }
}
for (const shape of arg('shapes', 'one,two').split(',')) {
  const [base, hours, extra] = shape.split('@');
  const walk = ['windowed', 'windowed2', 'walkall', 'windowedlb'].includes(base ?? '');
  const ok = extra === undefined && (hours === undefined ? walk || base === 'one' || base === 'two' : walk && Number(hours) > 0);
  if (!ok) {
    process.stderr.write(`unknown shape ${shape} (one, two, windowed, windowed2, windowedlb, walkall; a walk may take @H)\n`);
    process.exit(2);
  }
}
// --compact yes: after the searches, turn on migration 8's whole-day merges for the partsPerDay
// variants (with a 1 s age instead of the product's hour) and time how ClickHouse works through
// the days: what an upgrade does to days stored before it. The variant is left one part a day.
const COMPACT = arg('compact', 'no') === 'yes';
// --reuse DIR: a directory kept by an earlier run (--keep yes); only missing variants are built.
const reuse = arg('reuse', '');
const scratch = reuse !== '' ? reuse : join(process.cwd(), 'bench', '.scratch', `search-${process.pid}`);
mkdirSync(scratch, { recursive: true });
// --index-cache-mib N: chDB keeps up to N MiB of decompressed skip-index blocks, so a query does not
// decompress the whole bloom filter index of its range again (StorageConfig.skipIndexCacheBytes;
// default: the product's, 512 MiB; 0 turns it off, as chDB has it by default).
const INDEX_CACHE_MIB = Number(arg('index-cache-mib', String(DEFAULT_SKIP_INDEX_CACHE_BYTES / 2 ** 20)));
const conn = connectStorage({ dataDir: scratch, database: 'bench', skipIndexCacheBytes: INDEX_CACHE_MIB * 2 ** 20 });
const { client } = conn;
const run = (query: string) => client.command({ query });
async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

const endMs = Date.UTC(2026, 10, 1);
const from = new Date(endMs - DAYS * 86_400_000).toISOString().replace('T', ' ').slice(0, 23);
const to = new Date(endMs).toISOString().replace('T', ' ').slice(0, 23);

try {
  // ClickHouse's query condition cache remembers which granules a filter did not match: a shape
  // run after another with the same filter on the same table (`two` after `one`) found them
  // skipped, 6–14× faster (BENCHMARKS.md, "the query condition cache"). Every shape pays in full;
  // chDB keeps a SET for the whole session.
  await run('SET use_query_condition_cache = 0');
  await run('CREATE DATABASE IF NOT EXISTS bench');
  const report: string[] = [];
  let first: string | undefined;
  const built: Record<string, { seconds: number; indexBytes: number }> = {};
  const existing = new Set((await rows<{ name: string }>("SELECT name FROM system.tables WHERE database = 'bench'")).map((r) => r.name));
  if (existing.has('d_none')) first = 'none';
  for (const name of chosen) {
    const v = VARIANTS[name];
    if (v === undefined) throw new Error(`unknown variant ${name}`);
    if (existing.has(`d_${name}`)) {
      if (v.partsPerDay !== undefined) await run(`SYSTEM STOP MERGES bench.d_${name}`);
      built[name] = { seconds: Number.NaN, indexBytes: 0 };
      const [ix] = await rows<{ b: number | string }>(
        `SELECT sum(secondary_indices_compressed_bytes) AS b FROM system.parts WHERE database = 'bench' AND table = {t:String} AND active`,
        { t: `d_${name}` },
      );
      built[name] = { seconds: Number.NaN, indexBytes: Number(ix?.b ?? 0) };
      continue;
    }
    await run(`CREATE TABLE bench.d_${name} (${DETECTION_COLUMNS_DDL}${v.index}, ${CANDIDATES_OCR_INDEX})
      ENGINE = ReplacingMergeTree PARTITION BY toDate(seen_at) ORDER BY (plate_ocr, seen_at, read_id)
      SETTINGS ttl_only_drop_parts = 1${v.settings ?? ''}`);
    const t0 = performance.now();
    if (first === undefined) {
      await run(`INSERT INTO bench.d_${name} SELECT * EXCEPT stored_at, now64(3) FROM (${generatedDetections(ROWS, DAYS, endMs, 0, CANDIDATES)})`);
      first = name;
    } else if (v.partsPerDay !== undefined) {
      await run(`SYSTEM STOP MERGES bench.d_${name}`);
      for (let slice = 0; slice < v.partsPerDay; slice++) {
        await run(`INSERT INTO bench.d_${name} SELECT * FROM bench.d_${first} WHERE cityHash64(read_id) % ${v.partsPerDay} = ${slice}
          SETTINGS min_insert_block_size_rows = 100000000, min_insert_block_size_bytes = 0, max_insert_block_size = 100000000`);
      }
    } else {
      await run(`INSERT INTO bench.d_${name} SELECT * FROM bench.d_${first}`);
    }
    if (v.partsPerDay === undefined) await run(`OPTIMIZE TABLE bench.d_${name} FINAL`);
    const seconds = (performance.now() - t0) / 1000;
    const [ix] = await rows<{ b: number | string }>(
      `SELECT sum(secondary_indices_compressed_bytes) AS b FROM system.parts WHERE database = 'bench' AND table = {t:String} AND active`,
      { t: `d_${name}` },
    );
    built[name] = { seconds, indexBytes: Number(ix?.b ?? 0) };
    console.error(`built d_${name}: ${fmt(seconds, 1)} s, index ${fmt(Number(ix?.b ?? 0) / 2 ** 20, 1)} MiB`);
  }

  // Patterns drawn from stored plates so that each one matches something.
  const samples = await rows<{ p: string }>(`SELECT plate_ocr AS p FROM bench.d_${first} WHERE length(plate_ocr) = 7 ORDER BY sipHash64(read_id) LIMIT ${RUNS}`);
  const kinds: Record<string, (p: string) => string> = {
    'infix, 4 known (`*ABCD*`)': (p) => `%${p.slice(2, 6)}%`,
    'fixed length, 4 known (`?ABCD??`)': (p) => `_${p.slice(1, 5)}__`,
    'infix, 5 known (`*ABCDE*`)': (p) => `%${p.slice(1, 6)}%`,
    'prefix, 3 known (`ABC*`)': (p) => `${p.slice(0, 3)}%`,
    'infix, 3 known (`*ABC*`)': (p) => `%${p.slice(3, 6)}%`,
  };
  const shapes = arg('shapes', 'one,two').split(',');
  const range = "seen_at >= {from:DateTime64(3, 'UTC')} AND seen_at < {to:DateTime64(3, 'UTC')}";
  // The pattern's condition on a variant's table: LIKE, and what the variant's index answers.
  const matchOn = (table: string, like: string) => {
    const extra = VARIANTS[table.slice('d_'.length)]?.filter?.(like);
    return extra === undefined ? 'plate_ocr LIKE {like:String}' : `plate_ocr LIKE {like:String} AND ${extra}`;
  };
  const columns = SEARCH_RESULT_COLUMNS;
  // one: the filter and every column in one pass. two: find the newest 100 keys reading only the
  // key columns, then fetch those rows by primary key (what storage/search.ts does).
  const sql = (table: string, shape: string, like: string) =>
    shape === 'one'
      ? `SELECT ${columns} FROM bench.${table}
 WHERE ${range} AND ${matchOn(table, like)}
 ORDER BY seen_at DESC, read_id DESC LIMIT 1 BY read_id LIMIT 100`
      : `SELECT ${columns} FROM bench.${table}
 WHERE ${range} AND (plate_ocr, seen_at, read_id) IN (
   SELECT plate_ocr, seen_at, read_id FROM bench.${table}
    WHERE ${range} AND ${matchOn(table, like)}
    ORDER BY seen_at DESC, read_id DESC LIMIT 1 BY read_id LIMIT 100)
 ORDER BY seen_at DESC, read_id DESC LIMIT 1 BY read_id`;
  // windowed: as storage/search.ts runs searches the primary key cannot narrow (patterns that do
  // not start with a known character), through the product's own walk (scanNewestFirst in
  // storage/search-windows.ts): `one` over newest-first windows (1 day, 2, 4, …) until 100 rows
  // are found, the rest in one `one` query once the rows so far say it will not fill the page,
  // and for a run of 5 known characters a first window of a month (FEW_MATCHES_FIRST_WINDOW_MS:
  // the whole 30-day range here, one `one` query). Other patterns run `two` once, as the product does.
  // windowed2: the same walk with `two` in each window.
  // walkall: the product's walk, but 5-known patterns walk windows too instead of one pass over the
  // range (session 9: no faster).
  // `one` here is the product's query for a window the rows so far say overfills the page: no
  // LIMIT 1 BY (storage/search.ts dedupes the page in JS; generated data has no second copies).
  // `onelb` keeps LIMIT 1 BY: the product's query for every other window, and for all until
  // session 9.
  const windowedSql = (table: string, shape: 'one' | 'two' | 'onelb', like: string) => shape !== 'two'
    ? `SELECT ${columns} FROM bench.${table}
 WHERE ${range} AND ${matchOn(table, like)}
 ORDER BY seen_at DESC, read_id DESC${shape === 'onelb' ? ' LIMIT 1 BY read_id' : ''} LIMIT {limit:UInt32}`
    : `SELECT ${columns} FROM bench.${table}
 WHERE ${range} AND (plate_ocr, seen_at, read_id) IN (
   SELECT plate_ocr, seen_at, read_id FROM bench.${table}
    WHERE ${range} AND ${matchOn(table, like)}
    ORDER BY seen_at DESC, read_id DESC LIMIT 1 BY read_id LIMIT {limit:UInt32})
 ORDER BY seen_at DESC, read_id DESC LIMIT 1 BY read_id`;
  const WALKS = new Set(['windowed', 'windowed2', 'walkall', 'windowedlb']);
  const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
  async function search(table: string, shape: string, like: string): Promise<unknown[]> {
    // `windowed@6` starts with a 6-hour window instead of FIRST_WINDOW_MS.
    // `windowed2` walks the same windows but reads each in two passes (shipped until session 7).
    // `walkall` walks windows for every pattern, `expectsFewMatches` or not.
    // `windowedlb` is the walk with LIMIT 1 BY read_id in each one-pass query (shipped until session 9).
    const [base, hours] = shape.split('@');
    if (!WALKS.has(base ?? '')) return rows(sql(table, shape, like), { from, to, like });
    if (!/^[%_]/.test(like)) return rows(sql(table, 'two', like), { from, to, like });
    const found: unknown[] = [];
    // The product's own walk (storage/search.ts), with the pattern in its own alphabet.
    const pattern = like.replaceAll('%', '*').replaceAll('_', '?');
    await scanNewestFirst(
      {
        from: endMs - DAYS * 86_400_000, to: endMs, limit: 100, fewMatches: base !== 'walkall' && expectsFewMatches({ kind: 'partial', pattern }),
        windowsInOnePass: base !== 'windowed2' && windowsInOnePass({ kind: 'partial', pattern }), ...(hours === undefined ? {} : { firstWindowMs: Number(hours) * 3_600_000 }),
      },
      async (w, { onePass, want, moreThanWanted }) => {
        const got = await rows(windowedSql(table, onePass ? (base === 'windowedlb' || !moreThanWanted ? 'onelb' : 'one') : 'two', like), { from: iso(w.from), to: iso(w.to), like, limit: want });
        found.push(...got);
        return got.length;
      },
    );
    return found;
  }
  const results: Array<{ kind: string; variant: string; p50: number; p95: number; matches: number }> = [];
  const columnsOf = chosen.flatMap((n) => shapes.map((sh) => `${n}/${sh}`));
  for (const [kind, make] of Object.entries(kinds)) {
    for (const col of columnsOf) {
      const [name, shape] = col.split('/') as [string, string];
      const times: number[] = [];
      let matches = 0;
      await search(`d_${name}`, shape, make(samples[0]?.p ?? 'AAAAAAA')); // warm-up
      for (const s of samples) {
        const t0 = performance.now();
        const r = await search(`d_${name}`, shape, make(s.p));
        times.push(performance.now() - t0);
        matches += r.length;
      }
      times.sort((a, b) => a - b);
      results.push({ kind, variant: col, p50: percentile(times, 50), p95: percentile(times, 95), matches: matches / samples.length });
      console.error(`${kind} ${col}: p50 ${fmt(percentile(times, 50))} ms p95 ${fmt(percentile(times, 95))} ms`);
    }
  }

  report.push(`### Partial-plate search, ${fmt(ROWS)} detections over ${DAYS} days`, '');
  report.push(`Command: \`node --import tsx bench/storage/search.bench.ts --rows ${ROWS} --runs ${RUNS} --variants ${chosen.join(',')} --shapes ${shapes.join(',')} --index-cache-mib ${INDEX_CACHE_MIB}${COMPACT ? ' --compact yes' : ''}${arg('keep', 'no') === 'yes' ? ' --keep yes' : ''}${reuse === '' ? '' : ` --reuse ${reuse}`}${CANDIDATES > 0 ? ` --candidates ${CANDIDATES}` : ''}\`  `);
  report.push(`Machine: ${machineLine()}, chDB ${(await rows<{ v: string }>('SELECT version() AS v'))[0]?.v}  `);
  report.push(`Each figure: ${samples.length} different patterns drawn from stored plates, one run each after a warm-up, warm page cache, query condition cache off, ${INDEX_CACHE_MIB > 0 ? `skip-index cache ${INDEX_CACHE_MIB} MiB` : 'no skip-index cache (chDB\'s default)'}; query = storage/search.ts partial search (30-day range, newest 100).`, '');
  report.push('| index | build + OPTIMIZE s | index size MiB | active parts |', '|---|---:|---:|---:|');
  for (const name of chosen) {
    report.push(`| ${name} | ${Number.isNaN(built[name]?.seconds) ? '— (reused)' : fmt(built[name]?.seconds ?? 0, 1)} | ${fmt((built[name]?.indexBytes ?? 0) / 2 ** 20, 1)} | ${fmt(await activeParts(name))} |`);
  }
  report.push('', 'Query shapes: `one` = filter and all columns in one pass; `two` = newest 100 keys first (key columns only), then those rows by primary key; `windowed` = `one` over newest-first windows of 1, 2, 4, … days until 100 rows are found, the rest in one `one` query once the rows so far say it will not fill the page, and one `one` query over the whole range for a run of 5 known characters (over its first month since session 32: the whole range here); for patterns that do not start with a known character (storage/search-windows.ts, scanNewestFirst); `windowed2` = the same walk with `two` in each window (shipped until session 7); `walkall` = the walk for 5-known patterns too; `windowedlb` = `windowed` with `LIMIT 1 BY read_id` in each one-pass query (shipped until session 9; `windowed` dedupes in JS since).');
  report.push('', `| pattern | ${columnsOf.map((n) => `${n} p50 / p95 ms`).join(' | ')} | speed-up p95 (none/one ÷ best indexed) | avg rows |`);
  report.push(`|---|${columnsOf.map(() => '---:').join('|')}|---:|---:|`);
  for (const kind of Object.keys(kinds)) {
    const byVariant = columnsOf.map((n) => results.find((r) => r.kind === kind && r.variant === n));
    const none = results.find((r) => r.kind === kind && r.variant === 'none/one')?.p95;
    const best = Math.min(...byVariant.filter((r) => r !== undefined && !r.variant.startsWith('none')).map((r) => r!.p95));
    const speedup = none !== undefined && Number.isFinite(best) ? `${fmt(none / best, 1)}×` : '—';
    report.push(`| ${kind} | ${byVariant.map((r) => `${fmt(r?.p50 ?? 0)} / ${fmt(r?.p95 ?? 0)}`).join(' | ')} | ${speedup} | ${fmt(byVariant[0]?.matches ?? 0, 1)} |`);
  }
  console.log(report.join('\n'));
  if (COMPACT) await compactManyPartDays(chosen.filter((n) => VARIANTS[n]?.partsPerDay !== undefined));
} finally {
  await conn.close();
  if (arg('keep', 'no') !== 'yes' && reuse === '') rmSync(scratch, { recursive: true, force: true });
  else console.error(`tables kept in ${scratch} (pass it as --reuse DIR)`);
}

async function activeParts(variant: string): Promise<number> {
  const [p] = await rows<{ n: number | string }>(`SELECT count() AS n FROM system.parts WHERE database = 'bench' AND table = {t:String} AND active`, { t: `d_${variant}` });
  return Number(p?.n ?? 0);
}

async function compactManyPartDays(names: string[]): Promise<void> {
  for (const name of names) {
    const table = `bench.d_${name}`;
    const parts = () => activeParts(name);
    const days = Number((await rows<{ n: number | string }>(`SELECT uniqExact(partition) AS n FROM system.parts WHERE database = 'bench' AND table = {t:String} AND active`, { t: `d_${name}` }))[0]?.n ?? 0);
    await run(`ALTER TABLE ${table} MODIFY SETTING max_bytes_to_merge_at_max_space_in_pool = 161061273600, max_bytes_to_merge_at_min_space_in_pool = 1048576,
      min_age_to_force_merge_seconds = 1, min_age_to_force_merge_on_partition_only = 1`);
    await run(`SYSTEM START MERGES ${table}`);
    const t0 = performance.now();
    let last = await parts();
    const merged: number[] = [];
    console.error(`${name}: ${last} parts over ${days} days; whole-day merges on`);
    while (last > days && performance.now() - t0 < 3_600_000) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = await parts();
      if (now < last) merged.push((performance.now() - t0) / 1000);
      last = now;
    }
    const gaps = merged.slice(1).map((t, i) => t - (merged[i] ?? 0)).sort((a, b) => a - b);
    console.log(`\n${name}: ${days} days down to ${last} parts in ${fmt((performance.now() - t0) / 1000, 0)} s; first day merged after ${fmt(merged[0] ?? 0, 0)} s, then one every ${fmt(percentile(gaps, 50), 0)} s (median; ${fmt(gaps[0] ?? 0, 0)}–${fmt(gaps.at(-1) ?? 0, 0)} s)`);
  }
}
