// The `platewatch` command: the only place that touches process.env, process.argv and the exit
// code. What the command does is bin/cli.ts.
import { runPlatewatch } from './cli.js';
import { CWD_ENV_VARIABLE } from './config.js';
import type { VerbIO } from './verb.js';

// Everything this command writes is ALPR data or guards it (chDB's files under DATA_DIR/clickhouse:
// password hashes, plates, the access log; NATS state; packages), and chDB and nats-server create
// their files with the process umask: so no access for other accounts, read for the group.
process.umask(0o027);

// A closed pipe (`platewatch match ... | head`) ends output; it is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const io: VerbIO = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  // The wrapper script runs from the repo root; it passes where the user actually was.
  cwd: process.env[CWD_ENV_VARIABLE] ?? process.cwd(),
};
void runPlatewatch(process.argv.slice(2), io).then((code) => {
  process.exitCode = code;
});
