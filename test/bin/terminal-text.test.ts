// Text from cameras, files and users, printed to an operator's terminal: escapes, never control.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { printHit } from '../../bin/verbs/demo.js';
import { terminalText } from '../../bin/terminal-text.js';
import type { Hit, Read } from '../../matcher/index.js';

describe('terminalText', () => {
  it('shows control characters as escapes and leaves tabs and every other character as they are', () => {
    expect(terminalText('\u001b[31mred\u001b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(terminalText('a\r\nb\u0000\u007f\u009b\u2028')).toBe('a\\x0d\\x0ab\\x00\\x7f\\x9b\\u2028');
    expect(terminalText('Café 7ABC123\t· case «26-1»')).toBe('Café 7ABC123\t· case «26-1»');
    // The same escapes as the audit files (storage/control-text.ts): bidirectional overrides reorder what is read.
    expect(terminalText('case \u202e1-62\u2066x\u2069')).toBe('case \\u202e1-62\\u2066x\\u2069');
  });
});

describe('printHit', () => {
  it('prints a camera\'s read id and a member\'s synopsis with their escape sequences shown, not obeyed', () => {
    let out = '';
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { out += chunk.toString('utf8'); done(); } });
    const read: Read = { id: 'r1\u001b]0;owned\u0007', plate: '7ABC123' };
    const hit = {
      list: 'BOLO', entry: '7ABC123', plate: '7ABC123', kind: 'exact', distance: 0, positions: [], candidate: 0, stateMatch: null, state: undefined,
      vehicleMismatch: [], reason: 'Robbery', caseNumber: 'C26-1', synopsis: 'Armed\u001b[2J suspect', enteredBy: 'ofc1',
    } as unknown as Hit;
    printHit(sink, read, hit);
    expect(out).toBe('read r1\\x1b]0;owned\\x07: 7ABC123 → BOLO 7ABC123 [exact]\n    Robbery · case C26-1 · Armed\\x1b[2J suspect\n');
  });
});
