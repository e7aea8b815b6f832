// Recording what became of a hit: POST /api/hits/:hitId/disposition. A hit alone is not grounds
// for action (Watsonville §471.5(f)(1)–(3)): acting on one needs the plate checked against the
// image and the status through CLETS, and the outcome is recorded per hit. A hit on a list that may
// be about a wanted person (any but the stolen vehicle and plate lists: matcher's `needsPersonCheck`)
// needs a third check, recorded on its own as `personVerified` (§471.5(f)(2)); the recorder applies
// it (`personCheckOf`) once it knows the hit's list, after the covert lists. Storage sits behind
// `DispositionRecorder` (bin/ implements it over storage/), so gateway/ does not depend on
// storage/. Once recorded, the hit leaves the replay and every console that may see the hit is
// told. A covert list's hit (covert-lists.ts) is, to a user not named for the list, a hit that does
// not exist: 404 UNKNOWN_HIT whatever became of it, refused on the access log as COVERT_LIST (README).
import type { ApiGuard } from './api-guard.js';
import type { CovertLists } from './covert-lists.js';
import { dispositionFrame, type DispositionNotice } from './console-protocol.js';
import type { FanOut } from './fan-out.js';
import type { HitFeed } from './hit-feed.js';
import { HttpError, type JsonReply, type JsonRequest, type JsonRoute } from './http-json.js';
import { natsUnavailableAsHttp } from './nats-errors.js';
import { objectBody } from './request-fields.js';
import { STALE_CLAIM_MS } from '../ingest/index.js';
import { needsPersonCheck, type MatcherConfig } from '../matcher/index.js';
import { ACCESS_ACTIONS, ACCESS_OUTCOMES, type AccessEntry } from '../storage/index.js';

/** Outcomes that mean the hit was acted on: every verification asked of the hit must have been made. */
export const ACTED_ON_DISPOSITIONS = ['confirmed', 'arrest', 'recovered'] as const;
/** Outcomes that set the hit aside; "other" needs the reason in the notes. */
export const SET_ASIDE_DISPOSITIONS = ['misread', 'not_located', 'no_action', 'other'] as const;
/** Every disposition; the same values as storage's DISPOSITIONS (bin/ checks this at compile time). */
export const HIT_DISPOSITIONS = [...ACTED_ON_DISPOSITIONS, ...SET_ASIDE_DISPOSITIONS] as const;
export type HitDispositionValue = (typeof HIT_DISPOSITIONS)[number];

const MAX_NOTES_LENGTH = 2000;
/**
 * Whitespace and invisible format characters (\p{Cf}: U+200B zero-width space, U+FEFF, U+2060…)
 * around the notes: notes of nothing else are no reason (found by QA: a zero-width space passed).
 */
const BLANK_EDGES = /^[\s\p{Cf}]+|[\s\p{Cf}]+$/gu;

export interface DispositionEntry {
  hitId: string;
  user: string;
  disposition: HitDispositionValue;
  visualVerified: boolean;
  cletsVerified: boolean;
  /**
   * A reasonable effort was made to confirm the wanted person is in the vehicle, or that another
   * basis for the stop exists (§471.5(f)(2)), as sent; undefined when not sent. Asked only of hits
   * on lists that may be about a person (`personCheckOf`).
   */
  personVerified?: boolean;
  notes: string;
  /** The hit's read time and list when the gateway still holds the hit; otherwise the recorder looks them up. */
  seenAt?: number;
  list?: string;
  /** Covert lists the user is not named for: a hit on one is refused (`covert_list`) before anything else is said of it. */
  hiddenLists?: ReadonlySet<string>;
  /** Replaces the hit's disposition so far (the reason is in `notes`); without it a resolved hit is refused. */
  correction?: boolean;
}

export type DispositionResult =
  /**
   * `corrected`: the hit had an answer before this one (a correction, which replaces it). `list`:
   * the hit's, so a hit only storage still holds is announced only where the hit may go.
   */
  | {
    ok: true; recordedAt: number; corrected?: boolean; list?: string;
    /** The wanted-person check as recorded (`personCheckOf`): null when the hit's list does not ask it; absent when the recorder does not say. */
    personVerified?: boolean | null;
  }
  | { ok: false; reason: 'unknown_hit' }
  /** An answer that acts on a hit of `list`, which asks the wanted-person check, without it made. */
  | { ok: false; reason: 'person_not_verified'; list: string }
  /** On one of the entry's `hiddenLists`; the recorder has put the refusal on the access log. */
  | { ok: false; reason: 'covert_list' }
  /** `resolved` is missing when another gateway's answer won the race and is not readable yet. */
  | { ok: false; reason: 'already_resolved'; resolved?: { user: string; disposition: string; recordedAt: number } };

export interface DispositionRecorder {
  /** Records the answer and its access log record; a hit on `entry.hiddenLists` is refused, on the record, before anything else. */
  record(entry: DispositionEntry): Promise<DispositionResult>;
}

export interface DispositionRouteDeps {
  guard: ApiGuard;
  recorder: DispositionRecorder;
  feed: Pick<HitFeed, 'find' | 'resolve'>;
  fanOut: Pick<FanOut, 'broadcast'>;
  /**
   * Covert lists (`hits.covertLists`): their hits do not exist for users not named for them.
   * Required, even when there are none (`new CovertLists()`): left out, it would leak them silently.
   */
  covert: CovertLists;
  /**
   * Where an answer the route refuses goes (its checks, a second answer): the recorder logs those
   * it stores itself. An attempt to mark a hit acted on without the §471.5(f) checks is one an
   * auditor looks for; none were on the log (verification QA).
   */
  accessLog: { append(entry: AccessEntry): Promise<unknown> };
  /** Tells the other gateways (LiveHits.announce); absent: a single gateway. */
  announce?: (notice: DispositionNotice) => void;
  /** Path prefix. @default '/api' */
  prefix?: string;
}

type DispositionFields = Pick<DispositionEntry, 'disposition' | 'visualVerified' | 'cletsVerified' | 'personVerified' | 'notes' | 'correction'>;

function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

/** The body's fields, or a 400 naming what is wrong. */
export function dispositionFields(body: unknown): DispositionFields {
  const b = objectBody(body, ['disposition', 'visualVerified', 'cletsVerified', 'personVerified', 'notes', 'correction'], 'BAD_DISPOSITION');
  const disposition = b['disposition'];
  const correction = b['correction'] ?? false;
  if (typeof correction !== 'boolean') throw new HttpError(400, 'BAD_DISPOSITION', 'correction must be true or false');
  const visualVerified = b['visualVerified'];
  const cletsVerified = b['cletsVerified'];
  const personVerified = b['personVerified'];
  const notes = b['notes'] ?? '';
  if (!isOneOf(HIT_DISPOSITIONS, disposition)) {
    throw new HttpError(400, 'BAD_DISPOSITION', `disposition must be one of ${HIT_DISPOSITIONS.join(', ')}`);
  }
  if (typeof visualVerified !== 'boolean' || typeof cletsVerified !== 'boolean') {
    throw new HttpError(400, 'BAD_DISPOSITION', 'send visualVerified and cletsVerified as true or false');
  }
  if (personVerified !== undefined && typeof personVerified !== 'boolean') {
    throw new HttpError(400, 'BAD_DISPOSITION', 'personVerified must be true or false (or left out on a stolen vehicle or plate list\'s hit)');
  }
  if (typeof notes !== 'string' || notes.length > MAX_NOTES_LENGTH) {
    throw new HttpError(400, 'BAD_DISPOSITION', `notes must be text of at most ${MAX_NOTES_LENGTH} characters`);
  }
  if (isOneOf(ACTED_ON_DISPOSITIONS, disposition) && !(visualVerified && cletsVerified)) {
    const missing = [visualVerified ? null : 'visualVerified (plate and vehicle checked against the image)', cletsVerified ? null : 'cletsVerified (status confirmed through CLETS)'];
    throw new HttpError(400, 'NOT_VERIFIED', `"${disposition}" means the hit was acted on, which needs both checks first (§471.5(f)(1)(2)); missing: ${missing.filter((m) => m !== null).join(' and ')}`);
  }
  const reason = notes.replace(BLANK_EDGES, '');
  if (disposition === 'other' && reason === '') {
    throw new HttpError(400, 'REASON_REQUIRED', '"other" needs the reason in notes');
  }
  if (correction && reason === '') {
    throw new HttpError(400, 'REASON_REQUIRED', 'a correction needs its reason in notes');
  }
  return { disposition, visualVerified, cletsVerified, ...(personVerified === undefined ? {} : { personVerified }), notes: reason, ...(correction ? { correction } : {}) };
}

/**
 * The wanted-person check (§471.5(f)(2)) of an answer to a hit on `list`, once the list is known
 * (a recorder calls this: the route may not hold the hit). A list that does not ask it (the stolen
 * vehicle and plate lists) records null, "not asked", whatever was sent, so API clients of those
 * lists send only the two checks. A list that asks it refuses an answer that acts on the hit
 * without it made, and records whether it was made otherwise (not sent: not made).
 */
export function personCheckOf(
  entry: Pick<DispositionEntry, 'disposition' | 'personVerified'>, list: string, config: Pick<MatcherConfig, 'generalLists'>,
): { ok: true; personVerified: boolean | null } | { ok: false; reason: 'person_not_verified'; list: string } {
  if (!needsPersonCheck(config, list)) return { ok: true, personVerified: null };
  const made = entry.personVerified === true;
  if (!made && isOneOf(ACTED_ON_DISPOSITIONS, entry.disposition)) return { ok: false, reason: 'person_not_verified', list };
  return { ok: true, personVerified: made };
}

/** The 400 for an answer acting on a hit without the wanted-person check its list asks; named as the other two are. */
function personNotVerified(disposition: HitDispositionValue, list: string): HttpError {
  return new HttpError(400, 'NOT_VERIFIED',
    `"${disposition}" means the hit was acted on; ${list} is not a stolen vehicle or plate list, so its hit may be about a wanted person and needs that check too (§471.5(f)(2)); ` +
    'missing: personVerified (a reasonable effort made to confirm the wanted person is in the vehicle, or that another basis for the stop exists)');
}

function hitIdParam(raw: string | undefined): string {
  try {
    return decodeURIComponent(raw ?? '');
  } catch {
    throw new HttpError(404, 'UNKNOWN_HIT', 'the hit id in the path is not valid');
  }
}

export function dispositionRoutes(deps: DispositionRouteDeps): JsonRoute[] {
  const { guard, recorder, feed, fanOut } = deps;
  const prefix = deps.prefix ?? '/api';

  const record = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'hits.dispose');
    const hitId = hitIdParam(request.params[0]);
    const refused = async (error: HttpError): Promise<never> => {
      const sent = (request.body as { disposition?: unknown } | null | undefined)?.disposition;
      await deps.accessLog.append({
        user: session.user, action: ACCESS_ACTIONS.disposition, outcome: error.code === 'NOT_VERIFIED' ? ACCESS_OUTCOMES.refused : ACCESS_OUTCOMES.invalid,
        params: { hitId, ...(isOneOf(HIT_DISPOSITIONS, sent) ? { disposition: sent } : {}) }, rowsReturned: 0, caseNumber: '', reason: '', detail: `${error.code}: ${error.message}`,
      });
      throw error;
    };
    let fields: DispositionFields;
    try {
      fields = dispositionFields(request.body);
    } catch (error) {
      if (error instanceof HttpError) return refused(error);
      throw error;
    }
    const held = feed.find(hitId);
    const hidden = deps.covert?.hiddenFor(session.user);
    const entry: DispositionEntry = { hitId, user: session.user, ...fields, ...(hidden === undefined || hidden.size === 0 ? {} : { hiddenLists: hidden }) };
    if (held !== undefined) {
      entry.seenAt = held.message.read.ts;
      entry.list = held.message.hit.list;
    }
    // The recorder claims the answer's turn on NATS (version claims) before it writes anything, so
    // NATS not answering leaves nothing recorded, and the dispatcher is told to send it again.
    const result = await recorder.record(entry).catch((error: unknown) => {
      throw natsUnavailableAsHttp(error, 'nothing was recorded');
    });
    if (!result.ok && result.reason === 'person_not_verified') return refused(personNotVerified(fields.disposition, result.list));
    // A "correction" of a hit with no answer yet is its first answer, and is announced as one.
    const corrects = result.ok && result.corrected === true;
    if (!result.ok && result.reason === 'already_resolved') {
      // Two consoles answering one hit: the second would silently replace the first (found by QA).
      const first = result.resolved;
      const at = first === undefined ? undefined : new Date(first.recordedAt).toISOString();
      // No answer stored yet: another console's is being written, or its gateway stopped while writing
      // it, and the claim is taken over once stale (ingest/version-claims.ts).
      const what = first === undefined
        ? `another console is recording an answer to this hit right now; if none appears, its gateway stopped while recording it, and this hit takes an answer again ${STALE_CLAIM_MS / 60_000} minutes after`
        : `this hit was already resolved as "${first.disposition}" by ${first.user} at ${at}; to change that, send "correction": true with the reason in notes`;
      // `resolved` as fields too, so a console shows who, how and when without parsing the message.
      return refused(new HttpError(409, 'ALREADY_RESOLVED', what,
        first === undefined ? undefined : { details: { resolved: { user: first.user, disposition: first.disposition, at } } }));
    }
    // A covert hit answers exactly as an unknown one (hit-routes.ts does the same for GET /api/hits/:id).
    if (!result.ok) throw new HttpError(404, 'UNKNOWN_HIT', `no hit ${JSON.stringify(hitId)} is known`);
    feed.resolve(hitId);
    const list = held?.message.hit.list ?? result.list;
    const notice: DispositionNotice = {
      hitId, ...(list === undefined ? {} : { list }), disposition: fields.disposition, user: session.user, at: new Date(result.recordedAt).toISOString(),
      visualVerified: fields.visualVerified, cletsVerified: fields.cletsVerified,
      // Only where the hit's list asks it, as the stored record has it.
      ...(typeof result.personVerified === 'boolean' ? { personVerified: result.personVerified } : {}),
      ...(corrects ? { correction: true as const } : {}),
    };
    fanOut.broadcast(dispositionFrame(notice), list === undefined ? undefined : { list });
    deps.announce?.(notice);
    return { status: 200, body: notice };
  };

  return [{ method: 'post', pattern: `${prefix}/hits/:hitId/disposition`, handler: record }];
}
