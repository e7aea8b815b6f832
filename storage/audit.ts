// The annual detection browsing audit (Watsonville §471.9; Martinez §439.6(c)): draw a random
// sample of at least 10 search inquiries from a period, check each one, and report findings and
// data errors in a memorandum to the Chief of Police (rendered by storage/memorandum.ts).
import { randomInt } from 'node:crypto';
import { privilegedAccountChanges, type AccountChange } from './account-changes.js';
import { requireChain, SYSTEM_USER, verifyAccessLogs, type AccessLogVerification, type AccessRecord, type Head } from './access-log.js';
import { DEFAULT_TIME_ZONE, dayIn } from './department-day.js';
import { StorageError } from './errors.js';
import type { Storage } from './open.js';
import { undocumentedPurpose } from './purpose.js';
import { otherAccessToReview, prohibitedPurposeFindings, type FlaggedAccess } from './purpose-review.js';
import { formatClickHouseTime, parseClickHouseTime, queryRows } from './sql.js';
import { findUser, type User } from './users.js';

/** Watsonville §471.9: "randomly select at least 10 detection browsing inquiries". */
export const MINIMUM_AUDIT_SAMPLE = 10;
/** A sample larger than this is more than an auditor reads: refused (API and CLI alike) rather than cut. */
export const MAX_AUDIT_SAMPLE = 1000;

export interface AuditSampleRequest {
  from: Date;
  to: Date;
  /** @default MINIMUM_AUDIT_SAMPLE; smaller values are raised to it */
  size?: number;
  /**
   * Audit one access log chain only; one the log does not have (and no expected head names) is an
   * UnknownChainError. @default every chain (all processes' inquiries)
   */
  chain?: string;
  /** Uniform in [0, 1); for reproducible tests. @default crypto.randomInt */
  random?: () => number;
  /**
   * Each chain's head as the last audit recorded it: only with them can records cut from the end
   * of a chain, or a whole chain deleted, be found. @default none (the memorandum says so)
   */
  expectedHeads?: Readonly<Record<string, Head>>;
}

export interface InquiryReview {
  record: AccessRecord;
  user: User | undefined;
  /** Case or incident number and/or a reason present (§471.7(e)). */
  purposeDocumented: boolean;
  /** No finding against the permitted uses. */
  purposePermitted: boolean;
  /** Registered, active and trained on the day of the inquiry (§471.5(d), §471.4.1(a)). */
  userAuthorised: boolean;
  /** The record's hash verifies and its place in the chain is intact. */
  recordIntact: boolean;
  findings: string[];
}

export interface AuditSample {
  from: Date;
  to: Date;
  /** The chain audited, or undefined for all of them. */
  chain: string | undefined;
  /** Employees' search inquiries in the period (outcome ok, first pages): what the sample is drawn from. */
  population: number;
  /** Later pages of those searches (a `before` cursor): part of their inquiry, not drawn on their own. */
  pagesAfterFirst: number;
  /** The system's own searches in the period (SYSTEM_USER: retroactive hits), counted apart, not sampled. */
  systemSearches: number;
  /** Searches refused in the period, for any reason (`refusedSearches` says which). */
  refused: number;
  /** Those refused searches by kind: no documented purpose, a prohibited purpose, the user, … */
  refusedSearches: RefusalCounts;
  requestedSize: number;
  reviews: InquiryReview[];
  /** One per chain checked. */
  verifications: AccessLogVerification[];
  /** Chains whose head was checked against the one the last audit recorded (`expectedHeads`). */
  headsChecked: string[];
  /** Errors in the records themselves, for correction (§471.9). */
  dataErrors: string[];
  method: string;
  /**
   * Every action the system refused in the period (any action: sign-ins, searches, role checks,
   * releases), oldest first, at most MAX_LISTED_REFUSALS; `refusalCount` is the full number.
   */
  refusedActions: RefusedAction[];
  refusalCount: number;
  /** Every refused action in the period (not only those listed) by kind. */
  refusalsByKind: RefusalCounts;
  /** Accounts given a privileged role, and passwords set by someone else, in the period (account-changes.ts). */
  accountChanges: AccountChange[];
  accountChangeCount: number;
  /**
   * Every other access to ALPR data the period allowed (hit views, holds, exports, releases: not
   * searches, which are sampled) whose stated purpose suggests a use the policy forbids: not a
   * sample, all of them, oldest first, at most MAX_LISTED_REFUSALS; `otherFlaggedCount` is the number.
   */
  otherFlagged: FlaggedAccess[];
  otherFlaggedCount: number;
}


/**
 * How a refusal is filed in the memorandum. `immigration` and `personal` are purposes the policy
 * forbids outright (Gov. Code § 7284.6(a)(1); §471.5 Impermissible Uses (c)), apart from a purpose
 * merely not documented (`purpose`, §471.7(e)).
 */
export type RefusalKind =
  | 'role' | 'training' | 'account' | 'purpose' | 'immigration' | 'personal' | 'covert_list' | 'sign_in' | 'release' | 'other';

export interface RefusedAction {
  record: AccessRecord;
  kind: RefusalKind;
}

export const MAX_LISTED_REFUSALS = 500;

/** Members lacking the role, the training or an active account (§471.4.1(a), §471.5(d), §471.10). */
export function isRoleOrTrainingViolation(kind: RefusalKind): boolean {
  return kind === 'role' || kind === 'training' || kind === 'account';
}

/**
 * Refusals written as `CODE: message` (hot lists, dispositions, covert lists, the gateway): the
 * code says what was refused. PROHIBITED_PURPOSE is split by the system's own wording below.
 */
const REFUSAL_CODE_KINDS: Readonly<Record<string, RefusalKind>> = {
  PURPOSE_REQUIRED: 'purpose',
  ROLE_REQUIRED: 'role',
  NOT_PERMITTED: 'role',
  FORBIDDEN: 'role',
  NOT_TRAINED: 'training',
  TRAINING_EXPIRED: 'training',
  COVERT_LIST: 'covert_list',
  UNAUTHENTICATED: 'sign_in',
  BAD_SESSION: 'sign_in',
};
const REFUSAL_CODE = /^([A-Z][A-Z0-9_]{2,}): /;

/**
 * Refusals written without a code (searches, hit views, holds, role checks, sign-ins): each is
 * one of the system's own sentences (storage/purpose.ts, users.ts, permissions.ts, evidence.ts,
 * credentials.ts, api-guard.ts), matched from its start once the record's own user text is taken out.
 */
const SYSTEM_WORDING: ReadonlyArray<{ start: RegExp; kind: RefusalKind }> = [
  { start: /^the stated purpose is immigration enforcement, /, kind: 'immigration' },
  { start: /^the stated purpose is a personal one, /, kind: 'personal' },
  { start: /^user "…"('s ALPR training (is recorded for|expired on) | has not completed ALPR training )/, kind: 'training' },
  { start: /^"([a-z_]+\.[a-z_]+|…)" needs one of the roles |^… is not an administrator \(|^console upgrade refused for the role$/, kind: 'role' },
  { start: /^(user "…" is not a registered ALPR user|user id "…" is reserved for the system|user "…" is not active$)/, kind: 'account' },
  {
    start: /^(a user is required: |a case or incident number and\/or a reason is required |no case or incident number and no reason|case number "…" has no number in it|the reason "…" does not say why|no reason: a legal hold |evidence work needs a user and a case number )/,
    kind: 'purpose',
  },
];

/**
 * The record's `detail` with the text its user supplied (case number, reason, user id) taken out,
 * so nothing a member typed can decide how the refusal is filed (found by QA: a case "number"
 * TRAINING filed a purpose refusal as a training violation).
 */
function systemWording(record: Pick<AccessRecord, 'detail' | 'case_number' | 'reason' | 'user_id'>): string {
  let d = record.detail;
  // Longest first: a user id inside a reason must not cut the reason apart.
  const typed = [record.reason.trim(), record.case_number.trim(), record.user_id].filter((t) => t !== '').sort((a, b) => b.length - a.length);
  for (const t of typed) d = d.replaceAll(`"${t}"`, '"…"');
  // bin/verbs/users.ts writes `${as} is not an administrator (…)`, the id unquoted at the start.
  if (record.user_id !== '' && d.startsWith(`${record.user_id} is not an administrator (`)) d = `…${d.slice(record.user_id.length)}`;
  return d;
}

/**
 * How a refusal is filed: by the code at the start of its detail where it was written with one,
 * otherwise by the system's own wording, never by anything the member typed. Role and training
 * violations (§471.4.1(a), §471.5(d), §471.10) are kept apart from the rest.
 */
export function refusalKind(record: Pick<AccessRecord, 'action' | 'detail' | 'case_number' | 'reason' | 'user_id'>): RefusalKind {
  const coded = REFUSAL_CODE.exec(record.detail);
  const code = coded?.[1];
  const wording = systemWording(coded === null ? record : { ...record, detail: record.detail.slice(coded[0].length) });
  const worded = SYSTEM_WORDING.find((w) => w.start.test(wording))?.kind;
  if (code === 'PROHIBITED_PURPOSE') return worded === 'personal' ? 'personal' : 'immigration';
  if (code === 'USER_NOT_AUTHORISED') return worded === 'training' ? 'training' : 'account';
  if (code !== undefined && REFUSAL_CODE_KINDS[code] !== undefined) return REFUSAL_CODE_KINDS[code];
  if (worded === 'training' || worded === 'role') return worded;
  if (record.action === 'login' || record.action === 'lockout') return 'sign_in';
  if (worded !== undefined) return worded;
  if (record.action === 'release') return 'release';
  return 'other';
}

/** How many refusals of each kind. */
export type RefusalCounts = Readonly<Record<RefusalKind, number>>;

const NO_REFUSALS: RefusalCounts = {
  role: 0, training: 0, account: 0, purpose: 0, immigration: 0, personal: 0, covert_list: 0, sign_in: 0, release: 0, other: 0,
};

/** Counts refusals by kind. */
export function countRefusals(records: ReadonlyArray<Pick<AccessRecord, 'action' | 'detail' | 'case_number' | 'reason' | 'user_id'>>): RefusalCounts {
  const out: Record<RefusalKind, number> = { ...NO_REFUSALS };
  for (const r of records) out[refusalKind(r)]++;
  return out;
}

/**
 * A later page of a paged search: its params carry the `before` cursor of the page it follows.
 * One inquiry is one search, however many pages its user turned; the audit (which draws
 * inquiries) and the transparency report (which counts them) both use this one definition.
 */
export const LATER_PAGE_SQL = "JSONHas(params, 'before')";

/**
 * The user id the system's own searches are logged under, or '' (no one's id) when a person is
 * registered under SYSTEM_USER (added before reserved ids were refused): the log cannot tell them
 * apart, so every search under the id then counts as a member's and nothing the person did is left out.
 */
export async function systemSearchUser(storage: Pick<Storage, 'client' | 'db'>): Promise<string> {
  return (await findUser(storage, SYSTEM_USER)) === undefined ? SYSTEM_USER : '';
}

/** Every refusal in a period, with the fields it is classified by (refusals are few: no limit). */
async function refusalsInPeriod(
  storage: Pick<Storage, 'client' | 'db'>,
  where: string,
  params: Record<string, unknown>,
): Promise<Array<Pick<AccessRecord, 'action' | 'detail' | 'case_number' | 'reason' | 'user_id'>>> {
  return queryRows(storage.client,
    `SELECT action, detail, case_number, reason, user_id FROM ${storage.db}.access_log WHERE outcome = 'refused' AND ${where}`, params);
}

function pickIndexes(n: number, k: number, random: (() => number) | undefined): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  const take = Math.min(n, k);
  for (let i = 0; i < take; i++) {
    const j = i + (random === undefined ? randomInt(n - i) : Math.floor(random() * (n - i)));
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx.slice(0, take).sort((a, b) => a - b);
}

export async function sampleSearches(storage: Pick<Storage, 'client' | 'db' | 'config'>, req: AuditSampleRequest): Promise<AuditSample> {
  if (!(req.from.getTime() < req.to.getTime())) throw new StorageError('INVALID_SEARCH', 'the audit period must have from before to');
  const chain = req.chain;
  const expectedHeads = req.expectedHeads ?? {};
  // A chain misspelt would sample nothing and read as a clean audit of no inquiries.
  if (chain !== undefined) await requireChain(storage, chain, expectedHeads);
  const size = Math.max(MINIMUM_AUDIT_SAMPLE, Math.trunc(req.size ?? MINIMUM_AUDIT_SAMPLE));
  const params = { chain: chain ?? '', from: formatClickHouseTime(req.from), to: formatClickHouseTime(req.to) };
  const period =
    (chain === undefined ? '' : 'chain = {chain:String} AND ') +
    "action = 'search' AND at >= {from:DateTime64(3, 'UTC')} AND at < {to:DateTime64(3, 'UTC')}";
  const seqs = await queryRows<{ chain: string; seq: number | string; outcome: string; user_id: string; continued: number | boolean }>(
    storage.client,
    `SELECT chain, seq, outcome, user_id, ${LATER_PAGE_SQL} AS continued FROM ${storage.db}.access_log WHERE ${period} ORDER BY chain, seq`,
    params,
  );
  const ok = seqs.filter((r) => r.outcome === 'ok');
  // A person registered under SYSTEM_USER (added before reserved ids were refused) cannot be told
  // apart from the system in the log: every search under the id is then sampled as an inquiry,
  // so nothing the person did escapes the audit.
  const systemId = await systemSearchUser(storage);
  const systemIsPerson = systemId === '';
  const bySystem = (r: { user_id: string }): boolean => r.user_id === systemId;
  // One inquiry is one search, however many pages its user turned: a page after the first (its
  // `before` cursor) is not drawn on its own, or one long walk would fill the sample (found by QA).
  const inquiries = ok.filter((r) => !bySystem(r) && !Number(r.continued)).map((r) => ({ chain: r.chain, seq: Number(r.seq) }));
  const pagesAfterFirst = ok.filter((r) => !bySystem(r) && Number(r.continued)).length;
  const picked = pickIndexes(inquiries.length, size, req.random).map((i) => inquiries[i] as { chain: string; seq: number });
  const byChain = new Map<string, number[]>();
  for (const p of picked) byChain.set(p.chain, [...(byChain.get(p.chain) ?? []), p.seq]);
  const records: AccessRecord[] = [];
  for (const [c, list] of byChain) {
    const rows = await queryRows<AccessRecord & { at_text: string }>(
      storage.client,
      `SELECT chain, seq, toString(at) AS at_text, user_id, action, outcome, params, rows_returned, case_number, reason, detail, prev_hash, hash
         FROM ${storage.db}.access_log WHERE chain = {chain:String} AND seq IN {seqs:Array(UInt64)} ORDER BY seq`,
      { chain: c, seqs: list },
    );
    for (const r of rows) {
      const { at_text, ...rest } = r;
      records.push({ ...rest, at: at_text, seq: Number(r.seq), rows_returned: Number(r.rows_returned) });
    }
  }
  const refusalRows = await queryRows<AccessRecord & { at_text: string; total: number | string }>(
    storage.client,
    `SELECT chain, seq, toString(at) AS at_text, user_id, action, outcome, params, rows_returned, case_number, reason, detail, prev_hash, hash,
            count() OVER () AS total
       FROM ${storage.db}.access_log
      WHERE ${chain === undefined ? '' : 'chain = {chain:String} AND '}outcome = 'refused'
        AND at >= {from:DateTime64(3, 'UTC')} AND at < {to:DateTime64(3, 'UTC')}
      ORDER BY at, chain, seq LIMIT {limit:UInt32}`,
    { ...params, limit: MAX_LISTED_REFUSALS },
  );
  const refusedActions: RefusedAction[] = refusalRows.map(({ at_text, total: _total, ...rest }) => {
    const record: AccessRecord = { ...rest, at: at_text, seq: Number(rest.seq), rows_returned: Number(rest.rows_returned) };
    return { record, kind: refusalKind(record) };
  });
  const refusals = await refusalsInPeriod(storage, `${chain === undefined ? '' : 'chain = {chain:String} AND '}at >= {from:DateTime64(3, 'UTC')} AND at < {to:DateTime64(3, 'UTC')}`, params);
  const accounts = await privilegedAccountChanges(storage, { from: params.from, to: params.to, ...(chain === undefined ? {} : { chain }) });
  const other = await otherAccessToReview(storage, params, chain, MAX_LISTED_REFUSALS);
  const verifications = (await verifyAccessLogs(storage, expectedHeads)).filter((v) => chain === undefined || v.chain === chain);
  const damaged = new Set<string>();
  for (const v of verifications) {
    for (const p of v.problems) {
      if (p.kind === 'altered' || p.kind === 'broken_link' || p.kind === 'duplicate') damaged.add(`${v.chain}:${p.seq}`);
    }
  }
  const dataErrors = verifications.flatMap((v) => v.problems.map((p) => `chain "${v.chain}": ${describeProblem(p)}`));
  if (systemIsPerson) {
    dataErrors.push(`user "${SYSTEM_USER}" is registered as a person, though the system logs its own searches under that id: ` +
      'every search under it is sampled as an inquiry; disable the account and give the person an id of their own');
  }
  const reviews: InquiryReview[] = [];
  for (const record of records) {
    // The register as it stood at the inquiry: was this person trained and active then?
    const user = await findUser(storage, record.user_id, parseClickHouseTime(record.at));
    const review = reviewInquiry(record, user, !damaged.has(`${record.chain}:${record.seq}`), storage.config.timeZone);
    const where = `record ${record.chain}:${record.seq}`;
    if (review.user === undefined) dataErrors.push(`${where}: user "${record.user_id}" is not in the user register`);
    if (!review.recordIntact) dataErrors.push(`${where}: fails the hash chain check; the record may have been altered`);
    reviews.push(review);
  }
  return {
    from: req.from,
    to: req.to,
    chain,
    population: inquiries.length,
    pagesAfterFirst,
    systemSearches: ok.filter(bySystem).length,
    refused: seqs.filter((r) => r.outcome === 'refused').length,
    refusedSearches: countRefusals(refusals.filter((r) => r.action === 'search')),
    requestedSize: size,
    reviews,
    verifications,
    headsChecked: Object.keys(expectedHeads).filter((c) => chain === undefined || c === chain).sort(),
    dataErrors,
    refusedActions,
    refusalCount: Number(refusalRows[0]?.total ?? 0),
    refusalsByKind: countRefusals(refusals),
    accountChanges: accounts.changes,
    accountChangeCount: accounts.total,
    otherFlagged: other.flagged,
    otherFlaggedCount: other.total,
    method:
      `${picked.length} of ${inquiries.length} search inquiries drawn uniformly at random without replacement ` +
      (pagesAfterFirst > 0 ? `(a paged search counts once: its ${pagesAfterFirst} later page${pagesAfterFirst === 1 ? '' : 's'} in the period were not drawn on their own) ` : '') +
      `(${req.random === undefined ? 'node:crypto randomInt' : 'caller-supplied generator'}) from ` +
      (chain === undefined ? 'every access log chain.' : `access log chain "${chain}".`),
  };
}

export function reviewInquiry(record: AccessRecord, user: User | undefined, recordIntact: boolean, timeZone: string = DEFAULT_TIME_ZONE): InquiryReview {
  const findings: string[] = [];
  const caseNumber = record.case_number.trim();
  const reason = record.reason.trim();
  const undocumented = undocumentedPurpose(caseNumber, reason);
  const purposeDocumented = undocumented === null;
  if (undocumented !== null) findings.push(`${undocumented} (§471.7(e))`);
  const prohibited = prohibitedPurposeFindings(caseNumber, reason);
  const purposePermitted = prohibited.length === 0;
  findings.push(...prohibited);
  // The department's day of the inquiry: training dates are days there (department-day.ts).
  const day = dayIn(timeZone, parseClickHouseTime(record.at));
  let userAuthorised = true;
  if (user === undefined) {
    userAuthorised = false;
    findings.push('user not in the user register (§471.5(h): individual credentials)');
  } else if (user.trainedAt === null || user.trainedAt > day) {
    userAuthorised = false;
    findings.push(`user had not completed ALPR training by ${day} (§471.5(d))`);
  } else if (user.trainingExpiresAt != null && user.trainingExpiresAt <= day) {
    userAuthorised = false;
    findings.push(`user's ALPR training had expired on ${user.trainingExpiresAt} (§471.10)`);
  } else if (!user.active) {
    userAuthorised = false;
    findings.push('user account was inactive at the time of the inquiry');
  }
  if (!recordIntact) findings.push('access log record fails the hash chain check');
  return { record, user, purposeDocumented, purposePermitted, userAuthorised, recordIntact, findings };
}

/** A problem the chain check found, in words: the memorandum's data errors and `audit verify` say it so. */
export function describeProblem(p: AccessLogVerification['problems'][number]): string {
  switch (p.kind) {
    case 'altered':
      return `access log record ${p.seq} does not match its hash: altered after it was written`;
    case 'missing':
      return `access log records ${p.fromSeq}–${p.toSeq} are missing: deleted`;
    case 'duplicate':
      return `access log sequence number ${p.seq} appears more than once`;
    case 'broken_link':
      return `access log record ${p.seq} does not follow the record before it`;
    case 'head_mismatch':
      return `access log head differs from the one recorded at the last audit (expected ${p.expected.seq}:${p.expected.hash.slice(0, 12)}…, ` +
        `found ${p.found === undefined ? 'no record' : `${p.found.seq}:${p.found.hash.slice(0, 12)}…`})`;
  }
}
