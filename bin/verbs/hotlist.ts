// `platewatch hotlist load|list`: puts a new version of a hot list into the running system (every
// pipeline worker swaps it in atomically) and shows the lists in use with their age.
import { resolve } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { openHotlistStore, publishHotlist } from '../../ingest/index.js';
import { readHotlistFiles } from '../batch-match.js';
import { connectToSystem } from '../runtime.js';
import type { Verb, VerbIO } from '../verb.js';
import { loadVerbConfig, parseVerbArgs } from '../verb-options.js';

/** Watsonville PD §471.5(f)(4): general hot lists are downloaded at least once a day. */
const STALE_AFTER_MS = 24 * 3600 * 1000;

const USAGE = `Usage: platewatch hotlist load --list NAME FILE [--strict] [--allow-empty] [--as USER] [--nats URL] [--config FILE]
       platewatch hotlist list [--nats URL] [--config FILE]

load   Validates FILE (CSV: plate,state,list,reason,case_number,entered_by,synopsis[,expires_at,vehicle_*])
       and makes its rows the new version of list NAME in the running system: every pipeline worker
       builds it off to the side and swaps it in whole. Prints the version and what was added and
       removed. Rows of other lists are reported and skipped; bad rows are reported with their line.
list   Shows each list in use: version, entries, who loaded it and how old it is (general lists
       older than 24 h are stale: Watsonville PD §471.5(f)(4) asks for a daily download).

Options:
  --list NAME      the list to replace (e.g. SVS, BOLO)
  --strict         refuse the whole file if any row is bad
  --allow-empty    allow a version with no entries (otherwise refused: an empty download is
                   more likely a broken feed than an empty list)
  --as USER        recorded as who loaded it               [default: $USER]
  --nats URL       the system's NATS                       [default: $NATS_URL, else the running
                                                            "platewatch up" under the data directory]
  --config FILE    JSON config file

Example:
  ./platewatch hotlist load --list BOLO examples/hotlists/bolo.csv
`;

const OPTIONS = {
  list: { type: 'string' },
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
      const now = Date.now();
      const lists = await store.list();
      if (lists.length === 0) io.stdout.write('no hot lists loaded\n');
      for (const info of lists.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const current = await store.info(info.name);
        const loadedAt = Date.parse(current?.metadata?.['loadedAt'] ?? info.mtime);
        const age = now - loadedAt;
        const general = config.matcher.generalLists.includes(info.name);
        io.stdout.write(
          `${info.name.padEnd(10)} version ${current?.revision ?? '?'}  ${current?.description ?? ''}  loaded by ${current?.metadata?.['loadedBy'] ?? '?'} ` +
            `${formatAge(age)} ago${general && age > STALE_AFTER_MS ? '  STALE: general lists must be refreshed daily' : ''}\n`,
        );
      }
      return 0;
    }
    const list = (values.list as string).trim().toUpperCase();
    const byList = await readHotlistFiles({ files: [{ shown: file as string, path: resolve(io.cwd, file as string) }], config: config.matcher, strict: values.strict, stderr: io.stderr });
    if (byList === null) return 1;
    const others = [...byList.entries()].filter(([name]) => name !== list);
    if (others.length > 0) {
      const count = others.reduce((n, [, entries]) => n + entries.length, 0);
      io.stderr.write(`${file}: ${count} rows belong to other lists (${others.map(([name]) => name).join(', ')}) and were skipped\n`);
      if (values.strict) return 1;
    }
    const entries = byList.get(list) ?? [];
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

function formatAge(ms: number): string {
  if (ms < 90_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 48 * 3600_000) return `${Math.round(ms / 3600_000)} h`;
  return `${Math.round(ms / 86_400_000)} days`;
}
