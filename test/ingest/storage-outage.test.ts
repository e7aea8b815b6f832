// What the log and /healthz say while detections cannot be stored. QA filled the ClickHouse disk:
// /healthz said 200 while every batch failed, and the log grew 8 MB a minute with a stack per batch.
// A test cannot fill a disk, so here chDB refuses inserts for real: the detections table is
// detached (every insert fails "Table … does not exist"), then attached again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'msgpackr';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from '../../bin/system.js';
import { readsSubject, StorageOutage } from '../../ingest/index.js';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { StorageError } from '../../storage/index.js';
import { storedCounts, until, wireRead } from '../reliability/fixtures.js';

interface Line { level: number; msg: string; [field: string]: unknown }

function logged(level = 'debug'): { logger: pino.Logger; lines: () => Line[] } {
  const out: string[] = [];
  const logger = pino({ level }, { write: (line: string) => void out.push(line) });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as Line) };
}

const diskFull = (): StorageError => new StorageError('WRITE_FAILED', 'a batch of 500 detections was not stored after 3 attempts', {
  cause: new Error('Cannot reserve 1.00 MiB, not enough space. : Cannot reserve 1.00 MiB, not enough space. : Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)'),
});

describe('StorageOutage', () => {
  it('reports the first batch not stored at once with its cause, repeats each minute with the batches refused since, and says when storage writes again', () => {
    let now = 0;
    const { logger, lines } = logged();
    const storage = new StorageOutage(logger, { now: () => now });
    const outage = storage.outcomes('detections');
    outage.stored();
    expect(storage.health()).toEqual({ ok: true });
    for (now = 1_000; now <= 125_000; now += 1_000) outage.failed(diskFull());
    now = 125_000;
    expect(storage.health()).toEqual({ ok: false, error: 'detections not stored for 124 s (125 batches refused): Cannot reserve 1.00 MiB, not enough space.' });
    now = 126_000;
    outage.stored();
    expect(storage.health()).toEqual({ ok: true });
    const shown = lines().filter((l) => l.level >= 30);
    expect(shown.map((l) => [l.level, l.msg])).toEqual([
      [50, expect.stringMatching(/^storage is refusing detections: Cannot reserve 1\.00 MiB, not enough space\. Reads stay on the READS stream/)],
      [50, expect.stringMatching(/^storage is refusing detections for 60 s: Cannot reserve 1\.00 MiB, not enough space\. /)],
      [50, expect.stringMatching(/^storage is refusing detections for 120 s: /)],
      [30, 'storage writing again: detections stored after 125 s of refusals (125 batches refused, their reads redelivered)'],
    ]);
    // The stack once, in the first report; the repeats count what failed since the last one.
    expect(shown[0]?.['err']).toBeDefined();
    expect(shown[1]?.['err']).toBeUndefined();
    expect(shown[1]).toMatchObject({ failures: 61, failuresSinceLastReport: 60 });
    expect(shown[2]).toMatchObject({ failures: 121, failuresSinceLastReport: 60 });
  });

  it('keeps the outages of detections and hits apart: hits refused while detections are stored is one report, not one a batch', () => {
    let now = 0;
    const { logger, lines } = logged();
    const storage = new StorageOutage(logger, { now: () => now });
    const detections = storage.outcomes('detections');
    const hits = storage.outcomes('hits');
    for (now = 0; now < 10_000; now += 500) {
      detections.stored();
      hits.failed(new StorageError('WRITE_FAILED', 'a batch of 3 hits was not stored', { cause: new Error('Table platewatch.hits does not exist.') }));
    }
    expect(storage.health()).toEqual({ ok: false, error: 'hits not stored for 10 s (20 batches refused): Table platewatch.hits does not exist.' });
    expect(lines().filter((l) => l.level >= 30).map((l) => [l.level, l.msg])).toEqual([[50, expect.stringMatching(/^storage is refusing hits: Table platewatch\.hits does not exist\. Reads stay/)]]);
  });
});

describe('detections refused by chDB', () => {
  const dir = mkdtempSync(join(tmpdir(), 'platewatch-storage-outage-'));
  let system: RunningSystem | undefined;
  afterAll(async () => {
    await system?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns /healthz 503 naming the refusal, logs it once rather than per batch, and says when storage writes again', async () => {
    const { logger, lines } = logged('info');
    const sys = await startSystem({ dataDir: dir, matcher: resolveMatcherConfig(), logger, gateway: { port: 0, host: '127.0.0.1' }, storage: { batchDelayMs: 50 } });
    system = sys;
    const health = async (): Promise<{ status: number; body: { ok: boolean; storage?: { ok: boolean; error?: string } } }> => {
      const res = await fetch(`${sys.gateway?.url}/healthz`);
      return { status: res.status, body: (await res.json()) as { ok: boolean; storage?: { ok: boolean; error?: string } } };
    };
    let n = 0;
    const publish = async (count: number): Promise<void> => {
      const now = Date.now();
      for (let k = 0; k < count; k++, n++) await sys.js.publish(readsSubject('wpd', 'cam1'), pack(wireRead(`so-${n}`, `S${String(n).padStart(6, '0')}`, now)), { msgID: `so-${n}` });
    };

    await publish(10);
    await until('the first reads stored', () => (sys.pipelineMetrics.acked.get() >= 10 ? true : undefined));
    expect(await health()).toMatchObject({ status: 200, body: { ok: true, storage: { ok: true } } });

    await sys.storage.client.command({ query: `DETACH TABLE ${sys.storage.db}.detections` });
    await publish(10);
    const refused = await until('/healthz 503', async () => {
      const h = await health();
      return h.status === 503 ? h : undefined;
    });
    expect(refused.body.storage?.error).toMatch(/^detections not stored for \d+ s \(\d+ batches refused\): Table platewatch\.detections does not exist/);
    // Redelivered batches keep failing meanwhile (the nak delay is 2 s): several, one line.
    await publish(10);
    await until('more batches refused', () => (sys.pipelineMetrics.batchFailures.get() >= 4 ? true : undefined));
    await sys.storage.client.command({ query: `ATTACH TABLE ${sys.storage.db}.detections` });
    await until('/healthz 200 again', async () => ((await health()).status === 200 ? true : undefined));
    await until('every read stored', async () => ((await storedCounts(sys.storage, 'so-')).final === 30 ? true : undefined));

    const shown = lines().filter((l) => l.level >= 40);
    expect(shown.filter((l) => /storage is refusing detections/.test(l.msg)).map((l) => [l.level, l.msg])).toEqual([
      [50, expect.stringMatching(/^storage is refusing detections: Table platewatch\.detections does not exist\..* Check the ClickHouse disk/)],
    ]);
    expect(shown.filter((l) => /batch not durable|detection batch/.test(l.msg))).toEqual([]);
    expect(lines().filter((l) => /^storage writing again: detections stored after \d+ s of refusals \(\d+ batches refused/.test(l.msg)).map((l) => l.level)).toEqual([30]);
  }, 120_000);
});
