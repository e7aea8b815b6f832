// Keeps `up`'s embedded nats-server running: when it exits without being asked to (a kill -9, the
// OOM killer, a crash), it is started again on the same port and store a bounded number of times;
// past that, `failed` settles and `up` stops the whole system with exit status 1.
//
// Why restart here at all, rather than exit at the first death and leave it to systemd: the server
// holds no state of its own that a restart loses (JetStream keeps the streams and the pipeline's
// durable consumer on disk under the store), and every client — the pipeline, the gateway, cameras —
// reconnects by itself to the same URL. Restarting just the server takes about a second; restarting
// `up` reopens chDB, rebuilds every hot list and drops every console. Why a bound: a server that
// keeps dying (a full disk, a damaged store, its port taken) is not cured by starting it again, and
// a process that looks alive while it does nothing hides the fault. Then `up` exits 1, loudly, and
// a supervisor (systemd) restarts it or a person looks.
//
// A server that hangs instead of exiting (a disk that filled, a kill -STOP) is found by its health
// check (nats-server-health.ts): after several misses in a row it is killed with SIGKILL, and the
// same restart path, within the same bound, starts it again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { watchNatsServerHealth, type NatsServerHang, type NatsServerHealthWatchOptions } from './nats-server-health.js';
import { NatsServerError, startLocalNatsServer, type LocalNatsServer, type LocalNatsServerOptions, type NatsServerExit } from './nats-server.js';

/** Restarts allowed within DEFAULT_RESTART_WINDOW_MS; the next unexpected exit in the window gives up. */
export const DEFAULT_MAX_RESTARTS = 3;
export const DEFAULT_RESTART_WINDOW_MS = 10 * 60_000;
/** Pause before each restart: the old server's port and store are let go, and a crash loop is slowed. */
export const DEFAULT_RESTART_DELAY_MS = 1_000;

export interface NatsSupervisionOptions {
  /** How the server was started; restarts use the same, on the first server's port. */
  start: LocalNatsServerOptions;
  logger: Logger;
  /** @default DEFAULT_MAX_RESTARTS */
  maxRestarts?: number;
  /** @default DEFAULT_RESTART_WINDOW_MS */
  windowMs?: number;
  /** @default DEFAULT_RESTART_DELAY_MS */
  restartDelayMs?: number;
  /** When the server is taken for hung (interval, timeout, misses: nats-server-health.ts). @default the DEFAULT_HEALTH_CHECK_* values */
  healthCheck?: NatsServerHealthWatchOptions;
}

export interface SupervisedNatsServer {
  /** The same for every restart: clients reconnect to it. */
  readonly url: string;
  readonly port: number;
  /** Of the server running now (a restart changes it). */
  readonly pid: number;
  /** How many times it has been restarted. */
  readonly restarts: number;
  /** Settles (never rejects) once the server is down for good: it kept exiting, or would not start again. */
  readonly failed: Promise<NatsServerError>;
  /** No more restarts; stops the server running now (or the one being started). */
  stop(): Promise<void>;
}

/** Watches `first` (already started with `options.start`) and restarts it when it exits unasked. */
export function superviseNatsServer(first: LocalNatsServer, options: NatsSupervisionOptions): SupervisedNatsServer {
  const { logger } = options;
  const maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
  const windowMs = options.windowMs ?? DEFAULT_RESTART_WINDOW_MS;
  const restartDelayMs = options.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
  const minutes = `${Math.round(windowMs / 60_000)} minute${windowMs === 60_000 ? '' : 's'}`;
  const startOptions: LocalNatsServerOptions = { ...options.start, port: first.port };
  let current = first;
  let restarts = 0;
  /** When each restart of the window began. */
  const recent: number[] = [];
  const stopping = new AbortController();
  let recovering: Promise<void> = Promise.resolve();
  let giveUp = (_error: NatsServerError): void => {};
  const failed = new Promise<NatsServerError>((resolve) => (giveUp = resolve));

  const watch = (server: LocalNatsServer): void => {
    const checking = new AbortController();
    let hang: NatsServerHang | null = null;
    void server.exited.then((exit) => {
      checking.abort();
      if (exit.requested || stopping.signal.aborted) return;
      recovering = recover(server, hang === null ? describeExit(exit) : describeHang(hang));
    });
    if (server.monitorUrl === null) {
      logger.warn({ pid: server.pid, url: server.url }, 'embedded nats-server has no monitoring port (its host is not loopback): a hung server is not found and restarted');
      return;
    }
    stopping.signal.addEventListener('abort', () => checking.abort(), { once: true, signal: checking.signal });
    watchNatsServerHealth(server.monitorUrl, options.healthCheck ?? {}, checking.signal, (found) => {
      hang = found;
      logger.warn(
        { pid: server.pid, port: first.port, misses: found.misses, lastError: found.lastError },
        `nats-server did not answer its health check for ${Math.round(found.silentMs / 1000)} s; restarting it`,
      );
      // Not server.kill(): that marks the exit as asked for, and the exit watch above would not restart it.
      try {
        process.kill(server.pid, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') logger.error({ err: error, pid: server.pid }, 'could not kill the hung nats-server');
      }
    });
  };

  const recover = async (dead: LocalNatsServer, why: string): Promise<void> => {
    for (;;) {
      const now = Date.now();
      while (recent.length > 0 && now - (recent[0] as number) > windowMs) recent.shift();
      if (recent.length >= maxRestarts) {
        const error = new NatsServerError(
          'NATS_SERVER_DIED',
          `the embedded nats-server on ${first.url} (store ${options.start.storeDir}) is down for good: ${why}, after ${recent.length} restart${recent.length === 1 ? '' : 's'} within ${minutes}`,
        );
        logger.error({ err: error, pid: dead.pid, port: first.port }, 'embedded nats-server not restarted again: giving up');
        giveUp(error);
        return;
      }
      recent.push(now);
      restarts++;
      logger.error(
        { pid: dead.pid, port: first.port, restart: recent.length, maxRestarts },
        `embedded nats-server ${why}; restarting it on the same port and store in ${restartDelayMs} ms (restart ${recent.length} of ${maxRestarts} allowed within ${minutes}); clients reconnect by themselves`,
      );
      try {
        await sleep(restartDelayMs, undefined, { signal: stopping.signal });
        current = await startLocalNatsServer(startOptions);
      } catch (error) {
        if (stopping.signal.aborted) return;
        // Its first line: a failed start quotes the server's whole log.
        why = `could not be started again (${(error as Error).message.split('\n', 1)[0]?.slice(0, 300)})`;
        continue;
      }
      if (stopping.signal.aborted) {
        await current.stop(); // stop() came while it started
        return;
      }
      logger.warn({ pid: current.pid, url: current.url }, 'embedded nats-server restarted');
      watch(current);
      return;
    }
  };

  watch(first);
  return {
    url: first.url,
    port: first.port,
    get pid() {
      return current.pid;
    },
    get restarts() {
      return restarts;
    },
    failed,
    stop: async () => {
      stopping.abort();
      await recovering;
      await current.stop();
    },
  };
}

function describeHang(hang: NatsServerHang): string {
  return `was killed (SIGKILL) after not answering its health check for ${Math.round(hang.silentMs / 1000)} s (${hang.misses} checks in a row; last: ${hang.lastError})`;
}

function describeExit(exit: NatsServerExit): string {
  return exit.signal !== null ? `was killed (${exit.signal})` : `exited by itself with status ${exit.code ?? 'unknown'}`;
}
