// The administrator's view: hot lists with their age and size (a general list older than 24 h is
// stale: Policy 471.5(f)(4)), loading a general list from a file and designating a specific one
// (the ALPR administrator's: 471.5(f)), entries waiting for approval (471.5(f)(5)), and the users
// with their training status (471.4.1(b)). Each part loads from its API route; a part the user's
// roles do not open is neither shown nor asked for (a refused request would stand in the access
// log as a role violation, for the audit to find). Values go into the page as text only.
//
// The other views (search.js, releases.js, holds.js, evidence.js, audit.js) share `once`, `send`,
// `post`, `fill`, `setCellText`, `badge`, `count`, `fetchFile`, `saveFile` and `packageFileLink`.
import { formatDateTime, formatGivenTime } from './clock.js';

const $ = (id) => document.getElementById(id);
let session = null;
/**
 * Bumped at sign-out, so an answer still on its way is dropped, not shown to the next user (the
 * users and their roles, the changes waiting with their Approve buttons, the lists' purposes).
 */
let adminGeneration = 0;
/** Counts the loads of each part: only the latest one's answer is shown (a decision reloads them while one runs). */
const loads = { lists: 0, approvals: 0, users: 0 };

/** What each part of the view needs (storage/permissions.ts), and the section that shows it. */
const PARTS = [
  ['lists-part', 'hotlists.view'],
  ['manage-lists', 'hotlists.manage'],
  ['submit-part', 'hotlists.submit'],
  ['approvals-part', 'hotlists.approve_update'],
  ['users-part', 'users.view'],
  // Nothing is asked for until the administrator does (console/refused-reads.js).
  ['refused-part', 'reads.refused'],
];

export function initAdmin(s) {
  session = s;
  $('entry-form').addEventListener('submit', once(submitEntry));
  $('load-form').addEventListener('submit', once(submitLoad));
  $('designate-form').addEventListener('submit', once(submitDesignation));
  $('reject-cancel').addEventListener('click', () => $('reject-dialog').close());
}

/**
 * Who put a list's version in force, as the table says it: " by admin1" for a load; a specific
 * list's version is published when an entry is approved (loadedBy "approval by admin1").
 */
function loadedByText(loadedBy) {
  if (!loadedBy) return '';
  return loadedBy.startsWith('approval by ') ? `, on ${loadedBy}` : ` by ${loadedBy}`;
}

/** Takes down the rejection dialog, as cancelled (a sign-out, a session ending): nothing is sent. */
export function closeRejectDialog() {
  if ($('reject-dialog').open) $('reject-dialog').close();
  $('reject-reason').value = '';
}

/**
 * Asks, over the page, why the change to `what` is rejected: the reason typed, or null when the
 * dialog is cancelled (Cancel, Escape, a sign-out). A rejection needs a reason: an empty one is
 * answered in the dialog, which stays open.
 */
function askRejectReason(what) {
  const dialog = $('reject-dialog');
  const form = $('reject-form');
  $('reject-title').textContent = `Reject ${what}`;
  $('reject-reason').value = '';
  $('reject-error').textContent = '';
  dialog.showModal();
  return new Promise((resolve) => {
    const finish = (reason) => {
      form.removeEventListener('submit', submitted);
      dialog.removeEventListener('close', closed);
      if (dialog.open) dialog.close();
      $('reject-reason').value = '';
      resolve(reason);
    };
    const submitted = (event) => {
      event.preventDefault();
      const reason = $('reject-reason').value.trim();
      if (reason !== '') return finish(reason);
      $('reject-error').textContent = 'A rejection needs the reason: write why the change is rejected.';
      $('reject-reason').focus();
    };
    const closed = () => finish(null);
    form.addEventListener('submit', submitted);
    dialog.addEventListener('close', closed);
  });
}

/**
 * A form's submit handler that runs one at a time: while its request is on its way the form's
 * submit buttons say they are unavailable and another submit (Enter pressed twice, a double click,
 * the other button of an approve/refuse pair) is ignored, so an entry, a designation, a load or a
 * decision is not sent twice. aria-disabled, not disabled: a disabled button loses the keyboard
 * focus to the page, and the next Tab would start from the top. The buttons come back however it
 * ends.
 */
export function once(handler) {
  let running = false;
  return async (event) => {
    event.preventDefault();
    if (running) return;
    const buttons = [...event.target.querySelectorAll('button[type="submit"]')];
    running = true;
    for (const button of buttons) button.setAttribute('aria-disabled', 'true');
    try {
      await handler(event);
    } finally {
      running = false;
      for (const button of buttons) button.removeAttribute('aria-disabled');
    }
  };
}

/** Clears the view for the next user: tables, menus, messages and forms. */
export function resetAdmin() {
  adminGeneration += 1;
  closeRejectDialog();
  for (const id of ['entry-form', 'load-form', 'designate-form']) $(id).reset();
  for (const id of ['lists', 'approvals', 'users']) fill(id, []);
  // The menus hold the lists' names and purposes as this user may see them (a covert list's among them).
  for (const id of ['entry-list', 'load-list', 'load-layout']) $(id).replaceChildren();
  for (const [id] of PARTS) $(id).hidden = true;
  for (const id of ['admin-error', 'load-error', 'designate-error', 'entry-error']) $(id).textContent = '';
  for (const id of ['lists-status', 'load-status', 'designate-status', 'entry-status', 'approvals-status', 'users-status']) $(id).textContent = '';
}

export function showAdmin() {
  $('admin-error').textContent = '';
  // The gateway refuses each part to other roles; here they are only not offered.
  for (const [id, permission] of PARTS) $(id).hidden = !session.may(permission);
  if (session.may('hotlists.view')) loadLists();
  if (session.may('hotlists.approve_update')) loadApprovals();
  if (session.may('users.view')) loadUsers();
}

/**
 * GETs `path` for the part `part` of the view: the answer, or null when it is no longer wanted —
 * the session is gone, another user has signed in since (their view must not show this one's
 * answer), or a later load of the part has been asked for.
 */
async function get(path, part) {
  const generation = adminGeneration;
  const mine = ++loads[part];
  const r = await send('GET', path);
  if (r === null || generation !== adminGeneration || mine !== loads[part]) return null;
  return r.status === 403 ? { ...r, message: 'your roles do not include this part' } : r;
}

export function fill(tableId, rows) {
  const table = $(tableId);
  const tbody = table.querySelector('tbody');
  tbody.replaceChildren();
  for (const cells of rows) {
    const tr = document.createElement('tr');
    for (const cell of cells) {
      const td = document.createElement('td');
      if (cell instanceof Node) td.append(cell);
      else setCellText(td, cell ?? '');
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.hidden = rows.length === 0;
  return tbody;
}

/** A run of 25 characters or more with no space: no time, user id or plate is that long. */
const LONG_WORD = /\S{25}/;

/**
 * A table cell's text. One with a long word (a 200-character agency, a 64-character case number)
 * may break anywhere (console.css `.long-word`), so it neither widens the table past the window
 * nor squeezes the other columns; other text breaks only between words.
 */
export function setCellText(td, text) {
  td.textContent = text;
  td.classList.toggle('long-word', LONG_WORD.test(text));
}

export function badge(text, kind) {
  const span = document.createElement('span');
  span.className = `badge ${kind}`;
  span.textContent = text;
  return span;
}

function age(seconds) {
  if (typeof seconds !== 'number') return '';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

async function loadLists() {
  const r = await get('/api/hotlists', 'lists');
  if (r === null) return;
  if (!r.ok) {
    fill('lists', []);
    $('lists-status').textContent = `Hot lists: ${r.message}.`;
    // No list to offer: not the names an earlier answer gave (a list since withdrawn, another user's).
    const why = `the hot lists could not be read (${r.message})`;
    fillSelect('entry-list', [], why);
    fillSelect('load-list', [], why);
    fillSelect('load-layout', [], why);
    return;
  }
  const lists = r.body.lists ?? [];
  // A covert list reaches this view only for the users named for it, and for an administrator not
  // named as `withheld`: its size and age without purpose, loader or entries (gateway/hotlist-routes.ts).
  fill('lists', lists.map((l) => [
    `${l.list} (${l.kind}${l.covert ? ', covert' : ''})`, l.loadedAt === null ? '—' : String(l.version), String(l.entries),
    l.loadedAt ? `${formatDateTime(l.loadedAt)}${loadedByText(l.loadedBy)}` : l.kind === 'specific' ? 'no entry approved yet' : 'never loaded',
    // A specific list is not downloaded: with no entry approved yet it is neither current nor stale.
    age(l.ageSeconds), l.stale ? badge('STALE: refresh daily', 'bad') : l.loadedAt === null ? '—' : badge('current', 'good'),
  ]));
  const specific = lists.filter((l) => l.kind === 'specific' && !l.withheld);
  fillSelect('entry-list', specific.map((l) => [l.list, l.purpose ? `${l.list} — ${l.purpose}` : l.list]),
    'no specific list is designated yet: the ALPR administrator designates lists first');
  fillSelect('load-list', lists.filter((l) => l.kind === 'general').map((l) => [l.list, l.list]), 'no general list is configured');
  fillSelect('load-layout', [['', 'hot list CSV (plate, state, list, …)'], ...(r.body.layouts ?? []).map((name) => [name, `layout "${name}"`])], '');
  const stale = lists.filter((l) => l.stale).length;
  $('lists-status').textContent = lists.length === 0 ? 'No hot lists loaded.' : `${count(lists.length, 'list')}${stale > 0 ? `; ${stale} stale (older than 24 h)` : ''}.`;
  // The red alarm above every view says the same as this table from now on, not from its next check.
  session.listsRead(lists);
}

/** "1 row", "2 rows": `n` with the noun in the number it needs. */
export function count(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Replaces a select's options with [value, label] pairs, keeping the user's choice. With no
 * options, one disabled option says why, so an empty list explains itself.
 */
function fillSelect(id, options, whenEmpty) {
  const select = $(id);
  const chosen = select.value;
  const made = options.map(([value, label]) => {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = label;
    return option;
  });
  if (made.length === 0) {
    const none = document.createElement('option');
    none.value = '';
    none.textContent = whenEmpty;
    none.disabled = true;
    none.selected = true;
    made.push(none);
  }
  select.replaceChildren(...made);
  if (options.some(([value]) => value === chosen)) select.value = chosen;
}

/**
 * Calls the API with the session: the answer, with the gateway's own message when it refuses (a
 * 403 too: the gateway is the authority on roles, the view only hides what they do not allow).
 * Null when the session is gone (signed out already). With `fileType`, `body` (a File) is sent as
 * is, with that content type.
 */
export async function send(method, path, body, fileType) {
  const token = session.token();
  if (token === null) {
    session.expired();
    return null;
  }
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = fileType ?? 'application/json';
  const sent = body === undefined ? {} : { body: fileType === undefined ? JSON.stringify(body) : body };
  const res = await fetch(path, { method, headers, ...sent }).catch(() => null);
  if (res?.status === 401) {
    // Only the session that was refused ends: not the next user's, signed in while this one ran.
    if (session.token() === token) session.expired();
    return null;
  }
  const answer = res === null ? null : await res.json().catch(() => null);
  return { ok: res?.ok === true, status: res?.status ?? 0, body: answer, message: answer?.error?.message ?? (res === null ? 'the gateway cannot be reached' : `the gateway answered ${res.status}`) };
}

/** POSTs JSON with the session; null when the session is gone (signed out already). */
export function post(path, body) {
  return send('POST', path, body);
}

/**
 * Fetches a file the API serves only with the session header (so a plain link cannot): the file
 * as a Blob, or the gateway's message; null when the session is gone (signed out already).
 */
export async function fetchFile(path) {
  const token = session.token();
  if (token === null) {
    session.expired();
    return null;
  }
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
  if (res?.status === 401) {
    // Only the session that was refused ends: not the next user's, signed in while this one ran.
    if (session.token() === token) session.expired();
    return null;
  }
  const blob = res?.ok ? await res.blob().catch(() => null) : null;
  if (blob !== null) return { ok: true, blob };
  const body = res === null ? null : await res.json().catch(() => null);
  return { ok: false, message: res === null ? 'the gateway cannot be reached' : body?.error?.message ?? `the gateway answered ${res.status}` };
}

/** Saves what the page holds (a fetched file, a memorandum) as a download named `filename`. */
export function saveFile(blob, filename) {
  const url = URL.createObjectURL(blob);
  const save = document.createElement('a');
  save.href = url;
  save.download = filename;
  document.body.append(save);
  save.click();
  save.remove();
  // The browser has taken the file once the click is handled; the URL is kept a while for slow saves.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * A link to one file of a package (an evidence package, a release's) that the API serves only with
 * the session header: a click fetches the file, checks it against `sha256` (the manifest's) when
 * there is one, and saves it as `saveAs`. `say(kind, text)` shows how it went ('error' or
 * 'status'; ('clear') first); `stillShown()` is false once the package is no longer on screen (the
 * user signed out), and then nothing is saved or said.
 */
export function packageFileLink({ href, name, saveAs, label, sha256, say, stillShown }) {
  const a = document.createElement('a');
  a.href = href;
  a.download = saveAs;
  a.textContent = name;
  a.setAttribute('aria-label', label);
  a.addEventListener('click', async (event) => {
    event.preventDefault();
    if (a.getAttribute('aria-busy') === 'true') return;
    say('clear');
    a.setAttribute('aria-busy', 'true');
    const r = await fetchFile(href);
    const checked = r?.ok ? await checkDigest(r.blob, sha256) : null;
    a.removeAttribute('aria-busy');
    if (r === null || !stillShown()) return;
    if (!r.ok) return say('error', `Not downloaded (${name}): ${r.message}`);
    if (checked === false) return say('error', `Not saved (${name}): the file received does not match its SHA-256 in the manifest. Download it again.`);
    saveFile(r.blob, saveAs);
    const how = checked === true ? ', checked against its SHA-256 in the manifest' : '';
    say('status', `Downloaded ${name} (${r.blob.size} bytes${how}); the download is recorded in the access log.`);
  });
  return a;
}

/**
 * Whether `blob` has the SHA-256 `expected`: true or false; null when there is nothing to check
 * against (manifest.json and SHA256SUMS are not in the manifest) or the browser cannot compute it
 * (Web Crypto is offered only on https and on localhost).
 */
async function checkDigest(blob, expected) {
  if (expected === undefined || globalThis.crypto?.subtle === undefined) return null;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') === expected;
}

/** A form's submit, handled here: no page load, and its `<name>-error` and `<name>-status` cleared. Returns its fields. */
function startSubmit(event, name) {
  event.preventDefault();
  $(`${name}-error`).textContent = '';
  $(`${name}-status`).textContent = '';
  return event.target.elements;
}

async function submitLoad(event) {
  const f = startSubmit(event, 'load');
  const list = f.list.value;
  const file = f.file.files[0];
  if (list === '' || file === undefined) {
    $('load-error').textContent = list === '' ? 'No general list is configured to load.' : 'Choose the file to load.';
    return;
  }
  const query = new URLSearchParams({ strict: String(f.strict.checked) });
  if (f.layout.value !== '') query.set('layout', f.layout.value);
  $('load-status').textContent = `Loading ${file.name} into ${list}…`;
  const generation = adminGeneration;
  // The file itself as the body, not inside JSON: a state's daily download is far over the JSON limit.
  const r = await send('POST', `/api/hotlists/${encodeURIComponent(list)}/load?${query.toString()}`, file, 'text/csv');
  if (r === null || generation !== adminGeneration) return;
  if (!r.ok) {
    $('load-status').textContent = '';
    $('load-error').textContent = r.status === 413
      ? `Not loaded: the file is larger than this gateway accepts (${r.message}). Load it on the server with: platewatch hotlist load --list ${list} --as YOUR_ID FILE`
      : `Not loaded: ${r.message}`;
    return;
  }
  const a = r.body;
  const rejected = a.rejected ?? [];
  // The answer lists the first 1,000 rejected rows; rejectedCount counts them all.
  const rejectedCount = a.rejectedCount ?? rejected.length;
  const shown = rejected.slice(0, 10).map((x) => (x.line > 0 ? `line ${x.line}: ${x.reason}` : x.reason)).join('; ');
  $('load-status').textContent = [
    `${a.list} is now version ${a.version}: ${count(a.entries, 'entry', 'entries')} from ${count(a.rows, 'row')} (${a.added} added, ${a.removed} removed).`,
    rejectedCount === 0 ? '' : `${count(rejectedCount, 'row')} not loaded: ${shown}${rejectedCount > 10 ? '; …' : ''}.`,
    a.droppedImmigration > 0
      ? `${count(a.droppedImmigration, 'immigration record')} dropped (Gov. Code § 7284.6)${(a.dropped ?? []).length > 0 ? `: ${a.dropped.slice(0, 10).map((d) => `line ${d.line}`).join(', ')}${a.dropped.length > 10 ? ', …' : ''}` : ''}.`
      : '',
  ].filter(Boolean).join(' ');
  f.file.value = '';
  loadLists();
}

async function submitDesignation(event) {
  const f = startSubmit(event, 'designate');
  const generation = adminGeneration;
  const r = await post('/api/hotlists', { list: f.list.value.trim(), purpose: f.purpose.value.trim() });
  if (r === null || generation !== adminGeneration) return;
  if (!r.ok) {
    $('designate-error').textContent = `Not designated: ${r.message}`;
    return;
  }
  // A general list's purpose can be recorded too, but its entries come whole from its daily download.
  $('designate-status').textContent = r.body.kind === 'general'
    ? `${r.body.list} is a general list: its purpose is recorded (version ${r.body.version} of its designation); its entries come from its daily download, not from members.`
    : `${r.body.list} is designated (version ${r.body.version} of its designation): members can now submit entries to it.`;
  f.list.value = '';
  f.purpose.value = '';
  loadLists();
}

async function submitEntry(event) {
  const f = startSubmit(event, 'entry');
  const body = { plate: f.plate.value.trim(), caseNumber: f.caseNumber.value.trim(), synopsis: f.synopsis.value.trim() };
  for (const name of ['state', 'reason']) if (f[name].value.trim() !== '') body[name] = f[name].value.trim();
  // The bare day: the gateway's one rule for dates makes it the start of that day in the department's
  // zone, whatever this workstation's zone (the API and the CLI read a day the same way).
  if (f.expiresAt.value !== '') body.expiresAt = f.expiresAt.value;
  const list = f.list.value;
  if (list === '') {
    $('entry-error').textContent = 'No specific list is designated yet: the ALPR administrator designates lists first.';
    return;
  }
  const generation = adminGeneration;
  const r = await post(`/api/hotlists/${encodeURIComponent(list)}/entries`, body);
  if (r === null || generation !== adminGeneration) return;
  if (!r.ok) {
    $('entry-error').textContent = `Not submitted: ${r.message}`;
    return;
  }
  const answer = r.body;
  $('entry-status').textContent = `Submitted ${answer.plate} to ${answer.list} as entry ${answer.entryId}; it matches once an administrator approves it.`;
  for (const name of ['plate', 'state', 'caseNumber', 'reason', 'synopsis', 'expiresAt']) f[name].value = '';
  if (session.may('hotlists.approve_update')) loadApprovals();
  loadLists();
}

async function loadApprovals() {
  const r = await get('/api/hotlists/approvals', 'approvals');
  if (r === null) return;
  if (!r.ok) {
    fill('approvals', []);
    $('approvals-status').textContent = `Approvals: ${r.message}.`;
    return;
  }
  // Each is an entry with the change waiting (`pending`) and the version in force (`current`, null for a new entry).
  const pending = r.body.pending ?? [];
  fill('approvals', pending.map((s) => [
    s.list, s.pending.plate, s.pending.caseNumber, s.pending.synopsis, s.pending.expiresAt ? formatGivenTime(s.pending.expiresAt) : 'never', s.pending.enteredBy,
    describeChange(s),
    decisionButtons(s),
  ]));
  $('approvals-status').textContent = pending.length === 0 ? 'Nothing waiting for approval.' : `${pending.length} waiting for approval.`;
}

function describeChange(p) {
  if (p.current === null) return 'new entry (administrator approves)';
  if (p.pending.status === 'removed') return 'removal';
  if (p.approver === 'administrator') return `update of v${p.current.version}: new vehicle, was ${p.current.plate}${p.current.state ? ` (${p.current.state})` : ''} (administrator approves)`;
  return `update of v${p.current.version} (supervisor approves)`;
}

/**
 * Why this user cannot decide the change `p`, or null when they can: a new entry, or a change of
 * the vehicle listed, is the ALPR administrator's (`hotlists.approve_entry`), another update or a
 * removal a supervisor's too (storage/hotlists.ts decideEntry, `approver`), and nobody decides a
 * change they submitted (four eyes, §471.5(f)(5)). The gateway checks again; this only spares the
 * user a refusal.
 */
function cannotDecide(p) {
  const byAdministrator = p.approver === 'administrator';
  if (p.pending.enteredBy === session.userId()) return `You submitted it: another ${byAdministrator ? 'administrator' : 'supervisor or administrator'} decides it.`;
  if (byAdministrator && !session.may('hotlists.approve_entry')) {
    return p.current === null ? 'A new entry is approved by the ALPR administrator.' : 'A change of the vehicle listed is approved by the ALPR administrator.';
  }
  return null;
}

function decisionButtons(p) {
  const wrap = document.createElement('span');
  const why = cannotDecide(p);
  if (why !== null) {
    wrap.className = 'note';
    wrap.textContent = why;
    return wrap;
  }
  const buttons = [];
  // Named for the entry (plate, state, list: an entry's key), so a screen reader's list of buttons
  // says which change each one decides, not "Approve" once per row.
  const entry = `${p.pending.plate}${p.pending.state ? ` (${p.pending.state})` : ''} on ${p.list}`;
  for (const [decision, label] of [['approved', 'Approve'], ['rejected', 'Reject']]) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.setAttribute('aria-label', `${label} ${entry}`);
    b.dataset.decision = decision;
    b.className = decision === 'rejected' ? 'quiet' : '';
    b.addEventListener('click', () => decide(p, decision, buttons));
    buttons.push(b);
    wrap.append(b);
  }
  return wrap;
}

async function decide(s, decision, buttons) {
  if (buttons.some((b) => b.disabled)) return;
  $('admin-error').textContent = '';
  const generationAsked = adminGeneration;
  const note = decision === 'rejected' ? await askRejectReason(`${s.pending.plate}${s.pending.state ? ` (${s.pending.state})` : ''} on ${s.list}`) : '';
  if (note === null || generationAsked !== adminGeneration) return;
  const clicked = buttons.find((b) => b.dataset.decision === decision);
  const row = clicked?.closest('tr') ?? null;
  const rows = [...$('approvals').querySelectorAll('tbody tr')];
  const at = row === null ? -1 : rows.indexOf(row);
  // The buttons are disabled while the decision is on its way, which would drop the keyboard focus
  // to the page: their row holds it meanwhile.
  const keyboardHere = row !== null && row.contains(document.activeElement);
  if (keyboardHere) {
    row.tabIndex = -1;
    row.focus();
  }
  // One decision at a time: a double click must not send a second one, refused as "not waiting".
  for (const b of buttons) b.disabled = true;
  // The version decided is the one shown, so a change made meanwhile is not approved unseen.
  const generation = adminGeneration;
  const r = await post(`/api/hotlists/approvals/${encodeURIComponent(s.entryId)}`, { decision, version: s.pending.version, ...(note === '' ? {} : { note }) });
  if (r === null || generation !== adminGeneration) return;
  const stillHere = keyboardHere && (document.activeElement === row || document.activeElement === document.body);
  if (!r.ok) {
    for (const b of buttons) b.disabled = false;
    $('admin-error').textContent = `Not recorded (${s.pending.plate}, ${s.list}): ${r.message}`;
    if (stillHere) clicked.focus();
    return;
  }
  loadLists();
  await loadApprovals();
  if (generation !== adminGeneration || !stillHere || !(document.activeElement === row || document.activeElement === document.body)) return;
  // The decided row is gone: on to the one that took its place (the next change to decide), or to
  // the status that says nothing is left.
  const next = [...$('approvals').querySelectorAll('tbody tr')];
  const target = next[Math.min(at, next.length - 1)];
  const control = target?.querySelector('button');
  if (control !== undefined && control !== null) {
    control.focus();
  } else {
    const status = target ?? $('approvals-status');
    status.tabIndex = -1;
    status.focus();
  }
}

async function loadUsers() {
  const r = await get('/api/users', 'users');
  if (r === null) return;
  if (!r.ok) {
    fill('users', []);
    $('users-status').textContent = `Users: ${r.message}.`;
    return;
  }
  const kinds = { trained: 'good', expiring: 'warn', expired: 'bad', untrained: 'bad' };
  const users = r.body.users ?? [];
  fill('users', users.map((u) => [
    u.id, u.name, u.title, u.roles.join(', '), u.trainedAt ?? 'untrained', u.trainingExpiresAt ?? '—',
    u.active ? badge(u.trainingStatus, kinds[u.trainingStatus] ?? 'warn') : badge('disabled', 'bad'),
  ]));
  const attention = users.filter((u) => u.active && u.trainingStatus !== 'trained').length;
  $('users-status').textContent = `${count(users.length, 'user')}${attention > 0 ? `; ${attention} need${attention === 1 ? 's' : ''} training attention` : ''}.`;
}
