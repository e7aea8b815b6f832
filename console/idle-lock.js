// The console locks itself after the minutes the gateway names for its user (GET /api/me and the
// sign-in's `idleLockMinutes`; null: never) without keyboard or pointer input: a workstation left
// signed in must not show plates to whoever walks past (gateway/idle-lock.ts says why and whom it
// spares). A live hit arriving is not input: a feed is not a person.
//
// The user is warned a minute before. A timer may fire late or not at all while the tab is in the
// background or the machine sleeps, so input after the limit locks rather than counting as input.

/** Input that shows a person is at the workstation. */
const INPUT_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'];
const WARN_BEFORE_MS = 60_000;

let limitMs = 0;
let lastInput = 0;
let timer = null;
let warned = false;
let handlers = null;

/**
 * Starts watching for `minutes` (a number > 0; anything else stops the watch). `warn(lockAt)` is
 * called a minute before the lock and `warn(null)` when input comes after it; `lock(minutes)` once.
 */
export function watchIdle(minutes, { warn, lock }) {
  stopIdleWatch();
  if (typeof minutes !== 'number' || !(minutes > 0)) return;
  limitMs = minutes * 60_000;
  handlers = { warn, lock, minutes };
  lastInput = Date.now();
  for (const type of INPUT_EVENTS) document.addEventListener(type, noticeInput, { capture: true, passive: true });
  check();
}

/**
 * The gateway now says `minutes` for this user (a role given or taken while signed in): a running
 * watch keeps its last input and takes the new limit; with none running, one starts with `callbacks`.
 */
export function changeIdleLimit(minutes, callbacks) {
  if (typeof minutes !== 'number' || !(minutes > 0)) {
    stopIdleWatch();
    return;
  }
  if (handlers === null) {
    watchIdle(minutes, callbacks);
    return;
  }
  if (limitMs === minutes * 60_000) return;
  limitMs = minutes * 60_000;
  handlers.minutes = minutes;
  clearTimeout(timer);
  check();
}

export function stopIdleWatch() {
  clearTimeout(timer);
  timer = null;
  warned = false;
  if (handlers === null) return;
  handlers = null;
  for (const type of INPUT_EVENTS) document.removeEventListener(type, noticeInput, { capture: true });
}

function noticeInput() {
  if (handlers === null) return;
  const now = Date.now();
  if (now - lastInput >= limitMs) {
    lockNow();
    return;
  }
  lastInput = now;
  if (warned) {
    warned = false;
    handlers.warn(null);
  }
}

function check() {
  if (handlers === null) return;
  const idle = Date.now() - lastInput;
  if (idle >= limitMs) {
    lockNow();
    return;
  }
  if (!warned && idle >= limitMs - WARN_BEFORE_MS) {
    warned = true;
    handlers.warn(lastInput + limitMs);
  }
  // Wake at the warning and at the lock, whichever comes next; input in between only moves lastInput.
  const next = warned || limitMs <= WARN_BEFORE_MS ? limitMs - idle : limitMs - WARN_BEFORE_MS - idle;
  timer = setTimeout(check, Math.max(1_000, next));
}

function lockNow() {
  const { lock, minutes } = handlers;
  stopIdleWatch();
  lock(minutes);
}
