// What an analyst waits for when a search spans a year of stored detections, next to the same
// searches over the newest 30 days of the same data: every plate kind, and searches without a plate.
//   node --import tsx bench/storage/year-search.bench.ts [--rows 200000000] [--days 365] [--runs 20] [--kinds exact,infix5,…] [--keep yes | --reuse DIR]
// The database is the product's own (openStorage: every migration, the shipped indexes, TTL), and
// each search runs through searchDetections as the API calls it: purpose and training checks,
// newest-first windows, the access log record. Warm cache; nothing else runs.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AccessLog, openStorage, type PlateQuery, saveUser, type SearchRequest, searchDetections, StorageError } from '../../storage/index.js';
import { generatedDetections } from './generate.js';
import { acceptOnly, arg, fmt, machineLine, percentile } from './machine.js';

interface Sample {
  p: string;
  camera: string;
  lat: number;
  lon: number;
}
// Each search: a key for --kinds, the table's label, the request built from a sampled read.
const KINDS: Array<[string, string, (s: Sample) => Partial<SearchRequest>]> = [
  ['exact', 'full plate (other readings, API default)', (s) => ({ plate: { kind: 'exact', plate: s.p } })],
  ['exact-as-read', 'full plate, as read only', (s) => ({ plate: { kind: 'exact', plate: s.p }, otherReadings: false })],
  ['ocr', 'OCR-equivalent plate', (s) => ({ plate: { kind: 'ocr', plate: s.p } })],
  ['fuzzy', 'fuzzy plate (edit distance ≤ 1)', (s) => ({ plate: { kind: 'fuzzy', plate: s.p } })],
  ['prefix3', 'partial, prefix 3 known (`ABC*`)', (s) => ({ plate: partial(`${s.p.slice(0, 3)}*`) })],
  ['infix3', 'partial, infix 3 known (`*ABC*`)', (s) => ({ plate: partial(`*${s.p.slice(3, 6)}*`) })],
  ['infix4', 'partial, infix 4 known (`*ABCD*`)', (s) => ({ plate: partial(`*${s.p.slice(2, 6)}*`) })],
  ['fixed4', 'partial, fixed length 4 known (`?ABCD??`)', (s) => ({ plate: partial(`?${s.p.slice(1, 5)}??`) })],
  ['infix5', 'partial, infix 5 known (`*ABCDE*`)', (s) => ({ plate: partial(`*${s.p.slice(1, 6)}*`) })],
  ['camera', 'no plate: one camera', (s) => ({ cameras: [s.camera] })],
  ['radius', 'no plate: within 200 m of a point', (s) => ({ near: { lat: s.lat, lon: s.lon, radiusMeters: 200 } })],
];

acceptOnly(
  `Usage: node --import tsx bench/storage/year-search.bench.ts [--rows 200000000] [--days 365] [--runs 20] [--keep yes] [--reuse DIR]
--rows: generated detections, spread evenly over --days days up to the start of today (UTC) (the default is about 550,000 a day,
        a department of ~30 cameras at 0.2 reads/s each); --keep yes keeps them in bench/.scratch/year-<pid>
        (printed at the end) for --reuse DIR, which skips generating.
--kinds: some of ${KINDS.map(([key]) => key).join(', ')} (default: all).
Figures: p50 / p95 ms per search, as searchDetections returns it (the HTTP hop excluded).`,
  ['rows', 'days', 'runs', 'keep', 'reuse', 'kinds'],
);
const ROWS = Number(arg('rows', '200000000'));
const DAYS = Number(arg('days', '365'));
const RUNS = Number(arg('runs', '20'));
if (!(Number.isInteger(ROWS) && ROWS > 0 && Number.isInteger(DAYS) && DAYS >= 30 && Number.isInteger(RUNS) && RUNS > 0)) {
  process.stderr.write('--rows and --runs must be whole numbers above 0, --days at least 30\n');
  process.exit(2);
}
const chosenKinds = arg('kinds', KINDS.map(([key]) => key).join(',')).split(',');
for (const key of chosenKinds) {
  if (!KINDS.some(([k]) => k === key)) {
    process.stderr.write(`unknown kind ${key} (${KINDS.map(([k]) => k).join(', ')})\n`);
    process.exit(2);
  }
}
const DAY_MS = 86_400_000;
const reuse = arg('reuse', '');
const keep = arg('keep', 'no') === 'yes';
const scratch = reuse !== '' ? reuse : join(process.cwd(), 'bench', '.scratch', `year-${process.pid}`);
mkdirSync(scratch, { recursive: true });

// Retention longer than the data, so that no day expires (and drops) while the bench runs.
const storage = await openStorage({ dataDir: join(scratch, 'clickhouse'), database: 'platewatch', detectionRetentionSeconds: (DAYS + 30) * 86_400 });
const { client, db } = storage;
const rows = async <T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> =>
  (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();

try {
  const [stored] = await rows<{ n: string }>(`SELECT count() AS n FROM ${db}.detections`);
  let generateSeconds = Number.NaN;
  if (Number(stored?.n ?? 0) === 0) {
    // Up to the start of today (UTC), so that each day's slice is one day partition.
    const endMs = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    // The generated columns by name: the product's table has them in the order its migrations added them.
    const names = (await rows<{ name: string }>(`DESCRIBE (${generatedDetections(1, DAYS, endMs)})`)).map((c) => c.name);
    const t0 = performance.now();
    // A day at a time, each in one block: a day is then one part, as the product's whole-day merges
    // (migration 8) leave a closed day, with no OPTIMIZE (which needed twice the year's disk).
    const perDay = Math.ceil(ROWS / DAYS);
    const total = perDay * DAYS;
    const block = { max_insert_block_size: String(perDay + 1), min_insert_block_size_rows: String(perDay + 1), min_insert_block_size_bytes: '0' };
    for (let from = 0; from < total; from += perDay) {
      const slice = generatedDetections(perDay, DAYS, endMs, from, 0, total);
      await client.command({ query: `INSERT INTO ${db}.detections (${names.join(', ')}) SELECT ${names.join(', ')} FROM (${slice})`, clickhouse_settings: block });
      if ((from / perDay) % 30 === 29) console.error(`${fmt(from + perDay)} of ${fmt(total)} detections stored, ${fmt((performance.now() - t0) / 1000, 0)} s`);
    }
    generateSeconds = (performance.now() - t0) / 1000;
    console.error(`generated ${fmt(total)} detections over ${DAYS} days in ${fmt(generateSeconds, 0)} s`);
  }
  // Background merges and mutations (migration 16's index, TTL) would share the 2 cores with the
  // searches: the first trial ran 3–6× slower until they were done.
  const settleStart = performance.now();
  for (let quiet = 0; quiet < 3 && performance.now() - settleStart < 3_600_000; ) {
    const [busy] = await rows<{ merges: string; mutations: string }>(
      `SELECT (SELECT count() FROM system.merges) AS merges, (SELECT count() FROM system.mutations WHERE NOT is_done) AS mutations`,
    );
    quiet = Number(busy?.merges) + Number(busy?.mutations) === 0 ? quiet + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  const [shape] = await rows<{ n: string; days: string; parts: string; bytes: string; ix: string }>(
    `SELECT sum(rows) AS n, uniqExact(partition) AS days, count() AS parts, sum(bytes_on_disk) AS bytes, sum(secondary_indices_compressed_bytes) AS ix
       FROM system.parts WHERE database = {db:String} AND table = 'detections' AND active`,
    { db },
  );
  const [span] = await rows<{ lo: string; hi: string }>(
    `SELECT toString(toUnixTimestamp64Milli(min(seen_at))) AS lo, toString(toUnixTimestamp64Milli(max(seen_at))) AS hi FROM ${db}.detections`,
  );
  const toMs = Number(span?.hi) + 1;
  const storedDays = Math.round((toMs - Number(span?.lo)) / DAY_MS);

  await saveUser(storage, { userId: 'bench-analyst', name: 'B. Analyst', title: 'Crime Analyst', roles: ['analyst'], trainedAt: new Date().toISOString().slice(0, 10), active: true }, 'bench');
  const accessLog = new AccessLog(storage);

  // Plates drawn from the newest 30 days, so every plate kind finds something in either range.
  const samples = (await rows<Sample>(
    `SELECT plate AS p, camera, lat, lon FROM ${db}.detections
      WHERE seen_at >= fromUnixTimestamp64Milli({from:Int64}) AND length(plate) = 7
      ORDER BY sipHash64(read_id) LIMIT {n:UInt32}`,
    { from: toMs - 30 * DAY_MS, n: RUNS },
  ));
  const kinds = KINDS.filter(([key]) => chosenKinds.includes(key));
  const ranges = [30, DAYS].filter((d, i, all) => all.indexOf(d) === i);
  const lines = [
    `### Analyst search over ${storedDays} days: ${fmt(Number(shape?.n ?? 0))} detections, ${fmt(Number(shape?.n ?? 0) / storedDays)} a day`,
    '',
    `Command: \`node --import tsx bench/storage/year-search.bench.ts --rows ${ROWS} --days ${DAYS} --runs ${RUNS}${arg('kinds', '') === '' ? '' : ` --kinds ${chosenKinds.join(',')}`}${keep ? ' --keep yes' : ''}${reuse === '' ? '' : ` --reuse ${reuse}`}\`  `,
    `Machine: ${machineLine()}, chDB ${(await rows<{ v: string }>('SELECT version() AS v'))[0]?.v}  `,
    `Table: the product's (every migration), ${shape?.parts} active parts over ${shape?.days} days, ${fmt(Number(shape?.bytes) / 2 ** 30, 1)} GiB on disk of which skip indexes ${fmt(Number(shape?.ix) / 2 ** 20, 0)} MiB` +
      `${Number.isNaN(generateSeconds) ? '' : `; generated a day at a time in ${fmt(generateSeconds, 0)} s`}.  `,
    `Each figure: ${samples.length} searches, each with a plate (camera, point) of a different read of the newest 30 days, one run each after a warm-up, through \`searchDetections\` (purpose and training checks, newest-first windows, the access log record), newest 100.`,
    '',
    `| search | ${ranges.map((d) => `last ${d} days p50 / p95 ms`).join(' | ')} | ${ranges.map((d) => `rows (${d} d)`).join(' | ')} |`,
    `|---|${ranges.map(() => '---:').join('|')}|${ranges.map(() => '---:').join('|')}|`,
  ];
  const refused: string[] = [];
  for (const [, label, make] of kinds) {
    const cells: string[] = [];
    const found: string[] = [];
    for (const days of ranges) {
      const request = (s: Sample): SearchRequest => ({
        user: 'bench-analyst', purpose: { caseNumber: 'BENCH-1' }, from: new Date(toMs - days * DAY_MS), to: new Date(toMs), ...make(s),
      });
      const times: number[] = [];
      let total = 0;
      for (let i = -1; i < samples.length; i++) {
        const t0 = performance.now();
        try {
          const result = await searchDetections({ storage, accessLog }, request(samples[Math.max(i, 0)]!));
          if (i >= 0) total += result.rows.length;
        } catch (error) {
          if (!(error instanceof StorageError)) throw error;
          refused.push(`${label}, ${days} days: ${error.code} ${error.message}`);
        }
        if (i >= 0) times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      cells.push(`${fmt(percentile(times, 50))} / ${fmt(percentile(times, 95))}`);
      found.push(fmt(total / samples.length, 1));
      console.error(`${label}, ${days} days: p50 ${fmt(percentile(times, 50))} ms, p95 ${fmt(percentile(times, 95))} ms, ${fmt(total / samples.length, 1)} rows`);
    }
    lines.push(`| ${label} | ${cells.join(' | ')} | ${found.join(' | ')} |`);
  }
  lines.push('', `Peak RSS of the process (chDB in it): ${fmt(process.resourceUsage().maxRSS / 1024, 0)} MiB.`);
  if (refused.length > 0) lines.push('', 'Refused or stopped searches (each counted at the time it took):', ...refused.map((r) => `- ${r}`));
  console.log(lines.join('\n'));
} finally {
  await storage.close();
  if (keep || reuse !== '') console.error(`data kept in ${scratch} (--reuse ${scratch})`);
  else rmSync(scratch, { recursive: true, force: true });
}

function partial(pattern: string): PlateQuery {
  return { kind: 'partial', pattern };
}
