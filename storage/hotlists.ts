// Entries of specific hot lists (BOLO, case lists) under the approval workflow of Watsonville
// §471.5(f)(5); the lists themselves are designated in hotlist-lists.ts:
// - every entry names the entering member, the case number and a synopsis (§471.5(f)(5)(a));
// - a new entry is approved by the Administrator before it is entered (`hotlists.approve_entry`),
//   an update (or a removal) by a supervisor (`hotlists.approve_update`);
// - nobody approves their own submission (four eyes), a rejection says why;
// - every change is a new version in `hotlist_entries`, every decision a row in
//   `hotlist_approvals`, and every action a record in the access log (§471.7(b)): who and when.
// A version's `status` is what it proposes (`active`, or `removed` for a removal); whether it is in
// force is its decision in `hotlist_approvals` (none yet: pending). The newest approved version
// of an entry is the one in force.
// Only approved, unexpired, not-removed versions leave this module for the matcher
// (`approvedEntries`); bin/ publishes them to the hot list store after each decision.
// No two entries in force share list + plate + state + case number (a `Listing`): it is checked
// when a change is submitted and again when it is approved.
import { createHash, randomUUID } from 'node:crypto';
import { normalizePattern, quoted, validateEntry, type HotlistEntry, type MatcherConfig, type RawEntryFields, type VehicleDescription } from '../matcher/index.js';
import { ACCESS_OUTCOMES } from './access-log.js';
import { logOk, refuse, unknownEntryMessage, type HotlistContext, type HotlistDb as Db } from './hotlist-common.js';
import { requireSpecificList } from './hotlist-lists.js';
import { isImmigrationEnforcement } from './immigration.js';
import { authoriseAction } from './permissions.js';
import { parseClickHouseTime, queryRows } from './sql.js';
import { listUsers, type User, type UserRole } from './users.js';
import { CLAIM_KINDS, underClaim } from './version-claims.js';

/** The fields a member gives for an entry; the entering member is the signed-in user, never a field. */
export interface EntryFields {
  plate: string;
  state?: string;
  reason?: string;
  caseNumber: string;
  synopsis: string;
  /** ISO 8601 date or date-time. */
  expiresAt?: string;
  vehicle?: VehicleDescription;
}

export const ENTRY_DECISIONS = ['approved', 'rejected'] as const;
export type EntryDecision = (typeof ENTRY_DECISIONS)[number];

/** One version of an entry with its decision (none yet: pending). */
export interface EntryVersion {
  entryId: string;
  version: number;
  list: string;
  plate: string;
  isPattern: boolean;
  state: string;
  reason: string;
  caseNumber: string;
  /** The member who entered this version. */
  enteredBy: string;
  synopsis: string;
  expiresAt: string | null;
  vehicle: VehicleDescription;
  /** `active`, or `removed` for a removal. */
  status: 'active' | 'removed';
  recordedAt: string;
  decision: { decision: EntryDecision; decidedBy: string; decidedRole: string; decidedAt: string; note: string } | null;
}

/** An entry: the version in force (approved), and the change waiting for approval. */
export interface EntryState {
  entryId: string;
  list: string;
  current: EntryVersion | null;
  pending: EntryVersion | null;
  /** The highest version recorded, decided or not. */
  latestVersion: number;
  /**
   * Who may decide the pending change (null: nothing pending). A new entry, and a change of the
   * vehicle listed (plate or state), put a vehicle on the list: the Administrator approves that
   * before it is entered (§471.5(f)(5)). Any other update, and a removal, a supervisor too.
   */
  approver: 'administrator' | 'supervisor' | null;
}

const MAX_NOTE = 2000;

// Changes and decisions in one process are taken one at a time, so two members cannot both add
// version N of an entry, nor two approvers both decide it; across processes `ctx.claims` does that.
let decisions: Promise<unknown> = Promise.resolve();
function serialised<T>(work: () => Promise<T>): Promise<T> {
  const next = decisions.then(work);
  decisions = next.catch(() => {});
  return next;
}

/**
 * Proposes a new entry of a specific list; it matches nothing until the Administrator approves it.
 * Refused when another entry of the list holds its plate, state and case number (DUPLICATE_ENTRY).
 */
export async function submitEntry(ctx: HotlistContext, actor: string, listName: string, fields: EntryFields): Promise<EntryVersion> {
  const list = String(listName ?? '').trim().toUpperCase();
  const params = { op: 'submit_entry', list, plate: fields.plate, caseNumber: fields.caseNumber };
  await authoriseAction(ctx, actor, 'hotlists.submit', params);
  await requireSpecificList(ctx, actor, list, params);
  const entry = validated(ctx, actor, list, fields);
  if (typeof entry === 'string') return refuse(ctx, actor, params, 'INVALID', entry, ACCESS_OUTCOMES.invalid);
  if (isForImmigrationEnforcement(entry)) return refuse(ctx, actor, params, 'PROHIBITED_PURPOSE', IMMIGRATION_ENTRY_REFUSAL);
  // One at a time with other changes, so two identical submissions in this process cannot both pass the check.
  return serialised(async () => {
    await refuseDuplicate(ctx, actor, params, listingOfEntry(entry), null);
    const version = await insertVersion(ctx.storage, randomUUID(), 1, entry, 'active');
    await logOk(ctx, actor, { ...params, entryId: version.entryId, version: 1 }, fields.caseNumber);
    return version;
  });
}

/**
 * Proposes a change to an approved entry: new field values (merged over the version in force), or
 * its removal. It takes effect when a supervisor approves it (§471.5(f)(5)).
 */
export function submitUpdate(ctx: HotlistContext, actor: string, entryId: string, change: { fields?: Partial<EntryFields>; remove?: boolean }): Promise<EntryVersion> {
  return serialised(() => proposeChange(ctx, actor, entryId, change));
}

async function proposeChange(ctx: HotlistContext, actor: string, entryId: string, change: { fields?: Partial<EntryFields>; remove?: boolean }): Promise<EntryVersion> {
  const params = { op: change.remove === true ? 'submit_removal' : 'submit_update', entryId, fields: change.fields ?? {} };
  await authoriseAction(ctx, actor, 'hotlists.submit', params);
  const state = await entryState(ctx.storage, entryId);
  if (state === undefined) return refuse(ctx, actor, params, 'UNKNOWN_ENTRY', unknownEntryMessage(entryId), ACCESS_OUTCOMES.invalid);
  if (state.pending !== null) {
    return refuse(ctx, actor, params, 'CHANGE_PENDING', `entry ${entryId} already has version ${state.pending.version} waiting for approval; decide that first`, ACCESS_OUTCOMES.invalid);
  }
  const current = state.current;
  if (current === null || current.status === 'removed') {
    return refuse(ctx, actor, params, 'NOT_APPROVED', `entry ${entryId} has no approved version in force to ${change.remove === true ? 'remove' : 'update'}`, ACCESS_OUTCOMES.invalid);
  }
  await requireSpecificList(ctx, actor, current.list, params);
  const given = change.fields ?? {};
  const fields: EntryFields = {
    plate: given.plate ?? current.plate,
    state: given.state ?? current.state,
    reason: given.reason ?? current.reason,
    caseNumber: given.caseNumber ?? current.caseNumber,
    synopsis: given.synopsis ?? current.synopsis,
    vehicle: given.vehicle ?? current.vehicle,
  };
  const expiresAt = given.expiresAt ?? current.expiresAt ?? undefined;
  if (expiresAt !== undefined) fields.expiresAt = expiresAt;
  const entry = validated(ctx, actor, current.list, fields);
  if (typeof entry === 'string') return refuse(ctx, actor, params, 'INVALID', entry, ACCESS_OUTCOMES.invalid);
  // A removal takes such an entry off the list: never refused for what it removes.
  if (change.remove !== true && isForImmigrationEnforcement(entry)) return refuse(ctx, actor, params, 'PROHIBITED_PURPOSE', IMMIGRATION_ENTRY_REFUSAL);
  if (change.remove !== true) await refuseDuplicate(ctx, actor, params, listingOfEntry(entry), entryId);
  const next = state.latestVersion + 1;
  const version = await underClaim(ctx.claims, CLAIM_KINDS.hotlistEntry, entryId, next,
    () => refuse(ctx, actor, params, 'CONCURRENT_CHANGE', `another change to entry ${entryId} was submitted at the same moment; reload it and try again`, ACCESS_OUTCOMES.invalid),
    () => insertVersion(ctx.storage, entryId, next, entry, change.remove === true ? 'removed' : 'active'));
  await logOk(ctx, actor, { ...params, list: current.list, version: version.version }, fields.caseNumber);
  return version;
}

export interface DecisionResult {
  entry: EntryVersion;
  decision: EntryDecision;
  /** The list whose approved entries changed (publish it) — null when nothing changed (a rejection). */
  changedList: string | null;
}

/**
 * Approves or rejects the change waiting on an entry. A new entry (version 1) needs
 * `hotlists.approve_entry` (the Administrator), an update or removal `hotlists.approve_update`
 * (a supervisor). The approver cannot be the member who submitted it; a rejection needs a note.
 */
export function decideEntry(ctx: HotlistContext, actor: string, entryId: string, request: { decision: EntryDecision; note?: string; version?: number }): Promise<DecisionResult> {
  return serialised(async () => {
    const note = String(request.note ?? '').trim();
    const params = { op: 'decide', entryId, decision: request.decision, version: request.version, note };
    const state = await entryState(ctx.storage, entryId);
    const pending = state?.pending ?? null;
    // The permission depends on what is pending (a vehicle put on the list: the administrator; an
    // update: a supervisor too). With nothing pending, the weaker one lets a supervisor learn that.
    const permission = state?.approver === 'administrator' ? 'hotlists.approve_entry' : 'hotlists.approve_update';
    const user = await authoriseAction(ctx, actor, permission, { ...params, list: state?.list });
    if (state === undefined) return refuse(ctx, actor, params, 'UNKNOWN_ENTRY', unknownEntryMessage(entryId), ACCESS_OUTCOMES.invalid);
    if (pending === null || (request.version !== undefined && request.version !== pending.version)) {
      return refuse(ctx, actor, params, 'NOTHING_PENDING', request.version === undefined ? `entry ${entryId} has no change waiting for a decision` : `version ${request.version} of entry ${entryId} is not waiting for a decision`, ACCESS_OUTCOMES.invalid);
    }
    if (!(ENTRY_DECISIONS as readonly string[]).includes(request.decision)) {
      return refuse(ctx, actor, params, 'INVALID', `decision must be ${ENTRY_DECISIONS.join(' or ')}`, ACCESS_OUTCOMES.invalid);
    }
    if (request.decision === 'rejected' && note === '') return refuse(ctx, actor, params, 'INVALID', 'a rejection needs a note saying why', ACCESS_OUTCOMES.invalid);
    if (note.length > MAX_NOTE) return refuse(ctx, actor, params, 'INVALID', `note is longer than ${MAX_NOTE} characters`, ACCESS_OUTCOMES.invalid);
    // Four eyes: the approval is a second member's check of the submission (§471.5(f)(5)).
    if (pending.enteredBy === actor) {
      return refuse(ctx, actor, { ...params, list: pending.list }, 'SELF_APPROVAL', `user "${actor}" submitted version ${pending.version} of entry ${entryId}; another ${state.approver === 'administrator' ? 'administrator' : 'supervisor or administrator'} must decide it`);
    }
    const decidedAt = Date.now();
    const role = decidingRole(user, permission);
    const record = () => underClaim(ctx.claims, CLAIM_KINDS.hotlistDecision, entryId, pending.version,
      () => refuse(ctx, actor, { ...params, list: pending.list }, 'CONCURRENT_CHANGE', `version ${pending.version} of entry ${entryId} was decided by another member at the same moment; reload it to see the decision`, ACCESS_OUTCOMES.invalid),
      () => ctx.storage.client.insert({
        table: `${ctx.storage.db}.hotlist_approvals`, format: 'JSONEachRow',
        values: [{ entry_id: entryId, version: pending.version, decision: request.decision, decided_by: actor, decided_role: role, decided_at: decidedAt, note }],
      }));
    if (request.decision === 'approved' && pending.status === 'active') {
      // Two pending entries with one listing (submitted at the same moment, or on two gateways) pass
      // the submission check; only the first approved may come into force.
      const listing = listingOfVersion(ctx.config, pending);
      const { holder, approvals } = await listingHolder(ctx, listing, entryId, false);
      if (holder !== null) {
        return refuse(ctx, actor, { ...params, list: pending.list }, 'DUPLICATE_ENTRY',
          `version ${pending.version} of entry ${entryId} would put ${describeListing(listing)} on list ${listing.list} in force a second time: entry ${holder.entryId} already holds it. Reject this change; its synopsis can go into an update of entry ${holder.entryId}`,
          ACCESS_OUTCOMES.invalid);
      }
      await underClaim(ctx.claims, CLAIM_KINDS.hotlistListing, listingClaimId(listing), approvals + 1,
        () => refuse(ctx, actor, { ...params, list: pending.list }, 'DUPLICATE_ENTRY', `another entry with ${describeListing(listing)} on list ${listing.list} was approved at the same moment; reload the list's entries`, ACCESS_OUTCOMES.invalid),
        record);
    } else {
      await record();
    }
    await logOk(ctx, actor, { ...params, list: pending.list, version: pending.version }, pending.caseNumber);
    const entry: EntryVersion = { ...pending, decision: { decision: request.decision, decidedBy: actor, decidedRole: role, decidedAt: new Date(decidedAt).toISOString(), note } };
    return { entry, decision: request.decision, changedList: request.decision === 'approved' ? pending.list : null };
  });
}

function decidingRole(user: User, permission: 'hotlists.approve_entry' | 'hotlists.approve_update'): UserRole | '' {
  const order: readonly UserRole[] = permission === 'hotlists.approve_entry' ? ['administrator'] : ['supervisor', 'administrator'];
  return order.find((role) => user.roles.includes(role)) ?? '';
}

/** Every entry of a list with its version in force and its pending change. */
export async function listEntries(storage: Db, list: string): Promise<EntryState[]> {
  return entryStates(await versionsWhere(storage, 'list = {list:String}', { list: list.trim().toUpperCase() }));
}

/** Changes waiting for a decision, oldest first; of one list, or of all. */
export async function pendingChanges(storage: Db, list?: string): Promise<EntryState[]> {
  const versions = list === undefined ? await versionsWhere(storage, '1', {}) : await versionsWhere(storage, 'list = {list:String}', { list: list.trim().toUpperCase() });
  return entryStates(versions)
    .filter((s) => s.pending !== null)
    .sort((a, b) => ((a.pending as EntryVersion).recordedAt < (b.pending as EntryVersion).recordedAt ? -1 : 1));
}

/** Every version of an entry and its decision: who entered and decided what, and when. */
export async function entryHistory(storage: Db, entryId: string): Promise<EntryVersion[]> {
  return versionsWhere(storage, 'entry_id = {id:String}', { id: entryId });
}

export async function entryState(storage: Db, entryId: string): Promise<EntryState | undefined> {
  return entryStates(await entryHistory(storage, entryId))[0];
}

/**
 * What the matcher may see of a list: approved, not removed, not expired at `now`. The entering
 * member is given by name and id (§471.5(f)(5)(a)(1)), so dispatch knows whom to call (§471.5(f)(3)).
 */
export async function approvedEntries(storage: Db, config: MatcherConfig, list: string, now = Date.now()): Promise<HotlistEntry[]> {
  const names = new Map((await listUsers(storage)).map((u) => [u.userId, u.name]));
  const out: HotlistEntry[] = [];
  for (const state of await listEntries(storage, list)) {
    const v = state.current;
    if (v === null || v.status === 'removed') continue;
    const name = names.get(v.enteredBy);
    const member = name === undefined || name === '' ? v.enteredBy : `${name} (${v.enteredBy})`;
    const result = validateEntry(rawFields(v.list, member, { ...v, expiresAt: v.expiresAt ?? undefined }), config);
    if (!result.ok) continue;
    if (result.entry.expiresAt !== undefined && result.entry.expiresAt <= now) continue;
    out.push(result.entry);
  }
  return out;
}

/**
 * What no two entries in force may share: list, plate (or pattern) as the matcher compares it,
 * state and case number. A hit's id is derived from the list, entry, state and case number
 * (docs/wire.md, "Hits"), so two such entries raise one hit between them and dispatch never sees
 * the second one's reason and synopsis; spelt differently ("7ABC 123") they alert twice for one car.
 */
export interface Listing {
  list: string;
  /** Normalised as the matcher compares it (matcher/plate.ts). */
  plate: string;
  /** Empty: any state. */
  state: string;
  caseNumber: string;
}

function listingOfEntry(entry: HotlistEntry): Listing {
  return { list: entry.list, plate: entry.plate, state: entry.state ?? '', caseNumber: entry.caseNumber };
}

/** A stored version holds the plate as listed: normalised here as it was on submission. */
function listingOfVersion(config: MatcherConfig, v: Pick<EntryVersion, 'list' | 'plate' | 'state' | 'caseNumber'>): Listing {
  const normal = normalizePattern(v.plate, config.patternMinKnown);
  return { list: v.list, plate: normal.ok ? normal.pattern : v.plate, state: v.state, caseNumber: v.caseNumber };
}

function isSameListing(a: Listing, b: Listing): boolean {
  return a.list === b.list && a.plate === b.plate && a.state === b.state && a.caseNumber === b.caseNumber;
}

/** The id a listing is claimed under across gateways: hashed, since a case number may be 2,000 characters. */
export function listingClaimId(listing: Listing): string {
  return createHash('sha256').update([listing.list, listing.plate, listing.state, listing.caseNumber].join('\u0000')).digest('hex');
}

function describeListing(listing: Listing): string {
  return `plate ${listing.plate} (${listing.state === '' ? 'any state' : `state ${listing.state}`}, case ${quoted(listing.caseNumber)})`;
}

/** Whether version `v` holds `listing` now: proposes or keeps an active, unexpired entry with it. */
function holds(config: MatcherConfig, v: EntryVersion | null, listing: Listing, now: number): boolean {
  if (v === null || v.status !== 'active') return false;
  // An expired entry never matches, so it raises no hit to collide with; reviving it is an update, checked in turn.
  if (v.expiresAt !== null && Date.parse(v.expiresAt) <= now) return false;
  return isSameListing(listingOfVersion(config, v), listing);
}

/**
 * The entry other than `exceptEntryId` that holds `listing`: in force, or (`orPending`) waiting
 * for approval. Also how often the listing has been approved, ever: the next approval claims one more.
 */
async function listingHolder(
  ctx: HotlistContext, listing: Listing, exceptEntryId: string | null, orPending: boolean, now = Date.now(),
): Promise<{ holder: { entryId: string; waiting: boolean } | null; approvals: number }> {
  // Every version of each entry that ever had this state and case number: a version in force is
  // judged with its entry's whole history, and the plate is compared after normalising.
  const versions = await versionsWhere(
    ctx.storage,
    `entry_id IN (SELECT entry_id FROM ${ctx.storage.db}.hotlist_entries WHERE list = {list:String} AND state = {state:String} AND case_number = {caseNumber:String})`,
    { list: listing.list, state: listing.state, caseNumber: listing.caseNumber },
  );
  const approvals = versions.filter((v) => v.status === 'active' && v.decision?.decision === 'approved' && isSameListing(listingOfVersion(ctx.config, v), listing)).length;
  for (const state of entryStates(versions)) {
    if (state.entryId === exceptEntryId) continue;
    if (holds(ctx.config, state.current, listing, now)) return { holder: { entryId: state.entryId, waiting: false }, approvals };
    if (orPending && holds(ctx.config, state.pending, listing, now)) return { holder: { entryId: state.entryId, waiting: true }, approvals };
  }
  return { holder: null, approvals };
}

/** Refuses (logged) a change whose listing another entry already holds, naming that entry. */
async function refuseDuplicate(ctx: HotlistContext, actor: string, params: Record<string, unknown>, listing: Listing, exceptEntryId: string | null): Promise<void> {
  const { holder } = await listingHolder(ctx, listing, exceptEntryId, true);
  if (holder === null) return;
  const instead = exceptEntryId === null ? 'instead of adding another' : `instead of giving entry ${exceptEntryId} the same plate, state and case number`;
  const existing = `list ${listing.list} already has entry ${holder.entryId} for ${describeListing(listing)}`;
  await refuse(ctx, actor, { ...params, existingEntryId: holder.entryId }, 'DUPLICATE_ENTRY',
    `${existing}${holder.waiting ? ', waiting for approval; once it is decided, update that entry' : '; update that entry'} ${instead} (two entries with one plate, state and case number raise a single hit between them)`,
    ACCESS_OUTCOMES.invalid);
}

function validated(ctx: HotlistContext, actor: string, list: string, fields: EntryFields): HotlistEntry | string {
  if (typeof fields !== 'object' || fields === null) return 'send the entry as an object';
  for (const key of ['plate', 'caseNumber', 'synopsis'] as const) {
    if (typeof fields[key] !== 'string') return `${key} is required (Watsonville §471.5(f)(5)(a): case number and synopsis with every entry)`;
  }
  for (const key of ['state', 'reason', 'expiresAt'] as const) {
    if (fields[key] !== undefined && typeof fields[key] !== 'string') return `${key} must be text`;
  }
  if (fields.vehicle !== undefined && (typeof fields.vehicle !== 'object' || fields.vehicle === null)) return 'vehicle must be an object {make, model, year, color, style}';
  const result = validateEntry(rawFields(list, actor, fields), ctx.config);
  if (!result.ok) return result.reason;
  // As a search's case number (storage/purpose.ts): a word in that field names no case.
  if (!/\d/.test(result.entry.caseNumber)) return `caseNumber ${quoted(result.entry.caseNumber)} has no number in it; give the case or incident number (Watsonville §471.5(f)(5)(a))`;
  // An entry that has expired never matches: approving it would put nothing in force.
  if (result.entry.expiresAt !== undefined && result.entry.expiresAt <= Date.now()) return `expiresAt ${quoted(fields.expiresAt ?? '')} has already passed; an expired entry never matches (to end an entry, propose its removal)`;
  return result.entry;
}

const IMMIGRATION_ENTRY_REFUSAL = 'an entry whose reason or synopsis is immigration enforcement cannot be put on a hot list ' +
  '(California Values Act, Gov. Code § 7284.6(a)(1); Watsonville §471.8(c))';

/** Gov. Code § 7284.6(a)(1): no hot list entry for immigration enforcement, whatever list it is for. */
function isForImmigrationEnforcement(entry: Pick<HotlistEntry, 'reason' | 'synopsis'>): boolean {
  return isImmigrationEnforcement(entry.reason) || isImmigrationEnforcement(entry.synopsis);
}

function rawFields(list: string, enteredBy: string, f: EntryFields | (Omit<EntryVersion, 'expiresAt'> & { expiresAt?: string | undefined })): RawEntryFields {
  const vehicle = f.vehicle ?? {};
  return {
    plate: f.plate, list, state: f.state ?? '', reason: f.reason ?? '', case_number: f.caseNumber, entered_by: enteredBy, synopsis: f.synopsis,
    expires_at: f.expiresAt ?? '', vehicle_make: String(vehicle.make ?? ''), vehicle_model: String(vehicle.model ?? ''),
    vehicle_year: vehicle.year === undefined ? '' : String(vehicle.year), vehicle_color: String(vehicle.color ?? ''), vehicle_style: String(vehicle.style ?? ''),
  };
}

async function insertVersion(storage: Db, entryId: string, version: number, entry: HotlistEntry, status: 'active' | 'removed'): Promise<EntryVersion> {
  const recordedAt = Date.now();
  await storage.client.insert({
    table: `${storage.db}.hotlist_entries`, format: 'JSONEachRow',
    values: [{
      entry_id: entryId, version, list: entry.list, plate: entry.listed, is_pattern: entry.isPattern, state: entry.state ?? '', reason: entry.reason,
      case_number: entry.caseNumber, entered_by: entry.enteredBy, synopsis: entry.synopsis, expires_at: entry.expiresAt ?? null,
      vehicle_make: entry.vehicle?.make ?? '', vehicle_model: entry.vehicle?.model ?? '', vehicle_year: entry.vehicle?.year ?? null,
      vehicle_color: entry.vehicle?.color ?? '', vehicle_style: entry.vehicle?.style ?? '', status, recorded_at: recordedAt,
    }],
  });
  return {
    entryId, version, list: entry.list, plate: entry.listed, isPattern: entry.isPattern, state: entry.state ?? '', reason: entry.reason,
    caseNumber: entry.caseNumber, enteredBy: entry.enteredBy, synopsis: entry.synopsis,
    expiresAt: entry.expiresAt === undefined ? null : new Date(entry.expiresAt).toISOString(), vehicle: entry.vehicle ?? {}, status,
    recordedAt: new Date(recordedAt).toISOString(), decision: null,
  };
}

type VersionRow = {
  entry_id: string; version: number | string; list: string; plate: string; is_pattern: boolean | number; state: string; reason: string;
  case_number: string; entered_by: string; synopsis: string; expires_at: string | null; vehicle_make: string; vehicle_model: string;
  vehicle_year: number | null; vehicle_color: string; vehicle_style: string; status: string; recorded_at: string;
  decision: string; decided_by: string; decided_role: string; decided_at: string; note: string;
};

async function versionsWhere(storage: Db, where: string, params: Record<string, unknown>): Promise<EntryVersion[]> {
  const rows = await queryRows<VersionRow>(
    storage.client,
    `SELECT e.entry_id AS entry_id, e.version AS version, list, plate, is_pattern, state, reason, case_number, entered_by, synopsis, expires_at,
            vehicle_make, vehicle_model, vehicle_year, vehicle_color, vehicle_style, status, recorded_at,
            a.d_decision AS decision, a.d_by AS decided_by, a.d_role AS decided_role, a.d_at AS decided_at, a.d_note AS note
       FROM (SELECT * FROM ${storage.db}.hotlist_entries WHERE ${where}) AS e
       LEFT JOIN (
         SELECT entry_id, version, argMax(decision, decided_at) AS d_decision, argMax(decided_by, decided_at) AS d_by,
                argMax(decided_role, decided_at) AS d_role, max(decided_at) AS d_at, argMax(note, decided_at) AS d_note
           FROM ${storage.db}.hotlist_approvals GROUP BY entry_id, version
       ) AS a ON a.entry_id = e.entry_id AND a.version = e.version
      ORDER BY e.entry_id, e.version
      SETTINGS join_use_nulls = 0`,
    params,
  );
  return rows.map((r) => {
    const vehicle: VehicleDescription = {};
    if (r.vehicle_make !== '') vehicle.make = r.vehicle_make;
    if (r.vehicle_model !== '') vehicle.model = r.vehicle_model;
    if (r.vehicle_year !== null) vehicle.year = Number(r.vehicle_year);
    if (r.vehicle_color !== '') vehicle.color = r.vehicle_color;
    if (r.vehicle_style !== '') vehicle.style = r.vehicle_style;
    const decided = r.decision === 'approved' || r.decision === 'rejected';
    return {
      entryId: r.entry_id, version: Number(r.version), list: r.list, plate: r.plate, isPattern: Boolean(r.is_pattern), state: r.state, reason: r.reason,
      caseNumber: r.case_number, enteredBy: r.entered_by, synopsis: r.synopsis,
      expiresAt: r.expires_at === null ? null : parseClickHouseTime(r.expires_at).toISOString(), vehicle,
      status: r.status === 'removed' ? 'removed' : 'active', recordedAt: parseClickHouseTime(r.recorded_at).toISOString(),
      decision: decided ? { decision: r.decision as EntryDecision, decidedBy: r.decided_by, decidedRole: r.decided_role, decidedAt: parseClickHouseTime(r.decided_at).toISOString(), note: r.note } : null,
    };
  });
}

/** Versions (ordered by entry, version) → per entry: newest approved version, and the undecided newest. */
function entryStates(versions: readonly EntryVersion[]): EntryState[] {
  const byEntry = new Map<string, EntryState>();
  for (const v of versions) {
    let state = byEntry.get(v.entryId);
    if (state === undefined) {
      state = { entryId: v.entryId, list: v.list, current: null, pending: null, latestVersion: 0, approver: null };
      byEntry.set(v.entryId, state);
    }
    state.latestVersion = Math.max(state.latestVersion, v.version);
    if (v.decision === null) state.pending = v;
    else if (v.decision.decision === 'approved') {
      state.current = v;
      state.pending = null;
    } else if (state.pending?.version === v.version) state.pending = null;
  }
  for (const state of byEntry.values()) state.approver = approverOf(state);
  return [...byEntry.values()];
}

function approverOf({ current, pending }: EntryState): EntryState['approver'] {
  if (pending === null) return null;
  if (current === null || current.status === 'removed') return 'administrator';
  if (pending.status === 'active' && listedVehicle(pending) !== listedVehicle(current)) return 'administrator';
  return 'supervisor';
}

/** The vehicle a version lists, spelt as the matcher compares plates ("7abc 123" is 7ABC123). */
function listedVehicle(v: EntryVersion): string {
  return `${v.plate.toUpperCase().replace(/[^A-Z0-9?*]/g, '')}|${v.state.toUpperCase()}`;
}

