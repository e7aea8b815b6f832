// `platewatch up` (what `npm start` runs): the whole system on embedded defaults — nats-server with
// JetStream under DATA_DIR/nats, chDB under DATA_DIR/clickhouse, the hot list store, the pipeline —
// or on existing servers with NATS_URL / CLICKHOUSE_URL. Runs until Ctrl-C or SIGTERM, then stops
// gracefully (finish in-flight reads, flush storage, ack).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { decodeHitMessage, publishHotlist, simulateFleet } from '../../ingest/index.js';
import { readHotlistFiles } from '../batch-match.js';
import { removeRuntime, writeRuntime } from '../runtime.js';
import { storageSettings } from '../storage-options.js';
import { startSystem } from '../system.js';
import type { Verb, VerbIO } from '../verb.js';
import { loadVerbConfig, parseVerbArgs } from '../verb-options.js';
import { printHit } from './demo.js';

const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/hotlists/', import.meta.url));

const USAGE = `Usage: platewatch up [--demo] [--config FILE]

Starts platewatch and runs until Ctrl-C (or SIGTERM), then stops gracefully.
Embedded defaults (no servers needed): nats-server with JetStream under DATA_DIR/nats on a free
port (PLATEWATCH_NATS_PORT to fix it), chDB under DATA_DIR/clickhouse, the pipeline worker.
With NATS_URL and/or CLICKHOUSE_URL it joins existing servers instead. Other commands
(hotlist load, simulate) find the running system through DATA_DIR/run/platewatch.json.
Hits are printed as they happen and shown live on the dispatch console.

Options:
  --demo          also load the sample hot lists from examples/hotlists/ and run a small simulated
                  camera fleet (4 cameras, 2 reads/s, 5% hot), so hits appear within seconds
  --config FILE   JSON config file (README, Configuration)

Environment: PLATEWATCH_DATA_DIR (default ./data), PLATEWATCH_HTTP_PORT (default 8080), PLATEWATCH_HTTP_HOST
(default 127.0.0.1; TLS terminates at a reverse proxy in front), NATS_URL, PLATEWATCH_NATS_PORT, CLICKHOUSE_URL,
CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, PLATEWATCH_RETENTION_DAYS, PLATEWATCH_RETROACTIVE_DAYS (default 30),
PLATEWATCH_LOG_LEVEL (default info).
`;

const OPTIONS = { demo: { type: 'boolean', default: false }, config: { type: 'string' } } as const;

export const upVerb: Verb = {
  name: 'up',
  summary: 'start platewatch: NATS, storage and the pipeline (embedded defaults, or existing servers)',
  usage: USAGE,
  run: runUp,
};

async function runUp(args: string[], io: VerbIO): Promise<number> {
  const parsed = parseVerbArgs('up', args, OPTIONS, io);
  if (parsed === null) return 2;
  if (parsed.positionals.length > 0) {
    io.stderr.write(`platewatch up: unexpected argument "${parsed.positionals[0]}"\n`);
    return 2;
  }
  const config = await loadVerbConfig('up', parsed.values.config, io);
  if (config === null) return 2;
  const dataDir = resolve(io.cwd, config.dataDir);
  const logger = pino({ level: io.env['PLATEWATCH_LOG_LEVEL'] ?? 'info', base: { app: 'platewatch' } }, pino.destination(2));
  let system;
  try {
    system = await startSystem({
      dataDir,
      matcher: config.matcher,
      logger,
      ...(config.nats.url === undefined ? {} : { natsUrl: config.nats.url }),
      natsPort: config.nats.port,
      retroactiveDays: config.retroactiveDays,
      hotlists: config.hotlists,
      gateway: config.gateway,
      hits: config.hits,
      storage: storageSettings(config),
      release: config.release,
    });
  } catch (error) {
    const coded = error as { code?: string; message?: string };
    io.stderr.write(`platewatch up: could not start${coded.code === undefined ? '' : ` [${coded.code}]`}: ${coded.message ?? String(error)}\n`);
    return 1;
  }
  await writeRuntime(dataDir, { natsUrl: system.natsUrl, pid: process.pid, startedAt: new Date().toISOString() });

  const hitsSub = system.nc.subscribe('alpr.hits.>', {
    callback: (_err, msg) => {
      const message = decodeHitMessage(msg.data);
      printHit(io.stdout, message.read, message.hit);
    },
  });
  const stopping = new AbortController();
  let demo: Promise<unknown> = Promise.resolve();
  if (parsed.values.demo) {
    // Only the general list: a specific list's entries match only once the administrator approves
    // each (§471.5(f)(5)), which the demo must not pretend to have done.
    const byList = await readHotlistFiles({
      files: ['svs.csv'].map((file) => ({ shown: `examples/hotlists/${file}`, path: resolve(EXAMPLES_DIR, file) })),
      config: config.matcher,
      strict: false,
      stderr: io.stderr,
    });
    const hotPlates: { plate: string; state?: string }[] = [];
    for (const [list, entries] of byList ?? []) {
      await publishHotlist(system.hotlists, list, entries, 'demo');
      for (const e of entries) if (!e.isPattern) hotPlates.push(e.state === undefined ? { plate: e.plate } : { plate: e.plate, state: e.state });
    }
    // The lists reach the matcher through the store's watch: wait for them so the summary shows them.
    const deadline = Date.now() + 10_000;
    while (system.matcher.lists().length < (byList?.size ?? 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    demo = simulateFleet({ js: system.js, agency: 'demo', cameras: 4, rate: 2, hitRate: 0.05, hotPlates, durationMs: Number.MAX_SAFE_INTEGER, signal: stopping.signal }).catch((error: unknown) => {
      logger.warn({ err: error }, 'demo camera fleet stopped');
    });
  }

  const storage = config.storage.url === undefined ? `embedded chDB ${resolve(dataDir, 'clickhouse')}` : `ClickHouse ${config.storage.url}`;
  io.stdout.write(
    `platewatch is up\n` +
      `  NATS       ${system.natsUrl}${config.nats.url === undefined ? ` (embedded nats-server, store ${resolve(dataDir, 'nats')})` : ''}\n` +
      `  storage    ${storage}, retention ${config.storage.retentionDays} days\n` +
      `  pipeline   1 worker on stream READS, consumer "pipeline"\n` +
      `  console    ${system.gateway?.url ?? '-'}/  (dispatch view; sign in with a user from "platewatch users add")\n` +
      `  gateway    ${system.gateway?.url ?? '-'}  (/healthz, /metrics, /api/login, /ws)\n` +
      `  hot lists  ${system.matcher.lists().map((l) => `${l.list} v${l.version} (${l.entries})`).join(', ') || 'none yet: ./platewatch hotlist load --list NAME FILE'}\n` +
      `  cameras    publish msgpack reads to alpr.reads.<agency>.<camera> (docs/wire.md)\n` +
      `Hits are printed below. Ctrl-C stops gracefully.\n\n`,
  );

  await new Promise<void>((resolveStop) => {
    const stop = (): void => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  io.stderr.write('platewatch: stopping (finishing in-flight reads)…\n');
  stopping.abort();
  await demo;
  hitsSub.unsubscribe();
  await system.stop();
  await removeRuntime(dataDir);
  io.stderr.write('platewatch: stopped\n');
  return 0;
}
