// The ceilings the pipeline cannot beat on this machine, measured in the same run as the system:
//   JetStream: a work-queue file stream like READS, consumed with explicit acks and no other work;
//   chDB:      detection rows pre-encoded as RowBinary in the writer's batch size, inserted from
//              their files as the writer does (no encoding timed), into a copy of the detections table;
//   uWS:       the same hit frame broadcast to the same console sockets with uWebSockets.js
//              pub/sub — no NATS, no feed, no filters, no per-socket backpressure bookkeeping.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import uWS from 'uWebSockets.js';
import { DETECTION_ROWBINARY_STRUCTURE, insertFromRowBinaryFile, RowBinaryBatch, type Detection, type Storage } from '../../storage/index.js';
import type { OcrAlphabet } from '../../matcher/index.js';
import type { ConsoleFleet } from './consoles.js';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';
import { windowedFanOut, type FanOutRate } from './fan-out.js';

const CEILING_STREAM = 'CAPACITY_CEILING';

/** Messages per second through publish-free consume + ack of `messages` already on a stream. */
export async function jetstreamCeiling(nc: NatsConnection, js: JetStreamClient, messages: readonly Uint8Array[]): Promise<number> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: CEILING_STREAM, subjects: ['bench.capacity.ceiling'], storage: StorageType.File, retention: RetentionPolicy.Workqueue, discard: DiscardPolicy.New });
  try {
    await jsm.consumers.add(CEILING_STREAM, { durable_name: 'ceiling', ack_policy: AckPolicy.Explicit, max_ack_pending: 50_000 });
    const inFlight: Promise<unknown>[] = [];
    for (const m of messages) {
      inFlight.push(js.publish('bench.capacity.ceiling', m));
      if (inFlight.length >= 2000) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
    const consumer = await js.consumers.get(CEILING_STREAM, 'ceiling');
    const started = performance.now();
    let n = 0;
    const iterator = await consumer.consume({ max_messages: 1000 });
    for await (const m of iterator) {
      m.ack();
      if (++n === messages.length) break;
    }
    const seconds = (performance.now() - started) / 1000;
    await iterator.close();
    return n / seconds;
  } finally {
    await jsm.streams.delete(CEILING_STREAM);
  }
}

/**
 * Rows per second into a copy of the detections table, `batchRows` rows per insert, each batch
 * already a RowBinary file as the embedded writer hands it to chDB: the engine's part alone.
 */
export async function chdbInsertCeiling(storage: Storage, alphabet: OcrAlphabet, detections: readonly Detection[], batchRows: number): Promise<number> {
  const table = `${storage.db}.detections_ceiling`;
  await storage.client.command({ query: `CREATE TABLE ${table} AS ${storage.db}.detections` });
  const dir = mkdtempSync(join(tmpdir(), 'platewatch-ceiling-'));
  try {
    const files: string[] = [];
    for (let i = 0; i < detections.length; i += batchRows) {
      const batch = new RowBinaryBatch();
      for (const d of detections.slice(i, i + batchRows)) batch.add(d, alphabet.mapPlate(d.plate));
      const file = join(dir, `${files.length}.rowbinary`);
      writeFileSync(file, batch.bytes);
      files.push(file);
    }
    const query = insertFromRowBinaryFile(table);
    const started = performance.now();
    for (const file of files) await storage.client.command({ query, query_params: { rowBinaryFile: file, structure: DETECTION_ROWBINARY_STRUCTURE } });
    return detections.length / ((performance.now() - started) / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await storage.client.command({ query: `DROP TABLE IF EXISTS ${table}` });
  }
}

/**
 * A bare uWebSockets.js broadcaster speaking just enough of the console protocol for the
 * benchmark's clients: any token is accepted, a subscribe gets an empty replay and joins the topic.
 */
export async function uwsBroadcastCeiling(consoles: ConsoleFleet, frame: Uint8Array, hits: number): Promise<FanOutRate> {
  const app = uWS.App();
  app.ws('/ws', {
    compression: uWS.DISABLED,
    maxBackpressure: 64 * 1024 * 1024,
    closeOnBackpressureLimit: 0,
    message: (ws) => {
      ws.subscribe('hits');
      ws.send('{"type":"replay","hits":[]}');
    },
  });
  const listenSocket = await new Promise<uWS.us_listen_socket>((done, fail) => {
    app.listen('127.0.0.1', 0, (socket) => (socket === false ? fail(new BenchError(BENCH_ERROR_CODES.setupFailed, 'raw broadcaster: cannot listen on a loopback port')) : done(socket)));
  });
  try {
    await consoles.connect(uWS.us_socket_local_port(listenSocket as unknown as uWS.us_socket), 'ceiling');
    const rate = await windowedFanOut(consoles, hits, async (n) => {
      for (let i = 0; i < n; i++) app.publish('hits', frame, false);
    });
    await consoles.close();
    return rate;
  } finally {
    uWS.us_listen_socket_close(listenSocket);
  }
}
