// `platewatch audit verify|sample`: access log integrity and the annual detection browsing audit
// (Watsonville §471.9, §471.7(b)).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  AccessLog, authoriseAction, parseExpectedHead, parseUtcTime, renderMemorandumHtml, renderMemorandumMarkdown, sampleSearches, verifyAccessLog, verifyAccessLogs,
  type AccessLogVerification,
} from '../../storage/index.js';
import { passwordsFromStdin } from '../password-input.js';
import { openForVerb, STORAGE_OPTIONS_USAGE, STORAGE_PARSE_OPTIONS, storageConfigFrom, verbAccessLogChain } from '../storage-options.js';
import { signInForVerb, verbErrorText, SIGN_IN_PARSE_OPTIONS } from '../verb-sign-in.js';
import type { Verb, VerbIO } from '../verb.js';
import { parseVerbArgs, usageErrorFor } from '../verb-options.js';

const USAGE = `Usage: platewatch audit verify --as AUDITOR [--chain NAME] [--expect-head CHAIN=SEQ:HASH …] [storage options]
       platewatch audit sample --as AUDITOR --from DATE --to DATE [--auditor NAME] [--size 10] [--out DIR]
                               [--expect-head CHAIN=SEQ:HASH …] [storage options]
       (each also takes [--password-stdin])

verify  Re-computes the access log hash chains (every chain, or --chain) and reports any record
        altered, deleted, duplicated or reordered. --expect-head, once per chain as the last
        memorandum lists them (CHAIN=SEQ:HASH; or SEQ:HASH with --chain), also catches records cut
        from the end of a chain and a chain deleted whole. Exit 0 intact, 1 problems found.
sample  Draws a random sample of at least 10 search inquiries made in [--from, --to) and writes
        the audit memorandum to the Chief of Police (Watsonville §471.9) as Markdown and HTML:
        DIR/alpr-audit-FROM-TO.md and .html (-2, -3… when a memorandum for the period is filed there
        already: none is ever overwritten). The policy asks for inquiries of the preceding six months.
        With --expect-head the chains' ends are checked as in verify.
        The memorandum also lists every action the system refused in the period, with the role and
        training violations apart.
Both are the auditor's (role auditor, Watsonville §471.9: the Professional Standards Division),
signed in with --as and their password, and both are recorded in the access log.

Options:
  --chain NAME       only this access log chain             [default: every chain]
  --expect-head C=S:H  a chain's head recorded at the last audit (repeat per chain)
  --from DATE        start of the period (ISO 8601, UTC unless a zone is given; inclusive)
  --to DATE          end of the period (ISO 8601, UTC unless a zone is given; exclusive)
  --size N           inquiries to sample, at least 10       [default: 10]
  --as ID            the auditor running it (role auditor; password prompted, or --password-stdin)
  --auditor NAME     name and title on the memorandum       [default: the --as user's name, title]
  --out DIR          where to write the memorandum          [default: current directory]
  --help             show this text

${STORAGE_OPTIONS_USAGE}

Exit status: 0 done/intact; 1 problems found or storage failure; 2 usage or configuration error.

Example:
  platewatch audit sample --as psd1 --from 2026-05-01 --to 2026-11-01 --auditor "Capt. R. Diaz, PSD"
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
  summary: 'verify the access log hash chain; sample searches and write the annual audit memorandum',
  usage: USAGE,
  run: runAudit,
};

const usageError = usageErrorFor('audit', USAGE);

/** `base`, or `base-2`, `base-3`…: the first name with neither a .md nor a .html memorandum filed. */
function unusedBase(base: string): string {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!existsSync(`${candidate}.md`) && !existsSync(`${candidate}.html`)) return candidate;
  }
}

function parseDate(text: string | undefined): Date | undefined {
  const ms = text === undefined ? null : parseUtcTime(text);
  return ms === null ? undefined : new Date(ms);
}

async function runAudit(args: string[], io: VerbIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) return usageError(io, 'a sub-command is needed');
  const parsed = parseVerbArgs('audit', rest, OPTIONS, io);
  if (parsed === null) return 2;
  const { values } = parsed;
  if (parsed.positionals.length > 0) return usageError(io, `unexpected argument "${parsed.positionals[0]}"`);
  if (sub !== 'verify' && sub !== 'sample') return usageError(io, `unknown sub-command "${sub}"`);
  if (values.as === undefined || values.as.trim() === '') return usageError(io, '--as AUDITOR is required');

  const expectedHeads: Record<string, { seq: number; hash: string }> = {};
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
    from = parseDate(values.from);
    to = parseDate(values.to);
    if (from === undefined || to === undefined) return usageError(io, '--from and --to must be ISO 8601 dates');
    if (from.getTime() >= to.getTime()) return usageError(io, '--from must be before --to');
    if (values.size !== undefined) {
      size = Number(values.size);
      if (!Number.isInteger(size) || size < 10) return usageError(io, '--size must be a whole number of at least 10 (Watsonville §471.9)');
    }
  }

  const storageConfig = await storageConfigFrom(values, io);
  if (storageConfig === undefined) return 2;
  const passwords = values['password-stdin'] === true ? await passwordsFromStdin(io) : undefined;
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
      if (results.length === 0) io.stdout.write('access log is empty\n');
      for (const v of results) {
        io.stdout.write(`access log chain "${v.chain}": ${v.records} records, ${v.ok ? 'intact' : `${v.problems.length} problem(s)`}\n`);
        for (const p of v.problems) io.stdout.write(`  ${JSON.stringify(p)}\n`);
        if (v.head) io.stdout.write(`  head ${v.head.seq}:${v.head.hash}\n`);
      }
      return results.every((v) => v.ok) ? 0 : 1;
    }
    const sample = await sampleSearches(storage, { from: from!, to: to!, size, expectedHeads, ...(chain === undefined ? {} : { chain }) });
    await logAudit({ op: 'sample', from: from!.toISOString(), to: to!.toISOString(), size }, sample.reviews.length);
    const meta = { auditor: values.auditor?.trim() || `${auditor.name}, ${auditor.title}` };
    const outDir = resolve(io.cwd, values.out ?? '.');
    mkdirSync(outDir, { recursive: true });
    const base = unusedBase(join(outDir, `alpr-audit-${from!.toISOString().slice(0, 10)}-${to!.toISOString().slice(0, 10)}`));
    // 'wx': a memorandum filed by an earlier run is never replaced, even by one made at the same moment.
    writeFileSync(`${base}.md`, renderMemorandumMarkdown(sample, meta), { flag: 'wx' });
    writeFileSync(`${base}.html`, renderMemorandumHtml(sample, meta), { flag: 'wx' });
    const flagged = sample.reviews.filter((r) => r.findings.length > 0).length;
    const violations = sample.refusedActions.filter((r) => r.kind === 'role' || r.kind === 'training' || r.kind === 'account').length;
    io.stdout.write(
      `${sample.reviews.length} of ${sample.population} inquiries reviewed, ${flagged} with findings, ` +
        `${sample.dataErrors.length} data error(s), ${sample.refusalCount} refused action(s) ` +
        `(${violations} by members lacking the role, training or an active account)\nwrote ${base}.md\nwrote ${base}.html\n`,
    );
    return 0;
  } catch (error) {
    io.stderr.write(`platewatch audit ${sub}: ${verbErrorText(error)}\n`);
    return 1;
  } finally {
    await storage.close();
  }
}
