// Records kept as versions (hot list designations, entries and their decisions, release requests,
// users) change by reading version N and writing N + 1. One process takes such changes one at
// a time; several gateways against one ClickHouse server could both read N and both write N + 1
// (two decisions on one entry, two approvals of one release). ClickHouse has no transactions, so
// the change first claims "N + 1 of this record" where every process sees it (NATS KV in
// ingest/version-claims.ts): the first claim wins and the other change is refused as concurrent.

/** The records claimed, one kind each (a claim is kind + record id + version). */
export const CLAIM_KINDS = {
  hotlistList: 'hotlist_list',
  hotlistEntry: 'hotlist_entry',
  hotlistDecision: 'hotlist_decision',
  /**
   * A list's plate + state + case number put in force (storage/hotlists.ts): version N is its N-th
   * approval, so two gateways cannot each approve a different entry holding it.
   */
  hotlistListing: 'hotlist_listing',
  release: 'release',
  user: 'user',
  /** A hit's N-th disposition: two gateways cannot each record the first answer to one hit. */
  hitDisposition: 'hit_disposition',
} as const;
export type ClaimKind = (typeof CLAIM_KINDS)[keyof typeof CLAIM_KINDS];

export interface VersionClaims {
  /** True when this caller is the first to claim `version` of record `id` of `kind`. */
  claim(kind: ClaimKind, id: string, version: number): Promise<boolean>;
  /** Gives a claim back after the change it guarded failed to write, so a retry can claim it. */
  release(kind: ClaimKind, id: string, version: number): Promise<void>;
}

/**
 * Runs `write` under the claim of `version` of the record; `lost` (which throws the caller's own
 * refusal) runs instead when another process claimed it first. Without `claims` (one process, the
 * embedded default) `write` just runs. A failed write gives the claim back.
 */
export async function underClaim<T>(
  claims: VersionClaims | undefined, kind: ClaimKind, id: string, version: number, lost: () => Promise<never> | never, write: () => Promise<T>,
): Promise<T> {
  if (claims === undefined) return write();
  if (!(await claims.claim(kind, id, version))) return lost();
  try {
    return await write();
  } catch (error) {
    await claims.release(kind, id, version).catch(() => {});
    throw error;
  }
}
