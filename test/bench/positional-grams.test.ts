// The positional 4-gram trial index (bench/storage/positional-grams.ts): the tokens a pattern asks
// for must select every plate its LIKE selects, in real chDB, or the benchmark's figures for it
// would be for a search that loses matches.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSITIONAL_GRAMS, positionalGramFilter } from '../../bench/storage/positional-grams.js';
import { openTrialPlates, type TrialPlates } from './trial-plates.js';

let trial: TrialPlates;
const count = (where: string, like: string) => trial.count(where, like);

beforeAll(async () => {
  trial = await openTrialPlates('pos_trial', `CREATE TABLE pos_trial (plate_ocr String, INDEX plate_pos ${POSITIONAL_GRAMS} TYPE text(tokenizer = array))
    ENGINE = MergeTree ORDER BY plate_ocr SETTINGS index_granularity = 64`, 7);
}, 60_000);

afterAll(async () => {
  await trial?.cleanup();
});

describe('positionalGramFilter', () => {
  it('has no condition for a pattern without 4 known characters in a row', () => {
    expect(positionalGramFilter('%AB0%')).toBeUndefined();
    expect(positionalGramFilter('A_B01_')).toBeUndefined();
  });

  it('looks a run up at its one position when no % comes before it', () => {
    expect(positionalGramFilter('_AB01__')).toBe(`hasAnyTokens(${POSITIONAL_GRAMS}, ['2AB01'])`);
  });

  it('needs the 4-grams of a longer run side by side in one plate', () => {
    expect(positionalGramFilter('%AB01B')).toBe(
      `(${[1, 2, 3, 4].map((p) => `hasAllTokens(${POSITIONAL_GRAMS}, ['${p}AB01', '${p + 1}B01B'])`).join(' OR ')})`,
    );
  });

  it('selects exactly what LIKE selects, for patterns cut from stored plates', async () => {
    // A pattern: a stored plate with some characters turned into `_`, and optionally its start
    // or end (or both) turned into `%`.
    const pattern = fc.record({
      plate: fc.integer({ min: 0, max: 2999 }),
      unknown: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      openStart: fc.nat({ max: 3 }),
      openEnd: fc.nat({ max: 3 }),
    }).map(({ plate, unknown, openStart, openEnd }) => {
      const p = trial.plates[plate] as string;
      const masked = [...p].map((c, i) => (unknown[i] === true && i % 3 === 0 ? '_' : c)).join('');
      return `${openStart > 0 ? '%' : ''}${masked.slice(openStart, masked.length - openEnd)}${openEnd > 0 ? '%' : ''}`;
    });
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(pattern, async (like) => {
        const extra = positionalGramFilter(like);
        if (extra === undefined) return;
        checked++;
        expect(await count(`plate_ocr LIKE {like:String} AND ${extra}`, like)).toBe(await count('plate_ocr LIKE {like:String}', like));
      }),
      { numRuns: 150, seed: 12 },
    );
    expect(checked).toBeGreaterThan(30);
  }, 60_000);
});
