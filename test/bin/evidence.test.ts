// `platewatch evidence hold`, run in-process against a real chDB directory: what it prints (QA).
// The verb's other behaviour (holds, exports, refusals) is test/storage/verbs.test.ts.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceVerb } from '../../bin/verbs/evidence.js';
import type { VerbIO } from '../../bin/verb.js';
import { DetectionWriter, openStorage, saveUser, setPassword } from '../../storage/index.js';
import { detection, makeTempDir } from '../storage/temp-storage.js';
import { capturedVerbIo } from '../fixtures/cli.js';

const dir = makeTempDir('platewatch-evidence-');
const dataDir = join(dir, 'clickhouse');
const T0 = Date.UTC(2026, 10, 2, 10);
const PASSWORD = 'evidence locker passphrase';

beforeAll(async () => {
  const storage = await openStorage({ dataDir });
  await saveUser(storage, { userId: 'det1', name: 'D. Tective', title: 'Detective', roles: ['analyst'], trainedAt: '2026-01-01', active: true }, 'admin');
  await setPassword(storage, 'det1', PASSWORD, 'admin', 10);
  const writer = new DetectionWriter(storage);
  await (await writer.enqueue([detection({ readId: 'e1', plate: '6TRK400', seenAt: T0 }), detection({ readId: 'e2', plate: '5ESC777', seenAt: T0 + 1000 })])).durable;
  await writer.close();
  await storage.close(); // the verb opens the directory itself
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): VerbIO & { out(): string; err(): string } {
  return capturedVerbIo(dir, `${PASSWORD}\n`);
}

const AS = ['--as', 'det1', '--password-stdin', '--data-dir', dataDir];
const hold = (caseNumber: string, plate: string, from = '2026-11-02', to = '2026-11-03') =>
  ['hold', '--case', caseNumber, '--reason', 'stolen vehicle follow-up', '--plate', plate, '--from', from, '--to', to, ...AS];

describe('platewatch evidence hold', () => {
  it('puts a value error above one line pointing to --help, not under the usage; no sub-command still shows it', async () => {
    const backwards = io();
    expect(await evidenceVerb.run(hold('WPD-26-0777', '6TRK400', '2026-11-03', '2026-11-02'), backwards)).toBe(2);
    expect(backwards.err()).toBe('platewatch evidence: --from must be before --to\nRun "platewatch evidence --help" for usage.\n');
    const yesterday = io();
    expect(await evidenceVerb.run(hold('WPD-26-0777', '6TRK400', 'yesterday'), yesterday)).toBe(2);
    expect(yesterday.err()).toMatch(/^platewatch evidence: --from and --to must be ISO 8601 times.*\nRun "platewatch evidence --help" for usage\.\n$/);
    const nothing = io();
    expect(await evidenceVerb.run([], nothing)).toBe(2);
    expect(nothing.err()).toContain('Usage: platewatch evidence hold');
  });

  it('shows control characters in a typed case number as escapes', async () => {
    const r = io();
    expect(await evidenceVerb.run(hold('WPD-26-0900\u001b[2J', '5ESC777'), r)).toBe(0);
    expect(r.out()).toMatch(/^hold \S+: 1 detection\(s\) held for case WPD-26-0900\\x1b\[2J\n$/);
  });

  it('prints the case as filed (as first typed), not as typed this time', async () => {
    expect(await evidenceVerb.run(hold('WPD-26-0777', '6TRK400'), io())).toBe(0);
    const again = io();
    expect(await evidenceVerb.run(hold('wpd-26-0777', '6TRK400'), again)).toBe(0);
    expect(again.out()).toMatch(/held for case WPD-26-0777 \(typed wpd-26-0777\)\n$/);
  });
});
