// `platewatch simulate` option checks: a real CLI process. Usage errors are found before any
// connection, so no system needs to run; the working directory is empty, so none is found either.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../fixtures/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: readonly string[]) => runCli(args, { env: { PLATEWATCH_CWD: dir } });

describe('platewatch simulate: options', () => {
  it('refuses a fractional number of cameras, reads or reads per message as a usage error', async () => {
    for (const [option, value] of [['--cameras', '2.5'], ['--count', '2.5'], ['--batch', '1.5'], ['--seed', '0.5']] as const) {
      const { code, stderr } = await run(['simulate', option, value]);
      expect(code, `${option} ${value}`).toBe(2);
      expect(stderr).toContain(`${option} "${value}" must be a whole number`);
    }
  });

  it('refuses an empty number rather than reading it as 0', async () => {
    const { code, stderr } = await run(['simulate', '--seed=']);
    expect(code).toBe(2);
    expect(stderr).toContain('--seed "" must be a whole number');
  });

  it('says "at least" for an option without an upper bound', async () => {
    const { code, stderr } = await run(['simulate', '--duration', '0']);
    expect(code).toBe(2);
    expect(stderr).toContain('--duration "0" must be a number of at least 0.001');
  });
});
