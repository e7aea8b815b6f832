import { describe, expect, it } from 'vitest';
import { privilegedAccountChange } from '../../storage/index.js';

const change = (user: string, params: unknown) => privilegedAccountChange({ user_id: user, params: JSON.stringify(params) });

describe('privilegedAccountChange', () => {
  it('names accounts given a role that decides, exports, audits or administers, and passwords set by someone else', () => {
    expect(change('admin2', { op: 'add', user: 'pchief', roles: ['chief', 'auditor'] })).toBe('added pchief with the role(s) chief, auditor');
    expect(change('admin2', { op: 'update', user: 'ofc1', changes: { roles: ['officer', 'custodian'] }, rolesAdded: ['custodian'] })).toBe('gave ofc1 the role(s) custodian');
    // A record written before rolesAdded existed: its new role list stands in.
    expect(change('admin2', { op: 'update', user: 'ofc1', changes: { roles: ['officer', 'administrator'] } })).toBe('gave ofc1 the role(s) administrator');
    expect(change('admin2', { op: 'password', user: 'det1' })).toBe('set the password of det1');
  });

  it('leaves out ordinary administration and a member\'s own password', () => {
    expect(change('admin2', { op: 'add', user: 'ofc9', roles: ['officer', 'dispatcher'] })).toBeNull();
    expect(change('admin2', { op: 'update', user: 'ofc1', changes: { roles: ['officer', 'chief'] }, rolesAdded: [] })).toBeNull();
    expect(change('admin2', { op: 'update', user: 'ofc1', changes: { title: 'Sergeant' } })).toBeNull();
    expect(change('det1', { op: 'password', user: 'det1' })).toBeNull();
    expect(change('admin2', { op: 'train', user: 'ofc1' })).toBeNull();
    expect(change('admin2', { op: 'disable', user: 'ofc1' })).toBeNull();
    expect(privilegedAccountChange({ user_id: 'x', params: 'not json' })).toBeNull();
    expect(change('admin2', { op: 'add', user: 'x', roles: 'chief' })).toBeNull();
  });
});
