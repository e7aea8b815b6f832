// Retroactive hits (issue 4): when entries are added to a specific list, the detections stored
// over the last N days are searched for them and past sightings are raised as historical hits —
// the same HitMessage, marked `historical`, with the same hit id a live hit would have had, so
// a sighting is never alerted twice.
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { entryKey, Matcher, type HotlistEntry, type ListIndex, type MatcherConfig } from '../matcher/index.js';
import { oneAtATimePerKey } from '../storage/one-at-a-time.js';
import { encodeHitMessage, HIT_MESSAGE_VERSION, hitId } from './hit-message.js';
import type { RetroactiveCheckpoints } from './retroactive-checkpoints.js';
import { hitsSubject } from './subjects.js';
import type { WireRead } from './wire.js';

/** Default look-back for retroactive hits. */
export const DEFAULT_RETROACTIVE_DAYS = 30;

/** Stored reads that may match an entry (a superset is fine: the matcher decides). */
export interface PastSightings {
  find(entry: HotlistEntry, sinceMs: number, untilMs: number): Promise<WireRead[]>;
}

export interface RetroactiveOptions {
  js: JetStreamClient;
  config: MatcherConfig;
  sightings: PastSightings;
  logger: Logger;
  /** @default DEFAULT_RETROACTIVE_DAYS */
  days?: number;
  now?: () => number;
}

/** Searches past detections for newly added entries and publishes historical hits; returns how many. */
export async function raiseRetroactiveHits(list: string, version: number, added: readonly HotlistEntry[], options: RetroactiveOptions): Promise<number> {
  if (added.length === 0) return 0;
  const now = (options.now ?? Date.now)();
  const since = now - (options.days ?? DEFAULT_RETROACTIVE_DAYS) * 86_400_000;
  // Only the new entries: a past sighting of an old entry was alerted when it happened.
  const matcher = new Matcher(options.config);
  matcher.swapList(matcher.buildList(list, added, version));
  let raised = 0;
  for (const entry of added) {
    const reads = await options.sightings.find(entry, since, now);
    for (const read of reads) {
      for (const hit of matcher.matchRead(read, now)) {
        if (hit.entry !== entry.listed) continue;
        const id = hitId(read, hit.list, hit.entry, hit);
        const data = encodeHitMessage({ v: HIT_MESSAGE_VERSION, hitId: id, publishedAt: Date.now(), historical: true, read, hit });
        await options.js.publish(hitsSubject(read.agency, hit.list), data, { msgID: id });
        raised++;
      }
    }
  }
  if (raised > 0) options.logger.info({ list, version, added: added.length, raised }, 'historical hits raised for new entries');
  return raised;
}

/**
 * Decides, for each version of a specific list swapped in, which entries are new and searches
 * their past sightings. "New" is judged against the record of what was searched before
 * (RetroactiveCheckpoints), not against the version this process had, so entries added while no
 * process was running are searched at the next start. The record moves on only once every new
 * entry has been searched and its hits published: a failed check is tried again, for the entries
 * still unsearched, at the list's next version or the next start. Versions of one list are checked
 * one after another.
 */
export class RetroactiveChecks {
  private readonly oneAtATime = oneAtATimePerKey();

  constructor(
    private readonly checkpoints: RetroactiveCheckpoints,
    private readonly options: RetroactiveOptions,
  ) {}

  /** Returns how many historical hits were raised. `atStart`: the version was loaded by the start itself. */
  check(list: string, next: ListIndex, atStart: boolean): Promise<number> {
    return this.oneAtATime(list, async () => {
      const searched = await this.checkpoints.searched(list);
      if (searched === null && atStart && this.checkpoints.created) {
        // First start with the record: what is in force now was searched as it arrived.
        await this.checkpoints.record(list, next.version, next.entries());
        return 0;
      }
      if (searched !== null && searched.version >= next.version) return 0;
      const entries = next.entries();
      const added = searched === null ? entries : entries.filter((e) => !searched.keys.has(entryKey(e)));
      const raised = await raiseRetroactiveHits(list, next.version, added, this.options);
      await this.checkpoints.record(list, next.version, entries);
      return raised;
    });
  }
}
