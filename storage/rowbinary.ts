// Detections encoded as ClickHouse RowBinary, for the writer. The engine parses RowBinary many times
// faster than JSON text (BENCHMARKS.md, "inserts as RowBinary"): on a 2-core machine that parsing was
// a third of the CPU a sustained insert took.
import { DETECTION_INSERT_COLUMNS, readSource, type Detection } from './detection.js';

/**
 * The insert's columns as RowBinary lays them out (DETECTION_INSERT_COLUMNS' order). LowCardinality
 * columns are plain strings on the wire.
 */
export const DETECTION_ROWBINARY_STRUCTURE =
  "read_id String, agency String, camera String, read_source String, seen_at DateTime64(3, 'UTC'), plate String, plate_ocr String, state String, " +
  'confidence Float32, lat Nullable(Float64), lon Nullable(Float64), heading Nullable(Float32), vehicle_make String, ' +
  'vehicle_model String, vehicle_year Nullable(UInt16), vehicle_color String, vehicle_type String, image_ref String, candidates Array(String)';

/**
 * The insert of one RowBinary file into `table` (embedded chDB: its connection sends an insert's
 * body as text, so binary batches go through a file). Parameters: `rowBinaryFile` and `structure`
 * (DETECTION_ROWBINARY_STRUCTURE).
 */
export function insertFromRowBinaryFile(table: string): string {
  return `INSERT INTO ${table} (${DETECTION_INSERT_COLUMNS.join(', ')}) SELECT * FROM file({rowBinaryFile:String}, 'RowBinary', {structure:String})`;
}

const INITIAL_BYTES = 1 << 16;
const TWO_POW_32 = 4_294_967_296;

/** A growing RowBinary buffer of detections; `bytes` is the payload so far. */
export class RowBinaryBatch {
  #buf = Buffer.allocUnsafe(INITIAL_BYTES);
  #off = 0;
  #rows = 0;

  get bytes(): Buffer {
    return this.#buf.subarray(0, this.#off);
  }

  get rows(): number {
    return this.#rows;
  }

  add(d: Detection, plateOcr: string): void {
    const seenAt = typeof d.seenAt === 'number' ? d.seenAt : d.seenAt.getTime();
    this.#string(d.readId);
    this.#string(d.agency);
    this.#string(d.camera);
    this.#string(readSource(d.agency, d.camera));
    this.#int64(seenAt);
    this.#string(d.plate);
    this.#string(plateOcr);
    this.#string(d.state);
    this.#room(4);
    this.#buf.writeFloatLE(d.confidence, this.#off);
    this.#off += 4;
    this.#nullableFloat64(d.lat);
    this.#nullableFloat64(d.lon);
    this.#nullableFloat32(d.heading);
    this.#string(d.vehicleMake ?? '');
    this.#string(d.vehicleModel ?? '');
    this.#nullableUInt16(d.vehicleYear);
    this.#string(d.vehicleColor ?? '');
    this.#string(d.vehicleType ?? '');
    this.#string(d.imageRef ?? '');
    const candidates = d.candidates ?? [];
    this.#varUInt(candidates.length);
    for (const c of candidates) this.#string(c);
    this.#rows++;
  }

  #room(n: number): void {
    if (this.#off + n <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#off + n));
    this.#buf.copy(grown, 0, 0, this.#off);
    this.#buf = grown;
  }

  #varUInt(n: number): void {
    this.#room(5);
    let rest = n;
    while (rest >= 0x80) {
      this.#buf[this.#off++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.#buf[this.#off++] = rest;
  }

  /** Length-prefixed UTF-8. Written after a one-byte length slot, the common case; moved when longer. */
  #string(s: string): void {
    this.#room(5 + s.length * 3);
    const start = this.#off;
    const n = this.#buf.write(s, start + 1, 'utf8');
    if (n < 0x80) {
      this.#buf[start] = n;
      this.#off = start + 1 + n;
      return;
    }
    let lengthBytes = 1;
    for (let rest = n >>> 7; rest > 0; rest >>>= 7) lengthBytes++;
    this.#buf.copyWithin(start + lengthBytes, start + 1, start + 1 + n); // room was made for 5 length bytes
    let at = start;
    let rest = n;
    while (rest >= 0x80) {
      this.#buf[at++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.#buf[at] = rest;
    this.#off = start + lengthBytes + n;
  }

  /** Int64 from a safe integer (milliseconds), as two 32-bit halves: no BigInt per row. */
  #int64(n: number): void {
    this.#room(8);
    this.#buf.writeUInt32LE(n >>> 0, this.#off);
    this.#buf.writeInt32LE(Math.floor(n / TWO_POW_32), this.#off + 4);
    this.#off += 8;
  }

  /**
   * A Nullable's marker byte, with room for the value after it: true (and no value to write) for a
   * missing one. Missing is NULL, never 0: a position of 0,0 is a real place, a heading of 0 is due
   * north. null counts as missing, as in JSON.
   */
  #writeNullMarker(x: number | null | undefined, valueBytes: number): x is null | undefined {
    this.#room(1 + valueBytes);
    const missing = x === undefined || x === null;
    this.#buf[this.#off++] = missing ? 1 : 0;
    return missing;
  }

  #nullableFloat64(x: number | null | undefined): void {
    if (this.#writeNullMarker(x, 8)) return;
    this.#buf.writeDoubleLE(x, this.#off);
    this.#off += 8;
  }

  /** A heading. */
  #nullableFloat32(x: number | null | undefined): void {
    if (this.#writeNullMarker(x, 4)) return;
    this.#buf.writeFloatLE(x, this.#off);
    this.#off += 4;
  }

  /** A model year (the wire keeps it to 1900–2100). */
  #nullableUInt16(n: number | null | undefined): void {
    if (this.#writeNullMarker(n, 2)) return;
    this.#buf.writeUInt16LE(n, this.#off);
    this.#off += 2;
  }
}
