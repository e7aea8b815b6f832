// Hits over HTTP, for consoles that come back after the replay and for supervisors. Unresolved
// hits stay visible until a disposition clears them (Watsonville §471.5(f)(3)); covert lists'
// hits only reach the users named for them (covert-lists.ts).
//   GET /api/hits/unresolved   hits.view        unresolved hits this gateway holds, oldest first
//   GET /api/hits/escalated    hits.escalated   hits left unresolved past the escalation time
import type { ApiGuard } from './api-guard.js';
import type { CovertLists } from './covert-lists.js';
import type { HitEscalator } from './escalation.js';
import type { HitFeed } from './hit-feed.js';
import type { JsonReply, JsonRequest, JsonRoute } from './http-json.js';
import { queryParams } from './request-fields.js';

export interface HitRouteDeps {
  guard: ApiGuard;
  feed: Pick<HitFeed, 'recentHits'>;
  escalator: Pick<HitEscalator, 'current'>;
  covert: CovertLists;
  /** Path prefix. @default '/api' */
  prefix?: string;
}

export function hitRoutes(deps: HitRouteDeps): JsonRoute[] {
  const { guard, feed, escalator, covert } = deps;
  const prefix = deps.prefix ?? '/api';

  const unresolved = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'hits.view');
    queryParams(request.query, [], 'BAD_REQUEST');
    const hidden = covert.hiddenFor(session.user);
    const escalated = new Set(escalator.current(hidden).map((n) => n.hitId));
    const hits: unknown[] = [];
    for (const h of feed.recentHits(Date.now())) {
      if (!h.fannedOut || hidden.has(h.message.hit.list)) continue;
      hits.push({ ...(JSON.parse(h.json) as object), escalated: escalated.has(h.message.hitId) });
    }
    return { status: 200, body: { hits } };
  };

  const escalatedHits = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'hits.escalated');
    queryParams(request.query, [], 'BAD_REQUEST');
    return { status: 200, body: { escalations: escalator.current(covert.hiddenFor(session.user)) } };
  };

  return [
    { method: 'get', pattern: `${prefix}/hits/unresolved`, handler: unresolved },
    { method: 'get', pattern: `${prefix}/hits/escalated`, handler: escalatedHits },
  ];
}
