// `platewatch simulate`: a simulated camera fleet publishing realistic reads to the running system.
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { isSubjectToken, openHotlistStore, readHotlist, simulateFleet } from '../../ingest/index.js';
import { connectToSystem } from '../runtime.js';
import type { Verb, VerbIO } from '../verb.js';
import { terminalText } from '../terminal-text.js';
import { helpHint, loadVerbConfig, parseVerbArgs, usageErrorFor } from '../verb-options.js';

const USAGE = `Usage: platewatch simulate [--cameras N] [--rate R] [--hit-rate H] [--count N | --duration S]
                           [--agency NAME] [--batch N] [--seed N] [--nats URL] [--config FILE]

Publishes realistic plate reads to alpr.reads.<agency>.<camera> with JetStream acks: US plate
formats weighted by state fleet size, about 5% OCR confusion-class misreads, and a share of hot
plates drawn from the hot lists in use. Stops after --count reads or --duration seconds, or on Ctrl-C.

Options:
  --cameras N     cameras in the fleet                          [default: 4]
  --rate R        reads per second across the fleet             [default: 10]
  --hit-rate H    share of reads that are listed plates, 0–1    [default: 0.005]
  --count N       stop after N reads
  --duration S    stop after S seconds                          [default: 60 when no --count]
  --agency NAME   agency token in the subject and the reads     [default: demo]
  --batch N       reads per message, as a camera gateway sends  [default: 1]
  --seed N        random seed, for repeatable runs              [default: the clock]
  --nats URL      the system's NATS                             [default: $NATS_URL, else the running "platewatch up"]
  --config FILE   JSON config file

Example:
  ./platewatch simulate --cameras 6 --rate 20 --hit-rate 0.05 --duration 30
`;

const OPTIONS = {
  cameras: { type: 'string' },
  rate: { type: 'string' },
  'hit-rate': { type: 'string' },
  count: { type: 'string' },
  duration: { type: 'string' },
  agency: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  nats: { type: 'string' },
  config: { type: 'string' },
} as const;

export const simulateVerb: Verb = {
  name: 'simulate',
  summary: 'publish reads from a simulated camera fleet (demos, tests, benchmarks)',
  usage: USAGE,
  run: runSimulate,
};

/**
 * A numeric option, or null after a usage message. Counts must be whole: `--cameras 2.5` ran three
 * cameras and `--count 2.5` published three reads. `Number('')` is 0, so empty text is refused too.
 */
function numberOption(io: VerbIO, name: string, text: string | undefined, fallback: number, min: number, max: number, whole = false): number | null {
  if (text === undefined) return fallback;
  const n = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
    const what = whole ? 'a whole number' : 'a number';
    const range = Number.isFinite(max) ? `from ${min} to ${max}` : `of at least ${min}`;
    // The pointer to --help follows once, after every option refused (runSimulate).
    io.stderr.write(`platewatch simulate: ${terminalText(`--${name} "${text}" must be ${what} ${range}`)}\n`);
    return null;
  }
  return n;
}

const usageError = usageErrorFor('simulate', USAGE);

async function runSimulate(args: string[], io: VerbIO): Promise<number> {
  const parsed = parseVerbArgs('simulate', args, OPTIONS, io);
  if (parsed === null) return 2;
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    return usageError(io, `unexpected argument "${positionals[0]}"`);
  }
  const cameras = numberOption(io, 'cameras', values.cameras, 4, 1, 100_000, true);
  const rate = numberOption(io, 'rate', values.rate, 10, 0.001, 1_000_000);
  const hitRate = numberOption(io, 'hit-rate', values['hit-rate'], 0.005, 0, 1);
  const count = values.count === undefined ? undefined : numberOption(io, 'count', values.count, 0, 1, 1e12, true);
  const duration = numberOption(io, 'duration', values.duration, count === undefined ? 60 : Number.POSITIVE_INFINITY, 0.001, Number.POSITIVE_INFINITY);
  const batch = numberOption(io, 'batch', values.batch, 1, 1, 1000, true);
  const seed = numberOption(io, 'seed', values.seed, Date.now(), 0, Number.MAX_SAFE_INTEGER, true);
  const agency = values.agency ?? 'demo';
  if ([cameras, rate, hitRate, count, duration, batch, seed].includes(null)) {
    io.stderr.write(helpHint('simulate'));
    return 2;
  }
  if (!isSubjectToken(agency)) {
    return usageError(io, `--agency "${agency}" must be 1–64 characters of A-Za-z0-9_-`);
  }
  const config = await loadVerbConfig('simulate', values.config, io);
  if (config === null) return 2;
  // The hot plates come from the hot list store, which a camera may not read: that connection is
  // the system's. The reads go out as a camera's, so a simulated fleet needs no more than a real one.
  const nc = await connectToSystem('simulate', config, io, values.nats);
  if (nc === null) return 1;
  const cameraNc = await connectToSystem('simulate', config, io, values.nats, 'camera');
  if (cameraNc === null) {
    await nc.close();
    return 1;
  }
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    const hotPlates = await readHotPlates(nc, io);
    if (hotPlates === null) return 1;
    io.stderr.write(`simulating ${cameras} cameras of agency ${agency} at ${rate} reads/s, ${hotPlates.length} hot plates to draw from…\n`);
    const report = await simulateFleet({
      js: jetstream(cameraNc),
      agency,
      cameras: cameras as number,
      rate: rate as number,
      hitRate: hitRate as number,
      hotPlates,
      ...(count === undefined ? {} : { count: count as number }),
      ...(Number.isFinite(duration) ? { durationMs: (duration as number) * 1000 } : {}),
      batch: batch as number,
      seed: seed as number,
      signal: abort.signal,
    });
    io.stdout.write(`published ${report.published} reads in ${report.messages} messages over ${(report.durationMs / 1000).toFixed(1)} s (${report.hot} hot)` + (report.failed === 0 ? '' : `; ${report.failed} reads failed`) + '\n');
    if (report.failed === 0) return 0;
    // Exit 1: a script that checks only the exit code would take unstored reads for published ones.
    io.stderr.write(
      `platewatch simulate: ${report.failed} reads were not published (NATS did not acknowledge them; first error: ${terminalText(report.firstFailure ?? 'unknown')}). ` +
        'Check the nats-server process (stopped, hung, disk full?) and /healthz\n',
    );
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    await cameraNc.close();
    await nc.close();
  }
}

/**
 * The plates of the hot lists in use, or null after a one-line message: a JetStream that refuses
 * the hot list store (its disk full: "error creating store for consumer") crashed the verb with a
 * stack trace (found by QA).
 */
async function readHotPlates(nc: NatsConnection, io: VerbIO): Promise<{ plate: string; state?: string }[] | null> {
  const hotPlates: { plate: string; state?: string }[] = [];
  try {
    const store = await openHotlistStore(jetstream(nc));
    // Only entries that can hit now: an expired entry's plate would be counted as hot and never hit.
    const now = Date.now();
    for (const info of await store.list()) {
      for (const entry of (await readHotlist(store, info.name)) ?? []) {
        if (!entry.isPattern && (entry.expiresAt === undefined || entry.expiresAt > now)) hotPlates.push(entry.state === undefined ? { plate: entry.plate } : { plate: entry.plate, state: entry.state });
      }
    }
  } catch (error) {
    io.stderr.write(
      `platewatch simulate: cannot read the hot lists from NATS (JetStream): ${terminalText((error as Error).message)}. ` +
        'Check the nats-server process and the free space on its store disk (a full disk refuses new consumers), then run it again\n',
    );
    return null;
  }
  return hotPlates;
}
