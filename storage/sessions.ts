// Session rows in storage, shared by every gateway so any of them serves any console. A row holds
// the SHA-256 of the token, never the token; ending a session writes a newer version of its row
// with `revoked_at`, so the table is append-only and a revocation reaches every gateway at once.
// credentials.ts issues and checks sessions; users.ts ends them when a user loses access.
import type { Storage } from './open.js';
import { parseClickHouseTime, queryRows } from './sql.js';

type Db = Pick<Storage, 'client' | 'db'>;

/** The newest version of one session row. */
export interface SessionRecord {
  userId: string;
  version: number;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

type SessionRow = { token_hash: string; user_id: string; version: number | string; issued: string; expires: string; revoked: string | null };

const SESSION_COLUMNS = 'token_hash, user_id, version, toString(issued_at) AS issued, toString(expires_at) AS expires, toString(revoked_at) AS revoked';

function fromSessionRow(r: SessionRow): SessionRecord {
  return {
    userId: r.user_id, version: Number(r.version), issuedAt: parseClickHouseTime(r.issued).getTime(),
    expiresAt: parseClickHouseTime(r.expires).getTime(), revoked: r.revoked !== null,
  };
}

/** The newest version of each session, by token hash; hashes of no session are absent. */
export async function newestSessions(storage: Db, hashes: readonly string[]): Promise<Map<string, SessionRecord>> {
  if (hashes.length === 0) return new Map();
  const rows = await queryRows<SessionRow>(
    storage.client,
    `SELECT ${SESSION_COLUMNS} FROM ${storage.db}.sessions WHERE token_hash IN {hs:Array(String)}
      ORDER BY token_hash, version DESC LIMIT 1 BY token_hash`,
    { hs: hashes },
  );
  return new Map(rows.map((r) => [r.token_hash, fromSessionRow(r)]));
}

/** Ends the session: a newer version of its row, revoked at `now`. */
export async function revokeSession(storage: Db, hash: string, session: SessionRecord, now: number): Promise<void> {
  await revokeRows(storage, [{ hash, session }], now);
}

/**
 * Ends every unexpired, unrevoked session of the user but `keepHash`'s (a newer version of each,
 * revoked at `now`). Returns how many it ended.
 */
export async function revokeUserSessions(storage: Db, userId: string, now: number, keepHash?: string): Promise<number> {
  const rows = await queryRows<SessionRow>(
    storage.client,
    `SELECT ${SESSION_COLUMNS} FROM ${storage.db}.sessions WHERE user_id = {id:String}
      ORDER BY token_hash, version DESC LIMIT 1 BY token_hash`,
    { id: userId },
  );
  const open = rows.filter((r) => r.token_hash !== keepHash).map((r) => ({ hash: r.token_hash, session: fromSessionRow(r) }))
    .filter(({ session }) => !session.revoked && session.expiresAt > now);
  await revokeRows(storage, open, now);
  return open.length;
}

async function revokeRows(storage: Db, sessions: ReadonlyArray<{ hash: string; session: SessionRecord }>, now: number): Promise<void> {
  if (sessions.length === 0) return;
  await storage.client.insert({
    table: `${storage.db}.sessions`,
    format: 'JSONEachRow',
    values: sessions.map(({ hash, session }) => ({
      token_hash: hash, version: session.version + 1, user_id: session.userId, issued_at: session.issuedAt, expires_at: session.expiresAt, revoked_at: now,
    })),
  });
}
