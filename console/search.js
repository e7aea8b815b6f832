// The analyst's view: detection search (POST /api/detections/search). The gateway refuses a search
// without a case/incident number or reason and logs every search; the form says so up front and
// shows the gateway's own message when it refuses. Values go into the page as text only.

const $ = (id) => document.getElementById(id);
let session = null;
/** The last search's body, for "Older results" (the same search, from the cursor on). */
let lastQuery = null;

export function initSearch(s) {
  session = s;
  const now = new Date();
  $('search-to').value = localInput(new Date(now.getTime() + 60_000));
  $('search-from').value = localInput(new Date(now.getTime() - 7 * 86_400_000));
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const query = queryFromForm();
    if (query === null) return;
    lastQuery = query;
    $('search-results').querySelector('tbody').replaceChildren();
    run(query);
  });
  $('search-more').addEventListener('click', () => {
    if (lastQuery?.before !== undefined) run(lastQuery);
  });
}

function queryFromForm() {
  const f = $('search-form').elements;
  $('search-error').textContent = '';
  const caseNumber = f.caseNumber.value.trim();
  const reason = f.reason.value.trim();
  if (caseNumber === '' && reason === '') {
    $('search-error').textContent = 'State a case or incident number and/or a reason: searches without one are refused (Policy 471.7(e)).';
    f.caseNumber.focus();
    return null;
  }
  const from = new Date(f.from.value);
  const to = new Date(f.to.value);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    $('search-error').textContent = 'Give the time range to search.';
    return null;
  }
  const query = { from: from.toISOString(), to: to.toISOString() };
  const plate = f.plate.value.trim();
  if (plate !== '') query.plate = plate;
  if (plate !== '' && f.match.value !== '') query.match = f.match.value;
  const cameras = f.cameras.value.split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (cameras.length > 0) query.cameras = cameras;
  if (caseNumber !== '') query.caseNumber = caseNumber;
  if (reason !== '') query.reason = reason;
  return query;
}

async function run(query) {
  const token = session.token();
  if (token === null) return session.expired();
  $('search-status').textContent = 'Searching…';
  $('search-more').hidden = true;
  let res;
  try {
    res = await fetch('/api/detections/search', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(query) });
  } catch {
    $('search-status').textContent = '';
    $('search-error').textContent = 'The gateway cannot be reached. Try again.';
    return;
  }
  const body = await res.json().catch(() => null);
  if (res.status === 401) return session.expired();
  if (!res.ok) {
    $('search-status').textContent = '';
    $('search-error').textContent = body?.error?.message ?? `The search failed (${res.status}).`;
    return;
  }
  const tbody = $('search-results').querySelector('tbody');
  for (const row of body.rows) tbody.append(resultRow(row));
  const shown = tbody.children.length;
  $('search-results').hidden = shown === 0;
  $('search-status').textContent = `${shown === 0 ? 'No detections found' : `${shown} detection${shown === 1 ? '' : 's'}, newest first`}. Recorded in the access log as record ${body.accessRecord}.`;
  if (body.nextCursor !== null) {
    lastQuery = { ...query, before: body.nextCursor };
    $('search-more').hidden = false;
  }
}

function resultRow(r) {
  const tr = document.createElement('tr');
  const vehicle = [r.vehicleColor, r.vehicleMake, r.vehicleModel, r.vehicleType].filter((x) => x).join(' ');
  const cells = [
    new Date(r.seenAt).toLocaleString(), r.plate, r.state, r.camera, r.agency, `${Math.round(r.confidence * 100)}%`,
    r.lat === null ? '' : `${r.lat.toFixed(5)}, ${r.lon.toFixed(5)}`, vehicle, r.imageRef,
  ];
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text ?? '';
    tr.append(td);
  }
  tr.children[1].className = 'plate-cell';
  return tr;
}

/** A Date as the value of a datetime-local input (local time, minutes). */
function localInput(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
