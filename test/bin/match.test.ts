// `platewatch match` as an analyst runs it on files from other tools: a real CLI process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../fixtures/cli.js';

const NOW = '2026-02-10T15:00:00Z';
const SVS = join(REPO_ROOT, 'examples/hotlists/svs.csv');

const dir = mkdtempSync(join(tmpdir(), 'platewatch-match-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: readonly string[]) => runCli(args);

describe('platewatch match: the reads file', () => {
  it('matches the first read of a file saved with a UTF-8 byte order mark (Notepad, PowerShell)', async () => {
    const reads = join(dir, 'bom.jsonl');
    // 7KDX482 is on the example SVS list.
    writeFileSync(reads, '\uFEFF{"id":"first","plate":"7KDX482"}\r\n{"id":"second","plate":"7KDX482"}\r\n');
    const { code, stdout, stderr } = await run(['match', '--hotlist', SVS, '--reads', reads, '--now', NOW]);
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/reads:1:/);
    const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { id: string; hits: unknown[] });
    expect(lines.map((line) => [line.id, line.hits.length])).toEqual([['first', 1], ['second', 1]]);
  });

  it('names the reads path and exits 1, without a stack trace, when --reads is a directory', async () => {
    const { code, stdout, stderr } = await run(['match', '--hotlist', SVS, '--reads', dir, '--now', NOW]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`platewatch match: cannot read ${dir}: EISDIR`);
    expect(stderr).not.toMatch(/unexpected error|\n\s+at /);
  });
});
