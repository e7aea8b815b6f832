// Latency of the other search kinds (exact, OCR-equivalent, fuzzy) on a table kept by
// search.bench.ts (`--keep yes`), using storage/search.ts's own query builder.
//   node --import tsx bench/storage/plate-kinds.bench.ts --data-dir bench/.scratch/search-<pid> [--table d_none] [--runs 20]
// (--reuse DIR, as the other benches on kept tables spell it, works too.)
import { OcrAlphabet } from '../../matcher/index.js';
import { buildSearchQuery, connectStorage, type PlateQuery } from '../../storage/index.js';
import { acceptOnly, arg, fmt, machineLine, percentile } from './machine.js';

acceptOnly(
  `Usage: node --import tsx bench/storage/plate-kinds.bench.ts --data-dir DIR [--table d_none] [--runs 20]
DIR: the directory a search.bench.ts --keep yes run kept (bench/.scratch/search-<pid>; --reuse DIR is the same);
--table: one of its tables, d_<variant> (e.g. d_ngrambf4_32k3, the shipped index). Figures: p50 / p95 ms per query.`,
  ['data-dir', 'reuse', 'table', 'runs'],
);

const dataDir = arg('data-dir', arg('reuse', ''));
const table = arg('table', 'd_none');
const RUNS = Number(arg('runs', '20'));
if (dataDir === '') {
  process.stderr.write('--data-dir DIR of a kept search.bench.ts run (--keep yes) is required\n');
  process.exit(2);
}
const conn = connectStorage({ dataDir, database: 'bench' });
const alphabet = new OcrAlphabet();
try {
  const q = async <T>(query: string, params: Record<string, unknown> = {}) =>
    (await conn.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
  const [range] = await q<{ lo: string; hi: string; n: string | number }>(
    `SELECT toString(min(seen_at)) AS lo, toString(max(seen_at) + INTERVAL 1 SECOND) AS hi, count() AS n FROM bench.${table}`,
  );
  const from = new Date(`${range!.lo.replace(' ', 'T')}Z`);
  const to = new Date(`${range!.hi.replace(' ', 'T')}Z`);
  const plates = (await q<{ p: string }>(`SELECT plate AS p FROM bench.${table} WHERE length(plate) = 7 ORDER BY sipHash64(read_id) LIMIT ${RUNS}`)).map((r) => r.p);
  const lines = [
    `### Full, OCR-equivalent and fuzzy plate search, ${fmt(Number(range!.n))} detections over 30 days`,
    '',
    `Command: \`node --import tsx bench/storage/plate-kinds.bench.ts --data-dir ${dataDir} --table ${table} --runs ${RUNS}\`  `,
    `Machine: ${machineLine()}  `,
    `Query: storage/search.ts buildSearchQuery (newest 100, whole 30-day range), ${plates.length} plates drawn from the table, one run each after a warm-up.`,
    '',
    '| kind | p50 ms | p95 ms | avg rows |',
    '|---|---:|---:|---:|',
  ];
  // The API searches an exact or OCR-equivalent plate in the alternative readings too unless told
  // not to (otherReadings, migration 16): the plate as read alone is the baseline of the same run.
  const cases = [
    ['exact, plate as read', 'exact', true, false],
    ['exact, with other readings (API default)', 'exact', true, true],
    ['ocr, plate as read', 'ocr', true, false],
    ['ocr, with other readings (API default)', 'ocr', true, true],
    ['fuzzy, prefix/suffix branches (shipped)', 'fuzzy', true, false],
    ['fuzzy, one scan with editDistance', 'fuzzy', false, false],
  ] as const;
  for (const [label, kind, useBranches, otherReadings] of cases) {
    const times: number[] = [];
    let total = 0;
    for (let i = -1; i < plates.length; i++) {
      const plate: PlateQuery = { kind, plate: plates[Math.max(i, 0)] as string };
      const built = buildSearchQuery('bench', { user: 'bench', purpose: { reason: 'bench' }, plate, from, to, otherReadings }, alphabet, { useBranches });
      if (!built.ok) throw new Error(built.reason);
      const sql = built.query.sql.replaceAll('FROM bench.detections', `FROM bench.${table}`);
      const t0 = performance.now();
      const rows = await q(sql, built.query.params);
      if (i >= 0) {
        times.push(performance.now() - t0);
        total += rows.length;
      }
    }
    times.sort((a, b) => a - b);
    lines.push(`| ${label} | ${fmt(percentile(times, 50))} | ${fmt(percentile(times, 95))} | ${fmt(total / plates.length, 1)} |`);
  }
  console.log(lines.join('\n'));
} finally {
  await conn.close();
}
