// The projection trial (bench/storage/plate-tails.ts): the condition a pattern gets for the
// projection on the plate from its 2nd character must select every plate its LIKE selects, in real
// chDB, and ClickHouse must answer it from the projection, or the benchmark's `tail2` figures would
// be for a search that loses matches or never used the index it is named for.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tailFilter } from '../../bench/storage/plate-tails.js';
import { openTrialPlates, type TrialPlates } from './trial-plates.js';

let trial: TrialPlates;
const count = (where: string, like: string) => trial.count(where, like);

beforeAll(async () => {
  trial = await openTrialPlates('tail_trial', `CREATE TABLE tail_trial (plate_ocr String, seen_at DateTime64(3, 'UTC'),
    PROJECTION plate_from_2 (SELECT _part_offset ORDER BY substring(plate_ocr, 2)))
    ENGINE = ReplacingMergeTree ORDER BY (plate_ocr, seen_at)
    SETTINGS index_granularity = 64, deduplicate_merge_projection_mode = 'rebuild'`, 11);
}, 60_000);

afterAll(async () => {
  await trial?.cleanup();
});

describe('tailFilter', () => {
  it('has no condition unless the longest run has 4 known characters at a position asked for', () => {
    expect(tailFilter('_AB0__', [2])).toBeUndefined();
    expect(tailFilter('%AB01%', [2])).toBeUndefined();
    expect(tailFilter('__AB01', [2])).toBeUndefined();
    expect(tailFilter('AB01__', [2])).toBeUndefined();
  });

  it('turns a run at the 2nd character into a prefix of the plate from there', () => {
    expect(tailFilter('_AB01__', [2])).toBe("startsWith(substring(plate_ocr, 2), 'AB01')");
    expect(tailFilter('_AB01B', [2])).toBe("startsWith(substring(plate_ocr, 2), 'AB01B')");
  });

  it('puts nothing but plate symbols into the SQL', () => {
    expect(tailFilter("_AB0'_", [2])).toBeUndefined();
  });

  it('is answered from the projection', async () => {
    const rs = await trial.temp.storage.client.query({
      query: `EXPLAIN projections = 1 SELECT seen_at FROM tail_trial WHERE plate_ocr LIKE '_AB01%' AND ${tailFilter('_AB01%', [2])}
        SETTINGS min_table_rows_to_use_projection_index = 0`,
      format: 'JSONEachRow',
    });
    const plan = (await rs.json<{ explain: string }>()).map((r) => r.explain).join('\n');
    expect(plan).toMatch(/Name: plate_from_2/);
  });

  it('selects exactly what LIKE selects, for patterns cut from stored plates', async () => {
    // A pattern: a stored plate with some characters turned into `_`, and optionally its end
    // turned into `%`.
    const pattern = fc.record({
      plate: fc.integer({ min: 0, max: 2999 }),
      unknown: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      openEnd: fc.nat({ max: 3 }),
    }).map(({ plate, unknown, openEnd }) => {
      const p = trial.plates[plate] as string;
      const masked = [...p].map((c, i) => (i === 0 || (unknown[i] === true && i % 4 === 0) ? '_' : c)).join('');
      return `${masked.slice(0, masked.length - openEnd)}${openEnd > 0 ? '%' : ''}`;
    });
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(pattern, async (like) => {
        const extra = tailFilter(like, [2]);
        if (extra === undefined) return;
        checked++;
        expect(await count(`plate_ocr LIKE {like:String} AND ${extra}`, like)).toBe(await count('plate_ocr LIKE {like:String}', like));
      }),
      { numRuns: 150, seed: 16 },
    );
    expect(checked).toBeGreaterThan(30);
  }, 60_000);
});
