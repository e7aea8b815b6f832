// The version in package.json: what a support request, an upgrade note or a dashboard refers to.
import { readFileSync } from 'node:fs';
import type { MetricsRegistry } from '../ingest/metrics.js';

let cached: string | undefined;

export function platewatchVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    cached = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  }
  return cached;
}

/**
 * `platewatch_build_info{version,node,schema} 1` and the start time: a dashboard shows which
 * processes run which release after an upgrade, and restarts (a start time that moves).
 */
export function registerBuildInfo(metrics: MetricsRegistry, schemaVersion: number, startedAtMs = Date.now()): void {
  metrics
    .gauge('platewatch_build_info', 'Always 1: the platewatch release, Node.js version and storage schema version this process runs', { labelNames: ['version', 'node', 'schema'] })
    .set(1, { version: platewatchVersion(), node: process.versions.node, schema: String(schemaVersion) });
  metrics.gauge('platewatch_process_start_time_seconds', 'When this process started (epoch seconds)').set(Math.floor(startedAtMs / 1000));
}
