// Cyrillic and Greek letters drawn like Latin ones, read as those Latin letters: "ІСЕ" typed in
// Cyrillic is "ICE" to a reader and must be to the immigration screening too (found by an
// assessor: a Cyrillic "ІСЕ detainer" was accepted where the Latin one is refused). Shared by the
// classifier (storage/immigration.ts) and the password policy (storage/guessable-passwords.ts).
// Pure, no I/O. The pairs follow Unicode's confusables (UTS #39) for letters alone, case kept:
// the classifier tells an acronym from a word by its capitals.

const PAIRS =
  // Cyrillic capitals, then smalls.
  'АA ВB СC ЕE НH ІI ӀI ЈJ КK МM ОO РP ЅS ТT ХX УY ҮY ԚQ ԜW ' +
  'аa сc еe һh іi ӏl јj оo рp ѕs хx уy үy ԁd ԛq ԝw ' +
  // Greek capitals, then smalls.
  'ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX ' +
  'αa ιi κk νv οo ρp υu';

const LATIN_FOR: ReadonlyMap<string, string> = new Map(
  PAIRS.split(' ').map((pair) => [pair[0] as string, pair[1] as string]),
);

/** A word: letters, with any marks on them. Digits and punctuation end it. */
const WORD = /[\p{L}\p{M}]+/gu;
const HAS_LOOK_ALIKE = new RegExp(`[${[...LATIN_FOR.keys()].join('')}]`, 'u');
const LATIN_LETTER = /[A-Za-z]/;
const MARK = /\p{M}/u;

/**
 * Whether the letters of `word` are to be read as Latin: it mixes look-alikes with Latin letters
 * ("Іmmigration" with a Cyrillic "І"), or every letter of it is a look-alike ("ІСЕ"). A word with
 * a letter that only its own script has is genuine Cyrillic or Greek and left alone: "угон" keeps
 * its "у" and "о", so Russian or Greek text never reads as English.
 */
function isReadAsLatin(word: string): boolean {
  if (LATIN_LETTER.test(word)) return true;
  for (const ch of word) if (!LATIN_FOR.has(ch) && !MARK.test(ch)) return false;
  return true;
}

/**
 * `text` with the look-alike letters of each word read as Latin (see isReadAsLatin), case kept.
 * Run after NFKC and after removing invisible characters, so a zero-width space does not split a
 * word in two.
 */
export function lookAlikesAsLatin(text: string): string {
  if (!HAS_LOOK_ALIKE.test(text)) return text;
  return text.replace(WORD, (word) => {
    if (!HAS_LOOK_ALIKE.test(word) || !isReadAsLatin(word)) return word;
    let out = '';
    for (const ch of word) out += LATIN_FOR.get(ch) ?? ch;
    return out;
  });
}
