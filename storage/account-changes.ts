// Changes to accounts that give power over ALPR data, for the annual audit. One administrator can
// create an account with the Chief's or the auditor's role, or set another member's password and
// sign in as them: the system cannot tell that from ordinary administration (a security review
// showed it undoing two-person release approval), so each such change is put before the Chief in
// the memorandum, who confirms it with the person it concerns.
import type { AccessRecord } from './access-log.js';
import type { Storage } from './open.js';
import { queryRows } from './sql.js';

/** Roles that decide, export or audit: an account given one is listed. */
export const PRIVILEGED_ROLES: readonly string[] = ['administrator', 'chief', 'auditor', 'custodian'];

/** At most this many are listed; the memorandum says when there were more. */
export const MAX_LISTED_ACCOUNT_CHANGES = 500;

export interface AccountChange {
  record: AccessRecord;
  /** What was done, in words: "added chief2 with the role(s) chief". */
  summary: string;
}

function rolesIn(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string' && PRIVILEGED_ROLES.includes(r)) : [];
}

/** The change in words when `record` (action `user`, outcome ok) is one the Chief should confirm, else null. */
export function privilegedAccountChange(record: Pick<AccessRecord, 'user_id' | 'params'>): string | null {
  let params: Record<string, unknown>;
  try {
    params = JSON.parse(record.params) as Record<string, unknown>;
  } catch {
    return null;
  }
  const user = typeof params['user'] === 'string' ? params['user'] : '?';
  switch (params['op']) {
    case 'add': {
      const roles = rolesIn(params['roles']);
      return roles.length === 0 ? null : `added ${user} with the role(s) ${roles.join(', ')}`;
    }
    case 'update': {
      // Records before session 19 have no rolesAdded: their full role list stands in for it.
      const changes = params['changes'] as Record<string, unknown> | undefined;
      const roles = rolesIn(params['rolesAdded'] ?? changes?.['roles']);
      return roles.length === 0 ? null : `gave ${user} the role(s) ${roles.join(', ')}`;
    }
    case 'password':
      // One's own password is one's own business; another's lets the setter sign in as them.
      return user === record.user_id ? null : `set the password of ${user}`;
    default:
      return null;
  }
}

/** The period's privileged account changes, oldest first, and how many there were in all. */
export async function privilegedAccountChanges(
  storage: Pick<Storage, 'client' | 'db'>,
  period: { from: string; to: string; chain?: string },
): Promise<{ changes: AccountChange[]; total: number }> {
  const rows = await queryRows<AccessRecord & { at_text: string }>(
    storage.client,
    `SELECT chain, seq, toString(at) AS at_text, user_id, action, outcome, params, rows_returned, case_number, reason, detail, prev_hash, hash
       FROM ${storage.db}.access_log
      WHERE ${period.chain === undefined ? '' : 'chain = {chain:String} AND '}action = 'user' AND outcome = 'ok'
        AND at >= {from:DateTime64(3, 'UTC')} AND at < {to:DateTime64(3, 'UTC')}
      ORDER BY at, chain, seq`,
    { chain: period.chain ?? '', from: period.from, to: period.to },
  );
  const changes: AccountChange[] = [];
  for (const { at_text, ...rest } of rows) {
    const record: AccessRecord = { ...rest, at: at_text, seq: Number(rest.seq), rows_returned: Number(rest.rows_returned) };
    const summary = privilegedAccountChange(record);
    if (summary !== null) changes.push({ record, summary });
  }
  return { changes: changes.slice(0, MAX_LISTED_ACCOUNT_CHANGES), total: changes.length };
}
