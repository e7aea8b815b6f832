// What the search cursor's tie-breakers cost: storage/search.ts orders a page by (seen_at, read_id,
// plate_ocr, agency, camera), so that a cursor tells apart rows sharing a time and read id, where it
// ordered by (seen_at, read_id) alone. Both orders run the product's own query (buildSearchQuery),
// alternated, on the product's detections table (migrations and skip index as shipped) filled
// with generated detections over 30 days.
//   node --import tsx bench/storage/cursor-order.bench.ts [--rows 10000000] [--runs 12]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OcrAlphabet } from '../../matcher/index.js';
import { buildSearchQuery, NEWEST_FIRST, openStorage } from '../../storage/index.js';
import { generatedDetections } from './generate.js';
import { acceptOnly, arg, fmt, machineLine, percentile } from './machine.js';

acceptOnly('Usage: node --import tsx bench/storage/cursor-order.bench.ts [--rows 10000000] [--runs 12]', ['rows', 'runs']);
const ROWS = Number(arg('rows', '10000000'));
const RUNS = Number(arg('runs', '12'));
/** The order before the cursor carried plate, agency and camera: the baseline. */
const OLD = 'ORDER BY seen_at DESC, read_id DESC';
const COLUMNS = 'read_id, agency, camera, read_source, seen_at, plate, plate_ocr, state, confidence, lat, lon, heading, vehicle_make, vehicle_model, vehicle_year, vehicle_color, vehicle_type, image_ref, candidates';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-cursor-order-'));
const storage = await openStorage({ dataDir: join(dir, 'clickhouse') });
try {
  const { client, db } = storage;
  const end = Date.UTC(2026, 11, 1);
  await client.command({
    query: `INSERT INTO ${db}.detections (${COLUMNS}) SELECT ${COLUMNS} FROM (${generatedDetections(ROWS, 30, end)})`,
    clickhouse_settings: { max_partitions_per_insert_block: '1000' },
  });
  await client.command({ query: `OPTIMIZE TABLE ${db}.detections FINAL` });
  const q = async (sql: string, params: Record<string, unknown>) => (await client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json();
  const samples = (await q(`SELECT plate_ocr AS p FROM ${db}.detections WHERE length(plate_ocr) = 7 ORDER BY sipHash64(read_id) LIMIT ${RUNS}`, {})) as { p: string }[];
  const alphabet = new OcrAlphabet();
  const kinds: Record<string, (p: string) => string> = {
    'infix, 4 known': (p) => `*${p.slice(2, 6)}*`, 'fixed length, 4 known': (p) => `?${p.slice(1, 5)}??`,
    'prefix, 3 known': (p) => `${p.slice(0, 3)}*`, 'infix, 3 known': (p) => `*${p.slice(3, 6)}*`,
  };
  const lines = [
    `### The search cursor's tie-breakers, ${fmt(ROWS)} detections over 30 days`, '',
    `Command: \`node --import tsx bench/storage/cursor-order.bench.ts --rows ${ROWS} --runs ${RUNS}\`  `,
    `Machine: ${machineLine()}  `,
    `Query: storage/search.ts buildSearchQuery for a partial pattern, newest 100, as one pass (a window's query) and as two (keys, then rows); ${samples.length} patterns of each kind drawn from stored plates, run twice, the two orders alternated. Baseline: the same query ordered by (seen_at, read_id).`,
    '', '| range | pattern | query | (seen_at, read_id) p50 / p95 ms | + plate_ocr, agency, camera p50 / p95 ms |', '|---|---|---|---:|---:|',
  ];
  for (const [range, days] of [['30 days', 30], ['1 day', 1]] as const) {
    for (const [kind, make] of Object.entries(kinds)) {
      for (const onePass of [true, false]) {
        const times: Record<'old' | 'new', number[]> = { old: [], new: [] };
        for (let rep = -1; rep < 2; rep++) {
          for (const s of samples) {
            const built = buildSearchQuery(db, {
              user: 'bench', purpose: { reason: 'bench' }, plate: { kind: 'partial', pattern: make(s.p) }, from: new Date(end - days * 86_400_000), to: new Date(end),
            }, alphabet, { onePass, dedupeInQuery: !onePass });
            if (!built.ok) throw new Error(built.reason);
            for (const order of rep % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const)) {
              const sql = order === 'new' ? built.query.sql : built.query.sql.replaceAll(NEWEST_FIRST, OLD);
              if (order === 'old' && sql === built.query.sql) throw new Error('storage/search.ts no longer orders as this benchmark expects');
              const t0 = performance.now();
              await q(sql, built.query.params);
              if (rep >= 0) times[order].push(performance.now() - t0); // rep -1 warms up
            }
          }
        }
        const cell = (t: number[]) => { const sorted = [...t].sort((a, b) => a - b); return `${fmt(percentile(sorted, 50))} / ${fmt(percentile(sorted, 95))}`; };
        lines.push(`| ${range} | ${kind} | ${onePass ? 'one pass' : 'two passes'} | ${cell(times.old)} | ${cell(times.new)} |`);
      }
    }
  }
  console.log(lines.join('\n'));
} finally {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
}
