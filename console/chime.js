// An alert sound when a live hit arrives, and another when a hit is escalated: a dispatcher's eyes
// are on the radio, CAD or another screen as often as on this page, and a hit waits on them.
// Made by the browser's own synthesiser (Web Audio): no sound file to load, nothing from outside.
//
// On unless turned off with the Alert sound button; the choice is the workstation's (localStorage),
// like its speakers, not the user's: it tells the next user nothing about the last. Browsers let a
// page make sound only once a person has clicked or typed on it; the sign-in click does, but a page
// that resumed its session on a reload waits for the first click or key, and the button says so.

const SETTING_KEY = 'platewatch.sound';
/** At most one alert of a kind this often: a burst (a camera catching up, a list loaded) or a steady run of hits is not an alert a hit. */
const QUIET_AFTER_MS = 2000;
const TONE_SECONDS = 0.14;
/** [Hz, seconds after the first]: two rising tones for a hit, four alternating for an escalation. */
const TONES = {
  hit: [[880, 0], [1320, 0.16]],
  escalation: [[1320, 0], [880, 0.18], [1320, 0.36], [880, 0.54]],
};
const GESTURES = ['pointerdown', 'keydown'];

let context = null;
let listening = false;
const quietUntil = { hit: 0, escalation: 0 };
let changed = () => {};

/** Whether this workstation wants the alert sound (the default). */
export function soundWanted() {
  try {
    return localStorage.getItem(SETTING_KEY) !== 'off';
  } catch {
    return true;
  }
}

/** Whether the browser lets the page play sound now (false until a click or key on this page). */
export function soundAllowed() {
  return context !== null && context.state === 'running';
}

/**
 * Starts listening for the click or key that lets the page make sound; `onChange` is called when
 * what the button shows changes (wanted, or allowed by the browser).
 */
export function watchSound(onChange) {
  changed = onChange;
  if (!listening) {
    listening = true;
    for (const type of GESTURES) document.addEventListener(type, allowSound, { capture: true, passive: true });
  }
  // Right after the sign-in click, the browser counts that click; after a reload, not until the next.
  allowSound();
  changed();
}

/** Turns the alert sound on or off for this workstation; turned on, it plays once to be heard. */
export function setSoundWanted(on) {
  try {
    localStorage.setItem(SETTING_KEY, on ? 'on' : 'off');
  } catch {
    // Storage refused (a private window's quota): the choice lasts as long as the page.
  }
  if (on) {
    allowSound();
    quietUntil.hit = 0;
    chime('hit');
  }
  changed();
}

/** Called from a click or key: from then on the browser lets the page make sound. */
function allowSound() {
  if (typeof AudioContext === 'undefined' || !soundWanted()) return;
  if (context === null) {
    context = new AudioContext();
    context.addEventListener('statechange', () => changed());
  }
  if (context.state === 'suspended') context.resume().catch(() => undefined);
}

/** Plays `kind` ('hit' or 'escalation'), unless unwanted, not yet allowed, or just played. */
export function chime(kind) {
  const tones = TONES[kind];
  if (tones === undefined || !soundWanted() || !soundAllowed()) return;
  const now = performance.now();
  if (now < quietUntil[kind]) return;
  quietUntil[kind] = now + QUIET_AFTER_MS;
  const start = context.currentTime + 0.02;
  for (const [frequency, offset] of tones) {
    const tone = context.createOscillator();
    const volume = context.createGain();
    tone.type = 'sine';
    tone.frequency.value = frequency;
    // A quick rise and fall: a tone cut on and off abruptly clicks.
    volume.gain.setValueAtTime(0.0001, start + offset);
    volume.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.015);
    volume.gain.exponentialRampToValueAtTime(0.0001, start + offset + TONE_SECONDS);
    tone.connect(volume).connect(context.destination);
    tone.start(start + offset);
    tone.stop(start + offset + TONE_SECONDS);
  }
}
