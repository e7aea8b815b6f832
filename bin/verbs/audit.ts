// `platewatch audit verify|sample|log`: access log integrity, the annual detection browsing audit,
// and the access log itself for auditors (Watsonville §471.9, §471.7(b)).
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  AccessLog, authoriseAction, describeProblem, makeOutputDirectory, memorandumName, memorandumOf, outputDirectoryProblem, PACKAGE_DIRECTORY_MODE, PACKAGE_FILE_MODE, parseExpectedHead,
  DEFAULT_TIME_ZONE, MAX_AUDIT_SAMPLE, MINIMUM_AUDIT_SAMPLE, parseMemberTime, sampleSearches, windowText,
  UnknownChainError, verifyAccessLog, verifyAccessLogs, type AccessLogVerification, type Head, type Memorandum,
} from '../../storage/index.js';
import { passwordsFromStdin, passwordsFromTerminal, type PasswordSource } from '../password-input.js';
import { runningSystemUrl, withSystemApi } from '../system-api.js';
import { openForVerb, STORAGE_OPTIONS_USAGE, STORAGE_PARSE_OPTIONS, storageConfigFrom, verbAccessLogChain } from '../storage-options.js';
import { signInForVerb, verbErrorText, SIGN_IN_PARSE_OPTIONS, VerbRefusal } from '../verb-sign-in.js';
import { terminalText } from '../terminal-text.js';
import type { Verb, VerbIO } from '../verb.js';
import { parseVerbArgs, usageErrorFor } from '../verb-options.js';
import { runAuditLog } from './audit-log.js';

const USAGE = `Usage: platewatch audit verify --as AUDITOR [--chain NAME] [--expect-head CHAIN=SEQ:HASH …] [storage options]
       platewatch audit sample --as AUDITOR --from DATE --to DATE [--auditor NAME] [--size 10] [--out DIR]
                               [--expect-head CHAIN=SEQ:HASH …] [storage options]
       platewatch audit log --as AUDITOR [--from DATE] [--to DATE] [--user ID] [--action A] [--outcome O]
                            [--limit 100] [--json] [storage options]
       (each also takes [--password-stdin])

verify  Re-computes the access log hash chains (every chain, or --chain) and reports any record
        altered, deleted, duplicated or reordered. --expect-head, once per chain as the last
        memorandum lists them (CHAIN=SEQ:HASH; or SEQ:HASH with --chain), also catches records cut
        from the end of a chain and a chain deleted whole. Exit 0 intact, 1 problems found; a
        --chain the log does not have (and no --expect-head names) is exit 2, naming the chains.
sample  Draws a random sample of at least 10 search inquiries made in [--from, --to) and writes
        the audit memorandum to the Chief of Police (Watsonville §471.9) as Markdown and HTML:
        DIR/alpr-audit-FROM-TO.md and .html (-2, -3… when a memorandum for the period is filed there
        already: none is ever overwritten; DIR is made if missing, and must not be a file). The policy
        asks for inquiries of the preceding six months. A period with no inquiry is said plainly.
        With --expect-head the chains' ends are checked as in verify.
        The memorandum also lists every action the system refused in the period, with the role and
        training violations apart. Exit 1 when it lists data errors (a record altered or missing,
        a chain not reaching its expected head, a user not in the register): it is filed all the
        same, and the errors are for correction (§471.9).
log     Prints the access log records of every chain in [--from, --to), newest first, as the
        console's Audit view shows them (GET /api/audit/log): by default the last 7 days, at most
        --limit records. Each time is shown in the department's time zone and in UTC, as stored
        and hashed. When older records match too, it says the --to that shows the next page.
        --json prints {from, to, timeZone, records, more, olderTo}, each record exactly as stored
        (its hash can be recomputed).
All three are the auditor's (role auditor, Watsonville §471.9: the Professional Standards
Division), signed in with --as and their password; any other role is refused, and the refusal
logged. Each is recorded in the access log, the reading of the log too.
While "platewatch up" runs on the same embedded data directory (which it alone can open), each
goes through its HTTP API with the same checks.

Options:
  --chain NAME       only this access log chain             [default: every chain]
  --expect-head C=S:H  a chain's head recorded at the last audit (repeat per chain)
  --from DATE        start of the period (ISO 8601; inclusive)  [log default: 7 days ago]
  --to DATE          end of the period (ISO 8601; exclusive: --from 2026-11-01 --to 2026-12-01
                     is November). Both in the department's time zone (config timeZone) unless
                     a zone is given; a date alone is the start of that day there. The window
                     used is printed, with its UTC instants                   [log default: now]
  --user ID          log: only this member's records (or a system user, platewatch-system)
  --action A         log: only one action: search, export, hit_view, hold, audit, login, lockout,
                     logout, disposition, hotlist, user, release, report
  --outcome O        log: only one outcome: ok, refused, invalid, failed
  --limit N          log: records to print, 1 to 5000                       [default: 100]
  --json             log: JSON instead of a table
  --size N           inquiries to sample, 10 to 1000          [default: 10]
  --as ID            the auditor running it (role auditor; password prompted, or --password-stdin)
  --auditor NAME     name and title on the memorandum       [default: the --as user's name, title]
  --out DIR          directory to file the memorandum in    [default: current directory]
  --help             show this text

${STORAGE_OPTIONS_USAGE}

Exit status: 0 done/intact; 1 problems found or storage failure; 2 usage or configuration error.

Examples:
  platewatch audit sample --as psd1 --from 2026-05-01 --to 2026-11-01 --auditor "Capt. R. Diaz, PSD"
  platewatch audit log --as psd1 --user det1 --action search --from 2026-11-01 --to 2026-12-01
`;

const OPTIONS = {
  chain: { type: 'string' },
  'expect-head': { type: 'string', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
  size: { type: 'string' },
  auditor: { type: 'string' },
  ...SIGN_IN_PARSE_OPTIONS,
  out: { type: 'string' },
  ...STORAGE_PARSE_OPTIONS,
} as const;

export const auditVerb: Verb = {
  name: 'audit',
  summary: 'verify the access log hash chain; sample searches and write the annual audit memorandum; read the access log',
  usage: USAGE,
  run: runAudit,
};

const usageError = usageErrorFor('audit', USAGE);

/** A --chain the access log does not have: a usage error (exit 2), not a problem found in the log (exit 1). */
function unknownChain(io: VerbIO, sub: string, message: string): number {
  io.stderr.write(`platewatch audit ${sub}: ${terminalText(message)}\n`);
  return 2;
}

/** `base`, or `base-2`, `base-3`…: the first name with neither a .md nor a .html memorandum filed. */
function unusedBase(base: string): string {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!existsSync(`${candidate}.md`) && !existsSync(`${candidate}.html`)) return candidate;
  }
}

function parseDate(text: string | undefined, timeZone: string): Date | undefined {
  const ms = text === undefined ? null : parseMemberTime(text, timeZone);
  return ms === null ? undefined : new Date(ms);
}

async function runAudit(args: string[], io: VerbIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) return usageError(io, 'a sub-command is needed', 'usage');
  if (sub === 'log') return runAuditLog(rest, io, usageError);
  if (sub !== 'verify' && sub !== 'sample') return usageError(io, `unknown sub-command "${sub}" (verify, sample, log)`);
  const parsed = parseVerbArgs('audit', rest, OPTIONS, io);
  if (parsed === null) return 2;
  const { values } = parsed;
  if (parsed.positionals.length > 0) return usageError(io, `unexpected argument "${parsed.positionals[0]}"`);
  if (values.as === undefined || values.as.trim() === '') return usageError(io, '--as AUDITOR is required');

  // No prototype: a chain named "constructor" is a chain like any other.
  const expectedHeads = Object.create(null) as Record<string, Head>;
  for (const text of values['expect-head'] ?? []) {
    const parsed = parseExpectedHead(text, values.chain);
    if ('error' in parsed) return usageError(io, `--expect-head ${parsed.error}`);
    if (expectedHeads[parsed.chain] !== undefined) return usageError(io, `--expect-head names chain "${parsed.chain}" twice`);
    expectedHeads[parsed.chain] = parsed.head;
  }
  let from: Date | undefined;
  let to: Date | undefined;
  let size = 10;
  if (sub === 'sample') {
    if (values.from === undefined || values.to === undefined) return usageError(io, '--from and --to are required');
    if (values.size !== undefined) {
      size = Number(values.size);
      if (!Number.isInteger(size) || size < MINIMUM_AUDIT_SAMPLE || size > MAX_AUDIT_SAMPLE) {
        return usageError(io, `--size must be a whole number from ${MINIMUM_AUDIT_SAMPLE} (Watsonville §471.9) to ${MAX_AUDIT_SAMPLE}`);
      }
    }
  }

  const outDir = resolve(io.cwd, values.out ?? '.');
  if (sub === 'sample') {
    // Before any work: a sample drawn and logged, then not filed, would have to be drawn again.
    const problem = outputDirectoryProblem(outDir);
    if (problem !== null) {
      io.stderr.write(`platewatch audit sample: --out ${problem.message}; --out names the directory to file the memorandum in (made if missing)\n`);
      return 2;
    }
  }

  const storageConfig = await storageConfigFrom(values, io);
  if (storageConfig === undefined) return 2;
  // In the department's zone, as the running system would read them (storage/member-time.ts).
  const timeZone = storageConfig.timeZone ?? DEFAULT_TIME_ZONE;
  if (sub === 'sample') {
    from = parseDate(values.from, timeZone);
    to = parseDate(values.to, timeZone);
    if (from === undefined || to === undefined) return usageError(io, '--from and --to must be ISO 8601 dates or times, such as 2026-11-01 or 2026-11-01T08:00');
    if (from.getTime() >= to.getTime()) return usageError(io, '--from must be before --to');
    io.stdout.write(`window ${windowText(from, to, timeZone)}\n`);
  }
  const passwords = values['password-stdin'] === true ? await passwordsFromStdin(io) : undefined;
  const systemUrl = await runningSystemUrl(storageConfig);
  if (systemUrl !== undefined) {
    const job: AuditJob = sub === 'verify'
      ? { sub, chain: values.chain, expectedHeads }
      : { sub, chain: values.chain, expectedHeads, from: from!, to: to!, timeZone, size, auditor: values.auditor?.trim() || undefined, outDir };
    return auditThroughSystem(systemUrl, values.as, passwords ?? passwordsFromTerminal(io), job, io);
  }
  const storage = await openForVerb(storageConfig, io);
  if (storage === undefined) return 1;
  try {
    const accessLog = new AccessLog(storage, verbAccessLogChain(storage));
    const user = await signInForVerb(storage, values.as, values['password-stdin'] === true, io, passwords);
    const auditor = await authoriseAction({ storage, accessLog }, user, 'audit.read', { op: sub });
    const logAudit = (params: unknown, rows: number): Promise<unknown> =>
      accessLog.append({ user, action: 'audit', outcome: 'ok', params, rowsReturned: rows, caseNumber: '', reason: `audit ${sub} (§471.9)`, detail: '' });
    const chain = values.chain;
    if (sub === 'verify') {
      const expectedHead = chain === undefined ? undefined : expectedHeads[chain];
      const results: AccessLogVerification[] =
        chain === undefined ? await verifyAccessLogs(storage, expectedHeads) : [await verifyAccessLog(storage, { chain, ...(expectedHead ? { expectedHead } : {}) })];
      await logAudit({ op: 'verify', chain: chain ?? null }, results.reduce((n, v) => n + v.records, 0));
      return printVerification(io, results);
    }
    const sample = await sampleSearches(storage, { from: from!, to: to!, size, expectedHeads, ...(chain === undefined ? {} : { chain }) });
    // Before the sample is logged: the record must not show an audit whose memorandum could not be filed.
    makeOutputDirectory(outDir, PACKAGE_DIRECTORY_MODE);
    await logAudit({ op: 'sample', from: from!.toISOString(), to: to!.toISOString(), size }, sample.reviews.length);
    return fileMemorandum(io, outDir, memorandumOf(sample, { timeZone, auditor: values.auditor?.trim() || `${auditor.name}, ${auditor.title}` }));
  } catch (error) {
    if (error instanceof UnknownChainError) return unknownChain(io, sub, error.message);
    io.stderr.write(`platewatch audit ${sub}: ${verbErrorText(error)}\n`);
    return 1;
  } finally {
    await storage.close();
  }
}

/** Prints each chain's verification; exit 0 when every one is intact. */
function printVerification(io: VerbIO, results: readonly AccessLogVerification[]): number {
  if (results.length === 0) io.stdout.write('access log is empty\n');
  for (const v of results) {
    io.stdout.write(`access log chain "${v.chain}": ${v.records} records, ${v.ok ? 'intact' : `${v.problems.length} problem(s)`}\n`);
    for (const p of v.problems) io.stdout.write(`  ${describeProblem(p)}\n`);
    if (v.head) io.stdout.write(`  head ${v.head.seq}:${v.head.hash}\n`);
  }
  return results.every((v) => v.ok) ? 0 : 1;
}

/**
 * Writes the memorandum as DIR/NAME.md and .html (never over an earlier one) and says so; the exit
 * status is 1 when it lists data errors, as verify's is for a chain with problems, so a script
 * running the audit does not take a damaged access log for a clean one.
 */
function fileMemorandum(io: VerbIO, outDir: string, m: Memorandum): number {
  // The memorandum quotes access-log records (users, cases, plates searched): as a package is kept.
  makeOutputDirectory(outDir, PACKAGE_DIRECTORY_MODE);
  const base = unusedBase(join(outDir, m.name));
  // 'wx': a memorandum filed by an earlier run is never replaced, even by one made at the same moment.
  writeFileSync(`${base}.md`, m.markdown, { flag: 'wx', mode: PACKAGE_FILE_MODE });
  writeFileSync(`${base}.html`, m.html, { flag: 'wx', mode: PACKAGE_FILE_MODE });
  io.stdout.write(
    `${m.reviewed} of ${m.population} inquiries reviewed, ${m.withFindings} with findings, ` +
      `${m.dataErrors} data error(s), ${m.refusedActions} refused action(s) ` +
      `(${m.violations} by members lacking the role, training or an active account)\nwrote ${base}.md\nwrote ${base}.html\n`,
  );
  // `?? []`: a running system from before warnings were added answers without them.
  for (const warning of m.warnings ?? []) io.stderr.write(`platewatch audit sample: note: ${warning}\n`);
  if (m.dataErrors === 0) return 0;
  io.stderr.write(`platewatch audit sample: the memorandum lists ${m.dataErrors} data error(s) (see its "Data errors"): the access log or the user register needs correcting\n`);
  return 1;
}

type AuditJob =
  | { sub: 'verify'; chain: string | undefined; expectedHeads: Record<string, Head> }
  | { sub: 'sample'; chain: string | undefined; expectedHeads: Record<string, Head>; from: Date; to: Date; timeZone: string; size: number; auditor: string | undefined; outDir: string };

/** The verification or sample done by the running system's API (bin/system-api.ts), printed as if done here. */
function auditThroughSystem(url: string, as: string, passwords: PasswordSource, job: AuditJob, io: VerbIO): Promise<number> {
  const heads = Object.entries(job.expectedHeads).map(([chain, h]) => `${chain}=${h.seq}:${h.hash}`);
  return withSystemApi(url, as, passwords, `audit ${job.sub}`, io, async (api) => {
    if (job.sub === 'verify') {
      const { chains } = await api.json<{ chains: AccessLogVerification[] }>('POST', '/api/audit/verify', { expectHeads: heads });
      if (job.chain === undefined) return printVerification(io, chains);
      // The API checks every chain the log has and every one a head names; --chain asks about one.
      const one = chains.find((v) => v.chain === job.chain);
      if (one === undefined) return unknownChain(io, job.sub, new UnknownChainError(job.chain, chains.map((v) => v.chain)).message);
      return printVerification(io, [one]);
    }
    // Before the running system draws the sample and puts it on the record.
    makeOutputDirectory(job.outDir, PACKAGE_DIRECTORY_MODE);
    let memorandum: Memorandum;
    try {
      memorandum = await api.json<Memorandum>('POST', '/api/audit/samples', {
        from: job.from.toISOString(), to: job.to.toISOString(), size: job.size, expectHeads: heads,
        ...(job.chain === undefined ? {} : { chain: job.chain }), ...(job.auditor === undefined ? {} : { auditor: job.auditor }),
      });
    } catch (error) {
      // The API's 404 UNKNOWN_CHAIN, told as it is told without the running system.
      const prefix = 'UNKNOWN_CHAIN: ';
      if (error instanceof VerbRefusal && error.message.startsWith(prefix)) return unknownChain(io, job.sub, error.message.slice(prefix.length));
      throw error;
    }
    // Named here, not by the answer: a name from elsewhere never becomes a path.
    return fileMemorandum(io, job.outDir, { ...memorandum, name: memorandumName(job.from, job.to, job.timeZone) });
  });
}
