// Runs the changes made under one key one after another in this process (each starts once the
// one before it has settled, whatever its outcome), so two never both see the state before the
// other. Keys with nothing queued are forgotten.

export type OneAtATime = <T>(key: string, change: () => Promise<T>) => Promise<T>;

export function oneAtATimePerKey(): OneAtATime {
  const queued = new Map<string, Promise<unknown>>();
  return <T>(key: string, change: () => Promise<T>): Promise<T> => {
    const next = (queued.get(key) ?? Promise.resolve()).catch(() => {}).then(change);
    queued.set(key, next);
    void next.catch(() => {}).finally(() => {
      if (queued.get(key) === next) queued.delete(key);
    });
    return next;
  };
}
