import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DetectionWriter, INSERT_FORMATS, INSERT_SPOOL_DIR, type Storage, StorageError } from '../../storage/index.js';
import { until } from '../reliability/fixtures.js';
import { detection, openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
beforeAll(async () => {
  temp = await openTempStorage({ batchRows: 100, batchDelayMs: 20, maxQueuedRows: 200 });
  storage = temp.storage;
});
afterAll(() => temp.cleanup());

async function scalar(query: string, params: Record<string, unknown> = {}): Promise<number> {
  const rs = await storage.client.query({ query, query_params: params, format: 'JSONEachRow' });
  const [row] = await rs.json<{ n: number | string }>();
  return Number(row?.n);
}

async function storedForCamera(camera: string): Promise<number> {
  return scalar(`SELECT count() AS n FROM ${storage.db}.detections WHERE camera = {camera:String}`, { camera });
}

describe('DetectionWriter', () => {
  it('seals a batch when it is full and reports durability per ticket', async () => {
    const writer = new DetectionWriter(storage, { overrides: { batchDelayMs: 60_000 } });
    const ticket = await writer.enqueue(Array.from({ length: 150 }, () => detection({ camera: 'size' })));
    // 100 rows made a full batch; 50 wait in the open one (its timer is a minute away).
    const first = await Promise.race([ticket.durable.then(() => 'all'), new Promise((r) => setImmediate(r, 'pending'))]);
    expect(first).toBe('pending');
    await writer.flush();
    const receipts = await ticket.durable;
    expect(receipts.map((r) => r.rows)).toEqual([100, 50]);
    expect(await storedForCamera('size')).toBe(150);
    await writer.close();
  });

  it('inserts up to insertsInFlight full batches at once, and each ticket waits for its own', async () => {
    // The real client, counted: how many inserts are running at any moment.
    for (const insertsInFlight of [1, 2]) {
      let running = 0;
      let most = 0;
      const client = new Proxy(storage.client, {
        get(target, key) {
          // Embedded RowBinary inserts are commands (INSERT … SELECT FROM file); text formats, exec.
          if (key !== 'exec' && key !== 'command') return Reflect.get(target, key);
          const call = Reflect.get(target, key) as (params: unknown) => Promise<unknown>;
          return async (params: unknown) => {
            most = Math.max(most, ++running);
            try {
              return await call.call(target, params);
            } finally {
              running--;
            }
          };
        },
      });
      const camera = `in-flight-${insertsInFlight}`;
      const writer = new DetectionWriter({ ...storage, client }, { overrides: { batchDelayMs: 60_000, maxQueuedRows: 1_000, insertsInFlight } });
      const tickets = [];
      for (let i = 0; i < 5; i++) tickets.push(await writer.enqueue(Array.from({ length: 100 }, () => detection({ camera }))));
      await writer.flush();
      for (const t of tickets) expect((await t.durable).map((r) => r.rows)).toEqual([100]);
      expect(most).toBe(insertsInFlight);
      expect(await storedForCamera(camera)).toBe(500);

      // Batches sealed before they were full (the writer keeps up) go one at a time.
      most = 0;
      const partial = [];
      for (let i = 0; i < 3; i++) {
        partial.push(await writer.enqueue(Array.from({ length: 40 }, () => detection({ camera: `${camera}-partial` }))));
        void writer.flush();
      }
      await writer.flush();
      for (const t of partial) await t.durable;
      expect(most).toBe(1);
      expect(await storedForCamera(`${camera}-partial`)).toBe(120);
      await writer.close();
    }
  });

  it('seals a batch after the delay even when it is not full', async () => {
    const writer = new DetectionWriter(storage);
    const ticket = await writer.enqueue([detection({ camera: 'time' })]);
    const receipts = await ticket.durable; // no flush: the 20 ms timer seals it
    expect(receipts).toHaveLength(1);
    expect(await storedForCamera('time')).toBe(1);
    await writer.close();
  });

  it('computes the OCR-mapped plate with the matcher alphabet', async () => {
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([detection({ camera: 'ocr', plate: 'B0LD5' })])).durable;
    const rs = await storage.client.query({
      query: `SELECT plate_ocr FROM ${storage.db}.detections WHERE camera = 'ocr'`,
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ plate_ocr: '80105' }]);
    await writer.close();
  });

  it('makes callers wait for capacity when too many rows are in flight (backpressure)', async () => {
    const writer = new DetectionWriter(storage, { overrides: { batchDelayMs: 60_000, maxQueuedRows: 200 } });
    await writer.enqueue(Array.from({ length: 150 }, () => detection({ camera: 'bp' })));
    expect(writer.hasCapacity(100)).toBe(false);
    let accepted = false;
    const second = writer.enqueue(Array.from({ length: 100 }, () => detection({ camera: 'bp' }))).then((t) => {
      accepted = true;
      return t;
    });
    await new Promise((r) => setImmediate(r));
    expect(accepted).toBe(false);
    await writer.flush(); // stores the first 150, which frees room
    const ticket = await second;
    expect(accepted).toBe(true);
    await writer.flush();
    await ticket.durable;
    expect(await storedForCamera('bp')).toBe(250);
    await writer.close();
  });

  it('stores a retried batch once (insert deduplication token)', async () => {
    const rows = Array.from({ length: 10 }, () => detection({ camera: 'dup-batch' }));
    const writer = new DetectionWriter(storage);
    const a = await (await writer.enqueue(rows)).durable;
    const b = await (await writer.enqueue(rows)).durable;
    expect(a[0]?.token).toBe(b[0]?.token);
    expect(await storedForCamera('dup-batch')).toBe(10);
    await writer.close();
  });

  it('collapses a read redelivered in another batch (ReplacingMergeTree on read id)', async () => {
    const read = detection({ camera: 'dup-read' });
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([read, detection({ camera: 'dup-read' })])).durable;
    await (await writer.enqueue([read])).durable;
    // Until a merge both copies may exist; searches dedupe with LIMIT 1 BY read_id (storage/search.ts).
    expect(await storedForCamera('dup-read')).toBeGreaterThanOrEqual(2);
    expect(
      await scalar(
        `SELECT count() AS n FROM (SELECT read_id FROM ${storage.db}.detections WHERE camera = 'dup-read' LIMIT 1 BY read_id)`,
      ),
    ).toBe(2);
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.detections FINAL` });
    expect(await storedForCamera('dup-read')).toBe(2);
    await writer.close();
  });

  it('merges a quiet past day into one part with its redelivered copies gone, with no OPTIMIZE (migration 8)', async () => {
    const day = Date.now() - 5 * 86_400_000; // its own partition, which no other test writes
    const read = detection({ camera: 'closed-day', seenAt: day });
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([read, detection({ camera: 'closed-day', seenAt: day + 1000 })])).durable;
    await (await writer.enqueue([read])).durable;
    await (await writer.enqueue([detection({ camera: 'closed-day', seenAt: day + 2000 })])).durable;
    await writer.close();
    const partition = new Date(day).toISOString().slice(0, 10).replaceAll('-', '');
    const parts = () => scalar(`SELECT count() AS n FROM system.parts WHERE database = {db:String} AND table = 'detections' AND active AND partition_id = {p:String}`, { db: storage.db, p: partition });
    expect(await parts()).toBeGreaterThan(1);
    // The migration waits an hour; the test lets the day count as quiet after a second.
    const quietAfter = (seconds: number) => storage.client.command({ query: `ALTER TABLE ${storage.db}.detections MODIFY SETTING min_age_to_force_merge_seconds = ${seconds}` });
    await quietAfter(1);
    try {
      await until('the quiet day merged into one part', async () => ((await parts()) === 1 ? true : undefined), 20_000);
    } finally {
      await quietAfter(3600);
    }
    expect(await storedForCamera('closed-day')).toBe(3);
  });

  it('stores hostile text verbatim: row data never becomes SQL', async () => {
    const camera = `x'); DROP TABLE detections; --\n;SELECT 1`;
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([detection({ camera, imageRef: '\\"; DROP DATABASE platewatch' })])).durable;
    expect(await storedForCamera(camera)).toBe(1);
    expect(await scalar(`SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = 'detections'`, { db: storage.db })).toBe(1);
    await writer.close();
  });

  it('keeps two cameras\' and two agencies\' reads of one id, second and plate apart after a merge, in every insert format', async () => {
    // Cameras that stamp whole seconds and count their own reads (found by QA: cam-d and cam-e each
    // sent same-9 for QASAME9 at one second, both acked, one kept).
    for (const [i, insertFormat] of INSERT_FORMATS.entries()) {
      // A second of its own per format: the same read again would be dropped as a retried batch.
      const seenAt = Date.UTC(2026, 10, 22, 9, 30, i);
      const plate = `QASAME${i}`;
      const read = (agency: string, camera: string) => detection({ readId: 'same-9', agency, camera, seenAt, plate });
      const writer = new DetectionWriter(storage, { overrides: { insertFormat } });
      // Each its own batch, as each camera's message is. The redelivery (agency, camera, id and time
      // all the same) comes with another read, so its batch's token differs and only the merge can
      // collapse it.
      const batches = [[read('WPD', 'cam-d')], [read('WPD', 'cam-e')], [read('SCSO', 'cam-d')], [read('WPD', 'cam-d'), detection({ seenAt })]];
      for (const batch of batches) await (await writer.enqueue(batch)).durable;
      await writer.close();
    }
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.detections FINAL` });
    const rs = await storage.client.query({
      query: `SELECT plate, agency, camera, read_source FROM ${storage.db}.detections WHERE read_id = 'same-9' ORDER BY plate, agency, camera`,
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual(INSERT_FORMATS.flatMap((_, i) => [
      { plate: `QASAME${i}`, agency: 'SCSO', camera: 'cam-d', read_source: 'SCSO/cam-d' },
      { plate: `QASAME${i}`, agency: 'WPD', camera: 'cam-d', read_source: 'WPD/cam-d' },
      { plate: `QASAME${i}`, agency: 'WPD', camera: 'cam-e', read_source: 'WPD/cam-e' },
    ]));
  });

  it('stores every field the same in RowBinary (the default) as in JSONCompactEachRow and JSONEachRow', async () => {
    expect(storage.config.insertFormat).toBe('RowBinary');
    const rows = (camera: string) => [
      detection({ camera, readId: `${camera}-1`, seenAt: Date.UTC(2026, 10, 20, 1, 2, 3, 4), plate: '7ÅBC123', lat: undefined, lon: undefined, candidates: ['7ABC128', 'ÿ'.repeat(200)], imageRef: 'é'.repeat(5000), vehicleMake: 'Toyota' }),
      detection({ camera, readId: `${camera}-2`, seenAt: new Date(Date.UTC(2026, 10, 21, 3, 4, 5, 678)), confidence: 0.123456789, lat: -33.8688, lon: 151.2093, heading: 142.5, vehicleYear: 2019 }),
      detection({ camera, readId: `${camera}-3`, seenAt: Date.UTC(2026, 10, 21, 3, 4, 6), heading: 0, vehicleYear: 1900 }),
    ];
    for (const insertFormat of INSERT_FORMATS) {
      const writer = new DetectionWriter(storage, { overrides: { insertFormat } });
      await (await writer.enqueue(rows(`format-${insertFormat}`))).durable;
      await writer.close();
    }
    const stored = async (camera: string) => {
      const rs = await storage.client.query({
        query: `SELECT * EXCEPT (camera, read_source, stored_at) REPLACE (substring(read_id, length({camera:String}) + 1) AS read_id) FROM ${storage.db}.detections WHERE camera = {camera:String} ORDER BY read_id`,
        query_params: { camera },
        format: 'JSONEachRow',
      });
      return rs.json();
    };
    const binary = await stored('format-RowBinary');
    expect(binary).toHaveLength(3);
    // A camera that sent no heading or year stored NULL, never 0; a heading of 0 (due north) stays 0.
    expect(binary.map((r) => (r as Record<string, unknown>)['heading'])).toEqual([null, 142.5, 0]);
    expect(binary.map((r) => (r as Record<string, unknown>)['vehicle_year'])).toEqual([null, 2019, 1900]);
    expect(binary).toEqual(await stored('format-JSONCompactEachRow'));
    expect(binary).toEqual(await stored('format-JSONEachRow'));
  });

  it('leaves no RowBinary batch file behind, and clears those a stopped process left', async () => {
    const spool = join(storage.config.dataDir, INSERT_SPOOL_DIR);
    const leftover = join(spool, '999999999.0badc0de-1-7.rowbinary');
    writeFileSync(leftover, 'from a process that stopped mid-insert');
    const writer = new DetectionWriter(storage);
    expect(existsSync(leftover)).toBe(false);
    await (await writer.enqueue(Array.from({ length: 250 }, () => detection({ camera: 'spool' })))).durable;
    expect(await storedForCamera('spool')).toBe(250);
    expect(readdirSync(spool)).toEqual([]);
    await writer.close();
  });

  it('rejects the ticket with WRITE_FAILED when the batch cannot be stored, and refuses rows after close', async () => {
    const broken = new DetectionWriter({ client: storage.client, db: 'no_such_db', config: storage.config }, { overrides: { insertAttempts: 2 } });
    const ticket = await broken.enqueue([detection()]);
    await broken.flush();
    await expect(ticket.durable).rejects.toMatchObject({ code: 'WRITE_FAILED' } satisfies Partial<StorageError>);
    expect(readdirSync(join(storage.config.dataDir, INSERT_SPOOL_DIR))).toEqual([]); // its file went with it
    await broken.close();
    await expect(broken.enqueue([detection()])).rejects.toMatchObject({ code: 'WRITER_CLOSED' });
  });
});
