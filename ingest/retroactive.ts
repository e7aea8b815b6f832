// Retroactive hits (issue 4): when entries are added to a specific list, the detections stored
// over the last N days are searched for them and past sightings are raised as historical hits —
// the same HitMessage, marked `historical`, with the same hit id a live hit would have had, so
// a sighting is never alerted twice.
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { Matcher, type HotlistEntry, type ListIndex, type MatcherConfig } from '../matcher/index.js';
import { encodeHitMessage, HIT_MESSAGE_VERSION, hitId } from './hit-message.js';
import { hitsSubject } from './subjects.js';
import type { WireRead } from './wire.js';

/** Default look-back for retroactive hits. */
export const DEFAULT_RETROACTIVE_DAYS = 30;

/** Stored reads that may match an entry (a superset is fine: the matcher decides). */
export interface PastSightings {
  find(entry: HotlistEntry, sinceMs: number, untilMs: number): Promise<WireRead[]>;
}

/** Entries of `next` that `previous` did not have (same plate or pattern and state). */
export function addedEntries(previous: ListIndex | undefined, next: ListIndex): HotlistEntry[] {
  const key = (e: HotlistEntry): string => `${e.plate}|${e.state ?? ''}`;
  const before = new Set((previous?.entries() ?? []).map(key));
  return next.entries().filter((e) => !before.has(key(e)));
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
        const id = hitId(read.id, hit.list, hit.entry);
        const data = encodeHitMessage({ v: HIT_MESSAGE_VERSION, hitId: id, publishedAt: Date.now(), historical: true, read, hit });
        await options.js.publish(hitsSubject(read.agency, hit.list), data, { msgID: id });
        raised++;
      }
    }
  }
  if (raised > 0) options.logger.info({ list, version, added: added.length, raised }, 'historical hits raised for new entries');
  return raised;
}
