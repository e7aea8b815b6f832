// How a verb prints a failure: the message with its code, and whatever a member typed or the
// running system answered shown rather than obeyed by the terminal (found by QA: API refusals
// quoting a typed value were printed raw by the verbs that go through the running system).
import { describe, expect, it } from 'vitest';
import { VerbRefusal, verbErrorText } from '../../bin/verb-sign-in.js';
import { StorageError } from '../../storage/index.js';

describe('verbErrorText', () => {
  it('prefixes a storage error with its code', () => {
    expect(verbErrorText(new StorageError('NOTHING_HELD', 'no hold for case 26-001'))).toBe('NOTHING_HELD: no hold for case 26-001');
  });

  it('shows control characters of a refusal, a storage error and any other error as escapes', () => {
    expect(verbErrorText(new VerbRefusal('NOT_FOUND: no user "a\u001b]0;owned\u0007"'))).toBe('NOT_FOUND: no user "a\\x1b]0;owned\\x07"');
    expect(verbErrorText(new StorageError('NOTHING_HELD', 'no hold for case 26\u009b2J'))).toBe('NOTHING_HELD: no hold for case 26\\x9b2J');
    expect(verbErrorText(new Error('line one\nline\u202etwo'))).toBe('line one\\x0aline\\u202etwo');
  });
});
