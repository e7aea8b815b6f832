// Release of ALPR data to other agencies (Watsonville §471.8, Martinez §439.7): a written request
// naming the agency, the requester, the purpose and the data asked for (§471.8(a), checked by
// release-request.ts); the automatic refusals of release-rules.ts; approval or refusal by the
// Chief of Police or the designee (§471.8(b)); every version of every request kept on file,
// approved or refused (§471.8(d)). Each step is access-logged (§471.7(b)); the package of an
// approved release is release-package.ts. The Chief approves the detections the request matches
// when they decide, seen with the request while it is pending: the approval keeps each one's
// identity, and the package holds those and no others (§471.8(b); found by QA: a vehicle held
// under the case after approval was released unapproved).
import { randomUUID } from 'node:crypto';
import { ACCESS_ACTIONS, ACCESS_OUTCOMES } from './access-log.js';
import { authoriseAction } from './permissions.js';
import { automaticRefusal, classifyAgency, REFUSAL_RULES, type AgencyKind, type RefusalRule } from './release-rules.js';
import { queryRows } from './sql.js';
import { OLDEST_FIRST } from './detection.js';
import { timeZoneOf } from './department-day.js';
import { undocumentedPurpose } from './purpose.js';
import { oneAtATimePerKey, type OneAtATime } from './one-at-a-time.js';
import { CLAIM_KINDS, underClaim } from './version-claims.js';
import {
  criteriaSelection, isReleaseId, MAX_NAME, MAX_RELEASE_ROWS, MAX_SHOWN_PLATES, MAX_TEXT, parseReleaseRequest, purposeRefusal, ReleaseError,
  type ReleaseContext, type ReleaseCriteria, type ReleaseManifest, type ReleaseMatches, type ReleaseRequest, type ReleaseRequestInput, type ReleaseStatus,
} from './release-request.js';

export {
  isReleaseId, parseReleaseRequest, RELEASE_ERROR_CODES, RELEASE_STATUSES, ReleaseError,
  type ReleaseContext, type ReleaseCriteria, type ReleaseErrorCode, type ReleaseManifest, type ReleaseManifestFile, type ReleaseMatches, type ReleaseRequest,
  type ReleaseRequestInput, type ReleaseStatus,
} from './release-request.js';

interface Row {
  request_id: string; version: number | string; received_text: string; agency: string; agency_kind: string; agency_state: string;
  requester: string; purpose: string; criteria: string; recorded_by: string; status: string; decided_by: string;
  decided_text: string | null; decision_note: string; refusal_rule: string; approved_count: number | string | null; document_ref: string;
  package_manifest: string;
}

const COLUMNS = `request_id, version, toString(received_at) AS received_text, agency, agency_kind, agency_state, requester, purpose, criteria,
  recorded_by, status, decided_by, toString(decided_at) AS decided_text, decision_note, refusal_rule, approved_count, document_ref, package_manifest`;

const isoOf = (chTime: string): string => `${chTime.replace(' ', 'T')}Z`;

function fromRow(r: Row): ReleaseRequest {
  return {
    requestId: r.request_id, version: Number(r.version), receivedAt: isoOf(r.received_text), agency: r.agency,
    agencyKind: r.agency_kind as AgencyKind, agencyState: r.agency_state, requester: r.requester, purpose: r.purpose,
    criteria: JSON.parse(r.criteria) as ReleaseCriteria, recordedBy: r.recorded_by, status: r.status as ReleaseStatus,
    decidedBy: r.decided_by, decidedAt: r.decided_text === null ? null : isoOf(r.decided_text), decisionNote: r.decision_note,
    refusalRule: r.refusal_rule as RefusalRule | '', documentRef: r.document_ref,
    approvedDetections: r.approved_count === null ? null : Number(r.approved_count),
    package: r.package_manifest === '' ? null : (JSON.parse(r.package_manifest) as ReleaseManifest),
  };
}

/**
 * A detection by the key it is stored once by (storage/schema.ts: the detections' sort key), as
 * the approving version keeps it (seen_at as ClickHouse writes it). A read id alone is not a
 * detection (storage/detection.ts ONE_ROW_A_READ).
 */
interface DetectionKey { plate_ocr: string; seen_at: string; read_id: string }

/**
 * Writes version `r.version` of a request, first claiming it across processes unless the caller
 * already holds the claim (a package export claims before it writes any file). `approved` is the
 * approving version's detections (migration 13); every other version keeps none, only the count.
 */
async function insertVersion(ctx: ReleaseContext, r: ReleaseRequest, claimed = false, approved: DetectionKey[] = []): Promise<void> {
  if (claimed || r.version === 1) return writeVersion(ctx.storage, r, approved);
  await underClaim(ctx.claims, CLAIM_KINDS.release, r.requestId, r.version, () => concurrentChange(r.requestId), () => writeVersion(ctx.storage, r, approved));
}

export function concurrentChange(requestId: string): never {
  throw new ReleaseError('RELEASE_NOT_PENDING', `release request ${requestId} was changed on another gateway at the same moment; reload it to see how it stands`);
}

async function writeVersion(storage: ReleaseContext['storage'], r: ReleaseRequest, approved: DetectionKey[]): Promise<void> {
  await storage.client.insert({
    table: `${storage.db}.release_requests`,
    format: 'JSONEachRow',
    values: [{
      request_id: r.requestId, version: r.version, received_at: Date.parse(r.receivedAt), agency: r.agency, agency_kind: r.agencyKind,
      agency_state: r.agencyState, requester: r.requester, purpose: r.purpose, criteria: JSON.stringify(r.criteria), recorded_by: r.recordedBy,
      status: r.status, decided_by: r.decidedBy, decided_at: r.decidedAt === null ? null : Date.parse(r.decidedAt), decision_note: r.decisionNote,
      refusal_rule: r.refusalRule, approved_count: r.approvedDetections, approved_detections: approved,
      document_ref: r.documentRef, package_manifest: r.package === null ? '' : JSON.stringify(r.package),
    }],
  });
}

/** The request as it stands (newest version), without an access check: callers check. */
async function currentVersion(storage: ReleaseContext['storage'], requestId: string): Promise<ReleaseRequest | undefined> {
  if (!isReleaseId(requestId)) return undefined;
  const rows = await queryRows<Row>(storage.client,
    `SELECT ${COLUMNS} FROM ${storage.db}.release_requests WHERE request_id = {id:String} ORDER BY version DESC LIMIT 1`, { id: requestId });
  return rows[0] === undefined ? undefined : fromRow(rows[0]);
}

/** A request as a client sent it (HTTP body, CLI options), for recordReleaseRequest to parse. */
export interface UnparsedReleaseRequest {
  body: unknown;
}

const fieldsOf = (value: unknown): Record<string, unknown> =>
  (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
const textOf = (value: unknown, max: number): string => (typeof value === 'string' ? value.trim().slice(0, max) : '');

/**
 * A request not recorded because it is not one (INVALID_RELEASE) on the access log all the same:
 * every request is kept on file (§471.8(d)) and every step logged (§471.7(b)). Its purpose refused
 * (vague, personal) is `refused`, as a search's is (storage/search.ts); any other problem `invalid`.
 */
async function logUnrecordedRequest(ctx: ReleaseContext, user: string, body: unknown, error: ReleaseError): Promise<void> {
  const b = fieldsOf(body);
  const purpose = textOf(b['purpose'], MAX_TEXT);
  const refused = typeof b['purpose'] === 'string' && purpose !== '' && purposeRefusal(purpose) !== null;
  await ctx.accessLog.append({
    user, action: ACCESS_ACTIONS.release, outcome: refused ? ACCESS_OUTCOMES.refused : ACCESS_OUTCOMES.invalid,
    params: { agency: textOf(b['agency'], MAX_NAME), agencyKind: textOf(b['agencyKind'], MAX_NAME), requester: textOf(b['requester'], MAX_NAME), status: 'not recorded' },
    rowsReturned: 0, caseNumber: textOf(fieldsOf(b['criteria'])['caseNumber'], MAX_NAME), reason: purpose,
    detail: `release request not recorded: ${error.message.slice(0, MAX_TEXT)}`,
  });
}

async function logRelease(ctx: ReleaseContext, user: string, r: ReleaseRequest, outcome: 'ok' | 'refused' | 'invalid', detail: string): Promise<void> {
  await ctx.accessLog.append({
    user, action: ACCESS_ACTIONS.release, outcome: ACCESS_OUTCOMES[outcome],
    params: { requestId: r.requestId, agency: r.agency, agencyKind: r.agencyKind, status: r.status },
    rowsReturned: 0, caseNumber: r.criteria.kind === 'case' ? r.criteria.caseNumber : '', reason: r.purpose, detail,
  });
}

/**
 * Records a written request (§471.8(a)). A request the rules refuse is recorded as refused, with the
 * rule and the reason, and the refusal is access-logged; any other waits for the Chief (§471.8(b)).
 * Given `{ body }` as a client sent it, parses it here (parseReleaseRequest) once the member's role
 * is checked: one that is not a request (a vague purpose, a missing field) is access-logged before
 * INVALID_RELEASE is thrown, though nothing is recorded.
 */
export async function recordReleaseRequest(
  ctx: ReleaseContext, user: string, submitted: ReleaseRequestInput | UnparsedReleaseRequest, now = Date.now(),
): Promise<ReleaseRequest> {
  const unparsed = 'body' in submitted ? submitted.body : undefined;
  await authoriseAction(ctx, user, 'releases.request', { agency: 'body' in submitted ? textOf(fieldsOf(unparsed)['agency'], MAX_NAME) : submitted.agency });
  let input: ReleaseRequestInput;
  try {
    input = 'body' in submitted ? parseReleaseRequest(unparsed, timeZoneOf(ctx.storage)) : submitted;
    const home = ctx.policy.homeState.toUpperCase();
    if (input.agencyKind === 'out_of_state' && input.agencyState === home) {
      throw new ReleaseError('INVALID_RELEASE', `agencyKind out_of_state contradicts agencyState ${home}, this department's own state: give the agency's state, or its kind (local, state, prosecutor)`);
    }
  } catch (error) {
    if (error instanceof ReleaseError) await logUnrecordedRequest(ctx, user, unparsed, error);
    throw error;
  }
  const agency = classifyAgency({ agency: input.agency, kind: input.agencyKind, requester: input.requester, ...(input.agencyState ? { state: input.agencyState } : {}) }, ctx.policy);
  const refusal = automaticRefusal({ agency, agencyName: input.agency, purpose: input.purpose }, ctx.policy);
  const at = new Date(now).toISOString();
  const request: ReleaseRequest = {
    requestId: `REL-${randomUUID()}`, version: 1, receivedAt: at, agency: input.agency, agencyKind: agency.kind, agencyState: agency.state,
    requester: input.requester, purpose: input.purpose, criteria: input.criteria, recordedBy: user,
    status: refusal === null ? 'pending' : 'refused', decidedBy: refusal === null ? '' : 'system', decidedAt: refusal === null ? null : at,
    decisionNote: refusal?.reason ?? '', refusalRule: refusal?.rule ?? '', documentRef: input.documentRef ?? '', approvedDetections: null, package: null,
  };
  await insertVersion(ctx, request);
  await logRelease(ctx, user, request, refusal === null ? 'ok' : 'refused',
    refusal === null ? 'release request recorded; awaiting the Chief (§471.8(b))' : `release refused automatically (${refusal.rule}): ${refusal.reason}`);
  return request;
}

export type ReleaseDecision = 'approve' | 'refuse';

/**
 * The Chief of Police or the designee decides a pending request (§471.8(b)); a refusal needs the
 * reason. The member who recorded the request may refuse (withdraw) it, but not approve it
 * (SELF_DECISION). The rules are checked again (the configuration may have changed since): a
 * request they refuse is recorded refused and RELEASE_REFUSED is thrown, whatever the decision was.
 */
export async function decideRelease(
  ctx: ReleaseContext, user: string, requestId: string, decision: ReleaseDecision, note: string, now = Date.now(),
): Promise<ReleaseRequest> {
  await authoriseAction(ctx, user, 'releases.decide', { requestId, decision });
  return oneAtATime(requestId, () => decide(ctx, user, requestId, decision, note, now));
}

/**
 * Changes to one request run one at a time in this process, so two decisions (or a decision and
 * an export) never both see it pending. Across gateways sharing a server, each version is claimed
 * first (`ctx.claims`), and the later of two changes is refused.
 */
export const oneAtATime: OneAtATime = oneAtATimePerKey();

async function decide(ctx: ReleaseContext, user: string, requestId: string, decision: ReleaseDecision, note: string, now: number): Promise<ReleaseRequest> {
  const current = await currentVersion(ctx.storage, requestId);
  if (current === undefined) throw new ReleaseError('UNKNOWN_RELEASE', `no release request ${JSON.stringify(requestId)}`);
  if (current.status !== 'pending') {
    throw new ReleaseError('RELEASE_NOT_PENDING', `release request ${requestId} was already decided: ${current.status}${current.decisionNote ? ` (${current.decisionNote})` : ''}`);
  }
  // No data released on one person's word, as for hot list entries (SELF_APPROVAL): the one who
  // wrote the request down does not also approve it. They may refuse it: that releases nothing, and
  // a Chief alone in the department could otherwise never close (withdraw) a request they recorded.
  // §471.8(b) asks for the Chief's or the designee's review, not for two persons.
  const isOwnRequest = current.recordedBy === user;
  if (isOwnRequest && decision === 'approve') {
    const why = `${user} recorded release request ${requestId}, so may not approve it: another Chief or a designee (an account holding the chief role) approves it; `
      + `or refuse it yourself to withdraw it (§471.8(b): no data is released on one person's word)`;
    await logRelease(ctx, user, current, 'refused', why);
    throw new ReleaseError('SELF_DECISION', why);
  }
  const trimmed = note.trim();
  if (decision === 'refuse' && trimmed === '') throw new ReleaseError('INVALID_RELEASE', 'a refusal needs the reason in the note');
  if (trimmed.length > MAX_TEXT) throw new ReleaseError('INVALID_RELEASE', `the note must be at most ${MAX_TEXT} characters`);
  // A refusal's reason is kept on file (§471.8(d)) and read by the agency: a placeholder ("x", "n/a",
  // "test") says no more there than as a search's reason (storage/purpose.ts) or a release's purpose.
  if (decision === 'refuse' && undocumentedPurpose('', trimmed) !== null) {
    const why = `the note "${trimmed}" does not say why the request is refused: give the reason, such as "no case of ours matches the plate" (Watsonville §471.8(b)(d))`;
    await logRelease(ctx, user, current, 'invalid', `decision not recorded: ${why}`);
    throw new ReleaseError('INVALID_RELEASE', why);
  }
  const at = new Date(now).toISOString();
  await refuseIfForbidden(ctx, user, current, now);
  const approved = decision === 'approve' ? await detectionsToApprove(ctx, user, current) : [];
  const next: ReleaseRequest = {
    ...current, version: current.version + 1, status: decision === 'approve' ? 'approved' : 'refused', decidedBy: user, decidedAt: at,
    decisionNote: trimmed, refusalRule: decision === 'approve' ? '' : REFUSAL_RULES.chief,
    approvedDetections: decision === 'approve' ? approved.length : null,
  };
  await insertVersion(ctx, next, false, approved);
  const refusedBy = isOwnRequest ? '(withdrawn) by the Chief or designee who recorded it' : 'by the Chief or designee';
  await logRelease(ctx, user, next, 'ok',
    decision === 'approve' ? `release approved (§471.8(b)): ${approved.length} detection(s), kept as approved` : `release refused ${refusedBy}: ${trimmed}`);
  return next;
}

/**
 * The detections a request matches now, as the package of one approved before migration 13
 * selected them at export; the approval keeps exactly these. More than MAX_RELEASE_ROWS, or a case
 * with nothing held, is not approved (the request stays pending): the Chief would otherwise approve
 * a package that cannot be produced, or one of nothing that a later hold could never join.
 */
async function detectionsToApprove(ctx: ReleaseContext, user: string, request: ReleaseRequest): Promise<DetectionKey[]> {
  const s = criteriaSelection(ctx.storage.db, request.criteria, ctx.alphabet);
  const rows = await queryRows<{ plate_ocr: string; seen_text: string; read_id: string }>(ctx.storage.client,
    `SELECT plate_ocr, toString(seen_at) AS seen_text, read_id FROM ${s.from} WHERE ${s.where} ${OLDEST_FIRST} ${s.oneRowARead} LIMIT {limit:UInt32}`,
    { ...s.params, limit: MAX_RELEASE_ROWS + 1 });
  if (rows.length > MAX_RELEASE_ROWS) {
    const why = `the request selects more than ${MAX_RELEASE_ROWS} detections; ask the agency to narrow it (the request stays pending)`;
    await logRelease(ctx, user, request, 'invalid', `decision not recorded: ${why}`);
    throw new ReleaseError('INVALID_RELEASE', why);
  }
  if (request.criteria.kind === 'case' && rows.length === 0) {
    const why = `no detections are held under case ${request.criteria.caseNumber}; place a legal hold (Evidence) first, then approve the release: `
      + 'an approval is of the detections held when it is given (the request stays pending)';
    await logRelease(ctx, user, request, 'invalid', `decision not recorded: ${why}`);
    throw new ReleaseError('NOTHING_HELD', why);
  }
  return rows.map((r) => ({ plate_ocr: r.plate_ocr, seen_at: r.seen_text, read_id: r.read_id }));
}

/**
 * What a request matches now: the detections and their distinct plates (the first MAX_SHOWN_PLATES
 * listed), counted up to MAX_RELEASE_ROWS + 1. The Chief sees them before approving (§471.8(b)).
 */
async function matchesNow(ctx: ReleaseContext, request: ReleaseRequest): Promise<ReleaseMatches> {
  const s = criteriaSelection(ctx.storage.db, request.criteria, ctx.alphabet);
  const [row] = await queryRows<{ detections: number | string; distinct_plates: number | string; plates: string[] }>(ctx.storage.client,
    `SELECT count() AS detections, uniqExact(plate) AS distinct_plates, arraySlice(arraySort(groupUniqArray(plate)), 1, {shown:UInt32}) AS plates
       FROM (SELECT plate, read_id, seen_at, plate_ocr FROM ${s.from} WHERE ${s.where} ${OLDEST_FIRST} ${s.oneRowARead} LIMIT {limit:UInt32})`,
    { ...s.params, limit: MAX_RELEASE_ROWS + 1, shown: MAX_SHOWN_PLATES });
  return { detections: Number(row?.detections ?? 0), plates: row?.plates ?? [], distinctPlates: Number(row?.distinct_plates ?? 0) };
}

/**
 * Applies the rules again to a request about to change (decision, export): the configuration may
 * have changed since it was recorded. A forbidden one is recorded refused, logged, and
 * RELEASE_REFUSED thrown.
 */
export async function refuseIfForbidden(ctx: ReleaseContext, user: string, current: ReleaseRequest, now = Date.now()): Promise<void> {
  const agency = classifyAgency({ agency: current.agency, kind: current.agencyKind, state: current.agencyState, requester: current.requester }, ctx.policy);
  const refusal = automaticRefusal({ agency, agencyName: current.agency, purpose: current.purpose }, ctx.policy);
  if (refusal === null) return;
  const refused: ReleaseRequest = {
    ...current, version: current.version + 1, status: 'refused', decidedBy: 'system', decidedAt: new Date(now).toISOString(),
    decisionNote: refusal.reason, refusalRule: refusal.rule,
  };
  await insertVersion(ctx, refused);
  await logRelease(ctx, user, refused, 'refused', `release refused automatically (${refusal.rule}): ${refusal.reason}`);
  throw new ReleaseError('RELEASE_REFUSED', refusal.reason);
}

/**
 * Why a released request gets no second package (ALREADY_RELEASED): a package is produced once, so
 * the one produced then is what goes to the agency. Says when, by whom and where it is.
 */
export function alreadyReleased(request: ReleaseRequest): ReleaseError {
  const made = request.package === null ? '' : ` on ${request.package.generatedAt} by ${request.package.generatedBy} (${request.package.detections} detection(s))`;
  return new ReleaseError('ALREADY_RELEASED',
    `release request ${request.requestId} was already released: its package was produced${made}. A package is produced once: give the agency that one ` +
    `(releases/${request.requestId} under the data directory of the system that produced it; its files: GET /api/releases/${request.requestId}/package)`);
}

/** Records the package of an approved release as the request's next version (status released). */
export async function markReleased(ctx: ReleaseContext, current: ReleaseRequest, manifest: ReleaseManifest, claimed = false): Promise<ReleaseRequest> {
  const next: ReleaseRequest = { ...current, version: current.version + 1, status: 'released', package: manifest };
  await insertVersion(ctx, next, claimed);
  return next;
}

/**
 * One request as it stands, with every earlier version (§471.8(d): kept on file); access-logged.
 * A pending one comes with what it matches now (`matchingNow`: detections and plates), for the
 * Chief to see what an approval would release; an approved one says how many were approved.
 */
export async function viewRelease(
  ctx: ReleaseContext, user: string, requestId: string,
): Promise<{ request: ReleaseRequest; history: ReleaseRequest[]; matchingNow?: ReleaseMatches }> {
  await authoriseAction(ctx, user, 'releases.view', { requestId });
  const rows = isReleaseId(requestId)
    ? await queryRows<Row>(ctx.storage.client,
      `SELECT ${COLUMNS} FROM ${ctx.storage.db}.release_requests WHERE request_id = {id:String} ORDER BY version`, { id: requestId })
    : [];
  const history = rows.map(fromRow);
  const request = history.at(-1);
  if (request === undefined) throw new ReleaseError('UNKNOWN_RELEASE', `no release request ${JSON.stringify(requestId)}`);
  if (request.status !== 'pending') {
    await logRelease(ctx, user, request, 'ok', 'viewed');
    return { request, history };
  }
  const matchingNow = await matchesNow(ctx, request);
  // The plates shown are ALPR data seen: on the record with the view (§471.7(b)).
  await logRelease(ctx, user, request, 'ok', `viewed; matching now: ${matchingNow.detections} detection(s) of ${matchingNow.distinctPlates} plate(s)`);
  return { request, history, matchingNow };
}

/**
 * The package of a released request: its request and manifest, the viewing access-logged; `manifest`
 * null while there is none (pending, approved, refused). Unlike viewRelease, a pending request's
 * matches are not counted: nothing of them is shown here, so nothing is searched or logged
 * (found by QA: the manifest route counted and logged them, then answered 404).
 */
export async function viewReleasePackage(
  ctx: ReleaseContext, user: string, requestId: string,
): Promise<{ request: ReleaseRequest; manifest: ReleaseManifest | null }> {
  await authoriseAction(ctx, user, 'releases.view', { requestId });
  const request = await currentVersion(ctx.storage, requestId);
  if (request === undefined) throw new ReleaseError('UNKNOWN_RELEASE', `no release request ${JSON.stringify(requestId)}`);
  if (request.package !== null) await logRelease(ctx, user, request, 'ok', 'package manifest viewed');
  return { request, manifest: request.package };
}

/** The request for a step that has already checked its own permission (packages). */
export async function findRelease(ctx: Pick<ReleaseContext, 'storage'>, requestId: string): Promise<ReleaseRequest | undefined> {
  return currentVersion(ctx.storage, requestId);
}

/** Every request as it stands, newest first; optionally one status. Access-logged. */
export async function listReleases(ctx: ReleaseContext, user: string, filter: { status?: ReleaseStatus } = {}): Promise<ReleaseRequest[]> {
  await authoriseAction(ctx, user, 'releases.view', filter);
  const rows = await queryRows<Row>(ctx.storage.client,
    `SELECT * FROM (SELECT ${COLUMNS} FROM ${ctx.storage.db}.release_requests ORDER BY request_id, version DESC LIMIT 1 BY request_id)
      ${filter.status === undefined ? '' : 'WHERE status = {status:String}'} ORDER BY received_text DESC, request_id`,
    filter.status === undefined ? {} : { status: filter.status });
  await ctx.accessLog.append({
    user, action: ACCESS_ACTIONS.release, outcome: ACCESS_OUTCOMES.ok, params: { list: filter }, rowsReturned: rows.length, caseNumber: '', reason: '', detail: 'listed',
  });
  return rows.map(fromRow);
}
