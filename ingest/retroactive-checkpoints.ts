// Which entries of each specific list have had their past sightings searched (retroactive hits),
// kept in JetStream beside the hot lists. Remembering it in the process alone lost an entry
// approved while `up` was down or restarting: the version it arrived in was "already in force" at
// the next start, so its last 30 days were never searched. With the record, a start searches
// exactly the entries added since the last search, and never repeats one.
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { JetStreamClient } from '@nats-io/jetstream';
import { JetStreamApiCodes, JetStreamApiError, StorageType } from '@nats-io/jetstream';
import { pack, unpack } from 'msgpackr';
import { entryKey, type HotlistEntry } from '../matcher/index.js';

export const RETROACTIVE_BUCKET = 'platewatch-retroactive';

export interface SearchedVersion {
  version: number;
  /** `entryKey` (matcher/entry.ts) of every entry whose past sightings have been searched. */
  keys: Set<string>;
}

export class RetroactiveCheckpoints {
  private constructor(
    private readonly store: ObjectStore,
    /**
     * True when this open created the bucket: a system upgraded from before the record existed
     * (or a new one). Its lists in force were searched as they arrived, or have nothing stored to
     * search, so a start takes them as searched instead of raising their sightings again.
     */
    readonly created: boolean,
  ) {}

  static async open(js: JetStreamClient): Promise<RetroactiveCheckpoints> {
    const objm = new Objm(js);
    // Asked of the stream itself: Objm.open answers a missing bucket and a failed request alike.
    const jsm = await js.jetstreamManager();
    const exists = await jsm.streams.info(`OBJ_${RETROACTIVE_BUCKET}`).then(
      () => true,
      (error: unknown) => {
        if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return false;
        throw error;
      },
    );
    if (exists) return new RetroactiveCheckpoints(await objm.open(RETROACTIVE_BUCKET, false), false);
    const store = await objm.create(RETROACTIVE_BUCKET, { storage: StorageType.File, description: 'platewatch: entries of each specific list searched for past sightings' });
    return new RetroactiveCheckpoints(store, true);
  }

  /** The last version of `list` searched and its entries, or null if none ever was. */
  async searched(list: string): Promise<SearchedVersion | null> {
    const data = await this.store.getBlob(list);
    if (data === null) return null;
    const decoded = unpack(data) as { version?: unknown; keys?: unknown };
    if (typeof decoded.version !== 'number' || !Array.isArray(decoded.keys)) return null;
    return { version: decoded.version, keys: new Set(decoded.keys.map(String)) };
  }

  /** Records that every entry of `version` has been searched. */
  async record(list: string, version: number, entries: readonly HotlistEntry[]): Promise<void> {
    await this.store.putBlob({ name: list }, pack({ version, keys: entries.map(entryKey) }));
  }
}
