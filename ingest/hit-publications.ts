// Which hits this process has published, or is publishing, to HITS: the fast hit path and the
// durable path (ingest/fast-hits.ts, ingest/pipeline.ts) both raise each live hit, under the same
// hit id, and ask here first so one process publishes it once. Across processes HITS's duplicate
// window and the gateway's hit ids drop the second copy. Bounded: the oldest id is forgotten first.

export class HitPublications {
  /** Insertion order is age order: the first key is the oldest. */
  private readonly published = new Map<string, Promise<boolean>>();
  private readonly inFlight = new Set<Promise<boolean>>();

  constructor(readonly capacity = 100_000) {}

  /** This hit's publication, if one was made: settles true once HITS has it, false if it failed. */
  get(hitId: string): Promise<boolean> | undefined {
    return this.published.get(hitId);
  }

  /** Records a publication; a later `get` returns it. `publish` must not reject. */
  add(hitId: string, publish: Promise<boolean>): void {
    this.published.delete(hitId);
    this.published.set(hitId, publish);
    if (this.published.size > this.capacity) this.published.delete(this.published.keys().next().value as string);
    this.inFlight.add(publish);
    void publish.finally(() => this.inFlight.delete(publish));
  }

  /** Resolves once every publication recorded so far has settled. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
