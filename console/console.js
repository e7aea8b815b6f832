// The console: sign in (POST /api/login), then the views the user's roles allow — dispatch (live
// hits over /ws, see gateway/console-protocol.ts for the frames), search with legal holds
// (search.js, holds.js), admin and releases (admin.js, releases.js), evidence packages
// (evidence.js) and the audit (audit.js). Shipped to browsers as is: no build step, no
// dependencies. Every value from the server goes into the page as text, never as markup.
import { initSearch, resetSearch, showSearch } from './search.js';
import { initHolds, resetHolds } from './holds.js';
import { closeRejectDialog, initAdmin, once, resetAdmin, showAdmin } from './admin.js';
import { initReleases, resetReleases, showReleases } from './releases.js';
import { initEvidence, resetEvidence } from './evidence.js';
import { initAudit, resetAudit, showAudit } from './audit.js';
import { initRefusedReads, resetRefusedReads } from './refused-reads.js';
import { dayOf, departmentZone, formatDateTime, formatTimeOfDay, useDepartmentZone } from './clock.js';
import { changeIdleLimit, stopIdleWatch, watchIdle } from './idle-lock.js';
import { chime, setSoundWanted, soundAllowed, soundWanted, watchSound } from './chime.js';
import { closeImageViewer, showReadImage, useImageSources } from './read-image.js';
import { initDisplay } from './display.js';
import { DISPOSITION_LABELS } from './dispositions.js';

const TOKEN_KEY = 'platewatch.token';
const USER_KEY = 'platewatch.user';
/** The signed-in user's id: the approvals compare it with who submitted each change (four eyes). */
const USER_ID_KEY = 'platewatch.userId';
const PERMISSIONS_KEY = 'platewatch.permissions';
/** When the session ends (the login's and GET /api/me's expiresAt), for the warnings before it does. */
const EXPIRES_KEY = 'platewatch.expiresAt';
/** Minutes without input before the console locks, as the gateway says for this user (null: never). */
const IDLE_KEY = 'platewatch.idleLockMinutes';
/** Minutes before the session ends that the user is warned, visibly and through the polite region. */
const EXPIRY_WARNINGS_MIN = [15, 2];
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
/** WebSocket close codes for a session the gateway ended (gateway/console-protocol.ts CLOSE_CODES). */
const SESSION_ENDED = 4401;
const ACCESS_CHANGED = 4403;
const CHECKS = ['plate', 'vehicle', 'status'];
/**
 * The stolen vehicle and plate lists (matcher/config.ts DEFAULT_GENERAL_LISTS); the lists GET
 * /api/hotlists says are general join them once read. A hit on any other list (BOLO, a case list)
 * may be about a wanted person: §471.5(f)(2) asks for a reasonable effort to confirm that person is
 * in the vehicle before a stop, so its card carries that check too, sent as `personVerified`. The
 * gateway asks it by the same rule (matcher/entry.ts needsPersonCheck: DEFAULT_GENERAL_LISTS and
 * the configured general lists are vehicle lists). A list not known here to be a vehicle list (GET
 * /api/hotlists not readable) gets the check: asking too much is safer than too little, and the
 * gateway records an answer it did not ask as not asked.
 */
const VEHICLE_LISTS = new Set(['SVS', 'SFR', 'SLR']);
/** A read older than this when it reached the gateway was delayed on the way (a camera offline, a backlog). */
const DELAYED_READ_MS = 10 * 60_000;
/** A read this far ahead of the gateway's clock comes from a camera whose clock is wrong. */
const CLOCK_AHEAD_MS = 2 * 60_000;
/** Unresolved cards rendered at once; "Show more" adds as many again. Thousands of cards made the console unusable. */
const CARDS_SHOWN_STEP = 200;
/** New hits announced within this window after one are read out together, as one summary. */
const ANNOUNCE_WINDOW_MS = 2000;
/** Every view, in the order of the tabs; a user starts on the first their roles open. */
const VIEWS = ['dispatch', 'search', 'admin', 'releases', 'evidence', 'audit'];

const $ = (id) => document.getElementById(id);

/**
 * hitId → { hit, element, resolved, resolvedOrder, answer, seq, escalatedMinutes, escalatedAt }; the element
 * (null until the card is first rendered) keeps its checkbox state across replays. seq orders the
 * cards, newest (highest) first: a hit heard again in a replay counts as heard anew. resolvedOrder
 * (a count) says which cards were resolved first, a correction counting as resolving anew; answer
 * names the latest disposition shown; escalatedMinutes is set once the hit was escalated, and
 * escalatedAt (a count) says which hits were escalated first.
 */
const shown = new Map();
let heardSoFar = 0;
/** Hits still awaiting a disposition among `shown`, kept as cards change rather than counted each time. */
let unresolvedCount = 0;
/** How many unresolved cards are rendered ("Show more" raises it). */
let cardsShown = CARDS_SHOWN_STEP;
/** Escalations counted, so the bar names the hit escalated first. */
let escalationsSoFar = 0;
let layoutScheduled = false;
let socket = null;
let attempt = 0;
let retryTimer = null;
let resyncing = false;
/**
 * When the socket last heard from the gateway, and how often the gateway says it sends a
 * heartbeat (null until it has: a gateway from before heartbeats is never taken for silent).
 */
let lastHeardAt = 0;
let heartbeatEveryMs = null;
/** Without word for this many heartbeats, the link is taken for dead (dead zone, half-open proxy connection). */
const SILENT_HEARTBEATS = 2.5;

// ---- sign in ---------------------------------------------------------------------------------

/** One sign-in at a time: Enter pressed twice must not open two sessions (and two sockets). */
const signIn = once((event) => sendSignIn(event.target));

/**
 * The credentials the gateway refused are marked invalid and described by its message, so a
 * screen reader on the field says what is wrong; typing in either clears the mark.
 */
function markSignInInvalid(invalid) {
  for (const field of [$('user'), $('password')]) {
    if (invalid) {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', 'sign-in-error');
    } else {
      field.removeAttribute('aria-invalid');
      field.removeAttribute('aria-describedby');
    }
  }
}

async function sendSignIn(form) {
  const user = form.elements.user.value.trim();
  const password = form.elements.password.value;
  $('sign-in-error').textContent = '';
  markSignInInvalid(false);
  let res;
  try {
    res = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
  } catch {
    $('sign-in-error').textContent = 'The gateway cannot be reached. Check the network and try again.';
    return;
  }
  const body = await res.json().catch(() => null);
  if (!res.ok || typeof body?.token !== 'string') {
    $('sign-in-error').textContent = res.status === 404
      ? 'Sign-in is not available on this gateway yet.'
      : body?.error?.message ?? `Sign-in failed (${res.status}).`;
    // A refusal of the credentials (not a gateway that cannot sign anyone in) is about the fields.
    markSignInInvalid(res.status === 400 || res.status === 401 || res.status === 403);
    return;
  }
  form.elements.password.value = '';
  // Back after the session ran out: the same user keeps the page as it was (cards, notes, view);
  // anyone else starts afresh, seeing nothing of the last user's work.
  const newUserId = typeof body.user?.id === 'string' ? body.user.id : user;
  const resuming = resumingUser !== null && resumingUser === newUserId;
  if (resumingUser !== null) {
    const returnTo = resumeFocus;
    endResumePrompt();
    if (!resuming) signOut();
    else resumeFocus = returnTo;
  }
  if (typeof body.expiresAt === 'string') sessionStorage.setItem(EXPIRES_KEY, body.expiresAt);
  rememberIdleLock(body.idleLockMinutes);
  sessionStorage.setItem(TOKEN_KEY, body.token);
  // The login answers with the user as {id, name, roles}; show who is signed in by name.
  sessionStorage.setItem(USER_KEY, displayName(body.user) ?? user);
  sessionStorage.setItem(USER_ID_KEY, typeof body.user?.id === 'string' ? body.user.id : user);
  sessionStorage.setItem(PERMISSIONS_KEY, JSON.stringify(Array.isArray(body.permissions) ? body.permissions : []));
  await showViews({ resuming });
  if (sessionStorage.getItem(TOKEN_KEY) !== body.token) return;
  // The sign-in form (and the field that had focus) is hidden now: the keyboard goes to the view,
  // or back where it was before the session ran out.
  if (resuming && resumeFocus?.isConnected && !resumeFocus.closest('[hidden]')) resumeFocus.focus();
  else focusLanding();
  resumeFocus = null;
}

function permissions() {
  try {
    const p = JSON.parse(sessionStorage.getItem(PERMISSIONS_KEY) ?? '[]');
    return new Set(Array.isArray(p) ? p : []);
  } catch {
    return new Set();
  }
}

/** The views the user's permissions open (the gateway enforces them; this only hides dead ends). */
function availableViews() {
  const may = permissions();
  const views = [];
  if (may.has('hits.view')) views.push('dispatch');
  if (may.has('detections.search')) views.push('search');
  if (may.has('users.view') || may.has('hotlists.view') || may.has('hotlists.submit')) views.push('admin');
  if (may.has('releases.view') || may.has('reports.transparency')) views.push('releases');
  if (may.has('evidence.export')) views.push('evidence');
  if (may.has('audit.read')) views.push('audit');
  return views;
}

async function showViews({ resuming = false } = {}) {
  // Times are shown and read in the department's zone: known before any view shows one.
  const token = sessionStorage.getItem(TOKEN_KEY);
  await learnDepartmentZone(token);
  if (sessionStorage.getItem(TOKEN_KEY) !== token) return;
  $('sign-in').hidden = true;
  $('who').textContent = sessionStorage.getItem(USER_KEY) ?? '';
  $('who').hidden = false;
  $('sign-out').hidden = false;
  const views = availableViews();
  for (const button of $('views').querySelectorAll('button')) button.hidden = !views.includes(button.dataset.view);
  $('views').hidden = views.length < 2;
  $('bar-hits').hidden = !views.includes('dispatch');
  watchExpiry(sessionStorage.getItem(EXPIRES_KEY));
  watchIdle(Number(sessionStorage.getItem(IDLE_KEY) ?? 0), { warn: warnIdle, lock: lockIdle });
  watchSession();
  if (permissions().has('hotlists.view')) watchHotlists();
  if (views.includes('dispatch')) startDispatch();
  else setConnection('idle', 'Signed in');
  if (!resuming) selectView(landingOrder().find((v) => views.includes(v)) ?? null);
}

/**
 * The department's time zone, as GET /api/me names it (config `timeZone`), shown once in the header.
 * Unanswered, the console keeps the zone it has (the workstation's at first) and says so.
 */
async function learnDepartmentZone(token) {
  let timeZone;
  try {
    const res = await fetch('/api/me', { cache: 'no-store', headers: { authorization: `Bearer ${token}` } });
    const me = res.ok ? await res.json().catch(() => null) : null;
    timeZone = me?.timeZone;
    // After a reload the login's answer is gone; the gateway says again when the session ends.
    if (typeof me?.expiresAt === 'string' && sessionStorage.getItem(TOKEN_KEY) === token) sessionStorage.setItem(EXPIRES_KEY, me.expiresAt);
    if (me !== null && sessionStorage.getItem(TOKEN_KEY) === token) rememberIdleLock(me.idleLockMinutes);
    if (me !== null && sessionStorage.getItem(TOKEN_KEY) === token) useImageSources(me.images);
  } catch {
    // Unreachable: the header says the zone is the workstation's; the views say the gateway is not answering.
  }
  const known = useDepartmentZone(timeZone);
  $('time-zone').textContent = known ? `Times: ${departmentZone()}`
    : `Times: ${departmentZone()} (this workstation's zone: the gateway did not say the department's)`;
  $('time-zone').hidden = false;
  for (const el of document.querySelectorAll('.department-zone')) el.textContent = departmentZone();
}

/** Focus on the heading of the view shown (or on the message that there is none). */
function focusLanding() {
  const view = VIEWS.find((name) => !$(name).hidden);
  const target = view === undefined ? $('no-view') : $(`${view}-title`);
  target.tabIndex = -1;
  target.focus();
}

/**
 * The view a user lands on: the one their main work needs. An auditor may also read the users and
 * the releases, but comes for the audit; the buttons keep VIEWS' order.
 */
const LANDING_ORDER = ['dispatch', 'search', 'audit', 'admin', 'releases', 'evidence'];

/**
 * LANDING_ORDER for this user: one who sees hits but records no disposition (an analyst) comes for
 * the search, and lands there, with the hits one click away.
 */
function landingOrder() {
  if (permissions().has('hits.dispose')) return LANDING_ORDER;
  return ['search', ...LANDING_ORDER.filter((v) => v !== 'search')];
}

// ---- hot list staleness (Policy 471.5(f)(4): general lists are downloaded at least daily) -------

const STALE_CHECK_MS = 5 * 60_000;
let staleTimer = null;

async function watchHotlists() {
  clearTimeout(staleTimer);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token === null) return;
  let lists = null;
  try {
    const res = await fetch('/api/hotlists', { headers: { authorization: `Bearer ${token}` } });
    if (res.ok) lists = (await res.json()).lists ?? [];
  } catch {
    // The connection status already says the gateway is unreachable; check again later.
  }
  // Signed out meanwhile: the answer is the last user's (a covert list they may see, the next may
  // not), and the next user's sign-in has started its own check if their roles allow one.
  if (sessionStorage.getItem(TOKEN_KEY) !== token) return;
  if (lists !== null) {
    showStaleness(lists);
    for (const l of lists) if (l.kind === 'general') generalLists.add(l.list);
  }
  staleTimer = setTimeout(watchHotlists, STALE_CHECK_MS);
}

/** Rewritten only when it changes: a role=alert rewritten every check is read out again all shift. */
function showStaleness(lists) {
  const stale = lists.filter((l) => l.stale);
  const el = $('stale-alarm');
  const text = stale.length === 0 ? '' : `Stale hot list${stale.length === 1 ? '' : 's'}: ${stale.map((l) => (l.loadedAt === null ? `${l.list} (never loaded)` : `${l.list} (loaded ${Math.round(l.ageSeconds / 3600)} h ago)`)).join(', ')}. Hits against ${stale.length === 1 ? 'it' : 'them'} may be missing or out of date; the daily download did not arrive.`;
  if (el.textContent !== text) el.textContent = text;
  el.hidden = text === '';
}

function selectView(view) {
  for (const name of VIEWS) {
    $(name).hidden = name !== view;
    const button = $('views').querySelector(`button[data-view="${name}"]`);
    button.setAttribute('aria-current', name === view ? 'page' : 'false');
  }
  if (view === 'search') showSearch();
  if (view === 'admin') showAdmin();
  if (view === 'releases') showReleases();
  if (view === 'audit') showAudit();
  noticeSeen();
  // Shown outside every view (they are all hidden then), so the user is not left with an empty page.
  $('no-view').hidden = view !== null;
  $('no-view').textContent = view !== null ? ''
    : 'Your roles give you no console view. Ask the ALPR administrator for the role your work needs.';
}

function displayName(u) {
  if (typeof u === 'string') return u;
  if (typeof u?.name === 'string' && u.name !== '') return typeof u.id === 'string' && u.id !== u.name ? `${u.name} (${u.id})` : u.name;
  return undefined;
}

/** Ends the session on the gateway too (best effort: the token may already be gone). */
function logOut() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token !== null) fetch('/api/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } }).catch(() => {});
  signOut();
}

/**
 * The session ended: one that ran out (its expiresAt has come) leaves the page as it is under a
 * sign-in prompt, and answers true; any other end (signed out elsewhere, disabled, access changed)
 * signs out with `message`.
 */
function endSession(message) {
  const at = Date.parse(sessionStorage.getItem(EXPIRES_KEY) ?? '');
  if (resumingUser === null && !(Number.isFinite(at) && Date.now() >= at - 5_000)) {
    signOut(message);
    return false;
  }
  promptResume(`Your session has ended. Sign in again as ${sessionStorage.getItem(USER_ID_KEY) ?? ''} to carry on: the hits and notes on this page stay.`);
  return true;
}

/** Whose session ran out, while the sign-in prompt is over the page; null otherwise. */
let resumingUser = null;
/** What had the keyboard when the session ran out: it goes back there once the user is in again. */
let resumeFocus = null;

function promptResume(message) {
  if (resumingUser !== null) return;
  resumingUser = sessionStorage.getItem(USER_ID_KEY) ?? '';
  resumeFocus = document.activeElement;
  sessionStorage.removeItem(TOKEN_KEY);
  clearTimeout(staleTimer);
  clearTimeout(retryTimer);
  watchExpiry(null);
  stopIdleWatch();
  warnIdle(null);
  clearTimeout(sessionTimer);
  if (socket !== null) {
    const s = socket;
    socket = null;
    s.close(1000, 'session ran out');
  }
  setConnection('signed-out', 'Session ended');
  // A dialog open over the page would stay on top of the prompt: a read's image in sight of whoever
  // comes to the workstation, or a rejection half written.
  closeImageViewer();
  closeRejectDialog();
  for (const el of [document.querySelector('.bar'), ...VIEWS.map($), $('no-view')]) el.inert = true;
  const prompt = $('sign-in');
  prompt.classList.add('resume');
  prompt.setAttribute('role', 'dialog');
  prompt.setAttribute('aria-modal', 'true');
  prompt.hidden = false;
  $('sign-in-error').textContent = message;
  $('resume-sign-out').hidden = false;
  $('resume-display').hidden = false;
  $('user').value = resumingUser;
  $('password').value = '';
  $('password').focus();
}

function endResumePrompt() {
  resumingUser = null;
  resumeFocus = null;
  for (const el of [document.querySelector('.bar'), ...VIEWS.map($), $('no-view')]) el.inert = false;
  const prompt = $('sign-in');
  prompt.classList.remove('resume');
  prompt.removeAttribute('role');
  prompt.removeAttribute('aria-modal');
  $('resume-sign-out').hidden = true;
  $('resume-display').hidden = true;
}

function signOut(message = '') {
  if (resumingUser !== null) endResumePrompt();
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
  sessionStorage.removeItem(USER_ID_KEY);
  sessionStorage.removeItem(PERMISSIONS_KEY);
  clearTimeout(staleTimer);
  showStaleness([]);
  clearTimeout(retryTimer);
  if (socket !== null) {
    const s = socket;
    socket = null;
    s.close(1000, 'signed out');
  }
  for (const { element } of shown.values()) element?.remove();
  shown.clear();
  generalLists.clear();
  unresolvedCount = 0;
  cardsShown = CARDS_SHOWN_STEP;
  unseen.clear();
  newAbove.clear();
  pendingDispositions.clear();
  silenceAnnouncements();
  watchExpiry(null);
  sessionStorage.removeItem(EXPIRES_KEY);
  stopIdleWatch();
  warnIdle(null);
  clearTimeout(sessionTimer);
  sessionStorage.removeItem(IDLE_KEY);
  useImageSources(null);
  closeImageViewer();
  markSignInInvalid(false);
  layoutCards();
  notice('');
  showEscalations();
  replayOmitted(0);
  // The next person at this workstation sees nothing of this user's searches or forms.
  resetSearch();
  resetHolds();
  resetAdmin();
  resetRefusedReads();
  resetReleases();
  resetEvidence();
  resetAudit();
  setConnection('signed-out', 'Signed out');
  // A shared workstation: hidden is not enough, a screen reader or the next user could still read
  // who was signed in, the last hit announced, or find their user id filled in.
  $('who').textContent = '';
  $('who').hidden = true;
  $('time-zone').hidden = true;
  $('user').value = '';
  $('password').value = '';
  $('sign-out').hidden = true;
  for (const view of VIEWS) $(view).hidden = true;
  $('views').hidden = true;
  $('bar-hits').hidden = true;
  $('no-view').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  $('user').focus();
}

// ---- session expiry ----------------------------------------------------------------------------

let expiryTimers = [];

/**
 * Warns EXPIRY_WARNINGS_MIN before the session ends (`expiresAt`, ISO; null: no warnings): the
 * gateway then closes it, and signing out clears the cards with any notes typed on them. A mark
 * already passed (the page loaded late in the session) warns at once.
 */
function watchExpiry(expiresAt) {
  for (const timer of expiryTimers) clearTimeout(timer);
  expiryTimers = [];
  $('session-warning').hidden = true;
  $('session-warning').textContent = '';
  const at = Date.parse(expiresAt ?? '');
  if (!Number.isFinite(at)) return;
  const now = Date.now();
  const marks = EXPIRY_WARNINGS_MIN.map((minutes) => at - minutes * 60_000);
  if (marks.some((mark) => mark <= now) && at > now) warnExpiry(at);
  for (const mark of marks) if (mark > now) expiryTimers.push(setTimeout(() => warnExpiry(at), mark - now));
  // At its end the prompt goes over the page at once, not when the gateway next checks the session.
  expiryTimers.push(setTimeout(() => endSession(''), Math.max(0, at - now)));
}

function warnExpiry(at) {
  const minutes = Math.max(1, Math.ceil((at - Date.now()) / 60_000));
  const text = `Your session ends in ${minutes} minute${minutes === 1 ? '' : 's'}, at ${formatTime(at)}. Signing in again then keeps your place.`;
  $('session-warning').textContent = text;
  $('session-warning').hidden = false;
  announce(text);
}

// ---- idle lock (gateway/idle-lock.ts) ---------------------------------------------------------

/** How often the console asks GET /api/me again while signed in. */
const SESSION_REFRESH_MS = 5 * 60_000;
let sessionTimer = null;

function watchSession() {
  clearTimeout(sessionTimer);
  sessionTimer = setTimeout(refreshSession, SESSION_REFRESH_MS);
}

/**
 * What the gateway says of the session now: a role given or taken while signed in changes the idle
 * minutes (an analyst who was also a dispatcher, and is no longer, locks again), and the expiry.
 * The idle minutes were read only at sign-in, so such a console stayed unlocked all shift (QA).
 */
async function refreshSession() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token === null) return;
  try {
    const res = await fetch('/api/me', { cache: 'no-store', headers: { authorization: `Bearer ${token}` } });
    const me = res.ok ? await res.json().catch(() => null) : null;
    if (me !== null && sessionStorage.getItem(TOKEN_KEY) === token) {
      if (typeof me.expiresAt === 'string' && me.expiresAt !== sessionStorage.getItem(EXPIRES_KEY)) {
        sessionStorage.setItem(EXPIRES_KEY, me.expiresAt);
        watchExpiry(me.expiresAt);
      }
      rememberIdleLock(me.idleLockMinutes);
      changeIdleLimit(Number(sessionStorage.getItem(IDLE_KEY) ?? 0), { warn: warnIdle, lock: lockIdle });
    }
  } catch {
    // Unreachable: the connection status says so; ask again at the next turn.
  }
  if (sessionStorage.getItem(TOKEN_KEY) === token) watchSession();
}

function rememberIdleLock(minutes) {
  if (typeof minutes === 'number' && minutes > 0) sessionStorage.setItem(IDLE_KEY, String(minutes));
  else sessionStorage.removeItem(IDLE_KEY);
}

/** A minute before the lock (`lockAt`), or null: input came, or the lock or a sign-out did. */
function warnIdle(lockAt) {
  const el = $('idle-warning');
  if (lockAt === null) {
    el.hidden = true;
    el.textContent = '';
    return;
  }
  const text = `No keyboard, mouse or touch input for a while: this console locks at ${formatTime(lockAt)}. Press a key, move the mouse or touch the screen to stay signed in.`;
  el.textContent = text;
  el.hidden = false;
  announce(text);
}

/** Ends the session on the gateway, so the token is no use to anyone, and hides the page under the sign-in prompt. */
function lockIdle(minutes) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token === null) return;
  // The reason tells the access log a lock from a sign-out.
  fetch('/api/logout', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'idle_lock' }) }).catch(() => {});
  const user = sessionStorage.getItem(USER_ID_KEY) ?? '';
  promptResume(`This console locked after ${minutes} minute${minutes === 1 ? '' : 's'} without input, and your session was ended. Sign in again as ${user} to carry on: the page stays as it was.`);
}

function startDispatch() {
  attempt = 0;
  if (answersHits()) watchSound(showSound);
  else showSound();
  connect();
}

/**
 * The alert calls someone to answer a hit: users who record no dispositions (an analyst, who sees
 * hits one click from Search) hear nothing and are offered no Alert sound button.
 */
function answersHits() {
  return permissions().has('hits.dispose');
}

/** Sounds `kind` for a user who answers hits (chime.js: unless turned off or held back). */
function alertSound(kind) {
  if (answersHits()) chime(kind);
}

/** The Alert sound button: on or off for this workstation, and whether the browser still holds sound back. */
function showSound() {
  const wanted = soundWanted();
  const button = $('sound');
  // Also called when the browser lets sound through, which may be after the next user signed in.
  button.hidden = !answersHits();
  button.setAttribute('aria-pressed', String(wanted));
  button.textContent = `Alert sound: ${wanted ? 'on' : 'off'}`;
  $('sound-blocked').hidden = button.hidden || !wanted || soundAllowed();
}

// ---- connection ------------------------------------------------------------------------------

function setConnection(state, text) {
  const el = $('connection');
  el.dataset.state = state;
  el.textContent = text;
}

function notice(text) {
  const el = $('notice');
  el.textContent = text;
  el.hidden = text === '';
}

/**
 * The escalated hits still unresolved, in a row of the bar: in sight on every view and wherever the
 * page is scrolled (it sat above the cards and scrolled away with them, and kept naming a hit long
 * resolved). "Show the hit" brings up the one escalated first.
 */
function showEscalations() {
  const waiting = escalatedWaiting();
  $('escalation-notice').hidden = waiting.length === 0;
  const first = waiting[0];
  if (first === undefined) {
    $('escalation-text').textContent = '';
    return;
  }
  const { hit, read } = first.hit;
  const which = `hit ${hit.plate} (${hit.list}, camera ${read.camera}), unresolved since ${formatTime(first.hit.publishedAt)}`;
  const text = waiting.length === 1 ? `Escalated to supervisors: ${which}.` : `${waiting.length} hits escalated to supervisors are unresolved; the first: ${which}.`;
  if ($('escalation-text').textContent !== text) $('escalation-text').textContent = text;
}

/**
 * What covers the top of the screen, as CSS variables: `--covered-top`, the sticky bar's height
 * (or, where the bar scrolls away, the alert rows fixed at the top), which a card brought into view
 * keeps clear of (QA: "Show the hit" left the plate under the bar); and `--fixed-alerts`, the
 * height of those fixed rows, which the page starts below so they never lie over the bar (QA: on a
 * phone an escalation hid the view buttons and Sign out).
 */
function watchCoveredTop() {
  const bar = $('views').closest('.bar');
  const alerts = bar.querySelector('.bar-alerts');
  const measure = () => {
    const fixed = getComputedStyle(alerts).position === 'fixed' ? alerts.offsetHeight : 0;
    const covered = getComputedStyle(bar).position === 'sticky' ? bar.offsetHeight : fixed;
    document.documentElement.style.setProperty('--covered-top', `${covered}px`);
    document.documentElement.style.setProperty('--fixed-alerts', `${fixed}px`);
  };
  new ResizeObserver(measure).observe(bar);
  new ResizeObserver(measure).observe(alerts);
  window.addEventListener('resize', measure);
  measure();
}

/** Unresolved hits escalated to supervisors, in the order they were escalated. */
function escalatedWaiting() {
  return [...shown.values()].filter((entry) => entry.escalatedAt !== undefined && !entry.resolved).sort((a, b) => a.escalatedAt - b.escalatedAt);
}

$('escalation-show').addEventListener('click', () => {
  const entry = escalatedWaiting()[0];
  if (entry === undefined) return;
  selectView('dispatch');
  // Behind "Show more": laid out with every newer hit, as "Show more" would.
  while (entry.element === null && cardsShown < unresolvedCount) {
    cardsShown += CARDS_SHOWN_STEP;
    layoutCards();
  }
  if (entry.element === null) return;
  entry.element.scrollIntoView({ block: 'start' });
  // Not scrolled again by the focus: a card taller than the screen (a phone) would be moved to put
  // its plate back under the alert rows fixed at the top (QA).
  focusOn(entry.element.querySelector('article'), { preventScroll: true });
});

function connect() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token === null) return signOut();
  setConnection('connecting', attempt === 0 ? 'Connecting…' : `Reconnecting (attempt ${attempt + 1})…`);
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${location.host}/ws`;
  // The token rides as a subprotocol, not in the URL, so it stays out of proxy access logs; only a
  // token with characters a subprotocol cannot carry goes in the query string.
  const ws = /^[\w.~-]+$/.test(token)
    ? new WebSocket(url, ['platewatch', `bearer.${token}`])
    : new WebSocket(`${url}?token=${encodeURIComponent(token)}`, ['platewatch']);
  socket = ws;
  heartbeatEveryMs = null;
  let opened = false;
  ws.onopen = () => {
    opened = true;
    lastHeardAt = performance.now();
    setConnection('subscribing', 'Connected, loading hits…');
    ws.send(JSON.stringify({ type: 'subscribe', filter: {} }));
  };
  ws.onmessage = (event) => {
    if (socket !== ws) return;
    lastHeardAt = performance.now();
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    onFrame(frame);
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    socket = null;
    // The gateway ended the session (signed out elsewhere, expired, password changed, account
    // disabled, training lapsed) or the roles no longer allow live hits: retrying cannot help.
    if (event.code === SESSION_ENDED || event.code === ACCESS_CHANGED) {
      const reason = event.reason || (event.code === SESSION_ENDED ? 'session ended' : 'access changed');
      if (event.code === SESSION_ENDED) return endSession(`${reason.charAt(0).toUpperCase()}${reason.slice(1)}. Sign in again.`);
      return signOut(`${reason.charAt(0).toUpperCase()}${reason.slice(1)}. Sign in again.`);
    }
    if (opened) attempt = 0;
    const why = event.code === 4008 ? 'this console fell too far behind'
      : event.code === 1001 ? 'the gateway is restarting'
      : event.reason || 'connection lost';
    scheduleReconnect(why, opened);
  };
}

/**
 * Leaves a socket that cannot be trusted any more and connects again. A link that stops passing
 * data without closing (a patrol car in a dead zone) would otherwise show "Live" while no hit
 * arrives, and its close would take minutes to come (found by QA).
 */
function abandonSocket(why) {
  const ws = socket;
  if (ws === null) return;
  socket = null;
  ws.close(1000, 'abandoned');
  attempt = 0;
  scheduleReconnect(why, true);
}

/** Checked every second: the gateway's heartbeats stopped coming. */
function checkHeard() {
  if (socket === null || heartbeatEveryMs === null || socket.readyState !== WebSocket.OPEN) return;
  const limit = heartbeatEveryMs * SILENT_HEARTBEATS;
  if (performance.now() - lastHeardAt > limit) abandonSocket(`no word from the gateway for ${Math.round(limit / 1000)} s`);
}
setInterval(checkHeard, 1000);
// The browser knows first when the network goes: no need to wait for the heartbeats to stop.
window.addEventListener('offline', () => abandonSocket('this computer lost its network connection'));
window.addEventListener('online', () => {
  // Waiting to retry after a lost connection: try now.
  if (socket === null && retryTimer !== null && sessionStorage.getItem(TOKEN_KEY) !== null && resumingUser === null) {
    clearTimeout(retryTimer);
    retryTimer = null;
    connect();
  }
});

async function scheduleReconnect(why, wasOpen) {
  // A browser cannot see the HTTP status of a refused upgrade, so the gateway is asked who the
  // token belongs to. Only its own refusal of the session signs out: an answer from a reverse proxy
  // while the gateway restarts (502, 503, 504), no answer, or anything else unclear is retried, or
  // a restart behind nginx would sign every dispatcher out.
  if (!wasOpen && attempt >= 1) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const verdict = await sessionVerdict(token);
    // Signed out (or in again) meanwhile: this reconnection is no longer this session's.
    if (sessionStorage.getItem(TOKEN_KEY) !== token || socket !== null) return;
    if (verdict === 'refused') return endSession('Your session was refused (expired or signed out elsewhere). Sign in again.');
    if (verdict === 'no-live-hits') return signOut('Access changed: your roles no longer include live hits. Sign in again.');
  }
  const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] * (0.8 + Math.random() * 0.4);
  attempt += 1;
  setConnection('offline', `Offline: ${why}. Retrying in ${Math.round(delay / 1000)} s`);
  retryTimer = setTimeout(connect, delay);
}

/**
 * What the gateway says of the session (GET /api/me): 'refused' only on its 401 with its own error
 * code, 'no-live-hits' when it answers for the session without hits.view, else 'unknown'.
 */
async function sessionVerdict(token) {
  if (token === null) return 'refused';
  let res;
  try {
    res = await fetch('/api/me', { cache: 'no-store', headers: { authorization: `Bearer ${token}` } });
  } catch {
    return 'unknown';
  }
  const body = await res.json().catch(() => null);
  if (res.status === 401 && (body?.error?.code === 'BAD_SESSION' || body?.error?.code === 'NO_SESSION')) return 'refused';
  if (res.ok && Array.isArray(body?.permissions) && body.user !== undefined && !body.permissions.includes('hits.view')) return 'no-live-hits';
  return 'unknown';
}

function onFrame(frame) {
  switch (frame.type) {
    case 'replay':
      applyReplay(frame);
      setConnection('live', 'Live');
      break;
    case 'hit':
      addHit(frame, true);
      break;
    case 'resync':
      resyncing = true;
      notice(`This console fell behind and missed ${frame.dropped} update${frame.dropped === 1 ? '' : 's'} (${frame.reason}); the list below has been reloaded.`);
      break;
    case 'disposition':
      // This console's own answer, still on its way back: the reply announces it (the frame and the
      // reply arrive 30–80 ms apart, in either order).
      applyDisposition(frame, { announce: !pendingDispositions.has(frame.hitId) });
      break;
    case 'escalation':
      applyEscalation(frame);
      break;
    case 'error':
      notice(`Gateway: ${frame.message}`);
      break;
    case 'heartbeat':
      if (Number.isFinite(frame.everyMs) && frame.everyMs > 0) heartbeatEveryMs = frame.everyMs;
      break;
  }
}

// ---- hits ------------------------------------------------------------------------------------

/**
 * The replay is every unresolved hit the gateway still holds (up to its size cap: `omitted` says
 * how many older ones it left out): it replaces what is shown, except hits this console saw
 * resolved, which stay with their disposition on them. `escalated` names the replayed hits already
 * escalated to supervisors, flagged as an escalation frame flags them.
 */
function applyReplay({ hits, omitted, escalated }) {
  const keep = new Set(hits.map((h) => h.hitId));
  for (const [id, entry] of shown) {
    if (!keep.has(id) && !entry.resolved) forget(id, entry);
  }
  const ordered = [...hits].sort((a, b) => a.publishedAt - b.publishedAt);
  for (const hit of ordered) addHit(hit, false);
  for (const id of Array.isArray(escalated) ? escalated : []) {
    const entry = shown.get(id);
    if (entry === undefined || entry.resolved) continue;
    flagEscalated(entry, Math.max(1, Math.round((Date.now() - entry.hit.publishedAt) / 60_000)));
  }
  // Once for the whole replay: the row looks through every hit shown, and a restarted gateway may
  // replay thousands of hits with hundreds of them overdue.
  showEscalations();
  const left = typeof omitted === 'number' && omitted > 0 ? omitted : 0;
  replayOmitted(left);
  const n = hits.length;
  // How many are escalated is the bar's escalation row's to say: it follows every escalation and
  // answer, where a count here went stale beside it (QA: "2 of them" under a row saying 3).
  if (resyncing) resyncing = false;
  else if (left > 0) notice(`Loaded the ${n} newest unresolved hit${n === 1 ? '' : 's'} from the recent window; ${left} older ${left === 1 ? 'is' : 'are'} not shown.`);
  else if (n > 0) notice(`Loaded ${n} unresolved hit${n === 1 ? '' : 's'} from the recent window.`);
}

/** The warning that the replay left older unresolved hits out (none: hidden). */
function replayOmitted(n) {
  const el = $('replay-omitted');
  el.hidden = n === 0;
  el.textContent = n === 0 ? ''
    : `${n} older unresolved hit${n === 1 ? ' was' : 's were'} not loaded: the gateway sends at most 8 MiB of hits when a console connects. ${n === 1 ? 'It is' : 'They are'} still unresolved. Reload the page once the hits shown are dealt with, or ask a supervisor to review the unresolved hits.`;
}

function addHit(message, live) {
  const known = shown.get(message.hitId);
  if (known !== undefined) {
    known.seq = ++heardSoFar;
    scheduleLayout();
    return;
  }
  shown.set(message.hitId, { hit: message, element: null, resolved: false, seq: ++heardSoFar, live });
  unresolvedCount++;
  if (live) {
    const { hit } = message;
    const listed = [hit.list, hit.reason].filter((part) => part).join(' ');
    announce(`${message.historical ? 'Past sighting, not live' : 'New hit'}: ${spell(hit.plate)}, ${listed}, ${hit.kind} match${needsCare(message).length > 0 ? ', verify carefully' : ''}.`, { urgent: true, hit: true });
    alertSound('hit');
    if (!isLooking()) unseen.add(message.hitId);
    // Typing in a card lower down, the browser keeps that card in place: the new one lands above the screen.
    else if (!listTopInView()) newAbove.add(message.hitId);
  }
  scheduleLayout();
}

/** Takes a hit off this console (its card too); the count follows. */
function forget(id, entry) {
  entry.element?.remove();
  shown.delete(id);
  unseen.delete(id);
  newAbove.delete(id);
  if (!entry.resolved) unresolvedCount--;
  if (entry.escalatedAt !== undefined) showEscalations();
  scheduleLayout();
}

// Everything the console says goes through announce(): written straight into a region, a message
// would replace one still waiting to be read. New hits (and escalations) go to the assertive
// region, the rest (resolutions, warnings, what a button did) to the polite one; both sit outside
// the views, so they are heard whichever view is open. Each region takes one message per
// ANNOUNCE_WINDOW_MS: what comes meanwhile waits and is said together, a burst of hits (a camera
// catching up, a list loaded) as one summary, so a screen reader is not kept talking for minutes.
const channels = {
  urgent: { id: 'announcer', timer: null, hits: [], texts: [] },
  polite: { id: 'announcer-polite', timer: null, hits: [], texts: [] },
};

function announce(text, { urgent = false, hit = false } = {}) {
  const channel = urgent ? channels.urgent : channels.polite;
  if (channel.timer === null) return say(channel, text);
  if (hit) channel.hits.push(text);
  else if (!channel.texts.includes(text)) channel.texts.push(text);
}

function say(channel, text) {
  $(channel.id).textContent = text;
  channel.timer = setTimeout(() => flushAnnouncements(channel), ANNOUNCE_WINDOW_MS);
}

function flushAnnouncements(channel) {
  const { hits, texts } = channel;
  channel.hits = [];
  channel.texts = [];
  channel.timer = null;
  const summary = hits.length === 0 ? [] : [hits.length === 1 ? hits[0] : `${hits.length} more new hits. The newest: ${hits[hits.length - 1]}`];
  const parts = [...summary, ...texts];
  if (parts.length > 0) say(channel, parts.join(' '));
}

/** Nothing more is said, and nothing said stays readable (a shared workstation: the next user). */
function silenceAnnouncements() {
  for (const channel of Object.values(channels)) {
    clearTimeout(channel.timer);
    channel.timer = null;
    channel.hits = [];
    channel.texts = [];
    $(channel.id).textContent = '';
  }
}

// ---- attention: new hits not yet looked at ------------------------------------------------------

/** Live hits that arrived while the user was not looking at Dispatch (another view, another tab), still unresolved. */
const unseen = new Set();
/** Live hits that arrived on Dispatch above the screen (the user scrolled down to a card), still unresolved. */
const newAbove = new Set();

/** The user looks at the hits: Dispatch is the view shown and the page is visible. */
function isLooking() {
  return !$('dispatch').hidden && document.visibilityState === 'visible';
}

/**
 * Whether the top of the list (where the newest card goes) is on screen, below the bar when it
 * sticks. On a narrow screen the bar scrolls away with the page, and measuring from its bottom
 * took the list for on screen wherever it was: "new hits ↑" never showed on a phone (QA).
 */
function listTopInView() {
  const top = $('hits').getBoundingClientRect().top;
  const bar = $('views').closest('.bar');
  const barBottom = getComputedStyle(bar).position === 'sticky' ? bar.getBoundingClientRect().bottom : 0;
  return top >= barBottom - 1 && top < window.innerHeight;
}

// ---- cards that stay put under the finger -------------------------------------------------------

/**
 * A card that moved on screen, or went in where another was, is marked `just-moved` this long: a
 * tap on it meanwhile may have been aimed at what was there before. QA tapped a button 150 ms after
 * a hit arrived and recorded "Misread" on the new hit, unseen, which clears it on every console.
 */
const MOVED_TAP_MS = 1000;
/** The card last pressed (pointer down), and when: it is held in place while new hits go in above it. */
let pressed = { card: null, at: -Infinity };
const PRESS_HOLDS_MS = 4000;

/** The card the user is working on: one with a control focused, or pressed a moment ago. */
function cardInUse() {
  const focused = document.activeElement?.closest?.('#hits > li');
  if (focused && !focused.classList.contains('resolved') && document.activeElement.matches('input, textarea, button, select')) return focused;
  if (pressed.card?.isConnected && performance.now() - pressed.at < PRESS_HOLDS_MS) return pressed.card;
  return null;
}

/** The tops of the cards on screen, to see afterwards whether any moved. */
function cardTopsOnScreen() {
  const tops = new Map();
  for (const li of $('hits').children) {
    const { top, bottom } = li.getBoundingClientRect();
    if (top >= window.innerHeight) break;
    if (bottom > 0) tops.set(li, top);
  }
  return tops;
}

/** Marks what moved (or appeared) under a finger (see MOVED_TAP_MS), each for that long after its latest move. */
function markMoved(elements) {
  for (const el of elements) {
    el.classList.add('just-moved');
    clearTimeout(el.movedTimer);
    el.movedTimer = setTimeout(() => el.classList.remove('just-moved'), MOVED_TAP_MS);
  }
}

/**
 * A click or tap (a key's is always taken) on a control of a card that just moved is not taken,
 * and the card says so: boxes too, not only the answers, as a box ticked on the wrong card holds
 * that card in place for the rest of the answer (QA).
 */
function refuseTapsOnMovedCards(event) {
  const li = event.target.closest('#hits > li');
  if (li === null || event.detail === 0 || !li.classList.contains('just-moved')) return;
  if (event.target.closest('button, input, label, select, textarea') === null) return;
  event.preventDefault();
  event.stopPropagation();
  li.querySelector('.disposition-error').textContent = 'Not taken: a new hit moved the cards as you tapped. Check this card, then tap again.';
}

/** The user looks at Dispatch (again): the hits that arrived meanwhile count as seen. */
function noticeSeen() {
  if (isLooking()) unseen.clear();
  if (!$('dispatch').hidden && newAbove.size > 0 && listTopInView()) newAbove.clear();
  showAttention();
}

/** The count of new hits in the title, on the Dispatch tab and on the "new hits ↑" button. */
function showAttention() {
  const n = unseen.size;
  document.title = n === 0 ? 'platewatch' : `(${n}) platewatch`;
  const badge = $('dispatch-new');
  badge.hidden = n === 0;
  badge.textContent = n === 0 ? '' : `${n} new`;
  const above = newAbove.size;
  const jump = $('jump-new');
  const wasHidden = jump.hidden;
  jump.hidden = above === 0 || $('dispatch').hidden;
  // It appears over what was under the finger: a tap on it this soon was not aimed at it.
  if (wasHidden && !jump.hidden) markMoved([jump]);
  jump.textContent = above === 0 ? '' : `${above} new hit${above === 1 ? '' : 's'} ↑`;
  $('bar-hit-count').textContent = String(unresolvedCount);
}

/** Cards and counts follow `shown` once per batch (a replay, a run of frames), not once per hit. */
function scheduleLayout() {
  if (layoutScheduled) return;
  layoutScheduled = true;
  queueMicrotask(layoutCards);
}

/**
 * Renders the newest `cardsShown` unresolved hits and the resolved cards kept, newest first, moving
 * only what changed; a card the keyboard is on stays. The rest wait behind "Show more": the count
 * says how many hits there are, rendered or not.
 */
function layoutCards() {
  layoutScheduled = false;
  const list = $('hits');
  const entries = [...shown.values()].sort((a, b) => b.seq - a.seq);
  const wanted = [];
  const added = [];
  let unresolvedRendered = 0;
  for (const entry of entries) {
    const focused = entry.element !== null && entry.element.contains(document.activeElement);
    if (!entry.resolved) {
      if (unresolvedRendered >= cardsShown && !focused) continue;
      unresolvedRendered++;
    } else if (entry.element === null) {
      continue;
    }
    if (entry.element === null) {
      entry.element = renderHit(entry);
      added.push(entry);
    }
    wanted.push(entry.element);
  }
  const inUse = cardInUse();
  const inUseTop = inUse?.getBoundingClientRect().top;
  const topsBefore = cardTopsOnScreen();
  let at = list.firstElementChild;
  for (const element of wanted) {
    if (at === element) at = at.nextElementSibling;
    else list.insertBefore(element, at);
  }
  while (at !== null) {
    const next = at.nextElementSibling;
    at.remove();
    at = next;
  }
  // The card being worked on stays where it was: the browser does this once the page is scrolled,
  // not at its top, where a new hit pushed the card in use down under the finger (QA).
  if (inUse?.isConnected) {
    const shift = inUse.getBoundingClientRect().top - inUseTop;
    if (shift !== 0) window.scrollBy(0, shift);
  }
  // A pixel or two is the scroll's rounding, not a move. A new card that went in where others were
  // moved under the finger too; one that went into empty space did not.
  const moved = [...topsBefore].filter(([li, top]) => li.isConnected && Math.abs(li.getBoundingClientRect().top - top) > 2).map(([li]) => li);
  if (moved.length > 0) markMoved([...moved, ...added.map((entry) => entry.element).filter((li) => li.isConnected)]);
  // Live hits that went in above the screen meanwhile: "new hits ↑" counts them.
  // (A live hit is laid out as it arrives, so one laid out for the first time is a new one, at the top.)
  if (isLooking() && !listTopInView()) for (const entry of added) if (entry.live && !entry.resolved) newAbove.add(entry.hit.hitId);
  const hidden = unresolvedCount - unresolvedRendered;
  $('more-hits').hidden = hidden <= 0;
  $('more-hits-text').textContent = hidden <= 0 ? ''
    : `${hidden} more unresolved hit${hidden === 1 ? '' : 's'}, older than those shown.`;
  $('show-more').textContent = `Show ${Math.min(hidden, CARDS_SHOWN_STEP)} more`;
  updateCount();
}

/** The count is of hits still awaiting a disposition (shown or behind "Show more"); resolved cards stay shown, marked, until cleared. */
function updateCount() {
  $('hit-count').textContent = String(unresolvedCount);
  $('resolved-count').textContent = String(shown.size - unresolvedCount);
  $('clear-resolved').hidden = shown.size === unresolvedCount;
  $('empty').hidden = shown.size > 0;
  showAttention();
}

/**
 * Resolved cards kept on Dispatch: enough to see what was just done here and on other consoles,
 * not a shift's worth burying the hits still to answer. The earliest resolved go first.
 */
const RESOLVED_CARDS_KEPT = 20;
let resolvedSoFar = 0;

/** Drops resolved cards past the newest `keep`, never one the keyboard is on. */
function dropResolved(keep) {
  const resolved = [...shown.entries()].filter(([, entry]) => entry.resolved).sort(([, a], [, b]) => a.resolvedOrder - b.resolvedOrder);
  for (const [id, entry] of resolved.slice(0, Math.max(0, resolved.length - keep))) {
    const { element } = entry;
    if (element !== null && (element.contains(document.activeElement) || element.classList.contains('correcting'))) continue;
    forget(id, entry);
  }
  layoutCards();
}


/** Reasons this hit needs extra care before anyone acts on it; empty for a clean exact hit. */
function needsCare(message) {
  const { hit, read } = message;
  const reasons = [];
  if (hit.kind !== 'exact') reasons.push(`${hit.kind} match: the read differs from the listed plate ${hit.entry}`);
  if (hit.stateMatch === false) reasons.push(`state differs: read ${read.state ?? '?'}, listed ${hit.state ?? '?'}`);
  if (hit.stateMatch === null) reasons.push('no state was read: check the state of issue on the image');
  if (hit.vehicleMismatch.length > 0) reasons.push(`vehicle differs from the entry: ${hit.vehicleMismatch.join(', ')}`);
  if (hit.candidate > 0) reasons.push(`matched the camera's alternative reading ${hit.plate}, not its first reading ${read.plate}`);
  const timing = readTiming(message);
  if (timing !== null) reasons.push(timing.reason);
  return reasons;
}

/**
 * A read whose time is far from when the gateway published its hit: an old read that arrived late
 * (the car is long gone) or a camera clock running ahead (the time shown is wrong). Measured
 * against `publishedAt`, so a replayed hit is judged by when it was raised, not by now. A past
 * sighting (raised when the entry was added later) is old by design: it says so as loudly, since
 * its card otherwise looks like a live hit and offers the same answers (found by QA).
 */
function readTiming({ read, publishedAt, historical }) {
  const raised = typeof publishedAt === 'number' ? publishedAt : Date.now();
  const now = Date.now();
  if (read.ts - raised > CLOCK_AHEAD_MS) {
    const ahead = formatSpan(read.ts - raised);
    return { headline: `camera clock ahead by ${ahead}`, reason: `the read's time is ${ahead} ahead of the gateway's clock: the camera's clock is wrong, so the time shown is not when the car passed` };
  }
  if (historical) {
    const ago = formatSpan(now - read.ts);
    return { headline: `past sighting, seen ${ago} ago — not live`, reason: `a past sighting: the read was found when the entry was added after it, and the car was seen ${ago} ago, not now` };
  }
  if (raised - read.ts > DELAYED_READ_MS) {
    const ago = formatSpan(now - read.ts);
    return { headline: `seen ${ago} ago — read delayed`, reason: `the read is ${formatSpan(raised - read.ts)} older than the hit: it reached the gateway late, and the car was seen ${ago} ago, not now` };
  }
  return null;
}

/** A span of time as the cards say it: minutes, hours, then days. */
function formatSpan(ms) {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 90) return `${Math.max(1, minutes)} min`;
  const hours = Math.round(ms / 3_600_000);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

/**
 * The checks before action on this hit (§471.5(f)(1)(2)): a hit on a list other than the stolen
 * vehicle and plate lists may be about a wanted person, who must be looked for in the vehicle.
 */
function checksFor(hit) {
  return isVehicleList(hit.list) ? CHECKS : [...CHECKS, 'person'];
}

function isVehicleList(list) {
  return VEHICLE_LISTS.has(list) || generalLists.has(list);
}

/** The general lists GET /api/hotlists named (kind "general"), for users who may read it. */
const generalLists = new Set();
/** Cards rendered so far: names each card's heading and error uniquely. */
let cardsRendered = 0;
/** Hits whose disposition this console has sent and not yet heard answered. */
const pendingDispositions = new Set();

function renderHit(entry) {
  const message = entry.hit;
  const { hit, read } = message;
  const li = $('hit-template').content.firstElementChild.cloneNode(true);
  li.dataset.hitId = message.hitId;
  li.dataset.kind = hit.kind;
  const q = (selector) => li.querySelector(selector);
  const field = (name, text) => {
    q(`[data-field="${name}"]`).textContent = text === undefined || text === null || text === '' ? '—' : String(text);
  };

  renderPlate(q('.plate'), hit.plate, hit.positions);
  // The card's name, as its heading: "Hit R47KDT, SVS, 1:03:00 AM PST" (the time as the card shows it).
  const cardId = `hit-${++cardsRendered}`;
  q('.hit-title').id = `${cardId}-title`;
  q('article').setAttribute('aria-labelledby', `${cardId}-title`);
  q('.disposition-error').id = `${cardId}-error`;
  // A screen reader reads why an answer is greyed out with the answer itself (a key cannot reach it to be told).
  q('.disposition-hint').id = `${cardId}-hint`;
  for (const button of li.querySelectorAll('.dispositions button[data-acted-on]')) button.setAttribute('aria-describedby', `${cardId}-hint`);
  q('.kind').textContent = hit.kind;
  q('.kind').dataset.kind = hit.kind;
  q('.list-reason').textContent = [hit.list, hit.reason, message.historical ? 'past sighting' : ''].filter((part) => part).join(' · ');
  // The zone's abbreviation always: on the night clocks go back, 1:30 AM PDT and 1:30 AM PST are an hour apart.
  q('.time').textContent = isToday(read.ts) ? formatTime(read.ts) : formatDateTime(read.ts);
  q('.time').title = new Date(read.ts).toISOString();
  q('.hit-title-text').textContent = `${message.historical ? 'Past sighting' : 'Hit'} ${hit.plate}, ${hit.list}, ${q('.time').textContent}`;
  const timing = readTiming(message);
  q('.time-caution').hidden = timing === null;
  q('.time-caution').textContent = timing?.headline ?? '';
  if (entry.escalatedMinutes !== undefined) showEscalation(li, entry.escalatedMinutes);

  const care = needsCare(message);
  q('.caution').hidden = care.length === 0;
  li.classList.toggle('careful', care.length > 0);
  for (const reason of care) {
    const item = document.createElement('li');
    item.textContent = reason;
    q('.cautions').append(item);
  }

  field('state', read.state);
  field('camera', `${read.camera} (${read.agency})`);
  field('ts', formatDateTime(read.ts));
  // A hit on an alternative reading carries that reading's confidence; a past sighting's has none
  // (storage keeps the readings, not their confidences), and the first reading's would mislead.
  field('conf', formatConfidence(hit.candidate > 0 ? hit.conf : hit.conf ?? read.conf));
  field('image', read.image);
  showReadImage(q('.read-image'), read.image, read.plate ?? hit.plate);
  // The heading stands on its own: a camera without a position still says which way the car went.
  const position = read.lat !== undefined && read.lon !== undefined ? `${read.lat.toFixed(5)}, ${read.lon.toFixed(5)}` : '';
  const heading = read.heading !== undefined ? `heading ${read.heading}°` : '';
  field('location', [position, heading].filter((part) => part !== '').join(' '));
  field('read-vehicle', describeVehicle(read.vehicle));
  field('entry', `${hit.entry}${hit.state ? ` (${hit.state})` : ''}`);
  field('list', hit.list);
  field('reason', hit.reason);
  field('case', hit.caseNumber);
  field('synopsis', hit.synopsis);
  field('entry-vehicle', describeVehicle(hit.vehicle));
  field('entered-by', hit.enteredBy);

  // An analyst sees hits (the vehicle they entered may be the one hit) but records no disposition:
  // the controls are not offered, and the card says who records it (the gateway refuses it anyway).
  if (!permissions().has('hits.dispose')) {
    for (const part of li.querySelectorAll('.checklist, .dispositions, .notes-label, .disposition-hint')) part.hidden = true;
    q('.no-dispose').hidden = false;
  }

  const checks = checksFor(hit);
  q('.person-check').hidden = !checks.includes('person');
  const checked = (name) => checks.includes(name) && li.querySelector(`.checklist input[name="${name}"]`).checked;
  const actedOn = li.querySelectorAll('.dispositions button[data-acted-on]');
  const updateChecks = () => {
    const done = checks.every(checked);
    li.classList.toggle('verified', done);
    // §471.5(f)(1)(2): acting on a hit needs every check first.
    if (!li.classList.contains('resolved') || li.classList.contains('correcting')) for (const button of actedOn) button.disabled = !done;
    // What a greyed-out answer said it waits for follows the boxes.
    if (li.waitingOnChecks !== undefined) sayWaitingOnChecks(li.waitingOnChecks.label);
  };
  // A greyed-out answer taken by a tap or click says what it waits for (QA on a car's terminal: a
  // tap on it did nothing at all), until the boxes are all ticked or the card takes no answer.
  const sayWaitingOnChecks = (label, { again = false } = {}) => {
    const error = li.querySelector('.disposition-error');
    const said = li.waitingOnChecks?.message;
    const missing = checks.filter((name) => !checked(name)).map((name) => li.querySelector(`.checklist input[name="${name}"]`).parentElement.textContent.trim());
    const takesAnswer = !li.classList.contains('resolved') || li.classList.contains('correcting');
    if (missing.length === 0 || !takesAnswer) {
      // Only its own words: another message (a refusal) written since stays.
      if (said !== undefined && error.textContent === said) error.textContent = '';
      delete li.waitingOnChecks;
      return;
    }
    const message = `"${label}" needs every check above ticked first. Not ticked yet: ${missing.join('; ')}.`;
    li.waitingOnChecks = { label, message };
    // The same words again are not read out again: emptied first, the next frame's are heard.
    if (again && error.textContent === message) {
      error.textContent = '';
      requestAnimationFrame(() => {
        if (li.waitingOnChecks?.message === message) error.textContent = message;
      });
    } else {
      error.textContent = message;
    }
  };
  li.stopWaitingOnChecks = () => {
    if (li.waitingOnChecks !== undefined) sayWaitingOnChecks(li.waitingOnChecks.label);
  };
  for (const box of li.querySelectorAll('.checklist input')) box.addEventListener('change', updateChecks);
  updateChecks();
  // A disabled button gets no click, but the pointer's release reaches its group; a touch that
  // turns into a scroll ends in pointercancel instead.
  q('.dispositions').addEventListener('pointerup', (event) => {
    const button = event.target.closest('button[data-acted-on]');
    if (button === null || !button.disabled) return;
    sayWaitingOnChecks(DISPOSITION_LABELS[button.dataset.disposition] ?? button.dataset.disposition, { again: true });
  });
  // Named for the hit (plate, list, camera, time: two reads of one car on one list differ by the
  // last two), so a screen reader's list of buttons says which card each one resolves, not
  // "Misread" once per card. The name is the visible label plus hidden text rather than an
  // aria-label, so "Other (reason in notes)" is not taken for the label of the notes field.
  const named = `${hit.plate} on ${hit.list}, camera ${read.camera}, ${formatTime(read.ts)}`;
  q('.dispositions').setAttribute('aria-label', `Disposition of the hit ${named}`);
  for (const button of li.querySelectorAll('.dispositions button')) {
    const which = document.createElement('span');
    which.className = 'visually-hidden';
    which.textContent = ` (hit ${named})`;
    button.append(which);
    button.addEventListener('click', () => recordDisposition(li, message.hitId, button.dataset.disposition, checked));
  }
  q('.correct').addEventListener('click', () => (li.classList.contains('correcting') ? endCorrection(li) : startCorrection(li)));
  q('.notes').addEventListener('input', () => markNotesInvalid(li, false));
  return li;
}

/** The notes a disposition needs (Other, a correction) are marked missing, described by the card's error. */
function markNotesInvalid(li, invalid) {
  const notes = li.querySelector('.notes');
  if (invalid) {
    notes.setAttribute('aria-invalid', 'true');
    notes.setAttribute('aria-describedby', li.querySelector('.disposition-error').id);
  } else {
    notes.removeAttribute('aria-invalid');
    notes.removeAttribute('aria-describedby');
  }
}

// ---- dispositions ----------------------------------------------------------------------------

/** Whitespace and invisible format characters around notes: the gateway takes notes of nothing else as no reason. */
const BLANK_EDGES = /^[\s\p{Cf}]+|[\s\p{Cf}]+$/gu;

async function recordDisposition(li, hitId, disposition, checked) {
  const error = li.querySelector('.disposition-error');
  const notes = li.querySelector('.notes').value.replace(BLANK_EDGES, '');
  const correcting = li.classList.contains('correcting');
  error.textContent = '';
  markNotesInvalid(li, false);
  if (notes === '' && (disposition === 'other' || correcting)) {
    error.textContent = correcting ? 'Write in the notes why the disposition is corrected.' : 'Write the reason in the notes for "Other".';
    markNotesInvalid(li, true);
    li.querySelector('.notes').focus();
    return;
  }
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token === null) return signOut();
  const buttons = li.querySelectorAll('.dispositions button');
  const clicked = li.querySelector(`.dispositions button[data-disposition="${disposition}"]`);
  // The clicked button is disabled while the request is on its way, which would drop the keyboard
  // focus to the page: the card holds it meanwhile.
  const article = li.querySelector('article');
  if (li.contains(document.activeElement)) {
    article.tabIndex = -1;
    article.focus();
  }
  for (const b of buttons) b.disabled = true;
  // §471.5(f)(2): the wanted person looked for on a BOLO hit is a check of its own, sent only where
  // the card asks it (the gateway records it as not asked on a stolen vehicle or plate list).
  const personCheck = li.querySelector('.person-check').hidden ? {} : { personVerified: checked('person') };
  const body = {
    disposition, visualVerified: checked('plate') && checked('vehicle'), cletsVerified: checked('status'), ...personCheck, notes,
    ...(correcting ? { correction: true } : {}),
  };
  let res;
  pendingDispositions.add(hitId);
  try {
    res = await fetch(`/api/hits/${encodeURIComponent(hitId)}/disposition`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  } catch {
    res = null;
  }
  const answer = res === null ? null : await res.json().catch(() => null);
  pendingDispositions.delete(hitId);
  // Signed out meanwhile: the card is gone, and a 401 is the last session's, not the next user's.
  // (Run out meanwhile, the card stays under the sign-in prompt, and takes the answer.)
  if (sessionStorage.getItem(TOKEN_KEY) !== token && resumingUser === null) return;
  const focusHere = document.activeElement === article || document.activeElement === document.body;
  if (res !== null && res.ok && typeof answer?.hitId === 'string') {
    applyDisposition(answer, { announce: false });
    // Said once: by the keyboard landing on the line that says it, or else by the polite region.
    if (focusHere) focusOn(li.querySelector('.recorded'));
    else announce(li.querySelector('.recorded').textContent);
    return;
  }
  if (res?.status === 401 && !endSession('Your session ended. Sign in again to record the disposition.')) return;
  error.textContent = res === null ? 'The gateway cannot be reached; the disposition was not recorded. Try again.'
    : res.status === 401 ? 'Not recorded: your session ended. Sign in again, then record it.'
    : `Not recorded: ${refusalText(answer?.error) ?? `the gateway answered ${res.status}`}`;
  // Resolved already, on another console (the gateway says by whom and how): nothing is left to
  // record here. The card is marked so now; the disposition's frame fills in its line.
  if (answer?.error?.code === 'ALREADY_RESOLVED') {
    li.dataset.refusal = 'already-resolved';
    markResolved(shown.get(hitId));
  }
  if (shown.get(hitId)?.resolved && !li.classList.contains('correcting')) {
    if (focusHere) focusOn(error);
    return;
  }
  // Back to what the checklist allows.
  for (const b of buttons) b.disabled = false;
  li.querySelector('.checklist input').dispatchEvent(new Event('change'));
  if (focusHere) focusOn(clicked !== null && !clicked.disabled ? clicked : error);
}

/**
 * The gateway's refusal of a disposition, as the card says it. For a hit resolved first elsewhere
 * (ALREADY_RESOLVED) the error's `resolved` says by whom, how and when, shown as the cards show
 * times; its message's advice for API clients (send "correction": true) is left out: the card
 * offers its own "Correct this disposition".
 */
function refusalText(error) {
  if (typeof error?.message !== 'string') return undefined;
  if (error.code !== 'ALREADY_RESOLVED') return error.message;
  const first = error.resolved;
  if (typeof first?.user !== 'string' || typeof first?.disposition !== 'string') return 'another console is recording an answer to this hit right now: look again in a moment (if none appears, try again in a few minutes).';
  return `this hit was already resolved as "${first.disposition}" by ${first.user} at ${formatTime(Date.parse(first.at))}.`;
}

/** Moves the keyboard focus to `el`, which need not be a control (a status line, a card). */
function focusOn(el, options = {}) {
  if (!el.hasAttribute('tabindex') && !el.matches('button, input, select, textarea, a[href]')) el.tabIndex = -1;
  el.focus(options);
}

/**
 * The card no longer takes a disposition: marked resolved, its controls disabled (a correction
 * under way ends: the card shows the latest answer), the count updated.
 */
function markResolved(entry) {
  if (entry === undefined) return;
  if (!entry.resolved) {
    entry.resolvedOrder = ++resolvedSoFar;
    unresolvedCount--;
    unseen.delete(entry.hit.hitId);
    newAbove.delete(entry.hit.hitId);
  }
  entry.resolved = true;
  if (entry.escalatedAt !== undefined) showEscalations();
  const li = entry.element;
  if (li === null) return;
  li.classList.add('resolved');
  endCorrection(li);
  li.querySelector('.correct').hidden = !permissions().has('hits.dispose');
  dropResolved(RESOLVED_CARDS_KEPT);
}

/**
 * A resolved hit answered wrongly (the wrong button, a plate found after all): the card takes one
 * more answer, sent as a correction with its reason; the gateway keeps both.
 */
function startCorrection(li) {
  li.classList.add('correcting');
  for (const control of li.querySelectorAll('.checklist input, .notes, .dispositions button:not([data-acted-on])')) control.disabled = false;
  li.querySelector('.checklist input').dispatchEvent(new Event('change'));
  li.querySelector('.correction-hint').hidden = false;
  li.querySelector('.disposition-error').textContent = '';
  delete li.dataset.refusal;
  const button = li.querySelector('.correct');
  button.textContent = 'Cancel correction';
  focusOn(li.querySelector('.correction-hint'));
}

function endCorrection(li) {
  li.classList.remove('correcting');
  li.stopWaitingOnChecks?.();
  for (const control of li.querySelectorAll('.dispositions button, .checklist input, .notes')) control.disabled = true;
  li.querySelector('.correction-hint').hidden = true;
  const button = li.querySelector('.correct');
  if (button.textContent !== 'Correct this disposition') {
    button.textContent = 'Correct this disposition';
    if (li.contains(document.activeElement) && document.activeElement.disabled) focusOn(button);
  }
}

/**
 * A disposition was recorded (here or on another console): the card is marked, not removed, and
 * with `announce` the polite region says so. The same answer heard twice (this console's reply and
 * the gateway's frame) changes and says nothing the second time.
 */
function applyDisposition(d, { announce: sayIt = true } = {}) {
  const entry = shown.get(d.hitId);
  if (entry === undefined) return;
  // A hit behind "Show more", never rendered here: resolved, it has nothing left to show.
  if (entry.element === null) {
    forget(d.hitId, entry);
    return;
  }
  const li = entry.element;
  // Someone working this card (a box ticked, notes typed) keeps the keyboard on it: the controls
  // about to be disabled would drop it to the page.
  const hadFocus = li.contains(document.activeElement) && document.activeElement !== li.querySelector('article') && !document.activeElement.matches('.correct');
  // A resolved card answered again (a correction, here or elsewhere) counts as resolved last, or the
  // next resolution would drop it from the cards kept at once; the same answer heard twice (this
  // console's reply and the gateway's frame) does not.
  const answer = `${d.at} ${d.user} ${d.disposition}`;
  if (entry.answer === answer) return;
  if (entry.resolved && entry.answer !== undefined) entry.resolvedOrder = ++resolvedSoFar;
  entry.answer = answer;
  // Answered elsewhere while this user was working the card: what they ticked and typed stays on
  // it, and would read as sent with the answer (found by QA). Said, not cleared: it is theirs.
  const notes = li.querySelector('.notes');
  const workedHere = !entry.resolved && !pendingDispositions.has(d.hitId) && d.user !== sessionStorage.getItem(USER_ID_KEY)
    && ((notes !== null && notes.value.trim() !== '') || li.querySelector('.checklist input:checked') !== null);
  markResolved(entry);
  li.dataset.disposition = d.disposition;
  // An earlier failure's message is out of date now; the gateway's refusal of this console's own
  // disposition (resolved by someone else first) is not, and stays above the line that says how.
  if (li.dataset.refusal !== 'already-resolved') li.querySelector('.disposition-error').textContent = '';
  if (workedHere) li.querySelector('.disposition-error').textContent = `${d.user} answered this hit on another console while you were working on it: nothing you entered here was sent.`;
  const label = DISPOSITION_LABELS[d.disposition] ?? d.disposition;
  const at = new Date(d.at);
  // The person check only where the hit's list asks it (the gateway leaves it out elsewhere).
  const person = typeof d.personVerified !== 'boolean' ? [] : [d.personVerified ? 'person check done' : 'no person check'];
  const checks = [d.visualVerified ? 'visual check done' : 'no visual check', d.cletsVerified ? 'CLETS confirmed' : 'CLETS not confirmed', ...person].join(', ');
  const recorded = li.querySelector('.recorded');
  recorded.textContent = `${d.correction === true ? 'Corrected to ' : ''}${label} — recorded by ${d.user} at ${formatTime(at.getTime())} (${checks})`;
  recorded.title = at.toISOString();
  recorded.hidden = false;
  if (hadFocus) focusOn(recorded);
  if (sayIt) announce(`Hit ${spell(entry.hit.hit.plate)} resolved: ${label}, by ${d.user}.`);
}

/** A hit left unresolved too long (this console's user is a supervisor): flag the card. */
function applyEscalation(e) {
  const entry = shown.get(e.hitId);
  const minutes = Math.max(1, Math.round(e.unresolvedSeconds / 60));
  if (entry !== undefined && !entry.resolved) flagEscalated(entry, minutes);
  showEscalations();
  announce(`Escalation: hit ${spell(e.plate)} unresolved for ${minutes} minutes.`, { urgent: true });
  alertSound('escalation');
}

/** The hit's card carries the escalation (now, or when it is rendered). */
function flagEscalated(entry, minutes) {
  entry.escalatedMinutes = minutes;
  entry.escalatedAt ??= ++escalationsSoFar;
  if (entry.element !== null) showEscalation(entry.element, minutes);
}

function showEscalation(li, minutes) {
  li.classList.add('escalated');
  const flag = li.querySelector('.escalation');
  flag.textContent = `Escalated: unresolved for ${minutes} min`;
  flag.hidden = false;
}

/** The plate with the characters that differ from the entry marked; an insertion past the end shows as a gap. */
function renderPlate(el, plate, positions) {
  const differ = new Set(positions);
  for (let i = 0; i < plate.length; i++) {
    const ch = document.createElement(differ.has(i) ? 'mark' : 'span');
    ch.textContent = plate[i];
    if (differ.has(i)) ch.title = 'differs from the listed plate';
    el.append(ch);
  }
  if (positions.some((p) => p >= plate.length)) {
    const gap = document.createElement('mark');
    gap.className = 'gap';
    gap.textContent = '_';
    gap.title = 'a character is missing here compared with the listed plate';
    el.append(gap);
  }
}

function describeVehicle(v) {
  if (v === undefined || v === null) return undefined;
  return [v.year, v.color, v.make, v.model, v.style ?? v.type].filter((x) => x !== undefined && x !== null && x !== '').join(' ');
}

function formatConfidence(conf) {
  return typeof conf === 'number' ? `${Math.round(conf * 100)}%` : undefined;
}

/** Whether `ts` falls on the department's today (clock.js: the workstation's zone plays no part). */
function isToday(ts) {
  return dayOf(ts) === dayOf(Date.now());
}

/** A time of day with its zone ("1:30:00 AM PDT"), in the department's zone. */
function formatTime(ts) {
  return formatTimeOfDay(ts);
}

/** Plates read out character by character, so a screen reader does not pronounce them as words. */
function spell(plate) {
  return plate.split('').join(' ');
}

// ---- start -----------------------------------------------------------------------------------

/** What the other views' modules need: the session token and user, a way to end it, the user's permissions, and the stale-list alarm. */
const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  userId: () => sessionStorage.getItem(USER_ID_KEY),
  expired: () => endSession('Your session ended. Sign in again.'),
  may: (permission) => permissions().has(permission),
  /** The hot lists as just read (admin.js, after a load, a designation, a decision): the alarm follows them at once. */
  listsRead: (lists) => {
    if (permissions().has('hotlists.view')) showStaleness(lists);
  },
};

$('sign-in-form').addEventListener('submit', signIn);
for (const field of [$('user'), $('password')]) field.addEventListener('input', () => markSignInInvalid(false));
$('sign-out').addEventListener('click', logOut);
$('sound').addEventListener('click', () => setSoundWanted(!soundWanted()));
initDisplay($('display'), $('resume-display'));
watchCoveredTop();
// The session is already over on the gateway (it ran out, or the lock ended it): only the page is left.
$('resume-sign-out').addEventListener('click', () => signOut());

$('clear-resolved').addEventListener('click', () => {
  dropResolved(0);
  focusOn($('dispatch-title'));
  announce('Resolved hits cleared.');
});
$('show-more').addEventListener('click', () => {
  const before = $('hits').children.length;
  cardsShown += CARDS_SHOWN_STEP;
  layoutCards();
  // The button goes once nothing is left behind it: the keyboard moves to the first card it added.
  if ($('more-hits').hidden) {
    const first = $('hits').children[before]?.querySelector('article');
    focusOn(first ?? $('dispatch-title'));
  }
  announce(`${Math.min(unresolvedCount, cardsShown)} of ${unresolvedCount} unresolved hits shown.`);
});
$('hits').addEventListener('pointerdown', (event) => {
  pressed = { card: event.target.closest('#hits > li'), at: performance.now() };
});
$('hits').addEventListener('click', refuseTapsOnMovedCards, true);
$('jump-new').addEventListener('click', (event) => {
  if (event.detail > 0 && event.currentTarget.classList.contains('just-moved')) return;
  newAbove.clear();
  showAttention();
  const newest = $('hits').querySelector('li.hit:not(.resolved) article') ?? $('dispatch-title');
  // Stops below what covers the top (scroll-margin-top: the sticky bar, or a phone's fixed alert
  // rows), and the focus does not scroll a card taller than the screen back under them.
  (newest.closest('li') ?? newest).scrollIntoView({ block: 'start' });
  focusOn(newest, { preventScroll: true });
});
document.addEventListener('visibilitychange', noticeSeen);
let scrollCheck = false;
window.addEventListener('scroll', () => {
  if (scrollCheck || newAbove.size === 0) return;
  scrollCheck = true;
  requestAnimationFrame(() => {
    scrollCheck = false;
    noticeSeen();
  });
}, { passive: true });
for (const button of $('views').querySelectorAll('button')) button.addEventListener('click', () => selectView(button.dataset.view));
initSearch(session);
initHolds(session);
initAdmin(session);
initReleases(session);
initEvidence(session);
initAudit(session);
initRefusedReads();
if (sessionStorage.getItem(TOKEN_KEY) !== null) showViews();
else {
  // Reloaded under a lock or an ended session: the last user's name and rights go too, not only
  // their token (found by QA in the page's storage).
  for (const key of [USER_KEY, USER_ID_KEY, PERMISSIONS_KEY, EXPIRES_KEY, IDLE_KEY]) sessionStorage.removeItem(key);
  $('user').focus();
}
