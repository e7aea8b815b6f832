// The benchmark's baseline: the same hit feed and fan-out as gateway/, served by the `ws` library
// on node:http instead of uWebSockets.js. Only the transport differs, so the comparison measures
// the transport. Not for production: no HTTP API, query-string token only.
import http from 'node:http';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  createGatewayMetrics,
  FanOut,
  HitFeed,
  parseClientMessage,
  resolveGatewayConfig,
  upgradeCredentials,
  type ConsoleSession,
  type ConsoleSocket,
  type GatewayConfig,
  type SessionVerifier,
} from '../../gateway/index.js';
import type { MetricsRegistry } from '../../ingest/index.js';

export interface WsGateway {
  port: number;
  stop(): Promise<void>;
}

export async function startWsGateway(options: { js: JetStreamClient; verifySession: SessionVerifier; registry: MetricsRegistry; logger: Logger; config?: Partial<GatewayConfig> }): Promise<WsGateway> {
  const config = resolveGatewayConfig(options.config);
  const metrics = createGatewayMetrics(options.registry);
  const holder: { feed: HitFeed | null } = { feed: null };
  const fanOut = new FanOut(config, { recentHits: (now) => holder.feed?.recentHits(now) ?? [] }, metrics, options.logger);
  const feed = new HitFeed(config, fanOut, metrics, options.logger);
  holder.feed = feed;
  await feed.start(options.js);

  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: config.maxMessageBytes });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { token } = upgradeCredentials(url.searchParams.get('token') ?? undefined, String(req.headers['sec-websocket-protocol'] ?? ''));
    const session = token === null ? Promise.resolve(null) : options.verifySession(token);
    void session.then((s) => {
      if (s === null) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, s));
    });
  });

  function onConnection(ws: WebSocket, session: ConsoleSession): void {
    const raw = (ws as unknown as { _socket: import('node:net').Socket })._socket;
    const socket: ConsoleSocket = {
      send: (frame) => {
        ws.send(frame, { binary: false });
        return true;
      },
      bufferedAmount: () => ws.bufferedAmount,
      cork: (sends) => {
        raw.cork();
        sends();
        raw.uncork();
      },
      end: (code, reason) => ws.close(code, reason),
    };
    const c = fanOut.connect(socket, session);
    ws.on('message', (data: Buffer) => {
      const parsed = parseClientMessage(data);
      if (parsed.ok) fanOut.subscribe(c, parsed.message.filter);
    });
    raw.on('drain', () => fanOut.drained(c));
    ws.on('close', () => fanOut.disconnect(c));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    stop: async () => {
      await feed.stop();
      fanOut.closeAll('benchmark over');
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
