// The byte limits of the streams already in an embedded nats-server's store, against the free
// space of its disk. nats-server reserves each file stream's max_bytes on its disk, and without a
// configured max_file_store it grants only 75% of the space free when it starts: a store moved to a
// smaller disk (320 KB of streams onto a 100 MB tmpfs, found by QA) came up without READS, which
// it did not load, and the start then failed "cannot create the READS stream" as if the reads were
// gone. The server is then given a max_file_store that holds the streams it has (nats-server.ts),
// and `up` warns that the disk is smaller than their limits.
import { readdir, readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';

/** The share of the free space nats-server 2.9 takes as its file store limit when none is configured (server/disk_avail.go). */
const DEFAULT_STORE_SHARE = 0.75;

export interface StoreReservations {
  /** Free bytes on the store's disk (for an unprivileged process). */
  freeBytes: number;
  /** File streams in the store with a byte limit. */
  streams: ReadonlyArray<{ account: string; stream: string; maxBytes: number }>;
  /** Their limits added up. */
  reservedBytes: number;
  /** What nats-server must be configured with to load them all; null: its default does. */
  maxFileStore: number | null;
}

export async function storeReservations(storeDir: string): Promise<StoreReservations> {
  const { bavail, bsize } = await statfs(storeDir);
  const freeBytes = bavail * bsize;
  const streams: Array<{ account: string; stream: string; maxBytes: number }> = [];
  const jetstream = join(storeDir, 'jetstream');
  for (const account of await names(jetstream)) {
    for (const stream of await names(join(jetstream, account, 'streams'))) {
      let meta: { storage?: unknown; max_bytes?: unknown };
      try {
        meta = JSON.parse(await readFile(join(jetstream, account, 'streams', stream, 'meta.inf'), 'utf8')) as typeof meta;
      } catch {
        continue; // unreadable (encrypted, half written): nats-server decides about it
      }
      if (meta.storage === 'file' && typeof meta.max_bytes === 'number' && meta.max_bytes > 0) streams.push({ account, stream, maxBytes: meta.max_bytes });
    }
  }
  const reservedBytes = streams.reduce((sum, s) => sum + s.maxBytes, 0);
  const granted = Math.floor(freeBytes * DEFAULT_STORE_SHARE);
  // Room for the streams it has, and as much again as the default would grant for the rest (HITS
  // has no byte limit) and for streams created later.
  return { freeBytes, streams, reservedBytes, maxFileStore: reservedBytes > granted ? reservedBytes + granted : null };
}

async function names(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}
