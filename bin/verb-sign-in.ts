// Storage verbs run as a member (--as ID) who proves it with their password, as at the console:
// individual credentials (Watsonville §471.5(h)), lockout and training checked the same way, and
// the action's role then checked by storage (storage/permissions.ts).
import { AccessLog, CredentialStore, ReleaseError, StorageError, type Storage } from '../storage/index.js';
import { passwordsFromStdin, passwordsFromTerminal, PasswordInputError } from './password-input.js';
import { verbAccessLogChain } from './storage-options.js';
import { terminalText } from './terminal-text.js';
import type { VerbIO } from './verb.js';

/** The options of a verb that runs as a member: who, and where the password comes from. */
export const SIGN_IN_PARSE_OPTIONS = {
  as: { type: 'string' },
  'password-stdin': { type: 'boolean' },
} as const;

/** A refusal the person can act on: printed without a stack, exit 1. */
export class VerbRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerbRefusal';
  }
}

/** Checks the --as member's password (and lockout, standing); the action's role is checked by storage. */
export async function signInForVerb(storage: Storage, as: string, passwordStdin: boolean, io: VerbIO, passwordsRead?: Awaited<ReturnType<typeof passwordsFromStdin>>): Promise<string> {
  const passwords = passwordsRead ?? (passwordStdin ? await passwordsFromStdin(io) : passwordsFromTerminal(io));
  const credentials = new CredentialStore(storage, new AccessLog(storage, verbAccessLogChain(storage)));
  const check = await credentials.checkPassword(as, await passwords.next(`password for ${as}`), 'cli');
  if (check.ok) return as;
  if (check.reason === 'locked') throw new VerbRefusal(`${as} is locked after repeated failed logins until ${new Date(check.lockedUntil).toISOString()}`);
  throw new VerbRefusal(check.reason === 'not_authorised' ? check.detail : 'unknown user or wrong password');
}

/**
 * The message of a failure, with the code of a storage or release error, safe for a terminal: the
 * messages quote what members typed (case numbers, user ids, reasons) and the running system's
 * answers, so an escape sequence in them must be shown, not obeyed.
 */
export function verbErrorText(error: unknown): string {
  if (error instanceof VerbRefusal || error instanceof PasswordInputError) return terminalText(error.message);
  const code = error instanceof ReleaseError || error instanceof StorageError ? `${error.code}: ` : '';
  return terminalText(`${code}${(error as Error).message}`);
}
