import { describe, expect, it } from 'vitest';
import { upgradeCredentials } from '../../gateway/index.js';

describe('upgrade credentials', () => {
  it('takes the token from the query', () => {
    expect(upgradeCredentials('abc', '')).toEqual({ token: 'abc', protocol: '' });
  });

  it('takes the token from a bearer subprotocol and answers with the console protocol only', () => {
    expect(upgradeCredentials(undefined, 'platewatch, bearer.abc')).toEqual({ token: 'abc', protocol: 'platewatch' });
    expect(upgradeCredentials('', 'bearer.abc')).toEqual({ token: 'abc', protocol: '' });
  });

  it('prefers the query token when both are given', () => {
    expect(upgradeCredentials('q', 'platewatch, bearer.p').token).toBe('q');
  });

  it('has no token when none is given or it is empty or oversized', () => {
    expect(upgradeCredentials(undefined, '').token).toBeNull();
    expect(upgradeCredentials(undefined, 'platewatch, bearer.').token).toBeNull();
    expect(upgradeCredentials('x'.repeat(5000), '').token).toBeNull();
  });
});
