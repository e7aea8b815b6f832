// What it costs to read N rows that sit one per granule, by primary key, on a table kept by
// search.bench.ts. A page of partial-plate matches is such a set: any index can at best point at
// those granules. The counters columns say what such a fetch pays for: with one `OR` branch per row,
// planning and mark filtering grow with the branches, and each row costs whole compressed blocks.
//   node --import tsx bench/storage/scattered-rows.bench.ts --reuse DIR [--tables d_ngrambf4_32k3] [--runs 12]
import { SEARCH_RESULT_COLUMNS } from '../../storage/index.js';
import { FILTERING_EVENTS, openKeptTables, PLANNING_EVENTS } from './kept-tables.js';
import { acceptOnly, arg, fmt, machineLine, percentile } from './machine.js';

acceptOnly(
  `Usage: node --import tsx bench/storage/scattered-rows.bench.ts --reuse DIR [--tables d_ngrambf4_32k3] [--runs 12]
DIR: the directory a search.bench.ts --keep yes run kept (bench/.scratch/search-<pid>); --tables: its tables, d_<variant>.
Figures: p50 / p95 ms per fetch; planning and filtering in ms, MB decompressed, per query.`,
  ['reuse', 'tables', 'runs'],
);

const tables = arg('tables', 'd_ngrambf4_32k3').split(',');
const RUNS = Number(arg('runs', '12'));
// ClickHouse's own counters, read before and after each timed query (as search-profile.bench.ts
// does): what a fetch spends planning and filtering marks, against what it decompresses.
const { conn, rows, events } = openKeptTables();
const { client } = conn;

try {
  await client.command({ query: 'SET use_query_condition_cache = 0' });
  const lines = [
    `Command: \`node --import tsx bench/storage/scattered-rows.bench.ts --reuse DIR --tables ${tables.join(',')} --runs ${RUNS}\`  `,
    `Machine: ${machineLine()}  `,
    `Each figure: ${RUNS} sets of random rows (a different set each time, after one warm-up), fetched with one query of \`(plate_ocr = … AND seen_at = …) OR …\` branches.`,
    '',
    '| table | rows per granule | rows fetched | granules read | key columns only p50 / p95 ms | all result columns p50 / p95 ms | of which planning ms | key + skip-index filtering ms | MB decompressed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const table of tables) {
    const [setting] = await rows<{ g: string }>(`SELECT extract(create_table_query, 'index_granularity = (\\d+)') AS g FROM system.tables WHERE database = 'bench' AND name = {t:String}`, { t: table });
    const granule = setting?.g === undefined || setting.g === '' ? '8,192' : fmt(Number(setting.g));
    for (const n of [1, 28, 100]) {
      const times: Record<'keys' | 'all', number[]> = { keys: [], all: [] };
      let granules = '';
      const spent = { planning: 0, filtering: 0, bytes: 0 };
      const sum = (a: Map<string, number>, b: Map<string, number>, keys: string[]) => keys.reduce((t, k) => t + (b.get(k) ?? 0) - (a.get(k) ?? 0), 0);
      for (let run = 0; run <= RUNS; run++) {
        const keys = await rows<{ p: string; s: string }>(`SELECT plate_ocr AS p, toString(seen_at) AS s FROM bench.${table} ORDER BY sipHash64(read_id, {seed:UInt32}) LIMIT {n:UInt32}`, { seed: run * 1000 + n, n });
        const params: Record<string, unknown> = {};
        const where = keys.map((k, i) => {
          params[`p${i}`] = k.p;
          params[`s${i}`] = k.s;
          return `(plate_ocr = {p${i}:String} AND seen_at = {s${i}:DateTime64(3, 'UTC')})`;
        }).join(' OR ');
        for (const what of ['keys', 'all'] as const) {
          const sql = `SELECT ${what === 'keys' ? 'plate_ocr, seen_at, read_id' : SEARCH_RESULT_COLUMNS} FROM bench.${table} WHERE ${where}`;
          const before = what === 'all' && run > 0 ? await events() : undefined;
          const t0 = performance.now();
          const got = await rows(sql, params);
          if (run > 0) times[what].push(performance.now() - t0);
          if (before !== undefined) {
            const after = await events();
            spent.planning += sum(before, after, PLANNING_EVENTS) / 1000 / RUNS;
            spent.filtering += sum(before, after, FILTERING_EVENTS) / 1000 / RUNS;
            spent.bytes += sum(before, after, ['CompressedReadBufferBytes']) / 2 ** 20 / RUNS;
          }
          if (got.length < n) throw new Error(`${table}: ${got.length} of ${n} rows came back`);
          if (run === 1 && what === 'all') {
            const plan = await rows<{ explain: string }>(`EXPLAIN indexes = 1 ${sql}`, params);
            granules = plan.map((r) => r.explain.trim()).filter((l) => l.startsWith('Granules:')).pop()?.replace('Granules: ', '') ?? '?';
          }
        }
      }
      const show = (xs: number[]): string => {
        xs.sort((a, b) => a - b);
        return `${fmt(percentile(xs, 50))} / ${fmt(percentile(xs, 95))}`;
      };
      lines.push(`| ${table} | ${granule} | ${n} | ${granules} | ${show(times.keys)} | ${show(times.all)} | ${fmt(spent.planning, 1)} | ${fmt(spent.filtering, 1)} | ${fmt(spent.bytes, 1)} |`);
      console.error(lines[lines.length - 1]);
    }
  }
  console.log(lines.join('\n'));
} finally {
  await conn.close();
}
