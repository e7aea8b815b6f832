// Option parsing shared by the verbs: parseArgs with usage errors reported the same way, and the
// config loaded from --config and the environment.
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type PlatewatchConfig } from './config.js';
import type { VerbIO } from './verb.js';

export type ParsedOptions<O extends ParseArgsConfig['options']> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

/** Parses the verb's arguments; on a usage error writes it and returns null (exit 2). */
export function parseVerbArgs<O extends NonNullable<ParseArgsConfig['options']>>(verb: string, args: string[], options: O, io: VerbIO): ParsedOptions<O> | null {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true }) as ParsedOptions<O>;
  } catch (error) {
    io.stderr.write(`platewatch ${verb}: ${(error as Error).message}\nRun "platewatch ${verb} --help" for usage.\n`);
    return null;
  }
}

/** A verb's usage error: the message, then the whole usage text; exit status 2. */
export function usageErrorFor(verb: string, usage: string): (io: VerbIO, message: string) => number {
  return (io, message) => {
    io.stderr.write(`platewatch ${verb}: ${message}\n\n${usage}`);
    return 2;
  };
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

