// How long a console may sit without anyone touching it before it locks: the page is hidden under a
// sign-in prompt and its session ended on the gateway (POST /api/logout), so a workstation left
// signed in on a search result or a release does not show plates to whoever walks past (CJIS
// Security Policy 5.5.5, session lock: at most 30 minutes). Signing in again as the same user brings
// the page back as it was.
//
// The console watches the keyboard and pointer and locks itself: the gateway cannot tell a person
// reading a page from a page left open, and a live hit feed is traffic without a person. The
// gateway only says, at sign-in and in GET /api/me, how many minutes apply to this user.
//
// Roles exempt by default are those whose consoles CJIS exempts and whose locked screen would hide
// something urgent: dispatch terminals in a secure dispatch centre, terminals in patrol cars
// (officers, and the field supervisors who receive the escalations of hits nobody answered). A
// user with any exempt role is exempt, since one console serves all of a user's roles.

export interface IdleLockPolicy {
  /** Minutes without keyboard or pointer input before a console locks; 0: never. */
  minutes: number;
  /** Users with any of these roles are never locked. */
  exemptRoles: readonly string[];
}

export const DEFAULT_IDLE_LOCK_MINUTES = 30;
export const DEFAULT_IDLE_LOCK_EXEMPT_ROLES: readonly string[] = ['dispatcher', 'officer', 'supervisor'];
export const DEFAULT_IDLE_LOCK: IdleLockPolicy = { minutes: DEFAULT_IDLE_LOCK_MINUTES, exemptRoles: DEFAULT_IDLE_LOCK_EXEMPT_ROLES };

/** The minutes after which this user's console locks, or null when it never does. */
export function idleLockMinutes(policy: IdleLockPolicy, roles: readonly string[]): number | null {
  if (policy.minutes <= 0) return null;
  if (roles.some((role) => policy.exemptRoles.includes(role))) return null;
  return policy.minutes;
}

/** The policy of the configured gateway settings, defaults where they say nothing. */
export function idleLockPolicy(settings?: { idleLockMinutes?: number; idleLockExemptRoles?: readonly string[] }): IdleLockPolicy {
  return { minutes: settings?.idleLockMinutes ?? DEFAULT_IDLE_LOCK_MINUTES, exemptRoles: settings?.idleLockExemptRoles ?? DEFAULT_IDLE_LOCK_EXEMPT_ROLES };
}
