// `platewatch evidence hold` and `export`, run in-process against a real chDB directory: what they print (QA).
// The verb's other behaviour (holds, exports, refusals) is test/storage/verbs.test.ts.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
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
  await saveUser(storage, { userId: 'cust1', name: 'C. Ustodian', title: 'Records Supervisor', roles: ['custodian'], trainedAt: '2026-01-01', active: true }, 'admin');
  await setPassword(storage, 'cust1', PASSWORD, 'admin', 10);
  const writer = new DetectionWriter(storage);
  await (await writer.enqueue([detection({ readId: 'e1', plate: '6TRK400', seenAt: T0 }), detection({ readId: 'e2', plate: '5ESC777', seenAt: T0 + 1000 })])).durable;
  // Read first as 3OTH333; 3ALT333 was one of the camera's other readings.
  await (await writer.enqueue([detection({ readId: 'alt1', plate: '3OTH333', seenAt: T0 + 4000, candidates: ['3ALT333'] })])).durable;
  // Two cameras' reads that share an id.
  await (await writer.enqueue([
    detection({ readId: 'dup1', camera: 'cam-a', plate: '8DUP001', seenAt: T0 + 2000 }), detection({ readId: 'dup1', camera: 'cam-b', agency: 'SCPD', plate: '8DUP002', seenAt: T0 + 3000 }),
  ])).durable;
  // Around Dec 1 in California (PST, UTC-8): the evening before, and noon, 17:00 and 19:00 on the day.
  await (await writer.enqueue([Date.UTC(2026, 11, 1, 7, 30), Date.UTC(2026, 11, 1, 20), Date.UTC(2026, 11, 2, 1), Date.UTC(2026, 11, 2, 3)]
    .map((seenAt, i) => detection({ readId: `tz${i}`, plate: '4TZH001', seenAt })))).durable;
  await writer.close();
  await storage.close(); // the verb opens the directory itself
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(env: Record<string, string> = {}): VerbIO & { out(): string; err(): string } {
  return capturedVerbIo(dir, `${PASSWORD}\n`, env);
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
    expect(yesterday.err()).toMatch(/^platewatch evidence: --from and --to must be ISO 8601 dates or times.*\nRun "platewatch evidence --help" for usage\.\n$/);
    const nothing = io();
    expect(await evidenceVerb.run([], nothing)).toBe(2);
    expect(nothing.err()).toContain('Usage: platewatch evidence hold');
  });

  it('shows control characters in a typed case number as escapes', async () => {
    const r = io();
    expect(await evidenceVerb.run(hold('WPD-26-0900\u001b[2J', '5ESC777'), r)).toBe(0);
    expect(r.out()).toMatch(/\nhold \S+: 1 detection\(s\) held for case WPD-26-0900\\x1b\[2J\n$/);
  });

  it('prints the case as filed (as first typed), not as typed this time', async () => {
    expect(await evidenceVerb.run(hold('WPD-26-0777', '6TRK400'), io())).toBe(0);
    const again = io();
    expect(await evidenceVerb.run(hold('wpd-26-0777', '6TRK400'), again)).toBe(0);
    expect(again.out()).toMatch(/held for case WPD-26-0777 \(typed wpd-26-0777\)\n$/);
  });

  it('holds by read id every camera\'s detection with it, or one camera\'s or agency\'s with --camera or --agency', async () => {
    const byId = (caseNumber: string, ...more: string[]) =>
      ['hold', '--case', caseNumber, '--reason', 'hit and run, report 26-4411', '--read-id', 'dup1', '--from', '2026-11-02', '--to', '2026-11-03', ...more, ...AS];
    const both = io();
    expect(await evidenceVerb.run(byId('WPD-26-0960'), both), both.err()).toBe(0);
    expect(both.out()).toMatch(/: 2 detection\(s\) held for case WPD-26-0960\n$/);
    const one = io();
    expect(await evidenceVerb.run(byId('WPD-26-0961', '--camera', 'cam-b'), one), one.err()).toBe(0);
    expect(one.out()).toMatch(/: 1 detection\(s\) held for case WPD-26-0961\n$/);
    const agency = io();
    expect(await evidenceVerb.run(byId('WPD-26-0962', '--agency', 'WPD'), agency), agency.err()).toBe(0);
    expect(agency.out()).toMatch(/: 1 detection\(s\) held for case WPD-26-0962\n$/);
  });

  it('holds a plate also where it was one of the camera\'s other readings, as a search finds it; --as-read only as read', async () => {
    const both = io();
    expect(await evidenceVerb.run(hold('WPD-26-0970', '3ALT333'), both), both.err()).toBe(0);
    expect(both.out()).toMatch(/: 1 detection\(s\) held for case WPD-26-0970\n$/);
    const asRead = io();
    expect(await evidenceVerb.run([...hold('WPD-26-0971', '3ALT333'), '--as-read'], asRead)).toBe(1);
    expect(asRead.err()).toMatch(/NOTHING_HELD|matches no detection|nothing/i);
    const pattern = io();
    expect(await evidenceVerb.run(['hold', '--case', 'WPD-26-0972', '--reason', 'r 26-1', '--pattern', '3ALT*', '--as-read', '--from', '2026-11-02', '--to', '2026-11-03', ...AS], pattern)).toBe(2);
    expect(pattern.err()).toMatch(/^platewatch evidence: --as-read goes with --plate/);
  });

  it("reads bare dates as the department's days and says the window it used", async () => {
    // Read as UTC days, Dec 1 held the evening of Nov 30 and missed Dec 1 after 16:00 PST (found by QA).
    const r = io({ PLATEWATCH_TIME_ZONE: 'America/Los_Angeles' });
    expect(await evidenceVerb.run(hold('WPD-26-0901', '4TZH001', '2026-12-01', '2026-12-02'), r), r.err()).toBe(0);
    expect(r.out()).toMatch(/^window 2026-12-01 00:00 – 2026-12-02 00:00 America\/Los_Angeles \(2026-12-01T08:00Z – 2026-12-02T08:00Z\)\nhold \S+: 3 detection\(s\) held for case WPD-26-0901\n$/);
  });
});

describe('platewatch evidence export', () => {
  it("prints last the SHA-256 of manifest.json for the property form, the one the access log records", async () => {
    expect(await evidenceVerb.run(hold('WPD-26-0950', '5ESC777'), io())).toBe(0);
    const out = join(dir, 'media', 'WPD-26-0950');
    const r = io();
    expect(await evidenceVerb.run(['export', '--case', 'WPD-26-0950', '--out', out, '--reason', 'booking into property', '--as', 'cust1', '--password-stdin', '--data-dir', dataDir], r), r.err()).toBe(0);
    const manifestSha256 = createHash('sha256').update(readFileSync(join(out, 'manifest.json'))).digest('hex');
    expect(r.out()).toMatch(/ {2}[0-9a-f]{64} {2}README\.txt\n/);
    expect(r.out().endsWith(`manifest.json SHA-256 (recorded in the access log; write it on the property form):\n  ${manifestSha256}  manifest.json\n`)).toBe(true);
    const storage = await openStorage({ dataDir });
    try {
      const rs = await storage.client.query({
        query: `SELECT detail FROM ${storage.db}.access_log WHERE user_id = 'cust1' AND action = 'export' ORDER BY seq DESC LIMIT 1`, format: 'JSONEachRow',
      });
      expect((await rs.json<{ detail: string }>())[0]?.detail).toMatch(new RegExp(`^manifest\\.json SHA-256 ${manifestSha256} `));
    } finally {
      await storage.close();
    }
  });
});
