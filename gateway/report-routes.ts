// The transparency report over HTTP: GET /api/reports/transparency?from&to&format&agency — counts
// only, no plates and no covert list's name (storage/transparency.ts; `reports.covertLists` comes
// from the configuration); needs `reports.transparency` and is access-logged. `agency` is the name
// in the title, as `platewatch report --agency` gives it.
import {
  dayIn, parseMemberTime, renderTransparencyHtml, renderTransparencyMarkdown, StorageError, timeZoneOf, transparencyReport, type TransparencyContext,
} from '../storage/index.js';
import type { ApiGuard } from './api-guard.js';
import { HttpError, type JsonReply, type JsonRequest, type JsonRoute } from './http-json.js';

export interface ReportRouteDeps {
  guard: ApiGuard;
  reports: TransparencyContext;
  /** Agency name printed on the report when the request names none. @default '' */
  agency?: string;
  /** Path prefix. @default '/api' */
  prefix?: string;
}

const YEAR_MS = 365 * 86_400_000;
export const REPORT_FORMATS = ['json', 'markdown', 'html'] as const;

function time(text: string | undefined, name: string, fallback: number, timeZone: string): Date {
  if (text === undefined || text === '') return new Date(fallback);
  // In the department's zone unless a zone is given, as the CLI and every other route read times.
  const ms = parseMemberTime(text, timeZone);
  if (ms === null) throw new HttpError(400, 'INVALID_PERIOD', `${name} must be an ISO 8601 date or time`);
  return new Date(ms);
}

export function reportRoutes(deps: ReportRouteDeps): JsonRoute[] {
  const prefix = deps.prefix ?? '/api';
  const transparency = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await deps.guard.require(request, 'reports.transparency');
    const q = request.queryParams;
    const now = Date.now();
    const timeZone = timeZoneOf(deps.reports.storage);
    const to = time(q.get('to'), 'to', now, timeZone);
    const from = time(q.get('from'), 'from', to.getTime() - YEAR_MS, timeZone);
    if (from.getTime() >= to.getTime()) throw new HttpError(400, 'INVALID_PERIOD', 'from must be before to');
    const format = q.get('format') ?? 'json';
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new HttpError(400, 'INVALID_FORMAT', `format must be one of ${REPORT_FORMATS.join(', ')}`);
    const agency = q.get('agency')?.trim() ?? deps.agency ?? '';
    let report;
    try {
      report = await transparencyReport(deps.reports, session.user, { from, to });
    } catch (error) {
      if (error instanceof StorageError && error.code === 'NOT_PERMITTED') throw new HttpError(403, error.code, error.message, { cause: error });
      throw error;
    }
    const filename = `transparency-report-${dayIn(timeZone, from)}-to-${dayIn(timeZone, to)}`;
    if (format === 'markdown') return { status: 200, text: { contentType: 'text/markdown; charset=utf-8', body: renderTransparencyMarkdown(report, agency), filename: `${filename}.md` } };
    if (format === 'html') return { status: 200, text: { contentType: 'text/html; charset=utf-8', body: renderTransparencyHtml(report, agency), filename: `${filename}.html` } };
    return { status: 200, body: report };
  };
  return [{ method: 'get', pattern: `${prefix}/reports/transparency`, handler: transparency, query: { names: ['from', 'to', 'format', 'agency'], code: 'BAD_REPORT_QUERY' } }];
}
