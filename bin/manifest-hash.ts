// The last line of a package export (evidence export, release export): manifest.json's SHA-256,
// as the access log records it (storage/package-writer.ts manifestRecordDetail), for the property
// form. One wording for both, so a records clerk copies it from the same place every time.
import { terminalText } from './terminal-text.js';
import type { VerbIO } from './verb.js';

/** Printed last, on its own line: the access log has the same, and README.txt says how to check it. */
export function printManifestHash(io: Pick<VerbIO, 'stdout'>, manifestSha256: string): void {
  io.stdout.write(`manifest.json SHA-256 (recorded in the access log; write it on the property form):\n  ${terminalText(manifestSha256)}  manifest.json\n`);
}
