// What the hot list modules share: the context they run in, their typed refusals, and the access
// log records of every action and refusal (Watsonville §471.7(b)). Lists (designations) are in
// hotlist-lists.ts, entries and their approvals in hotlists.ts.
import type { MatcherConfig } from '../matcher/index.js';
import { ACCESS_OUTCOMES, type AccessLog } from './access-log.js';
import type { Storage } from './open.js';
import type { VersionClaims } from './version-claims.js';

export const HOTLIST_ERROR_CODES = {
  /** The list is not designated (or was retired). */
  UNKNOWN_LIST: 'UNKNOWN_LIST',
  /** A list whose name or purpose, or an entry whose reason or synopsis, is immigration enforcement (Gov. Code § 7284.6). */
  PROHIBITED_PURPOSE: 'PROHIBITED_PURPOSE',
  /** Entries of a general list come from its bulk download, not one by one. */
  GENERAL_LIST: 'GENERAL_LIST',
  /** The entry, the designation or the decision is not valid as given; the message says why. */
  INVALID: 'INVALID',
  UNKNOWN_ENTRY: 'UNKNOWN_ENTRY',
  /** The entry already has a change waiting for approval. */
  CHANGE_PENDING: 'CHANGE_PENDING',
  /** Only an approved entry can be updated or removed. */
  NOT_APPROVED: 'NOT_APPROVED',
  /** No change of the entry waits for a decision (or not the version named). */
  NOTHING_PENDING: 'NOTHING_PENDING',
  /** The approver submitted the change themselves. */
  SELF_APPROVAL: 'SELF_APPROVAL',
  /** Another member changed or decided the same record at the same moment (on another gateway). */
  CONCURRENT_CHANGE: 'CONCURRENT_CHANGE',
  /**
   * Another entry of the list already holds the plate, state and case number (in force, or waiting
   * for approval): one read would raise one hit for both, and the second entry's synopsis is lost.
   */
  DUPLICATE_ENTRY: 'DUPLICATE_ENTRY',
} as const;
export type HotlistErrorCode = (typeof HOTLIST_ERROR_CODES)[keyof typeof HOTLIST_ERROR_CODES];

export class HotlistError extends Error {
  readonly code: HotlistErrorCode;

  constructor(code: HotlistErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HotlistError';
    this.code = code;
  }
}

export interface HotlistContext {
  storage: Pick<Storage, 'client' | 'db'>;
  accessLog: Pick<AccessLog, 'append'>;
  config: MatcherConfig;
  /** Shared by every process of the deployment, so two gateways cannot both write version N + 1. */
  claims?: VersionClaims;
}

export type HotlistDb = HotlistContext['storage'];

// One wording for "no such list" and "no such entry", so the gateway can answer a covert list's
// unnamed users exactly as it answers for a list or entry that does not exist.
export function unknownListMessage(list: string): string {
  return `list ${list} is not a designated hot list; the ALPR Administrator designates lists (Watsonville §471.5(f))`;
}

export function unknownEntryMessage(entryId: string): string {
  return `no hot list entry ${JSON.stringify(entryId)}`;
}

/** Records a user's action on the access log. */
export async function logOk(ctx: HotlistContext, actor: string, params: Record<string, unknown>, caseNumber: string): Promise<void> {
  await ctx.accessLog.append({ user: actor, action: 'hotlist', outcome: ACCESS_OUTCOMES.ok, params, rowsReturned: 0, caseNumber, reason: String(params['op'] ?? ''), detail: '' });
}

/** Logs the refusal of a user's action and throws it. */
export async function refuse(ctx: HotlistContext, actor: string, params: Record<string, unknown>, code: HotlistErrorCode, message: string, outcome: 'refused' | 'invalid' = ACCESS_OUTCOMES.refused): Promise<never> {
  await ctx.accessLog.append({ user: actor, action: 'hotlist', outcome, params, rowsReturned: 0, caseNumber: '', reason: String(params['op'] ?? ''), detail: `${code}: ${message}` });
  throw new HotlistError(code, message);
}
