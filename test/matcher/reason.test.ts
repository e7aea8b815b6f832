import { describe, expect, it } from 'vitest';
import { boundedReason, MAX_QUOTED_LENGTH, MAX_REASON_LENGTH, quoted } from '../../matcher/index.js';

describe('quoted', () => {
  it('quotes short text whole', () => {
    expect(quoted('7ABC123')).toBe('"7ABC123"');
    expect(quoted('x'.repeat(MAX_QUOTED_LENGTH))).toBe(`"${'x'.repeat(MAX_QUOTED_LENGTH)}"`);
  });

  it('quotes the head of long text, then an ellipsis and its length', () => {
    expect(quoted('x'.repeat(600_000))).toBe(`"${'x'.repeat(MAX_QUOTED_LENGTH)}…" (600000 characters)`);
  });

  it('does not split a surrogate pair at the cut', () => {
    const text = `${'x'.repeat(MAX_QUOTED_LENGTH - 1)}😀tail`;
    expect(quoted(text)).toBe(`"${'x'.repeat(MAX_QUOTED_LENGTH - 1)}…" (${text.length} characters)`);
  });
});

describe('boundedReason', () => {
  it('leaves a reason within the limit alone', () => {
    expect(boundedReason('conf is missing')).toBe('conf is missing');
  });

  it('cuts a longer reason to MAX_REASON_LENGTH characters ending in an ellipsis', () => {
    const cut = boundedReason(`not valid msgpack: ${'y'.repeat(10_000)}`);
    expect(cut).toHaveLength(MAX_REASON_LENGTH);
    expect(cut.startsWith('not valid msgpack: yyy')).toBe(true);
    expect(cut.endsWith('…')).toBe(true);
  });
});
