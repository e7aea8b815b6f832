// Batched detection writer. Rows are sealed into a batch by size or by time; up to
// `insertsInFlight` batches are inserted at once, each with an insert deduplication token derived
// from its read ids, so a retried batch is stored once. The caller learns when its rows are
// durable (DESIGN.md: a read is acked to JetStream only after it is stored) and waits for
// capacity when too many rows are in flight.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { OcrAlphabet } from '../matcher/index.js';
import type { StorageConfig } from './config.js';
import { DETECTION_INSERT_COLUMNS, TextBatch, type Detection } from './detection.js';
import { StorageError } from './errors.js';
import type { Storage } from './open.js';
import { DETECTION_ROWBINARY_STRUCTURE, insertFromRowBinaryFile, RowBinaryBatch } from './rowbinary.js';

export interface BatchReceipt {
  rows: number;
  /** The insert deduplication token; the same rows in the same batch give the same token. */
  token: string;
  attempts: number;
}

/** Returned once rows are accepted; `durable` settles when every one of them is stored (or failed). */
export interface WriteTicket {
  readonly rows: number;
  readonly durable: Promise<readonly BatchReceipt[]>;
}

/**
 * Told of each batch's outcome after its attempts. Given one, the writer leaves the log of failed
 * batches to it (bin/ passes ingest's StorageOutage: one line per outage, not per batch, and
 * /healthz); without one, each failed batch is logged.
 */
export interface WriteOutcomes {
  stored(): void;
  failed(error: StorageError): void;
}

export type WriterOptions = Pick<StorageConfig, 'batchRows' | 'batchDelayMs' | 'maxQueuedRows' | 'insertAttempts' | 'insertFormat' | 'insertsInFlight'>;

interface Batch {
  /** The rows, encoded as they are accepted. */
  encoded: TextBatch | RowBinaryBatch;
  /** Of the batch's reads (readKeys), for its deduplication token. */
  hash: Hash;
  /** Read keys not yet hashed: hashed in 8 KiB runs, since one hash update a row cost more than the key. */
  unhashed: string;
  timer: NodeJS.Timeout | undefined;
  done: Promise<BatchReceipt>;
  resolve(r: BatchReceipt): void;
  reject(e: unknown): void;
}

const RETRY_BASE_MS = 100;
/** Where embedded RowBinary batches wait for chDB to read them, under the data directory. */
export const INSERT_SPOOL_DIR = 'insert-spool';
/** Starts this process's spool file names: a file with another start was left by another process. */
const PROCESS_SPOOL_TAG = `${process.pid}.${randomUUID().slice(0, 8)}-`;
let writersStarted = 0;

export class DetectionWriter {
  readonly #storage: Pick<Storage, 'client' | 'db'>;
  readonly #options: WriterOptions;
  readonly #alphabet: OcrAlphabet;
  readonly #logger: Logger | undefined;
  readonly #outcomes: WriteOutcomes | undefined;
  readonly #insertPrefix: string;
  /**
   * Embedded RowBinary: chDB's connection sends an insert's body as text, so a batch goes to a
   * file that the insert reads with file(). Unset for text formats and for a ClickHouse server,
   * which takes RowBinary as the body of its HTTP insert.
   */
  readonly #spool: { dir: string; prefix: string } | undefined;
  #spooled = 0;
  #open: Batch | undefined;
  readonly #sealed: Batch[] = [];
  /** Batches being inserted now. */
  #inFlight = 0;
  /** Rows accepted and not yet settled: open + sealed + in flight. */
  #queued = 0;
  #capacityWaiters: Array<() => void> = [];
  #idleWaiters: Array<() => void> = [];
  #closed = false;

  constructor(
    storage: Pick<Storage, 'client' | 'db' | 'config'>,
    options: { alphabet?: OcrAlphabet; logger?: Logger; outcomes?: WriteOutcomes; overrides?: Partial<WriterOptions> } = {},
  ) {
    this.#storage = storage;
    this.#options = { ...storage.config, ...options.overrides };
    this.#alphabet = options.alphabet ?? new OcrAlphabet();
    this.#logger = options.logger;
    this.#outcomes = options.outcomes;
    this.#insertPrefix = `INSERT INTO ${storage.db}.detections (${DETECTION_INSERT_COLUMNS.join(', ')})`;
    if (this.#options.insertFormat === 'RowBinary' && storage.config.url === undefined) {
      const dir = resolve(storage.config.dataDir, INSERT_SPOOL_DIR);
      mkdirSync(dir, { recursive: true });
      // Files another process left (it stopped mid-insert; its reads were not acked and come again).
      // chDB binds its directory to one process, so only this one writes here now.
      for (const name of readdirSync(dir)) if (!name.startsWith(PROCESS_SPOOL_TAG)) rmSync(join(dir, name), { force: true, recursive: true });
      this.#spool = { dir, prefix: `${PROCESS_SPOOL_TAG}${++writersStarted}-` };
    }
  }

  /** Rows accepted but not yet durable. */
  get queuedRows(): number {
    return this.#queued;
  }

  /** True when `rows` more rows fit without waiting. */
  hasCapacity(rows = 1): boolean {
    return this.#queued === 0 || this.#queued + rows <= this.#options.maxQueuedRows;
  }

  /**
   * Accepts rows once there is room for them (backpressure: the returned promise waits), and returns
   * a ticket whose `durable` promise settles when they are stored. A rejected `durable` carries a
   * `StorageError` WRITE_FAILED: do not ack those reads; redelivery will store them once.
   */
  async enqueue(rows: readonly Detection[]): Promise<WriteTicket> {
    if (this.#closed) throw new StorageError('WRITER_CLOSED', 'the detection writer is closed');
    while (!this.hasCapacity(rows.length)) {
      await new Promise<void>((resolve) => this.#capacityWaiters.push(resolve));
      if (this.#closed) throw new StorageError('WRITER_CLOSED', 'the detection writer closed while waiting for capacity');
    }
    const batches: Promise<BatchReceipt>[] = [];
    for (const d of rows) {
      const batch = this.#open ?? this.#startBatch();
      if (batches[batches.length - 1] !== batch.done) batches.push(batch.done);
      batch.encoded.add(d, d.plateOcr ?? this.#alphabet.mapPlate(d.plate));
      // The read, not just its id: a batch of one camera's read must not take the token of another
      // camera's read with the same id, nor of the camera's own id reused after a reset (found by
      // QA: ClickHouse dropped the second read's insert as a retry of the first).
      batch.unhashed += `${d.agency}\u0000${d.camera}\u0000${d.readId}\u0000${typeof d.seenAt === 'number' ? d.seenAt : d.seenAt.getTime()}\n`;
      if (batch.unhashed.length >= 8192) {
        batch.hash.update(batch.unhashed);
        batch.unhashed = '';
      }
      this.#queued++;
      if (batch.encoded.rows >= this.#options.batchRows) this.#seal();
    }
    const durable = Promise.all(batches);
    durable.catch(() => {}); // the caller may not await it; the failure is logged in #insert
    return { rows: rows.length, durable };
  }

  /** Seals the open batch and resolves when everything accepted so far has settled. */
  async flush(): Promise<void> {
    this.#seal();
    if (this.#queued === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Flushes, then refuses further rows. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    for (const wake of this.#capacityWaiters.splice(0)) wake();
  }

  #startBatch(): Batch {
    let resolve!: (r: BatchReceipt) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<BatchReceipt>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => {});
    const format = this.#options.insertFormat;
    const encoded = format === 'RowBinary' ? new RowBinaryBatch() : new TextBatch(format);
    const batch: Batch = { encoded, hash: createHash('sha256'), unhashed: '', timer: undefined, done, resolve, reject };
    batch.timer = setTimeout(() => this.#seal(), this.#options.batchDelayMs);
    this.#open = batch;
    return batch;
  }

  #seal(): void {
    const batch = this.#open;
    if (batch === undefined) return;
    clearTimeout(batch.timer);
    this.#open = undefined;
    this.#sealed.push(batch);
    this.#pump();
  }

  /**
   * Starts sealed batches while fewer than `insertsInFlight` are inserting. Two at once keep both
   * of a small machine's cores busy when rows back up: one batch is parsed and written by the
   * engine while the next is sent (bench/storage/insert.bench.ts). Only a full batch joins one
   * already inserting: batches sealed by their timer mean the writer keeps up, and a second insert
   * then only adds to the CPU the pipeline's hit latency shares (bench/pipeline/pipeline.bench.ts
   * --latency-only). A ticket waits for all of its own batches, in whatever order they finish.
   */
  #pump(): void {
    while (this.#inFlight < this.#options.insertsInFlight) {
      const next = this.#sealed[0];
      if (next === undefined || (this.#inFlight > 0 && next.encoded.rows < this.#options.batchRows)) return;
      const batch = this.#sealed.shift() as Batch;
      this.#inFlight++;
      void this.#insert(batch).then(batch.resolve, batch.reject).finally(() => {
        this.#inFlight--;
        this.#queued -= batch.encoded.rows;
        for (const wake of this.#capacityWaiters.splice(0)) wake();
        if (this.#queued === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
        this.#pump();
      });
    }
  }

  async #insert(batch: Batch): Promise<BatchReceipt> {
    // Hex only, so it can sit in the SETTINGS clause; chDB would keep a `SET` for the whole session.
    const token = batch.hash.update(batch.unhashed).digest('hex').slice(0, 40);
    const settings = `SETTINGS insert_deduplication_token = '${token}'`;
    const { encoded } = batch;
    const rows = encoded.rows;
    const spoolFile = encoded instanceof RowBinaryBatch && this.#spool !== undefined ? join(this.#spool.dir, `${this.#spool.prefix}${++this.#spooled}.rowbinary`) : undefined;
    let send: () => Promise<void>;
    if (spoolFile === undefined) {
      const body = encoded.bytes;
      const query = `${this.#insertPrefix} ${settings} FORMAT ${this.#options.insertFormat}`;
      send = async () => {
        const result = await this.#storage.client.exec({ query, values: Readable.from([body]) });
        result.stream.resume();
      };
    } else {
      const body = encoded.bytes;
      const query = `${insertFromRowBinaryFile(`${this.#storage.db}.detections`)} ${settings}`;
      const query_params = { rowBinaryFile: spoolFile, structure: DETECTION_ROWBINARY_STRUCTURE };
      let written = false;
      send = async () => {
        if (!written) await writeFile(spoolFile, body);
        written = true;
        await this.#storage.client.command({ query, query_params });
      };
    }
    let lastError: unknown;
    try {
      for (let attempt = 1; attempt <= this.#options.insertAttempts; attempt++) {
        try {
          await send();
          this.#outcomes?.stored();
          return { rows, token, attempts: attempt };
        } catch (error) {
          lastError = error;
          // Debug: a retry that works is no news, and one that does not is logged below, once.
          this.#logger?.debug({ err: error, rows, token, attempt }, 'detection batch insert failed');
          if (attempt < this.#options.insertAttempts) await sleep(RETRY_BASE_MS * 2 ** (attempt - 1));
        }
      }
    } finally {
      // The batch's outcome stands either way; a file left behind goes when the next process starts.
      if (spoolFile !== undefined) await rm(spoolFile, { force: true }).catch((err: unknown) => this.#logger?.warn({ err, spoolFile }, 'spool file not removed'));
    }
    const failure = new StorageError(
      'WRITE_FAILED',
      `a batch of ${rows} detections was not stored after ${this.#options.insertAttempts} attempts: ${(lastError as Error)?.message}`,
      { cause: lastError },
    );
    if (this.#outcomes !== undefined) this.#outcomes.failed(failure);
    else this.#logger?.error({ err: lastError, rows, token }, 'detection batch not stored; reads stay unacked');
    throw failure;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
