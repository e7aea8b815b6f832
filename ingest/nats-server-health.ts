// Whether the embedded nats-server still works, asked of its HTTP monitoring port.
//
// A server that hangs does not exit, so the supervisor's exit watch alone never restarts it: QA saw
// one whose disk had filled and been freed leave JetStream unanswered until platewatch was
// restarted by hand (the same with `kill -STOP`). Two requests make one check:
// - `/healthz`: 503 once JetStream is disabled (nats-server may disable it on a store error).
// - `/jsz`: it takes JetStream's lock, as the JetStream API does. With the disk filled and freed,
//   nats-server 2.9.10 answered /healthz 200 at once, with nothing in its log, while `$JS.API.INFO`
//   and /jsz went unanswered until it was restarted (reproduced on a 4 MB tmpfs store). So
//   /healthz alone does not see the QA fault; /jsz does, and needs no NATS credentials.
// A stopped server (SIGSTOP) answers neither.

/** Between checks. */
export const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 10_000;
/** A check unanswered this long is a miss. */
export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 5_000;
/**
 * Consecutive misses after which the server is taken for hung: with the defaults, 40 s of error
 * answers or about 60 s of none. Long enough to ride out a slow disk flush or a busy moment (each
 * restart counts against the supervisor's bound), short enough that cameras' buffers hold.
 */
export const DEFAULT_HEALTH_CHECK_MISSES = 4;

export type NatsServerHealth = { ok: true } | { ok: false; error: string };

/** One check: GET `/healthz`, then `/jsz`, of `monitorUrl`, each answered within `timeoutMs`. */
export async function checkNatsServerHealth(monitorUrl: string, timeoutMs: number, signal?: AbortSignal): Promise<NatsServerHealth> {
  for (const path of ['/healthz', '/jsz']) {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(`${monitorUrl}${path}`, { signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]) });
      const body = await response.text();
      // /healthz: {"status":"unavailable","error":"JetStream has not been enabled"}
      if (!response.ok) return { ok: false, error: `${path} answered HTTP ${response.status}: ${body.trim().slice(0, 200)}` };
    } catch (error) {
      if (timeout.aborted) return { ok: false, error: `${path} gave no answer within ${timeoutMs} ms` };
      return { ok: false, error: `${path}: ${(error as Error).message}` };
    }
  }
  return { ok: true };
}

export interface NatsServerHealthWatchOptions {
  /** @default DEFAULT_HEALTH_CHECK_INTERVAL_MS */
  intervalMs?: number;
  /** @default DEFAULT_HEALTH_CHECK_TIMEOUT_MS */
  timeoutMs?: number;
  /** @default DEFAULT_HEALTH_CHECK_MISSES */
  misses?: number;
}

/** Why a server was taken for hung. */
export interface NatsServerHang {
  /** Since its last good answer (or since the watch began). */
  silentMs: number;
  misses: number;
  /** What the last check got. */
  lastError: string;
}

/**
 * Checks `monitorUrl` every interval until `signal` aborts; calls `onHung` once (and stops) after
 * `misses` consecutive failed checks.
 */
export function watchNatsServerHealth(monitorUrl: string, options: NatsServerHealthWatchOptions, signal: AbortSignal, onHung: (hang: NatsServerHang) => void): void {
  const intervalMs = options.intervalMs ?? DEFAULT_HEALTH_CHECK_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_CHECK_TIMEOUT_MS;
  const maxMisses = options.misses ?? DEFAULT_HEALTH_CHECK_MISSES;
  let lastGood = Date.now();
  let misses = 0;
  let timer: NodeJS.Timeout | undefined;
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  const check = async (): Promise<void> => {
    const health = await checkNatsServerHealth(monitorUrl, timeoutMs, signal);
    if (signal.aborted) return;
    if (health.ok) {
      lastGood = Date.now();
      misses = 0;
    } else if (++misses >= maxMisses) {
      onHung({ silentMs: Date.now() - lastGood, misses, lastError: health.error });
      return;
    }
    schedule();
  };
  const schedule = (): void => {
    // Unref: the watch alone must not keep a finished process alive.
    timer = setTimeout(() => void check(), intervalMs);
    timer.unref();
  };
  schedule();
}
