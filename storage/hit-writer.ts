// Batches hits into the hits table the way DetectionWriter batches detections: hits are rare
// (about 0.5% of reads) but arrive from every pipeline flush, and one insert per flush would
// litter MergeTree with tiny parts. The promise of each call settles when its hits are stored.
import type { StorageConfig } from './config.js';
import { StorageError } from './errors.js';
import { recordHits, type StoredHit } from './hits.js';
import type { Storage } from './open.js';
import type { WriteOutcomes } from './writer.js';

interface PendingBatch {
  hits: StoredHit[];
  done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export class HitWriter {
  #open: PendingBatch | undefined;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Pick<Storage, 'client' | 'db'>,
    private readonly options: Pick<StorageConfig, 'batchRows' | 'batchDelayMs'>,
    /** Told of each batch's outcome (as DetectionWriter's): a full disk refuses hits as it refuses detections. */
    private readonly outcomes?: WriteOutcomes,
  ) {}

  /** Accepts hits; resolves when they are stored, rejects (StorageError) when they could not be. */
  enqueue(hits: readonly StoredHit[]): Promise<void> {
    if (hits.length === 0) return Promise.resolve();
    const batch = this.#open ?? this.#start();
    batch.hits.push(...hits);
    if (batch.hits.length >= this.options.batchRows) this.#seal();
    return batch.done;
  }

  /** Stores everything accepted so far. */
  async flush(): Promise<void> {
    this.#seal();
    await this.#flushing;
  }

  #start(): PendingBatch {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => {}); // callers that do not wait still see the failure through their ack path
    const batch: PendingBatch = { hits: [], done, resolve, reject };
    this.#open = batch;
    this.#timer = setTimeout(() => this.#seal(), this.options.batchDelayMs);
    return batch;
  }

  #seal(): void {
    const batch = this.#open;
    if (batch === undefined) return;
    clearTimeout(this.#timer);
    this.#open = undefined;
    // One insert at a time, in order: the deduplication token of a retried batch stays valid.
    this.#flushing = this.#flushing.then(() => recordHits(this.storage, batch.hits).then(
      () => {
        this.outcomes?.stored();
        batch.resolve();
      },
      (error: unknown) => {
        const failure = new StorageError('WRITE_FAILED', `a batch of ${batch.hits.length} hits was not stored: ${(error as Error)?.message}`, { cause: error });
        this.outcomes?.failed(failure);
        batch.reject(failure);
      },
    ));
  }
}
