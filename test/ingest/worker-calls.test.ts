// WorkerCalls against a real worker thread.
import { describe, expect, it } from 'vitest';
import { WorkerCalls } from '../../ingest/worker-calls.js';
import { until } from '../reliability/fixtures.js';

const WORKER = new URL('../fixtures/thread-id-worker.mjs', import.meta.url);
type Answer = { id: number; threadId: number; echo: string; bytes: number | null };

describe('WorkerCalls', () => {
  it('answers each call with its own answer, in one thread while calls keep coming', async () => {
    const calls = new WorkerCalls<{ echo: string }, Answer>(WORKER, 'test', 60_000);
    try {
      const answers = await Promise.all(['a', 'b', 'c'].map((echo) => calls.call({ echo })));
      expect(answers.map((a) => a.echo)).toEqual(['a', 'b', 'c']);
      expect(new Set(answers.map((a) => a.threadId)).size).toBe(1);
    } finally {
      await calls.close();
    }
  });

  it('moves transferred buffers instead of copying them', async () => {
    const calls = new WorkerCalls<{ echo: string; bytes: Uint8Array }, Answer>(WORKER, 'test', 60_000);
    try {
      const bytes = new Uint8Array(1024);
      const answer = await calls.call({ echo: 'x', bytes }, [bytes.buffer]);
      expect(answer.bytes).toBe(1024);
      expect(bytes.byteLength).toBe(0); // detached here: it went to the thread
    } finally {
      await calls.close();
    }
  });

  it('ends an idle thread, giving back its heap, and starts a new one for the next call', async () => {
    const calls = new WorkerCalls<{ echo: string }, Answer>(WORKER, 'test', 100);
    try {
      const first = await calls.call({ echo: 'a' });
      expect(calls.threadRunning).toBe(true);
      await until('the idle thread to end', () => (calls.threadRunning ? undefined : true), 10_000, 20);
      const second = await calls.call({ echo: 'b' });
      expect(second.threadId).not.toBe(first.threadId);
    } finally {
      await calls.close();
    }
  });

  it('fails the calls of a thread that dies, naming it, and works again with a fresh thread', async () => {
    const calls = new WorkerCalls<{ echo?: string; exit?: boolean }, Answer>(WORKER, 'hot list test', 60_000);
    try {
      await expect(calls.call({ exit: true })).rejects.toThrow('hot list test thread exited with code 3');
      expect((await calls.call({ echo: 'again' })).echo).toBe('again');
    } finally {
      await calls.close();
    }
  });
});
