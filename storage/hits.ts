// Hits and their dispositions. A hit alone is not grounds for action (Watsonville §471.5(e),
// §471.5(f)(1)–(3)): the officer verifies the plate visually and the status through CLETS (and, on
// a list that may be about a wanted person, looks for the person), and the outcome is recorded per hit. Viewing a hit is an access to ALPR data and is logged (§471.7(b)).
import { createHash } from 'node:crypto';
import type { AccessLog } from './access-log.js';
import { StorageError } from './errors.js';
import type { Storage } from './open.js';
import { prohibitedPurpose, purposeProblem, type Purpose } from './purpose.js';
import { formatClickHouseTime, parseClickHouseTime, queryRows } from './sql.js';
import { timeZoneOf } from './department-day.js';
import { accessProblem, findUser } from './users.js';

export interface StoredHit {
  /** Stable id: the same read matching the same entry is the same hit (see `hitId`). */
  hitId: string;
  readId: string;
  agency: string;
  camera: string;
  seenAt: Date | number;
  plate: string;
  list: string;
  entryId: string;
  entryVersion: number;
  matchKind: string;
  distance: number;
  /** Positions of the characters that differed (fuzzy/OCR hits). */
  differing: readonly number[];
  /** 'match' | 'mismatch' | 'unknown'. */
  stateMatch: string;
}

export const DISPOSITIONS = ['confirmed', 'misread', 'not_located', 'no_action', 'arrest', 'recovered', 'other'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/**
 * What each disposition is called where people read it: the console's answer buttons
 * (console/dispositions.js, the same words) and the published transparency report.
 */
export const DISPOSITION_LABELS: Readonly<Record<Disposition, string>> = {
  confirmed: 'Confirmed and acted on',
  misread: 'Misread',
  not_located: 'Could not locate',
  no_action: 'No longer wanted / no action',
  arrest: 'Arrest',
  recovered: 'Vehicle recovered',
  other: 'Other',
};

export interface HitDisposition {
  hitId: string;
  /** The hit's read time (the disposition shares the hit's retention). */
  seenAt: Date | number;
  user: string;
  disposition: Disposition;
  /** Plate, state and vehicle checked against the image (§471.5(f)(2)). */
  visualVerified: boolean;
  /** Status confirmed through CLETS (§471.5(e), §471.5(f)(1)). */
  cletsVerified: boolean;
  /**
   * A reasonable effort made to confirm the wanted person is in the vehicle, or that another basis
   * for the stop exists (§471.5(f)(2)); null when not asked: a hit on a stolen vehicle or plate
   * list, and every answer recorded before migration 11. @default null
   */
  personVerified?: boolean | null;
  notes: string;
  /** When it was recorded (ms epoch). @default now */
  recordedAt?: number;
}

type Db = Pick<Storage, 'client' | 'db'> & Partial<Pick<Storage, 'config'>>;

/** Hit ids come from the matcher (`hitId`): one definition for pipeline, storage and gateway. */
export { hitId } from '../matcher/index.js';

export async function recordHits(storage: Db, hits: readonly StoredHit[]): Promise<void> {
  if (hits.length === 0) return;
  const token = createHash('sha256').update(hits.map((h) => h.hitId).join('\n')).digest('hex').slice(0, 40);
  await storage.client.insert({
    // SETTINGS in the statement, not clickhouse_settings: chDB would keep a SET for the session.
    table: `${storage.db}.hits SETTINGS insert_deduplication_token = '${token}'`,
    format: 'JSONEachRow',
    values: hits.map((h) => ({
      hit_id: h.hitId, read_id: h.readId, agency: h.agency, camera: h.camera, seen_at: typeof h.seenAt === 'number' ? h.seenAt : h.seenAt.getTime(),
      plate: h.plate, list: h.list, entry_id: h.entryId, entry_version: h.entryVersion, match_kind: h.matchKind, distance: h.distance,
      differing: h.differing, state_match: h.stateMatch,
    })),
  });
}

export async function recordDisposition(storage: Db, d: HitDisposition): Promise<void> {
  if (!DISPOSITIONS.includes(d.disposition)) throw new StorageError('INVALID_SEARCH', `unknown disposition "${d.disposition}"`);
  await storage.client.insert({
    table: `${storage.db}.hit_dispositions`,
    format: 'JSONEachRow',
    values: [
      {
        hit_id: d.hitId, seen_at: typeof d.seenAt === 'number' ? d.seenAt : d.seenAt.getTime(), recorded_at: d.recordedAt ?? Date.now(), user_id: d.user,
        disposition: d.disposition, visual_verified: d.visualVerified, clets_verified: d.cletsVerified, person_verified: d.personVerified ?? null, notes: d.notes,
      },
    ],
  });
}

/** One disposition as recorded: who said what became of the hit, and when (ms epoch). */
export interface RecordedDisposition {
  user: string;
  disposition: Disposition;
  recordedAt: number;
}

/** The dispositions recorded for a hit, oldest first: one, or more where later ones correct it. */
export async function dispositionsOf(storage: Db, hitId: string): Promise<RecordedDisposition[]> {
  const rows = await queryRows<{ user_id: string; disposition: string; recorded_text: string }>(
    storage.client,
    `SELECT user_id, disposition, toString(recorded_at) AS recorded_text FROM ${storage.db}.hit_dispositions
      WHERE hit_id = {id:String} ORDER BY recorded_at`,
    { id: hitId },
  );
  return rows.map((r) => ({ user: r.user_id, disposition: r.disposition as Disposition, recordedAt: parseClickHouseTime(r.recorded_text).getTime() }));
}

/** A stored hit's list and read time (ms epoch), or undefined when the hits table does not hold it. */
export async function hitListAndSeenAt(storage: Db, hitId: string): Promise<{ list: string; seenAt: number } | undefined> {
  const rows = await queryRows<{ list: string; seen_at_text: string }>(
    storage.client,
    `SELECT list, toString(seen_at) AS seen_at_text FROM ${storage.db}.hits WHERE hit_id = {id:String} LIMIT 1`,
    { id: hitId },
  );
  const row = rows[0];
  return row === undefined ? undefined : { list: row.list, seenAt: parseClickHouseTime(row.seen_at_text).getTime() };
}

/**
 * The access log's `detail` for an attempt on a covert list's hit by a user not named for the list.
 * It never names the list: the record is about someone who may not know it exists.
 */
export function covertHitRefusal(user: string): string {
  return `COVERT_LIST: ${user} is not named for the covert list this hit is on (hits.covertLists)`;
}

/** The same for a console whose filter names a covert list its user is not named on. */
export function covertSubscriptionRefusal(user: string): string {
  return `COVERT_LIST: ${user} is not named for a covert list the console's filter names (hits.covertLists); its hits were not sent`;
}

export interface HitView {
  hit: Omit<StoredHit, 'seenAt'> & { seenAt: Date };
  /** Oldest first: the first is the hit's answer, each later one a correction of it (marked so). */
  dispositions: Array<Omit<HitDisposition, 'seenAt' | 'recordedAt' | 'personVerified'> & { personVerified: boolean | null; recordedAt: Date; correction?: true }>;
}

/** Returns a hit with its dispositions, after checking and logging the access (action `hit_view`). */
export async function viewHit(
  ctx: { storage: Db; accessLog: AccessLog },
  req: {
    user: string; purpose: Purpose; hitId: string;
    /**
     * Lists whose hits this user may not see (covert lists they are not named for): such a hit is
     * not found, and logged as a refusal (COVERT_LIST), so the audit tells a probe from a mistyped id.
     */
    hiddenLists?: ReadonlySet<string>;
  },
): Promise<HitView | undefined> {
  const entry = {
    user: req.user ?? '', action: 'hit_view' as const, outcome: 'ok' as const, params: { hitId: req.hitId }, rowsReturned: 0,
    caseNumber: req.purpose?.caseNumber?.trim() ?? '', reason: req.purpose?.reason?.trim() ?? '', detail: '',
  };
  const missing = purposeProblem(req.user, req.purpose);
  if (missing !== null) {
    await ctx.accessLog.append({ ...entry, outcome: 'refused', detail: missing });
    throw new StorageError('PURPOSE_REQUIRED', `hit view refused: ${missing}`);
  }
  const prohibited = prohibitedPurpose(req.purpose);
  if (prohibited !== null) {
    await ctx.accessLog.append({ ...entry, outcome: 'refused', detail: prohibited });
    throw new StorageError('PROHIBITED_PURPOSE', `hit view refused: ${prohibited}`);
  }
  const unauthorised = accessProblem(await findUser(ctx.storage, req.user), req.user, Date.now(), timeZoneOf(ctx.storage));
  if (unauthorised !== null) {
    await ctx.accessLog.append({ ...entry, outcome: 'refused', detail: unauthorised });
    throw new StorageError('USER_NOT_AUTHORISED', `hit view refused: ${unauthorised}`);
  }
  const db = ctx.storage.db;
  const hits = await queryRows<Record<string, string | number | number[]>>(
    ctx.storage.client,
    `SELECT hit_id, read_id, agency, camera, toString(seen_at) AS seen_at_text, plate, list, entry_id, entry_version, match_kind,
            distance, differing, state_match
       FROM ${db}.hits WHERE hit_id = {id:String} LIMIT 1`,
    { id: req.hitId },
  );
  const h = hits[0];
  if (h !== undefined && req.hiddenLists?.has(String(h['list'])) === true) {
    await ctx.accessLog.append({ ...entry, outcome: 'refused', detail: covertHitRefusal(req.user) });
    return undefined;
  }
  const dispositions =
    h === undefined
      ? []
      : await queryRows<Record<string, string | number | boolean | null>>(
          ctx.storage.client,
          `SELECT hit_id, toString(recorded_at) AS recorded_text, user_id, disposition, visual_verified, clets_verified, person_verified, notes
             FROM ${db}.hit_dispositions WHERE hit_id = {id:String} ORDER BY recorded_at`,
          { id: req.hitId },
        );
  await ctx.accessLog.append({ ...entry, rowsReturned: h === undefined ? 0 : 1 });
  if (h === undefined) return undefined;
  return {
    hit: {
      hitId: String(h['hit_id']), readId: String(h['read_id']), agency: String(h['agency']), camera: String(h['camera']),
      seenAt: parseClickHouseTime(String(h['seen_at_text'])), plate: String(h['plate']), list: String(h['list']), entryId: String(h['entry_id']),
      entryVersion: Number(h['entry_version']), matchKind: String(h['match_kind']), distance: Number(h['distance']),
      differing: (h['differing'] as number[]).map(Number), stateMatch: String(h['state_match']),
    },
    // Stored in order (ORDER BY recorded_at); a later answer is taken only as a correction (gateway/disposition-routes.ts).
    dispositions: dispositions.map((d, i) => ({
      hitId: String(d['hit_id']), recordedAt: parseClickHouseTime(String(d['recorded_text'])), user: String(d['user_id']),
      disposition: String(d['disposition']) as Disposition, visualVerified: Boolean(d['visual_verified']), cletsVerified: Boolean(d['clets_verified']),
      personVerified: d['person_verified'] === null || d['person_verified'] === undefined ? null : Boolean(d['person_verified']), notes: String(d['notes']), ...(i > 0 ? { correction: true as const } : {}),
    })),
  };
}

/** Ids of the hits read since `since` that have a disposition (a restarted gateway does not replay them). */
export async function resolvedHitIds(storage: Db, since: Date | number): Promise<string[]> {
  const rows = await queryRows<{ hit_id: string }>(
    storage.client,
    `SELECT DISTINCT hit_id FROM ${storage.db}.hit_dispositions WHERE seen_at >= {since:DateTime64(3, 'UTC')}`,
    { since: formatClickHouseTime(since) },
  );
  return rows.map((r) => r.hit_id);
}

/** Hits of a time range without any disposition yet (for the console's "to clear" list). */
export async function hitsAwaitingDisposition(storage: Db, from: Date, to: Date): Promise<string[]> {
  const rows = await queryRows<{ hit_id: string }>(
    storage.client,
    `SELECT DISTINCT hit_id FROM ${storage.db}.hits
      WHERE seen_at >= {from:DateTime64(3, 'UTC')} AND seen_at < {to:DateTime64(3, 'UTC')}
        AND hit_id NOT IN (SELECT hit_id FROM ${storage.db}.hit_dispositions)
      ORDER BY hit_id`,
    { from: formatClickHouseTime(from), to: formatClickHouseTime(to) },
  );
  return rows.map((r) => r.hit_id);
}
