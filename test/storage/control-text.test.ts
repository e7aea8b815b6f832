// Text people and devices typed, with its control characters shown rather than obeyed
// (storage/control-text.ts): the one definition behind the audit memorandum, the transparency
// report and an operator's terminal.
import { describe, expect, it } from 'vitest';
import { controlsShown } from '../../storage/control-text.js';

describe('controlsShown', () => {
  it('shows the bidirectional marks as escapes: LRM, RLM and the Arabic letter mark reorder the text around them', () => {
    // Found by an assessor: an RLM before a case number makes "26-1" read otherwise in a terminal.
    expect(controlsShown('case \u200f26-1\u200e ok')).toBe('case \\u200f26-1\\u200e ok');
    expect(controlsShown('\u061c7ABC123')).toBe('\\u061c7ABC123');
  });

  it('shows the other bidirectional controls and C0/C1 controls as before, and keeps tab, `keep` and ordinary text', () => {
    expect(controlsShown('\u202e1-62\u2066x\u2069\u202a')).toBe('\\u202e1-62\\u2066x\\u2069\\u202a');
    expect(controlsShown('a\u0000\u001b[31m\u009b\u2028')).toBe('a\\x00\\x1b[31m\\x9b\\u2028');
    expect(controlsShown('line\nnext\tcol', '\n')).toBe('line\nnext\tcol');
    // Arabic and Hebrew letters themselves are text, not controls.
    expect(controlsShown('سرقة سيارة · גניבה · Café')).toBe('سرقة سيارة · גניבה · Café');
  });
});
