// The access log for auditors (Watsonville §471.9: the Professional Standards Division audits
// detection browsing; §471.7(b): every access by name, date and time). Reading the log is itself
// recorded, so the auditors are audited too.
//   GET /api/audit/log?from&to&user&action&outcome&limit   audit.read   newest first
//   GET /api/audit/verify                                  audit.read   the hash chains re-computed
import { ACCESS_OUTCOMES, readAccessLog, verifyAccessLogs, type AccessLog, type Storage } from '../storage/index.js';
import type { ApiGuard } from './api-guard.js';
import type { JsonReply, JsonRequest, JsonRoute } from './http-json.js';
import { HttpError } from './http-json.js';
import { parseTime, queryParams } from './request-fields.js';

export interface AuditRouteDeps {
  guard: ApiGuard;
  storage: Pick<Storage, 'client' | 'db' | 'config'>;
  accessLog: Pick<AccessLog, 'append'>;
  /** Path prefix. @default '/api' */
  prefix?: string;
}

const CODE = 'BAD_AUDIT_QUERY';
const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 5000;

export function auditRoutes(deps: AuditRouteDeps): JsonRoute[] {
  const { guard, storage, accessLog } = deps;
  const prefix = deps.prefix ?? '/api';

  const log = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'audit.read');
    const q = queryParams(request.query, ['from', 'to', 'user', 'action', 'outcome', 'limit'], CODE);
    const now = Date.now();
    const from = q.has('from') ? parseTime(q.get('from') as string, 'from', CODE) : new Date(now - 7 * 86_400_000);
    const to = q.has('to') ? parseTime(q.get('to') as string, 'to', CODE) : new Date(now + 60_000);
    if (from >= to) throw new HttpError(400, CODE, '"from" must be before "to"');
    const limitText = q.get('limit');
    const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new HttpError(400, CODE, `"limit" must be a whole number from 1 to ${MAX_LIMIT}`);
    const records = await readAccessLog(storage, { from, to, user: q.get('user'), action: q.get('action'), outcome: q.get('outcome'), limit });
    await accessLog.append({
      user: session.user, action: 'audit', outcome: ACCESS_OUTCOMES.ok, params: { op: 'read_log', ...Object.fromEntries(q) },
      rowsReturned: records.length, caseNumber: '', reason: 'access log review (§471.9)', detail: '',
    });
    return { status: 200, body: { records } };
  };

  const verify = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'audit.read');
    queryParams(request.query, [], CODE);
    const results = await verifyAccessLogs(storage);
    const ok = results.every((r) => r.ok);
    await accessLog.append({
      user: session.user, action: 'audit', outcome: ACCESS_OUTCOMES.ok, params: { op: 'verify_log' },
      rowsReturned: results.reduce((n, r) => n + r.records, 0), caseNumber: '', reason: 'access log verification (§471.9)', detail: ok ? '' : 'problems found',
    });
    return { status: 200, body: { ok, chains: results } };
  };

  return [
    { method: 'get', pattern: `${prefix}/audit/log`, handler: log },
    { method: 'get', pattern: `${prefix}/audit/verify`, handler: verify },
  ];
}
