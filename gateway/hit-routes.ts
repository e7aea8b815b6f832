// Hits over HTTP, for consoles that come back after the replay and for supervisors. Unresolved
// hits stay visible until a disposition clears them (Watsonville §471.5(f)(3)); covert lists'
// hits only reach the users named for them (covert-lists.ts).
//   GET /api/hits/unresolved   hits.view        unresolved hits this gateway holds, oldest first
//   GET /api/hits/escalated    hits.escalated   hits left unresolved past the escalation time
//       (both access-logged as hit views, as the console's live feed is)
//   GET /api/hits/:id?caseNumber=&reason=   hits.view   one stored hit with its dispositions;
//       a look-up of ALPR data, so it needs a purpose and is access-logged (§471.7(b)(e))
import { viewHit, type AccessLog, type Storage } from '../storage/index.js';
import type { ApiGuard } from './api-guard.js';
import type { CovertLists } from './covert-lists.js';
import type { HitEscalator } from './escalation.js';
import type { HitFeed } from './hit-feed.js';
import { HttpError, type JsonReply, type JsonRequest, type JsonRoute } from './http-json.js';
import { pathParam } from './request-fields.js';
import { storageRefusalAsHttp } from './storage-errors.js';

export interface HitRouteDeps {
  guard: ApiGuard;
  feed: Pick<HitFeed, 'recentHits'>;
  escalator: Pick<HitEscalator, 'current'>;
  covert: CovertLists;
  /** Where stored hits are looked up and hit views logged; absent (tests of routing only): no hit detail route, nothing logged. */
  storage?: { storage: Pick<Storage, 'client' | 'db'>; accessLog: AccessLog };
  /** Path prefix. @default '/api' */
  prefix?: string;
}

export function hitRoutes(deps: HitRouteDeps): JsonRoute[] {
  const { guard, feed, escalator, covert } = deps;
  const prefix = deps.prefix ?? '/api';

  const unresolved = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'hits.view');
    const hidden = covert.hiddenFor(session.user);
    const escalated = new Set(escalator.current(hidden).map((n) => n.hitId));
    const hits: unknown[] = [];
    for (const h of feed.recentHits(Date.now())) {
      if (!h.fannedOut || hidden.has(h.message.hit.list)) continue;
      hits.push({ ...(JSON.parse(h.json) as object), escalated: escalated.has(h.message.hitId) });
    }
    await logListed(session.user, 'unresolved', hits.length);
    return { status: 200, body: { hits } };
  };

  const escalatedHits = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'hits.escalated');
    const escalations = escalator.current(covert.hiddenFor(session.user));
    await logListed(session.user, 'escalated', escalations.length);
    return { status: 200, body: { escalations } };
  };

  // Watsonville §471.7(b): a list of hits is ALPR data, so it goes on the record like the console's
  // live feed, before it is sent (a record that cannot be written sends nothing).
  const logListed = async (user: string, list: 'unresolved' | 'escalated', rows: number): Promise<void> => {
    await deps.storage?.accessLog.append({
      user, action: 'hit_view', outcome: 'ok', params: { via: 'api', list }, rowsReturned: rows,
      caseNumber: '', reason: list === 'unresolved' ? 'unresolved hits (dispatch console)' : 'escalated hits (supervisor)', detail: '',
    });
  };

  const detail = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'hits.view');
    const hitId = pathParam(request.params[0], 'hit id');
    const q = request.queryParams;
    const purpose = { caseNumber: q.get('caseNumber') ?? '', reason: q.get('reason') ?? '' };
    const hidden = covert.hiddenFor(session.user);
    let view;
    try {
      // The covert lists go into the look-up itself, which puts a covert hit on the access log as a
      // refusal (COVERT_LIST) and answers it as not found.
      view = await viewHit(deps.storage as NonNullable<HitRouteDeps['storage']>, { user: session.user, purpose, hitId, hiddenLists: hidden });
    } catch (error) {
      throw storageRefusalAsHttp(error);
    }
    // A covert list's hit is "not found" to everyone not named for it: no hint that it exists.
    if (view === undefined || hidden.has(view.hit.list)) throw new HttpError(404, 'UNKNOWN_HIT', `no hit ${JSON.stringify(hitId)} is known`);
    return {
      status: 200,
      body: {
        hit: { ...view.hit, seenAt: view.hit.seenAt.toISOString() },
        dispositions: view.dispositions.map((d) => ({ ...d, recordedAt: d.recordedAt.toISOString() })),
      },
    };
  };

  const routes: JsonRoute[] = [
    { method: 'get', pattern: `${prefix}/hits/unresolved`, handler: unresolved },
    { method: 'get', pattern: `${prefix}/hits/escalated`, handler: escalatedHits },
  ];
  if (deps.storage !== undefined) routes.push({ method: 'get', pattern: `${prefix}/hits/:hitId`, handler: detail, query: { names: ['caseNumber', 'reason'] } });
  return routes;
}
