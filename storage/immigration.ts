// Immigration enforcement, recognised in one place for every check that refuses it. California
// Values Act, Gov. Code § 7284.6(a)(1): no agency resources — ALPR data included — to
// investigate, interrogate, detain, detect or arrest persons for immigration enforcement
// (Watsonville §471.2, §471.8(c)). Used by searches, hit views and legal holds (storage/purpose.ts),
// hot list designations, entries and loads, and releases (release-rules.ts); pure, no I/O.
//
// Two classifiers over text normalised first (`normaliseForClassifier`: NFKC, no diacritics,
// Cyrillic and Greek look-alikes read as Latin, dotted or spaced acronyms joined, punctuation as
// spaces):
// - `isImmigrationEnforcement(text)` for what someone wrote: a purpose, a reason, a synopsis, a
//   list name. Acronyms (ICE, CBP, HSI, ERO…) count only written as acronyms — capitals, dotted or
//   spaced — so "black ice crash" or "dhs student" is not a refusal, "assist I.C.E." is.
// - `immigrationAgencyIn(name)` for an agency's or a requester's name, where an acronym in any
//   case is the agency ("ice" typed by a clerk is still ICE).
// Both must let ordinary police work through: the unit test holds a list that must be refused and
// a list that must not (test/storage/immigration.test.ts).
import { lookAlikesAsLatin } from './confusables.js';

/** NFKC folds fullwidth and compatibility forms ("ＩＣＥ"); NFD then splits off diacritics. */
const COMBINING_MARKS = /\p{M}+/gu;
/** Zero-width spaces, joiners, soft hyphens: invisible inside a word ("I\u200bCE"). */
const FORMAT_CHARACTERS = /\p{Cf}+/gu;
const NOT_PLAIN_ASCII = /[^\x20-\x7e]/;
/** An apostrophe inside a word: "Dep't" is "Dept". */
const INNER_APOSTROPHE = /(?<=\p{L})['\u2018\u2019`\u00b4](?=\p{L})/gu;
/**
 * A possessive 's at a word's end: "ICE's request" is about ICE. Dropped with the apostrophe alone
 * it read "ICEs", which no acronym matched (found by QA: "at ICE's request" passed everywhere).
 */
const POSSESSIVE = /(?<=\p{L})['\u2018\u2019`\u00b4][sS](?![\p{L}\p{N}])/gu;
/** Two or more single letters separated by dots, spaces, hyphens, slashes or underscores: "I.C.E.", "U S I C E", "I-C-E", "u.s.". */
const LETTER_RUN = /(?<![\p{L}\p{N}])\p{L}(?:(?:\.\s*|[\s\-/_]+)\p{L}(?![\p{L}\p{N}]))+\.?/gu;
const DOTS_AND_SPACES = /[.\s\-/_]/g;
const NOT_WORD = /[^\p{L}\p{N}&()]+/gu;

/**
 * The text as the classifiers read it: NFKC, diacritics and invisible characters removed, Cyrillic
 * and Greek letters drawn like Latin ones read as Latin ("ІСЕ" in Cyrillic is "ICE"; a Russian
 * word is left alone: storage/confusables.ts), dotted or spaced single letters joined into one
 * upper-case acronym ("I.C.E." and "u s i c e" are "ICE" and "USICE"), apostrophes inside words
 * dropped, every other run of punctuation and space one space. Letter case is kept otherwise: it
 * tells an acronym from a word.
 */
export function normaliseForClassifier(text: string): string {
  let t = String(text ?? '');
  if (NOT_PLAIN_ASCII.test(t)) {
    t = t.normalize('NFKC').normalize('NFD').replace(COMBINING_MARKS, '').replace(FORMAT_CHARACTERS, '').normalize('NFC');
    t = lookAlikesAsLatin(t);
  }
  return t
    .replace(POSSESSIVE, '')
    .replace(INNER_APOSTROPHE, '')
    .replace(LETTER_RUN, (run) => run.replace(DOTS_AND_SPACES, '').toUpperCase())
    .replace(NOT_WORD, ' ')
    .trim();
}

/**
 * Federal immigration enforcement agencies by name: ICE with its directorates HSI and ERO; CBP with
 * the Border Patrol; USCIS and the former INS; the Department of Homeland Security named without a
 * component (presumed to be these); 287(g) task forces (local officers deputised for immigration
 * enforcement). The policy's own misspellings ("Immigrations", "Customs and Border Patrol", "CPB")
 * are covered. Matched case-insensitively in normalised text.
 */
const AGENCY_NAMES: ReadonlyArray<{ pattern: RegExp; name: string }> = [
  { pattern: /\bimmigrations? (and|&) customs\b/i, name: 'U.S. Immigration and Customs Enforcement (ICE)' },
  { pattern: /\bhomeland security investigations?\b/i, name: 'Homeland Security Investigations (HSI, part of ICE)' },
  { pattern: /\benforcement (and|&) removal\b/i, name: 'Enforcement and Removal Operations (ERO, part of ICE)' },
  // Not a museum or arena named after it ("theft at Border Patrol museum").
  { pattern: /\b(customs (and|&) )?border (patrol|protection)\b(?! (museum|arena)s?\b)/i, name: 'U.S. Customs and Border Protection (CBP)' },
  { pattern: /\bcitizenship (and|&) immigration\b/i, name: 'U.S. Citizenship and Immigration Services (USCIS)' },
  { pattern: /\bimmigration (and|&) naturali[sz]ation\b/i, name: 'the former Immigration and Naturalization Service (INS)' },
  {
    pattern: /\b((dept|department|dep) of homeland sec(urity)?|homeland sec(urity)? (dept|department)|(US|united states) homeland sec(urity)?)\b/i,
    name: 'the Department of Homeland Security (presumed ICE/CBP)',
  },
  { pattern: /\b287 ?\(? ?g ?\)?(?![A-Za-z0-9])/i, name: 'a 287(g) immigration enforcement task force' },
];

/** Acronyms of those agencies, as normalised ("U.S. I.C.E." is "US ICE", "U S I C E" is "USICE"). */
const AGENCY_ACRONYMS: ReadonlyMap<string, string> = new Map([
  ['ICE', 'U.S. Immigration and Customs Enforcement (ICE)'],
  ['USICE', 'U.S. Immigration and Customs Enforcement (ICE)'],
  ['HSI', 'Homeland Security Investigations (HSI, part of ICE)'],
  ['ERO', 'Enforcement and Removal Operations (ERO, part of ICE)'],
  ['CBP', 'U.S. Customs and Border Protection (CBP)'],
  ['USCBP', 'U.S. Customs and Border Protection (CBP)'],
  ['CPB', 'U.S. Customs and Border Protection (CBP)'],
  ['USBP', 'U.S. Customs and Border Protection (CBP)'],
  ['USCIS', 'U.S. Citizenship and Immigration Services (USCIS)'],
  ['DHS', 'the Department of Homeland Security (presumed ICE/CBP)'],
  ['USDHS', 'the Department of Homeland Security (presumed ICE/CBP)'],
  // The NCIC Immigration Violator File and the special registration program it held.
  ['IVF', 'the NCIC Immigration Violator File'],
  ['NSEERS', 'NSEERS special registration'],
]);

/**
 * Acronyms that need more than themselves in free text: DHS is also a county's Department of Human
 * Services. They count in names (an agency called "DHS") and in free text only as "US DHS".
 */
const NAME_ONLY_ACRONYMS: ReadonlySet<string> = new Set(['DHS']);

/**
 * Words next to an acronym that make it an everyday word, in any case: "BLACK ICE", "ICE CREAM",
 * "IVF clinic". "Ice" is also street methamphetamine: "sells ICE (meth)", "ICE trafficking".
 */
const EVERYDAY_NEIGHBOURS: ReadonlyMap<string, { before: ReadonlySet<string>; after: ReadonlySet<string> }> = new Map([
  ['ICE', {
    before: new Set(['black', 'dry', 'shaved', 'crushed', 'thin', 'slippery', 'crystal',
      'trafficking', 'sales', 'sale', 'sells', 'selling', 'sold', 'possession', 'dealer', 'dealing', 'meth', 'methamphetamine', 'grams', 'baggie']),
    after: new Set(['cream', 'creams', 'cube', 'cubes', 'storm', 'storms', 'rink', 'chest', 'machine', 'hockey', 'skate', 'skates', 'skating',
      'pick', 'tea', 'box', 'age', 'maker', 'pack', 'scraper', 'arena', 'patch', 'patches', 'melt', 'bucket', 'cold',
      'trafficking', 'sales', 'sale', 'possession', 'dealer', 'dealers', 'dealing', 'meth', 'methamphetamine', 'grams', 'baggie', 'baggies']),
  }],
  ['IVF', { before: new Set([]), after: new Set(['clinic', 'clinics', 'center', 'centre', 'treatment', 'lab', 'laboratory', 'patient', 'patients', 'doctor', 'embryo', 'embryos']) }],
]);

/**
 * Asking an agency or office for help, or handing it something: "assist", "notify", "requested by",
 * "share with"… Written before "ICE" or "the immigration office".
 */
const ASKING_OR_TELLING =
  '(assist(s|ed|ing|ance)?|help(s|ed|ing)?|notif(y|ying|ied)|contact(s|ed|ing)?|inform(s|ed|ing)?|alert(s|ed|ing)?|call(s|ed|ing)?|tip(ped)?( off)?|' +
  'requested by|requests? from|on behalf of|shar(e|ed|es|ing) with|refer(red|ring)? to|turn(ed|ing)? over to|hand(ed|ing)? over to|provid(e|ed|ing) to|' +
  'forward(ed|ing)? to|transfer(red|ring)? to|give to|gave to|send to|sent to)';

/**
 * Wording of immigration enforcement in free text, case-insensitive, English and Spanish. "Removal"
 * counts only as immigration removal (an order, proceedings, operations; of a noncitizen), never
 * snow, graffiti or a stolen part's removal; a detainer only as an immigration one (I-247, ICE).
 *
 * Crimes against immigrants are police work, not enforcement: "immigrant(s)" and "inmigrante(s)"
 * name people (victims, workers, families), so they count only as targets ("illegal immigrant",
 * "locate immigrant"); an immigration attorney's office, a notario's scam, a deportation scam, and
 * alien smuggling (8 U.S.C. § 1324, a crime of the smuggler) are crimes to investigate. "Illegal
 * alien" and the like stay refused even beside "smuggling".
 */
const ENFORCEMENT_WORDING: readonly RegExp[] = [
  // immigration, immigratión, inmigración — not immigrant(s), inmigrante(s), nor the trades and crimes around immigration.
  /\b(im|in)migra(?!nte?s?\b)\w*\b(?! (attorney|lawyer|law firm|clinic|services?|consultant|office|fraud|scam)s?\b)/i,
  /\b(illegal|unlawful|deportable|removable|excludable|criminal) (im|in)migrants?\b|\b(im|in)migrantes? (ilegal|indocumentad)\w*/i,
  /\b(locat|detain|arrest|apprehend|deport|round(ed|ing)? up|track)\w* (the |an |any |all )?(im|in)migrants?\b|\b(im|in)migrants? (locate|detain|arrest|apprehend|sweep|raid|roundup)\w*/i,
  new RegExp(`\\b${ASKING_OR_TELLING} (the )?(local )?(im|in)migration (office|services)\\b`, 'i'),
  /\bdeport\w*\b(?! (scam|fraud)s?\b)/i, // deportation, deportable, deportación; not a deportation scam
  /\b(undocumented|indocumentad[oa]s?)\b/i,
  /(?<!\bsmuggl\w* (of )?)\baliens?\b(?! smuggl)/i,
  /\b(illegal|unlawful|deportable|removable|excludable|criminal|undocumented) aliens?\b/i,
  /\bmigra\b/i, // "la migra"
  /\bvisa overstay\w*|\boverst(ay|ayed|ays|aying) (a |his |her |their |the )?visas?\b/i,
  /\b(illegal|unlawful)(ly)? (re ?entry|present|presence|entry (in(to)? )?(the )?(US|united states|country))\b/i,
  /\b(lawful|legal) (presence|residency|permanent residen\w*)\b|\blawful status\b/i,
  /\b(citizenship|residency|residence) status\b|\bproof of citizenship\b|\b(verify|check|confirm|determine)\w* (his |her |their |the |subject s |subjects )?citizenship\b/i,
  /\b(green card|permanent resident card)s?\b/i,
  /\b(expedited|administrative|final) removal\b|\borders? of (removal|deportation)\b|\bremovable (non ?citizens?|persons?|subjects?|individuals?)\b/i,
  /(?<!\b(vehicle|car|truck|tow|towing|snow|graffiti|debris|tree|trash|junk|waste|tire|tyre|hazard|hazmat|abandoned vehicle|parking) )\bremoval (orders?|proceedings?|hearings?|operations?|flights?|cases?|dockets?|warrants?)\b/i,
  /\bremoval\b.{0,60}\b(non ?citizens?|foreign nationals?|migrants?)\b|\b(non ?citizens?|foreign nationals?|migrants?)\b.{0,60}\bremoval\b/i,
  /\bnseers\b/i,
  /\b8 ?USC ?(1182|1225|1226|1227|1228|1229|1231|1252|1325|1326|1357)\b/i,
  // DHS forms: I-200 (warrant for arrest of alien), I-203 (order to detain), I-205 (warrant of
  // removal; bare "I-205" is also an Interstate in California), I-213, I-247 (detainers).
  /\bform I ?\d{1,4}[a-z]?\b|\bI ?(200|203|213|247[adnx]?)\b|\bI ?205 (warrant|form|order)\b/i,
  /\b(dhs|I ?247\w*) detainers?\b/i,
];

/** "ice" in lower case is a word unless the text around it makes it the agency. */
const ICE_IN_CONTEXT = new RegExp(
  '\\b(US )?ice (agents?|officers?|detainers?|holds?|raids?|custody|warrants?|ero|hsi|field offices?|deportation|removal|enforcement|detention|agency|operations?|task force|special agents?|sweeps?|arrests?)\\b' +
    `|\\b${ASKING_OR_TELLING} (the )?(US )?ice\\b`,
  'i',
);

/** Any of the acronyms as a whole word; built once. Case-sensitive for free text, any case for names. */
const ACRONYM_WORDS = `\\b(${[...AGENCY_ACRONYMS.keys()].join('|')})\\b`;
const ACRONYM_IN_TEXT = new RegExp(ACRONYM_WORDS, 'g');
const ACRONYM_IN_NAME = new RegExp(ACRONYM_WORDS, 'gi');

const PARENTHESES = /[()]/g;

/** The words just before and after a match, lower case, without parentheses ('' at either end): "ICE (meth)" has "meth" after. */
function neighbours(text: string, index: number, length: number): [string, string] {
  const before = text.slice(0, index).trimEnd();
  const after = text.slice(index + length).trimStart();
  return [
    before.slice(before.lastIndexOf(' ') + 1).replace(PARENTHESES, '').toLowerCase(),
    (after.split(' ', 1)[0] ?? '').replace(PARENTHESES, '').toLowerCase(),
  ];
}

/**
 * The agency an acronym in `normalised` text names. `anyCase`: names, where "hsi" is HSI;
 * otherwise free text, where only capitals count and name-only acronyms need "US" before them.
 */
function acronymIn(normalised: string, anyCase: boolean): string | undefined {
  const pattern = anyCase ? ACRONYM_IN_NAME : ACRONYM_IN_TEXT;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(normalised); m !== null; m = pattern.exec(normalised)) {
    const acronym = m[0].toUpperCase();
    const [before, after] = neighbours(normalised, m.index, m[0].length);
    if (!anyCase && NAME_ONLY_ACRONYMS.has(acronym) && before !== 'us') continue;
    const everyday = EVERYDAY_NEIGHBOURS.get(acronym === 'USICE' ? 'ICE' : acronym);
    if (everyday !== undefined && (everyday.before.has(before) || everyday.after.has(after))) continue;
    return AGENCY_ACRONYMS.get(acronym);
  }
  return undefined;
}

/**
 * Which federal immigration enforcement agency `name` (an agency's name, a requester's name and
 * title) is or names, or undefined. Acronyms count in any case here.
 */
export function immigrationAgencyIn(name: string): string | undefined {
  const t = normaliseForClassifier(name);
  if (t === '') return undefined;
  for (const { pattern, name: agency } of AGENCY_NAMES) if (pattern.test(t)) return agency;
  if (/\bcustoms\b/i.test(t)) return 'U.S. Customs and Border Protection (CBP) / ICE';
  return acronymIn(t, true);
}

/**
 * True when `text` — a search's or release's purpose, a hot list entry's reason or synopsis, a
 * list's name or purpose — is immigration enforcement, or names an immigration enforcement agency
 * (acronyms only written as acronyms: capitals, dotted or spaced).
 */
export function isImmigrationEnforcement(text: string): boolean {
  const t = normaliseForClassifier(text);
  if (t === '') return false;
  if (ENFORCEMENT_WORDING.some((p) => p.test(t))) return true;
  if (ICE_IN_CONTEXT.test(t)) return true;
  if (AGENCY_NAMES.some(({ pattern }) => pattern.test(t))) return true;
  return acronymIn(t, false) !== undefined;
}
