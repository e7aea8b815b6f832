// The access log: every access to ALPR data (search, export, hit view, hold), by name, date and
// time (Watsonville §471.7(b), Civil Code § 1798.90.52), with its purpose (§471.7(e)).
// Append-only and hash-chained: each record carries SHA-256(previous hash ‖ its own fields), and
// a sequence number, so `verifyAccessLog` finds a record altered, deleted, inserted or reordered.
// One writer per chain (appends are serialised in this process); several processes use
// different chain names. Deleting the newest records leaves a valid shorter chain: auditors
// record the head (seq + hash) in each memorandum and pass it back as `expectedHead`.
import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { StorageError } from './errors.js';
import type { Storage } from './open.js';
import { formatClickHouseTime, queryRows } from './sql.js';

export const ACCESS_ACTIONS = {
  search: 'search',
  export: 'export',
  hitView: 'hit_view',
  hold: 'hold',
  audit: 'audit',
  /** A sign-in: ok, or refused with the reason (Watsonville §471.5(h): individual credentials). */
  login: 'login',
  /** An account locked after repeated failed sign-ins (storage/credentials.ts). */
  lockout: 'lockout',
  logout: 'logout',
  /** A hit's disposition recorded (Watsonville §471.5(f)(3)). */
  disposition: 'disposition',
  /** Hot list loads, entries, approvals (Watsonville §471.5(f)(4)(5)). */
  hotlist: 'hotlist',
  /** Accounts, roles, training (Watsonville §471.4.1(b)). */
  user: 'user',
  /** Release requests and their decisions (Watsonville §471.8). */
  release: 'release',
  /** Aggregate reports (transparency). */
  report: 'report',
  /** Refused camera reads looked at (INVALID_READS): their reasons quote what the camera sent. */
  refusedReads: 'refused_reads',
} as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[keyof typeof ACCESS_ACTIONS];

export const ACCESS_OUTCOMES = {
  ok: 'ok',
  /** No user, no purpose, or a user not authorised: the data was not touched. */
  refused: 'refused',
  /** A request that could not be run as given. */
  invalid: 'invalid',
  failed: 'failed',
} as const;
export type AccessOutcome = (typeof ACCESS_OUTCOMES)[keyof typeof ACCESS_OUTCOMES];

export interface AccessEntry {
  user: string;
  action: AccessAction;
  outcome: AccessOutcome;
  /** What was asked for; stored as JSON. */
  params: unknown;
  rowsReturned: number;
  caseNumber: string;
  reason: string;
  /** Why refused or failed; '' when ok. */
  detail: string;
}

/** A record as stored; field names are the table's columns. */
export interface AccessRecord {
  chain: string;
  seq: number;
  /** 'YYYY-MM-DD hh:mm:ss.sss' UTC, exactly as stored and hashed. */
  at: string;
  user_id: string;
  action: string;
  outcome: string;
  params: string;
  rows_returned: number;
  case_number: string;
  reason: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The user the system's own searches are logged under (retroactive hits for a new hot list
 * entry): access-logged like any search, but not an employee's inquiry, so the §471.9 audit
 * counts them apart instead of sampling them.
 */
export const SYSTEM_USER = 'platewatch-system';

export function hashAccessRecord(r: Omit<AccessRecord, 'hash'>): string {
  const fields = [
    r.chain, r.seq, r.at, r.user_id, r.action, r.outcome, r.params, r.rows_returned, r.case_number, r.reason, r.detail,
  ];
  return createHash('sha256').update(r.prev_hash).update('\n').update(JSON.stringify(fields)).digest('hex');
}

export interface Head {
  seq: number;
  hash: string;
}

/**
 * A chain's head as a memorandum lists it, `CHAIN=SEQ:HASH` (or `SEQ:HASH` for `defaultChain`),
 * with the chain it names; or the reason it cannot be read.
 */
export function parseExpectedHead(text: string, defaultChain?: string): { chain: string; head: Head } | { error: string } {
  // Hex in either case: a head read aloud or retyped from paper comes back in capitals.
  const m = /^(?:([A-Za-z0-9_.-]{1,64})=)?(\d+):([0-9a-fA-F]{64})$/.exec(text);
  if (m === null) {
    const form = defaultChain === undefined ? 'CHAIN=SEQ:HASH' : 'CHAIN=SEQ:HASH or SEQ:HASH';
    return { error: `"${text}" must be ${form}, the hash 64 hex digits, as the last memorandum lists it` };
  }
  const chain = m[1] ?? defaultChain;
  if (chain === undefined) return { error: `"${text}" needs the chain it belongs to: write it CHAIN=SEQ:HASH (each chain has its own head)` };
  return { chain, head: { seq: Number(m[2]), hash: (m[3] as string).toLowerCase() } };
}

export class AccessLog {
  readonly chain: string;
  readonly #client: ClickHouseClient;
  readonly #table: string;
  #head: Head | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(storage: Pick<Storage, 'client' | 'db' | 'config'>, chain = storage.config.accessLogChain) {
    this.chain = chain;
    this.#client = storage.client;
    this.#table = `${storage.db}.access_log`;
  }

  /** Appends one record after every earlier append of this chain; resolves once it is stored. */
  append(entry: AccessEntry): Promise<AccessRecord> {
    const next = this.#tail.then(() => this.#append(entry));
    this.#tail = next.catch(() => {});
    return next;
  }

  async #append(entry: AccessEntry): Promise<AccessRecord> {
    const head = this.#head ?? (await this.#loadHead());
    const unhashed: Omit<AccessRecord, 'hash'> = {
      chain: this.chain,
      seq: head.seq + 1,
      at: formatClickHouseTime(Date.now()),
      user_id: wellFormed(entry.user),
      action: entry.action,
      outcome: entry.outcome,
      params: JSON.stringify(entry.params ?? null),
      rows_returned: entry.rowsReturned,
      case_number: wellFormed(entry.caseNumber),
      reason: wellFormed(entry.reason),
      detail: clippedDetail(wellFormed(entry.detail)),
      prev_hash: head.hash,
    };
    const record: AccessRecord = { ...unhashed, hash: hashAccessRecord(unhashed) };
    try {
      await this.#client.insert({ table: this.#table, values: [record], format: 'JSONEachRow' });
    } catch (error) {
      this.#head = undefined; // re-read the head next time: the insert may or may not have landed
      throw new StorageError('QUERY_FAILED', `access log append failed: ${(error as Error).message}`, { cause: error });
    }
    this.#head = { seq: record.seq, hash: record.hash };
    return record;
  }

  async #loadHead(): Promise<Head> {
    const rows = await queryRows<{ seq: number | string; hash: string }>(
      this.#client,
      `SELECT seq, hash FROM ${this.#table} WHERE chain = {chain:String} ORDER BY seq DESC LIMIT 1`,
      { chain: this.chain },
    );
    const last = rows[0];
    this.#head = last === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: Number(last.seq), hash: last.hash };
    return this.#head;
  }
}

export type AccessLogProblem =
  | { kind: 'altered'; seq: number }
  | { kind: 'missing'; fromSeq: number; toSeq: number }
  | { kind: 'duplicate'; seq: number }
  | { kind: 'broken_link'; seq: number }
  | { kind: 'head_mismatch'; expected: Head; found: Head | undefined };

export interface AccessLogVerification {
  ok: boolean;
  chain: string;
  records: number;
  head: Head | undefined;
  problems: AccessLogProblem[];
}

const VERIFY_PAGE = 10_000;

/**
 * A chain named that the access log does not have, and that no head from the last audit names
 * either: a typo, most likely, and never an intact chain of 0 records (an auditor would file that
 * as a clean audit). A chain the last audit recorded a head for is not unknown: its loss is a finding.
 */
export class UnknownChainError extends Error {
  readonly code = 'UNKNOWN_CHAIN';

  constructor(
    readonly chain: string,
    /** The chains the access log has. */
    readonly known: readonly string[],
  ) {
    super(
      `the access log has no chain "${chain}"; ` +
        (known.length === 0 ? 'it has no records at all yet' : `its chains are ${known.map((c) => `"${c}"`).join(', ')}`),
    );
    this.name = 'UnknownChainError';
  }
}

/** Throws UnknownChainError unless `chain` has records or a head the last audit recorded. */
export async function requireChain(
  storage: Pick<Storage, 'client' | 'db'>,
  chain: string,
  expectedHeads: Readonly<Record<string, Head>> = {},
): Promise<void> {
  if (Object.hasOwn(expectedHeads, chain)) return;
  const known = await accessLogChains(storage);
  if (!known.includes(chain)) throw new UnknownChainError(chain, known);
}

/**
 * Re-computes the chain. `expectedHead` (from the last audit memorandum) also catches records
 * deleted from the end, which no chain can show on its own. A chain named in `options.chain` that
 * has no records and no `expectedHead` is an UnknownChainError.
 */
export async function verifyAccessLog(
  storage: Pick<Storage, 'client' | 'db' | 'config'>,
  options: { chain?: string; expectedHead?: Head } = {},
): Promise<AccessLogVerification> {
  if (options.chain !== undefined && options.expectedHead === undefined) await requireChain(storage, options.chain);
  return verifyChain(storage, options.chain ?? storage.config.accessLogChain, options.expectedHead);
}

async function verifyChain(
  storage: Pick<Storage, 'client' | 'db'>,
  chain: string,
  expectedHead: Head | undefined,
): Promise<AccessLogVerification> {
  const problems: AccessLogProblem[] = [];
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let records = 0;
  let head: Head | undefined;
  let afterSeq = 0;
  for (;;) {
    const page = await queryRows<AccessRecord>(
      storage.client,
      `SELECT chain, seq, toString(at) AS at, user_id, action, outcome, params, rows_returned, case_number, reason, detail,
              prev_hash, hash
         FROM ${storage.db}.access_log
        WHERE chain = {chain:String} AND seq > {after:UInt64}
        ORDER BY seq, hash
        LIMIT {page:UInt32}`,
      { chain, after: afterSeq, page: VERIFY_PAGE },
    );
    for (const raw of page) {
      const r: AccessRecord = { ...raw, seq: Number(raw.seq), rows_returned: Number(raw.rows_returned) };
      records++;
      if (r.seq < expectedSeq) problems.push({ kind: 'duplicate', seq: r.seq });
      else if (r.seq > expectedSeq) problems.push({ kind: 'missing', fromSeq: expectedSeq, toSeq: r.seq - 1 });
      if (r.prev_hash !== prevHash) problems.push({ kind: 'broken_link', seq: r.seq });
      if (hashAccessRecord(r) !== r.hash) problems.push({ kind: 'altered', seq: r.seq });
      if (expectedHead !== undefined && r.seq === expectedHead.seq && r.hash !== expectedHead.hash) {
        problems.push({ kind: 'head_mismatch', expected: expectedHead, found: { seq: r.seq, hash: r.hash } });
      }
      expectedSeq = r.seq + 1;
      prevHash = r.hash;
      head = { seq: r.seq, hash: r.hash };
    }
    if (page.length < VERIFY_PAGE) break;
    afterSeq = head?.seq ?? afterSeq;
    // A page boundary inside a run of duplicate seqs would skip some; duplicates are already a finding.
  }
  if (expectedHead !== undefined && (head === undefined || head.seq < expectedHead.seq)) {
    problems.push({ kind: 'head_mismatch', expected: expectedHead, found: head });
  }
  return { ok: problems.length === 0, chain, records, head, problems };
}

/** Every chain in the access log (one per writing process or role). */
export async function accessLogChains(storage: Pick<Storage, 'client' | 'db'>): Promise<string[]> {
  const rows = await queryRows<{ chain: string }>(storage.client, `SELECT DISTINCT chain FROM ${storage.db}.access_log ORDER BY chain`);
  return rows.map((r) => r.chain);
}

/** Verifies every chain; `expectedHeads` maps chain → head recorded at the last audit. */
export async function verifyAccessLogs(
  storage: Pick<Storage, 'client' | 'db' | 'config'>,
  expectedHeads: Readonly<Record<string, Head>> = {},
): Promise<AccessLogVerification[]> {
  const chains = new Set([...(await accessLogChains(storage)), ...Object.keys(expectedHeads)]);
  const out: AccessLogVerification[] = [];
  for (const chain of [...chains].sort()) {
    // Not verifyAccessLog: a chain listed a moment ago and deleted whole since is a finding here.
    out.push(await verifyChain(storage, chain, expectedHeads[chain]));
  }
  return out;
}

export interface AccessLogQuery {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  user?: string;
  action?: string;
  outcome?: string;
  limit: number;
}

/** Records of every chain in a period, newest first, for auditors (the caller logs the reading). */
export async function readAccessLog(storage: Pick<Storage, 'client' | 'db'>, q: AccessLogQuery): Promise<AccessRecord[]> {
  const where = ["at >= {from:DateTime64(3, 'UTC')}", "at < {to:DateTime64(3, 'UTC')}"];
  const params: Record<string, unknown> = { from: formatClickHouseTime(q.from), to: formatClickHouseTime(q.to), limit: q.limit };
  for (const [key, column] of [['user', 'user_id'], ['action', 'action'], ['outcome', 'outcome']] as const) {
    const value = q[key];
    if (value === undefined || value === '') continue;
    where.push(`${column} = {${key}:String}`);
    params[key] = value;
  }
  // `at_text`, not `at`: an alias named like the column would turn the WHERE into a text comparison.
  const rows = await queryRows<Omit<AccessRecord, 'at'> & { at_text: string }>(
    storage.client,
    `SELECT chain, seq, toString(at) AS at_text, user_id, action, outcome, params, rows_returned, case_number, reason, detail, prev_hash, hash
       FROM ${storage.db}.access_log WHERE ${where.join(' AND ')}
      ORDER BY at DESC, chain, seq DESC LIMIT {limit:UInt32}`,
    params,
  );
  return rows.map(({ at_text: at, ...r }) => ({ ...r, at, seq: Number(r.seq), rows_returned: Number(r.rows_returned) }));
}

// ClickHouse refuses text holding half a UTF-16 surrogate pair, and a record it refuses is an
// access that leaves no trace; such a half is kept as U+FFFD. (JSON.stringify escapes them in params.)
/**
 * The most of a record's `detail` (a refusal's message) kept. Every record is hashed, chained and
 * read whole by each auditor, and a message can quote what a member sent: callers shorten what they
 * quote (hot list loads, refused bodies), and this holds for any message that does not.
 */
export const DETAIL_MAX_CHARACTERS = 4000;

function clippedDetail(detail: string): string {
  if (detail.length <= DETAIL_MAX_CHARACTERS) return detail;
  // Not inside a surrogate pair: half of one would be stored as U+FFFD.
  let end = DETAIL_MAX_CHARACTERS;
  if (/[\ud800-\udbff]/.test(detail.charAt(end - 1))) end -= 1;
  return `${detail.slice(0, end)}… (${detail.length} characters)`;
}

function wellFormed(text: string): string {
  return text.replace(/\p{Cs}/gu, '\uFFFD');
}
