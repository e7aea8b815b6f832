// platewatch_disk_free_bytes: the free space under dataDir/nats and dataDir/clickhouse on /metrics,
// so an alert comes before either store's disk fills (README, Operations).
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { watchDiskFree } from '../../bin/disk-free.js';
import { startSystem } from '../../bin/system.js';
import { MetricsRegistry } from '../../ingest/index.js';
import { resolveMatcherConfig } from '../../matcher/index.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-disk-free-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freeOnMetrics(text: string, label: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`platewatch_disk_free_bytes{dir="${label}"} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('platewatch_disk_free_bytes', () => {
  it('gives the free bytes of each directory\'s disk, measured again on its interval', async () => {
    const registry = new MetricsRegistry();
    const watch = watchDiskFree(registry, { here: dir }, pino({ level: 'silent' }), 50);
    try {
      let shown: number | undefined;
      for (let i = 0; i < 100 && shown === undefined; i++) {
        await new Promise((r) => setTimeout(r, 20));
        shown = freeOnMetrics(await registry.render(), 'here');
      }
      const { bavail, bsize } = statfsSync(dir);
      // Others write to this disk meanwhile: within 1 GiB of what statfs says now.
      expect(Math.abs((shown ?? -1) - bavail * bsize)).toBeLessThan(2 ** 30);
    } finally {
      watch.stop();
    }
  });

  it('is on the system\'s /metrics for the embedded nats-server\'s store and chDB\'s', async () => {
    const system = await startSystem({ dataDir: join(dir, 'data'), matcher: resolveMatcherConfig(), logger: pino({ level: 'silent' }), gateway: false, pipeline: false });
    try {
      let text = '';
      for (let i = 0; i < 100; i++) {
        text = await system.metrics.render();
        if (freeOnMetrics(text, 'nats') !== undefined && freeOnMetrics(text, 'clickhouse') !== undefined) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(freeOnMetrics(text, 'nats')).toBeGreaterThan(0);
      expect(freeOnMetrics(text, 'clickhouse')).toBeGreaterThan(0);
    } finally {
      await system.stop();
    }
  }, 60_000);
});
