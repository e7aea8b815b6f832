// The §471.9 memorandum as Markdown: text that came from users (the auditor's name, names in the
// user register, case numbers, reasons) shows exactly as typed and adds no HTML or Markdown
// structure; and a period with no inquiry at all says so plainly. Real searches on a real chDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog, memorandumOf, sampleSearches, saveUser, searchDetections, type Storage } from '../../storage/index.js';
import { markdownText } from '../../storage/memorandum.js';
import { openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
const from = new Date(Date.now() - 3_600_000);
const to = new Date(Date.now() + 60_000);

const AUDITOR = '<img src=x onerror=alert(1)> **Capt.** [R. Diaz](http://evil.example) `PSD` | &amp; ~~x~~ $y$';
const NAME = '<b>Ana</b> _Analyst_';
const CASE = 'WPD-26-1 <script>alert(1)</script>';
const REASON = '**urgent** [see](http://evil.example) ![i](x.png) `a | b` ``` c\\d & &lt; ~~s~~ _em_ *em* <!-- x -->\n# not a heading\n| x | y |';

beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
  const accessLog = new AccessLog(storage);
  await saveUser(storage, { userId: 'a1', name: NAME, title: 'Crime Analyst', roles: ['analyst'], trainedAt: '2026-01-10', active: true }, 'admin');
  await searchDetections({ storage, accessLog }, { user: 'a1', purpose: { caseNumber: CASE, reason: REASON }, plate: { kind: 'exact', plate: '7ABC123' }, from: new Date(0), to: new Date() });
  // Refused (a case "number" without a number): its detail, quoting it, lands in the refused actions table.
  await expect(searchDetections({ storage, accessLog }, { user: 'a1', purpose: { caseNumber: '<i>x</i> | y' }, from: new Date(0), to: new Date() }))
    .rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
});
afterAll(() => temp.cleanup());

/** The text CommonMark shows for Markdown text: a backslash before ASCII punctuation is that character. */
const shown = (md: string): string => md.replace(/\\([!-/:-@[-`{-~])/g, '$1');
/** Markdown with its escapes taken out: what is left is all a renderer can read as structure. */
const bare = (md: string): string => md.replace(/\\[!-/:-@[-`{-~]/g, '');
/** A table row's cells, split at the pipes that are not escaped. */
function cells(row: string): string[] {
  const out = [''];
  for (let i = 0; i < row.length; i++) {
    const c = row[i] as string;
    if (c === '\\' && i + 1 < row.length) {
      out[out.length - 1] += c + row[++i];
    } else if (c === '|') out.push('');
    else out[out.length - 1] += c;
  }
  return out.slice(1, -1).map((cell) => cell.trim());
}
const oneLine = (text: string): string => text.replace(/\n/g, ' ').trim();

describe('the Markdown memorandum', () => {
  it('shows the auditor, names, case numbers and reasons as typed, with no HTML, link, code, emphasis or extra cell', async () => {
    // Chain main: the searches of 'the Search column' below are on a chain of their own.
    const sample = await sampleSearches(storage, { from, to, chain: 'main' });
    expect(sample.reviews).toHaveLength(1);
    const md = memorandumOf(sample, { auditor: AUDITOR, date: new Date('2026-11-23T00:00:00Z') }).markdown;

    const left = bare(md);
    expect(left).not.toMatch(/[<>`[\]&~$!]/);
    // The only emphasis is the header's own bold keys.
    expect(left.replace(/^\*\*(To|From|Date|Subject):\*\* /gm, '')).not.toContain('*');
    expect(left).not.toMatch(/^#(?! MEMORANDUM$)(?!# )/m);

    const signedBy = md.split('\n').find((l) => l.startsWith('**From:** '));
    expect(shown(signedBy!.slice('**From:** '.length).trimEnd())).toBe(AUDITOR);

    const table = md.slice(md.indexOf('## Inquiries reviewed'), md.indexOf('## Findings')).split('\n').filter((l) => l.startsWith('|'));
    const [header, , row] = table;
    expect(cells(header!)).toHaveLength(12);
    const values = cells(row!);
    expect(values).toHaveLength(12);
    expect(values.map(shown)).toEqual(expect.arrayContaining([`${NAME} (a1)`, CASE, oneLine(REASON)]));

    const refused = md.slice(md.indexOf('## Refused actions')).split('\n').filter((l) => l.startsWith('| main:'));
    expect(refused.map((l) => cells(l).length)).toEqual([6]);
    expect(shown(cells(refused[0]!)[5]!)).toContain('case number "<i>x</i> | y" has no number in it');
  });

  it('leaves underscores inside words as they are, so ids stay copyable', () => {
    expect(markdownText('platewatch_system gw_1')).toBe('platewatch_system gw_1');
    expect(markdownText('_em_ a_')).toBe('\\_em\\_ a\\_');
    expect(markdownText('# title')).toBe('\\# title');
    expect(markdownText('1. first')).toBe('1\\. first');
  });
});

describe('a period with no inquiry to sample', () => {
  it('says plainly that nothing was sampled, in the memorandum and in its warnings', async () => {
    const empty = await sampleSearches(storage, { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2020-07-01T00:00:00Z'), chain: 'main' });
    expect(empty.population).toBe(0);
    const memo = memorandumOf(empty, { auditor: 'Capt. P. Standards' });
    expect(memo.warnings).toEqual([expect.stringMatching(/^No search inquiry by an employee was recorded in the period on access log chain "main", so none was sampled/)]);
    expect(memo.markdown).toContain('so none was sampled or reviewed');
    expect(memo.markdown).not.toContain('so all were reviewed');
    expect(memo.html).toContain('so none was sampled or reviewed');
    const some = memorandumOf(await sampleSearches(storage, { from, to, chain: 'main' }), { auditor: 'Capt. P. Standards' });
    expect(some.warnings).toEqual([]);
  });
});

// A reviewer reads in the Search column what was looked at (§471.9; §471.5 Impermissible Uses (b)):
// a radius browse around a gathering, or one camera at one hour, must not read as "all plates"
// between two dates.
describe('the Search column', () => {
  const CAMERA = '<b>cam</b>|7 *x*';
  let md = '';
  let html = '';
  const searchCells = (): string[] => {
    const table = md.slice(md.indexOf('## Inquiries reviewed'), md.indexOf('## Findings')).split('\n').filter((l) => l.startsWith('| '));
    return table.slice(1).map((row) => shown(cells(row)[4]!));
  };

  beforeAll(async () => {
    const accessLog = new AccessLog(storage, 'memo-params');
    const ctx = { storage, accessLog };
    const purpose = { caseNumber: 'WPD-26-0055' };
    // A camera-limited radius browse of one hour, and a pattern search with its second page (the
    // inquiry is the search: its later pages are not drawn on their own).
    await searchDetections(ctx, {
      user: 'a1', purpose, from: new Date('2026-12-05T06:00:00Z'), to: new Date('2026-12-05T07:00:00Z'),
      agencies: ['WPD', 'SCSO'], cameras: [CAMERA, 'cam_2'], near: { lat: 36.91, lon: -121.7569, radiusMeters: 750 }, limit: 50,
    });
    const pattern = { user: 'a1', purpose, plate: { kind: 'partial', pattern: '7AB*' }, from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-05T06:30:15.250Z') } as const;
    await searchDetections(ctx, pattern);
    await searchDetections(ctx, { ...pattern, before: { seenAt: '2026-12-04 22:10:05.000', readId: 'r-9' } });
    const sample = await sampleSearches(storage, { from, to: new Date(Date.now() + 60_000), chain: 'memo-params' });
    expect(sample.reviews).toHaveLength(2);
    sample.reviews.sort((a, b) => a.record.seq - b.record.seq);
    const memo = memorandumOf(sample, { auditor: 'Capt. P. Standards' });
    md = memo.markdown;
    html = memo.html;
  });

  it('shows every parameter: plate or pattern with its kind, from and to with times in UTC, agencies, cameras, radius, limit, page', () => {
    expect(searchCells()).toEqual([
      `all plates; from 2026-12-05 06:00 UTC up to 2026-12-05 07:00 UTC; agencies WPD, SCSO; cameras ${CAMERA}, cam_2; within 750 m of 36.91, -121.7569; limit 50`,
      'pattern 7AB* (partial); from 2026-12-01 00:00 UTC up to 2026-12-05 06:30:15.250 UTC',
    ]);
  });

  it('escapes the parameters as all user text, in Markdown and HTML', () => {
    const row = md.split('\n').find((l) => l.includes('within 750 m'))!;
    expect(cells(row)).toHaveLength(12);
    expect(bare(row)).not.toMatch(/[<>*]/);
    expect(html).toContain('cameras &lt;b&gt;cam&lt;/b&gt;|7 *x*, cam_2; within 750 m of 36.91, -121.7569');
    expect(html).not.toContain('<b>cam</b>');
  });
});

describe('the period in the memorandum', () => {
  const periodOf = async (fromText: string, toText: string, timeZone = 'UTC', date?: Date) => {
    const memo = memorandumOf(await sampleSearches(storage, { from: new Date(fromText), to: new Date(toText), chain: 'main' }), { auditor: 'Capt. P. Standards', timeZone, ...(date ? { date } : {}) });
    const subject = memo.markdown.split('\n').find((l) => l.startsWith('**Subject:** '))!;
    const dated = memo.markdown.split('\n').find((l) => l.startsWith('**Date:** '))!;
    const period = /Period audited: (.*?) Inquiries in the period/.exec(shown(memo.markdown))?.[1];
    return { subject: shown(subject.slice('**Subject:** '.length).trimEnd()), date: dated.slice('**Date:** '.length).trimEnd(), period, html: memo.html, name: memo.name };
  };

  it('names the department\'s days when both ends are its midnights, the last day included', async () => {
    const days = await periodOf('2026-12-01T00:00:00Z', '2026-12-07T00:00:00Z');
    expect(days.subject).toBe('ALPR detection browsing audit, 2026-12-01 through 2026-12-06, UTC days');
    expect(days.period).toBe('2026-12-01 through 2026-12-06, UTC days.');
    // November in California: Nov 1 began at 07:00Z (PDT), Dec 1 at 08:00Z (PST).
    const november = await periodOf('2026-11-01T07:00:00Z', '2026-12-01T08:00:00Z', 'America/Los_Angeles');
    expect(november.subject).toBe('ALPR detection browsing audit, 2026-11-01 through 2026-11-30, America/Los_Angeles days');
    expect(november.name).toBe('alpr-audit-2026-11-01-2026-12-01');
  });

  it('gives both ends exact, with their offsets, otherwise, the end as not included', async () => {
    const halfHour = await periodOf('2026-12-06T10:00:00Z', '2026-12-06T10:30:00Z', 'America/Los_Angeles');
    expect(halfHour.subject).toBe('ALPR detection browsing audit, 2026-12-06T02:00-08:00 up to 2026-12-06T02:30-08:00 (the end not included)');
    expect(halfHour.html).toContain('<title>ALPR detection browsing audit, 2026-12-06T02:00-08:00 up to 2026-12-06T02:30-08:00 (the end not included)</title>');
    // UTC November is not California's.
    const utcNovember = await periodOf('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 'America/Los_Angeles');
    expect(utcNovember.period).toBe('2026-10-31T17:00-07:00 up to 2026-11-30T16:00-08:00 (the end not included).');
  });

  it('is dated the department\'s day: written at 17:00 PST on Dec 6, it is dated Dec 6', async () => {
    const memo = await periodOf('2026-11-01T07:00:00Z', '2026-12-01T08:00:00Z', 'America/Los_Angeles', new Date('2026-12-07T01:00:00Z'));
    expect(memo.date).toBe('2026-12-06');
  });
});
