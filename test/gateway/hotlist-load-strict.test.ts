// POST /api/hotlists/:list/load with "strict": true over the real gateway, nats-server and chDB:
// the refusal names the rows to fix, and a CSV carrying rows of another list is refused as the
// CLI's --strict refuses it, with nothing loaded. "strict" and "allowEmpty" are true or false,
// nothing else: a "yes" read as not-true loaded a file the administrator meant to refuse.
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ObjectStore } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLogRefusals } from '../../bin/refusal-log.js';
import { ApiGuard, authRoutes, CovertLists, hotlistRoutes, startGateway, type RunningGateway } from '../../gateway/index.js';
import { ensureStreams, MetricsRegistry, openHotlistStore, resolveBulkLayout, startLocalNatsServer, type LocalNatsServer } from '../../ingest/index.js';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { AccessLog, CredentialStore, saveUser } from '../../storage/index.js';
import { openTempStorage, type TempStorage } from '../storage/temp-storage.js';

const PASSWORD = 'a long enough passphrase';
const config = resolveMatcherConfig();
let temp: TempStorage;
let nats: LocalNatsServer;
let nc: NatsConnection;
let store: ObjectStore;
let gateway: RunningGateway;
let token = '';

beforeAll(async () => {
  temp = await openTempStorage();
  const accessLog = new AccessLog(temp.storage);
  const credentials = new CredentialStore(temp.storage, accessLog);
  await saveUser(temp.storage, { userId: 'admin1', name: 'User admin1', title: 'administrator', roles: ['administrator'], trainedAt: '2026-01-15', active: true }, 'setup');
  await credentials.setPassword('admin1', PASSWORD, 'setup');
  nats = await startLocalNatsServer({ storeDir: join(temp.dir, 'nats') });
  nc = await connect({ servers: nats.url });
  await ensureStreams(await jetstreamManager(nc));
  const js = jetstream(nc);
  store = await openHotlistStore(js);
  gateway = await startGateway({
    nc, js, registry: new MetricsRegistry(), logger: pino({ level: 'silent' }), config: { port: 0 },
    verifySession: (t) => credentials.verify(t),
    routes: () => [
      ...authRoutes({ authenticator: credentials }),
      ...hotlistRoutes({
        guard: new ApiGuard(credentials, accessLogRefusals(accessLog)), hotlists: { storage: temp.storage, accessLog, config }, store,
        covert: new CovertLists({}), staleAfterMs: 24 * 3600 * 1000, immigrationMessageKeys: ['EIV', 'IV'],
        layouts: { ncic: resolveBulkLayout({ format: 'delimited', fields: { MKE: 'MKE', LIC: 'LIC', LIS: 'LIS' } }) },
      }),
    ],
  });
  const res = await fetch(`${gateway.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'admin1', password: PASSWORD }) });
  token = ((await res.json()) as { token: string }).token;
});

afterAll(async () => {
  await gateway?.stop();
  await nc?.close();
  await nats?.stop();
  await temp?.cleanup();
});

async function load(list: string, body: unknown): Promise<{ status: number; error: { code?: string; message?: string } | undefined; reply: Record<string, unknown> }> {
  const res = await fetch(`${gateway.url}/api/hotlists/${list}/load`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const reply = (await res.json()) as { error?: { code?: string; message?: string } };
  return { status: res.status, error: reply.error, reply };
}

describe('POST /api/hotlists/:list/load with strict', () => {
  it('names the rejected rows in the refusal, so the administrator knows what to fix', async () => {
    const reply = await load('SVS', { text: 'MKE,LIC,LIS\nEV,7ABC123,CA\nEV,7ABC123,CA\nEV,BAD!,CA\n', layout: 'ncic', strict: true });
    expect(reply.status).toBe(400);
    expect(reply.error?.code).toBe('ROWS_REJECTED');
    expect(reply.error?.message).toContain('line 3: duplicate of line 2');
    expect(reply.error?.message).toContain('line 4: ');
    expect(await store.info('SVS')).toBeNull();
  });

  it('refuses a CSV with rows of another list, as the CLI does, and loads nothing', async () => {
    const text = 'plate,state,list,reason,case_number,entered_by,synopsis\n7ABC123,CA,SFR,Felony,,,\n8XYZ999,CA,SLR,Stolen plate,,,\n';
    const reply = await load('SFR', { text, strict: true });
    expect(reply.status).toBe(400);
    expect(reply.error?.code).toBe('ROWS_REJECTED');
    expect(reply.error?.message).toContain('line 3: row of list SLR, not SFR: skipped');
    expect(await store.info('SFR')).toBeNull();
    // Without strict the other list's rows are reported, each with its line, and skipped.
    const loaded = await load('SFR', { text });
    expect(loaded.status).toBe(200);
    expect(JSON.stringify(loaded.reply)).toContain('{"line":3,"reason":"row of list SLR, not SFR: skipped"}');
  });

  it('refuses "strict" or "allowEmpty" that is not true or false, naming the field, and loads nothing', async () => {
    const text = 'MKE,LIC,LIS\nEV,7ABC123,CA\nEV,BAD!,CA\n';
    for (const [field, value] of [['strict', 'yes'], ['strict', 1], ['strict', 'false'], ['allowEmpty', 'no'], ['allowEmpty', 0]] as const) {
      const reply = await load('SLR', { text, layout: 'ncic', [field]: value });
      expect({ field, value, status: reply.status, code: reply.error?.code, message: reply.error?.message }).toEqual({ field, value, status: 400, code: 'INVALID', message: `"${field}" must be true or false` });
    }
    expect(await store.info('SLR')).toBeNull();
    // Left out (or null), each is false: the bad row is reported and the rest loaded.
    expect((await load('SLR', { text, layout: 'ncic', strict: null })).status).toBe(200);
  });
});
