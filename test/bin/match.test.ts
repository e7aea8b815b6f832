// `platewatch match` as an analyst runs it on files from other tools. In this process
// (runCliInProcess: the same command line, streams and bare environment): a process costs ~2 s
// of CPU here, and test/bin/cli.test.ts covers the entry point itself.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCliInProcess } from '../fixtures/cli.js';

const NOW = '2026-02-10T15:00:00Z';
const SVS = join(REPO_ROOT, 'examples/hotlists/svs.csv');

const dir = mkdtempSync(join(tmpdir(), 'platewatch-match-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: readonly string[]) => runCliInProcess(args);

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

  it('shows a bad line\'s control characters as escapes, so a binary or hostile file cannot drive the terminal', async () => {
    const reads = join(dir, 'escapes.jsonl');
    writeFileSync(reads, '\u001b]0;owned\u0007\u001b[2J not json\n');
    const { code, stderr } = await run(['match', '--hotlist', SVS, '--reads', reads, '--now', NOW]);
    expect(code).toBe(0);
    expect(stderr).toContain('reads:1: not valid JSON: Unexpected token \'\\x1b\', "\\x1b]0;owned\\x07"');
    expect(stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('names the reads path and exits 1, without a stack trace, when --reads is a directory', async () => {
    const { code, stdout, stderr } = await run(['match', '--hotlist', SVS, '--reads', dir, '--now', NOW]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`platewatch match: cannot read ${dir}: EISDIR`);
    expect(stderr).not.toMatch(/unexpected error|\n\s+at /);
  });
});

describe('platewatch match: several hot list files', () => {
  const header = 'plate,state,list,reason,case_number,entered_by,synopsis\n';
  const reads = join(dir, 'one-read.jsonl');
  writeFileSync(reads, '{"id":"r1","plate":"7KDX482","state":"CA"}\n');

  it('keeps an entry that two files both give once: one hit, and the repeat named on stderr', async () => {
    const again = join(dir, 'again.csv');
    // The example list's header and its 7KDX482 row, as exported twice.
    writeFileSync(again, readFileSync(SVS, 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
    const { code, stdout, stderr } = await run(['match', '--hotlist', SVS, '--hotlist', again, '--reads', reads, '--now', NOW]);
    expect(code).toBe(0);
    const line = JSON.parse(stdout.trimEnd()) as { id: string; hits: unknown[] };
    expect(line.hits).toHaveLength(1);
    expect(stderr).toContain(`${again}: 7KDX482 (CA) on SVS is also in ${SVS}, the same in every field; kept once`);
    expect(stderr).toMatch(/loaded 0 of 1 rows from .*again\.csv \(0 rejected, 1 already in an earlier file\)/);
  });

  it('keeps an entry for the same plate that differs (an expired copy first, one in force later): the hit is not lost', async () => {
    const expired = join(dir, 'expired.csv');
    const current = join(dir, 'current.csv');
    const full = `${header.trimEnd()},expires_at\n`;
    writeFileSync(expired, `${full}7KDX482,CA,SVS,Stolen vehicle,V1,CA0440500,,2026-01-01\n`);
    writeFileSync(current, `${full}7KDX482,CA,SVS,Stolen vehicle,V1,CA0440500,,2026-12-31\n`);
    const { code, stdout, stderr } = await run(['match', '--hotlist', expired, '--hotlist', current, '--reads', reads, '--now', NOW]);
    expect(code).toBe(0);
    expect(stderr).not.toContain('kept once');
    expect((JSON.parse(stdout.trimEnd()) as { hits: unknown[] }).hits).toHaveLength(1);
  });

  it('drops rows for immigration enforcement, says how many in the load report, and raises no hit for them (Gov. Code § 7284.6)', async () => {
    const ivf = join(dir, 'ivf.csv');
    writeFileSync(ivf, `${header}QAIVF01,CA,SFR,NCIC MKE EIV,V1,CA0440500,Immigration Violator File\n` +
      'QAIVF02,CA,SFR,Immigration violator - deportable alien,V2,CA0440500,ICE detainer\n7KDX482,CA,SFR,Felony vehicle,V3,CA0440500,\n');
    const qaReads = join(dir, 'qa-reads.jsonl');
    writeFileSync(qaReads, '{"id":"q1","plate":"QAIVF01"}\n{"id":"q2","plate":"QAIVF02"}\n{"id":"q3","plate":"7KDX482"}\n');
    const { code, stdout, stderr } = await run(['match', '--hotlist', ivf, '--strict', '--reads', qaReads, '--now', NOW]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/loaded 1 of 3 rows from .*ivf\.csv \(0 rejected, 2 immigration violator records dropped: Gov\. Code § 7284\.6\)/);
    expect(stderr).toMatch(/ivf\.csv:2: dropped: reason "NCIC MKE EIV"/);
    expect(stderr).toMatch(/ivf\.csv:3: dropped: /);
    const hits = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { id: string; hits: unknown[] });
    expect(hits.map((h) => [h.id, h.hits.length])).toEqual([['q1', 0], ['q2', 0], ['q3', 1]]);
  });

  it('keeps the same plate for another state, and refuses an exact repeat under --strict', async () => {
    const other = join(dir, 'other-state.csv');
    const [svsHeader, svsRow] = readFileSync(SVS, 'utf8').split('\n');
    writeFileSync(other, `${svsHeader}\n7KDX482,NV,SVS,Stolen vehicle,NV1,NV0000000,,,,,,,\n${svsRow}\n`);
    const strict = await run(['match', '--hotlist', SVS, '--hotlist', other, '--strict', '--reads', reads, '--now', NOW]);
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain("--strict, and 1 of its entries repeat an earlier file's exactly");
    const lax = await run(['match', '--hotlist', SVS, '--hotlist', other, '--reads', reads, '--now', NOW]);
    expect(lax.code).toBe(0);
    expect(lax.stderr).toMatch(/loaded 1 of 2 rows from .*other-state\.csv/);
  });
});
