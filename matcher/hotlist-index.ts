// The set of indexed lists a read is matched against. Immutable: replacing a list makes a new
// HotlistIndex, so whoever holds one sees every list at one version for as long as it holds it.
import type { ListIndex } from './list-index.js';

export class HotlistIndex {
  readonly lists: readonly ListIndex[];

  constructor(lists: readonly ListIndex[] = []) {
    this.lists = lists;
  }

  get(list: string): ListIndex | undefined {
    return this.lists.find((l) => l.list === list);
  }

  /** A new index with `list` added, or replacing the list of the same name. */
  with(list: ListIndex): HotlistIndex {
    const others = this.lists.filter((l) => l.list !== list.list);
    return new HotlistIndex([...others, list].sort((a, b) => (a.list < b.list ? -1 : a.list > b.list ? 1 : 0)));
  }

  without(list: string): HotlistIndex {
    return new HotlistIndex(this.lists.filter((l) => l.list !== list));
  }
}
