// Every API action names the roles allowed (storage/permissions.ts); every other role is refused
// with 403 and the refusal is on the access log (Watsonville §471.7(b)), and every allowed role
// gets past the door. Untrained users and users whose training lapsed cannot sign in at all
// (§471.5(d), §471.10). Runs against the whole system as `platewatch up` starts it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSION_NAMES, PERMISSIONS, USER_ROLES, type Permission, type UserRole } from '../../storage/index.js';
import { accessRecords, PASSWORD, startApiSystem, type ApiSystem } from './api-system.js';

let api: ApiSystem;

beforeAll(async () => {
  api = await startApiSystem();
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

interface RouteCase {
  permission: Permission;
  method: string;
  path: string;
  /** A body that gets past the door (it may still be refused later for its content). */
  body?: unknown;
}

const SEARCH = { plate: '7ABC123', from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', reason: 'permission test' };

/** One route per permission the HTTP API offers. */
const ROUTES: RouteCase[] = [
  { permission: 'hits.view', method: 'GET', path: '/api/hits/unresolved' },
  { permission: 'hits.dispose', method: 'POST', path: '/api/hits/no-such-hit/disposition', body: { disposition: 'misread', visualVerified: false, cletsVerified: false } },
  { permission: 'hits.escalated', method: 'GET', path: '/api/hits/escalated' },
  { permission: 'detections.search', method: 'POST', path: '/api/detections/search', body: SEARCH },
  { permission: 'users.view', method: 'GET', path: '/api/users' },
  { permission: 'users.manage', method: 'POST', path: '/api/users/nobody-here', body: { title: 'Sergeant' } },
  { permission: 'audit.read', method: 'GET', path: '/api/audit/log' },
  { permission: 'audit.read', method: 'GET', path: '/api/audit/verify' },
  { permission: 'releases.request', method: 'POST', path: '/api/releases', body: {} },
  { permission: 'releases.view', method: 'GET', path: '/api/releases' },
  { permission: 'releases.decide', method: 'POST', path: '/api/releases/REL-none/decision', body: { decision: 'refuse', note: 'permission test' } },
  { permission: 'evidence.export', method: 'POST', path: '/api/releases/REL-none/package' },
  { permission: 'reports.transparency', method: 'GET', path: '/api/reports/transparency' },
  { permission: 'reads.refused', method: 'GET', path: '/api/refused-reads' },
  { permission: 'hotlists.view', method: 'GET', path: '/api/hotlists' },
  { permission: 'hotlists.view', method: 'GET', path: '/api/hotlists/BOLO/entries' },
  { permission: 'hotlists.manage', method: 'POST', path: '/api/hotlists', body: { list: 'CASE-1', purpose: 'permission test' } },
  { permission: 'hotlists.manage', method: 'POST', path: '/api/hotlists/SVS/load', body: { text: 'plate,state\n' } },
  { permission: 'hotlists.submit', method: 'POST', path: '/api/hotlists/BOLO/entries', body: { plate: '7ABC123', caseNumber: '26-1', synopsis: 'permission test' } },
  { permission: 'hotlists.approve_update', method: 'GET', path: '/api/hotlists/approvals' },
  { permission: 'hotlists.approve_update', method: 'POST', path: '/api/hotlists/approvals/no-such-entry', body: { decision: 'rejected', note: 'permission test' } },
];

/** Permissions with no HTTP route yet; each says where it is enforced instead. */
const NOT_ON_HTTP: Partial<Record<Permission, string>> = {
  'evidence.hold': 'CLI: platewatch evidence hold --as ID (test/storage/verbs.test.ts)',
  'hotlists.approve_entry': 'POST /api/hotlists/approvals/:id lets supervisors and administrators in (hotlists.approve_update); storage then needs approve_entry for a new entry (test/storage/hotlists.test.ts)',
};

describe('roles per action', () => {
  it('covers every permission with a route, or says where it is enforced instead', () => {
    const covered = new Set(ROUTES.map((r) => r.permission));
    const missing = PERMISSION_NAMES.filter((p) => !covered.has(p) && NOT_ON_HTTP[p] === undefined);
    expect(missing).toEqual([]);
  });

  for (const route of ROUTES) {
    const allowed: readonly string[] = PERMISSIONS[route.permission].roles;
    const refused = USER_ROLES.filter((role) => !allowed.includes(role));

    it(`${route.method} ${route.path}: refuses ${refused.join(', ') || 'nobody'} with 403 and logs each refusal`, async () => {
      for (const role of refused) {
        const res = await api.call(route.method, route.path, api.token(role), route.body);
        expect({ role, status: res.status, code: (res.body['error'] as Record<string, unknown> | undefined)?.['code'] }).toEqual({ role, status: 403, code: 'ROLE_REQUIRED' });
        const logged = await accessRecords(api, `${role}1`, 'refused');
        expect(logged.some((r) => r['action'] === PERMISSIONS[route.permission].log && (r['detail'] ?? '').includes(`"${route.permission}"`))).toBe(true);
      }
    });

    it(`${route.method} ${route.path}: lets ${allowed.join(', ')} in`, async () => {
      for (const role of allowed as UserRole[]) {
        const res = await api.call(route.method, route.path, api.token(role), route.body);
        expect({ role, status: res.status }).not.toEqual({ role, status: 403 });
        expect(res.status).not.toBe(401);
        expect(res.status).toBeLessThan(500);
      }
    });

    it(`${route.method} ${route.path}: 401 without a session or with a forged token`, async () => {
      expect((await api.call(route.method, route.path, undefined, route.body)).status).toBe(401);
      expect((await api.call(route.method, route.path, 'forged-token-0123456789abcdef', route.body)).status).toBe(401);
    });
  }
});

describe('training (§471.5(d), §471.10)', () => {
  it('an untrained user and one whose training lapsed cannot sign in; both refusals are logged', async () => {
    for (const [user, why] of [['rookie', /has not completed ALPR training/], ['lapsed', /training expired on 2025-01-01/]] as const) {
      const res = await api.call('POST', '/api/login', undefined, { user, password: PASSWORD });
      expect(res.status).toBe(403);
      expect((res.body['error'] as Record<string, string>)['message']).toMatch(why);
      const logged = await accessRecords(api, user, 'refused');
      expect(logged.some((r) => r['action'] === 'login' && why.test(r['detail'] ?? ''))).toBe(true);
    }
  });

  it('a session ends as soon as the user\'s training lapses', async () => {
    const { system } = api;
    const { saveUser, findUser } = await import('../../storage/index.js');
    const login = await api.call('POST', '/api/login', undefined, { user: 'officer1', password: PASSWORD });
    const token = login.body['token'] as string;
    expect((await api.call('GET', '/api/hits/unresolved', token)).status).toBe(200);
    const officer = await findUser(system.storage, 'officer1');
    await saveUser(system.storage, { ...officer!, trainingExpiresAt: '2025-06-01' }, 'administrator1');
    try {
      expect((await api.call('GET', '/api/hits/unresolved', token)).status).toBe(401);
    } finally {
      const lapsed = await findUser(system.storage, 'officer1'); // the version written above, not the stale read
      await saveUser(system.storage, { ...lapsed!, trainingExpiresAt: null }, 'administrator1');
    }
  });
});

describe('the API is documented', () => {
  it('docs/openapi.yaml has every route the system serves, with its method and the query parameters it takes', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8');
    // "METHOD /path" → the query parameters documented for it
    const documented = new Map<string, string[]>();
    let path: string | null = null;
    let operation: string | null = null;
    for (const line of text.split('\n')) {
      if (/^\S/.test(line)) path = operation = null;
      const p = /^ {2}(\/\S*):\s*$/.exec(line);
      if (p !== null) {
        path = p[1] as string;
        operation = null;
        continue;
      }
      const m = /^ {4}(get|post|put|patch|delete):/.exec(line);
      if (m !== null && path !== null) documented.set(operation = `${(m[1] as string).toUpperCase()} ${path}`, []);
      const q = /name: (\w+), in: query/.exec(line);
      if (q !== null && operation !== null) documented.get(operation)?.push(q[1] as string);
    }
    expect(api.system.gateway?.routes.length).toBeGreaterThan(10);
    const served = (api.system.gateway?.routes ?? []).map((r) => ({
      operation: `${(r.method === 'del' ? 'delete' : r.method).toUpperCase()} ${r.pattern.replace(/:(\w+)/g, '{$1}')}`,
      query: [...(r.query?.names ?? [])].sort(),
    }));
    expect(served.filter((r) => !documented.has(r.operation)).map((r) => r.operation)).toEqual([]);
    const differing = served
      .filter((r) => JSON.stringify([...(documented.get(r.operation) ?? [])].sort()) !== JSON.stringify(r.query))
      .map((r) => `${r.operation}: serves ?${r.query.join('&')}, documents ?${(documented.get(r.operation) ?? []).join('&')}`);
    expect(differing).toEqual([]);
    expect(served.some((r) => r.query.length > 3)).toBe(true); // the parse found the audit log's six
  });
});
