// `platewatch refused-reads`: why a camera's reads were refused, for the administrator setting a
// camera up with its integrator (gateway/refused-reads-routes.ts gives the same over the API). A
// camera's own credentials cannot read the copies: the stream holds every camera's refusals.
import { jetstreamManager } from '@nats-io/jetstream';
import { refusedReadsQueryOf, reviewRefusedReads, type RefusedReadsFilters } from '../../gateway/index.js';
import { REFUSED_READS_DEFAULT_LIMIT, REFUSED_READS_MAX_LIMIT, REFUSED_READS_SCAN_AT_MOST, type RefusedReadsPage } from '../../ingest/index.js';
import { AccessLog } from '../../storage/index.js';
import { passwordsFromStdin, passwordsFromTerminal } from '../password-input.js';
import { connectToSystem } from '../runtime.js';
import { openForVerb, STORAGE_OPTIONS_USAGE, STORAGE_PARSE_OPTIONS, storageConfigFrom, verbAccessLogChain } from '../storage-options.js';
import { runningSystemUrl, withSystemApi } from '../system-api.js';
import { terminalText } from '../terminal-text.js';
import type { Verb, VerbIO } from '../verb.js';
import { loadVerbConfig, parseVerbArgs, usageErrorFor } from '../verb-options.js';
import { signInForVerb, SIGN_IN_PARSE_OPTIONS, verbErrorText } from '../verb-sign-in.js';

const USAGE = `Usage: platewatch refused-reads --as ID [--agency A] [--camera C] [--limit N] [--before SEQ]
                              [--json] [--password-stdin] [--nats URL] [storage options]

Shows the messages the pipeline refused reads of, newest first, each with the subject it came on,
every reason and the positions in the batch it refused (-1: the whole message), as kept on
alpr.invalid.reads (30 days, 1 GiB at most; docs/wire.md, "Invalid reads"). For the ALPR
administrator (reads.refused) working with a camera's integrator: the reasons quote what the
camera sent, plates included, so each reading is on the access log.
A reading looks through at most ${REFUSED_READS_SCAN_AT_MOST} refused messages; when more are left it prints
the --before that goes on to older ones.
While "platewatch up" runs on this data directory this asks its API; otherwise it opens storage
itself and reads the system's NATS (--nats, or $NATS_URL).

Options:
  --as ID          the administrator reading (prompts for the password)
  --agency A       only messages sent under this agency (its subject token, any letter case)
  --camera C       only messages from this camera
  --limit N        messages to show, 1–${REFUSED_READS_MAX_LIMIT}          [default: ${REFUSED_READS_DEFAULT_LIMIT}]
  --before SEQ     only messages older than this: the --before the previous reading printed
  --json           the answer as JSON, as GET /api/refused-reads gives it
  --password-stdin read the password from standard input (one line) instead of the terminal
  --nats URL       the system's NATS                       [default: $NATS_URL, else the running
                                                            "platewatch up" under the data directory]

${STORAGE_OPTIONS_USAGE}

Example:
  ./platewatch refused-reads --as admin1 --agency wpd --camera cam-12 --limit 20
`;

const OPTIONS = {
  ...SIGN_IN_PARSE_OPTIONS,
  ...STORAGE_PARSE_OPTIONS,
  agency: { type: 'string' },
  camera: { type: 'string' },
  limit: { type: 'string' },
  before: { type: 'string' },
  json: { type: 'boolean', default: false },
  nats: { type: 'string' },
} as const;

export const refusedReadsVerb: Verb = {
  name: 'refused-reads',
  summary: "show why cameras' reads were refused, newest first (administrators)",
  usage: USAGE,
  run: runRefusedReads,
};

const usageError = usageErrorFor('refused-reads', USAGE);

async function runRefusedReads(args: string[], io: VerbIO): Promise<number> {
  const parsed = parseVerbArgs('refused-reads', args, OPTIONS, io);
  if (parsed === null) return 2;
  const { values, positionals } = parsed;
  if (positionals.length > 0) return usageError(io, `unexpected argument "${positionals[0]}"`);
  if (values.as === undefined || values.as.trim() === '') return usageError(io, '--as ADMINISTRATOR is required: each reading is on the access log by name');
  const filters: RefusedReadsFilters = { agency: values.agency, camera: values.camera, limit: values.limit, before: values.before };
  const read = refusedReadsQueryOf(filters);
  if (!read.ok) return usageError(io, read.reason.replace(/"(agency|camera|limit|before)"/g, '--$1').replace("the previous page's olderThan", 'the --before the previous reading printed'));
  const config = await loadVerbConfig('refused-reads', values.config, io);
  if (config === null) return 2;
  const storageConfig = await storageConfigFrom(values, io);
  if (storageConfig === undefined) return 2;
  const passwords = values['password-stdin'] === true ? await passwordsFromStdin(io) : undefined;
  const show = (page: RefusedReadsPage): number => printPage(io, page, values.json);

  const systemUrl = await runningSystemUrl(storageConfig);
  if (systemUrl !== undefined) {
    const query = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => e[1] !== undefined));
    return withSystemApi(systemUrl, values.as, passwords ?? passwordsFromTerminal(io), 'refused-reads', io, async (api) =>
      show(await api.json<RefusedReadsPage>('GET', `/api/refused-reads?${query}`)));
  }
  const nc = await connectToSystem('refused-reads', config, io, values.nats);
  if (nc === null) return 1;
  const storage = await openForVerb(storageConfig, io);
  if (storage === undefined) {
    await nc.close();
    return 1;
  }
  try {
    const accessLog = new AccessLog(storage, verbAccessLogChain(storage));
    const user = await signInForVerb(storage, values.as, passwords !== undefined, io, passwords);
    return show(await reviewRefusedReads({ storage, accessLog, jsm: () => jetstreamManager(nc) }, user, read.query));
  } catch (error) {
    io.stderr.write(`platewatch refused-reads: ${verbErrorText(error)}\n`);
    return 1;
  } finally {
    await storage.close();
    await nc.close();
  }
}

/** The page as text (each camera's text shown, never obeyed: terminalText) or JSON. */
function printPage(io: VerbIO, page: RefusedReadsPage, json: boolean): number {
  if (json) {
    io.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  const kept = page.oldestKept === null ? 'none are kept' : `the oldest kept is from ${page.oldestKept.refusedAt}`;
  if (page.messages.length === 0) {
    io.stdout.write(`no refused messages match among the ${page.scanned} looked through (${kept}); this reading is recorded in the access log\n`);
  } else {
    io.stdout.write(`${page.messages.length} refused message(s), newest first, of ${page.scanned} looked through (${kept}); times in UTC; this reading is recorded in the access log\n`);
  }
  for (const m of page.messages) {
    const size = m.truncated ? `${m.bytes} bytes, only the head kept` : `${m.bytes} bytes`;
    io.stdout.write(`\n#${m.seq}  ${m.refusedAt}  ${terminalText(m.subject)}  (${size})\n`);
    for (const r of m.refusals) {
      const where = r.positions.length === 1 && r.positions[0] === -1 ? 'whole message' : `position${r.positions.length === 1 ? '' : 's'} ${positionsText(r.positions)}`;
      io.stdout.write(`  ${where}: ${terminalText(r.reason)}\n`);
    }
  }
  if (page.olderThan !== null) io.stdout.write(`\nolder refused messages are left to look through: run the same command with --before ${page.olderThan}\n`);
  return 0;
}

/** 0,1,2,3,7 as 0–3, 7: a 1,000-read batch refused whole is one range, not 1,000 numbers. */
export function positionsText(positions: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < positions.length; ) {
    let j = i;
    while (j + 1 < positions.length && positions[j + 1] === (positions[j] as number) + 1) j++;
    parts.push(j > i ? `${positions[i]}–${positions[j]}` : String(positions[i]));
    i = j + 1;
  }
  return parts.join(', ');
}
