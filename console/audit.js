// The Audit view, for the Professional Standards Division (audit.read; Policy 471.9): the access log
// for a period, filtered by user, action and outcome (GET /api/audit/log, newest first); its hash
// chains verified, against the heads the last memorandum recorded when given (POST /api/audit/verify),
// with each chain's head shown to record for the next audit; and the audit memorandum drawn from a
// random sample of the period's searches (POST /api/audit/samples), offered as Markdown and HTML
// downloads. The memorandum's HTML is never put into the page: it is saved as a file, and the
// Markdown previewed as text. Reading, verifying and sampling are all access-logged by the gateway.
import { badge, fill, once, post, send } from './admin.js';
import { addDays, formatDateTime, readWallClockInput, today, wallClockInput, watchWallClockInput } from './clock.js';

const $ = (id) => document.getElementById(id);
const OUTCOME_KIND = { ok: 'good', refused: 'bad', invalid: 'warn', failed: 'bad' };
/** Longer parameters are cut in the table (the whole text is in the cell's title). */
const PARAMS_SHOWN = 160;

/** Bumped at sign-out, so an answer still on its way is dropped, not shown to the next user. */
let auditGeneration = 0;
/** Whether the user set the log's period; until then it is "the last 7 days up to now", now being when they ask. */
let logRangeEdited = false;
/** The memorandum's download URLs (blob:), released when another memorandum replaces it. */
let memorandumUrls = [];
/** The log records shown, and the query for the page older than them (null: none older match). */
let logShown = [];
let olderQuery = null;

export function initAudit() {
  for (const id of ['audit-from', 'audit-to']) {
    $(id).addEventListener('input', () => { logRangeEdited = true; });
    watchWallClockInput($(id), $(`${id}-note`));
  }
  $('audit-log-form').addEventListener('submit', once(submitLogQuery));
  $('audit-log-more').addEventListener('click', loadOlderRecords);
  $('audit-verify-form').addEventListener('submit', once(submitVerify));
  $('audit-sample-form').addEventListener('submit', once(submitSample));
}

export function showAudit() {
  if (!logRangeEdited) defaultLogRange();
  if ($('audit-sample-from').value === '') defaultSamplePeriod();
}

/** Clears the view for the next user: forms, tables, the memorandum and every message. */
export function resetAudit() {
  auditGeneration += 1;
  for (const id of ['audit-log-form', 'audit-verify-form', 'audit-sample-form']) $(id).reset();
  logRangeEdited = false;
  for (const id of ['audit-log', 'audit-chains', 'audit-counts']) fill(id, []);
  logShown = [];
  olderQuery = null;
  $('audit-log-more').hidden = true;
  for (const id of ['audit-log-error', 'audit-log-status', 'audit-verify-error', 'audit-verify-status', 'audit-sample-error', 'audit-sample-status', 'audit-preview']) $(id).textContent = '';
  delete $('audit-verify-status').dataset.outcome;
  showMemorandum(null);
}

// ---- the access log ----------------------------------------------------------------------------

/** The last 7 days up to a minute from now, on the department's wall clock (the fields are read in its zone). */
function defaultLogRange() {
  const now = Date.now();
  $('audit-to').value = wallClockInput(now + 60_000);
  $('audit-from').value = wallClockInput(now - 7 * 86_400_000);
  for (const id of ['audit-from', 'audit-to']) $(`${id}-note`).hidden = true;
}

async function submitLogQuery(event) {
  const f = event.target.elements;
  $('audit-log-error').textContent = '';
  // The records shown are another query's: they go, so they are not taken for this one's answer.
  const refuse = (message) => {
    showLogRecords([], null);
    $('audit-log-status').textContent = '';
    $('audit-log-error').textContent = message;
  };
  // A view left open through a shift: the default period ends now, not when it was opened.
  if (!logRangeEdited) defaultLogRange();
  // Wall-clock times in the department's zone, whatever the workstation's (clock.js).
  const fromMs = readWallClockInput(f.from, $('audit-from-note'));
  const toMs = readWallClockInput(f.to, $('audit-to-note'));
  if (fromMs === null || toMs === null) return refuse('Give the period to read.');
  const from = new Date(fromMs);
  const to = new Date(toMs);
  const limit = Number(f.limit.value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 5000) return refuse('Most records: a whole number from 1 to 5000.');
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), limit: String(limit) });
  for (const name of ['user', 'action', 'outcome']) if (f[name].value.trim() !== '') q.set(name, f[name].value.trim());
  $('audit-log-status').textContent = 'Reading the access log…';
  const generation = auditGeneration;
  const r = await send('GET', `/api/audit/log?${q}`);
  if (r === null || generation !== auditGeneration) return;
  if (!r.ok) return refuse(`Not read: ${r.message}`);
  const records = r.body.records ?? [];
  showLogRecords(records, olderPage(q, records, r.body.more, limit));
  const n = records.length;
  $('audit-log-status').textContent = n === 0 ? 'No records in the period with these filters.'
    : `${n} record${n === 1 ? '' : 's'}, newest first${olderQuery === null ? '' : ': older ones in the period match too ("Older records" shows them)'}. This reading is recorded in the access log.`;
}

/**
 * The query for the records older than `records`, or null when none match: the same filters, up to
 * the oldest one shown (the gateway never ends a page part-way through one instant's records, so
 * none is skipped). A gateway that does not say `more` has more when it gave as many as asked.
 */
function olderPage(q, records, more, limit) {
  const oldest = records.at(-1);
  if (oldest === undefined || !(more === true || (more === undefined && records.length >= limit))) return null;
  const older = new URLSearchParams(q);
  // `at` is UTC as stored ("2026-12-06 17:04:11.532").
  older.set('to', `${oldest.at.replace(' ', 'T')}Z`);
  return older;
}

/**
 * What a record asked for, one "name: value" a line (`match: partial`, `plate.pattern: 7AB*`), not
 * its JSON squeezed into a column and broken mid-word (QA); cut at PARAMS_SHOWN, the whole in the
 * cell's title.
 */
function paramsText(json) {
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const lines = (value, prefix) => Object.entries(value).flatMap(([name, v]) => (isObject(v) && Object.keys(v).length > 0
    ? lines(v, `${prefix}${name}.`)
    : [`${prefix}${name}: ${typeof v === 'string' ? v : JSON.stringify(v)}`]));
  let text = json;
  try {
    const parsed = JSON.parse(json);
    if (isObject(parsed) && Object.keys(parsed).length > 0) text = lines(parsed, '').join('\n');
  } catch {
    // Not JSON (a record written by hand, or damaged): shown as it is.
  }
  return text.length > PARAMS_SHOWN ? `${text.slice(0, PARAMS_SHOWN)}…` : text;
}

/** Shows `records` (replacing what was shown) and offers the older page when there is one. */
function showLogRecords(records, older) {
  logShown = records;
  olderQuery = older;
  const tbody = fill('audit-log', records.map((x) => [
    shortTime(x.at), x.user_id, x.action, badge(x.outcome, OUTCOME_KIND[x.outcome] ?? 'warn'), x.case_number || '—', x.reason || '—',
    paramsText(x.params), String(x.rows_returned), x.detail || '—', `${x.chain}:${x.seq}`,
  ]));
  records.forEach((x, i) => {
    const row = tbody.children[i];
    row.dataset.record = `${x.chain}:${x.seq}`;
    row.children[0].title = `${x.at} UTC`;
    row.children[6].title = x.params;
    row.children[6].className = 'params';
  });
  $('audit-log-more').hidden = older === null;
}

let loadingOlder = false;

/** The next page of the same reading, added below the records shown; the keyboard goes to the first one added. */
async function loadOlderRecords() {
  if (loadingOlder || olderQuery === null) return;
  loadingOlder = true;
  const button = $('audit-log-more');
  button.setAttribute('aria-disabled', 'true');
  $('audit-log-error').textContent = '';
  $('audit-log-status').textContent = 'Reading older records…';
  const generation = auditGeneration;
  const q = olderQuery;
  try {
    const r = await send('GET', `/api/audit/log?${q}`);
    if (r === null || generation !== auditGeneration) return;
    const before = logShown.length;
    if (!r.ok) {
      // The same page can be asked for again: the button stays.
      $('audit-log-status').textContent = `${before} record${before === 1 ? '' : 's'} shown; the older ones did not load.`;
      $('audit-log-error').textContent = `Not read: ${r.message}`;
      return;
    }
    const records = r.body.records ?? [];
    showLogRecords([...logShown, ...records], olderPage(q, records, r.body.more, Number(q.get('limit'))));
    const n = logShown.length;
    $('audit-log-status').textContent = `${records.length} older record${records.length === 1 ? '' : 's'} added; ${n} shown, newest first${olderQuery === null ? '' : ', and older ones match too'}. This reading is recorded in the access log.`;
    const first = $('audit-log').querySelector('tbody').children[before] ?? $('audit-log-status');
    first.tabIndex = -1;
    first.focus();
  } finally {
    loadingOlder = false;
    button.removeAttribute('aria-disabled');
  }
}

/**
 * A stored time ('YYYY-MM-DD hh:mm:ss.sss', UTC) in the department's zone, with the zone named:
 * the "Asked for" JSON beside it is in UTC, and a time without a zone reads as either (found by QA).
 */
function shortTime(at) {
  return formatDateTime(`${at.replace(' ', 'T')}Z`);
}

// ---- verification -------------------------------------------------------------------------------

/** The heads as typed: CHAIN=SEQ:HASH, separated by commas, spaces or lines (the memorandum lists them with spaces). */
function expectedHeads() {
  return $('audit-heads').value.split(/[\s,]+/).filter((h) => h !== '');
}

function headText(chain, head) {
  return head === undefined || head === null ? '' : `${chain}=${head.seq}:${head.hash}`;
}

function describeProblem(p) {
  switch (p.kind) {
    case 'altered': return `record ${p.seq} altered`;
    case 'missing': return p.fromSeq === p.toSeq ? `record ${p.fromSeq} missing` : `records ${p.fromSeq} to ${p.toSeq} missing`;
    case 'duplicate': return `record ${p.seq} duplicated`;
    case 'broken_link': return `record ${p.seq} does not link to the one before`;
    case 'head_mismatch': return `the chain's end does not match the expected head ${p.expected.seq}:${p.expected.hash} (found ${p.found ? `${p.found.seq}:${p.found.hash}` : 'no records'})`;
    default: return p.kind;
  }
}

async function submitVerify() {
  const status = $('audit-verify-status');
  $('audit-verify-error').textContent = '';
  status.textContent = '';
  delete status.dataset.outcome;
  const heads = expectedHeads();
  const generation = auditGeneration;
  const r = await post('/api/audit/verify', { expectHeads: heads });
  if (r === null || generation !== auditGeneration) return;
  if (!r.ok) {
    fill('audit-chains', []);
    $('audit-verify-error').textContent = `Not verified: ${r.message}`;
    return;
  }
  const chains = r.body.chains ?? [];
  const tbody = fill('audit-chains', chains.map((c) => [
    c.chain, String(c.records),
    c.ok ? badge('intact', 'good') : problemsCell(c.problems),
    headText(c.chain, c.head) || 'no records',
  ]));
  chains.forEach((c, i) => {
    tbody.children[i].dataset.chain = c.chain;
    tbody.children[i].children[3].className = 'digest';
  });
  const records = chains.reduce((n, c) => n + c.records, 0);
  const bad = chains.filter((c) => !c.ok).length;
  const toRecord = chains.map((c) => headText(c.chain, c.head)).filter((h) => h !== '');
  status.dataset.outcome = r.body.ok ? 'intact' : 'problems';
  status.textContent = [
    r.body.ok
      ? `Every chain is intact: ${records} record${records === 1 ? '' : 's'} in ${chains.length} chain${chains.length === 1 ? '' : 's'}.`
      : `Problems found in ${bad} of ${chains.length} chain${chains.length === 1 ? '' : 's'}: see each below.`,
    heads.length === 0 ? 'No expected heads were given, so records cut from the end of a chain, or a chain deleted whole, cannot show.'
      : r.body.ok ? 'Each chain reaches the head expected.' : '',
    toRecord.length === 0 ? '' : `Heads to record for the next audit: ${toRecord.join(', ')}.`,
  ].filter(Boolean).join(' ');
}

function problemsCell(problems) {
  const wrap = document.createElement('span');
  wrap.append(badge(`${problems.length} problem${problems.length === 1 ? '' : 's'}`, 'bad'), ` ${problems.map(describeProblem).join('; ')}`);
  return wrap;
}

// ---- the memorandum -----------------------------------------------------------------------------

/** The last year up to today, in the department's days (its end not included). */
function defaultSamplePeriod() {
  const day = today();
  const [y, m, d] = day.split('-').map(Number);
  // 29 February a year back is 1 March, as Date.UTC rolls it.
  $('audit-sample-from').value = new Date(Date.UTC(y - 1, m - 1, d)).toISOString().slice(0, 10);
  $('audit-sample-to').value = addDays(day, 1);
}

async function submitSample(event) {
  const f = event.target.elements;
  $('audit-sample-error').textContent = '';
  $('audit-sample-status').textContent = '';
  const from = f.from.value;
  const to = f.to.value;
  if (from === '' || to === '') {
    $('audit-sample-error').textContent = 'Give the period: its first day and the day after its last.';
    return;
  }
  if (to <= from) {
    $('audit-sample-error').textContent = 'The period ends before it starts: "To" is the day after the last day audited.';
    return;
  }
  const size = Number(f.size.value);
  if (!Number.isInteger(size) || size < 10 || size > 1000) {
    $('audit-sample-error').textContent = 'Inquiries to sample: a whole number from 10 (Policy 471.9) to 1000.';
    return;
  }
  // Bare days: the gateway reads them as the department's days (its one rule for dates).
  const body = { from, to, size };
  if (f.auditor.value.trim() !== '') body.auditor = f.auditor.value.trim();
  const heads = expectedHeads();
  if (heads.length > 0) body.expectHeads = heads;
  $('audit-sample-status').textContent = 'Drawing the sample…';
  const generation = auditGeneration;
  const r = await post('/api/audit/samples', body);
  if (r === null || generation !== auditGeneration) return;
  if (!r.ok) {
    $('audit-sample-status').textContent = '';
    $('audit-sample-error').textContent = `Not written: ${r.message}`;
    return;
  }
  const m = r.body;
  showMemorandum(m);
  $('audit-sample-status').textContent = `Memorandum ${m.name}: ${m.reviewed} of ${m.population} inquir${m.population === 1 ? 'y' : 'ies'} reviewed, ${m.withFindings} with findings. Download it below to file it; writing it is recorded in the access log.`;
}

/** Shows the memorandum's counts, downloads and preview; null hides them. */
function showMemorandum(m) {
  for (const url of memorandumUrls) URL.revokeObjectURL(url);
  memorandumUrls = [];
  $('audit-memorandum').hidden = m === null;
  if (m === null) {
    for (const id of ['audit-download-md', 'audit-download-html']) $(id).removeAttribute('href');
    return;
  }
  const tbody = fill('audit-counts', [
    ['Search inquiries in the period', m.population],
    ['Reviewed', m.reviewed],
    ['With findings', m.withFindings],
    ['Data errors', m.dataErrors],
    ['Actions refused by the system', m.refusedActions],
    ['Of those, by members lacking the role, training or an active account', m.violations],
  ].map(([label, n]) => [label, String(n)]));
  for (const row of tbody.children) row.children[1].className = 'figure';
  offerFile($('audit-download-md'), `${m.name}.md`, m.markdown, 'text/markdown; charset=utf-8', 'Markdown');
  offerFile($('audit-download-html'), `${m.name}.html`, m.html, 'text/html; charset=utf-8', 'HTML');
  $('audit-preview').textContent = m.markdown;
}

/** A link that saves `text` as `filename` from memory: the memorandum is never rendered here. */
function offerFile(a, filename, text, type, kind) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  memorandumUrls.push(url);
  a.href = url;
  a.download = filename;
  a.textContent = `Download ${filename}`;
  a.setAttribute('aria-label', `Download the memorandum as ${kind} (${filename})`);
}
