// A stand-in for the gateway's dispatch side, for the console's browser tests: the console's own
// files, a stand-in login (a dispatcher, and an analyst, who sees hits but answers none), and a /ws
// that sends the frames each test writes (gateway/console-protocol.ts).
import type { WebSocket } from 'ws';
import { permissionsOf } from '../../gateway/index.js';
import { json, readBody, startConsoleServer } from './scripted-gateway.js';

/** A gateway that answers as the real one does for what the dispatch view asks, with scripted frames. */
export interface ScriptedGateway {
  url: string;
  /** The replay frame sent in answer to each subscribe. */
  replay: () => object;
  /** The consoles connected now. */
  sockets: Set<WebSocket>;
  /** Bodies of POST /api/hits/:id/disposition, in order. */
  dispositions: Array<Record<string, unknown>>;
  send(frame: object): void;
  stop(): Promise<void>;
}

const DISPATCHER = { token: 'tok-frames', user: { id: 'dispatcher1', name: 'Dana Reyes', roles: ['dispatcher' as const] } };
const ANALYST = { token: 'tok-analyst', user: { id: 'analyst1', name: 'Ana Lyst', roles: ['analyst' as const] } };

export async function startScriptedGateway(): Promise<ScriptedGateway> {
  const gateway: ScriptedGateway = {
    url: '',
    replay: () => ({ type: 'replay', hits: [] }),
    sockets: new Set(),
    dispositions: [],
    send: (frame) => server.send(frame),
    stop: () => server.stop(),
  };
  const server = await startConsoleServer(async (req, res, path) => {
    // dispatcher1 and, for what a user who sees hits but answers none is offered, analyst1.
    if (req.method === 'POST' && path === '/api/login') {
      const { user } = await readBody(req);
      const who = user === 'analyst1' ? ANALYST : DISPATCHER;
      return json(res, 200, { token: who.token, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), user: who.user, permissions: permissionsOf(who.user.roles) });
    }
    if (path === '/api/me') {
      const who = req.headers.authorization === `Bearer ${ANALYST.token}` ? ANALYST : DISPATCHER;
      return json(res, 200, { user: who.user, permissions: permissionsOf(who.user.roles), expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    }
    if (path === '/api/hotlists') return json(res, 200, { lists: [] });
    const disposition = /^\/api\/hits\/([^/]+)\/disposition$/.exec(path);
    if (req.method === 'POST' && disposition !== null) {
      const body = await readBody(req);
      gateway.dispositions.push(body);
      const notice = { hitId: decodeURIComponent(disposition[1] ?? ''), disposition: body['disposition'], user: 'dispatcher1', at: new Date().toISOString(), visualVerified: body['visualVerified'], cletsVerified: body['cletsVerified'] };
      return json(res, 200, notice);
    }
  }, () => gateway.replay());
  gateway.url = server.url;
  gateway.sockets = server.sockets;
  return gateway;
}
