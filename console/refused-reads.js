// Why cameras' reads were refused, in the Administration view (reads.refused; GET
// /api/refused-reads): for the administrator setting a camera up with its integrator, who may not
// read the refusals with the camera's own credentials. Nothing loads until asked, as each reading
// is on the access log (the reasons quote what cameras sent, plates included). Values go into the
// page as text only: a reason quotes a camera's bytes.
import { fill, once, send } from './admin.js';
import { formatDateTime } from './clock.js';

const $ = (id) => document.getElementById(id);
/** Bumped at sign-out, so an answer still on its way is dropped, not shown to the next user. */
let generation = 0;
/** The messages shown, and the query for the older ones (null: nothing older is left to look through). */
let shown = [];
let olderQuery = null;
let loadingOlder = false;

export function initRefusedReads() {
  $('refused-form').addEventListener('submit', once(submitQuery));
  $('refused-more').addEventListener('click', loadOlder);
}

/** Clears the part for the next user. */
export function resetRefusedReads() {
  generation += 1;
  $('refused-form').reset();
  show([], null);
  for (const id of ['refused-error', 'refused-status']) $(id).textContent = '';
}

async function submitQuery(event) {
  const f = event.target.elements;
  $('refused-error').textContent = '';
  const q = new URLSearchParams();
  for (const name of ['agency', 'camera']) if (f[name].value.trim() !== '') q.set(name, f[name].value.trim());
  $('refused-status').textContent = 'Reading refused reads…';
  const mine = generation;
  const r = await send('GET', `/api/refused-reads?${q}`);
  if (r === null || mine !== generation) return;
  if (!r.ok) {
    show([], null);
    $('refused-status').textContent = '';
    $('refused-error').textContent = `Not read: ${r.message}`;
    return;
  }
  const messages = r.body.messages ?? [];
  show(messages, olderOf(q, r.body.olderThan));
  $('refused-status').textContent = statusText(messages.length, r.body, false);
}

async function loadOlder() {
  if (loadingOlder || olderQuery === null) return;
  loadingOlder = true;
  const button = $('refused-more');
  button.setAttribute('aria-disabled', 'true');
  $('refused-error').textContent = '';
  const mine = generation;
  const q = olderQuery;
  try {
    const r = await send('GET', `/api/refused-reads?${q}`);
    if (r === null || mine !== generation) return;
    if (!r.ok) {
      // The same page can be asked for again: the button stays.
      $('refused-error').textContent = `Not read: ${r.message}`;
      return;
    }
    const before = shown.length;
    const messages = r.body.messages ?? [];
    show([...shown, ...messages], olderOf(q, r.body.olderThan));
    $('refused-status').textContent = statusText(messages.length, r.body, true);
    // The keyboard goes to the first message added (or the status saying none were), not past them.
    const first = $('refused').querySelector('tbody').children[before] ?? $('refused-status');
    first.tabIndex = -1;
    first.focus();
  } finally {
    loadingOlder = false;
    button.removeAttribute('aria-disabled');
  }
}

function olderOf(q, olderThan) {
  if (olderThan === null || olderThan === undefined) return null;
  const older = new URLSearchParams(q);
  older.set('before', String(olderThan));
  return older;
}

function statusText(n, body, older) {
  const kept = body.oldestKept === null ? 'none are kept' : `the oldest kept is from ${formatDateTime(body.oldestKept.refusedAt)}`;
  const found = n === 0
    ? `No ${older ? 'older ' : ''}refused messages match among the ${body.scanned} looked through`
    : `${n} ${older ? 'older ' : ''}refused message${n === 1 ? '' : 's'}${older ? ' added' : ', newest first'}, of ${body.scanned} looked through`;
  const more = olderQuery === null ? '' : ' Older ones are left to look through ("Older refused reads").';
  return `${found} (${kept}).${more} This reading is recorded in the access log.`;
}

function show(messages, older) {
  shown = messages;
  olderQuery = older;
  // The copy's number is the one `platewatch refused-reads` prints (#N) and --before takes.
  fill('refused', messages.map((m) => [formatDateTime(m.refusedAt), m.agency ?? '—', m.camera ?? m.subject, reasonsOf(m), sizeOf(m), `#${m.seq}`]));
  $('refused-more').hidden = older === null;
}

/** Each reason with where in the message it applies: "whole message", "reads 0–4" (a batch's positions). */
function reasonsOf(m) {
  const list = document.createElement('ul');
  list.className = 'plain';
  for (const r of m.refusals) {
    const item = document.createElement('li');
    const whole = r.positions.length === 1 && r.positions[0] === -1;
    item.textContent = `${whole ? 'whole message' : `read${r.positions.length === 1 ? '' : 's'} ${ranges(r.positions)} of the batch`}: ${r.reason}`;
    list.append(item);
  }
  return list;
}

function sizeOf(m) {
  return m.truncated ? `${m.bytes} bytes (only the head kept)` : `${m.bytes} bytes`;
}

/** 0,1,2,3,7 as "0–3, 7": a 1,000-read batch refused whole is one range (bin/verbs/refused-reads.ts prints the same). */
function ranges(positions) {
  const parts = [];
  for (let i = 0; i < positions.length; ) {
    let j = i;
    while (j + 1 < positions.length && positions[j + 1] === positions[j] + 1) j++;
    parts.push(j > i ? `${positions[i]}–${positions[j]}` : String(positions[i]));
    i = j + 1;
  }
  return parts.join(', ');
}
