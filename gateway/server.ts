// The uWebSockets.js app: console WebSockets on /ws (session checked on upgrade, then handed to
// the fan-out, and watched so the console closes when the session ends: session-watch.ts) and
// HTTP on the same port — the console's files (console-files.ts), /healthz,
// /metrics, extra JSON routes, 404 otherwise.
import uWS from 'uWebSockets.js';
import type { Logger } from 'pino';
import type { MetricsRegistry } from '../ingest/index.js';
import type { GatewayConfig } from './config.js';
import { serveConsoleFiles } from './console-files.js';
import { imageSources } from './image-sources.js';
import { errorFrame, heartbeatFrame, parseClientMessage } from './console-protocol.js';
import type { ConsoleSession, ConsoleSocket } from './console-socket.js';
import { GatewayError } from './errors.js';
import type { ConsoleConnection, FanOut } from './fan-out.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { jsonEndpoint, writeError, type JsonRoute } from './http-json.js';
import { MonitoringAccess } from './monitoring-access.js';
import { withCheckedQuery } from './request-fields.js';
import { upgradeCredentials, type SessionVerifier } from './session.js';
import type { SessionWatch } from './session-watch.js';
import { mayPerform, rolesAllowed, type Permission } from '../storage/index.js';

/** What /healthz reports for one dependency. */
export type DependencyHealth = { ok: true; [detail: string]: unknown } | { ok: false; error: string };

export interface GatewayServerOptions {
  config: GatewayConfig;
  fanOut: FanOut;
  verifySession: SessionVerifier;
  /** Where each open console's session is watched after the upgrade. */
  sessions: Pick<SessionWatch, 'track' | 'untrack'>;
  registry: MetricsRegistry;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Health of NATS, the hit feed and (when this process stores detections) storage, for /healthz. */
  health: () => { nats: DependencyHealth; feed: DependencyHealth; storage?: DependencyHealth };
  /** More JSON endpoints (the API of later issues). */
  routes?: readonly JsonRoute[];
  /**
   * What consoles do that the access log records (Watsonville §471.7(b): every access to ALPR
   * data): a console refused for its role, and what a console subscribed to watch.
   */
  onConsoleEvent?: (session: ConsoleSession, event: ConsoleEvent) => void;
}

export type ConsoleEvent = { kind: 'refused'; permission: Permission } | { kind: 'subscribed'; filter: unknown; replayed: number };

export interface GatewayServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  url: string;
  close(): void;
}

interface SocketData {
  session: ConsoleSession;
  /** The token the upgrade carried, so the session can be checked again while the socket is open. */
  token: string;
  connection: ConsoleConnection | null;
}

export function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const { config, fanOut, verifySession, sessions, registry, metrics, logger } = options;
  const app = uWS.App();

  app.ws<SocketData>('/ws', {
    compression: uWS.DISABLED,
    maxPayloadLength: config.maxMessageBytes,
    idleTimeout: config.idleTimeoutSeconds,
    sendPingsAutomatically: true,
    // The fan-out keeps each socket under maxBufferedBytes; uWS's own hard limit sits above it
    // with room for one replay, so only the fan-out decides what a slow console misses.
    maxBackpressure: config.maxBufferedBytes + config.replayMaxBytes + 64 * 1024,
    closeOnBackpressureLimit: 0,

    upgrade: (res, req, context) => {
      const key = req.getHeader('sec-websocket-key');
      const extensions = req.getHeader('sec-websocket-extensions');
      const { token, protocol } = upgradeCredentials(req.getQuery('token'), req.getHeader('sec-websocket-protocol'));
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      const refuse = (status: number, code: string, message: string): void => {
        metrics.refusedUpgrades.inc();
        if (!aborted) res.cork(() => writeError(res, status, code, message, true));
      };
      if (token === null) {
        refuse(401, 'NO_SESSION', 'a session token is required: /ws?token=… or the subprotocol "bearer.<token>"');
        return;
      }
      verifySession(token).then(
        (session) => {
          if (session === null) return refuse(401, 'BAD_SESSION', 'the session token is unknown or expired; log in again');
          // Live hits are for patrol and dispatch (storage/permissions.ts: hits.view). The refusal is
          // logged by the verifier's owner when it has a RefusalLog (bin/system.ts).
          if (!mayPerform(session.roles, 'hits.view')) {
            options.onConsoleEvent?.(session, { kind: 'refused', permission: 'hits.view' });
            return refuse(403, 'ROLE_REQUIRED', `live hits need one of the roles ${rolesAllowed('hits.view').join(', ')}`);
          }
          if (aborted) return;
          res.cork(() => res.upgrade<SocketData>({ session, token, connection: null }, key, protocol, extensions, context));
        },
        (error: unknown) => {
          logger.error({ err: error }, 'session check failed');
          refuse(503, 'SESSION_CHECK_FAILED', 'the session could not be checked; try again');
        },
      );
    },

    open: (ws) => {
      const data = ws.getUserData();
      data.connection = fanOut.connect(consoleSocket(ws), data.session);
      // At once, not a heartbeat later: a link that dies in its first seconds would otherwise show
      // "Live" until the first one came (QA), as the console watches only once it knows the interval.
      ws.send(heartbeatFrame(config.heartbeatMs));
      sessions.track(data.connection, data.token);
      logger.info({ user: data.session.user }, 'console connected');
    },

    message: (ws, message) => {
      const c = ws.getUserData().connection;
      if (c === null) return;
      const parsed = parseClientMessage(message);
      if (!parsed.ok) {
        ws.send(errorFrame('BAD_MESSAGE', parsed.reason));
        return;
      }
      const subscribed = fanOut.subscribe(c, parsed.message.filter);
      if (subscribed.ok) options.onConsoleEvent?.(c.session, { kind: 'subscribed', filter: parsed.message.filter ?? {}, replayed: subscribed.replayed });
    },

    drain: (ws) => {
      const c = ws.getUserData().connection;
      if (c !== null) fanOut.drained(c);
    },

    close: (ws, code) => {
      const data = ws.getUserData();
      if (data.connection !== null) {
        fanOut.disconnect(data.connection);
        sessions.untrack(data.connection);
      }
      logger.info({ user: data.session.user, code }, 'console disconnected');
    },
  });

  const monitoring = new MonitoringAccess({ token: config.metricsToken, trustedProxies: config.trustedProxies });
  app.get('/healthz', jsonEndpoint((request) => {
    const { nats, feed, storage } = options.health();
    const ok = nats.ok && feed.ok && (storage?.ok ?? true);
    const status = ok ? 200 : 503;
    // A load balancer elsewhere needs only up or down; the rest (NATS's address) is for this machine.
    if (!monitoring.mayReadHealthDetails(request)) return { status, body: { ok } };
    return { status, body: { ok, nats, feed, ...(storage === undefined ? {} : { storage }), consoles: fanOut.size } };
  }, config.maxBodyBytes, logger));

  app.get('/metrics', jsonEndpoint(async (request) => {
    monitoring.checkMetrics(request);
    return { status: 200, text: { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: await registry.render() } };
  }, config.maxBodyBytes, logger));

  serveConsoleFiles(app, undefined, imageSources(config.imageOrigins, config.imageUrlTemplate).origins);

  for (const route of options.routes ?? []) app[route.method](route.pattern, jsonEndpoint(withCheckedQuery(route), config.maxBodyBytes, logger, route.textBody));

  const known: ReadonlyArray<Pick<JsonRoute, 'method' | 'pattern'>> = [
    { method: 'get', pattern: '/healthz' },
    { method: 'get', pattern: '/metrics' },
    ...(options.routes ?? []),
  ];
  app.any('/*', (res, req) => {
    const url = req.getUrl();
    const method = req.getMethod().toUpperCase();
    // uWS sends only upgrade requests to the ws handler; a plain GET of /ws lands here.
    if (url === '/ws') return writeError(res, 426, 'UPGRADE_REQUIRED', '/ws takes WebSocket upgrades only (the console connects there)', false, { upgrade: 'websocket' });
    const allowed = methodsAllowed(url, known);
    if (allowed.length > 0) return writeError(res, 405, 'METHOD_NOT_ALLOWED', `${url} takes ${allowed.join(', ')}, not ${method}`, false, { allow: allowed.join(', ') });
    writeError(res, 404, 'NOT_FOUND', `no such endpoint: ${method} ${url}`, false);
  });

  return new Promise((resolve, reject) => {
    app.listen(config.host, config.port, (listenSocket) => {
      if (listenSocket === false) {
        // Named by setting and environment variable, as the configuration's own errors are (bin/config.ts).
        reject(new GatewayError(
          'GATEWAY_LISTEN_FAILED',
          `cannot listen on ${config.host}:${config.port} (in use, or not permitted): set another gateway.port (PLATEWATCH_HTTP_PORT), ` +
            'or 0 for a free one, or check gateway.host (PLATEWATCH_HTTP_HOST)',
        ));
        return;
      }
      const port = uWS.us_socket_local_port(listenSocket as unknown as uWS.us_socket);
      resolve({
        port,
        // An IPv6 address goes in brackets in a URL.
        url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
        close: () => {
          uWS.us_listen_socket_close(listenSocket);
          fanOut.closeAll('gateway shutting down');
          // close() exists at runtime (it ends every socket) but is missing from this build's typings.
          (app as unknown as { close(): void }).close();
        },
      });
    });
  });
}

/** The methods (upper case) of the routes whose pattern matches `url`: `:name` matches one non-empty segment. */
export function methodsAllowed(url: string, routes: ReadonlyArray<Pick<JsonRoute, 'method' | 'pattern'>>): string[] {
  const segments = url.split('/');
  const methods = new Set<string>();
  for (const { method, pattern } of routes) {
    const parts = pattern.split('/');
    if (parts.length === segments.length && parts.every((p, i) => (p.startsWith(':') ? segments[i] !== '' : p === segments[i]))) {
      methods.add(method === 'del' ? 'DELETE' : method.toUpperCase());
    }
  }
  return [...methods].sort();
}

/** Adapts a uWS socket to the fan-out's interface; send status 2 means uWS dropped the frame. */
function consoleSocket(ws: uWS.WebSocket<SocketData>): ConsoleSocket {
  return {
    send: (frame) => ws.send(frame, false) !== 2,
    bufferedAmount: () => ws.getBufferedAmount(),
    cork: (sends) => void ws.cork(sends),
    end: (code, reason) => ws.end(code, reason),
  };
}
