// Real components for the gateway tests: a nats-server with the HITS stream, a gateway on a free
// port with a small in-memory session store (a real implementation of SessionVerifier), hits
// published to alpr.hits.* as the pipeline publishes them, and `ws` consoles that record frames.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import WebSocket from 'ws';
import { startGateway, type ConsoleSession, type GatewayConfig, type GatewayOptions, type RunningGateway, type SessionVerifier } from '../../gateway/index.js';
import { encodeHitMessage, ensureStreams, HIT_MESSAGE_VERSION, hitId, hitsSubject, MetricsRegistry, startLocalNatsServer, type HitMessage, type LocalNatsServer } from '../../ingest/index.js';

export interface Harness {
  nats: LocalNatsServer;
  nc: NatsConnection;
  js: JetStreamClient;
  gateway: RunningGateway;
  registry: MetricsRegistry;
  sessions: Map<string, ConsoleSession>;
  wsUrl: string;
  stop(): Promise<void>;
}

export async function startHarness(config: Partial<GatewayConfig> = {}, routes: GatewayOptions['routes'] = [], logger: Logger = pino({ level: 'silent' })): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'platewatch-gateway-'));
  const nats = await startLocalNatsServer({ storeDir: join(dir, 'nats') });
  const sessions = new Map<string, ConsoleSession>([
    ['tok-dispatch', { user: 'dispatcher1', roles: ['dispatcher'] }],
    ['tok-wpd', { user: 'officer-wpd', roles: ['officer'], agencies: ['wpd'] }],
  ]);
  const verifySession: SessionVerifier = async (token) => sessions.get(token) ?? null;
  const registry = new MetricsRegistry();
  let nc: NatsConnection | undefined;
  let js: JetStreamClient;
  let gateway: RunningGateway;
  try {
    nc = await connect({ servers: nats.url });
    await ensureStreams(await jetstreamManager(nc));
    js = jetstream(nc);
    gateway = await startGateway({ nc, js, verifySession, registry, logger, config: { port: 0, ...config }, routes });
  } catch (error) {
    // Leave no nats-server behind when the gateway cannot start.
    await nc?.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const connection = nc;
  return {
    nats,
    nc: connection,
    js,
    gateway,
    registry,
    sessions,
    wsUrl: `ws://127.0.0.1:${gateway.port}/ws`,
    stop: async () => {
      await gateway.stop();
      await connection.close();
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface HitSpec {
  readId: string;
  agency?: string;
  list?: string;
  camera?: string;
  lat?: number;
  lon?: number;
  /** Padding in the synopsis, to make frames large (backpressure tests). */
  padding?: number;
  publishedAt?: number;
}

export function hitMessage(spec: HitSpec): HitMessage {
  const agency = spec.agency ?? 'wpd';
  const list = spec.list ?? 'SVS';
  const plate = '7ABC123';
  const now = spec.publishedAt ?? Date.now();
  const camera = spec.camera ?? 'cam1';
  return {
    v: HIT_MESSAGE_VERSION,
    // Tests name a hit by its read id alone (hitMessage again gives the same id): the read's time
    // is left out of this made-up hit's id, where the pipeline's includes it.
    hitId: hitId({ id: spec.readId, agency, camera, ts: 0 }, list, plate),
    publishedAt: now,
    historical: false,
    read: { v: 1, id: spec.readId, agency, camera, ts: now - 5, conf: 0.93, plate, state: 'CA', ...(spec.lat !== undefined ? { lat: spec.lat, lon: spec.lon } : {}) },
    hit: {
      list,
      listVersion: 1,
      entry: plate,
      kind: 'exact',
      distance: 0,
      ocrSubstitutions: 0,
      positions: [],
      candidate: 0,
      plate,
      conf: 0.93,
      stateMatch: true,
      vehicleMismatch: [],
      reason: 'STOLEN',
      caseNumber: '26-0042',
      enteredBy: 'Ofc. Test',
      synopsis: 'gray sedan' + 'x'.repeat(spec.padding ?? 0),
    },
  };
}

/** Publishes as the pipeline does; `msgID: null` skips JetStream's dedupe so a duplicate reaches the gateway. */
export async function publishHit(js: JetStreamClient, message: HitMessage, msgID: string | null = message.hitId): Promise<void> {
  await js.publish(hitsSubject(message.read.agency, message.hit.list), encodeHitMessage(message), msgID === null ? {} : { msgID });
}

export type Frame = { type: string; [key: string]: unknown };

/** A pino logger whose lines (parsed) land in `lines`, for tests of what the gateway logs. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>>; text: () => string } {
  const raw: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of String(chunk).split('\n')) {
        if (line === '') continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines, text: () => raw.join('\n') };
}

/**
 * A console: a `ws` client that records every frame it receives, heartbeats apart (they come every
 * `heartbeatMs` whatever happens, so a test's frames would differ with its running time).
 */
export class TestConsole {
  readonly frames: Frame[] = [];
  /** The heartbeat frames received, newest last. */
  readonly heartbeats: Frame[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      (frame.type === 'heartbeat' ? this.heartbeats : this.frames).push(frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(url: string, options: { token?: string; protocols?: string[] } = {}): Promise<TestConsole> {
    const target = options.token !== undefined ? `${url}?token=${encodeURIComponent(options.token)}` : url;
    const ws = new WebSocket(target, options.protocols ?? []);
    const testConsole = new TestConsole(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(testConsole));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  /** Subscribes and waits for the replay that answers it. */
  async subscribe(filter: unknown = {}): Promise<Frame> {
    const before = this.frames.length;
    this.ws.send(JSON.stringify({ type: 'subscribe', filter }));
    return this.waitFor((f, i) => i >= before && (f.type === 'replay' || f.type === 'error'));
  }

  hits(): Frame[] {
    return this.frames.filter((f) => f.type === 'hit');
  }

  hitIds(): string[] {
    return this.hits().map((f) => f['hitId'] as string);
  }

  /** Resolves with the first frame (at or after index 0) that satisfies `test`. */
  async waitFor(test: (frame: Frame, index: number) => boolean, timeoutMs = 20_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(test);
      if (i >= 0) return this.frames[i] as Frame;
      if (Date.now() > deadline) throw new Error(`console: timed out; frames seen: ${this.frames.map((f) => f.type).join(',')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitForHits(count: number, timeoutMs = 20_000): Promise<void> {
    await this.waitFor(() => this.hits().length >= count, timeoutMs);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
