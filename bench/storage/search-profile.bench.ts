// Where a partial search's time goes: the product's one-pass window query (storage/search.ts; with
// LIMIT 1 BY, as it runs every window that does not overfill the page) over windows of 1, 7 and 30 days, with ClickHouse's own counters (system.events) per query: planning,
// primary-key and skip-index filtering, marks read, bytes decompressed. Runs on tables kept by
// search.bench.ts --keep yes.
//   node --import tsx bench/storage/search-profile.bench.ts --reuse DIR [--tables d_ngrambf4_32k3] [--days 1,7,30] [--runs 12] [--kinds infix4,fixed,spelled,infix5] [--limit-by no] [--list yes]
// Kinds infix4pos, fixedpos and infix5pos add the positional 4-gram tokens (session 12 trial) and run on d_pos4;
// fixedtail adds the condition the plate_from_2 projection answers (session 16 trial) and runs on d_tail2;
// fixedtailonly is the same with the skip indexes off for the query.
// `--kinds spelled` (fixed length, first character spelled out) is a trial form, not the product's: `?ABCD??` also gets
// `startsWith(plate_ocr, c || 'ABCD')` for every symbol c, so the primary key (ORDER BY plate_ocr, …)
// narrows it to 27 short ranges per day.
import { DEFAULT_OCR_CLASSES } from '../../matcher/config.js';
import { SEARCH_RESULT_COLUMNS } from '../../storage/index.js';
import { FILTERING_EVENTS, openKeptTables, PLANNING_EVENTS } from './kept-tables.js';
import { acceptOnly, arg, fmt, machineLine, percentile } from './machine.js';
import { positionalGramFilter } from './positional-grams.js';
import { tailFilter } from './plate-tails.js';

acceptOnly(
  `Usage: node --import tsx bench/storage/search-profile.bench.ts --reuse DIR [--tables d_ngrambf4_32k3] [--days 1,7,30] [--runs 12]
         [--kinds infix4,fixed,spelled,infix5] [--limit-by no] [--list yes]
DIR: the directory a search.bench.ts --keep yes run kept (bench/.scratch/search-<pid>); --tables: its tables, d_<variant>.
--kinds also takes infix4pos, fixedpos, infix5pos (on d_pos4) and fixedtail, fixedtailonly (on d_tail2). Figures: wall p50 / p95 ms; counters in ms and MB per query.`,
  ['reuse', 'tables', 'days', 'runs', 'kinds', 'limit-by', 'list'],
);
const tables = arg('tables', 'd_ngrambf4_32k3').split(',');
const DAYS = arg('days', '1,7,30').split(',').map(Number);
const RUNS = Number(arg('runs', '12'));
const { conn, rows, events } = openKeptTables();
const { client } = conn;

// The plate_ocr alphabet: A-Z0-9 with each OCR class folded to its first character.
const folded = new Map(DEFAULT_OCR_CLASSES.flatMap((cls) => [...cls].map((ch) => [ch, cls[0] as string] as const)));
const SYMBOLS = [...new Set([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'].map((ch) => folded.get(ch) ?? ch))];
const KINDS: Record<string, { label: string; like: (p: string) => string; extra?: string | ((like: string) => string); settings?: string }> = {
  infix4: { label: 'infix, 4 known (`*ABCD*`)', like: (p) => `%${p.slice(2, 6)}%` },
  fixed: { label: 'fixed length, 4 known (`?ABCD??`)', like: (p) => `_${p.slice(1, 5)}__` },
  spelled: {
    label: 'fixed length, first character spelled out (trial)',
    like: (p) => `_${p.slice(1, 5)}__`,
    extra: ` AND (${SYMBOLS.map((c) => `startsWith(plate_ocr, concat('${c}', substring({like:String}, 2, 4)))`).join(' OR ')})`,
  },
  infix5: { label: 'infix, 5 known (`*ABCDE*`)', like: (p) => `%${p.slice(1, 6)}%` },
  // Session 12's trial: the same patterns through the positional 4-gram index (search.bench.ts
  // variant pos4; run on d_pos4).
  infix4pos: { label: 'infix, 4 known, positional index', like: (p) => `%${p.slice(2, 6)}%`, extra: (like) => ` AND ${positionalGramFilter(like)}` },
  fixedpos: { label: 'fixed length, positional index', like: (p) => `_${p.slice(1, 5)}__`, extra: (like) => ` AND ${positionalGramFilter(like)}` },
  infix5pos: { label: 'infix, 5 known, positional index', like: (p) => `%${p.slice(1, 6)}%`, extra: (like) => ` AND ${positionalGramFilter(like)}` },
  // Session 16's trial: the fixed-length pattern through the projection on the plate from its 2nd
  // character (search.bench.ts variant tail2; run on d_tail2).
  fixedtail: { label: 'fixed length, projection from the 2nd character', like: (p) => `_${p.slice(1, 5)}__`, extra: (like) => ` AND ${tailFilter(like, [2])}` },
  // The same with the table's skip indexes off for the query, so the projection alone narrows it.
  fixedtailonly: {
    label: 'fixed length, projection alone (skip indexes off)',
    like: (p) => `_${p.slice(1, 5)}__`,
    extra: (like) => ` AND ${tailFilter(like, [2])}`,
    settings: ' SETTINGS use_skip_indexes = 0',
  },
};
// --limit-by no: drop the query's `LIMIT 1 BY read_id` (which the product keeps: a read written
// twice sits in two parts until they merge). Without it ClickHouse's lazy materialization reads
// the other columns for the page's rows only; with it, for every matching row.
const LIMIT_BY = arg('limit-by', 'yes') !== 'no';
// --list yes: also each pattern's time, rows and granules read (EXPLAIN indexes = 1), to see the tail.
const LIST = arg('list', 'no') === 'yes';
// The default is the bloom-filter kinds, as before session 12: the positional kinds need d_pos4.
const kinds = arg('kinds', 'infix4,fixed,spelled,infix5').split(',');
const endMs = Date.UTC(2026, 10, 1);
const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);

try {
  await client.command({ query: 'SET use_query_condition_cache = 0' });
  const samples = await rows<{ p: string }>(`SELECT plate_ocr AS p FROM bench.${tables[0]} WHERE length(plate_ocr) = 7 ORDER BY sipHash64(read_id) LIMIT ${RUNS}`);
  // What reading system.events itself adds to the counters, taken off every figure.
  const a = await events();
  const b = await events();
  const self = (k: string) => (b.get(k) ?? 0) - (a.get(k) ?? 0);
  const lines = [
    // Every option with the value it took, so the line reruns exactly this (found by QA: --kinds, --list and --limit-by were left out).
    `Command: \`node --import tsx bench/storage/search-profile.bench.ts --reuse ${arg('reuse', '')} --tables ${tables.join(',')} --days ${DAYS.join(',')} --runs ${RUNS} --kinds ${kinds.join(',')} --limit-by ${LIMIT_BY ? 'yes' : 'no'} --list ${LIST ? 'yes' : 'no'}\`  `,
    `Machine: ${machineLine()}, chDB ${(await rows<{ v: string }>('SELECT version() AS v'))[0]?.v}  `,
    `Each row: ${samples.length} patterns cut from stored plates, one query each after a warm-up (the newest 100 in the window, one pass, as storage/search.ts reads a window); counters are means per query.`,
    '',
    '| table | pattern | window | wall p50 / p95 ms | ClickHouse ms | planning ms | key + skip-index filtering ms | marks read / in range | MB decompressed | rows |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const table of tables) {
    for (const kind of kinds) {
      const k = KINDS[kind];
      if (k === undefined) throw new Error(`unknown kind ${kind}`);
      for (const days of DAYS) {
        const sqlFor = (like: string) => `SELECT ${SEARCH_RESULT_COLUMNS} FROM bench.${table}
 WHERE seen_at >= {from:DateTime64(3, 'UTC')} AND seen_at < {to:DateTime64(3, 'UTC')} AND plate_ocr LIKE {like:String}${typeof k.extra === 'function' ? k.extra(like) : (k.extra ?? '')}
 ORDER BY seen_at DESC, read_id DESC${LIMIT_BY ? ' LIMIT 1 BY read_id' : ''} LIMIT 100${k.settings ?? ''}`;
        const params = (p: string) => ({ from: iso(endMs - days * 86_400_000), to: iso(endMs), like: k.like(p) });
        await rows(sqlFor(k.like(samples[0]?.p ?? 'AAAAAAA')), params(samples[0]?.p ?? 'AAAAAAA'));
        const times: number[] = [];
        let found = 0;
        const before = await events();
        const each: Array<{ like: string; ms: number; rows: number }> = [];
        for (const s of samples) {
          const t0 = performance.now();
          const got = (await rows(sqlFor(k.like(s.p)), params(s.p))).length;
          times.push(performance.now() - t0);
          found += got;
          each.push({ like: k.like(s.p), ms: times[times.length - 1] as number, rows: got });
        }
        const after = await events();
        if (LIST) {
          for (const e of each) {
            const plan = await rows<{ explain: string }>(`EXPLAIN indexes = 1 ${sqlFor(e.like)}`, { ...params('AAAAAAA'), like: e.like });
            const granules = plan.map((r) => r.explain.trim()).filter((l) => l.startsWith('Granules:')).pop()?.replace('Granules: ', '') ?? '?';
            console.log(`${table} ${days} d ${e.like}: ${fmt(e.ms)} ms, ${e.rows} rows, granules ${granules}`);
          }
        }
        const per = (key: string) => ((after.get(key) ?? 0) - (before.get(key) ?? 0) - self(key)) / samples.length;
        const ms = (keys: string[]) => fmt(keys.reduce((sum, key) => sum + per(key), 0) / 1000, 1);
        times.sort((x, y) => x - y);
        lines.push(`| ${table} | ${k.label} | ${days} d | ${fmt(percentile(times, 50))} / ${fmt(percentile(times, 95))} | ${ms(['SelectQueryTimeMicroseconds'])} | ${ms(PLANNING_EVENTS)} | ${ms(FILTERING_EVENTS)} | ${fmt(per('SelectedMarks'))} / ${fmt(per('SelectedMarksTotal'))} | ${fmt(per('CompressedReadBufferBytes') / 2 ** 20, 1)} | ${fmt(found / samples.length, 1)} |`);
        console.error(lines[lines.length - 1]);
      }
    }
  }
  console.log(lines.join('\n'));
} finally {
  await conn.close();
}
