// `platewatch simulate` option checks: a real CLI process. Usage errors are found before any
// connection, so no system needs to run; the working directory is empty, so none is found either.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'platewatch-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('node', ['--import', 'tsx', 'bin/platewatch.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], PLATEWATCH_CWD: dir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr }));
  });
}

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
