// Covert hot lists (an investigation's list that patrol must not see): their hits go only to the
// users named for the list, never to patrol consoles — not live, not in replays, not in the hit
// API, not as escalations. Configured by the ALPR Administrator (Watsonville §471.5(f)(4):
// designation of hot lists) in `hits.covertLists` of the config file: list → user ids.
export class CovertLists {
  private readonly named: ReadonlyMap<string, ReadonlySet<string>>;
  private readonly cache = new Map<string, ReadonlySet<string>>();

  constructor(byList: Readonly<Record<string, readonly string[]>> = {}) {
    this.named = new Map(Object.entries(byList).map(([list, users]) => [list.toUpperCase(), new Set(users)]));
  }

  isCovert(list: string): boolean {
    return this.named.has(list);
  }

  /** The covert lists `user` is not named on: the lists whose hits they must not see. */
  hiddenFor(user: string): ReadonlySet<string> {
    let hidden = this.cache.get(user);
    if (hidden === undefined) {
      hidden = new Set([...this.named].filter(([, users]) => !users.has(user)).map(([list]) => list));
      this.cache.set(user, hidden);
    }
    return hidden;
  }

  /**
   * A console's filter as the access log may keep it for `user`: covert lists they are not named
   * on left out (the log is read by auditors who may not be named either); whether it asked for
   * one, which the log records as a refusal; and whether nothing else was asked, so no view is.
   */
  filterForLog(user: string, filter: unknown): { filter: unknown; askedHidden: boolean; onlyHidden: boolean } {
    const lists = (filter as { lists?: unknown } | null)?.lists;
    if (!Array.isArray(lists)) return { filter, askedHidden: false, onlyHidden: false };
    const hidden = this.hiddenFor(user);
    const shown = lists.filter((list: unknown) => typeof list !== 'string' || !hidden.has(list.toUpperCase()));
    const askedHidden = shown.length < lists.length;
    return { filter: { ...(filter as object), lists: shown }, askedHidden, onlyHidden: askedHidden && shown.length === 0 };
  }
}
