// Hot lists themselves: the ALPR Administrator designates each list and says what it is for
// (Watsonville §471.5(f)); none may serve immigration enforcement (Gov. Code § 7284.6(a)(1)).
// A designation is kept as versions in `hotlist_lists`; the newest is the one in force.
import { isSpecificList } from '../matcher/index.js';
import { ACCESS_OUTCOMES } from './access-log.js';
import { logOk, refuse, unknownListMessage, type HotlistContext, type HotlistDb } from './hotlist-common.js';
import { isImmigrationEnforcement } from './immigration.js';
import { authoriseAction } from './permissions.js';
import { parseClickHouseTime, queryRows } from './sql.js';
import { CLAIM_KINDS, underClaim } from './version-claims.js';

export interface ListDesignation {
  list: string;
  kind: 'general' | 'specific';
  purpose: string;
  active: boolean;
  version: number;
  changedBy: string;
  changedAt: string;
}

const LIST_NAME = /^[A-Z0-9][A-Z0-9_-]{0,31}$/;
const MAX_PURPOSE = 500;

/** Designates (or re-describes) a hot list: the Administrator's decision (§471.5(f)). */
export async function designateList(ctx: HotlistContext, actor: string, request: { list: string; purpose: string }): Promise<ListDesignation> {
  const list = String(request.list ?? '').trim().toUpperCase();
  const purpose = String(request.purpose ?? '').trim();
  const params = { op: 'designate_list', list, purpose };
  await authoriseAction(ctx, actor, 'hotlists.manage', params);
  if (!LIST_NAME.test(list)) return refuse(ctx, actor, params, 'INVALID', `list "${request.list}" must be 1–32 characters of A-Z0-9_-`, ACCESS_OUTCOMES.invalid);
  if (purpose.length < 10 || purpose.length > MAX_PURPOSE) {
    return refuse(ctx, actor, params, 'INVALID', `purpose must say what the list is for in 10–${MAX_PURPOSE} characters (Watsonville §471.5(f): lists serve the purposes of this policy)`, ACCESS_OUTCOMES.invalid);
  }
  if (isImmigrationEnforcement(list) || isImmigrationEnforcement(purpose)) {
    return refuse(ctx, actor, params, 'PROHIBITED_PURPOSE', 'a hot list for immigration enforcement cannot be created (California Values Act, Gov. Code § 7284.6(a)(1); Watsonville §471.8(c))');
  }
  const previous = await findDesignation(ctx.storage, list);
  const designation: ListDesignation = {
    list, kind: isSpecificList(ctx.config, list) ? 'specific' : 'general', purpose, active: true,
    version: (previous?.version ?? 0) + 1, changedBy: actor, changedAt: new Date().toISOString(),
  };
  await underClaim(ctx.claims, CLAIM_KINDS.hotlistList, list, designation.version,
    () => refuse(ctx, actor, params, 'CONCURRENT_CHANGE', `list ${list} was changed by another member at the same moment; reload it and try again`, ACCESS_OUTCOMES.invalid),
    () => ctx.storage.client.insert({
      table: `${ctx.storage.db}.hotlist_lists`, format: 'JSONEachRow',
      values: [{ list, version: designation.version, kind: designation.kind, purpose, active: true, changed_by: actor, changed_at: Date.parse(designation.changedAt) }],
    }));
  await logOk(ctx, actor, params, '');
  return designation;
}

type DesignationRow = { list: string; version: number | string; kind: string; purpose: string; active: boolean | number; changed_by: string; changed_at: string };

function designationOf(r: DesignationRow): ListDesignation {
  return {
    list: r.list, kind: r.kind === 'general' ? 'general' : 'specific', purpose: r.purpose, active: Boolean(r.active), version: Number(r.version),
    changedBy: r.changed_by, changedAt: parseClickHouseTime(r.changed_at).toISOString(),
  };
}

export async function findDesignation(storage: HotlistDb, list: string): Promise<ListDesignation | undefined> {
  const rows = await queryRows<DesignationRow>(
    storage.client,
    `SELECT list, version, kind, purpose, active, changed_by, changed_at FROM ${storage.db}.hotlist_lists WHERE list = {list:String} ORDER BY version DESC LIMIT 1`,
    { list },
  );
  return rows[0] === undefined ? undefined : designationOf(rows[0]);
}

/** Every designated list as it stands now. */
export async function listDesignations(storage: HotlistDb): Promise<ListDesignation[]> {
  const rows = await queryRows<DesignationRow>(
    storage.client,
    `SELECT list, version, kind, purpose, active, changed_by, changed_at FROM ${storage.db}.hotlist_lists ORDER BY list, version DESC LIMIT 1 BY list`,
  );
  return rows.map(designationOf).filter((d) => d.active);
}

/** Refuses (logged) unless `list` is a designated, active specific list: entries are for those alone. */
export async function requireSpecificList(ctx: HotlistContext, actor: string, list: string, params: Record<string, unknown>): Promise<void> {
  if (!isSpecificList(ctx.config, list)) {
    await refuse(ctx, actor, params, 'GENERAL_LIST', `list ${list} is a general list; its entries come from the daily download (Watsonville §471.5(f)(4)), not one by one`, ACCESS_OUTCOMES.invalid);
  }
  const designation = await findDesignation(ctx.storage, list);
  if (designation === undefined || !designation.active) {
    await refuse(ctx, actor, params, 'UNKNOWN_LIST', unknownListMessage(list), ACCESS_OUTCOMES.invalid);
  }
}
