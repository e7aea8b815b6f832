// Shared by the tests of the benchmarks' trial plate indexes: a chDB table of random plates made of
// few symbols (so that runs repeat at different positions and patterns match several plates), and
// a count of the plates a condition selects.
import { openTempStorage, type TempStorage } from '../storage/temp-storage.js';

export interface TrialPlates {
  /** The stored plates, in insertion order. */
  readonly plates: readonly string[];
  /** How many stored plates `where` selects; `{like:String}` in it is `like`. */
  count(where: string, like: string): Promise<number>;
  readonly temp: TempStorage;
  cleanup(): Promise<void>;
}

/**
 * Creates `table` with `createSql` (which must give it a `plate_ocr String` column and may give it
 * `seen_at DateTime64(3, 'UTC')`) and stores 3,000 plates of 3–8 characters drawn from `chars`.
 */
export async function openTrialPlates(table: string, createSql: string, seed: number, chars = 'AB01'): Promise<TrialPlates> {
  const temp = await openTempStorage();
  const { client } = temp.storage;
  await client.command({ query: createSql });
  let state = seed;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const plates: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const len = 3 + Math.floor(rand() * 6); // 3–8 characters, as plates are
    plates.push(Array.from({ length: len }, () => chars[Math.floor(rand() * chars.length)]).join(''));
  }
  const withTime = createSql.includes('seen_at');
  await client.insert({ table, values: plates.map((p, i) => (withTime ? { plate_ocr: p, seen_at: 1_790_000_000_000 + i * 1000 } : { plate_ocr: p })), format: 'JSONEachRow' });
  return {
    plates,
    temp,
    async count(where, like) {
      const rs = await client.query({ query: `SELECT count() AS n FROM ${table} WHERE ${where}`, query_params: { like }, format: 'JSONEachRow' });
      return Number((await rs.json<{ n: number | string }>())[0]?.n);
    },
    cleanup: () => temp.cleanup(),
  };
}
