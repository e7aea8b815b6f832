// One line of a running nats-server's log, read: its level, its text, and whether it says a client
// was refused for its credentials. Pure, so it is tested on lines captured from the real server.
//
// nats-server 2.9.10 writes, for a client with a wrong password, an unknown user or none:
//   [22113] 2026/12/07 03:19:29.339117 [ERR] 127.0.0.1:47892 - cid:6 - "v3.4.0:nats.js:cam-7" - authentication error - User "camera"
//   [22113] 2026/12/07 03:19:41.055947 [ERR] 127.0.0.1:48250 - cid:10 - authentication error - User "camera"
// (the quoted client version and name only when the client sent them; `User ""` without a user),
// and the client is told "Authorization Violation", which other versions log too. The parse asks
// for no more than it needs: a missing part is null, never a line lost.

export const NATS_LOG_LEVELS = { FTL: 'fatal', ERR: 'error', WRN: 'warn', INF: 'info', DBG: 'debug', TRC: 'trace' } as const;
export type NatsLogLevel = (typeof NATS_LOG_LEVELS)[keyof typeof NATS_LOG_LEVELS];

export interface NatsLogLine {
  /** Null: a line with no level tag (a Go panic's stack, a config error). */
  level: NatsLogLevel | null;
  /** Without the pid, time and level. */
  text: string;
}

/** A client refused for its credentials. */
export interface NatsAuthFailure {
  /** The user it named; null when it named none (or the server did not say). */
  user: string | null;
  /** `host:port` it connected from, when the line says. */
  remote: string | null;
  /** Its client library and connection name ("v3.4.0:nats.js:cam-7"), when it sent them. */
  client: string | null;
}

// "[22113] 2026/12/07 03:19:29.339117 " (pid and time; a server logging with -DV or to syslog may vary them).
export const NATS_LOG_PREFIX = /^(?:\[\d+\] )?(?:\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d+)? )?/;
const LEVEL = /^\[(FTL|ERR|WRN|INF|DBG|TRC)\] ?/;
const AUTH_FAILURE = /authentication error|authorization violation/i;
// "127.0.0.1:47892 - " or "[::1]:47892 - ".
const REMOTE = /^(\S+:\d+) - /;
const USER = /\bUser "((?:[^"\\]|\\.)*)"/;
const CLIENT = / - "([^"]*)" - /;

export function readNatsLogLine(line: string): NatsLogLine {
  const text = line.replace(NATS_LOG_PREFIX, '').trimEnd();
  const level = LEVEL.exec(text);
  if (level === null) return { level: null, text };
  return { level: NATS_LOG_LEVELS[level[1] as keyof typeof NATS_LOG_LEVELS], text: text.slice(level[0].length) };
}

/** The refused client a line's text (readNatsLogLine's `text`) tells of; null when it tells of none. */
export function readNatsAuthFailure(text: string): NatsAuthFailure | null {
  if (!AUTH_FAILURE.test(text)) return null;
  const remote = REMOTE.exec(text);
  const user = USER.exec(text)?.[1];
  return {
    user: user === undefined || user === '' ? null : user,
    remote: remote?.[1] ?? null,
    client: CLIENT.exec(text)?.[1] ?? null,
  };
}
