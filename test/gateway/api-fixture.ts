// Test fixture: a real gateway (uWS, nats-server) serving API routes over the real credential
// store and access log on a temporary chDB, with users of the given roles signed in; `call` makes
// a request as one of them, `errorOf` reads a 4xx answer, `lastLog` a user's newest access record.
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { accessLogRefusals } from '../../bin/refusal-log.js';
import { ApiGuard, authRoutes, startGateway, type JsonRoute, type RunningGateway } from '../../gateway/index.js';
import { ensureStreams, MetricsRegistry, startLocalNatsServer, type LocalNatsServer } from '../../ingest/index.js';
import { AccessLog, CredentialStore, saveUser, setPassword, type UserRole } from '../../storage/index.js';
import { FIXTURE_SCRYPT_LOG_N } from '../fixtures/scrypt.js';
import { openTempStorage, type TempStorage } from '../storage/temp-storage.js';

export const FIXTURE_PASSWORD = 'a long enough passphrase';

export interface ApiFixture {
  temp: TempStorage;
  accessLog: AccessLog;
  base: string;
  call(method: string, path: string, user?: string, body?: unknown): Promise<Response>;
  /** The newest access log record of `user`. */
  lastLog(user: string): Promise<{ action: string; outcome: string; case_number: string; rows_returned: number; detail: string }>;
  stop(): Promise<void>;
}

export interface ApiFixtureOptions {
  /** Each user id with its one role; all trained and active, with FIXTURE_PASSWORD. */
  users: ReadonlyArray<readonly [string, UserRole]>;
  /** The routes under test (sign-in routes are added). */
  routes: (deps: { guard: ApiGuard; accessLog: AccessLog; temp: TempStorage }) => JsonRoute[];
  /** Runs on the storage before the gateway starts (detections to find, say). */
  seed?: (temp: TempStorage) => Promise<void>;
}

export async function startApiFixture(options: ApiFixtureOptions): Promise<ApiFixture> {
  const temp = await openTempStorage();
  let nats: LocalNatsServer | undefined;
  let nc: NatsConnection | undefined;
  let gateway: RunningGateway | undefined;
  const stop = async () => {
    await gateway?.stop();
    await nc?.close();
    await nats?.stop();
    await temp.cleanup();
  };
  try {
    const accessLog = new AccessLog(temp.storage);
    const credentials = new CredentialStore(temp.storage, accessLog);
    // Side by side, hashed cheaply (the product's cost is tested in storage/credentials and the sign-in routes).
    const saved = await Promise.allSettled(options.users.map(async ([id, role]) => {
      await saveUser(temp.storage, { userId: id, name: `User ${id}`, title: role, roles: [role], trainedAt: '2026-01-15', active: true }, 'admin');
      await setPassword(temp.storage, id, FIXTURE_PASSWORD, 'admin', FIXTURE_SCRYPT_LOG_N);
    }));
    const failed = saved.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    await options.seed?.(temp);
    nats = await startLocalNatsServer({ storeDir: join(temp.dir, 'nats') });
    nc = await connect({ servers: nats.url });
    await ensureStreams(await jetstreamManager(nc));
    const guard = new ApiGuard(credentials, accessLogRefusals(accessLog));
    gateway = await startGateway({
      nc, js: jetstream(nc), registry: new MetricsRegistry(), logger: pino({ level: 'silent' }), config: { port: 0 },
      verifySession: (token) => credentials.verify(token),
      routes: [...authRoutes({ authenticator: credentials }), ...options.routes({ guard, accessLog, temp })],
    });
    const base = gateway.url;
    const tokens = new Map<string, string>();
    for (const [user] of options.users) {
      const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password: FIXTURE_PASSWORD }) });
      tokens.set(user, ((await res.json()) as { token: string }).token);
    }
    return {
      temp, accessLog, base, stop,
      call(method, path, user, body) {
        const headers: Record<string, string> = {};
        if (user !== undefined) headers['authorization'] = `Bearer ${tokens.get(user)}`;
        if (body !== undefined) headers['content-type'] = 'application/json';
        return fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      },
      async lastLog(user) {
        const rs = await temp.storage.client.query({
          query: `SELECT action, outcome, case_number, rows_returned, detail FROM ${temp.storage.db}.access_log WHERE user_id = {u:String} ORDER BY seq DESC LIMIT 1`,
          query_params: { u: user }, format: 'JSONEachRow',
        });
        const row = ((await rs.json()) as Array<{ action: string; outcome: string; case_number: string; rows_returned: number | string; detail: string }>)[0];
        if (row === undefined) throw new Error(`no access log record of ${user}`);
        return { ...row, rows_returned: Number(row.rows_returned) };
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A 4xx/5xx answer's status with its `{error: {code, message}}`. */
export async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, ...body.error };
}
