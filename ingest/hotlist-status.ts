// What every hot list in the store is now: version, size, who loaded it and when, and whether a
// general list is stale. Watsonville §471.5(f)(4): general lists (SVS, SFR, SLR) are downloaded at
// least once a day, so one older than `staleAfterMs` raises an alarm — on the console (the JSON
// API) and in metrics (`platewatch_hotlist_stale{list}` 1). Age is judged from the load time the
// loader wrote into the object, so a restart of the workers does not make an old list look new.
import type { ObjectStore } from '@nats-io/obj';
import type { MatcherConfig } from '../matcher/index.js';
import type { Logger } from 'pino';
import { listVersionOf } from './hotlist-distribution.js';
import type { MetricsRegistry } from './metrics.js';

/** Watsonville §471.5(f)(4): at least one download a day. */
export const DEFAULT_STALE_AFTER_MS = 24 * 3600 * 1000;

export interface HotlistStatus {
  list: string;
  kind: 'general' | 'specific';
  version: number;
  entries: number;
  loadedBy: string;
  /** ISO 8601; null for a configured general list never loaded. */
  loadedAt: string | null;
  ageSeconds: number | null;
  /** A general list older than the limit: the daily download did not arrive. */
  stale: boolean;
}

/** The lists in the store, and configured general lists never loaded (stale), by name. */
export async function describeHotlists(store: ObjectStore, config: Pick<MatcherConfig, 'generalLists'>, staleAfterMs = DEFAULT_STALE_AFTER_MS, now = Date.now()): Promise<HotlistStatus[]> {
  const out: HotlistStatus[] = [];
  for (const listed of await store.list()) {
    const info = (await store.info(listed.name)) ?? listed;
    if (info.deleted) continue;
    const loadedAt = Date.parse(info.metadata?.['loadedAt'] ?? info.mtime);
    const age = Math.max(0, now - loadedAt);
    const general = config.generalLists.includes(info.name);
    out.push({
      list: info.name,
      kind: general ? 'general' : 'specific',
      version: listVersionOf(info),
      entries: Number(/^(\d+) entries/.exec(info.description ?? '')?.[1] ?? 0),
      loadedBy: info.metadata?.['loadedBy'] ?? '',
      loadedAt: new Date(loadedAt).toISOString(),
      ageSeconds: Math.round(age / 1000),
      stale: general && age > staleAfterMs,
    });
  }
  for (const general of config.generalLists) {
    if (!out.some((s) => s.list === general)) out.push({ list: general, kind: 'general', version: 0, entries: 0, loadedBy: '', loadedAt: null, ageSeconds: null, stale: true });
  }
  return out.sort((a, b) => (a.list < b.list ? -1 : a.list > b.list ? 1 : 0));
}

/**
 * Adds `platewatch_hotlist_stale{list}` (1 stale, 0 fresh), `platewatch_hotlist_loaded_at_seconds{list}`
 * and `platewatch_hotlist_age_seconds{list}`, refreshed at every scrape. A general list that is
 * configured but was never loaded is stale too. The age counts from the load, as the staleness
 * does: counted from a worker's build, every restart made a day-old list young again for alerts.
 */
export function registerHotlistStaleness(metrics: MetricsRegistry, store: ObjectStore, config: Pick<MatcherConfig, 'generalLists'>, staleAfterMs = DEFAULT_STALE_AFTER_MS, logger?: Logger): void {
  const stale = metrics.gauge('platewatch_hotlist_stale', `1 when a general hot list is older than ${Math.round(staleAfterMs / 1000)} s or missing, else 0 (Watsonville §471.5(f)(4): downloaded at least daily)`, { labelNames: ['list'] });
  const loadedAt = metrics.gauge('platewatch_hotlist_loaded_at_seconds', 'When the version of each hot list in the store was loaded (epoch seconds)', { labelNames: ['list'] });
  const age = metrics.gauge(
    'platewatch_hotlist_age_seconds',
    `Seconds since the version of each hot list in the store was loaded; general lists older than ${Math.round(staleAfterMs / 1000)} are stale (Watsonville §471.5(f)(4))`,
    { labelNames: ['list'] },
  );
  metrics.onCollect(async () => {
    try {
      for (const s of await describeHotlists(store, config, staleAfterMs)) {
        stale.set(s.stale ? 1 : 0, { list: s.list });
        if (s.loadedAt !== null) loadedAt.set(Math.round(Date.parse(s.loadedAt) / 1000), { list: s.list });
        if (s.ageSeconds !== null) age.set(s.ageSeconds, { list: s.list });
      }
    } catch (error) {
      // The store is unreachable (NATS down): keep the last values and say so; the scrape still answers.
      logger?.warn({ err: error }, 'hot list store unavailable for the staleness metric');
    }
  });
}

/** How often the log is told of lists that turned stale or fresh. */
export const STALENESS_CHECK_EVERY_MS = 10 * 60_000;

/**
 * Logs a warning when a general list turns stale (and at start, each stale one), and a line when
 * it is fresh again: only the metric said so, and a department without alerting on it learned of a
 * missed daily download from nobody (found by QA). Checked every `everyMs`; the first check is
 * awaited, so `up`'s start-up log names the stale lists before it says it is up. `recheck()` checks
 * at once: called when a new version is in force, so a warning does not stand in the log for up to
 * `everyMs` after the API and /metrics say the list is current (found by QA).
 */
export async function watchHotlistStaleness(
  store: ObjectStore, config: Pick<MatcherConfig, 'generalLists'>, staleAfterMs: number, logger: Logger,
  /** How the log names a list: a covert list by its alias (covert-1), as /metrics does. */
  logName: (list: string) => string = (list) => list,
  everyMs = STALENESS_CHECK_EVERY_MS,
): Promise<StalenessWatch> {
  const stale = new Set<string>();
  const checkOnce = async (): Promise<void> => {
    let statuses: HotlistStatus[];
    try {
      statuses = await describeHotlists(store, config, staleAfterMs);
    } catch {
      return; // the store is unreachable (NATS down): that has its own log lines; try again later
    }
    for (const s of statuses) {
      if (s.stale && !stale.has(s.list)) {
        stale.add(s.list);
        const limit = staleAfterMs >= 3_600_000 ? `${Math.round(staleAfterMs / 3_600_000)} h` : `${Math.round(staleAfterMs / 1000)} s`;
        const when = s.loadedAt === null ? 'it has never been loaded' : `it was loaded ${s.loadedAt} (${Math.round((s.ageSeconds ?? 0) / 3600)} h ago)`;
        const name = logName(s.list);
        logger.warn(
          { list: name, loadedAt: s.loadedAt },
          `general hot list ${name} is stale: ${when}, and general lists are downloaded at least every ${limit} (Watsonville §471.5(f)(4)); load the day's file: ./platewatch hotlist load --list ${name === s.list ? s.list : 'NAME'} --as ID FILE`,
        );
      } else if (!s.stale && stale.delete(s.list)) {
        const name = logName(s.list);
        logger.info({ list: name, version: s.version, loadedAt: s.loadedAt }, `general hot list ${name} is current again (version ${s.version})`);
      }
    }
  };
  // One check at a time: two at once (the timer's and a recheck) would both warn of the same list.
  let last = Promise.resolve();
  const check = (): Promise<void> => (last = last.then(checkOnce));
  await check();
  const timer = setInterval(() => void check(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), recheck: check };
}

export interface StalenessWatch {
  stop(): void;
  /** Checks now; settles once logged. Never rejects: an unreachable store waits for the next check. */
  recheck(): Promise<void>;
}
