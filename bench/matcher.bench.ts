// The matcher benchmark (issue 2): the trie index against the naive baseline and
// @datastructures-js/trie on 1M general + 10k specific entries + 1k partial patterns.
// Run: node --expose-gc --import tsx bench/matcher.bench.ts [--quick]
// Prints Markdown for BENCHMARKS.md. --quick shrinks the workload tenfold for a smoke run.
import { Matcher, OcrAlphabet, resolveMatcherConfig, type ListIndex, type Read } from '../matcher/index.js';
import { crossCheck, type CrossCheck } from './cross-check.js';
import { LibraryTrieBaseline } from './library-trie.js';
import { benchMean, canCollectGarbage, heapBytes, timeEach, timerOverheadNs, type LatencySummary, type MeanSummary } from './measure.js';
import { NaiveMatcher } from './naive-matcher.js';
import { formatBytes, formatCount, formatMs, formatNs, formatPercent, machineTable, markdownTable, verdict } from './report.js';
import { FULL_WORKLOAD, GENERAL_LIST_SHARES, PLANTED_KINDS, scaleWorkload, SPECIFIC_LIST, generateWorkload, type ReadSetName } from './workload.js';
import { acceptOnly } from './storage/machine.js';

/** The issue's targets. */
const TARGET = {
  meanNs: 2_000,
  p99Ns: 20_000,
  speedup: 20,
  buildMs: 5_000,
  heapBytesPerEntry: 250,
} as const;

/** The naive baseline scans the whole specific list per read (~0.5 ms), so it gets a slice of each read set. */
const NAIVE_STREAM_READS = 10_000;
const NAIVE_READS_PER_KIND = 500;
const TINYBENCH_MS = 1_000;

acceptOnly('Usage: node --expose-gc --import tsx bench/matcher.bench.ts [--quick]\nPrints Markdown for BENCHMARKS.md; --quick shrinks the workload tenfold (a smoke run, figures not comparable).', [], ['quick']);
const quick = process.argv.includes('--quick');
if (!canCollectGarbage()) {
  console.error('heap figures need a full collection: run with node --expose-gc --import tsx bench/matcher.bench.ts');
  process.exit(2);
}

const out = (text = '') => console.log(text);
const size = quick ? scaleWorkload(FULL_WORKLOAD, 10) : FULL_WORKLOAD;
const config = resolveMatcherConfig();
const runStarted = performance.now();

out(`# Matcher benchmark${quick ? ' (--quick: workload 10× smaller)' : ''}`);
out();
out(`Run ${new Date().toISOString()}; \`node --expose-gc --import tsx bench/matcher.bench.ts${quick ? ' --quick' : ''}\`.`);
out();
out('## Machine');
out();
out(machineTable());
out();

// ---- Workload -------------------------------------------------------------------------------
const heapBeforeWorkload = heapBytes();
let started = performance.now();
const workload = generateWorkload(size, config);
const generateMs = performance.now() - started;
const inputEntryCount = [...workload.lists.values()].reduce((n, entries) => n + entries.length, 0);
const inputBytesPerEntry = (heapBytes() - heapBeforeWorkload) / inputEntryCount;
const generalLists: readonly string[] = GENERAL_LIST_SHARES.map((g) => g.list);
const generalCount = generalLists.reduce((n, list) => n + (workload.lists.get(list)?.length ?? 0), 0);
const bolo = workload.lists.get(SPECIFIC_LIST) ?? [];

out('## Workload');
out();
out(
  markdownTable(
    ['list', 'entries', 'of which patterns'],
    [...workload.lists].map(([list, entries]) => [list, formatCount(entries.length), formatCount(entries.filter((e) => e.isPattern).length)]),
  ),
);
out();
out(
  `Generated in ${formatMs(generateMs)} (seed ${workload.seed}). Mixed stream: ${formatCount(workload.stream.length)} reads, ` +
    `planted hits ${Object.entries(workload.streamPlanted).map(([k, n]) => `${k} ${n}`).join(', ')}; ` +
    `per-kind sets of ${formatCount(size.readsPerKind)} reads; ${formatCount(workload.nonListed.length)} random non-listed plates. ` +
    `The input entry objects themselves take ${inputBytesPerEntry.toFixed(0)} heap bytes/entry (not counted below).`,
);
out();

// ---- Build, memory, swap --------------------------------------------------------------------
const matcher = new Matcher(config);
const built = new Map<string, ListIndex>();
const buildRows: string[][] = [];
const heapBeforeIndex = heapBytes();
let generalBuildMs = 0;
let generalIndexBytes = 0;
for (const [list, entries] of workload.lists) {
  const heapBeforeList = heapBytes();
  started = performance.now();
  const index = matcher.buildList(list, entries);
  const buildMs = performance.now() - started;
  const swapStarted = process.hrtime.bigint();
  matcher.swapList(index);
  const swapNs = Number(process.hrtime.bigint() - swapStarted);
  built.set(list, index);
  const listBytes = heapBytes() - heapBeforeList;
  if (generalLists.includes(list)) {
    generalBuildMs += buildMs;
    generalIndexBytes += listBytes;
  }
  buildRows.push([list, formatCount(entries.length), formatMs(buildMs), formatNs(swapNs), (listBytes / entries.length).toFixed(1)]);
}
const indexBytes = heapBytes() - heapBeforeIndex;
const indexBytesPerEntry = indexBytes / inputEntryCount;

// Swap cost, repeated: two prebuilt versions of the BOLO list, alternated.
const boloNext = matcher.buildList(SPECIFIC_LIST, bolo);
const boloLive = built.get(SPECIFIC_LIST) as ListIndex;
const swaps = timeEach(
  Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? boloNext : boloLive)),
  (list) => {
    matcher.swapList(list);
    return 0;
  },
);
matcher.swapList(boloLive);

out('## Index build, memory, swap');
out();
out(markdownTable(['list', 'entries', 'build', 'first swap', 'heap bytes/entry'], buildRows));
out();
const fullScale = generalCount / FULL_WORKLOAD.generalEntries;
out(
  markdownTable(
    ['measure', 'figure', 'target', 'verdict'],
    [
      [
        `build of ${formatCount(generalCount)} general entries`,
        formatMs(generalBuildMs),
        `≤ ${formatMs(TARGET.buildMs * fullScale)}${quick ? ' (scaled)' : ''}`,
        verdict(generalBuildMs <= TARGET.buildMs * fullScale),
      ],
      [
        'heap bytes per entry (heapUsed + arrayBuffers, after gc)',
        `${indexBytesPerEntry.toFixed(1)} B (${formatBytes(indexBytes)} for ${formatCount(inputEntryCount)})`,
        `≤ ${TARGET.heapBytesPerEntry} B`,
        verdict(indexBytesPerEntry <= TARGET.heapBytesPerEntry),
      ],
      ['swap (10,000 alternating BOLO swaps): median / p99 / max', `${formatNs(swaps.p50Ns)} / ${formatNs(swaps.p99Ns)} / ${formatNs(swaps.maxNs)}`, '–', '–'],
    ],
  ),
);
out();

// ---- Per-read latency -----------------------------------------------------------------------
const nowMs = workload.nowMs;
const matchIndex = (read: Read) => matcher.matchRead(read, nowMs).length;
const naive = new NaiveMatcher(config);
for (const [list, entries] of workload.lists) naive.loadList(list, entries);
const matchNaive = (read: Read) => naive.matchRead(read, nowMs).length;

for (let pass = 0; pass < 2; pass++) for (const read of workload.stream) matchIndex(read);
const overheadNs = timerOverheadNs();

interface LatencyRow {
  name: string;
  reads: readonly Read[];
  index: MeanSummary;
  indexEach: LatencySummary;
  naiveEach: LatencySummary;
}
const readSets: { name: string; reads: readonly Read[] }[] = [
  { name: 'mixed stream (99.5% non-hits)', reads: workload.stream },
  ...([...PLANTED_KINDS, 'none'] as const).map((kind: ReadSetName) => ({ name: kind === 'none' ? 'none (not listed)' : kind, reads: workload.readsByKind[kind] })),
];
const latency: LatencyRow[] = [];
for (const { name, reads } of readSets) {
  const index = await benchMean(`index ${name}`, reads, matchIndex, TINYBENCH_MS);
  const indexEach = timeEach(reads, matchIndex);
  const naiveReads = reads.slice(0, name.startsWith('mixed') ? NAIVE_STREAM_READS : NAIVE_READS_PER_KIND);
  const naiveEach = timeEach(naiveReads, matchNaive);
  latency.push({ name, reads, index, indexEach, naiveEach });
}

out('## Time per read');
out();
out(
  `Index mean from tinybench (batches of 1,000 reads, ${TINYBENCH_MS} ms per set); p50/p99/max from timing each read with ` +
    `process.hrtime.bigint, which adds about ${formatNs(overheadNs)} per read. The naive baseline is timed read by read on the first ` +
    `${formatCount(NAIVE_STREAM_READS)} stream reads and ${NAIVE_READS_PER_KIND} reads of each kind (it scans the whole specific list per read).`,
);
out();
out(
  markdownTable(
    ['reads', 'n', 'index mean', '± rme', 'index p50', 'index p99', 'index max', 'naive mean', 'naive p99', 'speedup (mean)'],
    latency.map((row) => [
      row.name,
      formatCount(row.reads.length),
      formatNs(row.index.meanNs),
      `${row.index.rmePercent.toFixed(1)}%`,
      formatNs(row.indexEach.p50Ns),
      formatNs(row.indexEach.p99Ns),
      formatNs(row.indexEach.maxNs),
      formatNs(row.naiveEach.meanNs),
      formatNs(row.naiveEach.p99Ns),
      `${(row.naiveEach.meanNs / row.index.meanNs).toFixed(0)}×`,
    ]),
  ),
);
out();
const stream = latency[0] as LatencyRow;
const speedup = stream.naiveEach.meanNs / stream.index.meanNs;
out(
  markdownTable(
    ['target (mixed stream)', 'figure', 'target', 'verdict'],
    [
      ['mean per read', formatNs(stream.index.meanNs), `≤ ${formatNs(TARGET.meanNs)}`, verdict(stream.index.meanNs <= TARGET.meanNs)],
      ['p99 per read', formatNs(stream.indexEach.p99Ns), `≤ ${formatNs(TARGET.p99Ns)}`, verdict(stream.indexEach.p99Ns <= TARGET.p99Ns)],
      ['speedup over naive (mean)', `${speedup.toFixed(0)}×`, `≥ ${TARGET.speedup}×`, verdict(speedup >= TARGET.speedup)],
    ],
  ),
);
out();

// ---- Cross-check ----------------------------------------------------------------------------
const checks: { name: string; check: CrossCheck }[] = [];
const indexHits = (read: Read) => matcher.matchRead(read, nowMs).slice();
const naiveHits = (read: Read) => naive.matchRead(read, nowMs);
checks.push({ name: 'mixed stream (all)', check: crossCheck(workload.stream, indexHits, naiveHits) });
for (const kind of [...PLANTED_KINDS, 'none'] as const) {
  checks.push({ name: kind, check: crossCheck(workload.readsByKind[kind].slice(0, NAIVE_READS_PER_KIND), indexHits, naiveHits) });
}
const kindCounts = (c: CrossCheck['indexHitsByKind']) => `${c.exact} / ${c.ocr} / ${c.partial} / ${c.fuzzy}`;
out('## Cross-check: index vs naive hits');
out();
out('Hits counted per kind as exact / ocr / partial / fuzzy; a read disagrees when the two sets of (list, entry, kind, OCR substitutions) differ.');
out();
out(
  markdownTable(
    ['reads', 'n', 'index hits', 'naive hits', 'reads disagreeing'],
    checks.map(({ name, check }) => [name, formatCount(check.reads), kindCounts(check.indexHitsByKind), kindCounts(check.naiveHitsByKind), formatCount(check.disagreeingReads)]),
  ),
);
out();
const examples = checks.flatMap(({ name, check }) => check.examples.map((e) => ({ name, ...e }))).slice(0, 15);
if (examples.length > 0) {
  out('Disagreements (first 15):');
  out();
  out(
    markdownTable(
      ['set', 'read plate', 'only the index', 'only naive'],
      examples.map((e) => [e.name, e.read.plate, e.onlyIndex.join(', ') || '–', e.onlyNaive.join(', ') || '–']),
    ),
  );
  out();
}

// Planted kinds found: every planted read should hit its entry the planted way.
const plantedKind = { 'exact-general': 'exact', 'ocr-general': 'ocr', 'exact-specific': 'exact', 'fuzzy-specific': 'fuzzy', partial: 'partial' } as const;
out(
  markdownTable(
    ['planted kind', 'reads', 'index found that kind', 'naive found that kind'],
    PLANTED_KINDS.map((kind) => {
      const reads = workload.readsByKind[kind];
      const wanted = plantedKind[kind];
      const isGeneral = kind.endsWith('general');
      const found = (hits: readonly { list: string; kind: string }[]) => hits.some((h) => h.kind === wanted && generalLists.includes(h.list) === isGeneral);
      const naiveReads = reads.slice(0, NAIVE_READS_PER_KIND);
      return [
        kind,
        formatCount(reads.length),
        `${formatCount(reads.filter((r) => found(matcher.matchRead(r, nowMs))).length)} / ${formatCount(reads.length)}`,
        `${formatCount(naiveReads.filter((r) => found(naive.matchRead(r, nowMs))).length)} / ${formatCount(naiveReads.length)}`,
      ];
    }),
  ),
);
out();

// ---- False hits -----------------------------------------------------------------------------
const falseHitReads = { exact: 0, ocr: 0, partial: 0, fuzzy: 0 };
const falseHits = { exact: 0, ocr: 0, partial: 0, fuzzy: 0 };
let anyHit = 0;
for (const read of workload.nonListed) {
  const hits = matcher.matchRead(read, nowMs);
  if (hits.length > 0) anyHit++;
  const kinds = new Set<keyof typeof falseHits>();
  for (const hit of hits) {
    falseHits[hit.kind]++;
    kinds.add(hit.kind);
  }
  for (const kind of kinds) falseHitReads[kind]++;
}
const n = workload.nonListed.length;
out(`## False hits on ${formatCount(n)} random non-listed plates`);
out();
out(
  'Plates drawn like the stream\'s non-hits and on no list by exact text: every hit is a vehicle an officer would stop to verify for nothing. ' +
    'OCR hits here are plates that only look like a listed plate; fuzzy hits are one edit from a BOLO plate.',
);
out();
out(
  markdownTable(
    ['kind', 'hits', 'reads with such a hit', 'false-hit rate (reads)'],
    [
      ...(['exact', 'ocr', 'partial', 'fuzzy'] as const).map((kind) => [kind, formatCount(falseHits[kind]), formatCount(falseHitReads[kind]), formatPercent(falseHitReads[kind], n)]),
      ['any', formatCount(Object.values(falseHits).reduce((a, b) => a + b, 0)), formatCount(anyHit), formatPercent(anyHit, n)],
    ],
  ),
);
out();

// ---- @datastructures-js/trie ------------------------------------------------------------------
// Our index restricted to the general lists (the same built lists, swapped into a second matcher),
// against the library trie doing what it can: membership of the OCR-mapped plate.
const generalOnly = new Matcher(config);
for (const list of generalLists) generalOnly.swapList(built.get(list) as ListIndex);
const generalIndexMean = await benchMean('index, general lists only', workload.stream, (read) => generalOnly.matchRead(read, nowMs).length, TINYBENCH_MS);

// Where the time goes: the same stream against one part of the hot lists at a time.
const parts: { name: string; lists: ListIndex[] }[] = [
  { name: 'general lists (SVS+SFR+SLR)', lists: generalLists.map((list) => built.get(list) as ListIndex) },
  { name: 'BOLO plates only (exact+ocr+fuzzy)', lists: [generalOnly.buildList(SPECIFIC_LIST, bolo.filter((e) => !e.isPattern))] },
  { name: 'BOLO `?` patterns only', lists: [generalOnly.buildList(SPECIFIC_LIST, bolo.filter((e) => e.isPattern && !e.plate.includes('*')))] },
  { name: 'BOLO `*` patterns only', lists: [generalOnly.buildList(SPECIFIC_LIST, bolo.filter((e) => e.isPattern && e.plate.includes('*')))] },
];
const partRows: string[][] = [];
for (const part of parts) {
  const partial = new Matcher(config);
  for (const list of part.lists) partial.swapList(list);
  const mean = await benchMean(part.name, workload.stream, (read) => partial.matchRead(read, nowMs).length, TINYBENCH_MS / 2);
  partRows.push([part.name, formatCount(part.lists.reduce((sum, l) => sum + l.size, 0)), formatNs(mean.meanNs)]);
}
partRows.push(['all lists', formatCount(inputEntryCount), formatNs(stream.index.meanNs)]);
out('## Where the time goes');
out();
out(
  'Mean per mixed-stream read (tinybench) with only part of the hot lists loaded, each in its own matcher. Measured after the main ' +
    'figures, so read them against each other, not as parts that add up to the total: each carries the fixed cost of a read and a later point in the run.',
);
out();
out(markdownTable(['lists loaded', 'entries', 'mean per read'], partRows));
out();

const alphabet = new OcrAlphabet(config.ocrClasses);
const heapBeforeTrie = heapBytes();
started = performance.now();
let libraryTrie: LibraryTrieBaseline | null = new LibraryTrieBaseline(alphabet);
for (const list of generalLists) libraryTrie.insertAll(workload.lists.get(list) ?? []);
const trieBuildMs = performance.now() - started;
const trieBytesPerEntry = (heapBytes() - heapBeforeTrie) / generalCount;
const trieNodes = libraryTrie.nodeCount;
const trie = libraryTrie;
const trieMean = await benchMean('@datastructures-js/trie has()', workload.stream, (read) => (trie.hasOcrEquivalent(read.plate) ? 1 : 0), TINYBENCH_MS);
let trieMembers = 0;
for (const read of workload.stream) if (trie.hasOcrEquivalent(read.plate)) trieMembers++;
let indexGeneralHitReads = 0;
for (const read of workload.stream) if (generalOnly.matchRead(read, nowMs).length > 0) indexGeneralHitReads++;
libraryTrie = null;

out(`## @datastructures-js/trie on the ${formatCount(generalCount)} general entries`);
out();
out(
  'It stores OCR-mapped plates and answers membership only: no entry, no substitution cap, no fuzzy or pattern search. ' +
    `Its build includes mapping each plate; its lookup maps the read and calls \`has()\`; ours runs \`matchRead\` on a matcher holding the same three general lists and returns the hits.`,
);
out();
out(
  markdownTable(
    ['', 'build', 'heap bytes/entry', 'mean per stream read', 'stream reads flagged'],
    [
      ['platewatch index (exact + ocr)', formatMs(generalBuildMs), (generalIndexBytes / generalCount).toFixed(1), formatNs(generalIndexMean.meanNs), formatCount(indexGeneralHitReads)],
      [`@datastructures-js/trie (${formatCount(trieNodes)} nodes)`, formatMs(trieBuildMs), trieBytesPerEntry.toFixed(1), formatNs(trieMean.meanNs), formatCount(trieMembers)],
    ],
  ),
);
out();
out(`Total run time ${formatMs(performance.now() - runStarted)}.`);
