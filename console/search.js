// The analyst's view: detection search (POST /api/detections/search). The gateway refuses a search
// without a case/incident number or reason and logs every search; the form says so up front and
// shows the gateway's own message when it refuses. Values go into the page as text only. For users
// who may place legal holds, each result row can be ticked and the search is offered to holds.js.
import { setCellText } from './admin.js';
import { imageAddress } from './read-image.js';
import { offerHold, withdrawHold } from './holds.js';
import { formatDateTime, readWallClockInput, wallClockInput, watchWallClockInput } from './clock.js';

const $ = (id) => document.getElementById(id);
let session = null;
/** The last search's body, for "Older results" (the same search, from the cursor on). */
let lastQuery = null;
/** True while a search is on its way: a second submit would show its rows twice. */
let busy = false;
/** Bumped when the user signs out, so an answer still on its way is dropped, not shown to the next user. */
let generation = 0;
/** Whether the user set the time range; until then it is "the last 7 days up to now", now being when they search. */
let rangeEdited = false;
/** The gateway's limits on `cameras` (gateway/request-fields.ts optionalTextList): names and their length. */
const MAX_CAMERAS = 1000;
const MAX_CAMERA_NAME = 200;

export function initSearch(s) {
  session = s;
  defaultRange();
  for (const id of ['search-from', 'search-to']) {
    $(id).addEventListener('input', () => { rangeEdited = true; });
    watchWallClockInput($(id), $(`${id}-note`));
  }
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    // A console stays open through a shift: the default range ends now, not when the page was opened.
    if (!rangeEdited) defaultRange();
    const query = queryFromForm();
    // The results shown are the last search's: they go, whether this one is sent or refused here,
    // so they are not taken for its answer (nor a hold offered on them).
    lastQuery = query;
    $('search-results').querySelector('tbody').replaceChildren();
    $('search-results').hidden = true;
    // A hold is of the search shown: none is offered until this one has answered.
    withdrawHold();
    if (query === null) {
      $('search-status').textContent = '';
      $('search-more').hidden = true;
      return;
    }
    run(query, false);
  });
  $('search-more').addEventListener('click', () => {
    if (!busy && lastQuery?.before !== undefined) run(lastQuery, true);
  });
  // A field the last error was about stops saying it is wrong once it is changed.
  for (const field of [$('search-case'), $('search-reason'), $('search-cameras')]) field.addEventListener('input', () => markInvalid([]));
}

/**
 * The fields the form's error is about (none: every field is fine again): aria-invalid, and
 * described by the error, so a screen reader on the field says what is wrong with it.
 */
function markInvalid(fields) {
  for (const field of [$('search-case'), $('search-reason'), $('search-cameras')]) {
    if (fields.includes(field)) {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', 'search-error');
    } else {
      field.removeAttribute('aria-invalid');
      field.removeAttribute('aria-describedby');
    }
  }
}

/** The view is opened: an untouched range is the last 7 days in the department's zone (known by now). */
export function showSearch() {
  if (!rangeEdited) defaultRange();
}

/** Clears the view for the next user: results, messages, the form and the pager. */
export function resetSearch() {
  generation += 1;
  busy = false;
  lastQuery = null;
  $('search-form').reset();
  rangeEdited = false;
  defaultRange();
  $('search-form').querySelector('button[type="submit"]').removeAttribute('aria-disabled');
  $('search-results').querySelector('tbody').replaceChildren();
  $('search-results').hidden = true;
  $('search-select-col').hidden = true;
  $('search-select-all').checked = false;
  $('search-more').hidden = true;
  $('search-more').removeAttribute('aria-disabled');
  $('search-status').textContent = '';
  $('search-error').textContent = '';
  markInvalid([]);
}

/** The last 7 days up to a minute from now, on the department's wall clock (the fields are read in its zone). */
function defaultRange() {
  const now = Date.now();
  $('search-to').value = wallClockInput(now + 60_000);
  $('search-from').value = wallClockInput(now - 7 * 86_400_000);
  for (const id of ['search-from', 'search-to']) $(`${id}-note`).hidden = true;
}

function queryFromForm() {
  const f = $('search-form').elements;
  $('search-error').textContent = '';
  markInvalid([]);
  const caseNumber = f.caseNumber.value.trim();
  const reason = f.reason.value.trim();
  if (caseNumber === '' && reason === '') {
    $('search-error').textContent = 'State a case or incident number and/or a reason: searches without one are refused (Policy 471.7(e)).';
    markInvalid([f.caseNumber, f.reason]);
    f.caseNumber.focus();
    return null;
  }
  // Wall-clock times in the department's zone, whatever the workstation's (clock.js).
  const from = readWallClockInput(f.from, $('search-from-note'));
  const to = readWallClockInput(f.to, $('search-to-note'));
  if (from === null || to === null) {
    $('search-error').textContent = 'Give the time range to search.';
    return null;
  }
  const query = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  const plate = f.plate.value.trim();
  if (plate !== '') query.plate = plate;
  if (plate !== '' && f.match.value !== '') query.match = f.match.value;
  // The gateway looks in the camera's other readings (its OCR candidates, on which a hit may have
  // been raised) for a whole plate searched exact or OCR-equivalent, unless told not to; fuzzy and
  // partial searches compare the plate as read, and refuse the field.
  if (plate !== '' && !/[?*]/.test(plate) && (f.match.value === '' || f.match.value === 'ocr')) query.otherReadings = f.otherReadings.checked;
  const cameras = f.cameras.value.split(',').map((c) => c.trim()).filter((c) => c !== '');
  const tooLong = cameras.find((c) => c.length > MAX_CAMERA_NAME);
  if (tooLong !== undefined || cameras.length > MAX_CAMERAS) {
    $('search-error').textContent = tooLong !== undefined
      ? `A camera name is at most ${MAX_CAMERA_NAME} characters; "${tooLong.slice(0, 24)}…" has ${tooLong.length}. Separate camera names with commas.`
      : `Name at most ${MAX_CAMERAS} cameras (${cameras.length} given), or none to search every camera.`;
    markInvalid([f.cameras]);
    f.cameras.focus();
    return null;
  }
  if (cameras.length > 0) query.cameras = cameras;
  if (caseNumber !== '') query.caseNumber = caseNumber;
  if (reason !== '') query.reason = reason;
  return query;
}

/** Runs `query`; `older` when it asks for the next page of the results shown. */
async function run(query, older) {
  const token = session.token();
  if (token === null) return session.expired();
  const mine = generation;
  const submit = $('search-form').querySelector('button[type="submit"]');
  // aria-disabled, not disabled (`busy` ignores the clicks): a disabled button would drop the
  // keyboard focus to the page, and the next Tab would start from the top.
  busy = true;
  submit.setAttribute('aria-disabled', 'true');
  $('search-more').setAttribute('aria-disabled', 'true');
  if (!older) $('search-more').hidden = true;
  $('search-error').textContent = '';
  $('search-status').textContent = older ? 'Loading older results…' : 'Searching…';
  let res = null;
  let body = null;
  try {
    res = await fetch('/api/detections/search', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(query) });
    body = await res.json().catch(() => null);
  } catch {
    res = null;
  }
  if (mine !== generation) return;
  busy = false;
  submit.removeAttribute('aria-disabled');
  $('search-more').removeAttribute('aria-disabled');
  if (res?.status === 401) return session.expired();
  if (res === null || !res.ok) {
    const shown = $('search-results').querySelector('tbody').children.length;
    $('search-status').textContent = older ? `${shown} detection${shown === 1 ? '' : 's'} shown; the older ones did not load.` : '';
    $('search-error').textContent = res === null ? 'The gateway cannot be reached. Check the network and try again.'
      : body?.error?.message ?? `The search failed (${res.status}).`;
    // The page that failed can be asked for again: the same cursor, the same button.
    $('search-more').hidden = !older;
    return;
  }
  const tbody = $('search-results').querySelector('tbody');
  const selectable = session.may('evidence.hold');
  $('search-select-col').hidden = !selectable;
  const before = tbody.children.length;
  for (const row of body.rows) tbody.append(resultRow(row, selectable));
  const shown = tbody.children.length;
  $('search-results').hidden = shown === 0;
  const added = older ? `${body.rows.length} older detection${body.rows.length === 1 ? '' : 's'} added. ` : '';
  $('search-status').textContent = `${added}${shown === 0 ? 'No detections found' : `${shown} detection${shown === 1 ? '' : 's'}, newest first`}. Recorded in the access log as record ${body.accessRecord}.`;
  if (body.nextCursor !== null) {
    lastQuery = { ...query, before: body.nextCursor };
    $('search-more').hidden = false;
  } else {
    $('search-more').hidden = true;
  }
  // Rows added unticked: "every read shown" no longer holds.
  if (older && body.rows.length > 0) $('search-select-all').checked = false;
  // "Older results" may be gone now (nothing older), and its rows went in above it: the keyboard goes
  // to the first row it added (or to the status that says none were), not past the rows.
  if (older && (document.activeElement === $('search-more') || document.activeElement === document.body)) {
    const first = tbody.children[before] ?? $('search-status');
    first.tabIndex = -1;
    first.focus();
  }
  if (!older && shown > 0) offerHold(query);
}

/** A result as a table row; `selectable` adds a checkbox carrying the detection's key, for holding it. */
function resultRow(r, selectable) {
  const tr = document.createElement('tr');
  tr.dataset.readId = r.readId;
  if (selectable) {
    const td = document.createElement('td');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = 'readId';
    box.value = r.readId;
    // The detection's key with its read id: a hold of ticked rows names exactly those (another
    // camera's read may share the id).
    box.dataset.seenAt = r.seenAt;
    box.dataset.plateOcr = r.plateOcr;
    box.setAttribute('aria-label', `Select read ${r.readId}`);
    td.append(box);
    tr.append(td);
  }
  const cells = [
    formatDateTime(r.seenAt), r.plate, r.state, r.camera, r.agency, `${Math.round(r.confidence * 100)}%`,
    r.lat === null ? '' : `${r.lat.toFixed(5)}, ${r.lon.toFixed(5)}`, vehicleText(r), r.imageRef,
  ];
  for (const text of cells) {
    const td = document.createElement('td');
    setCellText(td, text ?? '');
    tr.append(td);
  }
  const plateCell = tr.children[selectable ? 2 : 1];
  plateCell.className = 'plate-cell';
  // Found by an alternative reading: the plate shown is what the camera read first, so say which
  // of its other readings is the plate searched for, or the row reads as a wrong match.
  if (r.matchedCandidate != null) {
    const note = document.createElement('span');
    note.className = 'other-reading';
    note.textContent = `matched its other reading ${r.matchedCandidate}`;
    plateCell.append(note);
  }
  // The image reference opens the image, in a new tab, when it is on a host set up for the console.
  const address = imageAddress(r.imageRef);
  const imageCell = tr.lastElementChild;
  if (address !== null && imageCell !== null) {
    const link = document.createElement('a');
    Object.assign(link, { href: address, target: '_blank', rel: 'noopener noreferrer', referrerPolicy: 'no-referrer', textContent: imageCell.textContent });
    link.setAttribute('aria-label', `Image of the read of ${r.plate} (opens in a new tab)`);
    imageCell.replaceChildren(link);
  }
  return tr;
}

/**
 * The vehicle as the camera described it: `white 2019 Toyota Camry, heading 142.5° SE`. A year or a
 * heading the camera did not send is null and left out (a heading of 0 is due north, not missing).
 */
function vehicleText(r) {
  const description = [r.vehicleColor, r.vehicleYear, r.vehicleMake, r.vehicleModel, r.vehicleType].filter((x) => x != null && x !== '').join(' ');
  if (r.heading == null) return description;
  const heading = `heading ${Number(r.heading.toFixed(1))}° ${compassPoint(r.heading)}`;
  return description === '' ? heading : `${description}, ${heading}`;
}

const COMPASS_POINTS = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'];

/** The nearest of the eight compass points to a heading in degrees (0 and 360 are both N). */
function compassPoint(degrees) {
  return COMPASS_POINTS[Math.round(degrees / 45) % 8];
}
