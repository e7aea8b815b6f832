import { describe, expect, it } from 'vitest';
import { HttpError } from '../../gateway/http-json.js';
import { storageRefusalAsHttp } from '../../gateway/storage-errors.js';
import { StorageError } from '../../storage/index.js';

describe('storage refusals as HTTP', () => {
  it('answers a request the caller can fix with 400, keeping the message', () => {
    for (const [code, answer] of [['PURPOSE_REQUIRED', 'PURPOSE_REQUIRED'], ['INVALID_SEARCH', 'BAD_SEARCH'], ['SEARCH_TOO_BROAD', 'SEARCH_TOO_BROAD']] as const) {
      const mapped = storageRefusalAsHttp(new StorageError(code, `${code} message`));
      expect(mapped).toBeInstanceOf(HttpError);
      expect(mapped).toMatchObject({ status: 400, code: answer, message: `${code} message` });
    }
  });

  it('answers 403 for who may not, 409 for a concurrent change', () => {
    expect(storageRefusalAsHttp(new StorageError('NOT_PERMITTED', 'no'))).toMatchObject({ status: 403, code: 'ROLE_REQUIRED' });
    expect(storageRefusalAsHttp(new StorageError('CONCURRENT_CHANGE', 'again'))).toMatchObject({ status: 409, code: 'CONCURRENT_CHANGE' });
  });

  it('answers a purpose the policy forbids (immigration enforcement) with 403 PROHIBITED_PURPOSE, as the hot list routes do', () => {
    expect(storageRefusalAsHttp(new StorageError('PROHIBITED_PURPOSE', 'search refused: immigration'))).toMatchObject({
      status: 403, code: 'PROHIBITED_PURPOSE', message: 'search refused: immigration',
    });
  });

  it('leaves failures that are not refusals alone, to become a logged 500', () => {
    const failed = new StorageError('QUERY_FAILED', 'boom');
    expect(storageRefusalAsHttp(failed)).toBe(failed);
    const other = new Error('x');
    expect(storageRefusalAsHttp(other)).toBe(other);
  });
});
