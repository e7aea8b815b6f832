// The assembled gateway: hit feed → fan-out → uWS server, with its metrics on the shared
// registry. bin/ starts it through here, as do the tests and the benchmark.
import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { MetricsRegistry } from '../ingest/index.js';
import { resolveGatewayConfig, type GatewayConfig } from './config.js';
import { FanOut } from './fan-out.js';
import { createGatewayMetrics, type GatewayMetrics } from './gateway-metrics.js';
import { HitFeed } from './hit-feed.js';
import type { JsonRoute } from './http-json.js';
import { startGatewayServer } from './server.js';
import type { SessionVerifier } from './session.js';

export interface GatewayOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  verifySession: SessionVerifier;
  registry: MetricsRegistry;
  logger: Logger;
  config?: Partial<GatewayConfig>;
  /** More JSON endpoints; a function gets the feed and fan-out, for routes that act on live hits. */
  routes?: readonly JsonRoute[] | ((live: LiveHits) => readonly JsonRoute[]);
}

/** The parts of a gateway that routes acting on live hits need (disposition-routes.ts). */
export interface LiveHits {
  feed: HitFeed;
  fanOut: FanOut;
}

export interface RunningGateway {
  port: number;
  /** Base URL, e.g. `http://127.0.0.1:8080`; consoles connect to `${url}/ws` (ws:). */
  url: string;
  config: GatewayConfig;
  feed: HitFeed;
  fanOut: FanOut;
  metrics: GatewayMetrics;
  /** Stops taking hits, closes every console (1001) and the listening socket. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const config = resolveGatewayConfig(options.config);
  const logger = options.logger.child({ component: 'gateway' });
  const metrics = createGatewayMetrics(options.registry);
  // The fan-out and the feed refer to each other (hits in, replays out); the holder breaks the cycle.
  const holder: { feed: HitFeed | null } = { feed: null };
  const fanOut = new FanOut(config, { recentHits: (now) => holder.feed?.recentHits(now) ?? [] }, metrics, logger);
  const feed = new HitFeed(config, fanOut, metrics, logger);
  holder.feed = feed;
  await feed.start(options.js);
  let server;
  try {
    server = await startGatewayServer({
      config,
      fanOut,
      verifySession: options.verifySession,
      registry: options.registry,
      metrics,
      logger,
      routes: typeof options.routes === 'function' ? options.routes({ feed, fanOut }) : options.routes,
      health: () => ({
        nats: options.nc.isClosed() ? { ok: false, error: 'NATS connection closed' } : { ok: true, server: options.nc.getServer() },
        feed: feed.status(),
      }),
    });
  } catch (error) {
    await feed.stop();
    throw error;
  }
  logger.info({ port: server.port }, 'gateway listening');
  let stopped = false;
  return {
    port: server.port,
    url: server.url,
    config,
    feed,
    fanOut,
    metrics,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await feed.stop();
      server.close();
    },
  };
}
