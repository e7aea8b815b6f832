// The Evidence view (Policy 471.6), for the records custodian and the administrator
// (evidence.export): a case's held detections written as a package for booking onto portable media
// (POST /api/evidence/exports), its manifest shown, and each file downloaded with the session
// (GET /api/evidence/exports/{id}/{file}) so the copy can be checked against the SHA-256 shown.
// Holds themselves are placed from the Search view (holds.js). Values go into the page as text only.
import { fill, once, packageFileLink, post } from './admin.js';
import { formatDateTime } from './clock.js';

const $ = (id) => document.getElementById(id);
/** Bumped at sign-out, so an answer still on its way is dropped, not shown to the next user. */
let evidenceGeneration = 0;

export function initEvidence() {
  $('export-form').addEventListener('submit', once(submitExport));
}

/** Clears the view for the next user: the form, the package shown and every message. */
export function resetEvidence() {
  evidenceGeneration += 1;
  $('export-form').reset();
  fill('export-files', []);
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
  $('export-summary').textContent = `${m.detections} detection${m.detections === 1 ? '' : 's'} under ${m.holds} hold${m.holds === 1 ? '' : 's'} for case ${m.caseNumber}, produced ${formatDateTime(m.generatedAt)} by ${m.generatedBy} (package ${exportId}, access log record ${m.accessLogSeq}). Save the files into a folder of this package's own: they keep the names SHA256SUMS lists, so sha256sum -c SHA256SUMS checks them there. Each download is recorded in the access log.`;
  // The manifest gives size and SHA-256 of every file but itself and SHA256SUMS, which are served too.
  const listed = new Map((m.files ?? []).map((file) => [file.name, file]));
  const tbody = fill('export-files', names.map((name) => {
    const file = listed.get(name);
    return [downloadLink(exportId, m.caseNumber, name, file?.sha256), file === undefined ? '' : String(file.bytes), file?.sha256 ?? ''];
  }));
  for (const row of tbody.children) row.children[2].className = 'digest';
}

function downloadLink(exportId, caseNumber, name, sha256) {
  const generation = evidenceGeneration;
  return packageFileLink({
    href: `/api/evidence/exports/${encodeURIComponent(exportId)}/${encodeURIComponent(name)}`,
    // Saved under the name SHA256SUMS gives it, so `sha256sum -c SHA256SUMS` checks the saved files
    // (the summary asks for a folder of the package's own).
    name, saveAs: name, label: `Download ${name} of the evidence package for case ${caseNumber}`,
    sha256,
    say: (kind, text) => {
      for (const id of ['export-error', 'export-status']) $(id).textContent = '';
      if (kind !== 'clear') $(kind === 'error' ? 'export-error' : 'export-status').textContent = text;
    },
    stillShown: () => generation === evidenceGeneration,
  });
}
