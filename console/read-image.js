// The camera's image of a read on its hit card, for the first check before any action: the plate
// against the image (§471.5(f)(1)). A read's `image` is a reference (docs/wire.md): a URL, shown
// when it is on an image host the gateway names (GET /api/me `images`, gateway/image-sources.ts),
// or an object key, put into the gateway's address template. The page's Content-Security-Policy
// allows images from those hosts only, so a reference elsewhere could not load anyway: it stays
// text, with a word on why.

/** As GET /api/me says; none until it has. */
let sources = { origins: [], urlTemplate: null };

/** Takes the gateway's `images` (anything else: no images shown). */
export function useImageSources(images) {
  const origins = Array.isArray(images?.origins) ? images.origins.filter((o) => typeof o === 'string') : [];
  const urlTemplate = typeof images?.urlTemplate === 'string' && images.urlTemplate.includes('{image}') ? images.urlTemplate : null;
  sources = { origins, urlTemplate };
}

/** The address of the image `ref` names, or null when this console may not show it. */
export function imageAddress(ref) {
  if (typeof ref !== 'string' || ref === '') return null;
  // A URL names its host (scheme://); anything else is a key, colons and all ("cam:7/read.png").
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
    let url;
    try {
      url = new URL(ref);
    } catch {
      return null;
    }
    // blob: and the like carry an origin too, but are nothing an image host serves (QA).
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    if (url.username !== '' || url.password !== '') return null;
    return sources.origins.includes(url.origin) ? url.href : null;
  }
  if (sources.urlTemplate === null) return null;
  // Each part of the key percent-encoded: a key cannot add a query, or climb out of the template's path.
  const parts = ref.split('/');
  if (parts.some((part) => part === '.' || part === '..')) return null;
  const address = sources.urlTemplate.replace('{image}', parts.map(encodeURIComponent).join('/'));
  try {
    return sources.origins.includes(new URL(address).origin) ? address : null;
  } catch {
    return null;
  }
}

/** Whether `ref` is a URL this console will not load: on a host the gateway does not name. */
function elsewhere(ref) {
  return typeof ref === 'string' && /^https?:\/\//i.test(ref) && imageAddress(ref) === null;
}

/**
 * Fills the card's figure for `ref`: the image, opening full size in a new tab, or why there is
 * none. `plate` names it for a screen reader. The address goes to the image host with no referrer:
 * the console's address tells it nothing it needs.
 */
export function showReadImage(figure, ref, plate) {
  const address = imageAddress(ref);
  const note = figure.querySelector('.read-image-note');
  const link = figure.querySelector('a');
  const img = figure.querySelector('img');
  figure.hidden = address === null && !elsewhere(ref);
  link.hidden = address === null;
  if (address === null) {
    note.hidden = false;
    img.removeAttribute('src');
    link.removeAttribute('href');
    note.textContent = 'Image not shown: it is not on an image host set up for this console. Its reference is under Image below.';
    return;
  }
  link.href = address;
  img.alt = `Camera image of the read of ${plate}`;
  // A plain click or tap opens it over the page; with Ctrl, ⌘, Shift or the middle button, the browser's new tab.
  link.onclick = (event) => {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || !link.hasAttribute('href')) return;
    event.preventDefault();
    openViewer(address, img.alt);
  };
  const host = new URL(address).host;
  const say = (text) => {
    note.textContent = text;
    note.hidden = text === '';
  };
  // Said while it loads, and past a wait, so a slow host does not leave a blank box (QA). The wait
  // starts once the card is in sight: the browser asks for an image lower down only when it nears.
  say(`Loading the image from ${host}…`);
  let late;
  const inSight = new IntersectionObserver(([seen]) => {
    if (!seen?.isIntersecting) return;
    inSight.disconnect();
    late = setTimeout(() => say(`The image has not come from ${host} after ${IMAGE_WAIT_S} s; it may yet. Its reference is under Image below.`), IMAGE_WAIT_S * 1000);
  });
  inSight.observe(figure);
  const settled = () => {
    inSight.disconnect();
    clearTimeout(late);
  };
  img.addEventListener('load', () => {
    settled();
    say('');
  }, { once: true });
  img.addEventListener('error', () => {
    settled();
    // The box stays, empty, with the message on it: collapsing it moved the answers under the finger.
    link.removeAttribute('href');
    img.removeAttribute('src');
    img.alt = '';
    say(`The image could not be loaded from ${host}. Its reference is under Image below.`);
  }, { once: true });
  img.src = address;
}

/** Seconds an image may take before the card says it has not come. */
const IMAGE_WAIT_S = 15;

/** Shows the image at the size of the screen, over the page; Escape, Close or a click beside it closes it. */
function openViewer(address, alt) {
  const viewer = document.getElementById('image-viewer');
  viewer.querySelector('#image-viewer-title').textContent = alt;
  const img = viewer.querySelector('img');
  img.alt = alt;
  img.src = address;
  viewer.querySelector('a').href = address;
  if (!viewer.open) viewer.showModal();
}

/** Closes the viewer and lets go of its image (a sign-out leaves the next user nothing of it). */
export function closeImageViewer() {
  const viewer = document.getElementById('image-viewer');
  if (viewer.open) viewer.close();
  viewer.querySelector('img').removeAttribute('src');
  viewer.querySelector('img').alt = '';
  viewer.querySelector('a').removeAttribute('href');
  viewer.querySelector('#image-viewer-title').textContent = '';
}

const viewer = document.getElementById('image-viewer');
viewer.querySelector('.image-viewer-close').addEventListener('click', closeImageViewer);
// A click on the backdrop lands on the dialog itself, not on what it holds.
viewer.addEventListener('click', (event) => {
  if (event.target === viewer) closeImageViewer();
});
viewer.addEventListener('cancel', () => closeImageViewer());
