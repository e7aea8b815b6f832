// Bytes per detection on disk, from ClickHouse's own accounting of the active parts after the run's
// detections are merged (OPTIMIZE … FINAL: what the table converges to once background merges
// have run; freshly inserted small parts compress worse).
import type { Storage } from '../../storage/index.js';

export interface TableFootprint {
  table: string;
  rows: number;
  /** Column data, compressed. */
  compressedBytes: number;
  uncompressedBytes: number;
  /** Everything the parts take on disk: data, marks, primary and skip indexes, checksums. */
  bytesOnDisk: number;
}

export async function tableFootprint(storage: Storage, table: string): Promise<TableFootprint> {
  await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.${table} FINAL` });
  const rs = await storage.client.query({
    query: `SELECT sum(rows) AS rows, sum(data_compressed_bytes) AS compressed, sum(data_uncompressed_bytes) AS uncompressed, sum(bytes_on_disk) AS disk
              FROM system.parts WHERE active AND database = {db:String} AND table = {table:String}`,
    query_params: { db: storage.db, table },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ rows: string | number; compressed: string | number; uncompressed: string | number; disk: string | number }>();
  const r = rows[0];
  return { table, rows: Number(r?.rows ?? 0), compressedBytes: Number(r?.compressed ?? 0), uncompressedBytes: Number(r?.uncompressed ?? 0), bytesOnDisk: Number(r?.disk ?? 0) };
}
