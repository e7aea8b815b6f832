// The releases view (Policy 471.8): release requests from other agencies (recorded, decided by the
// Chief, their packages produced and downloaded) and the transparency report. Values go into the
// page as text only; the gateway is the authority on roles, the view only hides what they do not allow.
import { badge, fill, once, packageFileLink, post, send } from './admin.js';
import { addDays, departmentZone, formatDateTime, readWallClockInput, today, watchWallClockInput } from './clock.js';
import { DISPOSITION_LABELS } from './dispositions.js';

const $ = (id) => document.getElementById(id);
let session = null;

/** How each refusal rule (storage/release-rules.ts REFUSAL_RULES) is said in a request's decision. */
const REFUSAL_RULE_TEXT = {
  values_act: 'California Values Act: immigration agency or purpose',
  non_law_enforcement: 'not a law-enforcement or prosecutorial agency',
  out_of_state: 'out-of-state agency (Civil Code § 1798.90.55)',
  federal: 'federal agency (Civil Code § 1798.90.55)',
  chief: 'refused by the Chief of Police or designee',
};
/**
 * How each refusal rule completes "Refused …" as a row of the transparency report: the words of the
 * published report (storage/transparency.ts RULE_TEXT), so the console and the files read alike.
 */
const REPORT_REFUSAL_TEXT = {
  values_act: 'under the California Values Act (immigration agency or purpose)',
  non_law_enforcement: 'as not a law-enforcement or prosecutorial agency',
  out_of_state: 'as an out-of-state agency (Civil Code § 1798.90.55)',
  federal: 'as a federal agency (Civil Code § 1798.90.55)',
  chief: 'by the Chief of Police or designee',
};
const AGENCY_KIND_TEXT = {
  local: 'local', state: 'state', prosecutor: 'prosecutor', out_of_state: 'out of state', federal: 'federal',
  federal_immigration: 'federal immigration enforcement', non_law_enforcement: 'not law enforcement',
};
const STATUS_KIND = { pending: 'warn', approved: 'good', released: 'good', refused: 'bad' };
/** Longer purposes are cut in the list (the whole text is in its title and in the request itself). */
const PURPOSE_SHOWN = 140;

/** Bumped at sign-out, so an answer still on its way is dropped, not shown to the next user. */
let releasesGeneration = 0;
/** The request shown in the detail panel, as last read; null when none is open. */
let openRelease = null;
/** Counts list loads: only the latest one's answer is shown (the filter may change while one runs). */
let listLoads = 0;
/** Counts request loads, for the same reason. */
let detailLoads = 0;

export function initReleases(s) {
  session = s;
  $('release-form').addEventListener('submit', once(submitReleaseRequest));
  // The browser stops a form with a required field empty before it is sent: the last request's
  // "Recorded as REL-…" must not stay beside it, read as this one's (found by QA).
  $('release-form').addEventListener('invalid', clearRequestOutcome, true);
  $('release-criteria').addEventListener('change', showCriteriaFields);
  $('release-filter').addEventListener('submit', once(loadReleases));
  $('release-status-filter').addEventListener('change', () => loadReleases());
  $('release-decision').addEventListener('submit', once(submitReleaseDecision));
  $('release-produce').addEventListener('submit', once(submitPackage));
  $('report-form').addEventListener('submit', once(submitReport));
  for (const id of ['release-from', 'release-to']) watchWallClockInput($(id), $(`${id}-note`));
  showCriteriaFields();
}

/** Shows the parts of the view the user's permissions open (the gateway checks each call again). */
export function showReleases() {
  $('releases-error').textContent = '';
  $('release-record').hidden = !session.may('releases.request');
  $('release-list').hidden = !session.may('releases.view');
  $('report').hidden = !session.may('reports.transparency');
  if (session.may('releases.view')) loadReleases();
  if ($('report-from').value === '') defaultReportPeriod();
}

/** Clears the view for the next user: forms, tables, the open request and every message. */
export function resetReleases() {
  releasesGeneration += 1;
  openRelease = null;
  for (const id of ['release-form', 'release-filter', 'release-decision', 'report-form']) $(id).reset();
  showCriteriaFields();
  for (const id of ['release-table', 'release-files']) fill(id, []);
  for (const id of ['release-fields', 'release-history']) $(id).replaceChildren();
  // Hidden is not enough: the next user could read the last one's request in the page.
  $('release-detail-title').textContent = 'Request';
  $('release-package-summary').textContent = '';
  delete $('release-detail').dataset.requestId;
  for (const button of [...$('release-decision').querySelectorAll('button'), $('release-produce').querySelector('button')]) button.removeAttribute('aria-label');
  for (const id of ['releases-error', 'release-form-error', 'release-list-status', 'release-detail-error', 'release-detail-status', 'report-error']) $(id).textContent = '';
  $('release-form-status').textContent = '';
  delete $('release-form-status').dataset.outcome;
  for (const id of ['release-detail', 'release-package', 'report-table']) $(id).hidden = true;
  $('report-table').querySelector('caption').textContent = '';
  $('report-table').querySelector('tbody').replaceChildren();
}

/** The request form asks for a plate and a time range, or a case number: only the fields of the kind chosen are shown and required. */
function showCriteriaFields() {
  const kind = $('release-criteria').value;
  for (const el of $('release-form').querySelectorAll('[data-criteria]')) {
    el.hidden = el.dataset.criteria !== kind;
    if (el.tagName === 'INPUT') el.required = !el.hidden;
  }
  if (kind !== 'plate') for (const id of ['release-from-note', 'release-to-note']) $(id).hidden = true;
}

/** An instant in the department's zone, with the zone named; "—" for none. */
function shortDate(iso) {
  return iso ? formatDateTime(iso) : '—';
}

function statusBadge(status) {
  return badge(status, STATUS_KIND[status] ?? 'warn');
}

function describeCriteria(c) {
  if (c?.kind === 'case') return `detections held under case ${c.caseNumber}`;
  if (c?.kind !== 'plate') return '—';
  const p = c.plate ?? {};
  const what = p.kind === 'partial' ? `plates matching ${p.pattern}` : `${p.kind === 'ocr' ? 'OCR-equivalents of ' : ''}plate ${p.plate}`;
  return `${what}, ${shortDate(c.from)} to ${shortDate(c.to)}`;
}

/** Whether the signed-in user recorded request `q`: they may refuse it but not approve it (SELF_DECISION). */
function isOwnRequest(q) {
  return q.recordedBy === session.userId();
}

function describeDecision(q) {
  if (q.status === 'pending') return 'awaiting the Chief of Police or the designee';
  const by = q.decidedBy === 'system' ? 'automatically (system)' : `by ${q.decidedBy}`;
  const rule = q.refusalRule && q.refusalRule !== 'chief' ? `: ${REFUSAL_RULE_TEXT[q.refusalRule] ?? q.refusalRule}` : '';
  return `${q.status === 'refused' ? 'refused' : 'approved'} ${by} on ${shortDate(q.decidedAt)}${rule}`;
}

/** One version on file, as the history says it. */
function describeVersion(v) {
  const received = `received ${shortDate(v.receivedAt)}, recorded by ${v.recordedBy}`;
  if (v.version === 1) return v.status === 'pending' ? received : `${received}; ${describeDecision(v)}${v.decisionNote ? ` — ${v.decisionNote}` : ''}`;
  if (v.status === 'released' && v.package) return `released: package produced ${shortDate(v.package.generatedAt)} by ${v.package.generatedBy} (${v.package.detections} detection${v.package.detections === 1 ? '' : 's'})`;
  return `${describeDecision(v)}${v.decisionNote ? ` — ${v.decisionNote}` : ''}`;
}

async function loadReleases() {
  const mine = ++listLoads;
  const generation = releasesGeneration;
  const status = $('release-status-filter').value;
  $('release-list-status').textContent = 'Loading requests…';
  const r = await send('GET', `/api/releases${status === '' ? '' : `?status=${encodeURIComponent(status)}`}`);
  if (r === null || mine !== listLoads || generation !== releasesGeneration) return;
  if (!r.ok) {
    fill('release-table', []);
    $('release-list-status').textContent = `Requests: ${r.message}.`;
    return;
  }
  // The gateway sends them newest first (GET /api/releases).
  const releases = r.body.releases ?? [];
  const tbody = fill('release-table', releases.map((q) => [
    q.requestId, q.agency, q.requester, q.purpose.length > PURPOSE_SHOWN ? `${q.purpose.slice(0, PURPOSE_SHOWN)}…` : q.purpose,
    statusBadge(q.status), shortDate(q.receivedAt), openButton(q.requestId),
  ]));
  releases.forEach((q, i) => {
    const row = tbody.children[i];
    row.dataset.requestId = q.requestId;
    row.dataset.status = q.status;
    row.children[3].title = q.purpose;
  });
  const which = status === '' ? '' : ` ${status}`;
  $('release-list-status').textContent = releases.length === 0 ? `No${which} requests on file.` : `${releases.length}${which} request${releases.length === 1 ? '' : 's'}, newest first.`;
}

function openButton(requestId) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'quiet';
  b.textContent = 'Open';
  b.setAttribute('aria-label', `Open release ${requestId}`);
  b.addEventListener('click', () => {
    clearDetailMessages();
    showRelease(requestId, true);
  });
  return b;
}

function clearDetailMessages() {
  for (const id of ['releases-error', 'release-detail-error', 'release-detail-status']) $(id).textContent = '';
}

/** Reads the request and shows it; `focus` moves the keyboard to it (opened from the list). */
async function showRelease(requestId, focus = false) {
  const generation = releasesGeneration;
  const mine = ++detailLoads;
  const r = await send('GET', `/api/releases/${encodeURIComponent(requestId)}`);
  // Only the request opened last is drawn: a slower answer for one opened before must not replace
  // it, or a decision would act on a request other than the one the Chief opened last.
  if (r === null || generation !== releasesGeneration || mine !== detailLoads) return;
  if (!r.ok) {
    $('releases-error').textContent = `Request ${requestId}: ${r.message}`;
    return;
  }
  renderRelease(r.body.request, r.body.history ?? [], r.body.matchingNow);
  if (focus) $('release-detail-title').focus();
}

/**
 * The detections a decision is about (§471.8(b)): while pending, what the request matches now and
 * their plates; once approved, how many the approval kept, which the package holds and no others.
 */
function describeDetections(q, matchingNow) {
  const n = (count) => `${count} detection${count === 1 ? '' : 's'}`;
  if (q.status === 'pending' && matchingNow) {
    const more = matchingNow.distinctPlates > matchingNow.plates.length ? `, and ${matchingNow.distinctPlates - matchingNow.plates.length} more` : '';
    const plates = matchingNow.plates.length === 0 ? '' : `: ${matchingNow.plates.join(', ')}${more}`;
    return `${n(matchingNow.detections)} matching now, of ${matchingNow.distinctPlates} plate${matchingNow.distinctPlates === 1 ? '' : 's'}${plates}`;
  }
  if (typeof q.approvedDetections === 'number') return `${n(q.approvedDetections)} approved`;
  if (q.status === 'approved' || q.status === 'released') return 'not kept with the approval (approved before approvals kept them)';
  return '—';
}

function renderRelease(q, history, matchingNow) {
  // The same request drawn again (after a decision the gateway refused) keeps the note typed for it.
  const keepNote = openRelease?.requestId === q.requestId && q.status === 'pending';
  openRelease = q;
  const id = q.requestId;
  $('release-detail').hidden = false;
  $('release-detail').dataset.requestId = id;
  $('release-detail-title').textContent = `Request ${id}`;
  $('release-detail-title').tabIndex = -1;
  const fields = [
    ['Status', statusBadge(q.status)],
    ['Received', shortDate(q.receivedAt)],
    ['Recorded by', q.recordedBy],
    ['Agency', q.agency],
    ['Kind of agency', `${AGENCY_KIND_TEXT[q.agencyKind] ?? q.agencyKind}${q.agencyState ? ` (${q.agencyState})` : ''}`],
    ['Requester', q.requester],
    ['Purpose', q.purpose],
    ['Data asked for', describeCriteria(q.criteria)],
    ['Detections', describeDetections(q, matchingNow)],
    ['Written request', q.documentRef || '—'],
    ['Decision', describeDecision(q)],
    ['Note', q.decisionNote || '—'],
  ];
  const dl = $('release-fields');
  dl.replaceChildren();
  for (const [name, value] of fields) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    if (value instanceof Node) dd.append(value);
    else dd.textContent = value;
    dd.dataset.field = name.toLowerCase().replaceAll(' ', '-');
    dl.append(dt, dd);
  }

  // Controls only for what the user's roles allow and the request's state permits; the gateway decides either way.
  const decision = $('release-decision');
  decision.hidden = !(q.status === 'pending' && session.may('releases.decide'));
  if (!keepNote) decision.reset();
  // The one who recorded it may refuse (withdraw) it, not approve it (storage/releases.ts SELF_DECISION).
  const own = isOwnRequest(q);
  decision.querySelector('button[value="approve"]').hidden = own;
  $('release-own-request').hidden = !own;
  decision.querySelector('button[value="approve"]').setAttribute('aria-label', `Approve release ${id}`);
  decision.querySelector('button[value="refuse"]').setAttribute('aria-label', `Refuse release ${id}`);
  const produce = $('release-produce');
  produce.hidden = !(q.status === 'approved' && session.may('evidence.export'));
  produce.querySelector('button').setAttribute('aria-label', `Produce the package of release ${id}`);

  renderPackage(q);
  $('release-history').replaceChildren(...history.map((v) => {
    const li = document.createElement('li');
    li.textContent = `Version ${v.version}: ${describeVersion(v)}`;
    return li;
  }));
}

function renderPackage(q) {
  const m = q.package;
  $('release-package').hidden = m === null || m === undefined;
  if (m === null || m === undefined) {
    fill('release-files', []);
    return;
  }
  const mayDownload = session.may('evidence.export');
  $('release-package-summary').textContent = `${m.detections} detection${m.detections === 1 ? '' : 's'} for ${m.agency}, produced ${shortDate(m.generatedAt)} by ${m.generatedBy} (access log record ${m.accessLogSeq}).${mayDownload ? ' Save the files into a folder of this release\'s own: they keep the names SHA256SUMS lists, so sha256sum -c SHA256SUMS checks them there. Each download is recorded in the access log.' : ' Downloading the files needs the custodian or the administrator.'}`;
  // The manifest lists every file but itself and SHA256SUMS, which are served too (GET …/package/{file}).
  const files = [...(m.files ?? []), { name: 'manifest.json' }, { name: 'SHA256SUMS' }];
  const tbody = fill('release-files', files.map((f) => [
    mayDownload ? downloadLink(q.requestId, f.name, f.sha256) : f.name, f.bytes === undefined ? '' : String(f.bytes), f.sha256 ?? '',
  ]));
  for (const row of tbody.children) row.children[2].className = 'digest';
}

/** A link to a package file, checked against the manifest's SHA-256 when it gives one. */
function downloadLink(requestId, name, sha256) {
  const generation = releasesGeneration;
  return packageFileLink({
    href: `/api/releases/${encodeURIComponent(requestId)}/package/${encodeURIComponent(name)}`,
    // Saved under the name SHA256SUMS gives it, so `sha256sum -c SHA256SUMS` checks the saved files.
    name, saveAs: name, label: `Download ${name} of release ${requestId}`, sha256,
    say: (kind, text) => {
      clearDetailMessages();
      if (kind !== 'clear') $(kind === 'error' ? 'release-detail-error' : 'release-detail-status').textContent = text;
    },
    stillShown: () => generation === releasesGeneration,
  });
}

function clearRequestOutcome() {
  const out = $('release-form-status');
  $('release-form-error').textContent = '';
  out.textContent = '';
  delete out.dataset.outcome;
}

/**
 * After a decision or a package the request is drawn again, and the button that had the keyboard
 * may be gone with its form: the keyboard goes to `heading`, not to the page's start (found by QA).
 * A user who moved it elsewhere meanwhile keeps their place.
 */
function keepKeyboardAt(heading) {
  if (document.activeElement !== null && document.activeElement !== document.body) return;
  heading.tabIndex = -1;
  heading.focus();
}

async function submitReleaseRequest(event) {
  const f = event.target.elements;
  const out = $('release-form-status');
  clearRequestOutcome();
  const body = { agency: f.agency.value.trim(), agencyKind: f.agencyKind.value, requester: f.requester.value.trim(), purpose: f.purpose.value.trim() };
  if (f.agencyState.value.trim() !== '') body.agencyState = f.agencyState.value.trim().toUpperCase();
  if (f.documentRef.value.trim() !== '') body.documentRef = f.documentRef.value.trim();
  if (f.criteria.value === 'case') {
    body.criteria = { kind: 'case', caseNumber: f.caseNumber.value.trim() };
  } else {
    // The times are wall-clock ones in the department's zone, as typed; the request stores them as instants.
    const from = readWallClockInput(f.from, $('release-from-note'));
    const to = readWallClockInput(f.to, $('release-to-note'));
    if (from === null || to === null) {
      $('release-form-error').textContent = 'Give the time range the agency asks for.';
      return;
    }
    body.criteria = { kind: 'plate', plate: f.plate.value.trim(), match: f.match.value, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  }
  const generation = releasesGeneration;
  const r = await post('/api/releases', body);
  if (r === null || generation !== releasesGeneration) return;
  if (!r.ok) {
    $('release-form-error').textContent = `Not recorded: ${r.message}`;
    return;
  }
  const q = r.body;
  // The list first, so that what the outcome says is already in the list when it is read.
  if (session.may('releases.view')) await loadReleases();
  if (generation !== releasesGeneration) return;
  // A request the rules refuse is still recorded (201, status refused): an outcome, not an error.
  out.dataset.outcome = q.status;
  // A Chief or designee who records a request does not approve it too (SELF_DECISION): another does.
  const decider = isOwnRequest(q) && session.may('releases.decide')
    ? 'another Chief or a designee; you may refuse it to withdraw it'
    : 'the Chief of Police or the designee';
  out.textContent = q.status === 'refused'
    ? `Refused automatically, and recorded as ${q.requestId}: ${q.decisionNote.replace(/\.?$/, '.')} Nothing will be released; the refusal is on file and in the access log.`
    : `Recorded as ${q.requestId}: ${q.status}, awaiting the decision of ${decider}.`;
  event.target.reset();
  showCriteriaFields();
}

async function submitReleaseDecision(event) {
  const q = openRelease;
  const decision = event.submitter?.value;
  if (q === null || (decision !== 'approve' && decision !== 'refuse')) return;
  clearDetailMessages();
  const note = $('release-note').value.trim();
  if (decision === 'refuse' && note === '') {
    $('release-detail-error').textContent = `Not refused: a refusal needs the reason. Write it in the decision note and choose Refuse again.`;
    $('release-note').focus();
    return;
  }
  const generation = releasesGeneration;
  const r = await post(`/api/releases/${encodeURIComponent(q.requestId)}/decision`, { decision, ...(note === '' ? {} : { note }) });
  if (r === null || generation !== releasesGeneration) return;
  if (!r.ok) {
    $('release-detail-error').textContent = `Not recorded: ${r.message}`;
    // Refused by the rules (recorded so) or decided meanwhile: show the request as it stands now.
    if (r.status === 403 || r.status === 409) await showRelease(q.requestId);
    loadReleases();
    return;
  }
  await showRelease(q.requestId);
  await loadReleases();
  if (generation !== releasesGeneration) return;
  $('release-detail-status').textContent = `${decision === 'approve' ? 'Approved' : 'Refused'}: release ${q.requestId} is now ${r.body.status}; the decision is recorded in the access log.`;
  keepKeyboardAt($('release-detail-title'));
}

async function submitPackage() {
  const q = openRelease;
  if (q === null) return;
  clearDetailMessages();
  $('release-detail-status').textContent = 'Producing the package…';
  const generation = releasesGeneration;
  const r = await post(`/api/releases/${encodeURIComponent(q.requestId)}/package`);
  if (r === null || generation !== releasesGeneration) return;
  if (!r.ok) {
    $('release-detail-status').textContent = '';
    $('release-detail-error').textContent = `Not produced: ${r.message}`;
    if (r.status === 403 || r.status === 409) await showRelease(q.requestId);
    return;
  }
  await showRelease(q.requestId);
  await loadReleases();
  if (generation !== releasesGeneration) return;
  $('release-detail-status').textContent = `Package produced: ${r.body.detections} detection${r.body.detections === 1 ? '' : 's'}; release ${q.requestId} is now released.`;
  keepKeyboardAt($('release-package-title'));
}

/** This year so far, in the department's days as the published report counts them. */
function defaultReportPeriod() {
  const day = today();
  $('report-from').value = `${day.slice(0, 4)}-01-01`;
  $('report-through').value = day;
}

function nextDay(day) {
  return addDays(day, 1);
}

async function submitReport(event) {
  const f = event.target.elements;
  const from = f.from.value;
  const through = f.through.value;
  $('report-error').textContent = '';
  // The figures shown are another period's: they go, so they are not taken for this one's.
  const refuse = (message) => {
    $('report-table').hidden = true;
    $('report-table').querySelector('caption').textContent = '';
    $('report-table').querySelector('tbody').replaceChildren();
    $('report-error').textContent = message;
  };
  if (from === '' || through === '') return refuse('Give the period: its first and its last day.');
  if (through < from) return refuse('The last day comes before the first.');
  const generation = releasesGeneration;
  // The API's period ends before `to`: the day after the last day asked for.
  const r = await send('GET', `/api/reports/transparency?from=${encodeURIComponent(from)}&to=${encodeURIComponent(nextDay(through))}`);
  if (r === null || generation !== releasesGeneration) return;
  if (!r.ok) return refuse(`No report: ${r.message}`);
  renderReport(r.body, from, through);
}

/**
 * The report's figures in the sections, rows and words of the published report (storage/transparency.ts
 * `sections`, which writes the Markdown and HTML files): what the console shows must read as the files do.
 */
function reportSections(r) {
  const pairs = (o, label = (k) => k) => Object.entries(o ?? {}).map(([k, v]) => [label(k), v]);
  // In the answers' own words, as the published report files (storage/transparency.ts; the gateway gives their order).
  const dispositions = pairs(r.dispositions, (k) => DISPOSITION_LABELS[k] ?? k);
  const s = r.searches ?? {};
  return [
    ['Collection', [['Cameras reporting', r.cameras], ['Plate reads', r.reads]]],
    ['Hits', [['Hits (all lists)', r.hits], ...pairs(r.hitsByList, (k) => `Hits on ${k}`), ['Hits on covert lists (names withheld)', r.hitsOnCovertLists]]],
    ['Hit dispositions recorded', dispositions.length === 0 ? [['Hits with a disposition recorded', 0]] : dispositions],
    // Inquiries as the §471.9 audit counts them: a paged search once, its later pages on a row of their own.
    ['Detection searches', [
      ['Searches documented with a case or incident number', s.withCaseNumber],
      ['Searches documented with a reason only', s.reasonOnly],
      ['Later pages of those searches (not counted as searches)', s.laterPages],
      ['Searches refused: no case or incident number or reason given', s.refusedNoPurpose],
      ['Searches refused: a prohibited purpose (immigration enforcement or personal use)', s.refusedProhibitedPurpose],
      ['Searches refused: user not trained, active or authorised', s.refusedUser],
      ...(s.refusedOther > 0 ? [['Searches refused for another reason', s.refusedOther]] : []),
      ['Run by the system for new hot list entries (past sightings)', s.bySystem],
    ]],
    ['Requests for data from other agencies', [
      ['Received', r.releases?.received], ['Granted', r.releases?.granted], ['Refused', r.releases?.refused], ['Pending', r.releases?.pending],
      ...pairs(r.releases?.refusedByRule, (k) => (REPORT_REFUSAL_TEXT[k] === undefined ? `Refused: ${k}` : `Refused ${REPORT_REFUSAL_TEXT[k]}`)),
      ...pairs(r.releases?.byAgencyKind, (k) => `From ${k.replaceAll('_', ' ')} agencies`),
    ]],
    ['Retention and oversight', [
      ['Detections kept (days)', r.retention?.detectionDays], ['Hits kept (days)', r.retention?.hitDays],
      ['Detections held as evidence', r.retention?.heldDetections], ['Legal holds', r.retention?.legalHolds],
      ['Trained, authorised users', r.authorisedUsers],
    ]],
  ];
}

function renderReport(r, from, through) {
  const table = $('report-table');
  table.querySelector('caption').textContent = `Transparency report, ${from} through ${through} (${departmentZone()}); generated ${shortDate(r.generatedAt)}`;
  const tbody = table.querySelector('tbody');
  tbody.replaceChildren();
  for (const [title, rows] of reportSections(r)) {
    const head = document.createElement('tr');
    const th = document.createElement('th');
    th.colSpan = 2;
    th.scope = 'colgroup';
    th.className = 'section';
    th.textContent = title;
    head.append(th);
    tbody.append(head);
    for (const [label, value] of rows) {
      const tr = document.createElement('tr');
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = label;
      const figure = document.createElement('td');
      figure.className = 'figure';
      figure.textContent = typeof value === 'number' ? value.toLocaleString('en-US') : '—';
      tr.append(name, figure);
      tbody.append(tr);
    }
  }
  table.hidden = false;
}
