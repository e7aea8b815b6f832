// Records kept as versions (hot list entries and their decisions, list designations, release
// requests) change by reading version N and writing N + 1. One process takes such changes one at
// a time; several gateways against one ClickHouse server could both read N and both write N + 1
// (two decisions on one entry, two approvals of one release). ClickHouse has no transactions, so
// the change first claims "N + 1 of this record" where every process sees it (NATS KV in
// ingest/version-claims.ts): the first claim wins and the other change is refused as concurrent.

export interface VersionClaims {
  /** True when this caller is the first to claim `version` of record `id` of `kind`. */
  claim(kind: string, id: string, version: number): Promise<boolean>;
  /** Gives a claim back after the change it guarded failed to write, so a retry can claim it. */
  release(kind: string, id: string, version: number): Promise<void>;
}

/**
 * Runs `write` under the claim of `version` of the record; `lost` (which throws the caller's own
 * refusal) runs instead when another process claimed it first. Without `claims` (one process, the
 * embedded default) `write` just runs. A failed write gives the claim back.
 */
export async function underClaim<T>(
  claims: VersionClaims | undefined, kind: string, id: string, version: number, lost: () => Promise<never> | never, write: () => Promise<T>,
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
