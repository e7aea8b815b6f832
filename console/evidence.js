// The Evidence view (Policy 471.6), for the records custodian and the administrator
// (evidence.export): a case's held detections written as a package for booking onto portable media
// (POST /api/evidence/exports), its manifest shown, and each file downloaded with the session
// (GET /api/evidence/exports/{id}/{file}) so the copy can be checked against the SHA-256 shown.
// Holds themselves are placed from the Search view (holds.js). Values go into the page as text only.
import { fetchFile, fill, once, post, saveFile } from './admin.js';

const $ = (id) => document.getElementById(id);
/** Bumped at sign-out, so an answer still on its way is dropped, not shown to the next user. */
let evidenceGeneration = 0;
/** The SHA-256 the shown package's manifest gives each of its files. */
let digests = new Map();

export function initEvidence() {
  $('export-form').addEventListener('submit', once(submitExport));
}

/** Clears the view for the next user: the form, the package shown and every message. */
export function resetEvidence() {
  evidenceGeneration += 1;
  $('export-form').reset();
  fill('export-files', []);
  digests = new Map();
  $('export-package').hidden = true;
  for (const id of ['export-error', 'export-status', 'export-summary']) $(id).textContent = '';
}

async function submitExport(event) {
  const f = event.target.elements;
  for (const id of ['export-error', 'export-status']) $(id).textContent = '';
  const caseNumber = f.caseNumber.value.trim();
  if (caseNumber === '') {
    $('export-error').textContent = 'Give the case number whose held detections go into the package.';
    return;
  }
  const body = { caseNumber };
  if (f.reason.value.trim() !== '') body.reason = f.reason.value.trim();
  $('export-status').textContent = `Producing the package for case ${caseNumber}…`;
  const generation = evidenceGeneration;
  const r = await post('/api/evidence/exports', body);
  if (r === null || generation !== evidenceGeneration) return;
  $('export-status').textContent = '';
  if (!r.ok) {
    // NOTHING_HELD among them, in the gateway's words (it says to place a legal hold first). The
    // package shown before is another case's: it goes, so its files are not taken for this one's.
    $('export-error').textContent = `Not produced: ${r.message}`;
    $('export-package').hidden = true;
    return;
  }
  showPackage(r.body.exportId, r.body.files ?? [], r.body.manifest);
  $('export-status').textContent = `Package produced for case ${caseNumber}: ${r.body.manifest.detections} detection${r.body.manifest.detections === 1 ? '' : 's'}.`;
}

function showPackage(exportId, names, m) {
  $('export-package').hidden = false;
  $('export-package').dataset.exportId = exportId;
  $('export-summary').textContent = `${m.detections} detection${m.detections === 1 ? '' : 's'} under ${m.holds} hold${m.holds === 1 ? '' : 's'} for case ${m.caseNumber}, produced ${new Date(m.generatedAt).toLocaleString()} by ${m.generatedBy} (package ${exportId}, access log record ${m.accessLogSeq}). Each download is recorded in the access log.`;
  // The manifest gives size and SHA-256 of every file but itself and SHA256SUMS, which are served too.
  const listed = new Map((m.files ?? []).map((file) => [file.name, file]));
  digests = new Map([...listed].map(([name, file]) => [name, file.sha256]));
  const tbody = fill('export-files', names.map((name) => {
    const file = listed.get(name);
    return [downloadLink(exportId, m.caseNumber, name), file === undefined ? '' : String(file.bytes), file?.sha256 ?? ''];
  }));
  for (const row of tbody.children) row.children[2].className = 'digest';
}

/** A file name that is safe on any media: the case number may hold characters a file system refuses. */
function fileName(caseNumber, name) {
  return `${caseNumber.replace(/[^A-Za-z0-9._-]+/g, '_')}-${name}`;
}

function downloadLink(exportId, caseNumber, name) {
  const a = document.createElement('a');
  a.href = `/api/evidence/exports/${encodeURIComponent(exportId)}/${encodeURIComponent(name)}`;
  a.download = fileName(caseNumber, name);
  a.textContent = name;
  a.setAttribute('aria-label', `Download ${name} of the evidence package for case ${caseNumber}`);
  a.addEventListener('click', (event) => {
    event.preventDefault();
    downloadFile(a, name);
  });
  return a;
}

async function downloadFile(a, name) {
  if (a.getAttribute('aria-busy') === 'true') return;
  const generation = evidenceGeneration;
  for (const id of ['export-error', 'export-status']) $(id).textContent = '';
  a.setAttribute('aria-busy', 'true');
  const r = await fetchFile(a.href);
  a.removeAttribute('aria-busy');
  if (r === null || generation !== evidenceGeneration) return;
  if (!r.ok) {
    $('export-error').textContent = `Not downloaded (${name}): ${r.message}`;
    return;
  }
  const checked = await checkDigest(r.blob, digests.get(name));
  if (generation !== evidenceGeneration) return;
  if (checked === false) {
    $('export-error').textContent = `Not saved (${name}): the file received does not match its SHA-256 in the manifest. Download it again.`;
    return;
  }
  saveFile(r.blob, a.download);
  const how = checked === true ? ', checked against its SHA-256 in the manifest' : '';
  $('export-status').textContent = `Downloaded ${name} (${r.blob.size} bytes${how}); the download is recorded in the access log.`;
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
