// A detection as stored (Watsonville §471.3(f): the plate read, the vehicle, and where the camera was),
// and its encoding into the insert formats.
import type { InsertFormat } from './config.js';

/**
 * One row a read, in a query over detections: a read is its agency, camera, id and time
 * (docs/wire.md), and a read's copies are the rows ReplacingMergeTree collapses (its sort key, with
 * read_source, storage/schema.ts), so a redelivered read shows once. The id alone is not a read:
 * cameras that count reads on their own reuse each other's ids, and a camera's counter starts over
 * after a reset; such reads differ in time, plate or camera and are all shown (found by QA: `LIMIT 1
 * BY read_id` hid one of two cameras' reads sharing an id, and `LIMIT 1 BY read_id, seen_at,
 * plate_ocr` one of two cameras stamping whole seconds). Agency and camera rather than read_source:
 * rows stored before migration 15 hold '' there.
 */
export const ONE_ROW_A_READ = 'LIMIT 1 BY read_id, seen_at, plate_ocr, agency, camera';

/**
 * Oldest first, and a total order over the reads ONE_ROW_A_READ keeps: a release package made
 * twice lists its rows alike, so its files hash alike (by time and id alone, two reads sharing
 * both came out in either order).
 */
export const OLDEST_FIRST = 'ORDER BY seen_at, read_id, plate_ocr, agency, camera';

/**
 * Rows in their order, without a read's later copies (a redelivered read sits in two parts until
 * they merge): the rows ONE_ROW_A_READ keeps, so reads of several cameras sharing an id all stay.
 */
export function firstOfEachRead<T extends { read_id: string; seen_at_text: string; plate_ocr: string; agency: string; camera: string }>(
  rows: readonly T[],
): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const read = `${r.read_id}\u0000${r.seen_at_text}\u0000${r.plate_ocr}\u0000${r.agency}\u0000${r.camera}`;
    if (seen.has(read)) return false;
    seen.add(read);
    return true;
  });
}

/**
 * Between agency and camera in read_source. The wire refuses a `/` in either (subject-token
 * characters, A-Za-z0-9_-: ingest/subjects.ts), so no two sources join to one value, and the column
 * reads as the subject's tail does (`wpd/cam-12`).
 */
const SOURCE_SEPARATOR = '/';

/** The read_source of a detection: which agency's camera sent it, the sort key's last part (migration 15). */
export function readSource(agency: string, camera: string): string {
  return agency + SOURCE_SEPARATOR + camera;
}

export interface Detection {
  /**
   * Camera-assigned id of the read, stable across retries. With its camera and time it is the
   * idempotency key (DESIGN.md: redelivered reads stored once); ids need not be unique across cameras.
   */
  readId: string;
  agency: string;
  camera: string;
  /** When the plate was read. */
  seenAt: Date | number;
  /** Normalised plate (matcher `normalizePlate`). */
  plate: string;
  /** OCR-mapped plate (`OcrAlphabet.mapPlate`); the writer computes it when absent. */
  plateOcr?: string;
  /** Issuing state, '' when unknown. */
  state: string;
  /** OCR confidence 0..1. */
  confidence: number;
  /** WGS 84 position of the read; absent when the camera sent none (stored as NULL, never as 0,0). */
  lat?: number;
  lon?: number;
  /** Direction of travel, degrees 0–360; absent when the camera sent none (NULL, never 0: 0 is due north). */
  heading?: number;
  vehicleMake?: string;
  vehicleModel?: string;
  /** Model year from the camera's classifier, 1900–2100; absent when it sent none (NULL). */
  vehicleYear?: number;
  vehicleColor?: string;
  vehicleType?: string;
  /** Where the image lives (object store key or URL); the image itself is not in ClickHouse. */
  imageRef?: string;
  /** Other readings the OCR considered (normalised plates); searches find the read by them too (migration 16). */
  candidates?: readonly string[];
}

/** Column order of the insert; matches `encodeDetection`. */
export const DETECTION_INSERT_COLUMNS = [
  'read_id', 'agency', 'camera', 'read_source', 'seen_at', 'plate', 'plate_ocr', 'state', 'confidence', 'lat', 'lon', 'heading',
  'vehicle_make', 'vehicle_model', 'vehicle_year', 'vehicle_color', 'vehicle_type', 'image_ref', 'candidates',
] as const;

/** One detection as a line of a text format (newline included); RowBinary is storage/rowbinary.ts. */
export function encodeDetection(d: Detection, plateOcr: string, format: Exclude<InsertFormat, 'RowBinary'>): string {
  const seenAt = typeof d.seenAt === 'number' ? d.seenAt : d.seenAt.getTime();
  if (format === 'JSONCompactEachRow') {
    return (
      JSON.stringify([
        d.readId, d.agency, d.camera, readSource(d.agency, d.camera), seenAt, d.plate, plateOcr, d.state, d.confidence, d.lat ?? null, d.lon ?? null,
        d.heading ?? null, d.vehicleMake ?? '', d.vehicleModel ?? '', d.vehicleYear ?? null, d.vehicleColor ?? '',
        d.vehicleType ?? '', d.imageRef ?? '', d.candidates ?? [],
      ]) + '\n'
    );
  }
  return (
    JSON.stringify({
      read_id: d.readId, agency: d.agency, camera: d.camera, read_source: readSource(d.agency, d.camera), seen_at: seenAt, plate: d.plate, plate_ocr: plateOcr,
      state: d.state, confidence: d.confidence, lat: d.lat ?? null, lon: d.lon ?? null, heading: d.heading ?? null,
      vehicle_make: d.vehicleMake ?? '', vehicle_model: d.vehicleModel ?? '', vehicle_year: d.vehicleYear ?? null,
      vehicle_color: d.vehicleColor ?? '', vehicle_type: d.vehicleType ?? '', image_ref: d.imageRef ?? '', candidates: d.candidates ?? [],
    }) + '\n'
  );
}

/** A batch of detections as lines of a text format; RowBinaryBatch is its binary twin. */
export class TextBatch {
  readonly #lines: string[] = [];
  constructor(readonly format: Exclude<InsertFormat, 'RowBinary'>) {}

  get rows(): number {
    return this.#lines.length;
  }

  /** The insert's body. */
  get bytes(): string {
    return this.#lines.join('');
  }

  add(d: Detection, plateOcr: string): void {
    this.#lines.push(encodeDetection(d, plateOcr, this.format));
  }
}
