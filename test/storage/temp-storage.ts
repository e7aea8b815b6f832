// Test helper: a fresh embedded chDB directory per test file (chDB binds one directory per
// process, and vitest runs each file in its own forked process).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, type Storage, type StorageConfig } from '../../storage/index.js';

export interface TempStorage {
  storage: Storage;
  dir: string;
  cleanup(): Promise<void>;
}

export function makeTempDir(prefix = 'platewatch-storage-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function openTempStorage(overrides: Partial<StorageConfig> = {}): Promise<TempStorage> {
  const dir = makeTempDir();
  const storage = await openStorage({ dataDir: join(dir, 'clickhouse'), ...overrides });
  const temp: TempStorage = {
    storage,
    dir,
    cleanup: async () => {
      await temp.storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return temp;
}

let seq = 0;
/** A detection with sensible defaults; `readId` unique per call unless given. */
export function detection(over: Partial<import('../../storage/index.js').Detection> = {}): import('../../storage/index.js').Detection {
  seq++;
  return {
    readId: `r-${process.pid}-${seq}`,
    agency: 'WPD',
    camera: 'cam-1',
    seenAt: Date.UTC(2026, 10, 20, 12, 0, 0) + seq * 1000,
    plate: '7ABC123',
    state: 'CA',
    confidence: 0.9,
    lat: 36.91,
    lon: -121.76,
    ...over,
  };
}

/** The `code` of a typed refusal (HotlistError, StorageError, …) the promise rejects with; fails if it resolves. */
export async function refusalCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    throw error;
  }
  throw new Error('expected a refusal');
}
