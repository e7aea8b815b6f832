// `platewatch release` and `platewatch report`, run in-process against a real chDB directory, as
// the custodian and the Chief run them (Watsonville §471.8): refusals exit 1 and are logged; the
// Values Act refusal holds whatever the configuration; the package verifies with sha256sum -c.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../bin/config.js';
import type { VerbIO } from '../../bin/verb.js';
import { evidenceVerb } from '../../bin/verbs/evidence.js';
import { releaseVerb } from '../../bin/verbs/release.js';
import { reportVerb } from '../../bin/verbs/report.js';
import { DetectionWriter, openStorage, recordHits, saveUser, setPassword } from '../../storage/index.js';
import { detection, makeTempDir } from '../storage/temp-storage.js';
import { capturedVerbIo } from '../fixtures/cli.js';

const dir = makeTempDir('platewatch-release-');
const dataDir = join(dir, 'clickhouse');
const PASSWORD = 'release passphrase 2026';
const T0 = Date.UTC(2026, 10, 2, 10);

beforeAll(async () => {
  const storage = await openStorage({ dataDir });
  for (const [userId, role] of [['cust1', 'custodian'], ['chief1', 'chief'], ['ofc1', 'officer']] as const) {
    await saveUser(storage, { userId, name: userId, title: role, roles: [role], trainedAt: '2026-01-01', active: true }, 'admin');
    await setPassword(storage, userId, PASSWORD, 'admin', 10);
  }
  const writer = new DetectionWriter(storage);
  await (await writer.enqueue([detection({ readId: 'c1', plate: '6TRK400', seenAt: T0 }), detection({ readId: 'c2', plate: '4NOPE44', seenAt: T0 + 1000 })])).durable;
  await writer.close();
  await storage.close(); // the verbs open the directory themselves
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(env: Record<string, string> = {}, password = PASSWORD): VerbIO & { out(): string; err(): string } {
  return capturedVerbIo(dir, `${password}\n`, env);
}

const AS = (user: string) => ['--as', user, '--password-stdin', '--data-dir', dataDir];
const LOCAL = ['--agency', 'Santa Cruz Police Department', '--agency-kind', 'local', '--requester', 'Det. M. Lopez', '--purpose', 'armed robbery, SCPD case 26-01234',
  '--plate', '6TRK400', '--from', '2026-11-02', '--to', '2026-11-03'];

function option(args: string[], name: string, value: string): string[] {
  const i = args.indexOf(name);
  return [...args.slice(0, i + 1), value, ...args.slice(i + 2)];
}

describe('platewatch release', () => {
  let id = '';

  it('rejects bad usage with exit 2 and a message', async () => {
    const none = io();
    expect(await releaseVerb.run(['request', ...LOCAL], none)).toBe(2);
    expect(none.err()).toMatch(/--as ID is required/);
    const kind = io();
    expect(await releaseVerb.run(['request', ...option(LOCAL, '--agency-kind', 'friendly'), ...AS('cust1')], kind)).toBe(2);
    expect(kind.err()).toMatch(/--agency-kind must be one of local, state/);
    expect(await releaseVerb.run(['refuse', '--id', 'REL-x', ...AS('chief1')], io())).toBe(2);
  });

  it('refuses a member without the role (exit 1)', async () => {
    const r = io();
    expect(await releaseVerb.run(['request', ...LOCAL, ...AS('ofc1')], r)).toBe(1);
    expect(r.err()).toMatch(/NOT_PERMITTED: "releases.request" needs one of the roles custodian, administrator, chief/);
  });

  it('refuses a wrong password (exit 1)', async () => {
    const r = io({}, 'not the password at all');
    expect(await releaseVerb.run(['list', ...AS('chief1')], r)).toBe(1);
    expect(r.err()).toMatch(/unknown user or wrong password/);
  });

  it('records an ICE request as refused, even with out-of-state and federal releases allowed', async () => {
    const r = io({ PLATEWATCH_RELEASE_REFUSE_OUT_OF_STATE: 'false', PLATEWATCH_RELEASE_REFUSE_FEDERAL: 'false' });
    expect(await releaseVerb.run(['request', ...option(option(LOCAL, '--agency', 'U.S. Customs and Border Protection'), '--agency-kind', 'federal'), ...AS('cust1')], r)).toBe(0);
    expect(r.out()).toMatch(/REFUSED/);
    expect(r.out()).toMatch(/refused automatically: California Values Act/);
  });

  it('refuses an out-of-state agency by default and records it pending when configured to allow', async () => {
    const reno = [...option(LOCAL, '--agency', 'Reno Police Department'), '--agency-state', 'NV'];
    const byDefault = io();
    expect(await releaseVerb.run(['request', ...reno, ...AS('cust1')], byDefault)).toBe(0);
    expect(byDefault.out()).toMatch(/refused automatically: out-of-state agency \(NV\)/);
    const allowed = io({ PLATEWATCH_RELEASE_REFUSE_OUT_OF_STATE: 'false' });
    expect(await releaseVerb.run(['request', ...reno, ...AS('cust1')], allowed)).toBe(0);
    expect(allowed.out()).toMatch(/PENDING/);
    const bad = io({ PLATEWATCH_RELEASE_REFUSE_OUT_OF_STATE: 'maybe' });
    expect(await releaseVerb.run(['request', ...reno, ...AS('cust1')], bad)).toBe(2);
    expect(bad.err()).toMatch(/PLATEWATCH_RELEASE_REFUSE_OUT_OF_STATE: "maybe" must be true or false/);
  });

  it('records a request, lets only the chief approve it, and exports the package with checksums', async () => {
    const rec = io();
    expect(await releaseVerb.run(['request', ...LOCAL, '--document', 'letter 2026-11-09', ...AS('cust1')], rec)).toBe(0);
    id = /^(REL-\S+)\s+PENDING/m.exec(rec.out())?.[1] ?? '';
    expect(id).toMatch(/^REL-/);

    const early = io();
    expect(await releaseVerb.run(['export', '--id', id, ...AS('cust1')], early)).toBe(1);
    expect(early.err()).toMatch(/RELEASE_NOT_APPROVED/);
    const byCustodian = io();
    expect(await releaseVerb.run(['approve', '--id', id, ...AS('cust1')], byCustodian)).toBe(1);
    expect(byCustodian.err()).toMatch(/"releases.decide" needs one of the roles chief/);
    const approve = io();
    expect(await releaseVerb.run(['approve', '--id', id, '--note', 'verified with SCPD', ...AS('chief1')], approve)).toBe(0);
    expect(approve.out()).toMatch(/APPROVED/);

    const exp = io();
    expect(await releaseVerb.run(['export', '--id', id, ...AS('cust1')], exp)).toBe(0);
    expect(exp.out()).toMatch(/exported 1 detection\(s\) for Santa Cruz Police Department/);
    const pkg = join(dir, 'data', 'releases', id);
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: pkg, encoding: 'utf8' })).toMatch(/detections.csv: OK[\s\S]*manifest.json: OK/);
    expect(readFileSync(join(pkg, 'detections.csv'), 'utf8')).not.toContain('4NOPE44');
    // Last, for the property form, as evidence export prints it: the manifest as written, and as the access log has it.
    const printed = /manifest\.json SHA-256 \(recorded in the access log; write it on the property form\):\n {2}([0-9a-f]{64}) {2}manifest\.json\n$/.exec(exp.out())?.[1];
    expect(printed).toBe(createHash('sha256').update(readFileSync(join(pkg, 'manifest.json'))).digest('hex'));
    const storage = await openStorage({ dataDir });
    try {
      const rs = await storage.client.query({
        query: `SELECT detail FROM ${storage.db}.access_log WHERE action = 'export' AND JSONExtractString(params, 'requestId') = {id:String} AND startsWith(detail, 'manifest.json SHA-256')`,
        query_params: { id }, format: 'JSONEachRow',
      });
      expect((await rs.json<{ detail: string }>()).map((r) => r.detail.split(' ')[2])).toEqual([printed]);
    } finally {
      await storage.close();
    }
  });

  it('shows the history and lists requests on file by status', async () => {
    const show = io();
    expect(await releaseVerb.run(['show', '--id', id, ...AS('chief1')], show)).toBe(0);
    expect(show.out().match(/^REL-\S+\s+(\w+)/gm)?.map((l) => l.split(/\s+/)[1])).toEqual(['PENDING', 'APPROVED', 'RELEASED']);
    const list = io();
    expect(await releaseVerb.run(['list', '--status', 'refused', ...AS('cust1')], list)).toBe(0);
    expect(list.out()).toMatch(/U.S. Customs and Border Protection/);
    expect(list.out()).not.toMatch(/Santa Cruz/);
  });

  it('refuses the chief approval of a request they recorded themself (exit 1, SELF_DECISION, saying who approves); they may refuse it to withdraw it', async () => {
    const rec = io();
    expect(await releaseVerb.run(['request', ...LOCAL, ...AS('chief1')], rec)).toBe(0);
    const own = /^(REL-\S+)\s+PENDING/m.exec(rec.out())?.[1] ?? '';
    const approve = io();
    expect(await releaseVerb.run(['approve', '--id', own, '--note', 'my own', ...AS('chief1')], approve)).toBe(1);
    expect(approve.err()).toBe(`platewatch release approve: SELF_DECISION: chief1 recorded release request ${own}, so may not approve it: another Chief or a designee (an account holding the chief role) approves it; or refuse it yourself to withdraw it (§471.8(b): no data is released on one person's word)\n`);
    const refuse = io();
    expect(await releaseVerb.run(['refuse', '--id', own, '--note', 'recorded in error; withdrawn', ...AS('chief1')], refuse)).toBe(0);
    expect(refuse.out()).toMatch(new RegExp(`^${own}  REFUSED  \\(version 2\\)`));
    expect(refuse.out()).toMatch(/decided .* by chief1 \[chief\]: recorded in error; withdrawn/);
    const show = io();
    expect(await releaseVerb.run(['show', '--id', own, ...AS('cust1')], show)).toBe(0);
    expect(show.out().match(/^REL-\S+\s+(\w+)/gm)?.map((l) => l.split(/\s+/)[1])).toEqual(['PENDING', 'REFUSED']);
  });
});

describe('platewatch report transparency', () => {
  it('writes the report, with no plates, for an allowed role', async () => {
    const r = io();
    expect(await reportVerb.run(['transparency', '--from', '2026-11-01', '--to', '2030-01-01', '--out', 'report.html', '--agency', 'Watsonville PD', ...AS('chief1')], r)).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<td>Plate reads</td><td>2</td>');
    expect(html).toContain('<td>Granted</td><td>1</td>');
    expect(html).not.toContain('6TRK400');
    const json = io();
    expect(await reportVerb.run(['transparency', '--format', 'json', ...AS('cust1')], json)).toBe(0);
    // The request the chief recorded and withdrew counts as refused by the Chief.
    expect(JSON.parse(json.out()).releases.refusedByRule).toEqual({ values_act: 1, out_of_state: 1, chief: 1 });
  });

  it('withholds the names of the covert lists the configuration names, counting their hits together', async () => {
    const storage = await openStorage({ dataDir });
    try {
      await recordHits(storage, [{
        hitId: 'rep-h1', readId: 'c1', agency: 'WPD', camera: 'cam-1', seenAt: T0, plate: '6TRK400', list: 'NARC', entryId: '6TRK400', entryVersion: 1,
        matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
      }]);
    } finally {
      await storage.close();
    }
    writeFileSync(join(dir, 'covert.json'), JSON.stringify({ hits: { covertLists: { NARC: ['det1'] } } }));
    const json = io();
    expect(await reportVerb.run(['transparency', '--format', 'json', '--config', 'covert.json', ...AS('chief1')], json)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({ hits: 1, hitsByList: {}, hitsOnCovertLists: 1 });
    const markdown = io();
    expect(await reportVerb.run(['transparency', '--config', 'covert.json', ...AS('chief1')], markdown)).toBe(0);
    expect(markdown.out()).toContain('| Hits on covert lists (names withheld) | 1 |');
    for (const text of [json.out(), markdown.out()]) expect(text).not.toContain('NARC');
  });

  it('refuses other roles (exit 1) and bad usage (exit 2)', async () => {
    const r = io();
    expect(await reportVerb.run(['transparency', ...AS('ofc1')], r)).toBe(1);
    expect(r.err()).toMatch(/NOT_PERMITTED/);
    expect(await reportVerb.run(['transparency', '--from', 'last week', ...AS('chief1')], io())).toBe(2);
    expect(await reportVerb.run(['transparency', '--format', 'pdf', ...AS('chief1')], io())).toBe(2);
    expect(await reportVerb.run(['summary', ...AS('chief1')], io())).toBe(2);
  });

  it('replaces a report written before (a monthly report to the same path) without following a link there, readable by owner and group only', async () => {
    const out = join(dir, 'monthly.md');
    writeFileSync(out, 'last month\n');
    const first = io();
    expect(await reportVerb.run(['transparency', '--out', 'monthly.md', ...AS('chief1')], first)).toBe(0);
    expect(first.out()).toBe(`wrote ${out}\n`);
    expect(readFileSync(out, 'utf8')).toMatch(/^# ALPR transparency report/);
    expect(statSync(out).mode & 0o777).toBe(0o640);
    // A link planted at the path: the link is replaced, the file it points to left as it was.
    const target = join(dir, 'not-the-report.txt');
    writeFileSync(target, 'keep me\n');
    symlinkSync(target, join(dir, 'linked.md'));
    const linked = io();
    expect(await reportVerb.run(['transparency', '--out', 'linked.md', ...AS('chief1')], linked)).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
    expect(lstatSync(join(dir, 'linked.md')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, 'linked.md'), 'utf8')).toMatch(/^# ALPR transparency report/);
    expect(readdirSync(dir).filter((name) => name.includes('.partial'))).toEqual([]);
  });

  it('refuses an --out it could not write, in words and before making the report (exit 2)', async () => {
    const missing = io();
    expect(await reportVerb.run(['transparency', '--out', 'none/report.html', ...AS('chief1')], missing)).toBe(2);
    expect(missing.err()).toBe(`platewatch report transparency: --out the directory ${join(dir, 'none')} does not exist\n`);
    const directory = io();
    expect(await reportVerb.run(['transparency', '--out', '.', ...AS('chief1')], directory)).toBe(2);
    expect(directory.err()).toBe(`platewatch report transparency: --out ${dir} is a directory; name the file to write\n`);
  });
});

describe('release configuration', () => {
  it('defaults to refusing out-of-state and federal agencies, home state CA; file and environment override', () => {
    expect(resolveConfig({}, {}).release).toEqual({ refuseOutOfState: true, refuseFederal: true, homeState: 'CA' });
    expect(resolveConfig({ release: { refuseOutOfState: false, homeState: 'nv' } }, {}).release).toEqual({ refuseOutOfState: false, refuseFederal: true, homeState: 'NV' });
    expect(resolveConfig({ release: { refuseFederal: true } }, { PLATEWATCH_RELEASE_REFUSE_FEDERAL: 'false', PLATEWATCH_HOME_STATE: 'or' }).release)
      .toEqual({ refuseOutOfState: true, refuseFederal: false, homeState: 'OR' });
  });

  it('has no setting that turns the Values Act refusal off, and names bad values', () => {
    expect(() => resolveConfig({ release: { allowImmigrationAgencies: true } }, {})).toThrow(/unknown key "release.allowImmigrationAgencies"/);
    expect(() => resolveConfig({ release: { refuseFederal: 'no' } }, {})).toThrow(/release.refuseFederal must be true or false/);
    expect(() => resolveConfig({ release: { homeState: 'California' } }, {})).toThrow(/release.homeState must be a two-letter state code/);
  });
});

describe('platewatch release: what it prints (QA)', () => {
  async function lastLogOf(user: string): Promise<{ action: string; outcome: string; detail: string }> {
    const storage = await openStorage({ dataDir });
    try {
      const rs = await storage.client.query({
        query: `SELECT action, outcome, detail FROM ${storage.db}.access_log WHERE user_id = {u:String} ORDER BY seq DESC LIMIT 1`,
        query_params: { u: user }, format: 'JSONEachRow',
      });
      return ((await rs.json()) as Array<{ action: string; outcome: string; detail: string }>)[0]!;
    } finally {
      await storage.close();
    }
  }

  it('shows control characters in what people typed as escapes in list and show, never as terminal commands', async () => {
    const agency = 'Gilroy Police\u001b[2J Department';
    const requester = 'Det. E\u0007 Ng';
    const purpose = 'burglary GPD 26-77\u001b]0;pwned\u0007';
    const rec = io();
    expect(await releaseVerb.run(['request', ...option(option(option(LOCAL, '--agency', agency), '--requester', requester), '--purpose', purpose), ...AS('cust1')], rec)).toBe(0);
    const id = /^(REL-\S+)\s+PENDING/m.exec(rec.out())?.[1] ?? '';
    const refuse = io();
    expect(await releaseVerb.run(['refuse', '--id', id, '--note', 'not verified\u001b[31m', ...AS('chief1')], refuse)).toBe(0);
    const list = io();
    expect(await releaseVerb.run(['list', ...AS('cust1')], list)).toBe(0);
    const show = io();
    expect(await releaseVerb.run(['show', '--id', id, ...AS('cust1')], show)).toBe(0);
    for (const printed of [rec.out(), refuse.out(), list.out(), show.out()]) {
      expect(printed).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    }
    expect(list.out()).toContain('Gilroy Police\\x1b[2J Department — burglary GPD 26-77\\x1b]0;pwned\\x07');
    expect(show.out()).toContain('requester Det. E\\x07 Ng');
    expect(show.out()).toContain(': not verified\\x1b[31m');
  });

  it('puts a value error above one line pointing to --help, not under the usage; no sub-command still shows the usage', async () => {
    const vague = io();
    expect(await releaseVerb.run(['request', ...option(LOCAL, '--purpose', 'investigation'), ...AS('cust1')], vague)).toBe(2);
    expect(vague.err()).toBe('platewatch release: purpose "investigation" is too vague: state the intended purpose of obtaining the data (Watsonville §471.8(a)(3))\n'
      + 'Run "platewatch release --help" for usage.\n');
    const noNote = io();
    expect(await releaseVerb.run(['refuse', '--id', 'REL-x', ...AS('chief1')], noNote)).toBe(2);
    expect(noNote.err()).toBe('platewatch release: refuse needs the reason: --note TEXT\nRun "platewatch release --help" for usage.\n');
    const nothing = io();
    expect(await releaseVerb.run([], nothing)).toBe(2);
    expect(nothing.err()).toContain('Usage: platewatch release request');
  });

  it('logs a request it does not record (a vague purpose) on the access log', async () => {
    for (const purpose of ['investigation', 'law enforcement purposes']) {
      expect(await releaseVerb.run(['request', ...option(LOCAL, '--purpose', purpose), ...AS('cust1')], io())).toBe(2);
      expect(await lastLogOf('cust1')).toMatchObject({ action: 'release', outcome: 'refused', detail: expect.stringContaining(`purpose "${purpose}" is too vague`) });
    }
    const kind = io();
    expect(await releaseVerb.run(['request', ...option(LOCAL, '--agency-kind', 'friendly'), ...AS('cust1')], kind)).toBe(2);
    expect(await lastLogOf('cust1')).toMatchObject({ action: 'release', outcome: 'invalid', detail: expect.stringContaining('agencyKind must be one of') });
  });

  it('refuses a placeholder as the reason of a refusal (exit 2), as for a search reason', async () => {
    const rec = io();
    expect(await releaseVerb.run(['request', ...LOCAL, ...AS('cust1')], rec)).toBe(0);
    const id = /^(REL-\S+)\s+PENDING/m.exec(rec.out())?.[1] ?? '';
    const x = io();
    expect(await releaseVerb.run(['refuse', '--id', id, '--note', 'x', ...AS('chief1')], x)).toBe(2);
    expect(x.err()).toMatch(/^platewatch release: the note "x" does not say why the request is refused/);
    expect(await lastLogOf('chief1')).toMatchObject({ action: 'release', outcome: 'invalid' });
  });

  it('names the requester, not the agency, when the requester is immigration enforcement, and keeps the declared kind', async () => {
    const r = io();
    expect(await releaseVerb.run(['request', ...option(option(LOCAL, '--agency', 'Monterey County Task Force'), '--requester', 'HSI agent R. Cole'), ...AS('cust1')], r)).toBe(0);
    expect(r.out()).toContain('agency    Monterey County Task Force (local, CA)');
    expect(r.out()).toMatch(/refused automatically: California Values Act.*the requester "HSI agent R\. Cole"/);
  });
});

describe("periods in the department's time zone (QA: a California records supervisor)", () => {
  const LA = { PLATEWATCH_TIME_ZONE: 'America/Los_Angeles' };
  const NOV30 = ['--agency', 'Santa Cruz Police Department', '--agency-kind', 'local', '--requester', 'Det. M. Lopez', '--purpose', 'armed robbery, SCPD case 26-01299',
    '--plate', '3TZR001', '--from', '2026-11-30', '--to', '2026-12-01'];

  beforeAll(async () => {
    const storage = await openStorage({ dataDir });
    try {
      const writer = new DetectionWriter(storage);
      await (await writer.enqueue([
        detection({ readId: 'tz-nov29', plate: '3TZR001', seenAt: Date.UTC(2026, 10, 30, 7, 30) }), // 23:30 PST Nov 29
        detection({ readId: 'tz-nov30', plate: '3TZR001', seenAt: Date.UTC(2026, 11, 1, 7, 59) }), // 23:59 PST Nov 30
      ])).durable;
      await writer.close();
    } finally {
      await storage.close();
    }
  });

  async function approved(args: string[]): Promise<{ id: string; recorded: string }> {
    const rec = io(LA);
    expect(await releaseVerb.run(['request', ...args, ...AS('cust1')], rec), rec.err()).toBe(0);
    const id = /^(REL-\S+)\s+PENDING/m.exec(rec.out())?.[1] ?? '';
    expect(await releaseVerb.run(['approve', '--id', id, '--note', 'verified', ...AS('chief1')], io(LA))).toBe(0);
    return { id, recorded: rec.out() };
  }

  it('releases all of Nov 30 there for --from 2026-11-30 --to 2026-12-01, and says the window recorded', async () => {
    const { id, recorded } = await approved(NOV30);
    expect(recorded).toContain('window 2026-11-30 00:00 – 2026-12-01 00:00 America/Los_Angeles (2026-11-30T08:00Z – 2026-12-01T08:00Z)');
    const exp = io(LA);
    expect(await releaseVerb.run(['export', '--id', id, ...AS('cust1')], exp)).toBe(0);
    expect(exp.out()).toMatch(/exported 1 detection\(s\)/);
    expect(exp.err()).toBe('');
    expect(readFileSync(join(dir, 'data', 'releases', id, 'detections.csv'), 'utf8')).toContain('tz-nov30');
  });

  it('warns, without failing, when the package holds 0 detections', async () => {
    const { id } = await approved(option(option(NOV30, '--from', '2026-06-01'), '--to', '2026-06-02'));
    const exp = io(LA);
    expect(await releaseVerb.run(['export', '--id', id, ...AS('cust1')], exp)).toBe(0);
    expect(exp.out()).toMatch(/exported 0 detection\(s\)/);
    expect(exp.err()).toMatch(/^warning: the package holds 0 detections/);
  });

  it('says how --from and --to are read in --help', () => {
    expect(releaseVerb.usage).toMatch(/--from, --to DATE +the time range asked for: ISO 8601, in the department's time zone/);
    expect(reportVerb.usage).toContain("Dates and times are the department's time zone");
  });

  it("reports bare dates as the department's days, labelled as the console labels them", async () => {
    const r = io(LA);
    expect(await reportVerb.run(['transparency', '--from', '2026-11-01', '--to', '2026-12-01', '--format', 'markdown', ...AS('chief1')], r)).toBe(0);
    expect(r.out()).toContain('Period: 2026-11-01 through 2026-11-30, America/Los_Angeles days.');
    expect(r.err()).toContain('window 2026-11-01 00:00 – 2026-12-01 00:00 America/Los_Angeles (2026-11-01T07:00Z – 2026-12-01T08:00Z)');
  });
});

describe('the approval keeps the detections it approves (QA: a second vehicle held after approval was exported; §471.8(b))', () => {
  const CASE_REQUEST = ['--agency', 'Santa Cruz Police Department', '--agency-kind', 'local', '--requester', 'Det. M. Lopez', '--purpose', 'joint auto theft investigation, SCPD case 26-01301'];
  const hold = (caseNumber: string, plate: string) =>
    ['hold', '--case', caseNumber, '--reason', 'stolen vehicle follow-up', '--plate', plate, '--from', '2026-11-02', '--to', '2026-11-03', ...AS('cust1')];

  beforeAll(async () => {
    const storage = await openStorage({ dataDir });
    try {
      const writer = new DetectionWriter(storage);
      await (await writer.enqueue([
        detection({ readId: 'qa-other', plate: 'QAOTHER9', seenAt: T0 + 10_000 }),
        detection({ readId: 'qa-hzzz', plate: 'QAHZZZ9', seenAt: T0 + 11_000 }),
        detection({ readId: 'gone-1', plate: '5GONE01', seenAt: T0 + 12_000 }),
        detection({ readId: 'gone-2', plate: '5GONE01', seenAt: T0 + 13_000 }),
        detection({ readId: 'old-1', plate: '5OLDAP1', seenAt: T0 + 14_000 }),
      ])).durable;
      await writer.close();
    } finally {
      await storage.close();
    }
  });

  async function requested(args: string[]): Promise<string> {
    const rec = io();
    expect(await releaseVerb.run(['request', ...args, ...AS('cust1')], rec), rec.err()).toBe(0);
    return /^(REL-\S+)\s+PENDING/m.exec(rec.out())?.[1] ?? '';
  }

  /** Changes the embedded data directory between verbs, as retention or an older version would have. */
  async function withStorage(sql: string, params: Record<string, unknown> = {}): Promise<void> {
    const storage = await openStorage({ dataDir });
    try {
      await storage.client.command({ query: sql.replaceAll('DB.', `${storage.db}.`), query_params: params });
    } finally {
      await storage.close();
    }
  }

  it('shows the Chief what the request matches, approves that, and exports only it: a vehicle held under the case after approval is left out, and said to need a new request', async () => {
    expect(await evidenceVerb.run(hold('WPD-26-0900', 'QAOTHER9'), io())).toBe(0);
    const id = await requested([...CASE_REQUEST, '--case', 'WPD-26-0900']);
    const show = io();
    expect(await releaseVerb.run(['show', '--id', id, ...AS('chief1')], show)).toBe(0);
    expect(show.out()).toContain('matching now: 1 detection(s) of 1 plate(s); an approval releases these and no others\n  plates    QAOTHER9\n');
    const approve = io();
    expect(await releaseVerb.run(['approve', '--id', id, '--note', 'verified with SCPD', ...AS('chief1')], approve)).toBe(0);
    expect(approve.out()).toContain('approved 1 detection(s): the package will hold these and no others\n');
    expect(approve.out()).toContain('  approved  1 detection(s), kept with the approval');
    // A second vehicle, held under the case (typed in other letters) after the approval.
    expect(await evidenceVerb.run(hold('wpd-26-0900', 'QAHZZZ9'), io())).toBe(0);
    const exp = io();
    expect(await releaseVerb.run(['export', '--id', id, ...AS('cust1')], exp)).toBe(0);
    expect(exp.out()).toMatch(/^exported 1 detection\(s\) for Santa Cruz Police Department/);
    expect(exp.out()).toContain('  1 detection(s) approved\n');
    expect(exp.out()).toContain('  1 newer match(es) of the request were not approved and are left out: a new request is needed for them\n');
    const csv = readFileSync(join(dir, 'data', 'releases', id, 'detections.csv'), 'utf8');
    expect(csv).toContain('QAOTHER9');
    expect(csv).not.toContain('QAHZZZ9');
  });

  it('says how many approved detections are no longer stored when the package is made', async () => {
    const id = await requested([...option(LOCAL, '--plate', '5GONE01')]);
    const approve = io();
    expect(await releaseVerb.run(['approve', '--id', id, ...AS('chief1')], approve)).toBe(0);
    expect(approve.out()).toContain('approved 2 detection(s)');
    await withStorage("ALTER TABLE DB.detections DELETE WHERE read_id = 'gone-1' SETTINGS mutations_sync = 2");
    const exp = io();
    expect(await releaseVerb.run(['export', '--id', id, ...AS('cust1')], exp)).toBe(0);
    expect(exp.out()).toMatch(/^exported 1 detection\(s\)/);
    expect(exp.out()).toContain('  2 detection(s) approved; 1 of them no longer stored (purged since the approval), so not in the package\n');
    expect(JSON.parse(readFileSync(join(dir, 'data', 'releases', id, 'manifest.json'), 'utf8'))).toMatchObject({ detections: 1, approvedDetections: 2, approvedNoLongerStored: 1 });
  });

  it('exports a request approved before approvals kept their detections by its criteria, as then, and says so', async () => {
    const id = await requested([...option(LOCAL, '--plate', '5OLDAP1')]);
    // The approval as written before migration 13: no approved_count, no approved_detections.
    await withStorage(`INSERT INTO DB.release_requests (request_id, version, received_at, agency, agency_kind, agency_state, requester, purpose, criteria,
        recorded_by, status, decided_by, decided_at, decision_note, refusal_rule, document_ref, package_manifest)
      SELECT request_id, 2, received_at, agency, agency_kind, agency_state, requester, purpose, criteria, recorded_by, 'approved', 'chief1', now64(3), 'ok',
        refusal_rule, document_ref, package_manifest FROM DB.release_requests WHERE request_id = {id:String} AND version = 1`, { id });
    const exp = io();
    expect(await releaseVerb.run(['export', '--id', id, ...AS('cust1')], exp)).toBe(0);
    expect(exp.out()).toMatch(/^exported 1 detection\(s\)/);
    expect(exp.out()).toContain('  approved before approvals kept their detections: the package holds what the request matched at export\n');
  });
});
