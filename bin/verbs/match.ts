// `platewatch match`: the batch matcher, the contract other tools rely on (issue 2). One JSON line
// per valid read on stdout, everything for people on stderr.
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadHotlists, matchReadStream } from '../batch-match.js';
import type { MatcherConfig } from '../../matcher/index.js';
import type { Verb, VerbIO } from '../verb.js';
import { loadVerbConfig, parseVerbArgs } from '../verb-options.js';
import { parseMemberTime } from '../../storage/index.js';
import { terminalText } from '../terminal-text.js';

const USAGE = `Usage: platewatch match --hotlist FILE.csv [--hotlist FILE.csv ...] --reads FILE.jsonl|- [options]

Matches plate reads against hot lists and writes one JSON line per valid read to stdout:
  {"id": "<read id>", "hits": [{"list", "entry", "kind", "distance", "positions", ...}]}
Reports, rejected hot list rows (FILE:LINE: reason) and bad read lines (reads:LINE: reason)
go to stderr. Any hit whose kind is not "exact" must be verified carefully before acting.

Options:
  --hotlist FILE   hot list CSV (header plate,state,list,reason,case_number,entered_by,synopsis
                   [,expires_at,vehicle_make,vehicle_model,vehicle_year,vehicle_color,vehicle_style]);
                   repeat for several files; entries are grouped into lists by their list column;
                   an entry (list, plate, state) already in an earlier file is reported and kept once
  --reads FILE     reads as JSONL, one {"id","plate","state","camera","ts","conf",...} per line;
                   "-" reads standard input
  --now ISO        judge entry expiry at this time (ISO 8601, UTC unless a zone is given)           [default: the current time]
  --strict         refuse a whole hot list file if any row is rejected or repeats an earlier
                   file's entry                                         [default: skip them]
  --config FILE    JSON config file (see README, Configuration)
  --help           show this text

Exit status: 0 done (bad read lines are reported, not fatal); 1 a hot list file could not be
read or was refused whole, or the reads could not be read; 2 usage or configuration error.

Example:
  platewatch match --hotlist examples/hotlists/svs.csv --hotlist examples/hotlists/bolo.csv \\
    --reads examples/reads.jsonl
`;

const OPTIONS = {
  hotlist: { type: 'string', multiple: true },
  reads: { type: 'string' },
  now: { type: 'string' },
  strict: { type: 'boolean', default: false },
  config: { type: 'string' },
} as const;

export const matchVerb: Verb = {
  name: 'match',
  summary: 'match JSONL plate reads against hot list CSV files (batch)',
  usage: USAGE,
  run: runMatch,
};

async function runMatch(args: string[], io: VerbIO): Promise<number> {
  const parsed = parseVerbArgs('match', args, OPTIONS, io);
  if (parsed === null) return 2;
  const { values, positionals } = parsed;
  if (positionals.length > 0) return usageError(io, `unexpected argument "${positionals[0]}"`);
  const hotlists = values.hotlist ?? [];
  if (hotlists.length === 0) return usageError(io, 'at least one --hotlist FILE is required');
  if (values.reads === undefined) return usageError(io, '--reads FILE (or - for standard input) is required');
  const nowMs = values.now === undefined ? Date.now() : parseMemberTime(values.now, 'UTC'); // an instant to replay against, UTC unless it names a zone, as it always was
  if (nowMs === null) return usageError(io, `--now "${values.now}" is not an ISO 8601 time`);
  const config = await loadVerbConfig('match', values.config, io);
  if (config === null) return 2;

  return matchFiles({
    hotlists: hotlists.map((shown) => ({ shown, path: resolve(io.cwd, shown) })),
    reads: values.reads === '-' ? '-' : { shown: values.reads, path: resolve(io.cwd, values.reads) },
    nowMs,
    strict: values.strict,
    config: config.matcher,
    io,
  });
}

export interface MatchFilesOptions {
  hotlists: readonly { shown: string; path: string }[];
  /** A file, or `-` for the verb's standard input. */
  reads: { shown: string; path: string } | '-';
  nowMs: number;
  strict: boolean;
  config: MatcherConfig;
  io: VerbIO;
}

/** Loads the hot lists and writes one `{"id","hits"}` line per valid read; resolves to the exit code. */
export async function matchFiles(options: MatchFilesOptions): Promise<number> {
  const { io } = options;
  const started = performance.now();
  const loaded = await loadHotlists({ files: options.hotlists, config: options.config, strict: options.strict, stderr: io.stderr });
  if (!loaded.ok) {
    io.stderr.write('platewatch match: no hot list loaded; fix the files above and run again\n');
    return 1;
  }

  let input: NodeJS.ReadableStream = io.stdin;
  if (options.reads !== '-') {
    // Opened up front so a missing file is an exit status, not a stream error halfway through.
    try {
      const handle = await open(options.reads.path, 'r');
      input = handle.createReadStream({ encoding: 'utf8' });
    } catch (error) {
      io.stderr.write(`platewatch match: cannot read ${options.reads.shown}: ${(error as Error).message}\n`);
      return 1;
    }
  }

  const { stdout, stderr } = io;
  // Opening succeeds on a directory and a read can fail later (EISDIR, EIO): that is the reads
  // file's fault, to be named as such, not an "unexpected error" with a stack trace.
  let inputError: unknown;
  input.once('error', (error) => {
    inputError = error;
  });
  const shown = options.reads === '-' ? 'standard input' : options.reads.shown;
  const summary = await matchReadStream({
    input,
    matcher: loaded.matcher,
    nowMs: options.nowMs,
    onResult: (read, hits) => {
      if (!stdout.write(`${JSON.stringify({ id: read.id, hits })}\n`)) {
        return new Promise<void>((done) => stdout.once('drain', done));
      }
      return undefined;
    },
    onBadLine: (line, reason) => {
      stderr.write(`reads:${line}: ${terminalText(reason)}\n`);
    },
  }).catch((error: unknown) => {
    if (error !== inputError) throw error;
    stderr.write(`platewatch match: cannot read ${shown}: ${(error as Error).message}\n`);
    return null;
  });
  if (summary === null) return 1;
  const ms = performance.now() - started;
  stderr.write(
    `matched ${summary.reads} reads against ${loaded.entries} entries: ${summary.readsWithHits} with hits (${summary.hits} hits), ` +
      `${summary.badLines} bad lines skipped, ${ms.toFixed(0)} ms\n`,
  );
  return 0;
}

function usageError(io: VerbIO, message: string): number {
  io.stderr.write(`platewatch match: ${message}\nRun "platewatch match --help" for usage.\n`);
  return 2;
}
