// The embedded nats-server requires credentials (bin/embedded-nats-auth.ts), against a real
// nats-server started by the system as `up` starts it: a client without them is refused; a camera
// may publish reads, which are stored and matched, and nothing else (no hits, no reads, no hot list
// store, not the system's inbox); the system's own connections do everything through their inbox
// prefix; the passwords are kept 0600 and survive a restart.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { pack } from 'msgpackr';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  embeddedNatsAuthFile, EmbeddedNatsAuthError, loadOrCreateEmbeddedNatsAuth, SYSTEM_INBOX_PREFIX, systemConnectOptions,
} from '../../bin/embedded-nats-auth.js';
import { startSystem, type RunningSystem } from '../../bin/system.js';
import {
  decodeHitMessage, HOTLISTS_BUCKET, natsServerConfigFile, openHotlistStore, openVersionClaims, publishHotlist, READS_STREAM, readHotlist, readsSubject, type HitMessage,
} from '../../ingest/index.js';
import { resolveMatcherConfig, validateEntry } from '../../matcher/index.js';
import { runCliInProcess } from '../fixtures/cli.js';
import { connectToEmbeddedNats, embeddedNatsAuth } from '../fixtures/embedded-nats.js';
import { until } from '../reliability/fixtures.js';

const config = resolveMatcherConfig();
const dir = mkdtempSync(join(tmpdir(), 'platewatch-embedded-nats-auth-'));
const dataDir = join(dir, 'data');
let system: RunningSystem | undefined;
const connections: NatsConnection[] = [];

function started(): RunningSystem {
  if (system === undefined) throw new Error('the system has not started');
  return system;
}

async function startOnDataDir(): Promise<RunningSystem> {
  system = await startSystem({ dataDir, matcher: config, logger: pino({ level: 'silent' }), gateway: false, retroactiveDays: 0, storage: { batchDelayMs: 50 } });
  return system;
}

async function asCamera(): Promise<NatsConnection> {
  const nc = await connectToEmbeddedNats(dataDir, started().natsUrl, { reconnect: false }, 'camera');
  connections.push(nc);
  return nc;
}

/** The error a subscription was closed with (a permissions violation), or null while it stays open. */
async function closedWith(sub: Subscription, nc: NatsConnection): Promise<Error | null> {
  await nc.flush();
  const closed = await Promise.race([sub.closed, new Promise<'open'>((r) => setTimeout(() => r('open'), 2_000))]);
  return closed instanceof Error ? closed : null;
}

beforeAll(async () => {
  const s = await startOnDataDir();
  const entry = validateEntry({ plate: '7ABC123', list: 'SVS', reason: 'Stolen vehicle' }, config);
  if (!entry.ok) throw new Error(entry.reason);
  await publishHotlist(s.hotlists, 'SVS', [entry.entry], 'test');
  await until('the list in use', async () => (s.matcher.lists().length === 1 ? true : undefined));
}, 120_000);

afterAll(async () => {
  for (const nc of connections) if (!nc.isClosed()) await nc.close();
  await system?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the embedded nats-server', () => {
  it('refuses a client without credentials, and one with a wrong password', async () => {
    await expect(connect({ servers: started().natsUrl, reconnect: false, timeout: 2_000 })).rejects.toThrow(/Authorization Violation/i);
    const auth = await embeddedNatsAuth(dataDir);
    await expect(connect({ servers: started().natsUrl, reconnect: false, timeout: 2_000, user: 'camera', pass: `${auth.camera.password}x` })).rejects.toThrow(/Authorization Violation/i);
  });

  it('lets a camera publish a read that is stored and matched, with its JetStream ack', async () => {
    const s = started();
    const hits: HitMessage[] = [];
    const hitSub = s.nc.subscribe('alpr.hits.>', { callback: (_err, msg) => void hits.push(decodeHitMessage(msg.data)) });
    try {
      const camera = await asCamera();
      const ack = await jetstream(camera).publish(readsSubject('wpd', 'cam1'), pack({ v: 1, id: 'camera-read-1', agency: 'wpd', camera: 'cam1', ts: Date.now(), conf: 0.9, plate: '7ABC123' }), { msgID: 'camera-read-1' });
      expect(ack.stream).toBe(READS_STREAM);
      await until('the hit', async () => (hits.some((h) => h.read.id === 'camera-read-1') ? true : undefined));
      await until('the read stored', async () => {
        const rs = await s.storage.client.query({ query: `SELECT count() AS n FROM ${s.storage.db}.detections WHERE read_id = 'camera-read-1'`, format: 'JSONEachRow' });
        return Number(((await rs.json()) as Array<{ n: string }>)[0]?.n) === 1 ? true : undefined;
      });
    } finally {
      hitSub.unsubscribe();
    }
  }, 60_000);

  it('refuses a camera hits, reads, the system inbox and anything but reads to publish', async () => {
    const camera = await asCamera();
    for (const subject of ['alpr.hits.>', 'alpr.reads.>', `${SYSTEM_INBOX_PREFIX}.>`, '>', '$O.>', 'alpr.dispositions']) {
      expect(await closedWith(camera.subscribe(subject), camera), `subscribe ${subject}`).toMatchObject({ message: expect.stringMatching(/permissions violation/i) });
    }
    // A forged hit does not reach the system's own subscription.
    const heard: string[] = [];
    const sub = started().nc.subscribe('alpr.>', { callback: (_err, msg) => void heard.push(msg.subject) });
    camera.publish('alpr.hits.wpd.SVS', pack({ forged: true }));
    camera.publish('alpr.dispositions', pack({ forged: true }));
    await camera.flush();
    await started().nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    sub.unsubscribe();
    expect(heard).toEqual([]);
  });

  it('refuses a camera the hot list store, for reading and for writing', async () => {
    const s = started();
    const camera = await asCamera();
    const js = jetstream(camera, { timeout: 2_000 });
    await expect(openHotlistStore(js)).rejects.toThrow();
    await expect(jetstreamManager(camera, { timeout: 2_000 })).rejects.toThrow();
    // Straight to the store's subjects, past the JetStream API: refused, and the list is unchanged.
    const before = await s.hotlists.info('SVS');
    await expect(js.publish(`$O.${HOTLISTS_BUCKET}.C.forged`, new Uint8Array([1, 2, 3]))).rejects.toThrow();
    await expect(js.publish(`$O.${HOTLISTS_BUCKET}.M.U1ZT`, new TextEncoder().encode('{}'))).rejects.toThrow();
    expect((await s.hotlists.info('SVS'))?.revision).toBe(before?.revision);
    expect(await readHotlist(s.hotlists, 'SVS')).toHaveLength(1);
  });

  it("gives a camera's read acks no way into the system's JetStream: a reply subject it names cannot purge a stream or overwrite a hot list", async () => {
    const s = started();
    const camera = await asCamera();
    const jsm = await jetstreamManager(s.nc);
    const before = await s.hotlists.info('SVS');
    const hitsBefore = (await jsm.streams.info('HITS')).state.messages;
    // The server acknowledges a read on the reply subject the publisher names, with no permission
    // check. In the system's account these purged the hot list store and HITS, and overwrote SVS's
    // metadata, so that the stolen-vehicle list stopped alerting (verification QA).
    const attacks = [`$JS.API.STREAM.PURGE.OBJ_${HOTLISTS_BUCKET}`, '$JS.API.STREAM.PURGE.HITS', `$O.${HOTLISTS_BUCKET}.M.U1ZT`, 'alpr.hits.wpd.SVS', '$KV.platewatch_version_claims.x'];
    for (const [i, reply] of attacks.entries()) {
      camera.publish(readsSubject('wpd', 'cam1'), pack({ v: 1, id: `reply-attack-${i}`, agency: 'wpd', camera: 'cam1', ts: Date.now(), conf: 0.9, plate: '1ZZZ999' }), { reply });
    }
    await camera.flush();
    await until('the reads stored', async () => {
      const rs = await s.storage.client.query({ query: `SELECT count() AS n FROM ${s.storage.db}.detections WHERE read_id LIKE 'reply-attack-%'`, format: 'JSONEachRow' });
      return Number(((await rs.json()) as Array<{ n: string }>)[0]?.n) === attacks.length ? true : undefined;
    });
    expect((await s.hotlists.info('SVS'))?.revision).toBe(before?.revision);
    expect(await readHotlist(s.hotlists, 'SVS')).toHaveLength(1);
    expect((await jsm.streams.info('HITS')).state.messages).toBe(hitsBefore);
  }, 60_000);

  it('lets the system user do everything through its inbox prefix, and refuses it the cameras\' inbox', async () => {
    const s = started();
    expect(s.natsConnect).toMatchObject({ user: 'platewatch', inboxPrefix: SYSTEM_INBOX_PREFIX });
    const nc = await connect({ ...s.natsConnect, reconnect: false });
    connections.push(nc);
    const js = jetstream(nc, { timeout: 5_000 });
    // The JetStream API, the object store (a watch and an ordered consumer) and KV: each replies to the inbox prefix.
    expect((await (await jetstreamManager(nc)).streams.info(READS_STREAM)).config.name).toBe(READS_STREAM);
    expect(await readHotlist(await openHotlistStore(js), 'SVS')).toHaveLength(1);
    await openVersionClaims(js);
    // A request that ignored the prefix would arrive where a camera may listen: it is refused instead.
    const careless = await connect({ servers: s.natsConnect.servers, user: s.natsConnect.user, pass: s.natsConnect.pass, reconnect: false } as Parameters<typeof connect>[0]);
    connections.push(careless);
    await expect(jetstreamManager(careless, { timeout: 2_000 })).rejects.toThrow();
  });
});

describe('a command given a NATS that asks for credentials it was not given', () => {
  it('says which settings carry them (verification QA: it said only "Authorization Violation")', async () => {
    const res = await runCliInProcess(['hotlist', 'list'], { env: { NATS_URL: started().natsUrl, PLATEWATCH_DATA_DIR: join(dir, 'elsewhere') } });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr, res.stderr).toMatch(/Authorization Violation \(give the NATS credentials: NATS_USER and NATS_PASSWORD, NATS_TOKEN or NATS_CREDS, or in NATS_URL\)/);
  });
});

describe('the embedded NATS credentials', () => {
  it('are kept 0600 and reused when the system starts again: a configured camera still connects', async () => {
    const file = embeddedNatsAuthFile(dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(natsServerConfigFile(join(dataDir, 'nats'))).mode & 0o777).toBe(0o600);
    const before = await readFile(file, 'utf8');
    const auth = JSON.parse(before) as { camera: { user: string; password: string } };
    expect(auth.camera.user).toBe('camera');
    expect(auth.camera.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await started().stop();
    system = undefined;
    await startOnDataDir();
    expect(await readFile(file, 'utf8')).toBe(before);
    const camera = await connect({ servers: started().natsUrl, user: 'camera', pass: auth.camera.password, reconnect: false });
    connections.push(camera);
    await jetstream(camera).publish(readsSubject('wpd', 'cam1'), pack({ v: 1, id: 'after-restart', agency: 'wpd', camera: 'cam1', ts: Date.now(), conf: 0.9, plate: '1XYZ234' }));
  }, 120_000);

  it('are refused, not replaced, when the file is malformed', async () => {
    const other = join(dir, 'malformed');
    await loadOrCreateEmbeddedNatsAuth(other);
    const file = embeddedNatsAuthFile(other);
    for (const text of ['{"system": ', '{}', JSON.stringify({ system: { user: 'platewatch', password: 'short' }, camera: { user: 'camera', password: 'x'.repeat(43) } })]) {
      writeFileSync(file, text);
      const error = await loadOrCreateEmbeddedNatsAuth(other).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbeddedNatsAuthError);
      expect(error).toMatchObject({ code: 'EMBEDDED_NATS_AUTH_MALFORMED', message: expect.stringContaining(file) });
      expect(await readFile(file, 'utf8')).toBe(text);
    }
  });

  it('are made anew, different for each data directory, where there are none', async () => {
    const { auth: a, origin } = await loadOrCreateEmbeddedNatsAuth(join(dir, 'a'));
    expect(origin).toBe('new');
    const { auth: b } = await loadOrCreateEmbeddedNatsAuth(join(dir, 'b'));
    expect(a.system.password).not.toBe(b.system.password);
    expect(a.camera.password).not.toBe(a.system.password);
    expect(systemConnectOptions(a)).toEqual({ user: 'platewatch', pass: a.system.password, inboxPrefix: SYSTEM_INBOX_PREFIX });
    expect(await loadOrCreateEmbeddedNatsAuth(join(dir, 'a'))).toEqual({ auth: a, origin: 'file' });
  });

  it('are read back from the server\'s config file when auth.json is lost, so configured cameras keep working; made anew only with both gone, and said so', async () => {
    const s = started();
    const { auth } = await loadOrCreateEmbeddedNatsAuth(dataDir);
    rmSync(embeddedNatsAuthFile(dataDir));
    // The running system's config file still has the passwords (verification QA: a restart made new ones, silently).
    expect(await loadOrCreateEmbeddedNatsAuth(dataDir)).toEqual({ auth, origin: 'recovered' });
    expect(JSON.parse(await readFile(embeddedNatsAuthFile(dataDir), 'utf8'))).toEqual(auth);
    // Both lost, on a store that had credentials: new ones, and the caller is told it replaced them.
    const copy = join(dir, 'lost-both');
    mkdirSync(join(copy, 'nats', 'jetstream', 'PLATEWATCH'), { recursive: true });
    const replaced = await loadOrCreateEmbeddedNatsAuth(copy);
    expect(replaced.origin).toBe('replaced');
    expect(replaced.auth.camera.password).not.toBe(auth.camera.password);
    expect(s.natsUrl).toBeDefined();
  });
});
