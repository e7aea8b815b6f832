// The hot list API the administrator's console uses (JSON):
//   GET  /api/hotlists                      lists: version, size, age, stale flag, designation, pending changes
//   POST /api/hotlists                      designate a list (Administrator; none for immigration enforcement)
//   GET  /api/hotlists/approvals            changes waiting for a decision
//   POST /api/hotlists/approvals/:entryId   approve or reject the waiting change (four eyes)
//   GET  /api/hotlists/entries/:entryId     every version of an entry with its decision
//   POST /api/hotlists/entries/:entryId     propose an update or the removal of an approved entry
//   GET  /api/hotlists/:list/entries        a specific list's entries: version in force and pending change
//   POST /api/hotlists/:list/entries        propose a new entry of a specific list
//   POST /api/hotlists/:list/load           bulk-load a general list from a file's text (Administrator)
// Policy: Watsonville §471.5(f)(4)(5); Gov. Code § 7284.6; every action and refusal is in the
// access log (§471.7(b)). After each approval the list's approved entries are published to the
// hot list store, so the matcher only ever sees approved entries.
// Covert lists (covert-lists.ts): a user not named for one never learns it exists — it is absent
// from the overview and the approvals, and every route naming it or one of its entries answers
// 404 exactly as for a list or entry that does not exist. The exception is whoever manages lists
// (`hotlists.manage`, the ALPR Administrator, who designates them and keeps the daily loads
// running): they see that it exists with its version, size, age and pending count, but not its
// purpose, who loaded it or its entries (403 COVERT_LIST) unless named for it (README).
import type { ObjectStore } from '@nats-io/obj';
import {
  describeHotlists, ListLoader, publishEncodedHotlist, publishHotlist, resolveBulkLayout,
  type BulkLayout, type PreparedBulkLoad, type PublishedList,
} from '../ingest/index.js';
import { isSpecificList } from '../matcher/index.js';
import {
  ACCESS_OUTCOMES, approvedEntries, isImmigrationEnforcement, decideEntry, entryHistory, entryState, findDesignation, HotlistError, listDesignations, listEntries,
  mayPerform, oneAtATimePerKey, pendingChanges, submitEntry, submitUpdate, designateList, unknownEntryMessage, unknownListMessage, type EntryDecision, type EntryFields,
  type HotlistContext,
} from '../storage/index.js';
import type { ApiGuard } from './api-guard.js';
import type { SessionUser } from './auth-routes.js';
import type { CovertLists } from './covert-lists.js';
import { HttpError, type JsonReply, type JsonRequest, type JsonRoute } from './http-json.js';
import { objectBody, optionalBoolean, optionalText, pathParam } from './request-fields.js';
import {
  answeredRows, asHttp, blankText, ENTRY_FIELDS, entryFields, HOTLIST_FILE_MAX_BYTES, loadFields, loggedText, LOGGED_LAYOUT_NAME, vehicleOf,
} from './hotlist-request.js';

export { HOTLIST_FILE_MAX_BYTES, ROWS_ANSWERED_MAX } from './hotlist-request.js';

export interface HotlistRouteDeps {
  guard: ApiGuard;
  hotlists: HotlistContext;
  store: ObjectStore;
  /** Covert lists (`hits.covertLists`): hidden from everyone not named for them. */
  covert: CovertLists;
  /** General lists older than this are stale (Watsonville §471.5(f)(4)). */
  staleAfterMs: number;
  /** NCIC MKE prefixes of the Immigration Violator File (Gov. Code § 7284.6). */
  immigrationMessageKeys: readonly string[];
  /** Configured bulk layouts by name. */
  layouts: Readonly<Record<string, BulkLayout>>;
  /**
   * Resolves true once this process's pipeline matches against `version` of `list` (or a newer
   * one), false after `waitMs`. Absent in a process with no pipeline: a load then cannot say.
   */
  inForce?: (list: string, version: number, waitMs: number) => Promise<boolean>;
  /**
   * Where bulk loads are parsed, validated and encoded: a worker thread, off the main thread that
   * matches reads and serves consoles. @default a loader of the routes' own
   */
  loader?: ListLoader;
  /** Path prefix. @default '/api' */
  prefix?: string;
}

/**
 * What a user may know of a list: everything; only that it exists with its size and version (a
 * list manager not named for a covert list); or nothing at all (anyone else not named for it).
 */
export const LIST_ACCESS = { full: 'full', existence: 'existence', none: 'none' } as const;
export type ListAccess = (typeof LIST_ACCESS)[keyof typeof LIST_ACCESS];

/** Path words that are routes, so never list names. */
export const RESERVED_LIST_NAMES = ['APPROVALS', 'ENTRIES'] as const;

/** How long a load waits for this process's pipeline to swap the new version in before answering. */
const IN_FORCE_WAIT_MS = 60_000;

export function hotlistRoutes(deps: HotlistRouteDeps): JsonRoute[] {
  const { guard, hotlists: ctx, store, covert } = deps;
  // An idle loader's thread has ended and keeps nothing alive, so one of the routes' own needs no close.
  const loader = deps.loader ?? new ListLoader();
  const prefix = `${deps.prefix ?? '/api'}/hotlists`;

  const accessTo = (session: SessionUser, list: string): ListAccess => {
    if (!covert.hiddenFor(session.user).has(list)) return LIST_ACCESS.full;
    return mayPerform(session.roles, 'hotlists.manage') ? LIST_ACCESS.existence : LIST_ACCESS.none;
  };
  /**
   * Refuses, on the access log, a user not named for covert `list`: with `notFound` (the answer for
   * a list or entry that does not exist) when they may not know it exists, else 403 COVERT_LIST.
   * Callers check at the point where a missing list or entry would be refused, so nothing before
   * it (a bad body, a role) tells the two apart.
   */
  const requireNamed = async (session: SessionUser, list: string, params: Record<string, unknown>, notFound: () => HotlistError): Promise<void> => {
    const access = accessTo(session, list);
    if (access === LIST_ACCESS.full) return;
    // For a user the list does not exist for, the record names no list: auditors not named for it
    // read the log too, and would learn that it exists (verification QA), as /metrics never tells.
    const logged = access === LIST_ACCESS.none ? 'covert' : list;
    await ctx.accessLog.append({
      user: session.user, action: 'hotlist', outcome: ACCESS_OUTCOMES.refused, params: { ...params, list: logged }, rowsReturned: 0, caseNumber: '',
      reason: String(params['op'] ?? ''),
      detail: `COVERT_LIST: ${session.user} is not named for ${access === LIST_ACCESS.none ? 'the covert list asked for' : `covert list ${list}`} (hits.covertLists)`,
    });
    if (access === LIST_ACCESS.none) throw notFound();
    throw new HttpError(403, 'COVERT_LIST', `list ${list} is covert: only the users named for it in hits.covertLists see or change its entries, and "${session.user}" is not one of them`);
  };
  const unknownList = (list: string) => () => new HotlistError('UNKNOWN_LIST', unknownListMessage(list));
  const unknownEntry = (entryId: string) => () => new HotlistError('UNKNOWN_ENTRY', unknownEntryMessage(entryId));
  /** The user's check for a covert entry, where storage would refuse an entry that does not exist. */
  const requireNamedForEntry = async (session: SessionUser, entryId: string, params: Record<string, unknown>): Promise<void> => {
    const state = await entryState(ctx.storage, entryId);
    if (state !== undefined) await requireNamed(session, state.list, { ...params, entryId }, unknownEntry(entryId));
  };
  const guarded = (handler: (request: JsonRequest) => Promise<JsonReply>) => async (request: JsonRequest): Promise<JsonReply> => {
    try {
      return await handler(request);
    } catch (error) {
      throw asHttp(error);
    }
  };

  /**
   * Every new version of one list — a load, an approval — is put one after another in this
   * process: each reads the version before it once the one before has been put, so two never take
   * the same number, each reports what it added and removed against the version it replaced, and a
   * slower approval never overwrites a newer list with an older read (found by QA: two uploads of
   * SVS at once were both answered "version 5" and one was lost). Other processes are kept apart by
   * publishHotlist itself, which puts N + 1 only over N.
   */
  const oneVersionAtATime = oneAtATimePerKey();
  /** Publishes a specific list's approved entries, read once its turn comes: the only entries the matcher sees of it. */
  const publishApproved = (list: string, actor: string): Promise<PublishedList> =>
    oneVersionAtATime(list, () => publishHotlist(store, list, () => approvedEntries(ctx.storage, ctx.config, list), `approval by ${actor}`));

  /** A list that is configured, designated (now or once) or in the store: one whose entries can be asked for. */
  const isKnownList = async (list: string): Promise<boolean> => {
    if (ctx.config.generalLists.includes(list) || (await findDesignation(ctx.storage, list)) !== undefined) return true;
    const info = await store.info(list);
    return info !== null && !info.deleted;
  };

  const overview = guarded(async (request) => {
    const session = await guard.require(request, 'hotlists.view');
    const [statuses, designations, pending] = await Promise.all([
      describeHotlists(store, ctx.config, deps.staleAfterMs), listDesignations(ctx.storage), pendingChanges(ctx.storage),
    ]);
    const names = new Set([...statuses.map((s) => s.list), ...designations.map((d) => d.list)]);
    const lists = [...names].sort().filter((list) => accessTo(session, list) !== LIST_ACCESS.none).map((list) => {
      const status = statuses.find((s) => s.list === list);
      const designation = designations.find((d) => d.list === list);
      // A list manager not named for a covert list runs it (loads, staleness, size), but what it is
      // for and who works it stay with the named users.
      const withheld = accessTo(session, list) === LIST_ACCESS.existence;
      return {
        list,
        kind: isSpecificList(ctx.config, list) ? 'specific' : 'general',
        version: status?.version ?? 0,
        entries: status?.entries ?? 0,
        loadedBy: withheld ? '' : status?.loadedBy ?? '',
        loadedAt: status?.loadedAt ?? null,
        ageSeconds: status?.ageSeconds ?? null,
        stale: status?.stale ?? false,
        designated: designation !== undefined,
        purpose: withheld ? '' : designation?.purpose ?? '',
        pendingChanges: pending.filter((p) => p.list === list).length,
        covert: covert.isCovert(list),
        withheld,
      };
    });
    const stale = lists.filter((l) => l.stale).map((l) => l.list);
    // The configured bulk-load layouts by name, so a console can offer them for a file upload.
    return { status: 200, body: { lists, stale, staleAfterSeconds: Math.round(deps.staleAfterMs / 1000), layouts: Object.keys(deps.layouts).sort() } };
  });

  const designate = guarded(async (request) => {
    const session = await guard.require(request, 'hotlists.manage');
    const body = objectBody(request.body, ['list', 'purpose'], 'INVALID');
    // As text only: String(5) or String(["…"]) would designate a list nobody named.
    const name = optionalText(body, 'list', 'INVALID') ?? '';
    const purpose = optionalText(body, 'purpose', 'INVALID') ?? '';
    const list = name.trim().toUpperCase();
    if ((RESERVED_LIST_NAMES as readonly string[]).includes(list)) throw new HttpError(400, 'INVALID', `"${list}" is a word of the API's paths and cannot name a list`);
    const designation = await designateList(ctx, session.user, { list: name, purpose });
    return { status: 201, body: designation };
  });

  const entriesOf = guarded(async (request) => {
    const session = await guard.require(request, 'hotlists.view');
    const list = pathParam(request.params[0], 'list').toUpperCase();
    const params = { op: 'view_entries', list };
    await requireNamed(session, list, params, unknownList(list));
    // Entries with versions and approvals are a specific list's (§471.5(f)(5)). A general list is
    // its whole download, replaced by each load; an empty answer here would read as an empty list.
    if (!isSpecificList(ctx.config, list)) {
      const error = new HotlistError('GENERAL_LIST', `list ${list} is a general list: its entries come whole from its download (Watsonville §471.5(f)(4)), not one by one with versions and approvals, so they are not listed here; GET /api/hotlists gives its version, size and age`);
      await ctx.accessLog.append({ user: session.user, action: 'hotlist', outcome: ACCESS_OUTCOMES.invalid, params, rowsReturned: 0, caseNumber: '', reason: 'view_entries', detail: `${error.code}: ${error.message}` });
      throw error;
    }
    const entries = await listEntries(ctx.storage, list);
    if (entries.length === 0 && !(await isKnownList(list))) {
      const error = unknownList(list)();
      await ctx.accessLog.append({ user: session.user, action: 'hotlist', outcome: ACCESS_OUTCOMES.invalid, params, rowsReturned: 0, caseNumber: '', reason: 'view_entries', detail: `${error.code}: ${error.message}` });
      throw error;
    }
    await ctx.accessLog.append({ user: session.user, action: 'hotlist', outcome: ACCESS_OUTCOMES.ok, params, rowsReturned: entries.length, caseNumber: '', reason: 'view_entries', detail: '' });
    return { status: 200, body: { list, entries } };
  });

  const submit = guarded(async (request) => {
    const session = await guard.require(request, 'hotlists.submit');
    const list = pathParam(request.params[0], 'list').toUpperCase();
    const fields = entryFields(objectBody(request.body, ENTRY_FIELDS, 'INVALID'));
    await requireNamed(session, list, { op: 'submit_entry' }, unknownList(list));
    const version = await submitEntry(ctx, session.user, list, fields);
    return { status: 201, body: version };
  });

  const history = guarded(async (request) => {
    const session = await guard.require(request, 'hotlists.view');
    const entryId = pathParam(request.params[0], 'entry id');
    const versions = await entryHistory(ctx.storage, entryId);
    const [first] = versions;
    if (first === undefined) throw unknownEntry(entryId)();
    await requireNamed(session, first.list, { op: 'view_history', entryId }, unknownEntry(entryId));
    return { status: 200, body: { entryId, versions } };
  });

  const update = guarded(async (request) => {
    const session = await guard.require(request, 'hotlists.submit');
    const entryId = pathParam(request.params[0], 'entry id');
    const body = objectBody(request.body, ['fields', 'remove'], 'INVALID');
    const remove = body['remove'] ?? undefined;
    const given = body['fields'] ?? undefined;
    // One or the other (docs/openapi.yaml): a removal sent with fields would drop the fields unseen.
    if (remove !== undefined && given !== undefined) throw new HttpError(400, 'INVALID', 'send either remove or fields, not both: {"remove": true} proposes removing the entry, {"fields": {...}} changing it');
    if (remove !== undefined && remove !== true) throw new HttpError(400, 'INVALID', '"remove" must be true, to propose removing the entry; to change it send {"fields": {...}} instead');
    if (remove === true) {
      await requireNamedForEntry(session, entryId, { op: 'submit_removal' });
      return { status: 201, body: await submitUpdate(ctx, session.user, entryId, { remove: true }) };
    }
    if (given !== undefined && (typeof given !== 'object' || Array.isArray(given))) throw new HttpError(400, 'INVALID', '"fields" must be an object with the fields that change');
    const fields = objectBody(given ?? {}, ENTRY_FIELDS, 'INVALID');
    const partial: Partial<EntryFields> = {};
    for (const name of ['plate', 'state', 'reason', 'caseNumber', 'synopsis', 'expiresAt'] as const) {
      const v = fields[name];
      if (v === undefined) continue;
      if (typeof v !== 'string') throw new HttpError(400, 'INVALID', `fields.${name} must be text`);
      partial[name] = v;
    }
    if (fields['vehicle'] !== undefined) partial.vehicle = vehicleOf(fields['vehicle']);
    if (Object.keys(partial).length === 0) throw new HttpError(400, 'INVALID', 'send {"fields": {...}} with what changes, or {"remove": true}');
    await requireNamedForEntry(session, entryId, { op: 'submit_update' });
    return { status: 201, body: await submitUpdate(ctx, session.user, entryId, { fields: partial }) };
  });

  const pending = guarded(async (request) => {
    const session = await guard.require(request, 'hotlists.approve_update');
    // A waiting change shows its entry (plate, case, synopsis): only to the users named for a covert list.
    const waiting = (await pendingChanges(ctx.storage)).filter((p) => accessTo(session, p.list) === LIST_ACCESS.full);
    return { status: 200, body: { pending: waiting } };
  });

  const decide = guarded(async (request) => {
    // Supervisors and administrators reach storage, which checks the permission the pending change needs.
    const session = await guard.require(request, 'hotlists.approve_update');
    const entryId = pathParam(request.params[0], 'entry id');
    const body = objectBody(request.body, ['decision', 'note', 'version'], 'INVALID');
    const decision = body['decision'];
    if (decision !== 'approved' && decision !== 'rejected') throw new HttpError(400, 'INVALID', 'decision must be "approved" or "rejected"');
    const note = body['note'];
    if (note !== undefined && typeof note !== 'string') throw new HttpError(400, 'INVALID', 'note must be text');
    const version = body['version'];
    if (version !== undefined && (typeof version !== 'number' || !Number.isInteger(version))) throw new HttpError(400, 'INVALID', 'version must be a whole number');
    const decisionRequest: { decision: EntryDecision; note?: string; version?: number } = { decision };
    if (note !== undefined) decisionRequest.note = note;
    if (version !== undefined) decisionRequest.version = version;
    await requireNamedForEntry(session, entryId, { op: 'decide' });
    const result = await decideEntry(ctx, session.user, entryId, decisionRequest);
    const published = result.changedList === null ? null : await publishApproved(result.changedList, session.user);
    return { status: 200, body: { ...result, published } };
  });

  const load = guarded(async (request) => {
    const session = await guard.require(request, 'hotlists.manage');
    const list = pathParam(request.params[0], 'list').toUpperCase();
    const body = loadFields(request);
    const params = { op: 'bulk_load', list, layout: typeof body['layout'] === 'string' ? loggedText(body['layout'], LOGGED_LAYOUT_NAME) : body['layout'] === undefined ? 'csv' : 'inline' };
    const logRefusal = async (error: unknown): Promise<never> => {
      const coded = error as { code?: string; message?: string };
      const detail = `${coded.code ?? 'ERROR'}: ${coded.message ?? String(error)}`;
      await ctx.accessLog.append({
        user: session.user, action: 'hotlist', outcome: coded.code === 'PERSONAL_DATA' || coded.code === 'PROHIBITED_PURPOSE' ? ACCESS_OUTCOMES.refused : ACCESS_OUTCOMES.invalid,
        params, rowsReturned: 0, caseNumber: '', reason: 'bulk_load', detail: loggedText(detail),
      });
      throw error;
    };
    // Gov. Code § 7284.6(a)(1): no hot list for immigration enforcement, whatever the configuration says.
    if (isImmigrationEnforcement(list)) {
      await logRefusal(new HttpError(403, 'PROHIBITED_PURPOSE', 'a hot list for immigration enforcement cannot be created or loaded (California Values Act, Gov. Code § 7284.6(a)(1))'));
    }
    if (isSpecificList(ctx.config, list)) {
      // As GET and POST /:list/entries answer a list nobody configured, designated or loaded.
      if (!(await isKnownList(list))) {
        await logRefusal(new HotlistError('UNKNOWN_LIST', `${unknownListMessage(list)}; bulk loads are for the configured general lists (${ctx.config.generalLists.join(', ')})`));
      }
      await logRefusal(new HttpError(409, 'SPECIFIC_LIST', `list ${list} is a specific list: its entries are submitted and approved one by one (Watsonville §471.5(f)(5)); bulk loads are for general lists (${ctx.config.generalLists.join(', ')})`));
    }
    let strict = false;
    let allowEmpty = false;
    try {
      strict = optionalBoolean(body, 'strict', 'INVALID') ?? false;
      allowEmpty = optionalBoolean(body, 'allowEmpty', 'INVALID') ?? false;
    } catch (error) {
      await logRefusal(error);
    }
    const text = body['text'];
    if ((typeof text !== 'string' && !(text instanceof Uint8Array)) || blankText(text)) await logRefusal(new HttpError(400, 'INVALID', 'send the file as {"text": "..."}'));
    let prepared: PreparedBulkLoad;
    try {
      // Own keys only: "constructor" would otherwise find Object.prototype's and answer 500.
      const layout = body['layout'] === undefined ? undefined : typeof body['layout'] === 'string' ? (Object.hasOwn(deps.layouts, body['layout']) ? deps.layouts[body['layout']] : undefined) : resolveBulkLayout(body['layout']);
      if (body['layout'] !== undefined && layout === undefined) throw new HttpError(400, 'INVALID_LAYOUT', `no layout "${String(body['layout'])}" is configured (known: ${Object.keys(deps.layouts).join(', ') || 'none'})`);
      prepared = await loader.prepare({ text: text as string | Uint8Array, list, ...(layout === undefined ? {} : { layout }), strict, config: ctx.config, immigrationMessageKeys: deps.immigrationMessageKeys });
    } catch (error) {
      return logRefusal(asHttp(error));
    }
    const report = prepared.report;
    if (prepared.entries === 0 && !allowEmpty) {
      // Every row rejected is a file to fix, not an empty one: which rows and why go with the
      // refusal, as with a partial load (found by QA: a header of 13 columns over rows of 7 read
      // only "no entries").
      const none = report.rows > 0 && report.rejected.length === report.rows ? `all ${report.rows} rows were rejected` : `the file has no entries for list ${list}`;
      await logRefusal(new HttpError(400, 'EMPTY_LIST', `${none}; an empty download is more likely a broken feed (send "allowEmpty": true to empty the list)`, {
        details: answeredRows(report),
      }));
    }
    const published = await oneVersionAtATime(list, () => publishEncodedHotlist(store, list, prepared, session.user, (previous, next) => loader.compare(list, previous, next.keys))).catch(logRefusal);
    // "Now version N" read as "N matches now" while the workers were still building it (found by
    // QA: reads of a newly listed plate in those seconds did not alert). The answer waits for it.
    const inForce = deps.inForce === undefined ? null : await deps.inForce(list, published.version, IN_FORCE_WAIT_MS);
    const reply = { ...published, inForce, ...answeredRows(report), ignoredColumns: report.ignoredColumns };
    await ctx.accessLog.append({
      user: session.user, action: 'hotlist', outcome: ACCESS_OUTCOMES.ok,
      params: { ...params, version: published.version, entries: published.entries, added: published.added, removed: published.removed, rejected: report.rejected.length, droppedImmigration: report.droppedImmigration },
      rowsReturned: 0, caseNumber: '', reason: 'bulk_load', detail: '',
    });
    return { status: 200, body: reply };
  });

  return [
    { method: 'get', pattern: prefix, handler: overview },
    { method: 'post', pattern: prefix, handler: designate },
    { method: 'get', pattern: `${prefix}/approvals`, handler: pending },
    { method: 'post', pattern: `${prefix}/approvals/:entryId`, handler: decide },
    { method: 'get', pattern: `${prefix}/entries/:entryId`, handler: history },
    { method: 'post', pattern: `${prefix}/entries/:entryId`, handler: update },
    { method: 'get', pattern: `${prefix}/:list/entries`, handler: entriesOf },
    { method: 'post', pattern: `${prefix}/:list/entries`, handler: submit },
    {
      method: 'post', pattern: `${prefix}/:list/load`, handler: load,
      query: { names: ['layout', 'strict', 'allowEmpty'], code: 'INVALID' },
      textBody: {
        contentTypes: ['text/csv', 'text/plain'],
        maxBytes: HOTLIST_FILE_MAX_BYTES,
        raw: true,
        // Before a byte of a 256 MiB file is read: who may load a list at all.
        admit: async (request) => {
          await guard.require(request, 'hotlists.manage');
        },
      },
    },
  ];
}
