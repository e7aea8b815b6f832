// `platewatch audit log`: the access log for auditors at the terminal, as GET /api/audit/log gives
// it to the console's Audit view (Watsonville §471.9, §471.7(b)). The filters, the role and the
// record of the reading are storage's (storage/access-log-review.ts), shared with the API, so the
// CLI can neither show more nor log less than the console.
import {
  AccessLog, accessLogQueryOf, DEFAULT_TIME_ZONE, reviewAccessLog, windowText,
  type AccessLogFilters, type AccessLogPage, type AccessLogQuery,
} from '../../storage/index.js';
import { isUtcZone, olderPageTo, printAccessLogTable } from '../access-log-table.js';
import { passwordsFromStdin, passwordsFromTerminal } from '../password-input.js';
import { runningSystemUrl, withSystemApi } from '../system-api.js';
import { openForVerb, STORAGE_PARSE_OPTIONS, storageConfigFrom, verbAccessLogChain } from '../storage-options.js';
import { signInForVerb, verbErrorText, SIGN_IN_PARSE_OPTIONS } from '../verb-sign-in.js';
import type { VerbIO } from '../verb.js';
import { parseVerbArgs } from '../verb-options.js';

/** Records a page holds unless --limit says otherwise: a terminal's worth, where the API's default is 200. */
export const DEFAULT_LOG_LIMIT = 100;

export const AUDIT_LOG_OPTIONS = {
  ...SIGN_IN_PARSE_OPTIONS,
  from: { type: 'string' },
  to: { type: 'string' },
  user: { type: 'string' },
  action: { type: 'string' },
  outcome: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  ...STORAGE_PARSE_OPTIONS,
} as const;

type UsageError = (io: VerbIO, message: string) => number;

/** Storage's wording of a filter ("from") as the option that gives it here (--from). */
function asOption(reason: string): string {
  return reason.replace(/"(from|to|user|action|outcome|limit)"/g, '--$1');
}

export async function runAuditLog(args: string[], io: VerbIO, usageError: UsageError): Promise<number> {
  const parsed = parseVerbArgs('audit', args, AUDIT_LOG_OPTIONS, io);
  if (parsed === null) return 2;
  const { values } = parsed;
  if (parsed.positionals.length > 0) return usageError(io, `unexpected argument "${parsed.positionals[0]}"`);
  if (values.as === undefined || values.as.trim() === '') return usageError(io, '--as AUDITOR is required');
  const storageConfig = await storageConfigFrom(values, io);
  if (storageConfig === undefined) return 2;
  // In the department's zone, as the running system would read them (storage/member-time.ts).
  const timeZone = storageConfig.timeZone ?? DEFAULT_TIME_ZONE;
  const typed: AccessLogFilters = {
    from: values.from, to: values.to, user: values.user, action: values.action, outcome: values.outcome, limit: values.limit ?? String(DEFAULT_LOG_LIMIT),
  };
  const read = accessLogQueryOf(typed, timeZone);
  if (!read.ok) return usageError(io, asOption(read.reason));
  const { query } = read;
  // The window as used, whatever was typed: the same instants here, through the API and on the record.
  const asked: AccessLogFilters = { ...definedOnly(typed), from: query.from.toISOString(), to: query.to.toISOString() };
  const passwords = values['password-stdin'] === true ? await passwordsFromStdin(io) : undefined;
  const show = (page: AccessLogPage): number => printPage(io, page, query, timeZone, values.json === true);

  const systemUrl = await runningSystemUrl(storageConfig);
  if (systemUrl !== undefined) {
    return withSystemApi(systemUrl, values.as, passwords ?? passwordsFromTerminal(io), 'audit log', io, async (api) => {
      const page = await api.json<Partial<AccessLogPage> & Pick<AccessLogPage, 'records'>>('GET', `/api/audit/log?${new URLSearchParams(definedOnly(asked))}`);
      // A running system from before `more` was answered: a full page may have more.
      return show({ records: page.records, more: page.more ?? page.records.length >= query.limit });
    });
  }
  const storage = await openForVerb(storageConfig, io);
  if (storage === undefined) return 1;
  try {
    const accessLog = new AccessLog(storage, verbAccessLogChain(storage));
    const user = await signInForVerb(storage, values.as, values['password-stdin'] === true, io, passwords);
    return show(await reviewAccessLog({ storage, accessLog }, user, query, asked));
  } catch (error) {
    io.stderr.write(`platewatch audit log: ${verbErrorText(error)}\n`);
    return 1;
  } finally {
    await storage.close();
  }
}

function definedOnly(filters: AccessLogFilters): Record<string, string> {
  return Object.fromEntries(Object.entries(filters).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The page as a table or JSON, with the --to that shows the next, older one. */
function printPage(io: VerbIO, page: AccessLogPage, query: AccessLogQuery, timeZone: string, json: boolean): number {
  const oldest = page.records.at(-1);
  const olderTo = page.more && oldest !== undefined ? olderPageTo(oldest) : null;
  if (json) {
    io.stdout.write(`${JSON.stringify({
      from: query.from.toISOString(), to: query.to.toISOString(), timeZone, records: page.records, more: page.more, olderTo,
    }, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`window ${windowText(query.from, query.to, timeZone)}\n`);
  if (page.records.length === 0) {
    io.stdout.write('no access log records in the window with these filters; this reading is recorded in the access log\n');
  } else {
    io.stdout.write(`${page.records.length} record(s), newest first; times in ${isUtcZone(timeZone) ? 'UTC' : `${timeZone} and in UTC`} (as stored and hashed); this reading is recorded in the access log\n`);
    printAccessLogTable(io, page.records, timeZone);
  }
  if (olderTo !== null) io.stdout.write(`older records match too: for the next page, run the same command with --to ${olderTo}\n`);
  return 0;
}
