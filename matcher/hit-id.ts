// The identity of a hit: the same read matching the same entry is the same hit, however often the
// read is delivered or re-matched (the list version is left out on purpose). Pipeline, storage and
// gateway all use this one definition, so a hit id means the same everywhere.
import { createHash } from 'node:crypto';

export function hitId(readId: string, list: string, entry: string): string {
  // NUL separators: no field can run into the next ("r-1S" + "VS" is not "r-1" + "SVS").
  return createHash('sha256').update(readId).update('\u0000').update(list).update('\u0000').update(entry).digest('hex').slice(0, 32);
}
