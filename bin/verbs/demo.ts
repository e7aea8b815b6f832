// `platewatch demo`: the batch matcher over the sample files in examples/, hits printed for people.
// Starts nothing; `platewatch up` runs the system.
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { Hit, Read } from '../../matcher/index.js';
import { loadHotlists, matchReadStream } from '../batch-match.js';
import type { Verb, VerbIO } from '../verb.js';
import { loadVerbConfig, parseVerbArgs, usageErrorFor } from '../verb-options.js';
import { parseMemberTime } from '../../storage/index.js';
import { terminalText } from '../terminal-text.js';

const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));
const EXAMPLE_HOTLISTS = ['hotlists/svs.csv', 'hotlists/bolo.csv'] as const;
const EXAMPLE_READS = 'reads.jsonl';

const NOT_YET = 'This starts nothing: "platewatch up" runs the system (NATS, storage, pipeline).\n';

const USAGE = `Usage: platewatch demo [--now ISO] [--config FILE]

A demo of the hot list matcher over examples/hotlists/*.csv and examples/reads.jsonl, printing
each hit the way a dispatcher should read it.
${NOT_YET}
Options:
  --now ISO        judge entry expiry at this time (ISO 8601, UTC unless a zone is given)  [default: the current time]
  --config FILE    JSON config file (see README, Configuration)
  --help           show this text
`;

export const demoVerb: Verb = {
  name: 'demo',
  summary: 'match the sample reads in examples/ against the sample hot lists, printed for people',
  usage: USAGE,
  run: runDemo,
};

const usageError = usageErrorFor('demo', USAGE);

async function runDemo(args: string[], io: VerbIO): Promise<number> {
  const parsed = parseVerbArgs('demo', args, { now: { type: 'string' }, config: { type: 'string' } }, io);
  if (parsed === null) return 2;
  const { values } = parsed;
  const nowMs = values.now === undefined ? Date.now() : parseMemberTime(values.now, 'UTC'); // an instant to replay against, UTC unless it names a zone, as it always was
  if (nowMs === null) {
    usageError(io, `--now "${values.now}" is not an ISO 8601 time`);
    return 2;
  }
  const config = await loadVerbConfig('demo', values.config, io);
  if (config === null) return 2;

  io.stdout.write(`platewatch demo — the hot list matcher\n\n${NOT_YET}\n`);
  const loaded = await loadHotlists({
    files: EXAMPLE_HOTLISTS.map((file) => ({ shown: `examples/${file}`, path: resolve(EXAMPLES_DIR, file) })),
    config: config.matcher,
    strict: false,
    stderr: io.stderr,
  });
  if (!loaded.ok) return 1;

  const { stdout } = io;
  const summary = await matchReadStream({
    input: createReadStream(resolve(EXAMPLES_DIR, EXAMPLE_READS), { encoding: 'utf8' }),
    matcher: loaded.matcher,
    nowMs,
    onResult: (read, hits) => {
      for (const hit of hits) printHit(stdout, read, hit);
    },
    onBadLine: (line, reason) => {
      io.stderr.write(`examples/${EXAMPLE_READS}:${line}: ${reason}\n`);
    },
  });
  stdout.write(
    `\n${summary.reads} reads, ${summary.readsWithHits} with hits (${summary.hits} hits), ${summary.badLines} bad lines skipped.\n` +
      'A hit alone is not grounds for action: verify the plate visually and the status through CLETS.\n' +
      'For the machine-readable output run: ./platewatch match --help\n',
  );
  return 0;
}

/** One hit the way a dispatcher should read it: how it matched, what differs, and what to verify. */
export function printHit(out: Writable, read: Read, hit: Hit): void {
  const notes: string[] = [hit.kind === 'exact' ? 'exact' : hit.kind.toUpperCase()];
  if (hit.positions.length > 0) notes.push(`differs at position${hit.positions.length === 1 ? '' : 's'} ${hit.positions.join(', ')}`);
  if (hit.stateMatch === false) notes.push(`STATE MISMATCH (entry ${hit.state ?? '?'}, read ${read.state ?? '?'})`);
  if (hit.vehicleMismatch.length > 0) notes.push(`VEHICLE MISMATCH (${hit.vehicleMismatch.join(', ')})`);
  // A state or vehicle mismatch is as much a reason to look twice as a non-exact plate.
  if (notes.length > 1 || hit.kind !== 'exact') notes.push('verify carefully');
  const candidate = hit.candidate > 0 ? ` (candidate ${hit.candidate})` : '';
  // The read id is the camera's, the reason and synopsis a member's: shown, never obeyed by the terminal.
  out.write(
    `read ${terminalText(read.id)}: ${hit.plate}${candidate} → ${hit.list} ${terminalText(hit.entry)} [${notes.join(', ')}]\n` +
      `    ${terminalText(`${hit.reason}${hit.caseNumber === '' ? '' : ` · case ${hit.caseNumber}`}${hit.synopsis === '' ? '' : ` · ${hit.synopsis}`}`)}\n`,
  );
}
