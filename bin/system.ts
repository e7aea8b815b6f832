// The running system: NATS (embedded nats-server or NATS_URL), storage (embedded chDB or a
// ClickHouse URL), the matcher fed by the hot list store, and the pipeline worker. `platewatch up`
// and the integration tests start it through here, so they run what production runs.
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { ObjectStore } from '@nats-io/obj';
import type { Logger } from 'pino';
import {
  createPipelineMetrics,
  ensureStreams,
  HotlistFollower,
  MetricsRegistry,
  openHotlistStore,
  PipelineWorker,
  startLocalNatsServer,
  type DetectionSink,
  type LocalNatsServer,
  type PipelineMetrics,
  type WireRead,
} from '../ingest/index.js';
import { Matcher, type MatcherConfig } from '../matcher/index.js';
import { DetectionWriter, openStorage, type Detection, type Storage, type StorageConfig } from '../storage/index.js';

export interface SystemOptions {
  dataDir: string;
  matcher: MatcherConfig;
  logger: Logger;
  /** An existing NATS server or cluster; unset: spawn nats-server under `dataDir/nats`. */
  natsUrl?: string;
  /** Port for the embedded nats-server; 0 picks a free one. */
  natsPort?: number;
  /** Storage settings; `dataDir` defaults to `dataDir/clickhouse`. */
  storage?: Partial<StorageConfig>;
  /** Run the pipeline worker in this process. @default true */
  pipeline?: boolean;
}

export interface RunningSystem {
  natsUrl: string;
  nc: NatsConnection;
  js: JetStreamClient;
  storage: Storage;
  writer: DetectionWriter;
  matcher: Matcher;
  hotlists: ObjectStore;
  metrics: MetricsRegistry;
  pipelineMetrics: PipelineMetrics;
  stop(): Promise<void>;
}

/** A detection as storage keeps it, from a validated camera read. */
export function toDetection(read: WireRead): Detection {
  const d: Detection = {
    readId: read.id,
    agency: read.agency,
    camera: read.camera,
    seenAt: read.ts,
    plate: read.plate,
    state: read.state ?? '',
    confidence: read.conf,
    lat: read.lat ?? Number.NaN,
    lon: read.lon ?? Number.NaN,
  };
  if (read.vehicle?.make !== undefined) d.vehicleMake = read.vehicle.make;
  if (read.vehicle?.model !== undefined) d.vehicleModel = read.vehicle.model;
  if (read.vehicle?.color !== undefined) d.vehicleColor = read.vehicle.color;
  if (read.vehicle?.type !== undefined) d.vehicleType = read.vehicle.type;
  if (read.image !== undefined) d.imageRef = read.image;
  if (read.candidates !== undefined) d.candidates = read.candidates.map((c) => c.plate);
  return d;
}

export function detectionSink(writer: DetectionWriter): DetectionSink {
  return { enqueue: (reads) => writer.enqueue(reads.map(toDetection)) };
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { logger } = options;
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse().splice(0)) {
      try {
        await cleanup();
      } catch (error) {
        logger.error({ err: error }, 'error while stopping');
      }
    }
  };
  try {
    let natsUrl = options.natsUrl;
    if (natsUrl === undefined) {
      const server: LocalNatsServer = await startLocalNatsServer({ storeDir: join(options.dataDir, 'nats'), port: options.natsPort ?? 0 });
      cleanups.push(() => server.stop());
      natsUrl = server.url;
      logger.info({ url: natsUrl, pid: server.pid }, 'embedded nats-server started');
    }
    const nc = await connect({ servers: natsUrl, name: 'platewatch', maxReconnectAttempts: -1 });
    cleanups.push(() => nc.drain());
    const js = jetstream(nc);
    await ensureStreams(await jetstreamManager(nc));

    const storage = await openStorage({ dataDir: join(options.dataDir, 'clickhouse'), ...options.storage });
    cleanups.push(() => storage.close());
    const matcher = new Matcher(options.matcher);
    const writer = new DetectionWriter(storage, { alphabet: matcher.alphabet, logger });
    cleanups.push(() => writer.close());

    const metrics = new MetricsRegistry();
    const pipelineMetrics = createPipelineMetrics(metrics);
    const listVersion = metrics.gauge('platewatch_hotlist_version', 'Version of each hot list in use');
    const listBuiltAt = metrics.gauge('platewatch_hotlist_built_at_seconds', 'When each hot list in use was built (epoch seconds)');
    const hotlists = await openHotlistStore(js);
    const follower = new HotlistFollower(hotlists, matcher, logger, (summary) => {
      listVersion.set(summary.version, { list: summary.list });
      listBuiltAt.set(Math.round(summary.builtAt / 1000), { list: summary.list });
    });
    await follower.start();
    cleanups.push(() => follower.stop());

    if (options.pipeline !== false) {
      const worker = new PipelineWorker({ js, matcher, sink: detectionSink(writer), metrics: pipelineMetrics, logger });
      await worker.start();
      cleanups.push(() => worker.stop());
    }
    return { natsUrl, nc, js, storage, writer, matcher, hotlists, metrics, pipelineMetrics, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
