// Worker thread entry of ListBuilder: decode one hot list version and index it.
import { parentPort } from 'node:worker_threads';
import { listIndexBuffers, Matcher } from '../matcher/index.js';
import { decodeHotlist, HotlistDecodeError } from './hotlist-codec.js';
import type { ListBuildRequest, ListBuildResponse } from './list-builder.js';

parentPort?.on('message', (request: ListBuildRequest) => {
  let response: ListBuildResponse;
  let transfer: ArrayBuffer[] = [];
  try {
    const entries = decodeHotlist(request.list, request.data);
    const index = new Matcher(request.config).buildList(request.list, entries, request.version, request.builtAt);
    transfer = listIndexBuffers(index);
    response = { id: request.id, ok: true, index };
  } catch (error) {
    response = { id: request.id, ok: false, message: (error as Error).message, decode: error instanceof HotlistDecodeError };
  }
  parentPort?.postMessage(response, transfer);
});
