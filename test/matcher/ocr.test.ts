import { describe, expect, it } from 'vitest';
import { OcrAlphabet } from '../../matcher/ocr.js';

const code = (ch: string): number => ch.charCodeAt(0);
const PLATE_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

describe('OcrAlphabet with the default classes', () => {
  const alphabet = new OcrAlphabet();

  it.each([
    ['0ODQ', '0'],
    ['1IL', '1'],
    ['8B', '8'],
    ['5S', '5'],
    ['2Z', '2'],
    ['6G', '6'],
  ])('maps every character of %s to %s', (cls, representative) => {
    expect(alphabet.mapPlate(cls)).toBe(representative.repeat(cls.length));
    for (const ch of cls) expect(alphabet.symbolOf[code(ch)]).toBe(alphabet.symbolOf[code(representative)]);
  });

  it('maps a whole plate to class representatives', () => {
    expect(alphabet.mapPlate('B8O0')).toBe('8800');
    expect(alphabet.mapPlate('SLIDQZG')).toBe('5110026');
  });

  it('leaves characters outside the classes as they are', () => {
    expect(alphabet.mapPlate('ACEFHJKMNPRTUVWXY3479')).toBe('ACEFHJKMNPRTUVWXY3479');
  });

  it('has 27 plate symbols: 36 characters less the 9 folded into classes', () => {
    expect(alphabet.size).toBe(27);
  });

  it('numbers plate symbols 1..size and gives each class one symbol', () => {
    const symbols = new Set<number>();
    for (const ch of PLATE_CHARS) {
      const s = alphabet.symbolOf[code(ch)] as number;
      expect(s).toBeGreaterThanOrEqual(1);
      expect(s).toBeLessThanOrEqual(alphabet.size);
      symbols.add(s);
    }
    expect(symbols.size).toBe(alphabet.size);
  });

  it('gives ? and * their own symbols above the plate symbols', () => {
    expect(alphabet.anyOne).toBe(alphabet.size + 1);
    expect(alphabet.anyRun).toBe(alphabet.size + 2);
    expect(alphabet.anyOne).not.toBe(alphabet.anyRun);
    expect(alphabet.symbolOf[code('?')]).toBe(alphabet.anyOne);
    expect(alphabet.symbolOf[code('*')]).toBe(alphabet.anyRun);
  });

  it('gives symbol 0 to anything that is neither a plate character nor a wildcard', () => {
    for (const ch of ['a', 'o', '-', ' ', '.', '!', '@']) expect(alphabet.symbolOf[code(ch)]).toBe(0);
  });

  it('treats characters of one class as equivalent', () => {
    expect(alphabet.areEquivalent(code('O'), code('0'))).toBe(true);
    expect(alphabet.areEquivalent(code('D'), code('Q'))).toBe(true);
    expect(alphabet.areEquivalent(code('L'), code('I'))).toBe(true);
    expect(alphabet.areEquivalent(code('B'), code('8'))).toBe(true);
    expect(alphabet.areEquivalent(code('S'), code('5'))).toBe(true);
    expect(alphabet.areEquivalent(code('Z'), code('2'))).toBe(true);
    expect(alphabet.areEquivalent(code('G'), code('6'))).toBe(true);
  });

  it('treats characters of different classes as not equivalent', () => {
    expect(alphabet.areEquivalent(code('O'), code('1'))).toBe(false);
    expect(alphabet.areEquivalent(code('B'), code('5'))).toBe(false);
    expect(alphabet.areEquivalent(code('A'), code('4'))).toBe(false);
    expect(alphabet.areEquivalent(code('E'), code('F'))).toBe(false);
  });

  it('treats a character as equivalent to itself', () => {
    for (const ch of PLATE_CHARS) expect(alphabet.areEquivalent(code(ch), code(ch))).toBe(true);
  });

  it('does not make two unknown characters equivalent through symbol 0', () => {
    expect(alphabet.areEquivalent(code('a'), code('-'))).toBe(false);
    expect(alphabet.areEquivalent(code('ß'), code('0'))).toBe(false);
  });

  it('does not make a wildcard equivalent to a plate character', () => {
    expect(alphabet.areEquivalent(code('?'), code('A'))).toBe(false);
    expect(alphabet.areEquivalent(code('*'), code('?'))).toBe(false);
  });
});

describe('OcrAlphabet with custom classes', () => {
  const alphabet = new OcrAlphabet(['0O', 'UV']);

  it('folds only the configured classes', () => {
    expect(alphabet.areEquivalent(code('U'), code('V'))).toBe(true);
    expect(alphabet.areEquivalent(code('O'), code('0'))).toBe(true);
    expect(alphabet.areEquivalent(code('D'), code('0'))).toBe(false);
    expect(alphabet.areEquivalent(code('B'), code('8'))).toBe(false);
  });

  it('represents a class by its first character', () => {
    expect(alphabet.mapPlate('VUO0D')).toBe('UU00D');
  });

  it('sizes the alphabet to the classes: 36 less one per extra class member', () => {
    expect(alphabet.size).toBe(34);
    expect(alphabet.anyOne).toBe(35);
    expect(alphabet.anyRun).toBe(36);
  });

  it('has 36 symbols when there are no classes', () => {
    const plain = new OcrAlphabet([]);
    expect(plain.size).toBe(36);
    expect(plain.mapPlate('B8O0')).toBe('B8O0');
    expect(plain.areEquivalent(code('B'), code('8'))).toBe(false);
  });
});
