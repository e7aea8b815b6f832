// Builds hot list indexes in a worker thread: decoding and indexing a million entries takes
// seconds of CPU, which on the main thread would stall every read (and make JetStream pulls miss
// their heartbeats). The built index comes back by structured clone with its typed arrays
// transferred, and is swapped in on the main thread.
import { Worker } from 'node:worker_threads';
import { reviveListIndex, type ListIndex, type MatcherConfig } from '../matcher/index.js';
import { HotlistDecodeError } from './hotlist-codec.js';

export interface ListBuildRequest {
  id: number;
  list: string;
  version: number;
  data: Uint8Array;
  config: MatcherConfig;
  builtAt: number;
}

export type ListBuildResponse = { id: number; ok: true; index: unknown } | { id: number; ok: false; message: string; decode: boolean };

const here = new URL(import.meta.url);
/** Run from TypeScript (tsx), the worker needs a bootstrap that loads tsx in its thread. */
const WORKER_FILE = new URL(here.pathname.endsWith('.ts') ? './list-build-worker-bootstrap.mjs' : './list-build-worker.js', here);

export class ListBuilder {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (index: ListIndex) => void; reject: (error: Error) => void }>();

  constructor(private readonly config: MatcherConfig) {}

  build(list: string, version: number, data: Uint8Array): Promise<ListIndex> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    // Referenced only while a build is pending: an idle builder never keeps the process alive.
    worker.ref();
    return new Promise<ListIndex>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const request: ListBuildRequest = { id, list, version, data, config: this.config, builtAt: Date.now() };
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(WORKER_FILE);
    worker.on('message', (response: ListBuildResponse) => {
      const waiting = this.pending.get(response.id);
      if (waiting === undefined) return;
      this.pending.delete(response.id);
      if (this.pending.size === 0) worker.unref();
      if (response.ok) waiting.resolve(reviveListIndex(response.index));
      else waiting.reject(response.decode ? new HotlistDecodeError(response.message) : new Error(response.message));
    });
    const fail = (error: Error): void => {
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
      this.worker = undefined; // the next build starts a fresh worker
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.pending.size > 0) fail(new Error(`hot list builder thread exited with code ${code}`));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
