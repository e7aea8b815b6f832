// `platewatch hotlist load|list`: puts a new version of a hot list into the running system (every
// pipeline worker swaps it in atomically) and shows the lists in use with their age. A load is an
// administrator's, signed in and access-logged: through the running system's API when it holds
// storage, else with storage opened here.
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { HOTLIST_FILE_MAX_BYTES } from '../../gateway/index.js';
import { BulkLayoutError, describeHotlists, openHotlistStore, parseBulkFile, publishHotlist, type PublishedList } from '../../ingest/index.js';
import { isSpecificList, type HotlistEntry } from '../../matcher/index.js';
import { ACCESS_OUTCOMES, AccessLog, authoriseAction, isImmigrationEnforcement, type AccessOutcome, type StorageConfig } from '../../storage/index.js';
import { readHotlistFiles } from '../batch-match.js';
import type { PlatewatchConfig } from '../config.js';
import { passwordsFromStdin, passwordsFromTerminal, type PasswordSource } from '../password-input.js';
import { connectToSystem } from '../runtime.js';
import { openForVerb, STORAGE_OPTIONS_USAGE, STORAGE_PARSE_OPTIONS, storageConfigFrom, verbAccessLogChain } from '../storage-options.js';
import { ApiRefusal, runningSystemUrl, SystemBusy, withSystemApi, type SystemApi } from '../system-api.js';
import { terminalText } from '../terminal-text.js';
import type { Verb, VerbIO } from '../verb.js';
import { loadVerbConfig, parseVerbArgs, unknownSubCommandText, usageErrorFor } from '../verb-options.js';
import { signInForVerb, SIGN_IN_PARSE_OPTIONS, VerbRefusal, verbErrorText } from '../verb-sign-in.js';

const USAGE = `Usage: platewatch hotlist load --list NAME FILE --as ID [--password-stdin] [--layout NAME] [--strict] [--allow-empty]
                              [--nats URL] [storage options]
       platewatch hotlist list [--nats URL] [--config FILE]

load   Validates FILE (CSV: plate,state,list,reason,case_number,entered_by,synopsis[,expires_at,vehicle_*])
       and makes its rows the new version of general list NAME (SVS, SFR, SLR, an NCIC extract: the
       bulk lists downloaded daily) in the running system: every pipeline worker
       builds it off to the side and swaps it in whole. Prints the version and what was added and
       removed. Rows of other lists are reported and skipped; bad rows are reported with their line.
       With --layout, FILE is a state or NCIC extract laid out as configured under hotlists.layouts
       (delimited or fixed-width, NCIC codes LIC LIS LIT LIY VMA VMO VYR VCO VST NIC OCA ORI MKE);
       Immigration Violator File records are dropped and counted (Gov. Code § 7284.6), and columns
       the layout does not map (names, dates of birth) are never read.
       Specific lists (BOLO, case lists) are refused here: each of their entries is approved by
       the ALPR administrator before it matches (Watsonville PD §471.5(f)(5)), so they take entries
       through the console or POST /api/hotlists/NAME/entries, and approvals in the Admin view.
       A load is made by an administrator who signs in (--as, with their password), as at the
       console: individual credentials (§471.5(h)), and every load, or its refusal, is in the access
       log. While "platewatch up" runs on this data directory the file goes through its API (as
       text, up to 256 MiB); otherwise this command opens storage itself (--nats, or $NATS_URL,
       names the system's NATS). While that system is receiving other uploads it answers busy:
       the command waits as long as it asks and sends the file again, for up to 2 minutes.
       A cron job gives the password on standard input:
       --password-stdin < /etc/platewatch/loader.password
list   Shows each list in use: version, entries, who loaded it and how old it is (general lists
       older than 24 h are stale: Watsonville PD §471.5(f)(4) asks for a daily download).

Options:
  --list NAME      the general list to replace (SVS, SFR or SLR by default)
  --layout NAME    a bulk layout from the configuration (hotlists.layouts)
  --strict         refuse the whole file if any row is bad
  --allow-empty    allow a version with no entries (otherwise refused: an empty download is
                   more likely a broken feed than an empty list)
  --as ID          the administrator loading it (hotlists.manage); prompts for the password
  --password-stdin read the password from standard input (one line) instead of the terminal
  --nats URL       the system's NATS                       [default: $NATS_URL, else the running
                                                            "platewatch up" under the data directory]

${STORAGE_OPTIONS_USAGE}

Example:
  ./platewatch hotlist load --list SVS --as admin1 examples/hotlists/svs.csv
`;

const OPTIONS = {
  ...SIGN_IN_PARSE_OPTIONS,
  ...STORAGE_PARSE_OPTIONS,
  list: { type: 'string' },
  layout: { type: 'string' },
  strict: { type: 'boolean', default: false },
  'allow-empty': { type: 'boolean', default: false },
  nats: { type: 'string' },
} as const;

export const hotlistVerb: Verb = {
  name: 'hotlist',
  summary: 'load a new version of a hot list into the running system, or list the lists in use',
  usage: USAGE,
  run: runHotlist,
};

const usageError = usageErrorFor('hotlist', USAGE);

async function runHotlist(args: string[], io: VerbIO): Promise<number> {
  const parsed = parseVerbArgs('hotlist', args, OPTIONS, io);
  if (parsed === null) return 2;
  const { values, positionals } = parsed;
  const [action, file, ...extra] = positionals;
  if (action !== undefined && action !== 'load' && action !== 'list') return usageError(io, unknownSubCommandText(action, ['load', 'list']));
  if ((action !== 'load' && action !== 'list') || extra.length > 0 || (action === 'load' && (file === undefined || values.list === undefined))) {
    return usageError(io, 'expected "load --list NAME FILE" or "list"');
  }
  const config = await loadVerbConfig('hotlist', values.config, io);
  if (config === null) return 2;
  if (action === 'list') return listHotlists(config, values.nats, io);
  const list = (values.list as string).trim().toUpperCase();
  // Gov. Code § 7284.6(a)(1): no hot list for immigration enforcement.
  if (isImmigrationEnforcement(list)) {
    io.stderr.write(`platewatch hotlist: a hot list for immigration enforcement cannot be created (California Values Act, Gov. Code § 7284.6)\n`);
    return 1;
  }
  // Watsonville §471.5(f)(5): a specific list's entries match only once approved, so they never
  // arrive in bulk from a file; only the approval workflow (storage/hotlists.ts) publishes them.
  if (isSpecificList(config.matcher, list)) {
    io.stderr.write(
      // "NOPE is a specific list" read as if NOPE existed (found by QA): say what the files are for.
      `platewatch hotlist: ${list} is not a general list; files load only the general lists (${config.matcher.generalLists.join(', ')}). ` +
        `Any other list is specific: its entries match only after the ALPR administrator approves each one ` +
        `(Watsonville PD §471.5(f)(5)); submit them from the console or with POST /api/hotlists/${list}/entries.\n`,
    );
    return 1;
  }
  if (values.as === undefined) return usageError(io, 'load needs --as ID: a list is loaded by an administrator who signs in (Watsonville PD §471.5(h))');
  const storageConfig = await storageConfigFrom(values, io);
  if (storageConfig === undefined) return 2;
  const job: LoadJob = { list, file: file as string, layout: values.layout, strict: values.strict, allowEmpty: values['allow-empty'] };
  const passwords = values['password-stdin'] === true ? await passwordsFromStdin(io) : undefined;
  const systemUrl = await runningSystemUrl(storageConfig);
  if (systemUrl !== undefined) return loadThroughSystem(systemUrl, values.as, passwords ?? passwordsFromTerminal(io), job, Object.keys(config.hotlists.layouts), io);
  return loadDirectly(config, storageConfig, values.as, passwords, values.nats, job, io);
}

interface LoadJob {
  list: string;
  /** As given, relative to the working directory. */
  file: string;
  layout: string | undefined;
  strict: boolean;
  allowEmpty: boolean;
}

async function listHotlists(config: PlatewatchConfig, natsUrl: string | undefined, io: VerbIO): Promise<number> {
  const nc = await connectToSystem('hotlist', config, io, natsUrl);
  if (nc === null) return 1;
  try {
    const store = await openHotlistStore(jetstream(nc));
    const lists = await describeHotlists(store, config.matcher, config.hotlists.staleAfterHours * 3_600_000);
    if (lists.length === 0) io.stdout.write('no hot lists loaded\n');
    for (const s of lists) {
      // A specific list's version is published when an entry is approved: loadedBy "approval by admin1".
      const by = s.loadedBy.startsWith('approval by ') ? `on ${s.loadedBy}` : `by ${s.loadedBy || '?'}`;
      const loaded = s.loadedAt === null ? (s.kind === 'specific' ? 'no entry approved yet' : 'never loaded') : `loaded ${by} ${formatAge((s.ageSeconds ?? 0) * 1000)} ago`;
      io.stdout.write(
        `${s.list.padEnd(10)} version ${s.version}  ${s.entries} entries  ${loaded}` +
          `${s.stale ? `  STALE: general lists must be refreshed at least every ${config.hotlists.staleAfterHours} h` : ''}\n`,
      );
    }
    return 0;
  } finally {
    await nc.close();
  }
}

/**
 * The running system loads the file (gateway/hotlist-routes.ts): its role check, checks of the file
 * and access log. The file goes as text, which that route takes up to a daily download's size.
 */
async function loadThroughSystem(url: string, as: string, passwords: PasswordSource, job: LoadJob, ownLayouts: readonly string[], io: VerbIO): Promise<number> {
  let text: string;
  try {
    // Said before the file is read and sent: refused after the upload, it cost the memory and the wait.
    const bytes = (await stat(resolve(io.cwd, job.file))).size;
    if (bytes > HOTLIST_FILE_MAX_BYTES) {
      io.stderr.write(`platewatch hotlist: ${job.file} is ${Math.ceil(bytes / 2 ** 20)} MiB; the running platewatch takes files of at most ${HOTLIST_FILE_MAX_BYTES / 2 ** 20} MiB: split it by list, or stop it and load with --nats\n`);
      return 1;
    }
    text = await readFile(resolve(io.cwd, job.file), 'utf8');
  } catch (error) {
    io.stderr.write(`cannot read hot list ${job.file}: ${(error as Error).message}\n`);
    return 1;
  }
  const query = new URLSearchParams({ ...(job.layout === undefined ? {} : { layout: job.layout }), strict: String(job.strict), allowEmpty: String(job.allowEmpty) });
  return withSystemApi(url, as, passwords, 'hotlist load', io, async (api) => {
    let loaded: LoadReply;
    try {
      loaded = await postWhenNotBusy(api, `/api/hotlists/${encodeURIComponent(job.list)}/load?${query.toString()}`, text, io);
    } catch (error) {
      printRowsRefused(error, job.file, io);
      throw asThisCommand(error, job, ownLayouts);
    }
    printRows(job.file, loaded.rejected, loaded.rejectedCount, loaded.dropped, loaded.droppedImmigration, io);
    io.stderr.write(
      `loaded ${loaded.entries} of ${loaded.rows} rows from ${job.file} (${loaded.rejectedCount} rejected, ` +
        `${loaded.droppedImmigration} immigration violator records dropped: Gov. Code § 7284.6)\n`,
    );
    if (loaded.ignoredColumns.length > 0) io.stderr.write(`${job.file}: columns not read: ${loaded.ignoredColumns.join(', ')}\n`);
    printPublished(loaded, io, loaded.inForce);
    return loaded.inForce === false ? 1 : 0;
  });
}

/**
 * How long a load waits in all for the running system to take the file while it is receiving
 * others (503 BUSY): the daily cron job must not fail because two administrators were uploading.
 */
export const BUSY_PATIENCE_MS = 120_000;

/**
 * Posts the file, and while the gateway answers BUSY (it takes a few uploads at a time) waits as
 * long as it asks (Retry-After) and sends it again, saying so once per wait, for BUSY_PATIENCE_MS in all.
 */
async function postWhenNotBusy(api: SystemApi, path: string, text: string, io: VerbIO): Promise<LoadReply> {
  const giveUpAt = Date.now() + BUSY_PATIENCE_MS;
  for (;;) {
    try {
      return await api.postText<LoadReply>(path, 'text/csv', text);
    } catch (error) {
      if (!(error instanceof SystemBusy)) throw error;
      const waitMs = Math.max(error.retryAfterSeconds, 1) * 1000;
      if (Date.now() + waitMs > giveUpAt) {
        throw new SystemBusy(`${error.message} (still busy after ${Math.round(BUSY_PATIENCE_MS / 1000)} s of trying: load the file again later)`, error.retryAfterSeconds);
      }
      const others = /^BUSY: (\d+) uploads/.exec(error.message)?.[1];
      io.stderr.write(`platewatch hotlist: the running platewatch is receiving ${others === undefined ? 'other uploads' : `${others} other upload${others === '1' ? '' : 's'}`}; trying again in ${waitMs / 1000} s\n`);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/**
 * The rows of a file the running system refused for having no entries (EMPTY_LIST), each with its
 * line and reason, and the count, as a partial load prints them: the refusal alone named none.
 */
function printRowsRefused(error: unknown, file: string, io: VerbIO): void {
  if (!(error instanceof ApiRefusal) || !error.message.startsWith('EMPTY_LIST')) return;
  const rowsOf = (key: string): Array<{ line: number; reason: string }> => {
    const rows = error.details[key];
    return Array.isArray(rows) ? rows.filter((r): r is { line: number; reason: string } => typeof r?.line === 'number' && typeof r?.reason === 'string') : [];
  };
  const rejected = rowsOf('rejected');
  const count = (key: string, otherwise: number): number => (typeof error.details[key] === 'number' ? (error.details[key] as number) : otherwise);
  const rejectedCount = count('rejectedCount', rejected.length);
  const dropped = count('droppedImmigration', 0);
  printRows(file, rejected, rejectedCount, rowsOf('dropped'), dropped, io);
  const rows = error.details['rows'];
  if (typeof rows === 'number') {
    io.stderr.write(`loaded 0 of ${rows} rows from ${file} (${rejectedCount} rejected, ${dropped} immigration violator records dropped: Gov. Code § 7284.6)\n`);
  }
}

/** The rows the answer lists, each with its line, and how many more it did not (it lists 1,000 of each at most). */
function printRows(
  file: string, rejected: ReadonlyArray<{ line: number; reason: string }>, rejectedCount: number,
  dropped: ReadonlyArray<{ line: number; reason: string }>, droppedCount: number, io: VerbIO,
): void {
  for (const row of rejected) io.stderr.write(`${file}:${row.line}: ${terminalText(row.reason)}\n`);
  if (rejectedCount > rejected.length) io.stderr.write(`${file}: and ${rejectedCount - rejected.length} more rows rejected (the first ${rejected.length} are listed)\n`);
  for (const row of dropped) io.stderr.write(`${file}:${row.line}: dropped: ${terminalText(row.reason)}\n`);
  // A layout's load counts the rows it drops without listing them: only a list cut short says so.
  if (dropped.length > 0 && droppedCount > dropped.length) io.stderr.write(`${file}: and ${droppedCount - dropped.length} more rows dropped (the first ${dropped.length} are listed)\n`);
}

/**
 * The API's refusal in this command's words: its layouts are the running system's configuration
 * (found by QA: `--config` with a layout of its own was ignored, unsaid), and its options flags.
 */
function asThisCommand(error: unknown, job: LoadJob, ownLayouts: readonly string[]): unknown {
  if (!(error instanceof VerbRefusal)) return error;
  if (job.layout !== undefined && error.message.startsWith('INVALID_LAYOUT') && ownLayouts.includes(job.layout)) {
    return new VerbRefusal(`${error.message}. The running platewatch reads layouts from its own configuration, not this command's --config: start it with a configuration that has layout "${job.layout}"`);
  }
  if (error.message.startsWith('EMPTY_LIST')) return new VerbRefusal(error.message.replace(/\(send "allowEmpty": true to empty the list\)/, '(use --allow-empty to empty the list)'));
  return error;
}

/** What POST /api/hotlists/{list}/load answers (gateway/hotlist-routes.ts). */
interface LoadReply extends PublishedList {
  /** Whether the system's pipeline matches against it yet (null: that process runs none). */
  inForce: boolean | null;
  rows: number;
  /** The first 1,000 rows rejected (gateway ROWS_ANSWERED_MAX); `rejectedCount` counts them all. */
  rejected: Array<{ line: number; reason: string }>;
  rejectedCount: number;
  droppedImmigration: number;
  /** The rows dropped for immigration enforcement, with why (plain CSV; a layout load counts them only). */
  dropped: Array<{ line: number; reason: string }>;
  ignoredColumns: string[];
}

/**
 * What was published, and whether it matches yet: said only once the system has swapped it in,
 * since reads in the seconds a large list takes to build are matched against the one before.
 */
function printPublished(published: PublishedList, io: VerbIO, inForce: boolean | null): void {
  const what = `${published.entries} entries (${published.added} added, ${published.removed} removed)`;
  if (inForce === true) io.stdout.write(`list ${published.list} is now version ${published.version}: ${what}; in force\n`);
  else {
    io.stdout.write(`list ${published.list} version ${published.version} published: ${what}\n`);
    io.stderr.write(inForce === false
      ? `platewatch hotlist: version ${published.version} is not in force after a minute: the system is still building it, or refused it (see its log); version ${published.version - 1} matches meanwhile\n`
      : 'platewatch hotlist: each pipeline worker swaps it in once built, seconds for a large list (its log says "hot list version swapped in")\n');
  }
}

/**
 * No running system holds storage here (a ClickHouse server, or `up` stopped): this command signs
 * the member in, checks the role and keeps the access log itself, and publishes over NATS.
 */
async function loadDirectly(
  config: PlatewatchConfig, storageConfig: Partial<StorageConfig>, as: string, passwords: PasswordSource | undefined, natsUrl: string | undefined, job: LoadJob, io: VerbIO,
): Promise<number> {
  const nc = await connectToSystem('hotlist', config, io, natsUrl);
  if (nc === null) return 1;
  const storage = await openForVerb(storageConfig, io);
  if (storage === undefined) {
    await nc.close();
    return 1;
  }
  const accessLog = new AccessLog(storage, verbAccessLogChain(storage));
  const params = { op: 'bulk_load', list: job.list, layout: job.layout ?? 'csv', via: 'cli', file: basename(job.file) };
  const record = (user: string, outcome: AccessOutcome, detail: string, more: Record<string, unknown> = {}) => accessLog.append({
    user, action: 'hotlist', outcome, params: { ...params, ...more }, rowsReturned: 0, caseNumber: '', reason: 'bulk_load', detail,
  });
  try {
    const user = await signInForVerb(storage, as, passwords !== undefined, io, passwords);
    await authoriseAction({ storage, accessLog }, user, 'hotlists.manage', params);
    const tally = { rows: 0, rejected: 0 };
    const entries = job.layout === undefined
      ? await readCsv(job.list, job.file, job.strict, config, io, tally)
      : await readWithLayout(job.list, job.file, job.layout, job.strict, config, io, tally);
    if (entries === null) {
      await record(user, ACCESS_OUTCOMES.invalid, 'the file was refused (see the messages above)');
      return 1;
    }
    if (entries.length === 0 && !job.allowEmpty) {
      await record(user, ACCESS_OUTCOMES.invalid, 'EMPTY_LIST');
      // The rows were printed above, each with its line; a file to fix is not an empty download.
      const none = tally.rows > 0 && tally.rejected === tally.rows ? `${job.file}: all ${tally.rows} rows were rejected, so it has no entries for list ${job.list}` : `${job.file} has no entries for list ${job.list}`;
      io.stderr.write(`platewatch hotlist: ${none}; refusing to empty the list (use --allow-empty)\n`);
      return 1;
    }
    const published = await publishHotlist(await openHotlistStore(jetstream(nc)), job.list, entries, user);
    await record(user, ACCESS_OUTCOMES.ok, '', { version: published.version, entries: published.entries, added: published.added, removed: published.removed });
    printPublished(published, io, null);
    return 0;
  } catch (error) {
    io.stderr.write(`platewatch hotlist load: ${verbErrorText(error)}\n`);
    return 1;
  } finally {
    await storage.close();
    await nc.close();
  }
}

async function readCsv(list: string, file: string, strict: boolean, config: PlatewatchConfig, io: VerbIO, tally: { rows: number; rejected: number }): Promise<HotlistEntry[] | null> {
  const byList = await readHotlistFiles({ files: [{ shown: file, path: resolve(io.cwd, file) }], config: config.matcher, strict, stderr: io.stderr, tally });
  if (byList === null) return null;
  const others = [...byList.entries()].filter(([name]) => name !== list);
  if (others.length > 0) {
    const count = others.reduce((n, [, entries]) => n + entries.length, 0);
    const names = others.map(([name]) => name).join(', ');
    if (strict) {
      io.stderr.write(`${file}: ${count} rows belong to other lists (${names}); --strict refuses the whole file: nothing was loaded\n`);
      return null;
    }
    io.stderr.write(`${file}: ${count} rows belong to other lists (${names}) and were skipped\n`);
  }
  return byList.get(list) ?? [];
}

/** A state or NCIC extract in a configured layout; prints the load report to stderr. */
async function readWithLayout(
  list: string, file: string, layoutName: string, strict: boolean, config: PlatewatchConfig, io: VerbIO, tally: { rows: number; rejected: number },
): Promise<HotlistEntry[] | null> {
  // Own keys only: `--layout toString` would otherwise find Object.prototype's and crash.
  const layout = Object.hasOwn(config.hotlists.layouts, layoutName) ? config.hotlists.layouts[layoutName] : undefined;
  if (layout === undefined) {
    const known = Object.keys(config.hotlists.layouts);
    io.stderr.write(`platewatch hotlist: no layout "${layoutName}" in the configuration (hotlists.layouts: ${known.length === 0 ? 'none' : known.join(', ')})\n`);
    return null;
  }
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    io.stderr.write(`cannot read hot list ${file}: ${(error as Error).message}\n`);
    return null;
  }
  try {
    const { entries, report } = parseBulkFile(text, layout, { list, config: config.matcher, immigrationMessageKeys: config.hotlists.immigrationMessageKeys, strict });
    for (const row of report.rejected) io.stderr.write(`${file}:${row.line}: ${terminalText(row.reason)}\n`);
    tally.rows = report.rows;
    tally.rejected = report.rejected.length;
    io.stderr.write(
      `loaded ${entries.length} of ${report.rows} rows from ${file} (${report.rejected.length} rejected, ` +
        `${report.droppedImmigration} immigration violator records dropped: Gov. Code § 7284.6)\n`,
    );
    if (report.ignoredColumns.length > 0) io.stderr.write(`${file}: columns not read: ${report.ignoredColumns.join(', ')}\n`);
    return entries;
  } catch (error) {
    if (!(error instanceof BulkLayoutError)) throw error;
    for (const row of error.rejected) io.stderr.write(`${file}:${row.line}: ${terminalText(row.reason)}\n`);
    io.stderr.write(`hot list ${file} refused [${error.code}]: ${terminalText(error.message)}\n`);
    return null;
  }
}

function formatAge(ms: number): string {
  if (ms < 90_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 48 * 3600_000) return `${Math.round(ms / 3600_000)} h`;
  return `${Math.round(ms / 86_400_000)} days`;
}
