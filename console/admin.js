// The administrator's view: hot lists with their age and size (a general list older than 24 h is
// stale: Policy 471.5(f)(4)), entries waiting for approval (471.5(f)(5)), and the users with their
// training status (471.4.1(b)). Each part loads from its API route and says so when the user's
// roles do not open it. Values go into the page as text only.

const $ = (id) => document.getElementById(id);
let session = null;

export function initAdmin(s) {
  session = s;
  $('entry-form').addEventListener('submit', submitEntry);
}

export function showAdmin() {
  $('admin-error').textContent = '';
  loadLists();
  loadApprovals();
  loadUsers();
}

async function get(path) {
  const token = session.token();
  if (token === null) {
    session.expired();
    return null;
  }
  let res;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    return { ok: false, message: 'the gateway cannot be reached' };
  }
  if (res.status === 401) {
    session.expired();
    return null;
  }
  const body = await res.json().catch(() => null);
  if (res.status === 403) return { ok: false, message: 'your roles do not include this part' };
  if (!res.ok) return { ok: false, message: body?.error?.message ?? `the gateway answered ${res.status}` };
  return { ok: true, body };
}

function fill(tableId, rows) {
  const table = $(tableId);
  const tbody = table.querySelector('tbody');
  tbody.replaceChildren();
  for (const cells of rows) {
    const tr = document.createElement('tr');
    for (const cell of cells) {
      const td = document.createElement('td');
      if (cell instanceof Node) td.append(cell);
      else td.textContent = cell ?? '';
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.hidden = rows.length === 0;
  return tbody;
}

function badge(text, kind) {
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
  const r = await get('/api/hotlists');
  if (r === null) return;
  if (!r.ok) {
    fill('lists', []);
    $('lists-status').textContent = `Hot lists: ${r.message}.`;
    return;
  }
  const lists = r.body.lists ?? [];
  fill('lists', lists.map((l) => [
    `${l.list} (${l.kind})`, l.loadedAt === null ? '—' : String(l.version), String(l.entries), l.loadedAt ? `${new Date(l.loadedAt).toLocaleString()} by ${l.loadedBy}` : 'never loaded',
    age(l.ageSeconds), l.stale ? badge('STALE: refresh daily', 'bad') : badge('current', 'good'),
  ]));
  const select = $('entry-list');
  const chosen = select.value;
  select.replaceChildren(...lists.filter((l) => l.kind === 'specific').map((l) => {
    const option = document.createElement('option');
    option.value = l.list;
    option.textContent = l.purpose ? `${l.list} — ${l.purpose}` : l.list;
    return option;
  }));
  if (chosen !== '') select.value = chosen;
  const stale = lists.filter((l) => l.stale).length;
  $('lists-status').textContent = lists.length === 0 ? 'No hot lists loaded.' : `${lists.length} list(s)${stale > 0 ? `; ${stale} stale (older than 24 h)` : ''}.`;
}

async function submitEntry(event) {
  event.preventDefault();
  const f = event.target.elements;
  $('entry-error').textContent = '';
  $('entry-status').textContent = '';
  const token = session.token();
  if (token === null) return session.expired();
  const body = { plate: f.plate.value.trim(), caseNumber: f.caseNumber.value.trim(), synopsis: f.synopsis.value.trim() };
  for (const name of ['state', 'reason']) if (f[name].value.trim() !== '') body[name] = f[name].value.trim();
  if (f.expiresAt.value !== '') body.expiresAt = `${f.expiresAt.value}T23:59:59Z`;
  const list = f.list.value;
  if (list === '') {
    $('entry-error').textContent = 'No specific list is designated yet: the ALPR administrator designates lists first.';
    return;
  }
  const res = await fetch(`/api/hotlists/${encodeURIComponent(list)}/entries`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body),
  }).catch(() => null);
  if (res?.status === 401) return session.expired();
  const answer = res === null ? null : await res.json().catch(() => null);
  if (res === null || !res.ok) {
    $('entry-error').textContent = `Not submitted: ${answer?.error?.message ?? 'the gateway cannot be reached'}`;
    return;
  }
  $('entry-status').textContent = `Submitted ${answer.plate} to ${answer.list} as entry ${answer.entryId}; it matches once an administrator approves it.`;
  for (const name of ['plate', 'state', 'caseNumber', 'reason', 'synopsis', 'expiresAt']) f[name].value = '';
  loadApprovals();
  loadLists();
}

async function loadApprovals() {
  const r = await get('/api/hotlists/approvals');
  if (r === null) return;
  if (!r.ok) {
    fill('approvals', []);
    $('approvals-status').textContent = `Approvals: ${r.message}.`;
    return;
  }
  // Each is an entry with the change waiting (`pending`) and the version in force (`current`, null for a new entry).
  const pending = r.body.pending ?? [];
  fill('approvals', pending.map((s) => [
    s.list, s.pending.plate, s.pending.caseNumber, s.pending.synopsis, s.pending.enteredBy,
    s.current === null ? 'new entry (administrator approves)' : s.pending.status === 'removed' ? 'removal' : `update of v${s.current.version} (supervisor approves)`,
    decisionButtons(s),
  ]));
  $('approvals-status').textContent = pending.length === 0 ? 'Nothing waiting for approval.' : `${pending.length} waiting for approval.`;
}

function decisionButtons(p) {
  const wrap = document.createElement('span');
  for (const [decision, label] of [['approved', 'Approve'], ['rejected', 'Reject']]) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.className = decision === 'rejected' ? 'quiet' : '';
    b.addEventListener('click', () => decide(p, decision));
    wrap.append(b);
  }
  return wrap;
}

async function decide(s, decision) {
  const token = session.token();
  if (token === null) return session.expired();
  const note = decision === 'rejected' ? (prompt('Reason for rejecting this change') ?? '').trim() : '';
  if (decision === 'rejected' && note === '') return;
  // The version decided is the one shown, so a change made meanwhile is not approved unseen.
  const res = await fetch(`/api/hotlists/approvals/${encodeURIComponent(s.entryId)}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ decision, version: s.pending.version, ...(note === '' ? {} : { note }) }),
  }).catch(() => null);
  if (res === null || !res.ok) {
    const body = res === null ? null : await res.json().catch(() => null);
    $('admin-error').textContent = `Not recorded: ${body?.error?.message ?? 'the gateway cannot be reached'}`;
    return;
  }
  loadApprovals();
  loadLists();
}

async function loadUsers() {
  const r = await get('/api/users');
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
  $('users-status').textContent = `${users.length} user(s)${attention > 0 ? `; ${attention} need training attention` : ''}.`;
}
