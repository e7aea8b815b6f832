import { describe, expect, it } from 'vitest';
import { MAX_PLATE_LENGTH, MIN_PLATE_LENGTH } from '../../matcher/config.js';
import { normalizePattern, normalizePlate, plateProblem } from '../../matcher/plate.js';
import { MAX_QUOTED_LENGTH, MAX_REASON_LENGTH } from '../../matcher/reason.js';

describe('normalizePlate', () => {
  it('drops spaces, dashes and dots', () => {
    expect(normalizePlate('7AB-C 1.23')).toEqual({ ok: true, plate: '7ABC123' });
  });

  it('drops the spaces and dashes that text copied from a document carries', () => {
    expect(normalizePlate('7ABC\u00a0123')).toEqual({ ok: true, plate: '7ABC123' }); // no-break space
    expect(normalizePlate('7ABC\u2013123')).toEqual({ ok: true, plate: '7ABC123' }); // en dash
    expect(normalizePlate('7ab\u202fc\u2014123')).toEqual({ ok: true, plate: '7ABC123' }); // narrow no-break space, em dash
    expect(normalizePlate('7ABC\u2212123')).toEqual({ ok: true, plate: '7ABC123' }); // minus sign
  });

  it('still refuses look-alike letters and digits from other scripts', () => {
    expect(normalizePlate('7\u0410BC123').ok).toBe(false); // Cyrillic А
    expect(normalizePlate('7\uff21BC123').ok).toBe(false); // fullwidth Ａ
    expect(normalizePlate('7ABC\uff11\uff12\uff13').ok).toBe(false); // fullwidth digits
  });

  it('upper-cases lower-case letters', () => {
    expect(normalizePlate('7abc123')).toEqual({ ok: true, plate: '7ABC123' });
  });

  it('trims surrounding whitespace', () => {
    expect(normalizePlate('  7ABC123\t')).toEqual({ ok: true, plate: '7ABC123' });
  });

  it('returns an already normal plate unchanged', () => {
    expect(normalizePlate('ABC123')).toEqual({ ok: true, plate: 'ABC123' });
  });

  it('accepts plates of 2 and of 8 characters', () => {
    expect(normalizePlate('AB')).toEqual({ ok: true, plate: 'AB' });
    expect(normalizePlate('ABCD1234')).toEqual({ ok: true, plate: 'ABCD1234' });
  });

  it('refuses a plate of 1 character, counted after separators are dropped', () => {
    const r = normalizePlate('A- .');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(`shorter than ${MIN_PLATE_LENGTH} characters`);
  });

  it('refuses a plate of 9 characters', () => {
    const r = normalizePlate('ABCD-12345');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(`longer than ${MAX_PLATE_LENGTH} characters`);
  });

  it('accepts 8 characters even when separators make the text longer', () => {
    expect(normalizePlate('AB-CD 12.34')).toEqual({ ok: true, plate: 'ABCD1234' });
  });

  it('says an empty plate is empty', () => {
    expect(normalizePlate('   ')).toEqual({ ok: false, reason: 'plate is empty' });
    expect(normalizePlate('-.-')).toEqual({ ok: false, reason: 'plate is empty' });
  });

  it('names the position of a character outside A-Z0-9 in the normalised plate it quotes', () => {
    expect(normalizePlate('7abc!12')).toEqual({ ok: false, reason: 'plate "7ABC!12" has a character outside A-Z0-9 at position 4' });
  });

  it('quotes only the head of a 600 KB plate, with its length, so the reason stays short', () => {
    const r = normalizePlate('A'.repeat(600_000));
    expect(r).toEqual({ ok: false, reason: `plate "${'A'.repeat(MAX_QUOTED_LENGTH)}…" (600000 characters) is longer than 8 characters` });
    if (!r.ok) expect(r.reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
  });

  it('refuses wildcards in a plate', () => {
    expect(normalizePlate('ABC*12').ok).toBe(false);
    expect(normalizePlate('ABC?12').ok).toBe(false);
  });

  it('refuses a non-ASCII letter on its own', () => {
    expect(normalizePlate('Aß').ok).toBe(false);
  });

  // String#toUpperCase would turn 'ß' into 'SS' and 'ı' (dotless i) into 'I'.
  it('refuses a non-ASCII letter even when the text also has a separator or lower-case letter', () => {
    expect(normalizePlate('A-ß').ok).toBe(false);
    expect(normalizePlate('abcı').ok).toBe(false);
  });
});

describe('plateProblem', () => {
  it('finds nothing wrong with a normal plate', () => {
    expect(plateProblem('7ABC123')).toBeNull();
    expect(plateProblem('AB')).toBeNull();
    expect(plateProblem('ABCD1234')).toBeNull();
  });

  it('does not normalise: lower case and separators are problems', () => {
    expect(plateProblem('abc123')).toBe('plate "abc123" has a character outside A-Z0-9 at position 0');
    expect(plateProblem('ABC-123')).toBe('plate "ABC-123" has a character outside A-Z0-9 at position 3');
  });

  it('reports length before characters', () => {
    expect(plateProblem('')).toBe('plate is empty');
    expect(plateProblem('a')).toBe('plate "a" is shorter than 2 characters');
    expect(plateProblem('abcdefghi')).toBe('plate "abcdefghi" is longer than 8 characters');
  });
});

describe('normalizePattern', () => {
  it('turns text without wildcards into a plain plate', () => {
    expect(normalizePattern('7abc-123', 3)).toEqual({ ok: true, pattern: '7ABC123', isPattern: false });
  });

  it('gives plain plates the plate rules, whatever minKnown is', () => {
    expect(normalizePattern('AB', 3)).toEqual({ ok: true, pattern: 'AB', isPattern: false });
    const long = normalizePattern('ABCD12345', 3);
    expect(long.ok).toBe(false);
    if (!long.ok) expect(long.reason).toContain('longer than 8 characters');
    expect(normalizePattern('', 3)).toEqual({ ok: false, reason: 'plate is empty' });
  });

  it('keeps ? and * and upper-cases and strips separators around them', () => {
    expect(normalizePattern(' ab-c?1.2 ', 3)).toEqual({ ok: true, pattern: 'ABC?12', isPattern: true });
    expect(normalizePattern('7ab*', 3)).toEqual({ ok: true, pattern: '7AB*', isPattern: true });
  });

  it('drops a no-break space and an en dash in a partial plate', () => {
    expect(normalizePattern('5KX\u00a0?77', 3)).toEqual({ ok: true, pattern: '5KX?77', isPattern: true });
    expect(normalizePattern('*XK9\u2013*', 3)).toEqual({ ok: true, pattern: '*XK9*', isPattern: true });
  });

  it('collapses runs of * into one', () => {
    expect(normalizePattern('AB***C', 3)).toEqual({ ok: true, pattern: 'AB*C', isPattern: true });
    expect(normalizePattern('**ABC**', 3)).toEqual({ ok: true, pattern: '*ABC*', isPattern: true });
  });

  it('collapses * runs that separators split', () => {
    expect(normalizePattern('AB*-*C', 3)).toEqual({ ok: true, pattern: 'AB*C', isPattern: true });
  });

  it('does not collapse * across a ?', () => {
    expect(normalizePattern('AB*?*C', 3)).toEqual({ ok: true, pattern: 'AB*?*C', isPattern: true });
  });

  it('refuses a pattern naming fewer known characters than minKnown', () => {
    expect(normalizePattern('A?*', 3)).toEqual({ ok: false, reason: 'pattern "A?*" names 1 characters; at least 3 are needed' });
    expect(normalizePattern('AB??', 3).ok).toBe(false);
    expect(normalizePattern('*', 1).ok).toBe(false);
  });

  it('does not count ? as a known character', () => {
    expect(normalizePattern('A???B', 3).ok).toBe(false);
    expect(normalizePattern('A???B', 2)).toEqual({ ok: true, pattern: 'A???B', isPattern: true });
  });

  it('accepts a pattern naming exactly minKnown characters', () => {
    expect(normalizePattern('A?B?C', 3)).toEqual({ ok: true, pattern: 'A?B?C', isPattern: true });
  });

  it('counts ? towards the fixed length: at most 8 fixed characters', () => {
    expect(normalizePattern('ABC?????', 3)).toEqual({ ok: true, pattern: 'ABC?????', isPattern: true });
    expect(normalizePattern('ABC??????', 3)).toEqual({
      ok: false,
      reason: 'pattern "ABC??????" needs 9 characters; plates have at most 8',
    });
  });

  it('does not count * towards the fixed length', () => {
    expect(normalizePattern('*A*B*C*D*E*F*G*H*', 3)).toEqual({ ok: true, pattern: '*A*B*C*D*E*F*G*H*', isPattern: true });
    expect(normalizePattern('*A*B*C*D*E*F*G*H*I*', 3).ok).toBe(false);
  });

  it('counts ? towards the minimum length: A? is a 2-character pattern', () => {
    expect(normalizePattern('A?', 1)).toEqual({ ok: true, pattern: 'A?', isPattern: true });
  });

  it('refuses a pattern without * that is shorter than 2 characters', () => {
    expect(normalizePattern('?', 0)).toEqual({ ok: false, reason: 'pattern "?" is shorter than 2 characters' });
  });

  it('accepts a short pattern with * because * can supply the rest', () => {
    expect(normalizePattern('A*', 1)).toEqual({ ok: true, pattern: 'A*', isPattern: true });
  });

  it('names the position of a bad character', () => {
    expect(normalizePattern('ABC!12', 3)).toEqual({ ok: false, reason: 'plate "ABC!12" has a character outside A-Z0-9?* at position 3' });
  });

  it('quotes only the head of an over-long pattern, with its length', () => {
    const r = normalizePattern(`${'A'.repeat(100_000)}*`, 3);
    expect(r).toEqual({ ok: false, reason: `pattern "${'A'.repeat(MAX_QUOTED_LENGTH)}…" (100001 characters) needs 100000 characters; plates have at most 8` });
  });

  it('names the position of a bad character in the text it quotes, separators included', () => {
    const r = normalizePattern('AB-C!', 3);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const match = /"(.*)" has a character outside A-Z0-9\?\* at position (\d+)/.exec(r.reason);
      expect(match).not.toBeNull();
      const [, quoted, position] = match as RegExpExecArray;
      expect((quoted as string)[Number(position)]).toBe('!');
    }
  });
});
