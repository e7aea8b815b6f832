import { describe, expect, it } from 'vitest';
import { DEFAULT_IDLE_LOCK, idleLockMinutes, idleLockPolicy } from '../../gateway/idle-lock.js';

describe('idle lock minutes', () => {
  it('locks every role but the exempt ones, after the configured minutes', () => {
    expect(idleLockMinutes(DEFAULT_IDLE_LOCK, ['analyst'])).toBe(30);
    expect(idleLockMinutes(DEFAULT_IDLE_LOCK, ['custodian', 'chief'])).toBe(30);
    expect(idleLockMinutes(DEFAULT_IDLE_LOCK, ['dispatcher'])).toBeNull();
    expect(idleLockMinutes(DEFAULT_IDLE_LOCK, ['officer'])).toBeNull();
    // Field supervisors receive the escalations of hits nobody answered.
    expect(idleLockMinutes(DEFAULT_IDLE_LOCK, ['supervisor'])).toBeNull();
    expect(idleLockMinutes(DEFAULT_IDLE_LOCK, ['administrator'])).toBe(30);
  });

  it('spares a user with any exempt role: one console serves all their roles, and a locked one hides live hits', () => {
    expect(idleLockMinutes(DEFAULT_IDLE_LOCK, ['analyst', 'dispatcher'])).toBeNull();
  });

  it('never locks with 0 minutes, and takes the configured settings over the defaults', () => {
    expect(idleLockMinutes({ minutes: 0, exemptRoles: [] }, ['analyst'])).toBeNull();
    const policy = idleLockPolicy({ idleLockMinutes: 15, idleLockExemptRoles: [] });
    expect(idleLockMinutes(policy, ['officer'])).toBe(15);
    expect(idleLockPolicy()).toEqual(DEFAULT_IDLE_LOCK);
    expect(idleLockPolicy({ idleLockMinutes: 10 })).toEqual({ minutes: 10, exemptRoles: DEFAULT_IDLE_LOCK.exemptRoles });
  });
});
