// The gateway's DispositionRecorder over storage: finds the hit's list and read time (from the
// gateway's copy of the hit, else the hits table), refuses a covert list's hit to a user not named
// for the list as if it did not exist, refuses an answer acting on a hit without the wanted-person
// check its list asks (§471.5(f)(2), gateway's `personCheckOf`), and records the disposition with
// its access log record.
// Every attempt past the route's checks is on the access log: ok, refused (COVERT_LIST), invalid
// (no such hit) or failed.
import { personCheckOf, type DispositionEntry, type DispositionRecorder, type DispositionResult, type HitDispositionValue } from '../gateway/index.js';
import { DEFAULT_MATCHER_CONFIG, type MatcherConfig } from '../matcher/index.js';
import {
  ACCESS_ACTIONS, ACCESS_OUTCOMES, CLAIM_KINDS, covertHitRefusal, dispositionsOf, hitListAndSeenAt, oneAtATimePerKey, recordDisposition, underClaim,
  type AccessEntry, type AccessLog, type Disposition, type Storage, type VersionClaims,
} from '../storage/index.js';

/** Another gateway recorded this answer's turn first. */
class LostClaim extends Error {}

// The gateway's values and storage's must be the same set: this fails to compile otherwise.
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const DISPOSITIONS_AGREE: SameSet<Disposition, HitDispositionValue> = true;

/**
 * Two consoles answering one hit at once must not both find it unresolved: answers to one hit are
 * taken one at a time here, and with `claims` (several gateways) the N-th is claimed across them.
 * `accessLog` gets every answer, and every attempt on a hit that does not exist or that the user
 * may not see (Watsonville §471.7(b)). `lists` says which lists are the stolen vehicle and plate
 * lists, whose hits are not asked the wanted-person check (the matcher's configuration).
 */
export function storedDispositions(
  storage: Pick<Storage, 'client' | 'db'>, accessLog: Pick<AccessLog, 'append'>, claims?: VersionClaims,
  lists: Pick<MatcherConfig, 'generalLists'> = DEFAULT_MATCHER_CONFIG,
): DispositionRecorder {
  const oneAtATime = oneAtATimePerKey();
  const logged = async (entry: DispositionEntry, record: Pick<AccessEntry, 'outcome' | 'params' | 'reason' | 'detail'>): Promise<void> => {
    await accessLog.append({ user: entry.user, action: ACCESS_ACTIONS.disposition, rowsReturned: 0, caseNumber: '', ...record });
  };
  return {
    record: (entry: DispositionEntry): Promise<DispositionResult> => oneAtATime(entry.hitId, async () => {
      // The hit writer batches, so a hit just raised may be in the gateway but not yet stored.
      const hit = entry.seenAt !== undefined && entry.list !== undefined ? { seenAt: entry.seenAt, list: entry.list } : await hitListAndSeenAt(storage, entry.hitId);
      const asked = { hitId: entry.hitId, disposition: entry.disposition, correction: entry.correction === true };
      // On the record too, so the audit tells a mistyped id from a probe of a covert list, and the
      // two answers take the same work (one look-up, one append): nothing to time them apart by.
      if (hit === undefined) {
        await logged(entry, { outcome: ACCESS_OUTCOMES.invalid, params: asked, reason: '', detail: 'UNKNOWN_HIT: no such hit is stored or live' });
        return { ok: false, reason: 'unknown_hit' };
      }
      // Before the hit's answers are read: who answered a covert hit, and when, is not for this user either.
      if (entry.hiddenLists?.has(hit.list) === true) {
        await logged(entry, { outcome: ACCESS_OUTCOMES.refused, params: asked, reason: '', detail: covertHitRefusal(entry.user) });
        return { ok: false, reason: 'covert_list' };
      }
      // Refused by the route, which puts it on the access log as it does the other two checks.
      const person = personCheckOf(entry, hit.list, lists);
      if (!person.ok) return person;
      const earlier = await dispositionsOf(storage, entry.hitId);
      const last = earlier.at(-1);
      if (last !== undefined && entry.correction !== true) return { ok: false, reason: 'already_resolved', resolved: last };
      const recordedAt = Date.now();
      const record = {
        params: {
          hitId: entry.hitId, list: hit.list, disposition: entry.disposition, correction: earlier.length > 0, visualVerified: entry.visualVerified, cletsVerified: entry.cletsVerified,
          ...(person.personVerified === null ? {} : { personVerified: person.personVerified }),
        },
        reason: entry.notes,
      };
      const write = async (): Promise<DispositionResult> => {
        // On the record first, as a hit view is before it is sent: an answer that cannot be put on
        // the access log is not recorded (the error goes back to the console, which can try again).
        await logged(entry, { ...record, outcome: ACCESS_OUTCOMES.ok, detail: '' });
        try {
          await recordDisposition(storage, {
            hitId: entry.hitId, seenAt: hit.seenAt, user: entry.user, disposition: entry.disposition, visualVerified: entry.visualVerified,
            cletsVerified: entry.cletsVerified, personVerified: person.personVerified, notes: entry.notes, recordedAt,
          });
        } catch (error) {
          // The "ok" record above stands for an answer that was not stored: say so on the record.
          await logged(entry, { ...record, outcome: ACCESS_OUTCOMES.failed, detail: `not recorded: ${(error as Error).message}`.slice(0, 500) });
          throw error;
        }
        return { ok: true, recordedAt, list: hit.list, corrected: earlier.length > 0, personVerified: person.personVerified };
      };
      try {
        return await underClaim(claims, CLAIM_KINDS.hitDisposition, entry.hitId, earlier.length + 1, () => { throw new LostClaim(); }, write);
      } catch (error) {
        if (!(error instanceof LostClaim)) throw error;
        const won = (await dispositionsOf(storage, entry.hitId)).at(-1);
        return won === undefined ? { ok: false, reason: 'already_resolved' } : { ok: false, reason: 'already_resolved', resolved: won };
      }
    }),
  };
}
