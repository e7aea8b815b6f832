// Trial (issue 3, not kept): the plate n-gram search against detections stored in 1,024-row
// granules instead of 8,192. Needs the directory kept by
//   node --import tsx bench/storage/search.bench.ts --rows 50000000 --variants none,ngrambf4,ngramtable --reuse DIR
// then: node --import tsx bench/storage/ngram-granularity.bench.ts --reuse DIR [--runs 20]
// It copies the generated rows into bench_g.detections (1,024-row granules), shares the n-gram
// partitions of bench_ng.plate_ngrams (ATTACH PARTITION … FROM), and times storage/search.ts on both.
import { OcrAlphabet } from '../../matcher/index.js';
import { connectStorage, DETECTION_COLUMNS_DDL, findDetectionsUnlogged, PLATE_NGRAM_INDEX } from '../../storage/index.js';
import { arg, fmt, machineLine, percentile } from './machine.js';

const dir = arg('reuse', '');
if (dir === '') throw new Error('--reuse DIR: the directory search.bench.ts kept');
const RUNS = Number(arg('runs', '20'));
const conn = connectStorage({ dataDir: dir, database: 'bench_ng' });
const { client } = conn;
const rows = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
try {
  const have = await rows<{ n: number | string }>("SELECT count() AS n FROM system.tables WHERE database = 'bench_g'");
  if (Number(have[0]?.n ?? 0) === 0) {
    await client.command({ query: 'CREATE DATABASE bench_g' });
    await client.command({
      query: `CREATE TABLE bench_g.detections (${DETECTION_COLUMNS_DDL}, ${PLATE_NGRAM_INDEX}) ENGINE = ReplacingMergeTree
PARTITION BY toDate(seen_at) ORDER BY (plate_ocr, seen_at, read_id)
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000, index_granularity = 1024`,
    });
    await client.command({ query: 'INSERT INTO bench_g.detections SELECT * FROM bench.d_none' });
    await client.command({ query: 'OPTIMIZE TABLE bench_g.detections FINAL' });
    await client.command({ query: 'CREATE TABLE bench_g.plate_ngrams AS bench_ng.plate_ngrams' });
    for (const p of await rows<{ partition: string }>("SELECT DISTINCT partition FROM system.parts WHERE database = 'bench_ng' AND table = 'plate_ngrams' AND active")) {
      await client.command({ query: `ALTER TABLE bench_g.plate_ngrams ATTACH PARTITION '${p.partition}' FROM bench_ng.plate_ngrams` });
    }
  }
  const samples = (await rows<{ p: string }>(`SELECT plate_ocr AS p FROM bench.d_none WHERE length(plate_ocr) = 7 ORDER BY sipHash64(read_id) LIMIT ${RUNS}`)).map((r) => r.p);
  const alphabet = new OcrAlphabet();
  const kinds: Record<string, (p: string) => string> = {
    'infix, 4 known (`*ABCD*`)': (p) => `*${p.slice(2, 6)}*`,
    'fixed length, 4 known (`?ABCD??`)': (p) => `?${p.slice(1, 5)}??`,
    'infix, 5 known (`*ABCDE*`)': (p) => `*${p.slice(1, 6)}*`,
  };
  const request = (pattern: string) => ({
    user: 'bench', purpose: { reason: 'bench' }, from: new Date('2026-10-02T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z'),
    plate: { kind: 'partial' as const, pattern }, limit: 100,
  });
  const out = [
    `Command: \`node --import tsx bench/storage/ngram-granularity.bench.ts --reuse DIR --runs ${RUNS}\`  `,
    `Machine: ${machineLine()}`, '',
    '| pattern | granules 8,192 p50 / p95 ms | granules 1,024 p50 / p95 ms |', '|---|---:|---:|',
  ];
  for (const [kind, make] of Object.entries(kinds)) {
    const cells: string[] = [];
    for (const db of ['bench_ng', 'bench_g']) {
      await findDetectionsUnlogged({ client, db }, request(make(samples[0] ?? 'AAAAAAA')), alphabet);
      const times: number[] = [];
      for (const s of samples) {
        const t0 = performance.now();
        await findDetectionsUnlogged({ client, db }, request(make(s)), alphabet);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      cells.push(`${fmt(percentile(times, 50))} / ${fmt(percentile(times, 95))}`);
    }
    out.push(`| ${kind} | ${cells.join(' | ')} |`);
  }
  console.log(out.join('\n'));
} finally {
  await conn.close();
}
