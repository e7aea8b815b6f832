// `platewatch release request|list|show|approve|refuse|export`: releases of ALPR data to other
// agencies (Watsonville §471.8), as the records custodian and the Chief of Police run them. Each
// command runs --as a member, with their password; storage checks the member's role and training,
// applies the Values Act and Civil Code § 1798.90.55 refusals, and access-logs every step.
// While `platewatch up` holds the embedded storage, each command goes through its HTTP API
// (gateway/release-routes.ts) instead, and prints what it would print here.
import { resolve } from 'node:path';
import {
  AccessLog, DEFAULT_TIME_ZONE, decideRelease, MAX_RELEASE_ROWS, listReleases, produceReleasePackage, recordReleaseRequest, ReleaseError,
  RELEASE_STATUSES, viewRelease, windowText, type ProducedRelease, type ReleaseRequest, type ReleaseStatus,
} from '../../storage/index.js';
import type { ReleaseMatches } from '../../storage/releases.js';
import { OcrAlphabet } from '../../matcher/index.js';
import { claimsForVerb, type VerbClaims } from '../verb-claims.js';
import { passwordsFromStdin, passwordsFromTerminal, type PasswordSource } from '../password-input.js';
import { runningSystemDataDir, runningSystemUrl, withSystemApi, type SystemApi } from '../system-api.js';
import { signInForVerb, verbErrorText, SIGN_IN_PARSE_OPTIONS, VerbRefusal } from '../verb-sign-in.js';
import { terminalText } from '../terminal-text.js';
import { printManifestHash } from '../manifest-hash.js';
import { openForVerb, STORAGE_OPTIONS_USAGE, STORAGE_PARSE_OPTIONS, storageConfigFrom, verbAccessLogChain } from '../storage-options.js';
import type { Verb, VerbIO } from '../verb.js';
import { loadVerbConfig, parseVerbArgs, usageErrorFor } from '../verb-options.js';

const USAGE = `Usage: platewatch release request --agency NAME --agency-kind KIND [--agency-state XX] --requester NAME --purpose TEXT
                                (--plate P [--match exact|ocr|partial] --from DATE --to DATE | --case N) [--document REF] --as ID
       platewatch release list [--status pending|approved|refused|released] --as ID
       platewatch release show --id REL-… --as ID
       platewatch release approve --id REL-… [--note TEXT] --as CHIEF
       platewatch release refuse --id REL-… --note REASON --as CHIEF
       platewatch release export --id REL-… --as CUSTODIAN
       (each also takes [--password-stdin] [storage options])

request  Records an agency's written request (Watsonville §471.8(a)): the agency, the person
         requesting, the intended purpose and the data asked for — reads of a plate in a time range,
         or the detections held as evidence under one of our cases. Requests from federal
         immigration enforcement agencies (ICE, CBP and their components) or for immigration
         enforcement are refused at once, whatever the configuration (California Values Act);
         out-of-state and federal agencies are refused by default (Civil Code § 1798.90.55;
         configuration release.refuseOutOfState / release.refuseFederal).
show     The request and every version of it; while pending, how many detections it matches now
         and their plates, which an approval would release.
approve  The Chief of Police or the designee (role chief) approves a pending request (§471.8(b)),
         one that another member recorded: no data is released on one person's word. The
         approval keeps the detections the request matches then, and prints how many: the
         package holds those and no others.
refuse   ... or refuses it, with the reason; a Chief or designee who recorded it may refuse it
         too (withdraw it); a records custodian asks one to. Approved and refused requests stay
         on file (§471.8(d)).
export   Writes the package of an approved request under DATA_DIR/releases/REL-…: detections.csv,
         detections.json, release.json, manifest.json (SHA-256 of each) and SHA256SUMS. The
         SHA-256 of manifest.json, printed last, is recorded in the access log: write it on the
         property form; a package whose manifest.json no longer has it was changed.
         Custodian or administrator; once per request. It holds the detections approved: it says
         how many of them are no longer stored (purged since), and how many detections matching
         the request now were not approved and left out (a new request is needed for them).
While "platewatch up" runs on the same embedded data directory (which it alone can open), each
command goes through its HTTP API with the same checks and access log; the running system then
writes an export's package under its own DATA_DIR/releases.

Agency kinds: local, state, prosecutor, out_of_state, federal, federal_immigration, non_law_enforcement.
Passwords are never options: prompted for, or the first line of standard input with --password-stdin.

Options:
  --plate P            the plate asked for (--match exact, ocr or partial; default exact)
  --from, --to DATE    the time range asked for: ISO 8601, in the department's time zone (config
                       timeZone) unless a zone is given; a date alone is the start of that day
                       there. --from inclusive, --to exclusive: --from 2026-11-30 --to 2026-12-01
                       is all of Nov 30. The request prints the window recorded, with its UTC
                       instants
  --as ID              who is doing it (required)
  --password-stdin     read the password from standard input
  --id REL-…           the request
  --note TEXT          the decision's note (required to refuse)
  --help               show this text

${STORAGE_OPTIONS_USAGE}

Exit status: 0 done (a request refused automatically is recorded: exit 0, and the refusal printed);
1 refused, not found or failed; 2 usage or configuration error.

Example:
  platewatch release request --agency "Santa Cruz Police Department" --agency-kind local \\
      --requester "Det. M. Lopez" --purpose "armed robbery, SCPD case 26-01234" \\
      --plate 7ABC123 --from 2026-11-01 --to 2026-11-08 --document "letter of 2026-11-09" --as cust1
`;

const OPTIONS = {
  ...SIGN_IN_PARSE_OPTIONS,
  id: { type: 'string' },
  note: { type: 'string' },
  status: { type: 'string' },
  agency: { type: 'string' },
  'agency-kind': { type: 'string' },
  'agency-state': { type: 'string' },
  requester: { type: 'string' },
  purpose: { type: 'string' },
  plate: { type: 'string' },
  match: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  case: { type: 'string' },
  document: { type: 'string' },
  ...STORAGE_PARSE_OPTIONS,
} as const;

const SUB_COMMANDS = ['request', 'list', 'show', 'approve', 'refuse', 'export'] as const;
type SubCommand = (typeof SUB_COMMANDS)[number];

export const releaseVerb: Verb = {
  name: 'release',
  summary: 'record, decide and export releases of ALPR data to other agencies (§471.8)',
  usage: USAGE,
  run: runRelease,
};

const usageError = usageErrorFor('release', USAGE);

/** Storage's wording of a request's fields (POST /api/releases) as the options that give them here. */
function asOptions(message: string): string {
  return message.replaceAll('criteria.caseNumber', '--case').replaceAll('criteria.', '--').replace('agencyKind', '--agency-kind')
    .replace('agencyState', '--agency-state').replace('documentRef', '--document');
}

// Every text a request holds came from a person (the agency's letter, the custodian, the Chief): shown
// with control characters as escapes, never as terminal commands (bin/terminal-text.ts; found by QA).
const t = terminalText;

/** A request as recorded; its time range in the department's `timeZone` and in UTC, so the window can be checked. */
function describe(r: ReleaseRequest, timeZone: string): string {
  const window = r.criteria.kind === 'case' ? '' : windowText(Date.parse(r.criteria.from), Date.parse(r.criteria.to), timeZone);
  const data = r.criteria.kind === 'case' ? `case ${t(r.criteria.caseNumber)}` : `${r.criteria.plate.kind} ${t('plate' in r.criteria.plate ? r.criteria.plate.plate : r.criteria.plate.pattern)}, window ${window}`;
  const lines = [
    `${t(r.requestId)}  ${r.status.toUpperCase()}  (version ${r.version})`,
    `  received  ${r.receivedAt} by ${t(r.recordedBy)}${r.documentRef ? `, document ${t(r.documentRef)}` : ''}`,
    `  agency    ${t(r.agency)} (${r.agencyKind.replaceAll('_', ' ')}${r.agencyState ? `, ${t(r.agencyState)}` : ''})`,
    `  requester ${t(r.requester)}`,
    `  purpose   ${t(r.purpose)}`,
    `  data      ${data}`,
  ];
  if (r.decidedAt !== null) lines.push(`  decided   ${r.decidedAt} by ${t(r.decidedBy)}${r.refusalRule ? ` [${r.refusalRule}]` : ''}${r.decisionNote ? `: ${t(r.decisionNote)}` : ''}`);
  if (r.approvedDetections !== null) lines.push(`  approved  ${r.approvedDetections} detection(s), kept with the approval: the package holds these and no others`);
  else if (r.status === 'approved' || (r.status === 'released' && r.package?.selectedAtExport === true)) {
    lines.push('  approved  detections not kept (approved before approvals kept them): the package holds what the request matches at export');
  }
  if (r.package !== null) lines.push(`  package   ${r.package.detections} detection(s), ${r.package.generatedAt} by ${t(r.package.generatedBy)}`);
  return `${lines.join('\n')}\n`;
}

async function runRelease(args: string[], io: VerbIO): Promise<number> {
  const [sub, ...rest] = args;
  // Nothing said of what to do: the whole usage. A wrong value below: the error and where the usage is.
  if (sub === undefined) return usageError(io, 'a sub-command is needed', 'usage');
  if (!(SUB_COMMANDS as readonly string[]).includes(sub)) return usageError(io, `unknown sub-command "${sub}" (${SUB_COMMANDS.join(', ')})`);
  const parsed = parseVerbArgs('release', rest, OPTIONS, io);
  if (parsed === null) return 2;
  const { values } = parsed;
  if (parsed.positionals.length > 0) return usageError(io, `unexpected argument "${parsed.positionals[0]}"`);
  if (values.as === undefined || values.as.trim() === '') return usageError(io, '--as ID is required: every step is recorded by name (§471.7(b))');
  if (['show', 'approve', 'refuse', 'export'].includes(sub) && (values.id === undefined || values.id.trim() === '')) return usageError(io, '--id REL-… is required');
  if (sub === 'refuse' && (values.note === undefined || values.note.trim() === '')) return usageError(io, 'refuse needs the reason: --note TEXT');
  if (values.status !== undefined && !(RELEASE_STATUSES as readonly string[]).includes(values.status)) {
    return usageError(io, `--status must be one of ${RELEASE_STATUSES.join(', ')}`);
  }
  // The request as the API takes it (POST /api/releases), so both paths check the very same fields.
  const requestBody = {
    agency: values.agency, agencyKind: values['agency-kind'], agencyState: values['agency-state'], requester: values.requester, purpose: values.purpose,
    documentRef: values.document,
    criteria: values.case !== undefined ? { kind: 'case', caseNumber: values.case } : { kind: 'plate', plate: values.plate, match: values.match, from: values.from, to: values.to },
  };
  if (sub === 'request' && (values.plate === undefined) === (values.case === undefined)) return usageError(io, 'say what data is asked for: --plate P --from --to, or --case N');
  // The fields themselves are checked by storage, once the member has signed in, so that a request
  // it will not record (a vague purpose, a name that is none) is on the access log all the same.

  const config = await loadVerbConfig('release', values.config, io);
  if (config === null) return 2;
  const storageConfig = await storageConfigFrom(values, io);
  if (storageConfig === undefined) return 2;
  // Standard input is read to the end before chDB opens (bin/password-input.ts).
  const passwords = values['password-stdin'] === true ? await passwordsFromStdin(io) : undefined;
  const id = values.id?.trim() ?? '';
  const timeZone = storageConfig.timeZone ?? DEFAULT_TIME_ZONE;
  const systemUrl = await runningSystemUrl(storageConfig);
  if (systemUrl !== undefined) {
    const job: ReleaseJob = { sub: sub as SubCommand, id, note: values.note ?? '', status: values.status as ReleaseStatus | undefined, requestBody, timeZone };
    // The running system's packages directory (bin/system.ts), not this configuration's.
    const packagesDir = resolve(runningSystemDataDir(storageConfig.dataDir!), 'releases');
    return releaseThroughSystem(systemUrl, values.as, passwords ?? passwordsFromTerminal(io), job, packagesDir, io);
  }
  const storage = await openForVerb(storageConfig, io);
  if (storage === undefined) return 1;
  let nats: VerbClaims | undefined;
  try {
    const user = await signInForVerb(storage, values.as, values['password-stdin'] === true, io, passwords);
    // Against a server, gateways may change the same request at the same moment: claim each new
    // version where they do (NATS), when the system's NATS can be found. Embedded storage is one
    // process at a time, so there is nothing to race.
    if (storage.kind === 'server') nats = await claimsForVerb('release', 'request', config, io);
    const ctx = {
      storage, accessLog: new AccessLog(storage, verbAccessLogChain(storage)), policy: config.release,
      // The classes `up` stored plate_ocr with: a package must find the plates the same way.
      alphabet: new OcrAlphabet(config.matcher.ocrClasses),
      packagesDir: resolve(io.cwd, config.dataDir, 'releases'), ...(nats === undefined ? {} : { claims: nats.claims }),
    };
    switch (sub) {
      case 'request':
        printRecorded(io, await recordReleaseRequest(ctx, user, { body: requestBody }), timeZone);
        return 0;
      case 'list':
        printList(io, await listReleases(ctx, user, values.status === undefined ? {} : { status: values.status as ReleaseStatus }));
        return 0;
      case 'show': {
        const { history, matchingNow } = await viewRelease(ctx, user, id);
        printHistory(io, history, timeZone, matchingNow);
        return 0;
      }
      case 'approve':
      case 'refuse':
        printDecided(io, await decideRelease(ctx, user, id, sub, values.note ?? ''), timeZone);
        return 0;
      case 'export':
        printPackage(io, await produceReleasePackage(ctx, user, id), resolve(ctx.packagesDir, id));
        return 0;
    }
    return 2;
  } catch (error) {
    // A value storage would not take (logged there): a usage error, as it was before it was logged.
    if (error instanceof ReleaseError && error.code === 'INVALID_RELEASE' && sub !== 'export') return usageError(io, asOptions(error.message));
    io.stderr.write(`platewatch release ${sub}: ${t(verbErrorText(error))}\n`);
    return 1;
  } finally {
    await nats?.close();
    await storage.close();
  }
}

function printRecorded(io: VerbIO, r: ReleaseRequest, timeZone: string): void {
  io.stdout.write(describe(r, timeZone));
  if (r.status === 'refused') io.stdout.write(`refused automatically: ${t(r.decisionNote)}\n`);
}

function printList(io: VerbIO, found: readonly ReleaseRequest[]): void {
  if (found.length === 0) io.stdout.write('no release requests\n');
  for (const r of found) io.stdout.write(`${t(r.requestId)}  ${r.status.padEnd(8)}  ${r.receivedAt.slice(0, 10)}  ${t(r.agency)} — ${t(r.purpose)}\n`);
}

/** The history; for a pending request, what it matches now: what the Chief would approve (§471.8(b)). */
function printHistory(io: VerbIO, history: readonly ReleaseRequest[], timeZone: string, matchingNow?: ReleaseMatches): void {
  for (const r of history) io.stdout.write(describe(r, timeZone));
  if (matchingNow === undefined) return;
  const { detections, distinctPlates, plates } = matchingNow;
  const count = detections > MAX_RELEASE_ROWS ? `more than ${MAX_RELEASE_ROWS} detections (too many to approve: narrow the request)` : `${detections} detection(s)`;
  io.stdout.write(`matching now: ${count} of ${distinctPlates} plate(s); an approval releases these and no others\n`);
  if (plates.length > 0) io.stdout.write(`  plates    ${plates.map(t).join(', ')}${distinctPlates > plates.length ? `, and ${distinctPlates - plates.length} more` : ''}\n`);
}

function printDecided(io: VerbIO, r: ReleaseRequest, timeZone: string): void {
  io.stdout.write(describe(r, timeZone));
  if (r.status === 'approved' && r.approvedDetections !== null) {
    io.stdout.write(`approved ${r.approvedDetections} detection(s): the package will hold these and no others\n`);
  }
}

function printPackage(io: VerbIO, m: ProducedRelease, dir: string): void {
  io.stdout.write(`exported ${m.detections} detection(s) for ${t(m.agency)} to ${t(dir)}\n`);
  if (m.approvedDetections !== undefined) {
    const gone = m.approvedNoLongerStored ?? 0;
    io.stdout.write(`  ${m.approvedDetections} detection(s) approved${gone > 0 ? `; ${gone} of them no longer stored (purged since the approval), so not in the package` : ''}\n`);
    const newer = m.newerMatchesLeftOut ?? 0;
    if (newer > 0) io.stdout.write(`  ${newer} newer match(es) of the request were not approved and are left out: a new request is needed for them\n`);
  } else if (m.selectedAtExport === true) {
    io.stdout.write('  approved before approvals kept their detections: the package holds what the request matched at export\n');
  }
  // Not an error (the agency is told there were none), but never to pass unseen: a window typed
  // in the wrong zone once released nothing and still marked the request released (found by QA).
  if (m.detections === 0 && (m.approvedDetections ?? 0) === 0) io.stderr.write('warning: the package holds 0 detections: nothing matched the request\'s plate and window (see release show)\n');
  for (const f of m.files) io.stdout.write(`  ${t(f.sha256)}  ${t(f.name)}\n`);
  printManifestHash(io, m.manifestSha256);
}

interface ReleaseJob {
  sub: SubCommand;
  /** The request (show, approve, refuse, export). */
  id: string;
  note: string;
  status: ReleaseStatus | undefined;
  /** What `request` records, as POST /api/releases takes it. */
  requestBody: Record<string, unknown>;
  /** The department's, to show the request's window in. */
  timeZone: string;
}

/** The command done by the running system's API (bin/system-api.ts), printed as if done here. */
function releaseThroughSystem(url: string, as: string, passwords: PasswordSource, job: ReleaseJob, packagesDir: string, io: VerbIO): Promise<number> {
  return withSystemApi(url, as, passwords, `release ${job.sub}`, io, async (api) => {
    try {
      await throughSystem(api, job, packagesDir, io);
    } catch (error) {
      // As here: a value the system would not take (and logged) is a usage error.
      const invalid = /^INVALID_RELEASE: /;
      if (error instanceof VerbRefusal && invalid.test(error.message) && job.sub !== 'export') return usageError(io, asOptions(error.message.replace(invalid, '')));
      // The system's refusal may quote the request's own texts: escaped as everything printed here.
      io.stderr.write(`platewatch release ${job.sub}: ${t(verbErrorText(error))}\n`);
      return 1;
    }
    return 0;
  });
}

async function throughSystem(api: SystemApi, job: ReleaseJob, packagesDir: string, io: VerbIO): Promise<void> {
  const path = `/api/releases/${encodeURIComponent(job.id)}`;
  switch (job.sub) {
      case 'request':
        printRecorded(io, await api.json<ReleaseRequest>('POST', '/api/releases', job.requestBody), job.timeZone);
        break;
      case 'list':
        printList(io, (await api.json<{ releases: ReleaseRequest[] }>('GET', `/api/releases${job.status === undefined ? '' : `?status=${job.status}`}`)).releases);
        break;
      case 'show': {
        const { history, matchingNow } = await api.json<{ history: ReleaseRequest[]; matchingNow?: ReleaseMatches }>('GET', path);
        printHistory(io, history, job.timeZone, matchingNow);
        break;
      }
      case 'approve':
      case 'refuse':
        printDecided(io, await api.json<ReleaseRequest>('POST', `${path}/decision`, { decision: job.sub, note: job.note }), job.timeZone);
        break;
      case 'export':
        printPackage(io, await api.json<ProducedRelease>('POST', `${path}/package`), resolve(packagesDir, job.id));
        break;
  }
}
