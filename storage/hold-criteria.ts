// What a legal hold selects: a search's criteria, or detections named by their key. A read id is
// the camera's own and two cameras may send the same one, so a hold of rows an analyst ticked names
// each by its key (plate_ocr, seen_at, read_id: the primary key, storage/schema.ts) and takes only
// those, and every camera's read sharing all three (cameras that stamp whole seconds; the console
// and API name no camera); a hold by read ids takes every detection in the period with one of them.
import { TupleParam } from '@clickhouse/client';
import type { OcrAlphabet } from '../matcher/index.js';
import { buildDetectionFilter, type DetectionCriteria, type DetectionFilter } from './detection-filter.js';
import { formatClickHouseTime } from './sql.js';

/** One detection, by the key it is stored under; a search row gives it (`plateOcr`, `seenAt`, `readId`). */
export interface DetectionKey {
  plateOcr: string;
  seenAt: Date;
  readId: string;
}

export interface HoldCriteria extends DetectionCriteria {
  /** Only these detections (rows ticked in a search's results), within the rest of the criteria. */
  detections?: readonly DetectionKey[];
}

/** The hold's WHERE conditions (AND); every value goes only into `params`. */
export function buildHoldFilter(c: HoldCriteria, alphabet: OcrAlphabet): DetectionFilter {
  const { detections, ...criteria } = c;
  const filter = buildDetectionFilter(criteria, alphabet);
  if (!filter.ok || detections === undefined) return filter;
  const bad = detections.findIndex((d) => !(d.seenAt instanceof Date) || Number.isNaN(d.seenAt.getTime()));
  if (bad >= 0) return { ok: false, reason: `detection ${bad + 1} has no valid seenAt` };
  return {
    ...filter,
    // The primary key itself, so it finds the rows.
    where: [...filter.where, "(plate_ocr, seen_at, read_id) IN {detections:Array(Tuple(String, DateTime64(3, 'UTC'), String))}"],
    params: { ...filter.params, detections: detections.map((d) => new TupleParam([d.plateOcr, formatClickHouseTime(d.seenAt), d.readId])) },
  };
}
