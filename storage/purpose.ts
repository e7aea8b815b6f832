// The purpose every detection search, export and hit view must carry: Watsonville §471.7(e) — every
// ALPR detection browsing inquiry is documented by a case or incident number and/or a reason —
// and may not be immigration enforcement (California Values Act, Gov. Code § 7284.6(a)(1)).
import { isImmigrationEnforcement, normaliseForClassifier } from './immigration.js';

export interface Purpose {
  /** Department case or incident number. */
  caseNumber?: string;
  /** Why the data is being accessed. */
  reason?: string;
}

// Words that say nothing about why the data is needed. A search refuses them when no case number
// comes with them, and the audit flags any such record in the log (one made before this check).
// Compared as the classifiers read text (NFKC, no diacritics or invisible characters, spaced
// letters joined), so "t e s t", "tést" and a zero-width "test" are "test" too (found by QA).
// Also read with letters held down collapsed ("curiousss") and with no spaces ("justchecking").
const VAGUE_REASONS = new RegExp(
  '^(n ?a|none|nothing|(test ?)+(ing)?\\d*|x+|investigation|search(ing)?|check(ing)?|lookup|looking|browsing|alpr|query|plate|info|work|demo|' +
    'curious|curiosity( ?only)?|i ?was ?curious|because( ?i ?can)?|cuz|just ?(looking|checking|check|curious|because|browsing)|only ?checking|' +
    'random( ?checks?)?|(no|any) ?reason|for ?fun|fishing|idk|whatever|stuff|asdf\\w*|qwerty\\w*|' +
    // Filler typed to get past the field: each of these went through as a reason before (2026-12-07).
    'tbd|to ?do|pending|blah( ?blah)*|lol|ok(ay)?|yes|hi|hello|foo|bar|foobar|reason|purpose|case|see ?(the )?(case|report|file|notes?|above)|' +
    // The authority, not the reason: what every search is for, which is why the policy asks why this one is.
    '(official|police|department|dept|law ?enforcement|investigat(ion|ive)|work) ?(business|purposes?|related|use|reasons?|matters?)|' +
    'law ?enforcement|investigative)$',
  'i',
);
/** Letters in a row on a keyboard or in the alphabet: "abc", "asd", "hjkl", "xyz", "abc123" (a hand filling the field). */
const KEY_RUNS = ['abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const SHORTEST_KEY_RUN = 3;
/** One word of letters, digits after it or not ("abc", "asdf1"): the letters. */
const LETTERS_THEN_DIGITS = /^(\p{L}+)\d*$/u;
/** A few characters typed over and over: "sdfsdf", "blahblah", "abab". */
const REPEATED_CHUNK = /^(.{2,4})\1+$/;
/** No letter at all: "123", "26-4411" (a number goes in the case number field, where it documents the inquiry). */
const NO_LETTER = /^\P{L}*$/u;
/** One character over and over ("aaa", "zzzz"). */
const REPEATED_CHARACTER = /^(.)\1*$/;
/** A letter held down: three or more of it in a row. */
const HELD_LETTER = /(\p{L})\1{2,}/gu;
/** §471.5 Impermissible Uses (c): the whole stated purpose is a personal one. */
const PERSONAL_PURPOSE = /^(for )?(personal|private)( (use|reasons?|matters?|business|interest))?( only| ex)?$/i;
/**
 * A purpose about the searcher's own people (§471.5 Impermissible Uses (c)): "my ex", "for a friend".
 * Only with "my": a victim's ex-boyfriend or a suspect's friend is police work.
 */
const PERSONAL_RELATION = /\b(for )?my (ex|ex ?(wife|husband|girlfriend|boyfriend|partner)|(girl|boy)friend|wife|husband|neighbou?rs?|daughter|son|kids?|mom|mother|dad|father|brother|sister|family|relatives?|landlord|tenant|roommate)\b|\b(for|favou?r for|looking up) a friend\b/i;
const SHORTEST_REASON = 3;
// Case and incident numbers carry digits (WPD-26-0100, V260201831); a word in that field is not one.
const CASE_NUMBER = /\d/;

/**
 * What keeps a case number and reason from documenting an inquiry (§471.7(e)), or null when they
 * do: a case number with a digit in it, or a reason that says more than a placeholder word.
 */
export function undocumentedPurpose(caseNumber: string, reason: string): string | null {
  const theCase = caseNumber.trim();
  const why = reason.trim();
  if (CASE_NUMBER.test(theCase)) return null;
  const words = normaliseForClassifier(why);
  const held = words.replace(HELD_LETTER, '$1');
  const joined = held.replace(/\s+/g, '');
  const vague = [words, held, joined].some((form) => VAGUE_REASONS.test(form) || REPEATED_CHARACTER.test(form)) ||
    NO_LETTER.test(words) || REPEATED_CHUNK.test(joined.toLowerCase()) || isKeyRun(joined);
  if (words.length >= SHORTEST_REASON && !vague) return null;
  if (theCase === '' && why === '') return 'no case or incident number and no reason';
  return [theCase !== '' ? `case number "${theCase}" has no number in it` : '', why !== '' ? `the reason "${why}" does not say why the data is needed` : '']
    .filter((s) => s !== '')
    .join(' and ');
}

/** One word that is letters in a row on a keyboard or in the alphabet, digits after them or not. */
function isKeyRun(word: string): boolean {
  const letters = LETTERS_THEN_DIGITS.exec(word.toLowerCase())?.[1];
  return letters !== undefined && letters.length >= SHORTEST_KEY_RUN && KEY_RUNS.some((row) => row.includes(letters));
}

/** Why the user/purpose pair is not enough, or null when it is. */
export function purposeProblem(user: string | undefined, purpose: Purpose | undefined): string | null {
  if (user === undefined || user.trim() === '') return 'a user is required: every access is recorded by name (Watsonville §471.7(b))';
  const caseNumber = purpose?.caseNumber ?? '';
  const reason = purpose?.reason ?? '';
  const problem = undocumentedPurpose(caseNumber, reason);
  if (problem === null) return null;
  if (caseNumber.trim() === '' && reason.trim() === '') return 'a case or incident number and/or a reason is required (Watsonville §471.7(e))';
  return `${problem}: give a case or incident number, or a reason such as "stolen vehicle follow-up, report 26-4411" (Watsonville §471.7(e))`;
}

/**
 * Why the stated purpose is one the policy forbids outright, or null. Only immigration enforcement
 * is refused up front (Values Act; Watsonville §471.2, §471.8(c)): its classifier is written to
 * refuse nothing else (storage/immigration.ts). Other forbidden uses (§471.5(b)(c)(e)) cannot be
 * told from a few words without refusing police work, so the audit flags them for review instead.
 */
export function prohibitedPurpose(purpose: Purpose | undefined): string | null {
  if (isPersonalPurpose(purpose?.reason ?? '')) return 'the stated purpose is a personal one, for which ALPR data is never used (Watsonville §471.5 Impermissible Uses (c))';
  if (!isImmigrationEnforcement(purpose?.reason ?? '') && !isImmigrationEnforcement(purpose?.caseNumber ?? '')) return null;
  return 'the stated purpose is immigration enforcement, for which ALPR data is never used ' +
    '(California Values Act, Gov. Code § 7284.6(a)(1); Watsonville §471.2, §471.8(c))';
}

/** The whole stated purpose is a personal one ("personal", "private reasons"); §471.5 Impermissible Uses (c). */
export function isPersonalPurpose(text: string): boolean {
  const words = normaliseForClassifier(text);
  return PERSONAL_PURPOSE.test(words) || PERSONAL_RELATION.test(words);
}
