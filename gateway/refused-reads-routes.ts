// Why cameras' reads were refused, for the administrator who sets cameras up with an integrator:
// the copies the pipeline keeps on INVALID_READS (docs/wire.md, "Invalid reads"), read back with
// their reasons. Without this, finding out meant writing a NATS client with the platform's own
// credentials (a camera's may not read the stream: it holds every camera's refusals).
//   GET /api/refused-reads?agency&camera&limit&before   reads.refused   newest first;
//        {messages, olderThan, scanned, oldestKept} (ingest/refused-reads.ts)
// The reasons quote what cameras sent, plates included, so each reading is on the access log
// (Watsonville §471.7(b)), as `platewatch refusals` does when it reads the stream itself.
import type { JetStreamManager } from '@nats-io/jetstream';
import {
  isSubjectToken, readRefusedReads, REFUSED_READS_DEFAULT_LIMIT, REFUSED_READS_MAX_LIMIT, type RefusedReadsPage, type RefusedReadsQuery,
} from '../ingest/index.js';
import { ACCESS_ACTIONS, ACCESS_OUTCOMES, authoriseAction, type ActionContext } from '../storage/index.js';
import type { ApiGuard } from './api-guard.js';
import { HttpError, type JsonReply, type JsonRequest, type JsonRoute } from './http-json.js';
import { natsUnavailableAsHttp } from './nats-errors.js';

export const REFUSED_READS_FILTERS = ['agency', 'camera', 'limit', 'before'] as const;
const CODE = 'BAD_REFUSED_READS_QUERY';

export interface RefusedReadsContext extends ActionContext {
  /** The system's JetStream (a camera's credentials cannot read INVALID_READS). */
  jsm: () => Promise<JetStreamManager>;
}

export type RefusedReadsFilters = Partial<Record<(typeof REFUSED_READS_FILTERS)[number], string>>;

/** The query the filters ask for, or why they are not one (a message naming the filter). */
export function refusedReadsQueryOf(filters: RefusedReadsFilters): { ok: true; query: RefusedReadsQuery } | { ok: false; reason: string } {
  const query: RefusedReadsQuery = {};
  for (const name of ['agency', 'camera'] as const) {
    const value = filters[name];
    if (value === undefined || value === '') continue;
    // Subject tokens: what a camera publishes under (ingest/subjects.ts), so nothing else can match.
    if (!isSubjectToken(value)) return { ok: false, reason: `"${name}" must be the ${name} as in the camera's subject (letters, digits, "-" and "_"), got "${value.slice(0, 64)}"` };
    query[name] = value;
  }
  if (filters.limit !== undefined && filters.limit !== '') {
    const limit = Number(filters.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > REFUSED_READS_MAX_LIMIT) {
      return { ok: false, reason: `"limit" must be a whole number from 1 to ${REFUSED_READS_MAX_LIMIT} (default ${REFUSED_READS_DEFAULT_LIMIT})` };
    }
    query.limit = limit;
  }
  if (filters.before !== undefined && filters.before !== '') {
    const before = Number(filters.before);
    if (!Number.isSafeInteger(before) || before < 1) return { ok: false, reason: '"before" must be the previous page\'s olderThan, unchanged' };
    query.before = before;
  }
  return { ok: true, query };
}

/**
 * The page, for `user` when they may read refusals (NOT_PERMITTED otherwise, logged): the reading
 * is on the access log with the filters and how many refused messages it showed; a reading NATS
 * did not answer is logged as failed and its error thrown.
 */
export async function reviewRefusedReads(ctx: RefusedReadsContext, user: string, query: RefusedReadsQuery): Promise<RefusedReadsPage> {
  const params = { ...query };
  await authoriseAction(ctx, user, 'reads.refused', params);
  const entry = { user, action: ACCESS_ACTIONS.refusedReads, params, caseNumber: '', reason: '' };
  let page: RefusedReadsPage;
  try {
    page = await readRefusedReads(await ctx.jsm(), query);
  } catch (error) {
    await ctx.accessLog.append({ ...entry, outcome: ACCESS_OUTCOMES.failed, rowsReturned: 0, detail: (error as Error).message.slice(0, 500) });
    throw error;
  }
  await ctx.accessLog.append({ ...entry, params: { ...params, scanned: page.scanned }, outcome: ACCESS_OUTCOMES.ok, rowsReturned: page.messages.length, detail: '' });
  return page;
}

export interface RefusedReadsRouteDeps {
  guard: ApiGuard;
  refusedReads: RefusedReadsContext;
  /** Path prefix. @default '/api' */
  prefix?: string;
}

export function refusedReadsRoutes(deps: RefusedReadsRouteDeps): JsonRoute[] {
  const prefix = deps.prefix ?? '/api';
  const list = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await deps.guard.require(request, 'reads.refused');
    const parsed = refusedReadsQueryOf(Object.fromEntries(request.queryParams));
    if (!parsed.ok) throw new HttpError(400, CODE, parsed.reason);
    try {
      return { status: 200, body: await reviewRefusedReads(deps.refusedReads, session.user, parsed.query) };
    } catch (error) {
      throw natsUnavailableAsHttp(error, 'the refused reads cannot be read now');
    }
  };
  return [{ method: 'get', pattern: `${prefix}/refused-reads`, handler: list, query: { names: REFUSED_READS_FILTERS, code: CODE } }];
}
