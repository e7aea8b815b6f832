// The latency floor under read→hit (issue 4): how long a message takes from a publisher process to
// a subscriber on this machine through nats-server alone, with no platewatch code in the path —
// core NATS, then JetStream (file and memory storage) with the publisher waiting for no acks and
// with acked publishes as cameras make them. Each case is its own run of RATE msg/s for SECONDS.
//
//   node --import tsx bench/pipeline/transport-floor.bench.ts [--rate 5000] [--seconds 10]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { acceptOnly } from '../storage/machine.js';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startLocalNatsServer } from '../../ingest/nats-server.js';
import { LatencySample, type LatencySummary } from './latency-sample.js';

type Publish = 'core' | 'unacked' | 'acked';
const SUBJECT = 'floor.x';
const MESSAGE_BYTES = 200; // about the size of one msgpack read

/** The publisher, in its own process as cameras are: RATE msg/s in 5-ms ticks, send time in the first 8 bytes. */
async function publisher(url: string, mode: Publish, rate: number, seconds: number): Promise<void> {
  const nc = await connect({ servers: url });
  const js = jetstream(nc);
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) {
      const data = Buffer.alloc(MESSAGE_BYTES);
      data.writeDoubleLE(Date.now(), 0);
      if (mode === 'acked') void js.publish(SUBJECT, data, { msgID: `m${sent}` }).catch(() => {});
      else nc.publish(SUBJECT, data);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 300));
  await nc.drain();
}

type Receiver = 'pull' | 'core';

async function measure(nc: NatsConnection, url: string, storage: 'none' | 'file' | 'memory', mode: Publish, rate: number, seconds: number, receiver: Receiver = 'pull'): Promise<LatencySummary> {
  const sample = new LatencySample();
  const record = (data: Uint8Array): void => sample.add(Buffer.from(data.buffer, data.byteOffset, 8).readDoubleLE(0), Date.now());
  let finish: () => Promise<void>;
  if (storage === 'none') {
    const sub = nc.subscribe(SUBJECT, { callback: (_e, m) => record(m.data) });
    await nc.flush();
    finish = async () => sub.unsubscribe();
  } else {
    // As READS is made: a work queue with a dedupe window, one durable pull consumer, acks.
    const jsm = await jetstreamManager(nc);
    const name = `FLOOR_${storage.toUpperCase()}_${mode.toUpperCase()}`;
    await jsm.streams.add({ name, subjects: [SUBJECT], storage: storage === 'file' ? StorageType.File : StorageType.Memory, retention: RetentionPolicy.Workqueue, duplicate_window: 120e9 });
    await jsm.consumers.add(name, { durable_name: 'c', ack_policy: AckPolicy.Explicit, max_ack_pending: 50_000 });
    const consumer = await jetstream(nc).consumers.get(name, 'c');
    let stopping = false;
    // A core subscription in a queue group on the stream's subject sees each message as the
    // server receives it, before the stream has stored it (the pipeline's fast hit path); the
    // pull consumer still takes every message off, as the pipeline's durable path does.
    const fast = receiver === 'core' ? nc.subscribe(SUBJECT, { queue: 'fast', callback: (_e, m) => record(m.data) }) : undefined;
    if (fast !== undefined) await nc.flush();
    // One pull after another, as the pipeline pulls; a fetch yields each message as it arrives.
    const pulling = (async () => {
      while (!stopping) {
        for await (const m of await consumer.fetch({ max_messages: 1000, expires: 2000 })) {
          if (fast === undefined) record(m.data);
          m.ack();
        }
      }
    })();
    finish = async () => {
      stopping = true;
      await pulling;
      fast?.unsubscribe();
      await jsm.streams.delete(name);
    };
  }
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--publish', mode, '--url', url, '--rate', String(rate), '--seconds', String(seconds)], { stdio: 'inherit' });
  await new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited with ${code}`)))));
  await new Promise((r) => setTimeout(r, 500));
  await finish();
  return sample.summary();
}

acceptOnly('Usage: node --import tsx bench/pipeline/transport-floor.bench.ts [--rate 5000] [--seconds 10]\nPublish → receive latency in ms through nats-server, no platewatch code.', ['rate', 'seconds', 'publish', 'url']);
const { values } = parseArgs({ options: { rate: { type: 'string', default: '5000' }, seconds: { type: 'string', default: '10' }, publish: { type: 'string' }, url: { type: 'string' } } });
const rate = Number(values.rate);
const seconds = Number(values.seconds);

if (values.publish !== undefined) {
  await publisher(values.url ?? '', values.publish as Publish, rate, seconds);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'platewatch-floor-'));
  const server = await startLocalNatsServer({ storeDir: join(dir, 'nats') });
  const nc = await connect({ servers: server.url });
  const load = loadavg()[0]!.toFixed(2);
  try {
    const cases: [storage: 'none' | 'file' | 'memory', mode: Publish, label: string, receiver?: Receiver][] = [
      ['none', 'core', 'core NATS publish → subscription'],
      ['file', 'unacked', 'JetStream, file storage, publisher waits for no acks'],
      ['memory', 'unacked', 'JetStream, memory storage, publisher waits for no acks'],
      ['file', 'acked', 'JetStream, file storage, acked publishes (as cameras and the simulator publish)'],
      ['memory', 'acked', 'JetStream, memory storage, acked publishes'],
      ['file', 'acked', 'JetStream, file storage, acked publishes, received by a core subscription (the fast hit path) while the pull consumer acks', 'core'],
    ];
    const rows: string[] = [];
    for (const [storage, mode, label, receiver] of cases) {
      const r = await measure(nc, server.url, storage, mode, rate, seconds, receiver);
      rows.push(`| ${label} | ${r.p50} | ${r.p99} | ${r.steadyP99} | ${r.max} | ${r.count.toLocaleString('en-US')} |`);
    }
    console.log(`Command: \`node --import tsx bench/pipeline/transport-floor.bench.ts --rate ${rate} --seconds ${seconds}\` · ${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores, Node ${process.version}, nats-server (Debian), publisher in its own process on the same machine; load average at start ${load}.\n`);
    console.log(`| ${rate.toLocaleString('en-US')} msg/s for ${seconds} s, ${MESSAGE_BYTES} bytes | p50 ms | p99 ms | p99 after the first second, ms | max ms | received |`);
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const row of rows) console.log(row);
  } finally {
    await nc.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
