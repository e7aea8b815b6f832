// Stated purposes judged against the permitted uses (Watsonville §471.5 Impermissible Uses, the
// Values Act): the findings a sampled inquiry gets in the audit, and every other access of the
// period whose stated purpose earns one.
import type { AccessRecord } from './access-log.js';
import { isImmigrationEnforcement } from './immigration.js';
import type { Storage } from './open.js';
import { queryRows } from './sql.js';

/**
 * Words in a stated reason that point to a use the policy forbids; a match is a finding for the
 * auditor to review, not a verdict. §471.5 Permitted/Impermissible Uses (b) First Amendment,
 * (c) personal use, (e) harassment or intimidation. Federal immigration enforcement (§471.2,
 * §471.8(c); Government Code § 7282.5, § 7284.2 et seq.) is found by the classifier that refuses
 * it up front (storage/immigration.ts), so a record written before that refusal is still a finding.
 */
const IMMIGRATION_RULE = 'federal immigration enforcement (§471.2, §471.8(c))';

export const PROHIBITED_PURPOSE_PATTERNS: ReadonlyArray<{ pattern: RegExp; rule: string }> = [
  { pattern: /\b(personal|ex-?(wife|husband|girlfriend|boyfriend|partner)|my (wife|husband|neighbou?r|friend))\b/i, rule: 'personal use (§471.5 Impermissible Uses (c))' },
  { pattern: /\b(protest\w*|rally|demonstrat\w*|march|religious service|church|mosque|synagogue)\b/i, rule: 'First Amendment activity (§471.5 Impermissible Uses (b))' },
  { pattern: /\b(harass\w*|intimidat\w*)\b/i, rule: 'harassment or intimidation (§471.5 Impermissible Uses (e))' },
];

/** Findings against the permitted uses for a stated purpose (a case number, a reason); empty when none. */
export function prohibitedPurposeFindings(caseNumber: string, reason: string): string[] {
  const findings: string[] = [];
  if (isImmigrationEnforcement(reason) || isImmigrationEnforcement(caseNumber)) findings.push(`stated purpose suggests ${IMMIGRATION_RULE}: review`);
  for (const { pattern, rule } of PROHIBITED_PURPOSE_PATTERNS) {
    if (pattern.test(reason) || pattern.test(caseNumber)) findings.push(`stated purpose suggests ${rule}: review`);
  }
  return findings;
}

/** An access the period allowed whose stated purpose earned findings. */
export interface FlaggedAccess {
  record: AccessRecord;
  findings: string[];
}

/**
 * The accesses other than searches that the period allowed with a stated purpose the policy forbids
 * (QA: a hit viewed "ex-girlfriend lives there", a hold placed for "protest organizers", were in no
 * sample, since only searches are). Each distinct purpose is judged once, as a sampled inquiry's is;
 * the records stating a flagged one are then read, oldest first, at most `limit`.
 */
export async function otherAccessToReview(
  storage: Pick<Storage, 'client' | 'db'>, params: { chain: string; from: string; to: string }, chain: string | undefined, limit: number,
): Promise<{ flagged: FlaggedAccess[]; total: number }> {
  const period = `${chain === undefined ? '' : 'chain = {chain:String} AND '}action != 'search' AND outcome = 'ok' ` +
    "AND at >= {from:DateTime64(3, 'UTC')} AND at < {to:DateTime64(3, 'UTC')}";
  const purposes = await queryRows<{ case_number: string; reason: string }>(
    storage.client,
    `SELECT DISTINCT case_number, reason FROM ${storage.db}.access_log WHERE ${period} AND (reason != '' OR case_number != '')`,
    params,
  );
  const flaggedPurposes = purposes.filter((p) => prohibitedPurposeFindings(p.case_number.trim(), p.reason.trim()).length > 0);
  if (flaggedPurposes.length === 0) return { flagged: [], total: 0 };
  const rows = await queryRows<AccessRecord & { at_text: string; total: number | string }>(
    storage.client,
    `SELECT chain, seq, toString(at) AS at_text, user_id, action, outcome, params, rows_returned, case_number, reason, detail, prev_hash, hash,
            count() OVER () AS total
       FROM ${storage.db}.access_log
      WHERE ${period} AND has({purposes:Array(Array(String))}, [case_number, reason])
      ORDER BY at, chain, seq LIMIT {limit:UInt32}`,
    { ...params, purposes: flaggedPurposes.map((p) => [p.case_number, p.reason]), limit },
  );
  const flagged = rows.map(({ at_text, total: _total, ...rest }) => {
    const record: AccessRecord = { ...rest, at: at_text, seq: Number(rest.seq), rows_returned: Number(rest.rows_returned) };
    return { record, findings: prohibitedPurposeFindings(record.case_number.trim(), record.reason.trim()) };
  });
  return { flagged, total: Number(rows[0]?.total ?? 0) };
}
