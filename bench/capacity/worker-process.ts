// One pipeline worker process for the scale-out measurement (workers.ts): the system as a worker
// runs it (`startSystem` against a shared NATS, its own chDB directory, no gateway), with the
// worker started and stopped on command so that timing starts only once the backlog is waiting.
// Parent → child (IPC): {cmd:'go', store} → {started};  {cmd:'pause'} → {paused, reads}
//   store false: detections are dropped instead of stored (measures NATS + decode + match + hits + ack).
import pino from 'pino';
import { detectionSink, startSystem } from '../../bin/system.js';
import { createPipelineMetrics, MetricsRegistry, PipelineWorker, type DetectionSink } from '../../ingest/index.js';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { HitWriter } from '../../storage/index.js';

export interface WorkerSetup {
  natsUrl: string;
  dataDir: string;
  /** Lists to wait for before reporting ready. */
  lists: number;
}
export type WorkerCommand = { cmd: 'go'; store: boolean } | { cmd: 'pause' } | { cmd: 'exit' };
export type WorkerMessage = { ready: true } | { started: true } | { paused: true; reads: number } | { error: string };

const setup = JSON.parse(process.argv[2] ?? '{}') as WorkerSetup;
const logger = pino({ level: 'warn' }, pino.destination(2));
const system = await startSystem({ natsUrl: setup.natsUrl, dataDir: setup.dataDir, matcher: resolveMatcherConfig(), logger, pipeline: false, gateway: false, retroactiveDays: 0 });
const hitWriter = new HitWriter(system.storage, system.storage.config);
const stored = detectionSink(system.writer, hitWriter);
const dropped: DetectionSink = { enqueue: async () => ({ durable: Promise.resolve() }) };
let worker: PipelineWorker | undefined;
let metrics = createPipelineMetrics(new MetricsRegistry());

function send(message: WorkerMessage): void {
  process.send?.(message);
}

async function handle(command: WorkerCommand): Promise<void> {
  if (command.cmd === 'go') {
    metrics = createPipelineMetrics(new MetricsRegistry());
    worker = new PipelineWorker({ js: system.js, matcher: system.matcher, sink: command.store ? stored : dropped, metrics, logger });
    await worker.start();
    send({ started: true });
  } else if (command.cmd === 'pause') {
    await worker?.stop();
    worker = undefined;
    await hitWriter.flush();
    send({ paused: true, reads: metrics.readsIn.get() });
  } else {
    await worker?.stop();
    await hitWriter.flush();
    await system.stop();
    process.exit(0);
  }
}

process.on('message', (command: WorkerCommand) => {
  handle(command).catch((error: Error) => send({ error: error.message }));
});
process.on('disconnect', () => void handle({ cmd: 'exit' }));
while (system.matcher.lists().length < setup.lists) await new Promise((r) => setTimeout(r, 50));
send({ ready: true });
