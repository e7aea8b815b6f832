// Calls into one worker thread: each request gets an id, its answer resolves that call. The
// thread starts on the first call, is referenced only while a call is pending (an idle one never
// keeps the process alive), and ends after `idleMs` without calls: a million-row hot list leaves
// hundreds of MB of garbage in the thread's heap, which only ending the thread gives back at once.
import { Worker } from 'node:worker_threads';

/** What the thread posts back: the request's id and anything else. */
export interface WorkerAnswer {
  id: number;
}

interface Waiting<Answer> {
  resolve: (answer: Answer) => void;
  reject: (error: Error) => void;
}

/** One thread and the calls it owes: a thread ended while idle owes none, so its exit fails nothing. */
interface Thread<Answer> {
  worker: Worker;
  pending: Map<number, Waiting<Answer>>;
}

export class WorkerCalls<Request extends object, Answer extends WorkerAnswer> {
  private thread: Thread<Answer> | undefined;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  /**
   * @param file the worker's module (a `.mjs` bootstrap when run from TypeScript: worker threads
   *   do not inherit the process's --import hooks on Node 20)
   * @param name what the thread does, for its error messages ("hot list builder")
   */
  constructor(private readonly file: URL, private readonly name: string, private readonly idleMs: number) {}

  /** Whether the thread is up (it ends after `idleMs` without calls). */
  get threadRunning(): boolean {
    return this.thread !== undefined;
  }

  call(request: Request, transfer: readonly ArrayBuffer[] = []): Promise<Answer> {
    clearTimeout(this.idleTimer);
    const thread = this.thread ?? this.start();
    const id = this.nextId++;
    thread.worker.ref();
    return new Promise<Answer>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ ...request, id }, [...transfer]);
    });
  }

  /** Ends the thread; calls still pending fail. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const thread = this.thread;
    this.thread = undefined;
    if (thread === undefined) return;
    failAll(thread, new Error(`${this.name} thread was closed`));
    await thread.worker.terminate();
  }

  private start(): Thread<Answer> {
    const thread: Thread<Answer> = { worker: new Worker(this.file), pending: new Map() };
    const { worker, pending } = thread;
    worker.on('message', (answer: Answer) => {
      const waiting = pending.get(answer.id);
      if (waiting === undefined) return;
      pending.delete(answer.id);
      if (pending.size === 0) this.idle(thread);
      waiting.resolve(answer);
    });
    const fail = (error: Error): void => {
      if (this.thread === thread) this.thread = undefined; // the next call starts a fresh thread
      failAll(thread, error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`${this.name} thread exited with code ${code}`)));
    this.thread = thread;
    return thread;
  }

  private idle(thread: Thread<Answer>): void {
    thread.worker.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.thread !== thread || thread.pending.size > 0) return;
      this.thread = undefined;
      void thread.worker.terminate();
    }, this.idleMs);
    this.idleTimer.unref();
  }
}

/**
 * The buffer behind `bytes` when the bytes are all of it, to pass in a call's transfer list (moved,
 * not copied); none when they are a view of a larger buffer (Node's pool of small Buffers).
 * Transferred bytes are gone from the sender: only for bytes nothing else here reads again.
 */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer[] {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [];
}

function failAll<Answer>(thread: Thread<Answer>, error: Error): void {
  for (const waiting of thread.pending.values()) waiting.reject(error);
  thread.pending.clear();
}
