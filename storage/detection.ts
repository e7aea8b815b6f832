// A detection as stored (Watsonville §471.3(f): the plate read, the vehicle, and where the camera was),
// and its encoding into the insert formats.
import type { InsertFormat } from './config.js';

/**
 * One row a read, in a query over detections: a read's copies are the rows ReplacingMergeTree
 * collapses (its sort key, storage/schema.ts), so a redelivered read shows once. The id alone is
 * not a read: cameras that count reads on their own reuse each other's ids, and a camera's counter
 * starts over after a reset; such reads differ in time or plate and are all shown (found by QA:
 * `LIMIT 1 BY read_id` hid one of two cameras' reads sharing an id).
 */
export const ONE_ROW_A_READ = 'LIMIT 1 BY read_id, seen_at, plate_ocr';

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
  /** Other readings the OCR considered. */
  candidates?: readonly string[];
}

/** Column order of the insert; matches `encodeDetection`. */
export const DETECTION_INSERT_COLUMNS = [
  'read_id', 'agency', 'camera', 'seen_at', 'plate', 'plate_ocr', 'state', 'confidence', 'lat', 'lon', 'heading',
  'vehicle_make', 'vehicle_model', 'vehicle_year', 'vehicle_color', 'vehicle_type', 'image_ref', 'candidates',
] as const;

/** One detection as a line of a text format (newline included); RowBinary is storage/rowbinary.ts. */
export function encodeDetection(d: Detection, plateOcr: string, format: Exclude<InsertFormat, 'RowBinary'>): string {
  const seenAt = typeof d.seenAt === 'number' ? d.seenAt : d.seenAt.getTime();
  if (format === 'JSONCompactEachRow') {
    return (
      JSON.stringify([
        d.readId, d.agency, d.camera, seenAt, d.plate, plateOcr, d.state, d.confidence, d.lat ?? null, d.lon ?? null,
        d.heading ?? null, d.vehicleMake ?? '', d.vehicleModel ?? '', d.vehicleYear ?? null, d.vehicleColor ?? '',
        d.vehicleType ?? '', d.imageRef ?? '', d.candidates ?? [],
      ]) + '\n'
    );
  }
  return (
    JSON.stringify({
      read_id: d.readId, agency: d.agency, camera: d.camera, seen_at: seenAt, plate: d.plate, plate_ocr: plateOcr,
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
