// How scanning searches walk their range (storage/search-windows.ts): the windows, the sparse
// rest, the one-pass cases. Pure planning, no storage: the walk is driven with a fake fetch that
// stands for a pattern matching a given number of reads a day. The queries themselves are tested
// against chDB in search.test.ts and search-oracle.test.ts.
import { describe, expect, it } from 'vitest';
import { expectsFewMatches, FEW_MATCHES_FIRST_WINDOW_MS, FIRST_WINDOW_MS, isSparse, scanNewestFirst, scansEveryPartition, searchWindows, windowsInOnePass } from '../../storage/index.js';

describe('scanning searches run newest window first', () => {
  const DAY = FIRST_WINDOW_MS;

  it('cuts a range into disjoint windows, newest first, each twice the one before, ending at from', () => {
    const to = Date.UTC(2026, 10, 1);
    const w = searchWindows(to - 30 * DAY, to);
    expect(w.map((x) => (x.to - x.from) / DAY)).toEqual([1, 2, 4, 8, 15]);
    expect(w[0]!.to).toBe(to);
    for (let i = 1; i < w.length; i++) expect(w[i]!.to).toBe(w[i - 1]!.from);
    expect(w.at(-1)!.from).toBe(to - 30 * DAY);
    expect(searchWindows(to - 3_600_000, to)).toEqual([{ from: to - 3_600_000, to }]);
    expect(searchWindows(to, to)).toEqual([]);
  });

  it('reads the rest at once when the rows so far would not fill the page at their rate', () => {
    expect(isSparse(1, DAY, 29 * DAY, 100)).toBe(true); // ~30 in all: read the other 29 days at once
    expect(isSparse(48, DAY, 29 * DAY, 100)).toBe(false); // ~1,400: the next window fills the page
    expect(isSparse(0, DAY, 29 * DAY, 100)).toBe(true);
    expect(isSparse(40, 3 * DAY, 3 * DAY, 100)).toBe(true); // 40 more expected, 60 wanted
  });

  it('expects few matches from a run of five known characters, and reads those in one pass', () => {
    expect(expectsFewMatches({ kind: 'partial', pattern: '*ABCDE*' })).toBe(true);
    expect(expectsFewMatches({ kind: 'partial', pattern: ' ?abc12* ' })).toBe(true);
    expect(expectsFewMatches({ kind: 'partial', pattern: '*ABCD*' })).toBe(false);
    expect(expectsFewMatches({ kind: 'partial', pattern: '?ABCD??' })).toBe(false);
    expect(expectsFewMatches({ kind: 'partial', pattern: '*AB?CDE*' })).toBe(false); // runs of 2 and 3
    expect(expectsFewMatches({ kind: 'fuzzy', plate: '7ABC123' })).toBe(false);
    expect(expectsFewMatches(undefined)).toBe(false);
  });

  it('walks windows newest first until the page is full, or reads the rest at once', async () => {
    const to = Date.UTC(2026, 10, 1);
    // The windows the walk reads for a pattern matching `perDay` reads a day, over `days` days.
    const walk = async (fewMatches: boolean, perDay: number, windowsInOnePass = false, days = 30): Promise<string[]> => {
      const calls: string[] = [];
      await scanNewestFirst({ from: to - days * DAY, to, limit: 100, fewMatches, windowsInOnePass }, async (w, { onePass, want, moreThanWanted }) => {
        calls.push(`${(to - w.to) / DAY}-${(to - w.from) / DAY} ${onePass ? 'one' : 'two'} ${want}${moreThanWanted ? ' more' : ''}`);
        return Math.min(want, Math.floor((perDay * (w.to - w.from)) / DAY));
      });
      return calls;
    };
    // ~48 a day (4 known characters in 50 M reads): the first two windows fill the page.
    expect(await walk(false, 48)).toEqual(['0-1 two 100', '1-3 two 52 more']);
    // ~1 a day: after the first window the other 29 days go in one pass.
    expect(await walk(false, 1)).toEqual(['0-1 two 100', '1-30 one 99']);
    // Five known characters: a month in one pass, so the whole of a 30-day range.
    expect(await walk(true, 2)).toEqual(['0-30 one 100']);
    // Over a year they walk from a month in one pass: ~2 a day fill the page in the 2nd window,
    // where one pass over the year read all ~730 matches to sort out the newest 100.
    const year = (perDay: number) => walk(true, perDay, true, 365);
    expect(FEW_MATCHES_FIRST_WINDOW_MS).toBe(30 * DAY);
    expect(await year(2)).toEqual(['0-30 one 100', '30-90 one 40 more']);
    expect(await year(0.5)).toEqual(['0-30 one 100', '30-90 one 85', '90-210 one 55 more']);
    // ~1 a month: after the first month the other eleven go in one pass.
    expect(await year(1 / 30)).toEqual(['0-30 one 100', '30-365 one 99']);
    // Partial patterns read each window in one pass too.
    expect(await walk(false, 48, true)).toEqual(['0-1 one 100', '1-3 one 52 more']);
    // ~17 a day (fixed length): the window that overfills the page is the third.
    expect(await walk(false, 17, true)).toEqual(['0-1 one 100', '1-3 one 83', '3-7 one 49 more']);
  });

  it('reads windows in one pass for partial patterns only', () => {
    expect(windowsInOnePass({ kind: 'partial', pattern: '*ABCD*' })).toBe(true);
    expect(windowsInOnePass({ kind: 'fuzzy', plate: '7ABC123' })).toBe(false);
    expect(windowsInOnePass(undefined)).toBe(false);
  });

  it('windows only searches the primary key cannot narrow', () => {
    expect(scansEveryPartition({ plate: { kind: 'partial', pattern: '*ABC1*' } })).toBe(true);
    expect(scansEveryPartition({ plate: { kind: 'partial', pattern: '?ABC123' } })).toBe(true);
    expect(scansEveryPartition({ plate: { kind: 'fuzzy', plate: '7ABC123' } })).toBe(true);
    expect(scansEveryPartition({})).toBe(true);
    // Separators are dropped before the query: a leading one hides nothing from the key.
    expect(scansEveryPartition({ plate: { kind: 'partial', pattern: '-*ABC1' } })).toBe(true);
    expect(scansEveryPartition({ plate: { kind: 'partial', pattern: ' .?ABC123' } })).toBe(true);
    expect(scansEveryPartition({ plate: { kind: 'partial', pattern: '-7AB*' } })).toBe(false);
    expect(scansEveryPartition({ plate: { kind: 'partial', pattern: '7AB*' } })).toBe(false);
    expect(scansEveryPartition({ plate: { kind: 'exact', plate: '7ABC123' } })).toBe(false);
    expect(scansEveryPartition({ plate: { kind: 'ocr', plate: '7ABC123' } })).toBe(false);
  });
});
