// Prepares general lists' downloads in a worker thread (ingest/bulk-load.ts): parsing, validating
// and encoding a state's million-row file, and comparing it with the version it replaces, took
// 8–16 s of the gateway's main thread, and every read, hit and console waited that long
// (BENCHMARKS.md, "Hot list loads"). Only bytes come back: the entries never exist here.
import type { RejectedRow } from './hotlist-csv.js';
import { HotlistCsvError, type HotlistCsvErrorCode } from './hotlist-csv.js';
import { BulkLayoutError, type BulkLayoutErrorCode } from './bulk-layout.js';
import type { BulkLoadInput, ListChanges, PreparedBulkLoad } from './bulk-load.js';
import { ownBuffer, WorkerCalls } from './worker-calls.js';

export type ListLoadRequest =
  | { id: number; kind: 'prepare'; input: BulkLoadInput }
  | { id: number; kind: 'compare'; list: string; previous: Uint8Array | null; nextKeys: string };

export type ListLoadAnswer =
  | { id: number; ok: true; kind: 'prepare'; prepared: PreparedBulkLoad }
  | { id: number; ok: true; kind: 'compare'; changes: ListChanges }
  | { id: number; ok: false; refusal: 'csv' | 'layout' | null; code: string; message: string; rejected: RejectedRow[] };

const here = new URL(import.meta.url);
/** Run from TypeScript (tsx), the worker needs a bootstrap that loads tsx in its thread. */
const WORKER_FILE = new URL(here.pathname.endsWith('.ts') ? './list-load-worker-bootstrap.mjs' : './list-load-worker.js', here);

/** A department loads its lists once a day: the thread, and the heap of its last file, go after this. */
const LOADER_IDLE_MS = 10_000;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class ListLoader {
  private readonly calls = new WorkerCalls<DistributiveOmit<ListLoadRequest, 'id'>, ListLoadAnswer>(WORKER_FILE, 'hot list loader', LOADER_IDLE_MS);

  /**
   * Throws HotlistCsvError or BulkLayoutError when the whole file is refused, as prepareBulkLoad
   * does. The file's bytes move to the thread when they own their buffer: not usable here after.
   */
  async prepare(input: BulkLoadInput): Promise<PreparedBulkLoad> {
    const answer = expect(await this.calls.call({ kind: 'prepare', input }, typeof input.text === 'string' ? [] : ownBuffer(input.text)));
    if (answer.kind !== 'prepare') throw new Error('hot list loader answered another question');
    return answer.prepared;
  }

  /** countListChanges, in the thread: the previous version is decoded there (and its bytes move there, when they own their buffer). */
  async compare(list: string, previous: Uint8Array | null, nextKeys: string): Promise<ListChanges> {
    const answer = expect(await this.calls.call({ kind: 'compare', list, previous, nextKeys }, previous === null ? [] : ownBuffer(previous)));
    if (answer.kind !== 'compare') throw new Error('hot list loader answered another question');
    return answer.changes;
  }

  close(): Promise<void> {
    return this.calls.close();
  }
}

function expect(answer: ListLoadAnswer): Extract<ListLoadAnswer, { ok: true }> {
  if (answer.ok) return answer;
  if (answer.refusal === 'csv') throw new HotlistCsvError(answer.code as HotlistCsvErrorCode, answer.message, answer.rejected);
  if (answer.refusal === 'layout') throw new BulkLayoutError(answer.code as BulkLayoutErrorCode, answer.message, answer.rejected);
  throw new Error(`hot list loader: ${answer.message}`);
}
