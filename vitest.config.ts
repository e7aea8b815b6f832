import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/sequencer.js';

/**
 * Test files that open nothing: no chDB data directory, no nats-server, no browser, no child
 * process, no listening socket, and that mock, stub and fake nothing (member-time sets TZ and puts
 * it back after each test). They share worker processes ('unit' project, isolate: false), which
 * spares each its own process start and module imports (~1–2 s a file on the CI machine).
 * Everything else keeps a process of its own: chDB binds one data directory per process, and
 * the integration tests start and stop real servers. A file not listed here is isolated, so a new
 * test file is safe by default; list it here only if it opens none of the above.
 */
const UNIT_FILES = [
  'test/matcher/*.test.ts',
  'test/bench/capacity-plan.test.ts',
  'test/bench/workload.test.ts',
  'test/bin/hotlist-config.test.ts',
  'test/bin/systemd-example.test.ts',
  'test/bin/terminal-text.test.ts',
  'test/bin/process-metrics.test.ts',
  'test/bin/verb-sign-in.test.ts',
  'test/gateway/config.test.ts',
  'test/gateway/escalation.test.ts',
  'test/gateway/hit-filter.test.ts',
  'test/gateway/idle-lock.test.ts',
  'test/gateway/login-throttle.test.ts',
  'test/gateway/session.test.ts',
  'test/gateway/storage-errors.test.ts',
  'test/gateway/trusted-proxies.test.ts',
  'test/ingest/bulk-layout.test.ts',
  'test/ingest/bulk-load.test.ts',
  'test/ingest/csv.test.ts',
  'test/ingest/hit-message.test.ts',
  'test/ingest/nats-server-log-line.test.ts',
  'test/ingest/hotlist-csv.test.ts',
  'test/ingest/invalid-read-log.test.ts',
  'test/ingest/list-loader.test.ts',
  'test/ingest/metrics.test.ts',
  'test/ingest/plate-generator.test.ts',
  'test/ingest/pull-outage.test.ts',
  'test/ingest/pull-size.test.ts',
  'test/ingest/read-json.test.ts',
  'test/ingest/subjects.test.ts',
  'test/ingest/wire.test.ts',
  'test/ingest/worker-calls.test.ts',
  'test/storage/access-log-review.test.ts',
  'test/storage/account-changes.test.ts',
  'test/storage/control-text.test.ts',
  'test/storage/guessable-passwords.test.ts',
  'test/storage/immigration.test.ts',
  'test/storage/member-time.test.ts',
  'test/storage/one-at-a-time.test.ts',
  'test/storage/package-csv.test.ts',
  'test/storage/purpose.test.ts',
  'test/storage/release-rules.test.ts',
  'test/storage/search-windows.test.ts',
  'test/storage/version-claims.test.ts',
];

/**
 * Test files that start a nats-server of their own (and some a gateway on a free port) and
 * nothing else: no chDB, no browser, no `platewatch` process, no heap measurement, no change to
 * the process (env, signal handlers, exit). Each stops what it started in its afterAll/afterEach.
 * Their tests take a second or two while a process of their own cost ~2 s more (mostly importing
 * the NATS client, the gateway and vitest), so they share worker processes too ('nats' project).
 */
const NATS_FILES = [
  'test/gateway/backpressure.test.ts',
  'test/gateway/catch-up.test.ts',
  'test/gateway/console-files.test.ts',
  'test/gateway/console-ws.test.ts',
  'test/gateway/covert-escalation.test.ts',
  'test/gateway/health.test.ts',
  'test/gateway/http.test.ts',
  'test/gateway/monitoring-access.test.ts',
  'test/gateway/publish-latency.test.ts',
  'test/gateway/replay-cap.test.ts',
  'test/ingest/hotlist-distribution.test.ts',
  'test/ingest/hotlist-status.test.ts',
  'test/ingest/invalid-copy.test.ts',
  'test/ingest/nats-connection.test.ts',
  'test/ingest/nats-server-authorization.test.ts',
  'test/ingest/retroactive.test.ts',
  'test/ingest/simulator.test.ts',
  'test/ingest/streams.test.ts',
  'test/ingest/version-claims.test.ts',
  'test/bin/hit-printer.test.ts',
  'test/bin/verb-claims.test.ts',
  'test/reliability/nats-server-faults.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real processes on free ports; two forks match the 2-core machines.
    pool: 'forks',
    maxWorkers: 2,
    // Longest files first, so that no minute-long file starts last (test/sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: [...UNIT_FILES, ...NATS_FILES], isolate: true },
      },
      {
        extends: true,
        test: { name: 'nats', include: NATS_FILES, isolate: false },
      },
      {
        extends: true,
        test: { name: 'unit', include: UNIT_FILES, isolate: false },
      },
    ],
  },
});
