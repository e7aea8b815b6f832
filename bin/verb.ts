// A CLI verb: `platewatch <name> [options]`. Each verb lives in bin/verbs/ and is registered in
// bin/verbs/index.ts; bin/platewatch.ts only dispatches.
import type { Writable } from 'node:stream';

export interface VerbIO {
  stdin: NodeJS.ReadableStream;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Verb {
  /** What the user types: `match`, `up`, `evidence export` is `evidence` with a sub-verb. */
  name: string;
  /** One line for `platewatch --help`. */
  summary: string;
  /** Full text for `platewatch <name> --help`: synopsis, options with defaults, an example. */
  usage: string;
  /** Runs the verb; resolves to the process exit code (0 ok, 1 failure, 2 usage error). */
  run(args: string[], io: VerbIO): Promise<number>;
}
