// `platewatch hotlist load|list`: puts a new version of a hot list into the running system (every
// pipeline worker swaps it in atomically) and shows the lists in use with their age.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { BulkLayoutError, describeHotlists, openHotlistStore, parseBulkFile, publishHotlist } from '../../ingest/index.js';
import { isSpecificList, type HotlistEntry } from '../../matcher/index.js';
import { isImmigrationEnforcement } from '../../storage/index.js';
import { readHotlistFiles } from '../batch-match.js';
import type { PlatewatchConfig } from '../config.js';
import { connectToSystem } from '../runtime.js';
import type { Verb, VerbIO } from '../verb.js';
import { loadVerbConfig, parseVerbArgs } from '../verb-options.js';

const USAGE = `Usage: platewatch hotlist load --list NAME FILE [--layout NAME] [--strict] [--allow-empty] [--as USER] [--nats URL] [--config FILE]
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
list   Shows each list in use: version, entries, who loaded it and how old it is (general lists
       older than 24 h are stale: Watsonville PD §471.5(f)(4) asks for a daily download).

Options:
  --list NAME      the general list to replace (SVS, SFR or SLR by default)
  --layout NAME    a bulk layout from the configuration (hotlists.layouts)
  --strict         refuse the whole file if any row is bad
  --allow-empty    allow a version with no entries (otherwise refused: an empty download is
                   more likely a broken feed than an empty list)
  --as USER        recorded as who loaded it               [default: $USER]
  --nats URL       the system's NATS                       [default: $NATS_URL, else the running
                                                            "platewatch up" under the data directory]
  --config FILE    JSON config file

Example:
  ./platewatch hotlist load --list SVS examples/hotlists/svs.csv
`;

const OPTIONS = {
  list: { type: 'string' },
  layout: { type: 'string' },
  strict: { type: 'boolean', default: false },
  'allow-empty': { type: 'boolean', default: false },
  as: { type: 'string' },
  nats: { type: 'string' },
  config: { type: 'string' },
} as const;

export const hotlistVerb: Verb = {
  name: 'hotlist',
  summary: 'load a new version of a hot list into the running system, or list the lists in use',
  usage: USAGE,
  run: runHotlist,
};

async function runHotlist(args: string[], io: VerbIO): Promise<number> {
  const parsed = parseVerbArgs('hotlist', args, OPTIONS, io);
  if (parsed === null) return 2;
  const { values, positionals } = parsed;
  const [action, file, ...extra] = positionals;
  if ((action !== 'load' && action !== 'list') || extra.length > 0 || (action === 'load' && (file === undefined || values.list === undefined))) {
    io.stderr.write(`platewatch hotlist: expected "load --list NAME FILE" or "list"\nRun "platewatch hotlist --help" for usage.\n`);
    return 2;
  }
  const config = await loadVerbConfig('hotlist', values.config, io);
  if (config === null) return 2;
  const nc = await connectToSystem('hotlist', config, io, values.nats);
  if (nc === null) return 1;
  try {
    const store = await openHotlistStore(jetstream(nc));
    if (action === 'list') {
      const lists = await describeHotlists(store, config.matcher, config.hotlists.staleAfterHours * 3_600_000);
      if (lists.length === 0) io.stdout.write('no hot lists loaded\n');
      for (const s of lists) {
        const loaded = s.loadedAt === null ? 'never loaded' : `loaded by ${s.loadedBy || '?'} ${formatAge((s.ageSeconds ?? 0) * 1000)} ago`;
        io.stdout.write(
          `${s.list.padEnd(10)} version ${s.version}  ${s.entries} entries  ${loaded}` +
            `${s.stale ? `  STALE: general lists must be refreshed at least every ${config.hotlists.staleAfterHours} h` : ''}\n`,
        );
      }
      return 0;
    }
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
          `(Watsonville PD §471.5(f)(5)); submit them from the console or with POST /api/hotlists/${list}/entries.
`,
      );
      return 1;
    }
    const entries = values.layout === undefined
      ? await readCsv(list, file as string, values.strict, config, io)
      : await readWithLayout(list, file as string, values.layout, values.strict, config, io);
    if (entries === null) return 1;
    if (entries.length === 0 && !values['allow-empty']) {
      io.stderr.write(`platewatch hotlist: ${file} has no entries for list ${list}; refusing to empty it (use --allow-empty)\n`);
      return 1;
    }
    const published = await publishHotlist(store, list, entries, values.as ?? io.env['USER'] ?? 'unknown');
    io.stdout.write(`list ${published.list} is now version ${published.version}: ${published.entries} entries (${published.added} added, ${published.removed} removed)\n`);
    return 0;
  } finally {
    await nc.close();
  }
}

async function readCsv(list: string, file: string, strict: boolean, config: PlatewatchConfig, io: VerbIO): Promise<HotlistEntry[] | null> {
  const byList = await readHotlistFiles({ files: [{ shown: file, path: resolve(io.cwd, file) }], config: config.matcher, strict, stderr: io.stderr });
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
async function readWithLayout(list: string, file: string, layoutName: string, strict: boolean, config: PlatewatchConfig, io: VerbIO): Promise<HotlistEntry[] | null> {
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
    for (const row of report.rejected) io.stderr.write(`${file}:${row.line}: ${row.reason}\n`);
    io.stderr.write(
      `loaded ${entries.length} of ${report.rows} rows from ${file} (${report.rejected.length} rejected, ` +
        `${report.droppedImmigration} immigration violator records dropped: Gov. Code § 7284.6)\n`,
    );
    if (report.ignoredColumns.length > 0) io.stderr.write(`${file}: columns not read: ${report.ignoredColumns.join(', ')}\n`);
    return entries;
  } catch (error) {
    if (!(error instanceof BulkLayoutError)) throw error;
    for (const row of error.rejected) io.stderr.write(`${file}:${row.line}: ${row.reason}\n`);
    io.stderr.write(`hot list ${file} refused [${error.code}]: ${error.message}\n`);
    return null;
  }
}

function formatAge(ms: number): string {
  if (ms < 90_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 48 * 3600_000) return `${Math.round(ms / 3600_000)} h`;
  return `${Math.round(ms / 86_400_000)} days`;
}
