// The order vitest starts the test files in (vitest.config.ts's sequence.sequencer). With two
// workers the wall time is set by whichever worker finishes last, so the long files go first
// (longest first) and the short ones fill in behind them; started last, a one-minute file keeps
// the run going for a minute after everything else is done.
//
// A file's length is the duration vitest cached from an earlier run when there is one (a local
// run), else the measured one in SLOW_FILES below (a fresh CI checkout has no cache), else its
// size. The files of the projects that share processes ('system', 'unit': not isolated) come after
// every isolated file, each project's in a row, so a worker keeps one process for all of them.
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import type { TestSequencer, TestSpecification, Vitest } from 'vitest/node';

/** Seconds each took in a full run (2 workers, 2 cores, a fresh checkout's CI run, 2026-12-07 session 24);
 * the files over ~10 s. Rough is enough: only the order matters. Add a file here when it grows past ~10 s. */
const SLOW_FILES: Record<string, number> = {
  'test/console/review.test.ts': 115,
  // Its users in turn on one workstation since session 30 (79 s before).
  'test/console/views.test.ts': 45,
  'test/bench/capacity.test.ts': 60,
  'test/console/releases.test.ts': 55,
  // A 5-s ack wait since session 30 (50 s with the default 30 s).
  'test/reliability/worker-crash.test.ts': 17,
  'test/ingest/pipeline.test.ts': 49,
  'test/gateway/auth-routes.test.ts': 48,
  'test/console/evidence.test.ts': 48,
  'test/reliability/soak.test.ts': 45,
  // Its tests side by side since (describe.concurrent): about as long as its longest test.
  'test/bin/up.test.ts': 42,
  'test/storage/credentials.test.ts': 36,
  'test/console/department-time.test.ts': 35,
  'test/reliability/nats-restart.test.ts': 10,
  'test/gateway/hotlist-routes.test.ts': 33,
  'test/console/disposition.test.ts': 33,
  'test/bench/hotlist-load.test.ts': 32,
  'test/bin/storage-verbs-while-up.test.ts': 31,
  'test/console/audit.test.ts': 30,
  'test/flows/api-routes.test.ts': 28,
  'test/console/dispatch.test.ts': 27,
  'test/bin/up-nats.test.ts': 27,
  'test/bin/users.test.ts': 26,
  'test/bin/release.test.ts': 24,
  'test/console/dispatch-frames.test.ts': 23,
  'test/console/read-image.test.ts': 20,
  'test/storage/search.test.ts': 22,
  'test/reliability/storage-outage.test.ts': 22,
  'test/bin/simulate.test.ts': 22,
  'test/storage/verbs.test.ts': 21,
  'test/bin/cli.test.ts': 21,
  'test/reliability/hotlist-faults.test.ts': 18,
  'test/reliability/disk-full.test.ts': 18,
  'test/storage/releases.test.ts': 16,
  'test/flows/storage-failure.test.ts': 16,
  'test/flows/api-permissions.test.ts': 16,
  'test/gateway/nats-unavailable.test.ts': 15,
  'test/storage/search-oracle.test.ts': 21,
  'test/ingest/nats-supervisor.test.ts': 14,
  'test/bin/hotlist-system.test.ts': 14,
  'test/gateway/user-routes.test.ts': 12,
  'test/flows/workers.test.ts': 12,
  'test/gateway/session-watch.test.ts': 11,
  'test/flows/gateways-side-by-side.test.ts': 11,
  'test/console/accessibility.test.ts': 11,
  'test/bin/retention-log.test.ts': 11,
  'test/bin/match.test.ts': 11,
  'test/reliability/wire-fuzz.test.ts': 10,
  'test/ingest/camera-metrics.test.ts': 10,
  'test/flows/pipeline.test.ts': 10,
};

export default class SlowFirstSequencer implements TestSequencer {
  readonly #ctx: Vitest;

  constructor(ctx: Vitest) {
    this.#ctx = ctx;
  }

  shard(files: TestSpecification[]): TestSpecification[] {
    // No sharding in this project's runs; keep every file rather than guess at a split.
    return files;
  }

  sort(files: TestSpecification[]): TestSpecification[] {
    const root = this.#ctx.config.root;
    const weight = (spec: TestSpecification): number => {
      const path = relative(root, spec.moduleId);
      const cached = this.#ctx.cache.getFileTestResults(`${spec.project.name}:${path}`);
      if (cached !== undefined && cached.duration > 0) return cached.duration / 1000;
      const known = SLOW_FILES[path];
      if (known !== undefined) return known;
      // Unknown and uncached: a longer file has more tests; ~10 KB of integration test ≈ 1 s.
      try {
        return statSync(spec.moduleId).size / 10_000;
      } catch {
        return 0;
      }
    };
    const weights = new Map(files.map((spec) => [spec, weight(spec)]));
    return [...files].sort((a, b) => {
      const aShared = a.project.config.isolate === false;
      const bShared = b.project.config.isolate === false;
      if (aShared !== bShared) return aShared ? 1 : -1;
      // A shared process is kept only for a next file of the same project: no interleaving.
      if (aShared && a.project.name !== b.project.name) return a.project.name < b.project.name ? -1 : 1;
      return (weights.get(b) ?? 0) - (weights.get(a) ?? 0);
    });
  }
}
