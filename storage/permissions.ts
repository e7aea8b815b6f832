// Who may do what: every action on ALPR data or on the system names the roles allowed to take
// it, and every other role is refused. The rules come from the policies' division of duties:
// only trained members use the system (Watsonville §471.5(d), §471.4.1(a)); the ALPR Administrator
// designates hot lists and approves specific-list entries, a supervisor approves updates
// (§471.5(f)(4)(5)); the Chief or a designee approves releases (§471.8(b)); the Professional
// Standards Division audits (§471.9); the Custodian of Records keeps and exports evidence (§471.6).
// The gateway and the CLI both check here, and log each refusal to the access log (§471.7(b)).
import { ACCESS_ACTIONS, ACCESS_OUTCOMES, type AccessAction, type AccessLog } from './access-log.js';
import { StorageError } from './errors.js';
import type { Storage } from './open.js';
import { DEFAULT_TIME_ZONE, timeZoneOf } from './department-day.js';
import { accessProblem, findUser, type User, type UserRole } from './users.js';

const PATROL = ['officer', 'dispatcher', 'supervisor', 'administrator'] as const satisfies readonly UserRole[];

export const PERMISSIONS = {
  /**
   * Live hits on a console, hit details (§471.5(f)). Analysts too: the analyst who entered a
   * vehicle is the one updated when it hits (§471.5(f)(3)); they do not record dispositions.
   */
  'hits.view': { roles: [...PATROL, 'analyst'], log: ACCESS_ACTIONS.hitView },
  /** Record what became of a hit (§471.5(f)(3)). */
  'hits.dispose': { roles: PATROL, log: ACCESS_ACTIONS.disposition },
  /** Hits left unacknowledged past the escalation time. */
  'hits.escalated': { roles: ['supervisor', 'administrator'], log: ACCESS_ACTIONS.hitView },
  /** Detection browsing: sworn officers and analysts (§471.4.1(a)), for a stated purpose (§471.7(e)). */
  'detections.search': { roles: ['officer', 'analyst', 'supervisor', 'administrator'], log: ACCESS_ACTIONS.search },
  /** Legal holds and evidence packages (§471.6). */
  'evidence.hold': { roles: ['analyst', 'supervisor', 'custodian', 'administrator'], log: ACCESS_ACTIONS.hold },
  'evidence.export': { roles: ['custodian', 'administrator'], log: ACCESS_ACTIONS.export },
  /** See hot lists, their age and size. */
  'hotlists.view': { roles: ['officer', 'dispatcher', 'analyst', 'supervisor', 'administrator'], log: ACCESS_ACTIONS.hotlist },
  /** Create lists and bulk-load general lists (§471.5(f)(4): designated by the Administrator). */
  'hotlists.manage': { roles: ['administrator'], log: ACCESS_ACTIONS.hotlist },
  /** Propose an entry or an update to a specific list (§471.5(f)(5)). */
  'hotlists.submit': { roles: ['officer', 'analyst', 'supervisor', 'administrator'], log: ACCESS_ACTIONS.hotlist },
  /** Approve a new entry of a specific list (§471.5(f)(5): the Administrator or designee). */
  'hotlists.approve_entry': { roles: ['administrator'], log: ACCESS_ACTIONS.hotlist },
  /** Approve an update to an approved entry (§471.5(f)(5): the member's supervisor). */
  'hotlists.approve_update': { roles: ['supervisor', 'administrator'], log: ACCESS_ACTIONS.hotlist },
  /** Accounts, roles and training (§471.4.1(b)). */
  'users.view': { roles: ['administrator', 'auditor'], log: ACCESS_ACTIONS.user },
  'users.manage': { roles: ['administrator'], log: ACCESS_ACTIONS.user },
  /** The access log, its verification, and audit samples (§471.9). */
  'audit.read': { roles: ['auditor'], log: ACCESS_ACTIONS.audit },
  /** Record an incoming release request (§471.8(a)). */
  'releases.request': { roles: ['custodian', 'administrator', 'chief'], log: ACCESS_ACTIONS.release },
  'releases.view': { roles: ['custodian', 'chief', 'auditor', 'administrator'], log: ACCESS_ACTIONS.release },
  /** Approve or refuse a release (§471.8(b): the Chief of Police or the designee). */
  'releases.decide': { roles: ['chief'], log: ACCESS_ACTIONS.release },
  /**
   * Why cameras' reads were refused (INVALID_READS): the administrator, who sets up cameras with
   * the department's integrators. The reasons quote what the camera sent, plates included.
   */
  'reads.refused': { roles: ['administrator'], log: ACCESS_ACTIONS.refusedReads },
  /** Aggregate transparency report: no plates. */
  'reports.transparency': { roles: ['administrator', 'auditor', 'custodian', 'chief'], log: ACCESS_ACTIONS.report },
} as const satisfies Record<string, { roles: readonly UserRole[]; log: AccessAction }>;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export function rolesAllowed(permission: Permission): readonly UserRole[] {
  return PERMISSIONS[permission].roles;
}

export function mayPerform(roles: readonly string[], permission: Permission): boolean {
  const allowed: readonly string[] = PERMISSIONS[permission].roles;
  return roles.some((role) => allowed.includes(role));
}

/** Why the user may not take the action now, or null when they may: account, training, then role. */
export function permissionProblem(user: User | undefined, userId: string, permission: Permission, now: Date | number = Date.now(), timeZone: string = DEFAULT_TIME_ZONE): string | null {
  const problem = accessProblem(user, userId, now, timeZone);
  if (problem !== null || user === undefined) return problem ?? 'not authorised';
  if (!mayPerform(user.roles, permission)) {
    return `"${permission}" needs one of the roles ${rolesAllowed(permission).join(', ')}; user "${userId}" has ${user.roles.join(', ') || 'none'}`;
  }
  return null;
}

export interface ActionContext {
  /** `config`, when there, gives the department's time zone for the user's training dates. */
  storage: Pick<Storage, 'client' | 'db'> & Partial<Pick<Storage, 'config'>>;
  accessLog: Pick<AccessLog, 'append'>;
}

/**
 * The user, when they may take the action; otherwise the refusal is written to the access log
 * (so the audit sees role and training violations) and NOT_PERMITTED is thrown.
 */
export async function authoriseAction(ctx: ActionContext, userId: string, permission: Permission, params: unknown = {}): Promise<User> {
  const user = await findUser(ctx.storage, userId);
  const problem = permissionProblem(user, userId, permission, Date.now(), timeZoneOf(ctx.storage));
  if (problem === null && user !== undefined) return user;
  await ctx.accessLog.append({
    user: userId, action: PERMISSIONS[permission].log, outcome: ACCESS_OUTCOMES.refused, params: { permission, ...asObject(params) },
    rowsReturned: 0, caseNumber: '', reason: '', detail: problem ?? 'not authorised',
  });
  throw new StorageError('NOT_PERMITTED', problem ?? 'not authorised');
}

function asObject(params: unknown): Record<string, unknown> {
  return typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : { params };
}
