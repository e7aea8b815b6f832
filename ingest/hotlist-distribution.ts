// Hot list versions reach every pipeline worker through a JetStream object store: a loader puts
// the validated entries of a list as one object; every worker watches the store, builds the new
// list off to the side and swaps it in. Each list counts its own versions (1 for its first load,
// one more for each load after), written into the object's metadata, so workers, hits and the
// console agree on what "version 7 of SVS" means and a department's first SVS load is version 1.
// Which object is newest is still judged by the store's revision, which only grows. A list object
// that cannot be decoded is refused whole and the worker keeps the list it has.
import { Objm, setSha256Backend, type ObjectInfo, type ObjectStore } from '@nats-io/obj';
import type { JetStreamClient } from '@nats-io/jetstream';
import { JetStreamApiCodes, JetStreamApiError, StorageType } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { type HotlistEntry, type ListIndex, type ListLoadSummary, type Matcher } from '../matcher/index.js';
import { countListChanges, listKeys, type ListChanges } from './bulk-load.js';
import { decodeHotlist, encodeHotlist, HotlistDecodeError } from './hotlist-codec.js';
import type { ListBuilder } from './list-builder.js';

export const HOTLISTS_BUCKET = 'platewatch-hotlists';
const HOTLIST_FORMAT = 'platewatch-hotlist-v1';


// The object store checks every object it puts and gets with SHA-256, by default in pure JS on
// the main thread: 2.5 s of it per 122 MB list, three times per daily load (its put, the previous
// version read to count changes, every worker's read), against 0.1 s with node:crypto. Process-wide,
// set here at load, before any object store is used.
setSha256Backend('native');

export async function openHotlistStore(js: JetStreamClient): Promise<ObjectStore> {
  return new Objm(js).create(HOTLISTS_BUCKET, { storage: StorageType.File, description: 'platewatch hot lists, one object per list' });
}

export interface PublishedList {
  list: string;
  version: number;
  entries: number;
  /** Listed plates in the new version and not the old, and the other way round. */
  added: number;
  removed: number;
}

/**
 * A list's own version number. Objects put before lists counted their own versions carry none:
 * their store revision stands in, and the next load counts on from it, so a list's numbers only
 * ever grow. A deleted list's object keeps its metadata, so a list loaded again after a delete
 * counts on too and no version number names two different contents.
 */
export function listVersionOf(info: Pick<ObjectInfo, 'metadata' | 'revision'>): number {
  const counted = Number(info.metadata?.['listVersion']);
  return Number.isSafeInteger(counted) && counted > 0 ? counted : info.revision;
}

/**
 * How often a put that lost the race for a version number is made again, with the next number.
 * Each loser of a round is beaten by one winner, so this many processes loading one list at the
 * same instant all get a version.
 */
export const PUBLISH_ATTEMPTS = 8;

/** Another process put a version of the list while this one was putting the same number. */
export class HotlistVersionConflictError extends Error {
  readonly code = 'CONCURRENT_CHANGE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HotlistVersionConflictError';
  }
}

/**
 * Puts a new version of `list` (entries already validated, or read on each attempt: an approval's
 * approved entries). Returns the version every worker will use, with what it added and removed
 * against the version it replaced.
 */
export function publishHotlist(
  store: ObjectStore, list: string, entries: readonly HotlistEntry[] | (() => Promise<readonly HotlistEntry[]>), loadedBy: string,
): Promise<PublishedList> {
  const encode = async (): Promise<EncodedListVersion> => {
    const next = typeof entries === 'function' ? await entries() : entries;
    return { encoded: encodeHotlist(next), entries: next.length, keys: listKeys(next) };
  };
  return publishEncodedHotlist(store, list, encode, loadedBy, async (previous, next) => countListChanges(list, previous, next.keys));
}

/** A version's bytes as the store keeps them (ingest/hotlist-codec.ts), how many entries they hold, and their listKeys. */
export interface EncodedListVersion {
  encoded: Uint8Array;
  entries: number;
  keys: string;
}

/**
 * Puts a version already encoded (a bulk load prepared in a worker thread: ingest/list-loader.ts),
 * `compare` counting its changes against the version it replaces, from their bytes.
 *
 * Version N + 1 is put only if the list's object is still version N: the put carries the store
 * revision it read (JetStream's expected-last-subject-sequence on the object's metadata), so of
 * two loads of one list at the same instant — two gateways, a gateway and `platewatch hotlist
 * load --nats` — one is refused by NATS itself and puts again as N + 2, diffed against N + 1.
 * No version number ever names two contents (found by QA: two uploads of one list were both
 * answered "version 5", and one of them was lost unseen).
 */
export async function publishEncodedHotlist(
  store: ObjectStore, list: string, version: EncodedListVersion | (() => Promise<EncodedListVersion>), loadedBy: string,
  compare: (previous: Uint8Array | null, next: EncodedListVersion) => Promise<ListChanges>,
): Promise<PublishedList> {
  for (let attempt = 1; ; attempt++) {
    const previousInfo = await store.info(list);
    const number = previousInfo === null ? 1 : listVersionOf(previousInfo) + 1;
    const next = typeof version === 'function' ? await version() : version;
    // Bytes only: the previous version's million entries are never objects on this thread.
    const previous = previousInfo === null || previousInfo.deleted ? null : await readHotlistBlob(store, list).then((blob) => blob?.data ?? null, () => null);
    const { added, removed } = await compare(previous, next);
    try {
      await store.putBlob(
        { name: list, description: `${next.entries} entries`, headers: undefined, metadata: { format: HOTLIST_FORMAT, listVersion: String(number), loadedBy, loadedAt: new Date().toISOString() } },
        next.encoded,
        // 0: the list must have no object yet.
        { previousRevision: previousInfo?.revision ?? 0 },
      );
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
      if (attempt >= PUBLISH_ATTEMPTS) {
        throw new HotlistVersionConflictError(`list ${list}: version ${number} was put by another load at the same moment, ${attempt} times over; nothing of this load was put: load it again`, { cause: error });
      }
      continue;
    }
    return { list, version: number, entries: next.entries, added, removed };
  }
}

function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}

/**
 * The current version of a list and its bytes (read together, so they belong together), or null.
 * `revision` is the store's, which orders versions even across processes.
 */
export async function readHotlistBlob(store: ObjectStore, list: string): Promise<{ version: number; revision: number; data: Uint8Array } | null> {
  const result = await store.get(list);
  if (result === null) return null;
  // Copied in chunk by chunk as they come, into bytes of its own: one concat of a 122 MB list held
  // the main thread 0.3 s, and the bytes, all theirs, move to a worker thread without a copy.
  let data = new Uint8Array(result.info.size);
  let filled = 0;
  for await (const chunk of result.data) {
    if (filled + chunk.byteLength > data.byteLength) {
      const grown = new Uint8Array(Math.max(data.byteLength * 2, filled + chunk.byteLength));
      grown.set(data.subarray(0, filled));
      data = grown;
    }
    data.set(chunk, filled);
    filled += chunk.byteLength;
  }
  const failed = await result.error;
  if (failed) throw new HotlistDecodeError(`list ${list}: object could not be read (${failed.message})`, { cause: failed });
  return { version: listVersionOf(result.info), revision: result.info.revision, data: filled === data.byteLength ? data : data.slice(0, filled) };
}

/** The current version of a list and its entries, or null. */
export async function readHotlistVersion(store: ObjectStore, list: string): Promise<{ version: number; entries: HotlistEntry[] } | null> {
  const blob = await readHotlistBlob(store, list);
  return blob === null ? null : { version: blob.version, entries: decodeHotlist(list, blob.data) };
}

export async function readHotlist(store: ObjectStore, list: string): Promise<HotlistEntry[] | null> {
  return (await readHotlistVersion(store, list))?.entries ?? null;
}

/**
 * Keeps a Matcher's lists in step with the store: loads every list at start, then each new
 * version as it is put, and drops lists that are deleted. Versions are decoded and indexed by
 * the ListBuilder (off the main thread); only the swap happens here.
 */
export class HotlistFollower {
  private watcher: Awaited<ReturnType<ObjectStore['watch']>> | undefined;
  private starting = false;
  private loop: Promise<void> | undefined;
  /** The store revision of the version swapped in, per list: what "newer" is judged by. */
  private readonly appliedRevision = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly matcher: Matcher,
    private readonly builder: ListBuilder,
    private readonly logger: Logger,
    /** Called after each swap; `atStart` is true for the lists loaded by `start()` itself. */
    private readonly onLoaded: (summary: ListLoadSummary, previous: ListIndex | undefined, next: ListIndex, atStart: boolean) => void = () => {},
    /**
     * A list's name as the log may show it: `up`'s log usually ends up in journald or a file read
     * by people not named for a covert list, so those appear as their /metrics alias (covert-1…).
     */
    private readonly logName: (list: string) => string = (list) => list,
  ) {}

  /** Resolves once every list present at start is loaded. */
  async start(): Promise<void> {
    // Watch first, then list: a version put while the lists present at start are still building
    // (seconds, for a large general list) waits in the watch instead of being missed. `apply`
    // skips anything already swapped in, so a version seen both ways is built once.
    this.watcher = await this.store.watch({ includeHistory: false });
    this.starting = true;
    for (const info of await this.store.list()) await this.apply(info);
    this.starting = false;
    this.loop = (async () => {
      for await (const info of this.watcher!) {
        if (info === null) continue;
        await this.apply(info);
      }
    })();
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    await this.loop;
  }

  private async apply(info: ObjectInfo): Promise<void> {
    const list = info.name;
    if (info.deleted) {
      this.appliedRevision.delete(list);
      if (this.matcher.removeList(list)) this.logger.info({ list: this.logName(list) }, 'hot list removed');
      return;
    }
    try {
      const current = await readHotlistBlob(this.store, list);
      if (current === null || (this.appliedRevision.get(list) ?? 0) >= current.revision) return;
      const started = performance.now();
      const built = await this.builder.build(list, current.version, current.data);
      // A newer version may have been swapped in while this one was read.
      if ((this.appliedRevision.get(list) ?? 0) >= current.revision) return;
      const previous = this.matcher.current.get(list);
      this.matcher.swapList(built);
      this.appliedRevision.set(list, current.revision);
      const summary: ListLoadSummary = { list, version: built.version, entries: built.size, plates: built.plateCount, patterns: built.patternCount, builtAt: built.builtAt, buildMs: performance.now() - started };
      this.logger.info({ ...summary, list: this.logName(list) }, 'hot list version swapped in');
      this.onLoaded(summary, previous, built, this.starting);
    } catch (error) {
      this.logger.error({ err: error, list: this.logName(list) }, 'hot list version refused; the previous version stays active');
    }
  }
}
