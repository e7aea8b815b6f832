// A built ListIndex can cross a worker_threads boundary: structured clone carries its fields
// (typed arrays moved, not copied, when their buffers are transferred) and `reviveListIndex`
// turns the clone back into real instances. So a million-entry list is built off the main
// thread and the pipeline never stalls for the build.
import { EntryTable } from './entry-table.js';
import { ListIndex } from './list-index.js';
import { PlateTrie } from './plate-trie.js';

/** The ArrayBuffers behind a list index's typed arrays: pass them as postMessage's transfer list. */
export function listIndexBuffers(index: ListIndex): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const visit = (value: unknown, depth: number): void => {
    if (ArrayBuffer.isView(value)) {
      buffers.add(value.buffer as ArrayBuffer);
    } else if (depth < 4 && typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map)) {
      for (const field of Object.values(value)) visit(field, depth + 1);
    }
  };
  visit(index, 0);
  return [...buffers];
}

function revive<T extends object>(prototype: T, fields: object): T {
  // Fields are assigned in their original order, so the revived object gets the same shape.
  return Object.assign(Object.create(prototype) as T, fields);
}

interface IndexedClone {
  trie: object;
  table: object;
}

/** Rebuilds ListIndex, PlateTrie and EntryTable instances from a structured clone of a ListIndex. */
export function reviveListIndex(clone: unknown): ListIndex {
  const c = clone as Record<string, unknown> & { plates: IndexedClone | null; patterns: IndexedClone | null; reversedPlates: { trie: object; forwardRunStart: Int32Array } | null };
  const indexed = (x: IndexedClone | null): { trie: PlateTrie; table: EntryTable } | null =>
    x === null ? null : { trie: revive(PlateTrie.prototype, x.trie), table: revive(EntryTable.prototype, x.table) };
  return revive(ListIndex.prototype, {
    ...c,
    plates: indexed(c.plates),
    patterns: indexed(c.patterns),
    reversedPlates: c.reversedPlates === null ? null : { trie: revive(PlateTrie.prototype, c.reversedPlates.trie), forwardRunStart: c.reversedPlates.forwardRunStart },
  });
}
