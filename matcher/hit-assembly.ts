// Turns what the search found into Hit objects: one per (list, entry), the best way it matched,
// best first. Runs only for reads that hit something, so it may allocate.
import type { HotlistIndex } from './hotlist-index.js';
import type { MatchSink } from './match-sink.js';
import type { PlateComparison } from './plate-comparison.js';
import { MATCH_KINDS, type Hit, type Read } from './types.js';
import { vehicleMismatches } from './vehicle.js';

export function assembleHits(index: HotlistIndex, sink: MatchSink, read: Read, comparison: PlateComparison): Hit[] {
  const best: number[] = [];
  for (let k = 0; k < sink.count; k++) {
    const same = best.findIndex(
      (b) => sink.slot[b] === sink.slot[k] && sink.isPattern[b] === sink.isPattern[k] && sink.position[b] === sink.position[k],
    );
    if (same < 0) best.push(k);
    else if (isBetter(sink, k, best[same] as number)) best[same] = k;
  }
  const hits = best.map((k) => toHit(index, sink, k, read, comparison));
  return hits.sort(compareHits);
}

function isBetter(sink: MatchSink, a: number, b: number): boolean {
  if (sink.kindRank[a] !== sink.kindRank[b]) return (sink.kindRank[a] as number) < (sink.kindRank[b] as number);
  if (sink.ocrSubstitutions[a] !== sink.ocrSubstitutions[b]) return (sink.ocrSubstitutions[a] as number) < (sink.ocrSubstitutions[b] as number);
  return (sink.candidate[a] as number) < (sink.candidate[b] as number);
}

function candidatePlate(read: Read, candidate: number): { plate: string; conf: number | undefined } {
  if (candidate === 0) return { plate: read.plate, conf: read.conf };
  const c = read.candidates?.[candidate - 1];
  return { plate: c?.plate ?? read.plate, conf: c?.conf };
}

function toHit(index: HotlistIndex, sink: MatchSink, k: number, read: Read, comparison: PlateComparison): Hit {
  const list = index.lists[sink.slot[k] as number];
  const isPattern = sink.isPattern[k] === 1;
  const indexed = isPattern ? list?.patterns : list?.plates;
  if (list === undefined || indexed === undefined || indexed === null) throw new Error('match sink refers to a list the index does not hold');
  const entry = indexed.table.entry(sink.position[k] as number, list.list, isPattern);
  const kind = MATCH_KINDS[sink.kindRank[k] as number] ?? 'fuzzy';
  const candidate = sink.candidate[k] as number;
  const { plate, conf } = candidatePlate(read, candidate);
  const positions =
    kind === 'partial'
      ? comparison.patternPositions(plate, entry.plate)
      : kind === 'fuzzy'
        ? comparison.oneEditPositions(plate, entry.plate)
        : comparison.substitutionPositions(plate, entry.plate);
  const hit: Hit = {
    list: list.list,
    listVersion: list.version,
    entry: entry.listed,
    kind,
    distance: kind === 'fuzzy' ? 1 : 0,
    ocrSubstitutions: sink.ocrSubstitutions[k] as number,
    positions,
    candidate,
    plate,
    stateMatch: entry.state === undefined ? true : read.state === undefined || read.state === '' ? null : read.state === entry.state,
    vehicleMismatch: vehicleMismatches(entry.vehicle, read.vehicle),
    reason: entry.reason,
    caseNumber: entry.caseNumber,
    enteredBy: entry.enteredBy,
    synopsis: entry.synopsis,
  };
  if (conf !== undefined) hit.conf = conf;
  if (entry.state !== undefined) hit.state = entry.state;
  if (entry.expiresAt !== undefined) hit.expiresAt = entry.expiresAt;
  if (entry.vehicle !== undefined) hit.vehicle = entry.vehicle;
  return hit;
}

function compareHits(a: Hit, b: Hit): number {
  const rank = MATCH_KINDS.indexOf(a.kind) - MATCH_KINDS.indexOf(b.kind);
  if (rank !== 0) return rank;
  if (a.ocrSubstitutions !== b.ocrSubstitutions) return a.ocrSubstitutions - b.ocrSubstitutions;
  // One plate listed for two states: the entry of the read's state is the better hit, and a
  // dispatcher reading the first hit must not meet the other state's entry first.
  if (a.stateMatch !== b.stateMatch) return stateRank(a.stateMatch) - stateRank(b.stateMatch);
  if (a.list !== b.list) return a.list < b.list ? -1 : 1;
  if (a.entry !== b.entry) return a.entry < b.entry ? -1 : 1;
  const sa = a.state ?? '';
  const sb = b.state ?? '';
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function stateRank(stateMatch: boolean | null): number {
  return stateMatch === true ? 0 : stateMatch === null ? 1 : 2;
}
