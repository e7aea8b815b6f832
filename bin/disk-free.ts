// platewatch_disk_free_bytes{dir}: free space on the disks under the data directory's nats/ and
// clickhouse/. Both stores fail badly when their disk fills (README, Operations), so an alert
// should come well before; statfs is cheap, and every 30 s is often enough for a disk that fills
// in hours, not per scrape, so a scrape never waits on a slow file system.
import { statfs } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { MetricsRegistry } from '../ingest/index.js';

export const DISK_FREE_EVERY_MS = 30_000;

/** Watches each `dirs` value's disk, labelled by its key; stop() ends the timer. */
export function watchDiskFree(metrics: MetricsRegistry, dirs: Readonly<Record<string, string>>, logger: Logger, everyMs = DISK_FREE_EVERY_MS): { stop(): void } {
  const free = metrics.gauge('platewatch_disk_free_bytes', 'Free bytes on the disk of each store under the data directory (dir: nats, clickhouse), for unprivileged writes', { labelNames: ['dir'] });
  const warned = new Set<string>();
  const measure = async (): Promise<void> => {
    for (const [dir, path] of Object.entries(dirs)) {
      try {
        const { bavail, bsize } = await statfs(path);
        free.set(bavail * bsize, { dir });
        warned.delete(dir);
      } catch (error) {
        // Logged once until it works again: the gauge keeps its last value meanwhile.
        if (!warned.has(dir)) logger.warn({ err: error, dir, path }, `cannot measure the free space of ${path} for platewatch_disk_free_bytes`);
        warned.add(dir);
      }
    }
  };
  void measure();
  const timer = setInterval(() => void measure(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
