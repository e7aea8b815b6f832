// A stand-in for the gateway's HTTP and WebSocket sides: it serves the real console files and
// answers what a browser test scripts, for the frames and answers the real gateway cannot be
// made to give on cue (a replay of a given shape, a broadcast 40 ms after a reply). Tests of the
// console against the real gateway, NATS and chDB are the other files in this folder.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';

const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', html: 'text/html; charset=utf-8' };

export interface ConsoleServer {
  url: string;
  /** The consoles connected now. */
  sockets: Set<WebSocket>;
  /** Sends the frame to every connected console. */
  send(frame: object): void;
  stop(): Promise<void>;
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

/**
 * Starts the server on a free port. `route` answers what the test scripts; a request it leaves
 * unanswered gets a console file, or 404. `replay` is the frame sent in answer to each subscribe.
 */
export async function startConsoleServer(
  route: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<unknown>,
  replay: () => object,
): Promise<ConsoleServer> {
  const sockets = new Set<WebSocket>();
  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      await route(req, res, path);
      if (res.headersSent || res.writableEnded) return;
      const file = path === '/' ? 'index.html' : path.slice(1);
      if (/^[a-z]+(-[a-z]+)*\.(js|css|html)$/.test(file)) {
        res.writeHead(200, { 'content-type': TYPES[file.split('.')[1] ?? ''] ?? 'text/plain', 'cache-control': 'no-cache' }).end(readFileSync(`${CONSOLE_DIR}${file}`));
        return;
      }
      json(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } });
    })();
  });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('platewatch') ? 'platewatch' : false) });
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        if ((JSON.parse(String(data)) as { type?: string }).type === 'subscribe') ws.send(JSON.stringify(replay()));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`,
    sockets,
    send: (frame) => { for (const s of sockets) s.send(JSON.stringify(frame)); },
    stop: async () => {
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
