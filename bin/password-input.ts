// Passwords for the CLI: never on the command line (it shows in `ps` and shell history). Either
// every line of standard input (`--password-stdin`, one password a line, in the order the verb
// names), or typed at the terminal with echo off.
import type { ReadStream } from 'node:tty';
import type { VerbIO } from './verb.js';

export interface PasswordSource {
  /** The next password; `label` says whose, for the prompt. Rejects when there is none. */
  next(label: string, confirm?: boolean): Promise<string>;
}

export class PasswordInputError extends Error {
  readonly code = 'NO_PASSWORD';

  constructor(message: string) {
    super(message);
    this.name = 'PasswordInputError';
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += String(chunk);
  return text;
}

/**
 * Lines of standard input, in order. Read to the end at once, before storage opens: embedded chDB
 * takes a non-terminal standard input as data for its inserts and refuses them if any is left.
 */
export async function passwordsFromStdin(io: VerbIO): Promise<PasswordSource> {
  const lines = (await readAll(io.stdin)).split(/\r?\n/);
  return {
    async next(label) {
      const line = lines.shift();
      if (line === undefined || line === '') throw new PasswordInputError(`standard input has no line for the ${label}`);
      return line;
    },
  };
}

function promptHidden(stdin: ReadStream, stderr: NodeJS.WritableStream, prompt: string): Promise<string> {
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error: Error | null): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(null);
        if (ch === '\u0003') return done(new PasswordInputError('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Prompts at the terminal with echo off; `confirm` asks twice. */
export function passwordsFromTerminal(io: VerbIO): PasswordSource {
  const stdin = io.stdin as ReadStream;
  return {
    async next(label, confirm = false) {
      if (!stdin.isTTY) throw new PasswordInputError('standard input is not a terminal: pass --password-stdin and write the password(s) to it');
      const first = await promptHidden(stdin, io.stderr, `${label[0]?.toUpperCase() ?? ''}${label.slice(1)}: `);
      if (confirm && (await promptHidden(stdin, io.stderr, 'Again: ')) !== first) throw new PasswordInputError('the two passwords differ');
      return first;
    },
  };
}
