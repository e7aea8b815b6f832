// The assembled gateway: hit feed → fan-out → uWS server, with its metrics on the shared
// registry, and the watch that closes consoles whose session ended. bin/ starts it through here,
// as do the tests and the benchmark.
import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { DISPOSITIONS_SUBJECT, NatsConnectionWatch, type MetricsRegistry } from '../ingest/index.js';
import { dispositionFrame, heartbeatFrame, parseDispositionNotice, type DispositionNotice } from './console-protocol.js';
import { HitEscalator } from './escalation.js';
import { resolveGatewayConfig, type GatewayConfig } from './config.js';
import { FanOut } from './fan-out.js';
import { createGatewayMetrics, type GatewayMetrics } from './gateway-metrics.js';
import { HitFeed } from './hit-feed.js';
import type { JsonRoute } from './http-json.js';
import { startGatewayServer, type DependencyHealth, type GatewayServerOptions } from './server.js';
import type { SessionsVerifier, SessionVerifier } from './session.js';
import { SESSION_CHANGES_SUBJECT, SessionWatch } from './session-watch.js';

/** How long NATS gets to answer a round trip before /healthz says 503. */
const NATS_ANSWER_WITHIN_MS = 2_000;

export interface GatewayOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  /** Checks a console's session at the upgrade, and again every `sessionCheckMs` while it is open. */
  verifySession: SessionVerifier;
  /** The same check for many tokens in one go, for the periodic re-check. @default verifySession per distinct token */
  verifySessions?: SessionsVerifier;
  registry: MetricsRegistry;
  logger: Logger;
  config?: Partial<GatewayConfig>;
  /** More JSON endpoints; a function gets the feed and fan-out, for routes that act on live hits. */
  routes?: readonly JsonRoute[] | ((live: LiveHits) => readonly JsonRoute[]);
  /**
   * Hit ids already dealt with among those published since `sinceMs` (bin/ asks storage), so a
   * restarted gateway does not replay hits resolved before it started.
   */
  resolvedHits?: (sinceMs: number) => Promise<Iterable<string>>;
  /** Console events for the access log (refused for the role, subscribed). */
  onConsoleEvent?: GatewayServerOptions['onConsoleEvent'];
  /**
   * Whether detections are being stored, for /healthz (bin/ passes ingest's StorageOutage when this
   * process runs the pipeline): unhealthy, /healthz answers 503. @default not reported
   */
  storageHealth?: () => DependencyHealth;
}

/** The parts of a gateway that routes acting on live hits need (disposition-routes.ts). */
export interface LiveHits {
  feed: HitFeed;
  fanOut: FanOut;
  escalator: HitEscalator;
  /** Tells every other gateway of a disposition recorded here. */
  announce: (notice: DispositionNotice) => void;
  /** Open consoles' sessions: routes that end a session or change a user close its consoles at once. */
  sessions: SessionWatch;
}

export interface RunningGateway {
  port: number;
  /** Base URL, e.g. `http://127.0.0.1:8080`; consoles connect to `${url}/ws` (ws:). */
  url: string;
  config: GatewayConfig;
  feed: HitFeed;
  fanOut: FanOut;
  escalator: HitEscalator;
  sessions: SessionWatch;
  metrics: GatewayMetrics;
  /** The JSON routes served beside /healthz, /metrics and /ws (docs/openapi.yaml documents each). */
  routes: ReadonlyArray<Pick<JsonRoute, 'method' | 'pattern' | 'query'>>;
  /** Stops taking hits, closes every console (1001) and the listening socket. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const config = resolveGatewayConfig(options.config);
  const logger = options.logger.child({ component: 'gateway' });
  const metrics = createGatewayMetrics(options.registry);
  const startedAtMs = Date.now();
  // The fan-out and the feed refer to each other (hits in, replays out); the holder breaks the cycle.
  const holder: { feed: HitFeed | null } = { feed: null };
  const fanOut = new FanOut(config, { recentHits: (now) => holder.feed?.recentHits(now) ?? [] }, metrics, logger);
  // Consoles that subscribe while the feed reads the backlog get their replay once it has (fan-out.ts);
  // the access log records such a subscription then, with what its replay held.
  const onConsoleEvent = options.onConsoleEvent;
  fanOut.holdReplaysUntilCaughtUp(onConsoleEvent === undefined ? undefined : (session, filter, replayed) => onConsoleEvent(session, { kind: 'subscribed', filter, replayed }));
  const feed = new HitFeed(config, fanOut, metrics, logger);
  holder.feed = feed;
  if (options.resolvedHits !== undefined) {
    for (const hitId of await options.resolvedHits(Date.now() - config.replayWindowMs)) feed.resolve(hitId);
  }
  // Dispositions recorded on other gateways (and this one's own, echoed back: resolve then finds
  // nothing held, so nothing is sent twice).
  const notices = options.nc.subscribe(DISPOSITIONS_SUBJECT, {
    callback: (error, msg) => {
      if (error !== null) {
        logger.error({ err: error }, 'disposition notices subscription failed');
        return;
      }
      const notice = parseDispositionNotice(msg.data);
      if (notice === null) {
        logger.warn({ bytes: msg.data.length }, 'unreadable disposition notice ignored');
        return;
      }
      const held = feed.find(notice.hitId);
      feed.resolve(notice.hitId);
      if (held !== undefined) fanOut.broadcast(dispositionFrame({ ...notice, list: held.message.hit.list }), { list: held.message.hit.list });
    },
  });
  const announce = (notice: DispositionNotice): void => {
    try {
      options.nc.publish(DISPOSITIONS_SUBJECT, JSON.stringify(notice));
    } catch (error) {
      // The disposition is stored and this gateway's consoles know; others learn at their next start.
      logger.error({ err: error, hitId: notice.hitId }, 'could not tell other gateways of a disposition');
    }
  };
  const escalator = new HitEscalator(
    { escalateAfterMs: config.escalateAfterMs, checkEveryMs: config.escalationCheckMs },
    feed, fanOut, metrics.escalations, logger,
    { startedAtMs, listLabel: (list) => options.registry.labelValue('list', list), isCaughtUp: () => feed.caughtUp },
  );
  fanOut.useEscalations(escalator);
  const sessions = new SessionWatch({
    checkEveryMs: config.sessionCheckMs, verifySession: options.verifySession, fanOut, metrics, logger,
    ...(options.verifySessions === undefined ? {} : { verifySessions: options.verifySessions }),
    tellOthers: (userId) => {
      try {
        options.nc.publish(SESSION_CHANGES_SUBJECT, JSON.stringify({ user: userId }));
      } catch (error) {
        // The other gateways find out at their next periodic check.
        logger.warn({ err: error, user: userId }, 'could not tell other gateways of a session change');
      }
    },
  });
  // A session ended or a user changed on another gateway (or this one, echoed): check now. One
  // batched check of every open console, joined by any change that arrives while it runs.
  const sessionChanges = options.nc.subscribe(SESSION_CHANGES_SUBJECT, {
    callback: (error, msg) => {
      if (error !== null) {
        logger.error({ err: error }, 'session change subscription failed');
        return;
      }
      logger.debug({ change: msg.string() }, 'session change heard: checking open consoles');
      void sessions.checkAll();
    },
  });
  // /healthz says 503 while NATS is unreachable or does not answer (a hung server keeps the socket
  // open): the feed may still look fine (it only notices at the reconnect), and no hit can arrive
  // meanwhile. The round trip runs in the background, so /healthz answers at once.
  const connection = new NatsConnectionWatch(options.nc, { answerWithinMs: NATS_ANSWER_WITHIN_MS });
  try {
    await feed.start(options.js, options.nc);
  } catch (error) {
    connection.stop();
    notices.unsubscribe();
    sessionChanges.unsubscribe();
    throw error;
  }
  escalator.start();
  const routes = typeof options.routes === 'function' ? options.routes({ feed, fanOut, escalator, announce, sessions }) : (options.routes ?? []);
  let server;
  try {
    server = await startGatewayServer({
      config,
      fanOut,
      verifySession: options.verifySession,
      sessions,
      registry: options.registry,
      metrics,
      ...(onConsoleEvent === undefined ? {} : {
        onConsoleEvent: (session, event) => {
          // A held subscription is logged when its replay goes out (holdReplaysUntilCaughtUp above).
          if (event.kind === 'subscribed' && fanOut.holdingReplays) return;
          onConsoleEvent(session, event);
        },
      }),
      logger,
      routes,
      // While NATS is unreachable no hit can arrive, whatever the consumer believes; while catching
      // up, replays are held and the replay set incomplete. Either way feed.ok is false, and so
      // /healthz answers 503 (server.ts): a load balancer sends consoles to a gateway that has them all.
      health: () => {
        const problem = connection.problem();
        const storage = options.storageHealth === undefined ? {} : { storage: options.storageHealth() };
        if (problem !== null) return { nats: { ok: false, error: problem }, feed: { ok: false, error: `NATS disconnected: no hits can arrive (${problem})` }, ...storage };
        return { nats: { ok: true, server: options.nc.getServer() }, feed: feed.status(), ...storage };
      },
    });
  } catch (error) {
    escalator.stop();
    connection.stop();
    notices.unsubscribe();
    sessionChanges.unsubscribe();
    await feed.stop();
    throw error;
  }
  sessions.start();
  const heartbeat = setInterval(() => fanOut.heartbeat(heartbeatFrame(config.heartbeatMs)), config.heartbeatMs);
  heartbeat.unref();
  logger.info({ port: server.port }, 'gateway listening');
  let stopped = false;
  return {
    port: server.port,
    url: server.url,
    config,
    feed,
    fanOut,
    escalator,
    sessions,
    metrics,
    routes: routes.map(({ method, pattern, query }) => ({ method, pattern, query })),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeat);
      sessions.stop();
      escalator.stop();
      connection.stop();
      if (!options.nc.isClosed()) {
        notices.unsubscribe();
        sessionChanges.unsubscribe();
      }
      await feed.stop();
      server.close();
    },
  };
}
