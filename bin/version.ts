// Build information for /metrics; the version itself is read in storage/software-version.ts.
import type { MetricsRegistry } from '../ingest/metrics.js';
import { platewatchVersion } from '../storage/software-version.js';

export { platewatchVersion };

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
