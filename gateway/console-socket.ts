// The one thing the fan-out needs from a WebSocket library. uWebSockets.js implements it in
// server.ts; the benchmark implements it on `ws` so both run the same fan-out code.

export interface ConsoleSocket {
  /** Queues one text frame. False when the transport refused it outright (over its hard limit). */
  send(frame: Uint8Array | string): boolean;
  /** Bytes queued in user space that the kernel has not taken yet. */
  bufferedAmount(): number;
  /** Runs `sends` so that its frames leave in as few writes as the transport allows. */
  cork(sends: () => void): void;
  /** Closes with a code and a reason the console can show. */
  end(code: number, reason: string): void;
}

/** Who is on the other end, from the session the upgrade carried. */
export interface ConsoleSession {
  user: string;
  /** Agencies this user may watch; absent: every agency. */
  agencies?: string[];
  /** The user's roles: watching hits needs hits.view; supervisors also get escalations. */
  roles: readonly string[];
  /** Covert lists this user is not named on (Watsonville §471.5(f)(5): hits of these reach named users only). */
  hiddenLists?: ReadonlySet<string>;
  /** When the session expires (epoch ms); the console is closed then even if storage cannot be asked. Absent: no expiry. */
  expiresAt?: number;
}
