// How a console proves who it is on the WebSocket upgrade. The login flow (issue 6) issues
// session tokens and supplies the real verifier; the gateway only needs this interface.
// Browsers cannot set headers on a WebSocket, so the token rides in the query string
// (`/ws?token=…`) or as a subprotocol (`new WebSocket(url, ['platewatch', 'bearer.' + token])`).
import type { ConsoleSession } from './console-socket.js';

/** Resolves a session token to its user, or null when it is unknown, expired or revoked. */
export type SessionVerifier = (token: string) => Promise<ConsoleSession | null>;

/**
 * The same check for many tokens at once, with every token a key of the answer: the periodic
 * re-check of open consoles (session-watch.ts) asks once per check, not once per socket. Without
 * one the gateway calls the SessionVerifier for each distinct token.
 */
export type SessionsVerifier = (tokens: readonly string[]) => Promise<ReadonlyMap<string, ConsoleSession | null>>;

export const CONSOLE_SUBPROTOCOL = 'platewatch';
export const TOKEN_SUBPROTOCOL_PREFIX = 'bearer.';
const MAX_TOKEN_LENGTH = 4096;

export interface UpgradeCredentials {
  token: string | null;
  /** The subprotocol to answer with: the console's own, never the one carrying the token. */
  protocol: string;
}

export function upgradeCredentials(queryToken: string | undefined, protocolHeader: string): UpgradeCredentials {
  let token: string | null = queryToken !== undefined && queryToken !== '' ? queryToken : null;
  let protocol = '';
  for (const raw of protocolHeader.split(',')) {
    const entry = raw.trim();
    if (entry.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) token ??= entry.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
    else if (entry === CONSOLE_SUBPROTOCOL) protocol = entry;
  }
  if (token !== null && (token.length === 0 || token.length > MAX_TOKEN_LENGTH)) token = null;
  return { token, protocol };
}
