// Option parsing shared by the verbs: parseArgs with usage errors reported the same way, and the
// config loaded from --config and the environment.
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type PlatewatchConfig } from './config.js';
import { editDistance } from './edit-distance.js';
import { terminalText } from './terminal-text.js';
import type { VerbIO } from './verb.js';

export type ParsedOptions<O extends ParseArgsConfig['options']> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

/** Parses the verb's arguments; on a usage error writes it and returns null (exit 2). */
export function parseVerbArgs<O extends NonNullable<ParseArgsConfig['options']>>(verb: string, args: string[], options: O, io: VerbIO): ParsedOptions<O> | null {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true }) as ParsedOptions<O>;
  } catch (error) {
    io.stderr.write(`platewatch ${verb}: ${terminalText(optionErrorText(error as Error, options))}\n${helpHint(verb)}`);
    return null;
  }
}

/**
 * node:util's parseArgs error in our words, one line. Its own text was several sentences about
 * positional arguments after '--' (found by QA: `up --conifg x`), and named no option meant.
 */
export function optionErrorText(error: Error & { code?: string }, options: NonNullable<ParseArgsConfig['options']>): string {
  const message = error.message;
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /^Unknown option '([^']*)'/.exec(message)?.[1] ?? '';
    const meant = closestOption(given, Object.keys(options));
    return `unknown option ${given}${meant === undefined ? '' : ` (did you mean --${meant}?)`}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /^Option '(-[^' ]*)/.exec(message)?.[1];
    if (option !== undefined) {
      if (message.includes('argument missing')) return `option ${option} needs a value`;
      if (message.includes('does not take an argument')) return `option ${option} takes no value`;
      // `--as --id x`: the next word is an option, so the value was left out.
      if (message.includes('ambiguous')) return `option ${option} needs a value (a value beginning with "-" is given as ${option}=-VALUE)`;
    }
  }
  return message.split('\n')[0] ?? message;
}

/** The option `given` most likely misspells: within two edits of it, or a name it begins. */
function closestOption(given: string, names: readonly string[]): string | undefined {
  return closestName(given.replace(/^-+/, '').replace(/=.*$/, ''), [...names, 'help']);
}

/** The name `typed` most likely misspells: within two edits of it, or a name it begins. */
function closestName(typed: string, names: readonly string[]): string | undefined {
  if (typed === '') return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = name.startsWith(typed) && typed.length >= 2 ? 1 : editDistance(typed, name);
    if (distance <= Math.min(2, Math.floor(name.length / 3) + 1) && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Where a usage error points for the rest, as an unknown option does (parseVerbArgs). */
export function helpHint(verb: string): string {
  return `Run "platewatch ${verb} --help" for usage.\n`;
}

/**
 * A verb's usage error, exit status 2: the message and one line saying where the usage is. The
 * whole usage text follows only when asked (`'usage'`): when the command line says nothing of what
 * to do (no sub-command). An error about one option's value is read at once under the command line
 * it is about, not above some 45 lines of usage (found by QA).
 */
export function usageErrorFor(verb: string, usage: string): (io: VerbIO, message: string, show?: 'hint' | 'usage') => number {
  return (io, message, show = 'hint') => {
    // The message may quote what was typed (an unknown sub-command, a value): shown, never obeyed.
    io.stderr.write(`platewatch ${verb}: ${terminalText(withSubCommandMeant(message))}\n${show === 'usage' ? `\n${usage}` : helpHint(verb)}`);
    return 2;
  };
}

/** `unknown sub-command "lod" (load, list); did you mean load?`: the words every verb uses for it. */
export function unknownSubCommandText(given: string, known: readonly string[]): string {
  const meant = closestName(given, known);
  return `unknown sub-command "${given}" (${known.join(', ')})${meant === undefined ? '' : `; did you mean ${meant}?`}`;
}

/**
 * A message in unknownSubCommandText's words without its "did you mean", given one: the verbs that
 * write those words themselves (audit, evidence, release, report, users) offered no sub-command
 * meant, as options did (found by QA: `hotlist lod`).
 */
function withSubCommandMeant(message: string): string {
  const unknown = /^unknown sub-command "([^"]*)" \(([a-z, -]+)\)$/.exec(message);
  return unknown === null ? message : unknownSubCommandText(unknown[1]!, unknown[2]!.split(', '));
}

/** Loads the configuration; on an error writes it and returns null (exit 2). */
export async function loadVerbConfig(verb: string, file: string | undefined, io: VerbIO): Promise<PlatewatchConfig | null> {
  try {
    return await loadConfig({ file: file === undefined ? undefined : resolve(io.cwd, file), env: io.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`platewatch ${verb}: [${error.code}] ${error.message}\n`);
    return null;
  }
}

