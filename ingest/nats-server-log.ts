// What a nats-server that would not start said, cause first. Its log is some 35 lines of start-up
// banner with the fatal line ([FTL]) last; shown whole, the cause was at the bottom of a screenful
// (found by QA). So: the fatal line, then a few lines that may explain it. The pid and time of
// each line say nothing to the reader here (NATS_LOG_PREFIX).
import { NATS_LOG_PREFIX } from './nats-server-log-line.js';

/** Lines of the log shown after the fatal one, at most. */
export const NATS_LOG_CONTEXT_LINES = 3;

export interface NatsStartLog {
  /** The [FTL] line, or the last line the server wrote (a config file error has no level). Null: it wrote nothing. */
  fatal: string | null;
  /** Up to NATS_LOG_CONTEXT_LINES lines before it: its errors and warnings, else the last lines. */
  context: string[];
}


export function readNatsStartLog(stderr: string): NatsStartLog {
  const lines = stderr
    .split('\n')
    .map((line) => line.replace(NATS_LOG_PREFIX, '').trimEnd())
    .filter((line) => line !== '' && line !== '[INF]');
  let at = lines.findIndex((line) => line.startsWith('[FTL]'));
  if (at < 0) at = lines.length - 1;
  if (at < 0) return { fatal: null, context: [] };
  const before = lines.slice(0, at);
  const problems = before.filter((line) => line.startsWith('[ERR]') || line.startsWith('[WRN]'));
  return { fatal: lines[at] as string, context: (problems.length > 0 ? problems : before).slice(-NATS_LOG_CONTEXT_LINES) };
}

/** The fatal line says the port is taken ("bind: address already in use"). */
export function isAddressInUse(log: NatsStartLog): boolean {
  return log.fatal !== null && /address already in use/i.test(log.fatal);
}

/** The fatal line, then the context, indented under it. */
export function formatNatsStartLog(log: NatsStartLog): string {
  if (log.fatal === null) return 'it wrote nothing';
  return [log.fatal, ...log.context.map((line) => `  ${line}`)].join('\n');
}
