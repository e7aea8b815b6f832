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
const VAGUE_REASONS = new RegExp(
  '^(n ?a|none|nothing|test(ing)?|x+|investigation|search(ing)?|check(ing)?|lookup|looking|browsing|alpr|query|plate|info|work|' +
    'curious|curiosity|because|just (looking|checking|curious|because|browsing)|random|idk|whatever|stuff)$',
  'i',
);
/** One character over and over ("aaa", "zzzz"). */
const REPEATED_CHARACTER = /^(.)\1*$/;
/** §471.5 Impermissible Uses (c): the whole stated purpose is a personal one. */
const PERSONAL_PURPOSE = /^(for )?(personal|private)( (use|reasons?|matters?|business|interest))?$/i;
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
  if (words.length >= SHORTEST_REASON && !VAGUE_REASONS.test(words) && !REPEATED_CHARACTER.test(words)) return null;
  if (theCase === '' && why === '') return 'no case or incident number and no reason';
  return [theCase !== '' ? `case number "${theCase}" has no number in it` : '', why !== '' ? `the reason "${why}" does not say why the data is needed` : '']
    .filter((s) => s !== '')
    .join(' and ');
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
  return PERSONAL_PURPOSE.test(normaliseForClassifier(text));
}
