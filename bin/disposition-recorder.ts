// The gateway's DispositionRecorder over storage: finds the hit's read time (from the gateway's
// copy of the hit, else the hits table) and records the disposition with it.
import type { DispositionEntry, DispositionRecorder, DispositionResult, HitDispositionValue } from '../gateway/index.js';
import { CLAIM_KINDS, dispositionsOf, hitSeenAt, oneAtATimePerKey, recordDisposition, underClaim, type Disposition, type Storage, type VersionClaims } from '../storage/index.js';

/** Another gateway recorded this answer's turn first. */
class LostClaim extends Error {}

// The gateway's values and storage's must be the same set: this fails to compile otherwise.
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const DISPOSITIONS_AGREE: SameSet<Disposition, HitDispositionValue> = true;

/**
 * Two consoles answering one hit at once must not both find it unresolved: answers to one hit are
 * taken one at a time here, and with `claims` (several gateways) the N-th is claimed across them.
 */
export function storedDispositions(storage: Pick<Storage, 'client' | 'db'>, claims?: VersionClaims): DispositionRecorder {
  const oneAtATime = oneAtATimePerKey();
  return {
    record: (entry: DispositionEntry): Promise<DispositionResult> => oneAtATime(entry.hitId, async () => {
      // The hit writer batches, so a hit just raised may be in the gateway but not yet stored.
      const seenAt = entry.seenAt ?? (await hitSeenAt(storage, entry.hitId));
      if (seenAt === undefined) return { ok: false, reason: 'unknown_hit' };
      const earlier = await dispositionsOf(storage, entry.hitId);
      const last = earlier.at(-1);
      if (last !== undefined && entry.correction !== true) return { ok: false, reason: 'already_resolved', resolved: last };
      const recordedAt = Date.now();
      const write = async (): Promise<DispositionResult> => {
        await recordDisposition(storage, {
          hitId: entry.hitId, seenAt, user: entry.user, disposition: entry.disposition, visualVerified: entry.visualVerified,
          cletsVerified: entry.cletsVerified, notes: entry.notes, recordedAt,
        });
        return { ok: true, recordedAt, corrected: earlier.length > 0 };
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
