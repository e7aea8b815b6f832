// The simulated camera fleet in a process of its own (forked by fleet.ts), so publishing reads
// does not share the pipeline's event loop; it stays up between load steps (one tsx start-up).
// Child → parent: {started} once listening. Parent → child (IPC): {cmd:'setup', setup} → {ready};  {cmd:'run', rate, seconds} → {done: FleetReport} | {error}
//
// Reads are ingest/'s simulated reads (realistic plates, OCR misreads, a share of hot plates) with
// an image reference and vehicle attributes as production cameras send (camera-read.ts), published one per message with JetStream acks and the read id as Nats-Msg-Id, as cameras do.
// The loop keeps a bounded number of publishes awaiting their ack and counts them with a plain
// integer: ingest/'s simulateFleet races a Set of pending acks per publish, which costs more than
// the publish itself at tens of thousands of reads a second and would make the fleet the limit.
// Reads carry ts = Date.now() when made, just before publishing: the consoles' latency is camera
// publish → hit on the screen.
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Packr } from 'msgpackr';
import { createRandom, pickOne, randomInt, readsSubject, type Random } from '../../ingest/index.js';
import { cameraRead } from './camera-read.js';
import type { FleetCommand, FleetMessage, FleetSetup } from './fleet.js';

// Set by the 'setup' command (the hot plates are too many for argv).
let setup: FleetSetup;
let nc: NatsConnection | undefined;
let js: JetStreamClient;
let random: Random;
let subjects: string[] = [];
let cameras: string[] = [];
const packr = new Packr({ useRecords: false });
let sequence = 0;
let inFlight = 0;
let failed = 0;
let wake: (() => void) | undefined;

function send(message: FleetMessage): void {
  process.send?.(message);
}

function acked(): void {
  inFlight--;
  if (wake !== undefined) {
    const w = wake;
    wake = undefined;
    w();
  }
}

function refused(): void {
  failed++;
  acked();
}

async function run(rate: number, seconds: number): Promise<void> {
  // About 100 ms of reads awaiting acks at most: enough to keep the pipe full, bounded when NATS lags.
  const maxInFlight = Math.max(500, Math.ceil(rate / 10));
  const started = performance.now();
  const durationMs = seconds * 1000;
  let published = 0;
  let hot = 0;
  failed = 0;
  for (;;) {
    const elapsed = performance.now() - started;
    if (elapsed >= durationMs) break;
    const due = Math.floor((elapsed / 1000) * rate);
    while (published < due) {
      const c = randomInt(random, cameras.length);
      const isHot = random() < setup.hitRate;
      if (isHot) hot++;
      const id = `f${setup.seed}-${sequence++}`;
      const read = cameraRead(random, { agency: 'bench', camera: cameras[c] as string, id, ts: Date.now(), misreadRate: 0.05, ...(isHot ? { hot: pickOne(random, setup.hotPlates) } : {}) });
      inFlight++;
      js.publish(subjects[c] as string, packr.pack(read), { msgID: id }).then(acked, refused);
      published++;
      if (inFlight >= maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
      if (performance.now() - started >= durationMs) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const durationSeconds = (performance.now() - started) / 1000;
  while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  send({ done: { published, hot, refused: failed, seconds: durationSeconds } });
}

async function start(s: FleetSetup): Promise<void> {
  setup = s;
  nc = await connect({ servers: s.natsUrl, name: 'platewatch-bench-fleet' });
  js = jetstream(nc);
  random = createRandom(s.seed);
  cameras = Array.from({ length: s.cameras }, (_, i) => `cam${i + 1}`);
  subjects = cameras.map((camera) => readsSubject('bench', camera));
  send({ ready: true });
}

process.on('message', (command: FleetCommand) => {
  const done = command.cmd === 'setup' ? start(command.setup) : run(command.rate, command.seconds);
  done.catch((error: Error) => send({ error: error.message }));
});
process.on('disconnect', () => {
  void (nc?.close() ?? Promise.resolve()).then(() => process.exit(0));
});
send({ started: true });
