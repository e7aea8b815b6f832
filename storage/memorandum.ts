// The audit memorandum to the Chief of Police (Watsonville §471.9), in Markdown and HTML, from one
// model so the two always say the same thing. Text from users (names, case numbers, reasons) is
// escaped in both, so it shows as typed and adds no structure to either; control characters in it
// are shown as escapes, so no terminal that prints the file runs them.
import { controlsShown } from './control-text.js';
import { dayIn, DEFAULT_TIME_ZONE } from './department-day.js';
import { periodText } from './member-time.js';
import { isRoleOrTrainingViolation, type AuditSample, type RefusalCounts, type RefusalKind, type RefusedAction } from './audit.js';

export interface MemorandumMeta {
  /** Name and title of the auditor (PSD Captain or the Chief's designee). */
  auditor: string;
  /** @default 'Chief of Police' */
  to?: string;
  agency?: string;
  /** @default now */
  date?: Date;
  /** The department's time zone (config `timeZone`): the memorandum's date and period are in its days. @default the process's zone */
  timeZone?: string;
}

interface Model {
  title: string;
  header: Array<[string, string]>;
  paragraphs: string[];
  columns: string[];
  rows: string[][];
  findings: string[];
  dataErrors: string[];
  /** Role and training violations: attempts by members without the role or the training (§471.4.1(a), §471.5(d)). */
  violations: string[];
  /** Accounts given a privileged role, passwords set by another member (storage/account-changes.ts). */
  accountChanges: string[];
  accountChangesNote: string;
  /** Accesses other than searches whose stated purpose suggests a forbidden use (audit.ts otherAccessToReview). */
  otherAccess: string[];
  otherAccessNote: string;
  refusalColumns: string[];
  refusalRows: string[][];
  closing: string[];
}

const REFUSAL_KIND_TEXT: Readonly<Record<RefusalKind, string>> = {
  role: 'role not allowed', training: 'training missing or expired', account: 'account unknown or inactive',
  purpose: 'purpose not documented', immigration: 'prohibited purpose: immigration enforcement', personal: 'prohibited purpose: personal use',
  covert_list: 'not named for the covert list', sign_in: 'sign-in refused', release: 'release refused', other: 'other',
};

const isViolation = (r: RefusedAction) => isRoleOrTrainingViolation(r.kind);

const violationCount = (counts: RefusalCounts) => counts.role + counts.training + counts.account;

/**
 * The refused searches by why, each counted once: a reader can add them up to the total. Empty
 * kinds are left out.
 */
function refusedSearchesText(sample: AuditSample): string {
  const c = sample.refusedSearches;
  const parts: Array<[number, string]> = [
    [c.purpose, 'no case or incident number, and no reason that documents the search (§471.7(e))'],
    [c.immigration, 'immigration enforcement stated as the purpose (California Values Act, Gov. Code § 7284.6(a)(1))'],
    [c.personal, 'a personal purpose stated (§471.5 Impermissible Uses (c))'],
    [violationCount(c), 'a member lacking the role, the training or an active account (§471.4.1(a), §471.5(d))'],
    [c.covert_list + c.sign_in + c.release + c.other, 'other reasons (see refused actions)'],
  ];
  const shown = parts.filter(([n]) => n > 0).map(([n, why]) => `${n} for ${why}`);
  return `Searches refused by the system in the period: ${sample.refused}` + (shown.length === 0 ? '.' : ` (${shown.join('; ')}).`);
}

/** A time in UTC to the minute, with seconds and milliseconds only where it has them: `2026-12-05 06:00 UTC`. */
function utcTime(d: Date): string {
  const iso = d.toISOString();
  const shown = d.getUTCMilliseconds() !== 0 ? iso.slice(0, 23) : d.getUTCSeconds() !== 0 ? iso.slice(0, 19) : iso.slice(0, 16);
  return `${shown.replace('T', ' ')} UTC`;
}

/**
 * A half-open range [from, to) in the department's days when its ends are midnights there
 * ("2026-11-01 through 2026-11-30, America/Los_Angeles days"), otherwise both ends exact with
 * their offsets and the end said to be not included (storage/member-time.ts).
 */
function range(from: Date, to: Date, timeZone: string): string {
  return periodText(from, to, timeZone);
}

/** A logged time (ClickHouse text, UTC) with its zone, as ISO 8601: `2026-12-06T22:37:29.433Z`. */
const loggedAt = (at: string) => (/^\d{4}-\d\d-\d\d \d/.test(at) ? `${at.replace(' ', 'T')}Z` : at);

const PLATE_KIND_TEXT: Readonly<Record<string, string>> = {
  exact: 'exact', ocr: 'OCR-equivalent', fuzzy: 'fuzzy, one edit after OCR mapping', partial: 'partial',
};

/** A logged time (JSON of a Date, or a cursor's ClickHouse text) in the memorandum's form; as logged if it is not one. */
function loggedTime(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  const d = new Date(/^\d{4}-\d\d-\d\d \d/.test(value) ? `${value.replace(' ', 'T')}Z` : value);
  return Number.isNaN(d.getTime()) ? value : utcTime(d);
}

const list = (value: unknown): string => (Array.isArray(value) ? value.map(String).join(', ') : String(value));

/**
 * Every parameter of a logged search that narrows or widens it (storage/search.ts loggedParams):
 * what a reviewer needs to see what was looked at, such as a radius browse around a gathering or
 * one camera at one hour, not only "all plates" and two dates. A field it does not know is shown
 * as logged rather than left out.
 */
function searchSummary(paramsJson: string): string {
  let p: unknown;
  try {
    p = JSON.parse(paramsJson);
  } catch {
    return 'parameters unreadable';
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return 'parameters unreadable';
  const { plate, from, to, agencies, cameras, near, limit, before, ...other } = p as Record<string, unknown>;
  const parts: string[] = [];
  if (plate === undefined || plate === null) parts.push('all plates');
  else {
    const q = plate as { kind?: unknown; plate?: unknown; pattern?: unknown };
    const kind = String(q.kind);
    parts.push(`${q.pattern !== undefined ? 'pattern' : 'plate'} ${String(q.pattern ?? q.plate ?? '')} (${PLATE_KIND_TEXT[kind] ?? kind})`);
  }
  parts.push(`from ${from === undefined ? '?' : loggedTime(from)} up to ${to === undefined ? '?' : loggedTime(to)}`);
  if (Array.isArray(agencies) ? agencies.length > 0 : agencies !== undefined) parts.push(`agencies ${list(agencies)}`);
  if (Array.isArray(cameras) ? cameras.length > 0 : cameras !== undefined) parts.push(`cameras ${list(cameras)}`);
  if (near !== undefined && near !== null) {
    const n = near as { lat?: unknown; lon?: unknown; radiusMeters?: unknown };
    parts.push(`within ${String(n.radiusMeters)} m of ${String(n.lat)}, ${String(n.lon)}`);
  }
  if (limit !== undefined) parts.push(`limit ${String(limit)}`);
  if (before !== undefined && before !== null) {
    const c = before as { seenAt?: unknown; readId?: unknown };
    parts.push(`next page: reads before ${loggedTime(c.seenAt)} (read ${String(c.readId)})`);
  }
  for (const [key, value] of Object.entries(other)) parts.push(`${key} ${JSON.stringify(value)}`);
  return parts.join('; ');
}

/**
 * Said plainly when the period (or chain) holds no inquiry at all: a memorandum reviewing none must
 * not read as a clean audit. A wrong period or chain is the likeliest cause.
 */
function nothingSampled(sample: AuditSample): string {
  const where = sample.chain === undefined ? 'in the period' : `in the period on access log chain "${sample.chain}"`;
  return `No search inquiry by an employee was recorded ${where}, so none was sampled or reviewed and this ` +
    'memorandum finds nothing either way about how inquiries were documented; check that the period and chain are the ones to audit.';
}

function model(sample: AuditSample, meta: MemorandumMeta): Model {
  const date = meta.date ?? new Date();
  const timeZone = meta.timeZone ?? DEFAULT_TIME_ZONE;
  const withFindings = sample.reviews.filter((r) => r.findings.length > 0);
  const intact = sample.verifications.every((v) => v.ok);
  const records = sample.verifications.reduce((n, v) => n + v.records, 0);
  const problems = sample.verifications.reduce((n, v) => n + v.problems.length, 0);
  const heads = sample.verifications
    .filter((v) => v.head !== undefined)
    .map((v) => `${v.chain}=${v.head?.seq}:${v.head?.hash}`)
    .join(' ');
  return {
    title: 'MEMORANDUM',
    header: [
      ['To', meta.to ?? 'Chief of Police'],
      ['From', meta.auditor],
      // The department's day: written at 17:00 PST on Dec 6 it was dated the 7th (found by QA).
      ['Date', dayIn(timeZone, date)],
      ['Subject', `ALPR detection browsing audit, ${range(sample.from, sample.to, timeZone)}${meta.agency ? ` (${meta.agency})` : ''}`],
    ],
    paragraphs: [
      'Policy §471.9 requires an audit of ALPR detection browsing inquiries at least once each calendar year: a random ' +
        'sample of at least 10 inquiries by department employees, each checked against the requirements of §471.7(e) ' +
        '(a case or incident number and/or a reason for every inquiry) and the authorised uses of the policy.',
      `Period audited: ${range(sample.from, sample.to, timeZone)}. Inquiries in the period: ${sample.population}. ` +
        refusedSearchesText(sample) +
        (sample.systemSearches > 0
          ? ` Searches the system ran itself for new hot list entries (retroactive hits, logged as "platewatch-system"; not employee inquiries, so not sampled): ${sample.systemSearches}.`
          : ''),
      `Method: ${sample.method}` +
        (sample.population === 0
          ? ` ${nothingSampled(sample)}`
          : sample.population < sample.requestedSize ? ` Fewer than ${sample.requestedSize} inquiries were made in the period, so all were reviewed.` : ''),
      `Access log integrity: ${records} records in ${sample.verifications.length} chain(s) checked; ` +
        (intact ? 'every hash chain is intact.' : `${problems} problem(s) found (see data errors).`) +
        (sample.headsChecked.length > 0
          ? ` Each chain's end was checked against the head the last audit recorded (${sample.headsChecked.join(', ')}).`
          : ' No heads from the last audit were given, so records cut from the end of a chain, or a whole chain deleted, could not be checked.') +
        (heads === '' ? '' : ` Heads to record for the next audit (give each to the next run as --expect-head): ${heads}.`),
      `Result: ${sample.reviews.length} inquiries reviewed, ${withFindings.length} with findings.`,
      `Actions refused by the system in the period (any kind: sign-ins, searches, hit views, holds, role and training checks, releases): ` +
        `${sample.refusalCount}, of which ${violationCount(sample.refusalsByKind)} were by members lacking the role, ` +
        `the training or an active account` +
        (sample.refusalCount > sample.refusedActions.length ? ` (the first ${sample.refusedActions.length} are listed).` : '.'),
      `Actions refused because the purpose stated is one the policy forbids outright: ${sample.refusalsByKind.immigration} for ` +
        'immigration enforcement (California Values Act, Gov. Code § 7284.6(a)(1); §471.2, §471.8(c)) and ' +
        `${sample.refusalsByKind.personal} for personal use (§471.5 Impermissible Uses (c)). Each was refused before any data was read; ` +
        'the refused actions below name the member and the time.',
    ],
    columns: ['#', 'Log seq', 'Date/time (UTC)', 'User', 'Search', 'Case/incident', 'Reason', 'Rows', 'Purpose documented', 'Permitted', 'Authorised user', 'Findings'],
    rows: sample.reviews.map((r, i) => [
      String(i + 1), `${r.record.chain}:${r.record.seq}`, r.record.at, r.user ? `${r.user.name} (${r.record.user_id})` : r.record.user_id,
      searchSummary(r.record.params), r.record.case_number || '—', r.record.reason || '—', String(r.record.rows_returned),
      r.purposeDocumented ? 'yes' : 'NO', r.purposePermitted ? 'yes' : 'REVIEW', r.userAuthorised ? 'yes' : 'NO',
      r.findings.length === 0 ? 'none' : r.findings.join('; '),
    ]),
    findings: withFindings.map((r) => `Log record ${r.record.chain}:${r.record.seq} (${r.record.user_id}, ${r.record.at}): ${r.findings.join('; ')}.`),
    dataErrors: sample.dataErrors,
    violations: sample.refusedActions.filter(isViolation).map((r) =>
      `${loggedAt(r.record.at)} ${r.record.user_id} (${r.record.action}, log ${r.record.chain}:${r.record.seq}): ${r.record.detail}`),
    accountChanges: sample.accountChanges.map((c) => `${loggedAt(c.record.at)} ${c.record.user_id} ${c.summary} (log ${c.record.chain}:${c.record.seq})`),
    accountChangesNote:
      'Each change below gave an account the power to decide releases, export evidence, audit or administer, or let the member who made it ' +
      'sign in as someone else. One administrator can make them alone: confirm each with the person it concerns.' +
      (sample.accountChangeCount > sample.accountChanges.length ? ` ${sample.accountChangeCount} in the period; the first ${sample.accountChanges.length} are listed.` : ''),
    otherAccessNote:
      'Searches are sampled above; every other access to ALPR data the system allowed in the period (hit views, legal holds, exports, ' +
      'releases) was checked against the permitted uses by its stated purpose. Those below state a purpose that suggests a use the ' +
      'policy forbids: review each with the member.' +
      (sample.otherFlaggedCount > sample.otherFlagged.length ? ` ${sample.otherFlaggedCount} in the period; the first ${sample.otherFlagged.length} are listed.` : ''),
    otherAccess: sample.otherFlagged.map((f) =>
      `${loggedAt(f.record.at)} ${f.record.user_id} (${f.record.action}, log ${f.record.chain}:${f.record.seq}), ` +
      `case "${f.record.case_number}", reason "${f.record.reason}": ${f.findings.join('; ')}`),
    refusalColumns: ['Log seq', 'Date/time (UTC)', 'User', 'Action', 'Kind', 'Why refused'],
    refusalRows: sample.refusedActions.map((r) => [
      `${r.record.chain}:${r.record.seq}`, r.record.at, r.record.user_id, r.record.action, REFUSAL_KIND_TEXT[r.kind], r.record.detail,
    ]),
    closing: [
      'Reviewed by the Chief of Police: ______________________  Date: __________',
      'After review, this memorandum and associated documentation are filed and retained by the Professional Standards Division (§471.9).',
    ],
  };
}

// Characters that start Markdown or HTML structure inline: emphasis (* _ ~), code (`), links and
// images ([ ] !), raw HTML and autolinks (< >), entities (&), table cells (|), math ($), and the
// escape itself. CommonMark takes a backslash before any ASCII punctuation as that character, so
// escaped text shows exactly as it was typed.
const MARKDOWN_INLINE = /[\\`*_~[\]!<>&|$]/g;
const WORD = /[\p{L}\p{N}]/u;

/**
 * Text from users (names, case numbers, reasons, parameters, refusal details) as Markdown that
 * shows it literally, on one line: it can open no emphasis, link, code span, HTML, table cell,
 * heading, quote or list, wherever it is put. An underscore inside a word (platewatch_system, gw_1)
 * is left as it is: CommonMark never reads one there as emphasis, and ids stay copyable.
 */
export function markdownText(text: string): string {
  // Surrounding blanks dropped: leading ones could make an indented code block, trailing ones a line break.
  const line = controlsShown(text.replace(/\r\n?|\n/g, ' ').trim());
  const inline = line.replace(MARKDOWN_INLINE, (c, at: number) =>
    c === '_' && WORD.test(line[at - 1] ?? '') && WORD.test(line[at + 1] ?? '') ? c : `\\${c}`);
  // What opens a block at the start of a line: a heading, quote, list item, thematic break or ordered item.
  return inline.replace(/^[#>+=-]/, (c) => `\\${c}`).replace(/^(\d+)([.)])/, '$1\\$2');
}

export function renderMemorandumMarkdown(sample: AuditSample, meta: MemorandumMeta): string {
  const m = model(sample, meta);
  const md = markdownText;
  const row = (cells: readonly string[]) => `| ${cells.map(md).join(' | ')} |`;
  const list = (items: readonly string[], empty: string) => (items.length === 0 ? [empty] : items.map((i) => `- ${md(i)}`));
  const out = [`# ${m.title}`, '', ...m.header.map(([k, v]) => `**${k}:** ${md(v)}  `), ''];
  out.push(...m.paragraphs.flatMap((p) => [md(p), '']));
  out.push('## Inquiries reviewed', '', row(m.columns), `|${m.columns.map(() => '---').join('|')}|`);
  out.push(...m.rows.map(row), '');
  out.push('## Findings', '', ...list(m.findings, 'None.'), '');
  out.push('## Data errors', '', ...list(m.dataErrors, 'None found.'), '');
  out.push('## Role and training violations', '', ...list(m.violations, 'None.'), '');
  out.push('## Privileged account changes', '', md(m.accountChangesNote), '', ...list(m.accountChanges, 'None.'), '');
  out.push('## Other access with a purpose to review', '', md(m.otherAccessNote), '', ...list(m.otherAccess, 'None.'), '');
  out.push('## Refused actions', '');
  if (m.refusalRows.length === 0) out.push('None.', '');
  else out.push(row(m.refusalColumns), `|${m.refusalColumns.map(() => '---').join('|')}|`, ...m.refusalRows.map(row), '');
  // The closing lines are this module's own text (signature blanks of underscores), not escaped.
  out.push(...m.closing.flatMap((c) => [c, '']));
  return out.join('\n');
}

const esc = (s: string) => controlsShown(s, '\n').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

export function renderMemorandumHtml(sample: AuditSample, meta: MemorandumMeta): string {
  const m = model(sample, meta);
  const list = (items: string[], empty: string) => (items.length === 0 ? `<p>${esc(empty)}</p>` : `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(m.header[3]?.[1] ?? m.title)}</title>
<style>body{font:14px/1.4 serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .4em;vertical-align:top}</style>
</head><body>
<h1>${esc(m.title)}</h1>
<table class="header">${m.header.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
${m.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n')}
<h2>Inquiries reviewed</h2>
<table><thead><tr>${m.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>
<tbody>${m.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}</tbody></table>
<h2>Findings</h2>
${list(m.findings, 'None.')}
<h2>Data errors</h2>
${list(m.dataErrors, 'None found.')}
<h2>Role and training violations</h2>
${list(m.violations, 'None.')}
<h2>Privileged account changes</h2>
<p>${esc(m.accountChangesNote)}</p>
${list(m.accountChanges, 'None.')}
<h2>Other access with a purpose to review</h2>
<p>${esc(m.otherAccessNote)}</p>
${list(m.otherAccess, 'None.')}
<h2>Refused actions</h2>
${m.refusalRows.length === 0 ? '<p>None.</p>' : `<table><thead><tr>${m.refusalColumns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>
<tbody>${m.refusalRows.map((r) => `<tr class="refused">${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}</tbody></table>`}
${m.closing.map((c) => `<p>${esc(c)}</p>`).join('\n')}
</body></html>
`;
}

/** A filed memorandum: both renderings, a file name, and the counts its summary line gives. */
export interface Memorandum {
  /** `alpr-audit-FROM-TO` (dates of the period); add .md and .html. */
  name: string;
  population: number;
  reviewed: number;
  withFindings: number;
  dataErrors: number;
  refusedActions: number;
  /** Refusals of members lacking the role, training or an active account (§471.4.1(a), §471.5(d)). */
  violations: number;
  /** Accounts given a privileged role, and passwords set by another member, in the period. */
  privilegedAccountChanges: number;
  /** What the reader must not miss in the counts (no inquiry at all to sample); empty when none. */
  warnings: string[];
  markdown: string;
  html: string;
}

/** The memorandum's file name for a period, `alpr-audit-FROM-TO` (the department's days, as --from and --to were typed). */
export function memorandumName(from: Date, to: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  return `alpr-audit-${dayIn(timeZone, from)}-${dayIn(timeZone, to)}`;
}

export function memorandumOf(sample: AuditSample, meta: MemorandumMeta): Memorandum {
  return {
    name: memorandumName(sample.from, sample.to, meta.timeZone),
    population: sample.population,
    reviewed: sample.reviews.length,
    withFindings: sample.reviews.filter((r) => r.findings.length > 0).length,
    dataErrors: sample.dataErrors.length,
    refusedActions: sample.refusalCount,
    privilegedAccountChanges: sample.accountChangeCount,
    violations: violationCount(sample.refusalsByKind),
    warnings: sample.population === 0 ? [nothingSampled(sample)] : [],
    markdown: renderMemorandumMarkdown(sample, meta),
    html: renderMemorandumHtml(sample, meta),
  };
}
