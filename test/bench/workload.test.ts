import { describe, expect, it } from 'vitest';
import { normalizePlate, resolveMatcherConfig, type MatchKind } from '../../matcher/index.js';
import { NaiveMatcher } from '../../bench/naive-matcher.js';
import { generateWorkload, PLANTED_KINDS, SPECIFIC_LIST, type PlantedKind, type WorkloadSize } from '../../bench/workload.js';

const SIZE: WorkloadSize = {
  generalEntries: 3_000,
  specificEntries: 300,
  patterns: 50,
  streamReads: 2_000,
  streamHitShare: 0.01,
  readsPerKind: 40,
  nonListedReads: 500,
};
const config = resolveMatcherConfig();
const workload = generateWorkload(SIZE, config, 99);

/** The list kind and match kind each planted read is meant to produce. */
const EXPECTED: Record<PlantedKind, { general: boolean; kind: MatchKind }> = {
  'exact-general': { general: true, kind: 'exact' },
  'ocr-general': { general: true, kind: 'ocr' },
  'exact-specific': { general: false, kind: 'exact' },
  'fuzzy-specific': { general: false, kind: 'fuzzy' },
  partial: { general: false, kind: 'partial' },
};

describe('benchmark workload', () => {
  it('has the requested numbers of entries, patterns and reads', () => {
    const general = ['SVS', 'SFR', 'SLR'].map((list) => workload.lists.get(list)?.length ?? 0);
    expect(general.reduce((a, b) => a + b, 0)).toBe(SIZE.generalEntries);
    expect(general[0]).toBeGreaterThan(general[1] as number);
    const bolo = workload.lists.get(SPECIFIC_LIST) ?? [];
    expect(bolo.filter((e) => !e.isPattern)).toHaveLength(SIZE.specificEntries);
    expect(bolo.filter((e) => e.isPattern)).toHaveLength(SIZE.patterns);
    expect(workload.stream).toHaveLength(SIZE.streamReads);
    expect(workload.nonListed).toHaveLength(SIZE.nonListedReads);
    for (const kind of [...PLANTED_KINDS, 'none'] as const) expect(workload.readsByKind[kind]).toHaveLength(SIZE.readsPerKind);
    const planted = Object.values(workload.streamPlanted).reduce((a, b) => a + b, 0);
    expect(planted).toBe(SIZE.streamReads * SIZE.streamHitShare);
  });

  it('lists valid plates with unique NCIC numbers, and BOLO entries with who, case and synopsis', () => {
    const caseNumbers = new Set<string>();
    for (const [list, entries] of workload.lists) {
      for (const entry of entries) {
        if (!entry.isPattern) expect(normalizePlate(entry.plate)).toEqual({ ok: true, plate: entry.plate });
        caseNumbers.add(entry.caseNumber);
        if (list === SPECIFIC_LIST) {
          expect(entry.enteredBy).not.toBe('');
          expect(entry.synopsis).not.toBe('');
        } else {
          expect(entry.caseNumber).toMatch(/^V\d{9}$/);
        }
      }
    }
    expect(caseNumbers.size).toBe(SIZE.generalEntries + SIZE.specificEntries + SIZE.patterns);
  });

  it('writes partial patterns with at least four known characters', () => {
    for (const entry of workload.lists.get(SPECIFIC_LIST) ?? []) {
      if (entry.isPattern) expect(entry.plate.replace(/[?*]/g, '').length).toBeGreaterThanOrEqual(4);
    }
  });

  it('plants reads that the naive matcher finds as the planted kind', () => {
    const naive = new NaiveMatcher(config);
    for (const [list, entries] of workload.lists) naive.loadList(list, entries);
    for (const kind of PLANTED_KINDS) {
      const expected = EXPECTED[kind];
      for (const read of workload.readsByKind[kind]) {
        const hits = naive.matchRead(read, workload.nowMs);
        const planted = hits.filter((h) => h.kind === expected.kind && (h.list === SPECIFIC_LIST) !== expected.general);
        expect(planted, `${kind} read ${read.plate}`).not.toHaveLength(0);
      }
    }
  });

  it('keeps random reads off every list by exact text', () => {
    const listed = new Set([...workload.lists.values()].flat().map((e) => e.plate));
    for (const read of [...workload.nonListed, ...workload.readsByKind.none]) expect(listed.has(read.plate)).toBe(false);
  });

  it('is the same workload for the same seed', () => {
    const again = generateWorkload(SIZE, config, 99);
    expect(again.stream.map((r) => r.plate)).toEqual(workload.stream.map((r) => r.plate));
  });
});
