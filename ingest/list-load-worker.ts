// Worker thread entry of ListLoader: a bulk load's file prepared, and two versions compared.
import { parentPort } from 'node:worker_threads';
import { countListChanges, prepareBulkLoad } from './bulk-load.js';
import { BulkLayoutError } from './bulk-layout.js';
import { HotlistCsvError } from './hotlist-csv.js';
import type { ListLoadAnswer, ListLoadRequest } from './list-loader.js';
import { ownBuffer } from './worker-calls.js';

parentPort?.on('message', (request: ListLoadRequest) => {
  let answer: ListLoadAnswer;
  let transfer: ArrayBuffer[] = [];
  try {
    if (request.kind === 'prepare') {
      const prepared = prepareBulkLoad(request.input);
      // msgpackr hands out a view of its own working buffer: copied here, in this thread, into
      // bytes of their own, which then move to the main thread instead of being copied there.
      prepared.encoded = new Uint8Array(prepared.encoded);
      transfer = ownBuffer(prepared.encoded);
      answer = { id: request.id, ok: true, kind: 'prepare', prepared };
    } else {
      answer = { id: request.id, ok: true, kind: 'compare', changes: countListChanges(request.list, request.previous, request.nextKeys) };
    }
  } catch (error) {
    // The file's refusals travel as their class, code and rejected rows; they are rebuilt there.
    const refusal = error instanceof HotlistCsvError ? 'csv' : error instanceof BulkLayoutError ? 'layout' : null;
    const coded = error as { code?: string; rejected?: unknown[] };
    answer = { id: request.id, ok: false, refusal, code: refusal === null ? '' : String(coded.code), message: (error as Error).message, rejected: refusal === null ? [] : (coded.rejected as never[]) };
  }
  parentPort?.postMessage(answer, transfer);
});

