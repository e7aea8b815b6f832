// The `platewatch` command line, apart from the process: finds the verb and runs it with the
// streams and environment it is given. bin/platewatch.ts gives it the process's; tests give it
// their own, to run a verb without starting a process (and loading chDB) for each command.
import type { Verb, VerbIO } from './verb.js';
import { platewatchVersion } from './version.js';
import { VERBS } from './verbs/index.js';

const HELP_FLAGS: ReadonlySet<string> = new Set(['--help', '-h']);
const VERSION_FLAGS: ReadonlySet<string> = new Set(['--version', '-V']);

function overview(): string {
  const width = Math.max(...VERBS.map((verb) => verb.name.length));
  const lines = VERBS.map((verb) => `  ${verb.name.padEnd(width)}  ${verb.summary}`);
  return (
    'platewatch — real-time ALPR back end: hot list matching, hit fan-out, access-logged detection storage\n\n' +
    'Usage: platewatch <verb> [options]\n' +
    '       platewatch <verb> --help\n' +
    '       platewatch --version\n\n' +
    `Verbs:\n${lines.join('\n')}\n`
  );
}

function findVerb(name: string): Verb | undefined {
  return VERBS.find((verb) => verb.name === name);
}

/**
 * Runs one command line; resolves to the exit status (0 ok, 1 failure, 2 usage error). An error no
 * verb expected is written to stderr with its code and stack, and is a failure: never a rejection.
 */
export async function runPlatewatch(argv: readonly string[], io: VerbIO): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    const coded = error as { code?: unknown; stack?: unknown };
    io.stderr.write(`platewatch: unexpected error${typeof coded.code === 'string' ? ` [${coded.code}]` : ''}: ${String(coded.stack ?? error)}\n`);
    return 1;
  }
}

async function dispatch(argv: readonly string[], io: VerbIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr.write(overview());
    return 2;
  }
  if (HELP_FLAGS.has(name)) {
    io.stdout.write(overview());
    return 0;
  }
  if (VERSION_FLAGS.has(name)) {
    io.stdout.write(`platewatch ${platewatchVersion()}\n`);
    return 0;
  }
  if (name === 'help') {
    const topic = args[0];
    if (topic === undefined) {
      io.stdout.write(overview());
      return 0;
    }
    const verb = findVerb(topic);
    if (verb === undefined) return unknownVerb(io, topic);
    io.stdout.write(verb.usage);
    return 0;
  }
  const verb = findVerb(name);
  if (verb === undefined) return unknownVerb(io, name);
  // Every verb answers --help the same way, before its own option parsing can object.
  if (args.some((arg) => HELP_FLAGS.has(arg))) {
    io.stdout.write(verb.usage);
    return 0;
  }
  return verb.run(args, io);
}

function unknownVerb(io: VerbIO, name: string): number {
  io.stderr.write(`platewatch: unknown verb "${name}". Verbs: ${VERBS.map((verb) => verb.name).join(', ')}. Run "platewatch --help".\n`);
  return 2;
}
