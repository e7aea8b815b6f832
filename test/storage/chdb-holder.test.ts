// Which process holds an embedded chDB directory: a second process that cannot open it names the
// holder's pid (found by QA: STORAGE_BUSY said only "most likely another process").
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connectStorage, StorageError } from '../../storage/index.js';
import { chdbHolder } from '../../storage/chdb-holder.js';
import { makeTempDir } from './temp-storage.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = makeTempDir('platewatch-holder-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the process holding a chDB directory', () => {
  it('is named by pid while it runs, in the STORAGE_BUSY refusal too, and forgotten once it ends', async () => {
    const chdb = join(dir, 'held');
    const holder = spawn(process.execPath, ['--input-type=module', '-e', "import { Session } from 'chdb'; const s = new Session(process.argv[1]); s.query('SELECT 1'); console.log('open'); setInterval(() => {}, 1000);", chdb], { cwd: ROOT });
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('open') && resolve());
        holder.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
      });
      expect(chdbHolder(chdb)).toEqual({ pid: holder.pid, startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) });
      let busy: unknown;
      try {
        connectStorage({ dataDir: chdb });
      } catch (error) {
        busy = error;
      }
      expect(busy).toBeInstanceOf(StorageError);
      expect((busy as StorageError).code).toBe('STORAGE_BUSY');
      expect((busy as StorageError).message).toContain(`cannot open chDB at ${chdb}: process ${holder.pid} has it open (since `);
    } finally {
      holder.kill('SIGKILL');
      await exited;
    }
    // Its status file stays behind; a pid that no longer runs holds nothing.
    expect(chdbHolder(chdb)).toBeNull();
  }, 60_000);

  it('is nobody without a status file, or with one this process or no process wrote', () => {
    expect(chdbHolder(join(dir, 'none'))).toBeNull();
    writeFileSync(join(dir, 'status'), `PID: ${process.pid}\nStarted at: 2026-12-06 22:39:53\nRevision: 54513\n`);
    expect(chdbHolder(dir)).toBeNull();
    writeFileSync(join(dir, 'status'), 'PID: not a number\n');
    expect(chdbHolder(dir)).toBeNull();
  });
});
