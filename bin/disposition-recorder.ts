// The gateway's DispositionRecorder over storage: finds the hit's read time (from the gateway's
// copy of the hit, else the hits table) and records the disposition with it.
import type { DispositionEntry, DispositionRecorder, DispositionResult, HitDispositionValue } from '../gateway/index.js';
import { hitSeenAt, recordDisposition, type Disposition, type Storage } from '../storage/index.js';

// The gateway's values and storage's must be the same set: this fails to compile otherwise.
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const DISPOSITIONS_AGREE: SameSet<Disposition, HitDispositionValue> = true;

export function storedDispositions(storage: Pick<Storage, 'client' | 'db'>): DispositionRecorder {
  return {
    async record(entry: DispositionEntry): Promise<DispositionResult> {
      // The hit writer batches, so a hit just raised may be in the gateway but not yet stored.
      const seenAt = entry.seenAt ?? (await hitSeenAt(storage, entry.hitId));
      if (seenAt === undefined) return { ok: false, reason: 'unknown_hit' };
      const recordedAt = Date.now();
      await recordDisposition(storage, {
        hitId: entry.hitId, seenAt, user: entry.user, disposition: entry.disposition, visualVerified: entry.visualVerified,
        cletsVerified: entry.cletsVerified, notes: entry.notes, recordedAt,
      });
      return { ok: true, recordedAt };
    },
  };
}
