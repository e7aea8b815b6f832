// The hot list load benchmark runs end to end on a small file (its figures are BENCHMARKS.md's
// business, not this test's): it starts the system, loads and reloads, and prints its table.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// Concurrent: two separate bench processes; the refusal need not wait for the whole run.
describe.concurrent('bench/hotlist/load.bench.ts', () => {
  it('loads and reloads a list through the running gateway and prints a row per step', async () => {
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/hotlist/load.bench.ts', '--rows', '2000'], { timeout: 120_000 });
    for (const step of ['idle system (baseline)', 'first load, 2,000 rows', 'reload, a tenth of the rows changed', 'idle, the list loaded (baseline)']) {
      expect(stdout).toMatch(new RegExp(`^\\| ${step.replace(/[()]/g, '\\$&')} \\| [\\d.]+ s \\| [\\d,]+ ms \\|`, 'm'));
    }
  }, 150_000);

  it('refuses an option it does not read', async () => {
    await expect(run(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/hotlist/load.bench.ts', '--rowz', '5'])).rejects.toMatchObject({ code: 2 });
  });
});
