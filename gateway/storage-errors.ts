// The one mapping from storage's refusals to HTTP: a missing purpose, a bad search or one too
// broad to finish within the search time limit is the request's fault (400), an unauthorised
// user or role, or a purpose the policy forbids (immigration enforcement, as for hot lists), is
// 403, a record changed since it was read is 409. NATS not answering (the version claims every
// change takes there, a hot list's object store) is 503 NATS_UNAVAILABLE (nats-errors.ts): the
// routes that map storage's errors here get it with no change of their own. Anything else is not
// a refusal and stays a 500 (logged, never shown).
import { StorageError, type StorageErrorCode } from '../storage/index.js';
import { HttpError } from './http-json.js';
import { natsUnavailableAsHttp } from './nats-errors.js';

const STATUS: Partial<Record<StorageErrorCode, { status: number; code: string }>> = {
  PURPOSE_REQUIRED: { status: 400, code: 'PURPOSE_REQUIRED' },
  INVALID_SEARCH: { status: 400, code: 'BAD_SEARCH' },
  SEARCH_TOO_BROAD: { status: 400, code: 'SEARCH_TOO_BROAD' },
  WEAK_PASSWORD: { status: 400, code: 'WEAK_PASSWORD' },
  RESERVED_USER_ID: { status: 400, code: 'RESERVED_USER_ID' },
  USER_NOT_AUTHORISED: { status: 403, code: 'NOT_AUTHORISED' },
  NOT_PERMITTED: { status: 403, code: 'ROLE_REQUIRED' },
  PROHIBITED_PURPOSE: { status: 403, code: 'PROHIBITED_PURPOSE' },
  CONCURRENT_CHANGE: { status: 409, code: 'CONCURRENT_CHANGE' },
};

/** `error` as the HttpError it answers with, or unchanged when it is neither a storage refusal nor NATS not answering. */
export function storageRefusalAsHttp(error: unknown): unknown {
  if (!(error instanceof StorageError)) return natsUnavailableAsHttp(error);
  const mapped = STATUS[error.code];
  return mapped === undefined ? error : new HttpError(mapped.status, mapped.code, error.message, { cause: error });
}
