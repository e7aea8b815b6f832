// Releases of ALPR data to other agencies over HTTP (Watsonville §471.8): record a written request,
// list and read them (approved and refused requests stay on file), the Chief's decision, and the
// package of an approved release — produced under the server's own directory and offered for
// download by file name only. Each route needs its permission (storage/permissions.ts); storage
// checks again, applies the Values Act and Civil Code § 1798.90.55 rules, and access-logs every step.
import {
  decideRelease, listReleases, produceReleasePackage, readPackageFile, recordReleaseRequest, ReleaseError,
  RELEASE_STATUSES, viewRelease, viewReleasePackage, type PackageContext, type ReleaseErrorCode, type ReleaseStatus,
} from '../storage/index.js';
import type { ApiGuard } from './api-guard.js';
import { objectBody } from './request-fields.js';
import { storageRefusalAsHttp } from './storage-errors.js';
import { HttpError, type JsonReply, type JsonRequest, type JsonRoute } from './http-json.js';

export interface ReleaseRouteDeps {
  guard: ApiGuard;
  /** Storage, access log, release policy and the packages directory (dataDir/releases). */
  releases: PackageContext;
  /** Path prefix. @default '/api' */
  prefix?: string;
}

const STATUS_OF: Readonly<Record<ReleaseErrorCode, number>> = {
  INVALID_RELEASE: 400,
  UNKNOWN_RELEASE: 404,
  UNKNOWN_FILE: 404,
  RELEASE_NOT_PENDING: 409,
  SELF_DECISION: 403,
  RELEASE_NOT_APPROVED: 409,
  // Its package was produced already, once and for all: the request is not in a state for another.
  ALREADY_RELEASED: 409,
  RELEASE_REFUSED: 403,
  // A request for a case's held detections, and none are held under it yet: it stays approved.
  NOTHING_HELD: 409,
  // The package could not be written (disk, storage): nothing was kept, so the same export can be tried again.
  RELEASE_FAILED: 503,
};

/** Storage's answer as HTTP: release errors by code, other storage refusals as everywhere (gateway/storage-errors.ts); anything else is a 500. */
export function releaseHttpError(error: unknown): unknown {
  if (error instanceof ReleaseError) return new HttpError(STATUS_OF[error.code], error.code, error.message, { cause: error });
  return storageRefusalAsHttp(error);
}

function requestIdParam(raw: string | undefined): string {
  return raw ?? '';
}

function decisionFields(body: unknown): { decision: 'approve' | 'refuse'; note: string } {
  const b = objectBody(body, ['decision', 'note'], 'INVALID_RELEASE');
  const decision = b['decision'];
  const note = b['note'] ?? '';
  if (decision !== 'approve' && decision !== 'refuse') throw new HttpError(400, 'INVALID_RELEASE', 'decision must be "approve" or "refuse"');
  if (typeof note !== 'string') throw new HttpError(400, 'INVALID_RELEASE', 'note must be text');
  return { decision, note };
}

export function releaseRoutes(deps: ReleaseRouteDeps): JsonRoute[] {
  const { guard, releases: ctx } = deps;
  const prefix = deps.prefix ?? '/api';
  const guarded = (handler: (request: JsonRequest) => Promise<JsonReply>) => async (request: JsonRequest): Promise<JsonReply> => {
    try {
      return await handler(request);
    } catch (error) {
      throw releaseHttpError(error);
    }
  };

  const record = guarded(async (request) => {
    const session = await guard.require(request, 'releases.request');
    // Parsed by storage, which access-logs a body that is not a request (§471.7(b)) before refusing it.
    return { status: 201, body: await recordReleaseRequest(ctx, session.user, { body: request.body }) };
  });

  const list = guarded(async (request) => {
    const session = await guard.require(request, 'releases.view');
    const status = request.queryParams.get('status');
    if (status !== undefined && !(RELEASE_STATUSES as readonly string[]).includes(status)) {
      throw new HttpError(400, 'INVALID_RELEASE', `status must be one of ${RELEASE_STATUSES.join(', ')}`);
    }
    const found = await listReleases(ctx, session.user, status === undefined ? {} : { status: status as ReleaseStatus });
    return { status: 200, body: { releases: found } };
  });

  const view = guarded(async (request) => {
    const session = await guard.require(request, 'releases.view');
    return { status: 200, body: await viewRelease(ctx, session.user, requestIdParam(request.params[0])) };
  });

  const decide = guarded(async (request) => {
    const session = await guard.require(request, 'releases.decide');
    const { decision, note } = decisionFields(request.body);
    return { status: 200, body: await decideRelease(ctx, session.user, requestIdParam(request.params[0]), decision, note) };
  });

  const produce = guarded(async (request) => {
    const session = await guard.require(request, 'evidence.export');
    return { status: 201, body: await produceReleasePackage(ctx, session.user, requestIdParam(request.params[0])) };
  });

  const manifest = guarded(async (request) => {
    const session = await guard.require(request, 'releases.view');
    const { request: release, manifest: found } = await viewReleasePackage(ctx, session.user, requestIdParam(request.params[0]));
    if (found === null) throw new HttpError(404, 'NO_PACKAGE', `release request ${release.requestId} has no package (it is ${release.status})`);
    return { status: 200, body: found };
  });

  const file = guarded(async (request) => {
    const session = await guard.require(request, 'evidence.export');
    const f = await readPackageFile(ctx, session.user, requestIdParam(request.params[0]), request.params[1] ?? '');
    // Downloaded under the name SHA256SUMS gives it, so `sha256sum -c SHA256SUMS` checks the files as
    // saved (as evidence packages are: gateway/evidence-routes.ts).
    return { status: 200, text: { contentType: f.contentType, body: f.body, filename: f.name } };
  });

  return [
    { method: 'post', pattern: `${prefix}/releases`, handler: record },
    { method: 'get', pattern: `${prefix}/releases`, handler: list, query: { names: ['status'], code: 'INVALID_RELEASE' } },
    { method: 'get', pattern: `${prefix}/releases/:id`, handler: view, query: { names: [], code: 'INVALID_RELEASE' } },
    { method: 'post', pattern: `${prefix}/releases/:id/decision`, handler: decide },
    { method: 'post', pattern: `${prefix}/releases/:id/package`, handler: produce },
    { method: 'get', pattern: `${prefix}/releases/:id/package`, handler: manifest },
    { method: 'get', pattern: `${prefix}/releases/:id/package/:file`, handler: file },
  ];
}
