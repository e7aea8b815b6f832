// Typed errors of the storage layer. Callers switch on `code`; the ClickHouse error, if any, is the cause.

export const STORAGE_ERROR_CODES = {
  /** The configuration is invalid; the message names the option(s). */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** chDB already has another data directory open in this process. */
  STORAGE_BUSY: 'STORAGE_BUSY',
  /** The ClickHouse server (CLICKHOUSE_URL) did not answer, or refused the credentials. */
  STORAGE_UNREACHABLE: 'STORAGE_UNREACHABLE',
  /** A migration already applied differs from the code: someone edited history. */
  MIGRATION_CHANGED: 'MIGRATION_CHANGED',
  /** The database was migrated by a newer platewatch than this one (README, Upgrade: Rollback). */
  SCHEMA_TOO_NEW: 'SCHEMA_TOO_NEW',
  /** A migration statement failed. */
  MIGRATION_FAILED: 'MIGRATION_FAILED',
  /** A batch of detections could not be stored after its retries. */
  WRITE_FAILED: 'WRITE_FAILED',
  /** The writer is closed and takes no more rows. */
  WRITER_CLOSED: 'WRITER_CLOSED',
  /** A search or export without a user and a purpose (Watsonville §471.7(e)). */
  PURPOSE_REQUIRED: 'PURPOSE_REQUIRED',
  /** A search, hit view or legal hold whose stated purpose is immigration enforcement (Gov. Code § 7284.6(a)(1)). */
  PROHIBITED_PURPOSE: 'PROHIBITED_PURPOSE',
  /** The user is unknown, inactive or untrained (Watsonville §471.5(d), §471.4.1(a)). */
  USER_NOT_AUTHORISED: 'USER_NOT_AUTHORISED',
  /** The user's roles do not allow the action (storage/permissions.ts); the refusal is logged. */
  NOT_PERMITTED: 'NOT_PERMITTED',
  /** A search request that cannot be run as given (bad plate, pattern, range). */
  INVALID_SEARCH: 'INVALID_SEARCH',
  /** A search stopped at its time limit (StorageConfig.searchTimeoutMs): narrow it and run it again. */
  SEARCH_TOO_BROAD: 'SEARCH_TOO_BROAD',
  /** An evidence operation that cannot be done (existing output, a failed copy or write). */
  EVIDENCE_FAILED: 'EVIDENCE_FAILED',
  /** An export of a case under which no detection is held: place a legal hold first. */
  NOTHING_HELD: 'NOTHING_HELD',
  /** A password that does not meet the password policy (storage/password.ts). */
  WEAK_PASSWORD: 'WEAK_PASSWORD',
  /** A new user's id is one the system records its own actions under (storage/users.ts RESERVED_USER_IDS). */
  RESERVED_USER_ID: 'RESERVED_USER_ID',
  /** A query failed. */
  QUERY_FAILED: 'QUERY_FAILED',
  /** The record changed since it was read (another request, or another gateway): reload and retry. */
  CONCURRENT_CHANGE: 'CONCURRENT_CHANGE',
} as const;
export type StorageErrorCode = (typeof STORAGE_ERROR_CODES)[keyof typeof STORAGE_ERROR_CODES];

export class StorageError extends Error {
  readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}
