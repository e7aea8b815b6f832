// Builds hot list indexes in a worker thread: decoding and indexing a million entries takes
// seconds of CPU, which on the main thread would stall every read (and make JetStream pulls miss
// their heartbeats). The built index comes back by structured clone with its typed arrays
// transferred, and is swapped in on the main thread.
import { reviveListIndex, type ListIndex, type MatcherConfig } from '../matcher/index.js';
import { HotlistDecodeError } from './hotlist-codec.js';
import { ownBuffer, WorkerCalls } from './worker-calls.js';

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

/** An idle builder thread ends after this long, giving back the heap of its last build. */
const BUILDER_IDLE_MS = 30_000;

export class ListBuilder {
  private readonly calls = new WorkerCalls<Omit<ListBuildRequest, 'id'>, ListBuildResponse>(WORKER_FILE, 'hot list builder', BUILDER_IDLE_MS);

  constructor(private readonly config: MatcherConfig) {}

  /** `data` moves to the builder's thread when it owns its buffer (readHotlistBlob's does): not usable here after. */
  async build(list: string, version: number, data: Uint8Array): Promise<ListIndex> {
    const response = await this.calls.call({ list, version, data, config: this.config, builtAt: Date.now() }, ownBuffer(data));
    if (!response.ok) throw response.decode ? new HotlistDecodeError(response.message) : new Error(response.message);
    return reviveListIndex(response.index);
  }

  close(): Promise<void> {
    return this.calls.close();
  }
}
