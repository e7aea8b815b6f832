// How many messages the pipeline's next pull asks for. Against nats-server 2.9.10, a pull that
// fills just as it expires is followed, about once a minute, by ~2 s in which the server delivers
// nothing (the client ends the pull with `heartbeats missed`; RELIABILITY.md, "Pull stalls").
// Pulls that fill well before they expire, or expire well short of full, showed none. So the size
// moves away from that edge: halved after a pull that lasted more than half its expiry and came
// back (nearly) full, doubled back towards the configured size after one that came back mostly
// empty. Pure: no clock, no I/O.

/** Below this a pull is no longer cheap to repeat. */
export const MIN_PULL_SIZE = 16;

export class PullSizer {
  #size: number;

  constructor(
    /** The configured pull size: the most in flight at once. */
    private readonly max: number,
    /** The pull's expiry. */
    private readonly expiresMs: number,
    private readonly min = Math.min(MIN_PULL_SIZE, max),
  ) {
    this.#size = max;
  }

  /** Messages to ask for in the next pull. */
  get size(): number {
    return this.#size;
  }

  /** What the last pull (asked for `size` messages) brought, and how long it lasted. */
  record(received: number, elapsedMs: number): void {
    const nearlyFull = received >= this.#size * 0.75;
    if (nearlyFull && elapsedMs > this.expiresMs / 2) {
      this.#size = Math.max(this.min, Math.floor(this.#size / 2));
    } else if (received < this.#size / 4 && this.#size < this.max) {
      this.#size = Math.min(this.max, this.#size * 2);
    }
  }
}
