// The access log for auditors (Watsonville §471.9: the Professional Standards Division audits
// detection browsing; §471.7(b): every access by name, date and time). Reading the log is itself
// recorded, so the auditors are audited too.
//   GET /api/audit/log?from&to&user&action&outcome&limit   audit.read   newest first; each parameter once;
//                                                          {records, more} (storage/access-log-review.ts)
//   GET /api/audit/verify                                  audit.read   the hash chains re-computed
//   POST /api/audit/verify {expectHeads}                   audit.read   … each against its recorded head
//   POST /api/audit/samples {from, to, size?, auditor?, chain?, expectHeads?}
//                                                          audit.read   the audit memorandum (§471.9);
//                                                                       404 UNKNOWN_CHAIN for a chain the log lacks
// Heads are CHAIN=SEQ:HASH, as the last memorandum lists them.
import {
  ACCESS_LOG_FILTERS, ACCESS_OUTCOMES, accessLogQueryOf, findUser, memorandumOf, timeZoneOf, MINIMUM_AUDIT_SAMPLE, MAX_AUDIT_SAMPLE, parseExpectedHead, reviewAccessLog, sampleSearches,
  UnknownChainError, verifyAccessLogs, type AccessLog, type AccessLogFilters, type AuditSample, type Head, type Storage,
} from '../storage/index.js';
import type { ApiGuard } from './api-guard.js';
import type { JsonReply, JsonRequest, JsonRoute } from './http-json.js';
import { HttpError } from './http-json.js';
import { objectBody, optionalNumber, optionalText, optionalTextList, requiredTime } from './request-fields.js';

export interface AuditRouteDeps {
  guard: ApiGuard;
  storage: Pick<Storage, 'client' | 'db' | 'config'>;
  accessLog: Pick<AccessLog, 'append'>;
  /** Path prefix. @default '/api' */
  prefix?: string;
}

const CODE = 'BAD_AUDIT_QUERY';
const SAMPLE_FIELDS = ['from', 'to', 'size', 'auditor', 'chain', 'expectHeads'] as const;

/** Each chain's expected head, from CHAIN=SEQ:HASH texts; 400 naming the bad one. */
function expectedHeadsOf(texts: readonly string[]): Record<string, Head> {
  // No prototype: a chain named "constructor" is a chain like any other.
  const heads = Object.create(null) as Record<string, Head>;
  for (const text of texts) {
    const parsed = parseExpectedHead(text);
    if ('error' in parsed) throw new HttpError(400, CODE, `expected head ${parsed.error}`);
    if (heads[parsed.chain] !== undefined) throw new HttpError(400, CODE, `expected heads name chain "${parsed.chain}" twice`);
    heads[parsed.chain] = parsed.head;
  }
  return heads;
}

export function auditRoutes(deps: AuditRouteDeps): JsonRoute[] {
  const { guard, storage, accessLog } = deps;
  const prefix = deps.prefix ?? '/api';

  const log = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'audit.read');
    const asked: AccessLogFilters = Object.fromEntries(request.queryParams);
    const parsed = accessLogQueryOf(asked, timeZoneOf(storage));
    if (!parsed.ok) throw new HttpError(400, CODE, parsed.reason);
    const { records, more } = await reviewAccessLog({ storage, accessLog }, session.user, parsed.query, asked);
    return { status: 200, body: { records, more } };
  };

  /** Every chain re-computed, each against its head the last audit recorded (if given); on the record. */
  const verifyAgainst = async (user: string, expectedHeads: Record<string, Head>): Promise<JsonReply> => {
    const results = await verifyAccessLogs(storage, expectedHeads);
    const ok = results.every((r) => r.ok);
    await accessLog.append({
      user, action: 'audit', outcome: ACCESS_OUTCOMES.ok, params: { op: 'verify_log', expectedHeads: Object.keys(expectedHeads).length },
      rowsReturned: results.reduce((n, r) => n + r.records, 0), caseNumber: '', reason: 'access log verification (§471.9)', detail: ok ? '' : 'problems found',
    });
    return { status: 200, body: { ok, chains: results } };
  };

  const verify = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'audit.read');
    return verifyAgainst(session.user, {});
  };

  // The heads in a body, not the query: with one chain per process against a ClickHouse server
  // there may be dozens, past what a query parameter may hold.
  const verifyHeads = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'audit.read');
    const b = objectBody(request.body, ['expectHeads'], CODE);
    return verifyAgainst(session.user, expectedHeadsOf(optionalTextList(b, 'expectHeads', CODE) ?? []));
  };

  const sample = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'audit.read');
    const b = objectBody(request.body, SAMPLE_FIELDS, CODE);
    const from = requiredTime(b, 'from', timeZoneOf(storage), CODE);
    const to = requiredTime(b, 'to', timeZoneOf(storage), CODE);
    if (from >= to) throw new HttpError(400, CODE, '"from" must be before "to"');
    const size = optionalNumber(b, 'size', MINIMUM_AUDIT_SAMPLE, MAX_AUDIT_SAMPLE, CODE) ?? MINIMUM_AUDIT_SAMPLE;
    if (!Number.isInteger(size)) throw new HttpError(400, CODE, `"size" must be a whole number from ${MINIMUM_AUDIT_SAMPLE} to ${MAX_AUDIT_SAMPLE}`);
    const expectedHeads = expectedHeadsOf(optionalTextList(b, 'expectHeads', CODE) ?? []);
    const named = optionalText(b, 'auditor', CODE, 200)?.trim();
    const chain = optionalText(b, 'chain', CODE, 64);
    let result: AuditSample;
    try {
      result = await sampleSearches(storage, { from, to, size, expectedHeads, ...(chain === undefined ? {} : { chain }) });
    } catch (error) {
      if (error instanceof UnknownChainError) throw new HttpError(404, 'UNKNOWN_CHAIN', error.message, { cause: error });
      throw error;
    }
    await accessLog.append({
      user: session.user, action: 'audit', outcome: ACCESS_OUTCOMES.ok, params: { op: 'sample', from: from.toISOString(), to: to.toISOString(), size },
      rowsReturned: result.reviews.length, caseNumber: '', reason: 'audit sample (§471.9)', detail: '',
    });
    const user = await findUser(storage, session.user);
    return { status: 200, body: memorandumOf(result, { timeZone: timeZoneOf(storage), auditor: named || (user === undefined ? session.name : `${user.name}, ${user.title}`) }) };
  };

  return [
    { method: 'post', pattern: `${prefix}/audit/samples`, handler: sample },
    { method: 'get', pattern: `${prefix}/audit/log`, handler: log, query: { names: ACCESS_LOG_FILTERS, code: CODE } },
    {
      method: 'get', pattern: `${prefix}/audit/verify`, handler: verify,
      query: {
        names: [], code: CODE,
        hint: `to check each chain against the head the last audit recorded, POST ${prefix}/audit/verify with {"expectHeads": ["CHAIN=SEQ:HASH", …]}`,
      },
    },
    { method: 'post', pattern: `${prefix}/audit/verify`, handler: verifyHeads },
  ];
}
