// The identity of a hit: the same read matching the same entry is the same hit, however often the
// read is delivered or re-matched (the list version is left out on purpose). Pipeline, storage and
// gateway all use this one definition, so a hit id means the same everywhere.
import { createHash } from 'node:crypto';

/**
 * What tells apart entries of one list that are listed with the same text: a list may carry one
 * plate for two states (a CSV row is a duplicate only on list + plate + state), and a specific
 * list may carry one plate under two cases. A `Hit` has both fields, so callers can pass the hit.
 */
export interface HitEntryIdentity {
  state?: string | undefined;
  caseNumber?: string | undefined;
}

/**
 * The read a hit is of. Its id alone is not enough: cameras that number their own reads reuse one
 * another's ids, and a camera's counter starts over after a reset; with one id for two reads'
 * hits, JetStream dropped the second hit as a duplicate and the second read's hit showed the first
 * one's disposition (found by QA). A redelivered read has all four the same.
 */
export interface HitRead {
  id: string;
  agency: string;
  camera: string;
  /** When the plate was read, ms since the epoch. */
  ts: number;
}

export function hitId(read: HitRead, list: string, entry: string, identity: HitEntryIdentity = {}): string {
  // NUL separators: no field can run into the next ("r-1S" + "VS" is not "r-1" + "SVS").
  const hash = createHash('sha256')
    .update(read.agency).update('\u0000').update(read.camera).update('\u0000').update(read.id).update('\u0000').update(String(read.ts))
    .update('\u0000').update(list).update('\u0000').update(entry);
  // Two entries with one id would be one hit: JetStream drops the second publish as a duplicate
  // and the hits table collapses the rows, so a dispatcher saw only one of them (possibly the one
  // whose state does not match).
  const state = identity.state ?? '';
  const caseNumber = identity.caseNumber ?? '';
  if (state !== '' || caseNumber !== '') hash.update('\u0000').update(state).update('\u0000').update(caseNumber);
  return hash.digest('hex').slice(0, 32);
}
