// Legal holds from the Search view (Policy 471.6: data that is or may become evidence is kept past
// retention): after a search, a user with evidence.hold holds, under a case number and a reason,
// either what the search matched as it was run (its plate or pattern, match and period) or only the
// rows ticked in its results. A hold by the search is narrowed by its cameras as the search was:
// never more than the analyst asked for. Values go into the page as text only.
import { once, post } from './admin.js';
import { formatDateTime } from './clock.js';

const $ = (id) => document.getElementById(id);
let session = null;
/** The search whose results are shown, as it was run (search.js's query); null when none is. */
let searched = null;
/** Bumped at sign-out, so an answer still on its way is dropped, not shown to the next user. */
let holdGeneration = 0;

export function initHolds(s) {
  session = s;
  $('hold-form').addEventListener('submit', once(submitHold));
  $('search-results').addEventListener('change', (event) => {
    const target = event.target;
    if (target.id === 'search-select-all') {
      for (const box of boxes()) box.checked = target.checked;
    } else if (target.name === 'readId') {
      $('search-select-all').checked = boxes().every((box) => box.checked);
    } else {
      return;
    }
    // Ticking rows says what to hold; the user can still choose otherwise.
    if (tickedBoxes().length > 0) $('hold-scope-ticked').checked = true;
    showTicked();
  });
}

/** Clears the hold form for the next user. */
export function resetHolds() {
  withdrawHold();
  $('hold-form').reset();
  for (const id of ['hold-criteria-text', 'hold-criteria-note', 'hold-ticked-text']) $(id).textContent = '';
}

/** The search shown is gone (a new one is on its way): nothing is offered to hold until it answers. */
export function withdrawHold() {
  // A hold still on its way belongs to the search withdrawn: its answer must not land on the next.
  holdGeneration += 1;
  searched = null;
  $('hold').hidden = true;
  $('search-select-all').checked = false;
  for (const id of ['hold-error', 'hold-status']) $(id).textContent = '';
}

/** A search has answered with rows: offers to hold them, for users who may. */
export function offerHold(query) {
  if (!session.may('evidence.hold')) return;
  searched = query;
  const form = $('hold-form');
  form.reset();
  // A fresh form per search: its case number, and a reason that is the hold's own.
  form.elements.caseNumber.value = query.caseNumber ?? '';
  for (const id of ['hold-error', 'hold-status']) $(id).textContent = '';
  const why = criteriaUnavailable(query);
  const byCriteria = $('hold-scope-criteria');
  byCriteria.disabled = why !== null;
  $('hold-criteria-text').textContent = `Everything the search matches: ${describeSearch(query)} (every page, not only the rows shown)`;
  $('hold-criteria-note').hidden = why === null;
  $('hold-criteria-note').textContent = why ?? '';
  (why === null ? byCriteria : $('hold-scope-ticked')).checked = true;
  showTicked();
  $('hold').hidden = false;
}

/** Why the search as run cannot be held as such (the API's hold criteria are narrower), or null. */
function criteriaUnavailable(query) {
  if (query.plate === undefined) return 'The search named no plate, and a hold of every read in a period is refused: tick the rows to hold.';
  return null;
}

function describeSearch(q) {
  const period = `${formatDateTime(q.from)} to ${formatDateTime(q.to)}`;
  if (q.plate === undefined) return `every plate, ${period}`;
  const where = q.cameras === undefined ? '' : `, camera${q.cameras.length === 1 ? '' : 's'} ${q.cameras.join(', ')}`;
  const pattern = /[?*]/.test(q.plate);
  const what = pattern || q.match === 'partial' ? `plates matching ${q.plate}`
    : q.match === 'ocr' ? `plate ${q.plate} and its OCR-equivalents`
    : q.match === 'fuzzy' ? `plate ${q.plate} and plates one character off`
    : `plate ${q.plate}`;
  const others = q.otherReadings === true ? ', also as another reading' : '';
  return `${what}${others}${where}, ${period}`;
}

function boxes() {
  return [...$('search-results').querySelectorAll('tbody input[name="readId"]')];
}

function tickedBoxes() {
  return boxes().filter((box) => box.checked);
}

/** A ticked row as the hold API names a detection: by its key, not its read id alone, which another camera's read may share. */
function detectionOf(box) {
  return { readId: box.value, seenAt: box.dataset.seenAt, plateOcr: box.dataset.plateOcr };
}

function showTicked() {
  const n = tickedBoxes().length;
  $('hold-ticked-text').textContent = `Only the rows ticked in the results (${n} ticked)`;
}

async function submitHold(event) {
  const f = event.target.elements;
  $('hold-error').textContent = '';
  $('hold-status').textContent = '';
  const query = searched;
  if (query === null) return;
  const caseNumber = f.caseNumber.value.trim();
  const reason = f.reason.value.trim();
  if (caseNumber === '' || reason === '') {
    $('hold-error').textContent = 'A hold needs the case number and the reason it is held (Policy 471.6).';
    (caseNumber === '' ? f.caseNumber : f.reason).focus();
    return;
  }
  const scope = f.scope.value;
  // The period of the search: ticked rows lie in it, and the API bounds every hold in time.
  const body = { caseNumber, reason, from: query.from, to: query.to };
  let ticked = [];
  if (scope === 'criteria' && criteriaUnavailable(query) === null) {
    body.plate = query.plate;
    if (query.match !== undefined) body.match = query.match;
    if (query.otherReadings !== undefined) body.otherReadings = query.otherReadings;
    if (query.cameras !== undefined) body.cameras = query.cameras;
  } else if (scope === 'ticked') {
    ticked = tickedBoxes();
    if (ticked.length === 0) {
      $('hold-error').textContent = 'Tick the rows to hold in the results first.';
      return;
    }
    body.detections = ticked.map(detectionOf);
  } else {
    $('hold-error').textContent = 'Choose what to hold.';
    return;
  }
  const generation = holdGeneration;
  const r = await post('/api/evidence/holds', body);
  if (r === null || generation !== holdGeneration) return;
  if (!r.ok) {
    $('hold-error').textContent = `Not held: ${r.message}`;
    return;
  }
  const n = r.body.rowsHeld;
  $('hold-status').textContent = `Hold ${r.body.holdId}: ${n} detection${n === 1 ? '' : 's'} held for case ${caseNumber}. Recorded in the access log.`;
  // Held: untick them, so the next hold does not take them again unseen.
  for (const box of ticked) box.checked = false;
  $('search-select-all').checked = false;
  showTicked();
}
