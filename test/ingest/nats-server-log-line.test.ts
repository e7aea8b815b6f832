// Reading a running nats-server's log lines (ingest/nats-server-log-line.ts), on lines captured
// from nats-server 2.9.10 (Debian's) refusing clients and warning.
import { describe, expect, it } from 'vitest';
import { readNatsAuthFailure, readNatsLogLine } from '../../ingest/index.js';

// Captured verbatim: nats.js clients named "cam-7" with a wrong password, an unknown user, none;
// a raw client that sent no name; the start-up warning of a config with passwords.
const WRONG_PASSWORD = '[22113] 2026/12/07 03:19:29.339117 [ERR] 127.0.0.1:47892 - cid:6 - "v3.4.0:nats.js:cam-7" - authentication error - User "camera"';
const UNKNOWN_USER = '[22113] 2026/12/07 03:19:29.345503 [ERR] 127.0.0.1:47894 - cid:7 - "v3.4.0:nats.js:cam-7" - authentication error - User "nobody"';
const NO_USER = '[22113] 2026/12/07 03:19:29.347296 [ERR] 127.0.0.1:47906 - cid:8 - "v3.4.0:nats.js:cam-7" - authentication error - User ""';
const UNNAMED_CLIENT = '[22113] 2026/12/07 03:19:41.055947 [ERR] 127.0.0.1:48250 - cid:10 - authentication error - User "camera"';
const PLAINTEXT_WARNING = '[22113] 2026/12/07 03:19:24.500600 [WRN] Plaintext passwords detected, use nkeys or bcrypt';

describe('readNatsLogLine', () => {
  it('takes the level and the text without the pid and time', () => {
    expect(readNatsLogLine(PLAINTEXT_WARNING)).toEqual({ level: 'warn', text: 'Plaintext passwords detected, use nkeys or bcrypt' });
    expect(readNatsLogLine(WRONG_PASSWORD)).toEqual({ level: 'error', text: '127.0.0.1:47892 - cid:6 - "v3.4.0:nats.js:cam-7" - authentication error - User "camera"' });
    expect(readNatsLogLine('[22113] 2026/12/07 03:19:24.505551 [INF] Server is ready').level).toBe('info');
  });

  it('keeps a line with no level whole (a Go panic)', () => {
    expect(readNatsLogLine('panic: runtime error: index out of range [3] with length 3')).toEqual({ level: null, text: 'panic: runtime error: index out of range [3] with length 3' });
  });
});

describe('readNatsAuthFailure', () => {
  it('names the user, the remote address and the client of a refused connection', () => {
    expect(readNatsAuthFailure(readNatsLogLine(WRONG_PASSWORD).text)).toEqual({ user: 'camera', remote: '127.0.0.1:47892', client: 'v3.4.0:nats.js:cam-7' });
    expect(readNatsAuthFailure(readNatsLogLine(UNKNOWN_USER).text)).toMatchObject({ user: 'nobody' });
    expect(readNatsAuthFailure(readNatsLogLine(UNNAMED_CLIENT).text)).toEqual({ user: 'camera', remote: '127.0.0.1:48250', client: null });
  });

  it('gives no user for a client that named none, and null for the parts a line lacks', () => {
    expect(readNatsAuthFailure(readNatsLogLine(NO_USER).text)).toEqual({ user: null, remote: '127.0.0.1:47906', client: 'v3.4.0:nats.js:cam-7' });
    expect(readNatsAuthFailure('[::1]:50000 - cid:3 - Authorization Violation')).toEqual({ user: null, remote: '[::1]:50000', client: null });
  });

  it('is null for other errors and warnings', () => {
    expect(readNatsAuthFailure(readNatsLogLine(PLAINTEXT_WARNING).text)).toBeNull();
  });
});
