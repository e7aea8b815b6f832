// `platewatch report transparency`: the public transparency report — counts only, no plates
// (storage/transparency.ts) — as Markdown, HTML or JSON. Runs --as a member allowed
// `reports.transparency` (administrator, auditor, custodian, chief); access-logged. The covert
// lists of the configuration (`hits.covertLists`) are counted together, never named. While
// `platewatch up` holds the embedded storage, the report is made by its HTTP API
// (gateway/report-routes.ts), with the covert lists `up` runs with, and printed the same way.
import { resolve } from 'node:path';
import {
  AccessLog, DEFAULT_TIME_ZONE, outputFileProblem, parseMemberTime, replaceOutputFile, renderTransparencyHtml, renderTransparencyMarkdown, transparencyReport, windowText, type TransparencyReport,
} from '../../storage/index.js';
import { passwordsFromStdin, passwordsFromTerminal, type PasswordSource } from '../password-input.js';
import { runningSystemUrl, withSystemApi } from '../system-api.js';
import { openForVerb, STORAGE_OPTIONS_USAGE, STORAGE_PARSE_OPTIONS, storageConfigFrom, verbAccessLogChain } from '../storage-options.js';
import type { Verb, VerbIO } from '../verb.js';
import { loadVerbConfig, parseVerbArgs, usageErrorFor } from '../verb-options.js';
import { signInForVerb, verbErrorText, SIGN_IN_PARSE_OPTIONS } from '../verb-sign-in.js';

const FORMATS = ['markdown', 'html', 'json'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `Usage: platewatch report transparency [--from DATE] [--to DATE] [--format markdown|html|json] [--out FILE]
                                   [--agency NAME] --as ID [--password-stdin] [storage options]

transparency  Counts for the period: cameras, plate reads, hits by list (covert lists of the
              configuration's hits.covertLists together, names withheld), dispositions, detection
              searches by how their purpose was documented and refused searches, requests from
              other agencies granted and refused (and why), retention in force, legal holds and
              authorised users. No plate, vehicle, person or place appears in it.
While "platewatch up" runs on the same embedded data directory (which it alone can open), the
report is made through its HTTP API with the same checks, counting the covert lists of the
configuration "up" runs with.

Options:
  --from DATE     start of the period (ISO 8601, inclusive)     [default: a year before --to]
  --to DATE       end of the period (exclusive)                  [default: now]
                  Dates and times are the department's time zone (config timeZone) unless a
                  zone is given; a date alone is the start of that day there, so --from
                  2026-11-01 --to 2026-12-01 is November, reported as "2026-11-01 through
                  2026-11-30". The window used is printed on standard error
  --format F      markdown, html or json                         [default: from --out's extension, else markdown]
  --out FILE      write here (in a directory that exists)        [default: standard output]
                  replacing a report there: a link there is replaced, never written
                  through; readable by owner and group only (0640)
  --agency NAME   agency name in the title
  --as ID         who is making it (administrator, auditor, custodian or chief)
  --help          show this text

${STORAGE_OPTIONS_USAGE}

Exit status: 0 done; 1 refused or failed; 2 usage or configuration error.

Example:
  platewatch report transparency --from 2026-01-01 --to 2027-01-01 --out alpr-2026.html --agency "Watsonville PD" --as aud1
`;

const OPTIONS = {
  ...SIGN_IN_PARSE_OPTIONS,
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  agency: { type: 'string' },
  ...STORAGE_PARSE_OPTIONS,
} as const;

export const reportVerb: Verb = {
  name: 'report',
  summary: 'write the public transparency report (counts only, no plates)',
  usage: USAGE,
  run: runReport,
};

const usageError = usageErrorFor('report', USAGE);

function formatFor(format: string | undefined, out: string | undefined): Format | null {
  if (format !== undefined) return (FORMATS as readonly string[]).includes(format) ? (format as Format) : null;
  if (out?.endsWith('.html') === true || out?.endsWith('.htm') === true) return 'html';
  if (out?.endsWith('.json') === true) return 'json';
  return 'markdown';
}

async function runReport(args: string[], io: VerbIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) return usageError(io, 'a sub-command is needed', 'usage');
  if (sub !== 'transparency') return usageError(io, `unknown sub-command "${sub}" (transparency)`);
  const parsed = parseVerbArgs('report', rest, OPTIONS, io);
  if (parsed === null) return 2;
  const { values } = parsed;
  if (parsed.positionals.length > 0) return usageError(io, `unexpected argument "${parsed.positionals[0]}"`);
  if (values.as === undefined || values.as.trim() === '') return usageError(io, '--as ID is required');
  const format = formatFor(values.format, values.out);
  if (format === null) return usageError(io, `--format must be one of ${FORMATS.join(', ')}`);

  // The same configuration `up` runs with: it names the covert lists the report must not.
  const config = await loadVerbConfig('report', values.config, io);
  if (config === null) return 2;
  const storageConfig = await storageConfigFrom(values, io);
  if (storageConfig === undefined) return 2;
  // In the department's zone, as the running system would read them (storage/member-time.ts).
  const timeZone = storageConfig.timeZone ?? DEFAULT_TIME_ZONE;
  const to = values.to === undefined ? Date.now() : parseMemberTime(values.to, timeZone);
  if (to === null) return usageError(io, '--to must be an ISO 8601 date or time');
  const from = values.from === undefined ? to - 365 * 86_400_000 : parseMemberTime(values.from, timeZone);
  if (from === null) return usageError(io, '--from must be an ISO 8601 date or time');
  if (from >= to) return usageError(io, '--from must be before --to');
  const passwords = values['password-stdin'] === true ? await passwordsFromStdin(io) : undefined;
  const job: ReportJob = { from: new Date(from), to: new Date(to), format, agency: values.agency?.trim() ?? '', out: values.out === undefined ? undefined : resolve(io.cwd, values.out) };
  // Before the report is made and logged: a report that cannot be written would be made again.
  const unwritable = job.out === undefined ? null : outputFileProblem(job.out);
  if (unwritable !== null) {
    io.stderr.write(`platewatch report transparency: --out ${unwritable}\n`);
    return 2;
  }
  // On standard error: standard output may be the report itself. Once there is data to report on.
  const sayWindow = (): void => void io.stderr.write(`window ${windowText(from, to, timeZone)}\n`);
  const systemUrl = await runningSystemUrl(storageConfig);
  if (systemUrl !== undefined) {
    sayWindow();
    return reportThroughSystem(systemUrl, values.as, passwords ?? passwordsFromTerminal(io), job, io);
  }
  const storage = await openForVerb(storageConfig, io);
  if (storage === undefined) return 1;
  sayWindow();
  try {
    const user = await signInForVerb(storage, values.as, values['password-stdin'] === true, io, passwords);
    const ctx = { storage, accessLog: new AccessLog(storage, verbAccessLogChain(storage)), covertLists: Object.keys(config.hits.covertLists) };
    const report = await transparencyReport(ctx, user, { from: job.from, to: job.to });
    const text = job.format === 'json' ? jsonText(report) : job.format === 'html' ? renderTransparencyHtml(report, job.agency) : renderTransparencyMarkdown(report, job.agency);
    deliver(io, text, job.out);
    return 0;
  } catch (error) {
    io.stderr.write(`platewatch report ${sub}: ${verbErrorText(error)}\n`);
    return 1;
  } finally {
    await storage.close();
  }
}

interface ReportJob {
  from: Date;
  to: Date;
  format: Format;
  agency: string;
  /** Absolute; standard output when undefined. */
  out: string | undefined;
}

function jsonText(report: TransparencyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Writes the report to `out` and says so, or to standard output. */
function deliver(io: VerbIO, text: string, out: string | undefined): void {
  if (out === undefined) {
    io.stdout.write(text);
    return;
  }
  // A report is made again each period to the same path: replaced, safely (replaceOutputFile).
  replaceOutputFile(out, text);
  io.stdout.write(`wrote ${out}\n`);
}

/** The report made by the running system's API (bin/system-api.ts), delivered as if made here. */
function reportThroughSystem(url: string, as: string, passwords: PasswordSource, job: ReportJob, io: VerbIO): Promise<number> {
  const query = new URLSearchParams({ from: job.from.toISOString(), to: job.to.toISOString(), format: job.format, ...(job.agency === '' ? {} : { agency: job.agency }) });
  const path = `/api/reports/transparency?${query.toString()}`;
  return withSystemApi(url, as, passwords, 'report transparency', io, async (api) => {
    deliver(io, job.format === 'json' ? jsonText(await api.json<TransparencyReport>('GET', path)) : await api.text(path), job.out);
  });
}
