// Auditors reading the access log (Watsonville §471.9: the Professional Standards Division audits
// it; §471.7(b): every access by name, date and time). GET /api/audit/log and `platewatch audit
// log` take the same filters, read them by the same rules, check the same role, and put the
// reading itself on the record, so the auditors are audited too.
import { ACCESS_ACTIONS, ACCESS_OUTCOMES, readAccessLog, type AccessLog, type AccessLogQuery, type AccessRecord } from './access-log.js';
import { parseMemberTime } from './member-time.js';
import type { Storage } from './open.js';
import { authoriseAction } from './permissions.js';

export const ACCESS_LOG_FILTERS = ['from', 'to', 'user', 'action', 'outcome', 'limit'] as const;
export type AccessLogFilter = (typeof ACCESS_LOG_FILTERS)[number];
/** The filters as a member typed them (query parameters, CLI options); an empty user, action or outcome filters nothing. */
export type AccessLogFilters = Partial<Record<AccessLogFilter, string>>;

/** Records in one answer when no `limit` is given. @default 200 */
export const DEFAULT_REVIEW_LIMIT = 200;
export const MAX_REVIEW_LIMIT = 5000;
/** With no `from`, the week before now. */
const DEFAULT_REVIEW_MS = 7 * 86_400_000;
/** With no `to`, a minute past now: a record appended while the answer is made is in it. */
const DEFAULT_REVIEW_END_MS = 60_000;

/** The values a filter may take: any other matches no record, and would read as "none of those happened". */
const FILTER_VALUES: Readonly<Partial<Record<AccessLogFilter, readonly string[]>>> = {
  action: Object.values(ACCESS_ACTIONS),
  outcome: Object.values(ACCESS_OUTCOMES),
};

/** The query the filters ask for, or why they cannot be run (the filter named in quotes, "from"). */
export type AccessLogQueryResult = { ok: true; query: AccessLogQuery } | { ok: false; filter: AccessLogFilter; reason: string };

/**
 * Reads typed filters: times in the department's `timeZone` unless they name one
 * (storage/member-time.ts); `from` defaults to a week before `now`, `limit` to DEFAULT_REVIEW_LIMIT.
 */
export function accessLogQueryOf(filters: AccessLogFilters, timeZone: string, now = Date.now()): AccessLogQueryResult {
  for (const name of ['action', 'outcome'] as const) {
    const value = filters[name];
    const allowed = FILTER_VALUES[name] ?? [];
    if (value !== undefined && value !== '' && !allowed.includes(value)) {
      return { ok: false, filter: name, reason: `"${name}" must be one of ${allowed.join(', ')} (got "${value}")` };
    }
  }
  const at = (name: 'from' | 'to', fallback: number): number | null => {
    const text = filters[name];
    return text === undefined ? fallback : parseMemberTime(text, timeZone);
  };
  const from = at('from', now - DEFAULT_REVIEW_MS);
  const to = at('to', now + DEFAULT_REVIEW_END_MS);
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value === null) {
      return {
        ok: false, filter: name,
        reason: `"${name}" must be an ISO 8601 time or date, such as 2026-11-01T08:00:00Z, 2026-11-01T08:00 (${timeZone} wall clock) or 2026-11-01 (the start of that day there)`,
      };
    }
  }
  if (from! >= to!) return { ok: false, filter: 'from', reason: '"from" must be before "to"' };
  const limit = filters.limit === undefined ? DEFAULT_REVIEW_LIMIT : Number(filters.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REVIEW_LIMIT) {
    return { ok: false, filter: 'limit', reason: `"limit" must be a whole number from 1 to ${MAX_REVIEW_LIMIT}` };
  }
  return { ok: true, query: { from: new Date(from!), to: new Date(to!), user: filters.user, action: filters.action, outcome: filters.outcome, limit } };
}

export interface AccessLogPage {
  /** Newest first. */
  records: AccessRecord[];
  /**
   * Older records match too: the next page is the same filters with `to` set to the oldest
   * record's `at` (UTC). A page never ends part-way through the records of one instant, so that
   * `to`, exclusive, leaves none of them out.
   */
  more: boolean;
}

/** Up to `limit` records of `read` (newest first, one more than the limit if there is more), ended where `to` can take up. */
export function accessLogPage(read: readonly AccessRecord[], limit: number): AccessLogPage {
  if (read.length <= limit) return { records: [...read], more: false };
  const records = read.slice(0, limit);
  const oldest = records[records.length - 1]!.at;
  if (read[limit]!.at === oldest) {
    const whole = records.filter((r) => r.at !== oldest);
    // More records at one instant than a page holds cannot be paged by time: shown whole, as asked.
    if (whole.length > 0) return { records: whole, more: true };
  }
  return { records, more: true };
}

export interface ReviewContext {
  storage: Pick<Storage, 'client' | 'db'> & Partial<Pick<Storage, 'config'>>;
  accessLog: Pick<AccessLog, 'append'>;
}

/**
 * One page of the access log for an auditor (role auditor: `audit.read`; any other is refused and
 * the refusal logged), the reading recorded with the filters as `asked` before it is shown.
 */
export async function reviewAccessLog(ctx: ReviewContext, user: string, query: AccessLogQuery, asked: AccessLogFilters): Promise<AccessLogPage> {
  await authoriseAction(ctx, user, 'audit.read', { op: 'read_log', ...asked });
  const page = accessLogPage(await readAccessLog(ctx.storage, { ...query, limit: query.limit + 1 }), query.limit);
  await ctx.accessLog.append({
    user, action: ACCESS_ACTIONS.audit, outcome: ACCESS_OUTCOMES.ok, params: { op: 'read_log', ...asked },
    rowsReturned: page.records.length, caseNumber: '', reason: 'access log review (§471.9)', detail: '',
  });
  return page;
}
