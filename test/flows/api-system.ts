// Test helper: the whole system as `platewatch up` starts it (real nats-server, real chDB, the
// gateway with every API route), with one signed-in user per role, plus an untrained user and one
// whose training has lapsed, for the API flow tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startSystem, type RunningSystem, type SystemOptions } from '../../bin/system.js';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { saveUser, setPassword, USER_ROLES, type User, type UserRole } from '../../storage/index.js';
import { FIXTURE_SCRYPT_LOG_N } from '../fixtures/scrypt.js';

export const PASSWORD = 'correct horse battery lamp post';

export interface ApiSystem {
  system: RunningSystem;
  base: string;
  dir: string;
  /** Session token of the user `<role>1` (e.g. `officer1`), who has only that role. */
  token(role: UserRole): string;
  call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export async function startApiSystem(options: Partial<SystemOptions> = {}): Promise<ApiSystem> {
  const dir = mkdtempSync(join(tmpdir(), 'platewatch-api-'));
  const system = await startSystem({
    dataDir: dir, matcher: resolveMatcherConfig({}), logger: pino({ level: 'silent' }), storage: { batchDelayMs: 50 }, retroactiveDays: 0, ...options,
  });
  const base = system.gateway?.url as string;
  const call: ApiSystem['call'] = async (method, path, token, body) => {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  };
  const tokens = new Map<UserRole, string>();
  // A setup that fails must not leave the system's nats-server behind: vitest ends the worker
  // without the exit handlers that would stop it, and the test's afterAll never sees a system.
  try {
    // Users side by side (logins arrive together in production too), their passwords hashed at
    // scrypt 2^FIXTURE_SCRYPT_LOG_N: each of their sign-ins, hundreds across the browser and API
    // tests, checks at the cost stored with the hash. The product's own cost (2^15) is what
    // test/storage/credentials.test.ts and test/gateway/auth-routes.test.ts sign in against.
    const ready = async (role: UserRole): Promise<void> => {
      const id = `${role}1`;
      await saveUser(system.storage, { userId: id, name: `${role} one`, title: role, roles: [role], trainedAt: '2026-01-15', active: true }, 'setup');
      await setPassword(system.storage, id, PASSWORD, 'setup', FIXTURE_SCRYPT_LOG_N);
      const login = await call('POST', '/api/login', undefined, { user: id, password: PASSWORD });
      if (login.status !== 200) throw new Error(`login of ${id} failed: ${JSON.stringify(login.body)}`);
      tokens.set(role, login.body['token'] as string);
    };
    const others = async (user: User): Promise<void> => {
      await saveUser(system.storage, user, 'setup');
      await setPassword(system.storage, user.userId, PASSWORD, 'setup', FIXTURE_SCRYPT_LOG_N);
    };
    // Settled, not all: a failure stops the system below only once nothing else is writing to it.
    const settled = await Promise.allSettled([
      ...USER_ROLES.map(ready),
      others({ userId: 'rookie', name: 'R. Ookie', title: 'Officer', roles: ['officer'], trainedAt: null, active: true }),
      others({ userId: 'lapsed', name: 'L. Apsed', title: 'Officer', roles: ['officer', 'analyst'], trainedAt: '2024-01-01', trainingExpiresAt: '2025-01-01', active: true }),
    ]);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } catch (error) {
    await system.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    system,
    base,
    dir,
    token: (role) => tokens.get(role) as string,
    call,
    stop: async () => {
      await system.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Access log records for `user` with `outcome`, oldest first. */
export async function accessRecords(api: ApiSystem, user: string, outcome?: string): Promise<Array<Record<string, string>>> {
  const { storage } = api.system;
  const rs = await storage.client.query({
    query: `SELECT action, outcome, params, detail, case_number, reason, toString(rows_returned) AS rows_returned FROM ${storage.db}.access_log
             WHERE user_id = {user:String} ${outcome === undefined ? '' : 'AND outcome = {outcome:String}'} ORDER BY at, seq`,
    query_params: { user, outcome },
    format: 'JSONEachRow',
  });
  return rs.json<Record<string, string>>();
}
