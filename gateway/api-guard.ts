// The door of every API route: a valid session (401 otherwise), then the role the action needs
// (403 otherwise, and the refusal goes to the access log so the audit sees it: Watsonville
// §471.7(b)). Sessions only exist for active, trained users (storage/credentials.ts checks at
// every verification), so a route behind the guard never serves an untrained user (§471.5(d)).
import { mayPerform, rolesAllowed, type Permission } from '../storage/index.js';
import { bearerToken, type Authenticator, type SessionUser } from './auth-routes.js';
import { HttpError, type JsonRequest } from './http-json.js';

/** Where refusals are recorded (bin/ writes them to the access log). */
export interface RefusalLog {
  refused(user: string, permission: Permission, detail: string, params: unknown): Promise<void>;
}

export class ApiGuard {
  constructor(
    readonly sessions: Pick<Authenticator, 'verify'>,
    readonly refusals: RefusalLog,
  ) {}

  /** The signed-in user, or 401. */
  async session(request: Pick<JsonRequest, 'headers'>): Promise<SessionUser> {
    const token = bearerToken(request);
    const session = token === null ? null : await this.sessions.verify(token);
    if (session === null) throw new HttpError(401, 'BAD_SESSION', 'no valid session: log in and send "Authorization: Bearer <token>"');
    return session;
  }

  /** The signed-in user when their roles allow `permission`; otherwise the refusal is logged and 403. */
  async require(request: Pick<JsonRequest, 'headers' | 'method' | 'url'>, permission: Permission): Promise<SessionUser> {
    return this.authorise(await this.session(request), permission, request);
  }

  /** `session` when its roles allow `permission`; otherwise the refusal is logged and 403. */
  async authorise(session: SessionUser, permission: Permission, request: Pick<JsonRequest, 'method' | 'url'>): Promise<SessionUser> {
    if (mayPerform(session.roles, permission)) return session;
    const detail = `"${permission}" needs one of the roles ${rolesAllowed(permission).join(', ')}`;
    await this.refusals.refused(session.user, permission, detail, { method: request.method, url: request.url });
    throw new HttpError(403, 'ROLE_REQUIRED', detail);
  }
}
