// Passwords a guesser tries first, for the password policy (storage/password.ts): one character
// or a short group repeated, a run along the alphabet, the digits or the keyboard, and passwords
// built on the words people use most. The words are drawn from the tops of published
// breach-frequency lists (the NCSC's "100,000 most common", SecLists) plus the words of this domain
// an attacker would try first. The lists are short on purpose: a password is compared after
// folding (case, accents, full-width forms: "Ｐäｓｓ" is "pass"), reading look-alikes as letters
// ("P@ssw0rd" is "password") and setting aside the few digits and symbols people add to pass a
// rule, so one entry stands for the thousands of variants a long list would spell out.
//
// Each check asks whether the password can be built from words of a vocabulary plus "added" pieces
// (digits and symbols, or a run, a repeat, a year or a date anywhere) costing at most MAX_ADDED.
// Passphrases stay safe because every letter must belong to a listed word: "Captain Morgan on the
// rocks please" contains two listed words but "morgan" and "rocks" are not, so it passes. Words
// separated by spaces count as one listed word at most (plus filler and department words only in
// the narrow checks below), so a phrase of several ordinary words is never refused for its words.

import { lookAlikesAsLatin } from './confusables.js';

/** The word "password" and its kin, in English and the languages users here are likeliest to use. */
const PASSWORD_WORDS = `
password passw passwd pass passcode passphrase pwd secret letmein login admin changeme
passwort kennwort contraseña clave motdepasse mot passe senha parola wachtwoord hasło пароль パスワード κωδικός
`;

/**
 * The department, its town and its work: refused alone, with digits and symbols, or with each
 * other and filler ("Welcome to Watsonville", "WatsonvillePD1!"). The one list of them.
 */
const DEPARTMENT_WORDS = `
watsonville martinez santacruz santa cruz ca city county welcome
police pd wpd mpd department dept policedepartment badge patrol officer policeofficer sheriff deputy
detective sergeant lieutenant captain commander chief dispatch dispatcher cop cops copper
lawenforcement protectandserve toprotectandserve
alpr platewatch licenseplate plate plates reader camera cameras hotlist bolo evidence analyst auditor
custodian supervisor
`;

/**
 * Words that carry no guess of their own; a password of only these and one of the lists above is
 * a phrase ("Thisismypassword1", "iloveyou4ever"). Never enough alone to refuse anything.
 */
const FILLER_WORDS = `
i a an the this that is am are was be been my me mine you your u we our us it its to of in on at for
with and or not no yes so very too much more all one ever forever always never love like best good
great new old strong super big here now again just only really also safe secure
`;

/** The most common passwords and words (with the two lists above). */
const WORDS = `
welcomehome administrator root master
qwerty qwertyuiop qwertyu qwert asdfgh asdfghjkl asdf zxcvbnm zxcvb qazwsx qazwsxedc azerty abc abcdef
iloveyou iloveu loveyou love lovely lover loveme trustno trustme whatever nothing anything something
football baseball basketball soccer hockey golf tennis volleyball softball
monkey dragon dragons tiger lion eagle falcon shadow sunshine princess princesa starwars batman superman
spiderman pokemon pikachu naruto matrix mustang ferrari porsche corvette harley yamaha jordan michael
jennifer jessica ashley charlie daniel thomas robert william andrew joshua matthew anthony nicole
michelle amanda melissa hannah samantha elizabeth christopher jonathan justin george hunter buster
killer pepper ginger cookie chocolate cheese banana orange apple cherry summer winter autumn
spring january february march april june july august september october november december monday
tuesday wednesday thursday friday saturday sunday freedom liberty america american usa california
cali losangeles sanfrancisco sandiego sacramento oakland sanjose fresno
hello hellothere helloworld goodbye computer internet google yahoo facebook twitter instagram linkedin
microsoft windows macbook iphone android samsung nintendo playstation xbox minecraft fortnite
change newpassword default guest user test testing tester temp temporary demo example sample
access accessgranted security secure private system manager office work company business service
support helpdesk server network database oracle mysql postgres
blink sparky rocky buddy maggie bailey bella lucky molly daisy sophie chloe lucy max jack jake toby
coffee beer whiskey vodka pizza hamburger
hotdog money dollar rich cash gold silver diamond platinum
peace happy smile angel angels heaven jesus christ god blessed faith grace hope
family mother father mommy daddy baby babygirl babyboy sweetheart honey sugar kitty puppy
flower flowers rainbow butterfly unicorn
superstar rockstar allstar champion winner victory
ninja samurai warrior knight king queen prince
music guitar piano
purple yellow green blue black white red
passion forever always together
zxcv
letmeinplease openup opensesame
abcabc abcd abcde
hottie sexy
fuckyou fuckoff asshole bitch
cowboys yankees lakers raiders steelers packers patriots eagles giants dodgers warriors fortyniners
fortyniner niners fortniners sharks kings
whatsup thankyou please sorry
mypassword yourpassword thepassword passwordpassword mypass
iamgod iamthebest bestfriend
michaeljordan kobebryant
jordans
letitbe
correcthorsebatterystaple correcthorse thequickbrownfox thequickbrownfoxjumpsoverthelazydog
iloveyoutoo iloveyouforever iloveyousomuch
letmeinnow comeon gogogo
blahblah
`;

/** Runs a guesser walks; the alphabet and keyboard doubled and the digits tripled so a run may wrap ("…7890123"). */
const RUNS = [
  'abcdefghijklmnopqrstuvwxyz'.repeat(2),
  '0123456789'.repeat(3),
  'qwertyuiopasdfghjklzxcvbnm'.repeat(2),
  // Walks along the keyboard's columns and zig-zags between its rows.
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/'.repeat(2),
  'zaq12wsxcde34rfvbgt56yhnmju78ik,.lo90p;/',
  '1qazxsw23edcvfr45tgbnhy67ujm,ki89ol./;p0',
  'zaq!xsw@cde#vfr$bgt%nhy^mju&,ki*.lo(/;p)',
  '!qaz@wsx#edc$rfv%tgb^yhn&ujm*ik,(ol.)p;/',
  'qazwsxedcrfvtgbyhnujmikolp',
  '1q2w3e4r5t6y7u8i9o0p',
  'q1w2e3r4t5y6u7i8o9p0',
  'qawsedrftgyhujikolp',
  '1234qwerasdfzxcv',
  'qweasdzxc',
  '!@#$%^&*()'.repeat(3),
  // The number pad.
  '7894561230',
  '1472583690',
  '3216549870',
].flatMap((run) => [run, [...run].reverse().join('')]);

/** The longest group repeated that counts as a run of one character ("abab…", "1231…"). */
const MAX_REPEATED_GROUP = 4;
/** The longest unit whose repetition makes a whole password one group repeated ("Trustno1trustno1"). */
const MAX_REPEATED_UNIT = 8;
/** The fewest letters a run or repeat inside a word must have to count as one: "wer" in "power" does not. */
const MIN_LETTER_PATTERN = 4;
/** Digits and symbols added to listed words beyond this many make more than the words plus a year or a "!". */
const MAX_ADDED = 8;
/** What a run, repeat, year or date adds, whatever its length: "!1234567890" adds about as much as "!12". */
const PATTERN_COST = 2;
/** Characters besides runs and repeats that still leave a password a run ("aaaaaaaaaaaa1"). */
const MAX_ODD_CHARACTERS = 2;
/** Pieces are looked at up to this long; longer runs are read as several. */
const MAX_PIECE = 16;

const LOOK_ALIKES: Readonly<Record<string, readonly string[]>> = {
  '0': ['o'], '1': ['i', 'l'], '!': ['i', 'l'], '|': ['l', 'i'], '3': ['e'], '€': ['e'], '4': ['a'], '@': ['a'], '5': ['s'], '$': ['s'],
  '7': ['t'], '+': ['t'], '8': ['b'], '9': ['g'], '(': ['c'],
};

const LETTER = /\p{L}/u;
const DIGIT = /\p{N}/u;

/**
 * The text as compared: compatibility forms folded (full-width "Ｐ" is "P"), Cyrillic and Greek
 * look-alikes read as Latin ("Раssword" with a Cyrillic "Р": storage/confusables.ts), lower case,
 * accents and other marks dropped ("Pässwörd" is "password"), "ß" as "ss".
 */
export function foldForComparison(text: string): string {
  return lookAlikesAsLatin(text.normalize('NFKC')).toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/ß/gu, 'ss');
}

/** The shortest group `text` is a repetition of (`text` itself when it repeats nothing). */
function repeatedGroup(text: string): string {
  for (let size = 1; size <= text.length / 2; size++) {
    if (text.length % size === 0 && text.slice(0, size).repeat(text.length / size) === text) return text.slice(0, size);
  }
  return text;
}

function isSimplePattern(text: string): boolean {
  return repeatedGroup(text).length <= MAX_REPEATED_GROUP || RUNS.some((run) => run.includes(text));
}

/** 19xx/20xx, or eight digits that read as a date (ddmmyyyy, mmddyyyy, yyyymmdd). */
function isYearOrDate(piece: string): boolean {
  if (/^(?:19|20)\d\d$/u.test(piece)) return true;
  if (!/^\d{8}$/u.test(piece)) return false;
  const day = (d: string): boolean => Number(d) >= 1 && Number(d) <= 31;
  const month = (m: string): boolean => Number(m) >= 1 && Number(m) <= 12;
  const year = (y: string): boolean => /^(?:19|20)/u.test(y);
  const [a, b] = [piece.slice(0, 2), piece.slice(2, 4)];
  return (year(piece.slice(4)) && ((day(a) && month(b)) || (month(a) && day(b))))
    || (year(piece) && month(piece.slice(4, 6)) && day(piece.slice(6)));
}

/** A run, a short group repeated (at least twice, a tail allowed: "hahah"), a year or a date. */
function isPatterned(piece: string, length: number): boolean {
  if (length < 2 || (length < MIN_LETTER_PATTERN && LETTER.test(piece))) return false;
  for (let size = 1; size <= Math.min(MAX_REPEATED_GROUP, length / 2); size++) {
    if (piece.slice(0, size).repeat(Math.ceil(piece.length / size)).slice(0, piece.length) === piece) return true;
  }
  return (length >= 3 && RUNS.some((run) => run.includes(piece))) || isYearOrDate(piece);
}

/** A stretch of the password that is not a listed word: where it ends, and what it is. */
interface Piece {
  readonly end: number;
  readonly length: number;
  readonly patterned: boolean;
  readonly lettered: boolean;
}

/** What a piece adds besides listed words: a pattern little, digits and symbols their number; letters cannot be added. */
function addedCost(piece: Piece): number | undefined {
  if (piece.patterned) return Math.min(piece.length, PATTERN_COST);
  return piece.lettered ? undefined : piece.length;
}

/** For the run check: runs and repeats are free, any other single character costs one. */
function oddCost(piece: Piece): number | undefined {
  if (piece.patterned) return 0;
  return piece.length === 1 ? 1 : undefined;
}

/** A password's characters, with the pieces that may start at each position found once for all the checks. */
interface Characters {
  readonly chars: readonly string[];
  readonly piecesAt: (at: number) => readonly Piece[];
}

function characters(chars: readonly string[]): Characters {
  const found = new Map<number, Piece[]>();
  const piecesAt = (at: number): readonly Piece[] => {
    const known = found.get(at);
    if (known !== undefined) return known;
    const pieces: Piece[] = [];
    let text = '';
    let lettered = false;
    for (let end = at + 1; end <= Math.min(chars.length, at + MAX_PIECE); end++) {
      const ch = chars[end - 1] as string;
      text += ch;
      lettered ||= LETTER.test(ch);
      pieces.push({ end, length: end - at, patterned: isPatterned(text, end - at), lettered });
    }
    // A repeat longer than that is one piece, however long ("Password" and 200 "!").
    for (let size = 1; size <= MAX_REPEATED_GROUP; size++) {
      let end = at + size;
      while (end < chars.length && chars[end] === chars[end - size]) end++;
      if (end - at > MAX_PIECE && end - at >= 2 * size) {
        pieces.push({ end, length: end - at, patterned: true, lettered: chars.slice(at, end).some((ch) => LETTER.test(ch)) });
      }
    }
    found.set(at, pieces);
    return pieces;
  };
  return { chars, piecesAt };
}

/** A trie of folded words; a `key` word is one a password must use for the vocabulary to refuse it. */
interface WordNode {
  readonly next: Map<string, WordNode>;
  word: 'key' | 'filler' | undefined;
}

function listed(words: string): string[] {
  return words.split(/\s+/u).filter((w) => w !== '');
}

function vocabulary(keys: Iterable<string>, fillers: Iterable<string> = []): WordNode {
  const root: WordNode = { next: new Map(), word: undefined };
  const add = (word: string, kind: 'key' | 'filler'): void => {
    let node = root;
    for (const ch of foldForComparison(word)) {
      let next = node.next.get(ch);
      if (next === undefined) node.next.set(ch, (next = { next: new Map(), word: undefined }));
      node = next;
    }
    if (node !== root && node.word !== 'key') node.word = kind;
  };
  for (const word of fillers) add(word, 'filler');
  for (const word of keys) add(word, 'key');
  return root;
}

const COMMON_KEYS = [...listed(WORDS), ...listed(PASSWORD_WORDS), ...listed(DEPARTMENT_WORDS)];
/** One common word, as a password with spaces may use. */
const COMMON = vocabulary(COMMON_KEYS);
/** Common words and filler run together, as a password without spaces may be ("iloveyou4ever2026"). */
const COMMON_RUN_TOGETHER = vocabulary(COMMON_KEYS, listed(FILLER_WORDS));
const PASSWORD_PHRASE = vocabulary(listed(PASSWORD_WORDS), listed(FILLER_WORDS));
const DEPARTMENT = vocabulary(listed(DEPARTMENT_WORDS), listed(FILLER_WORDS));

/**
 * Where words of `vocabulary` starting at `from` end, and whether each is a key word. Look-alikes
 * read as letters, and symbols inside a word are passed over ("pass-word"). A word needs one real
 * letter: "47" is no "at".
 */
function wordsAt(chars: readonly string[], from: number, root: WordNode): Array<{ end: number; key: boolean }> {
  const found: Array<{ end: number; key: boolean }> = [];
  let nodes: Array<{ node: WordNode; lettered: boolean }> = [{ node: root, lettered: false }];
  for (let at = from; at < chars.length && nodes.length > 0; at++) {
    const ch = chars[at] as string;
    const isLetter = LETTER.test(ch);
    const readings = [ch, ...(LOOK_ALIKES[ch] ?? [])];
    const passedOver = !isLetter && !DIGIT.test(ch);
    const next: typeof nodes = [];
    for (const { node, lettered } of nodes) {
      if (passedOver && node !== root) next.push({ node, lettered });
      for (const reading of readings) {
        const child = node.next.get(reading);
        if (child === undefined) continue;
        next.push({ node: child, lettered: lettered || isLetter });
        if (child.word !== undefined && (lettered || isLetter)) found.push({ end: at + 1, key: child.word === 'key' });
      }
    }
    nodes = next;
  }
  return found;
}

interface Building {
  /** Absent: pieces only. */
  readonly words?: WordNode;
  /** How many key words may be used; at least one must be when there are words. @default Infinity */
  readonly maxKeyWords?: number;
  readonly pieceCost: (piece: Piece) => number | undefined;
  readonly budget: number;
}

/** Whether `chars` splits into words and pieces as `building` allows, the pieces costing at most its budget. */
function canBuild({ chars, piecesAt }: Characters, building: Building): boolean {
  const { words, maxKeyWords = Infinity, pieceCost, budget } = building;
  const n = chars.length;
  // least[at * 3 + k]: the least cost of building chars[0, at) with k key words used (2: two or more).
  const least = new Array<number>((n + 1) * 3).fill(Infinity);
  least[0] = 0;
  const relax = (at: number, k: number, cost: number): void => {
    if (cost <= budget && k <= maxKeyWords && cost < (least[at * 3 + k] as number)) least[at * 3 + k] = cost;
  };
  for (let at = 0; at < n; at++) {
    const reached = [0, 1, 2].filter((k) => (least[at * 3 + k] as number) <= budget);
    if (reached.length === 0) continue;
    const ends = words === undefined ? [] : wordsAt(chars, at, words);
    const pieces = piecesAt(at);
    for (const k of reached) {
      const cost = least[at * 3 + k] as number;
      for (const word of ends) relax(word.end, word.key ? Math.min(k + 1, 2) : k, cost);
      for (const piece of pieces) {
        const added = pieceCost(piece);
        if (added !== undefined) relax(piece.end, k, cost + added);
      }
    }
  }
  const done = (k: number): boolean => (least[n * 3 + k] as number) <= budget;
  return words === undefined ? done(0) || done(1) || done(2) : done(1) || done(2);
}

function isBuiltOn(text: Characters, words: WordNode, maxKeyWords = Infinity): boolean {
  return canBuild(text, { words, maxKeyWords, pieceCost: addedCost, budget: MAX_ADDED });
}

/**
 * `chars` without the second copy of a word it has at both ends of its letters, with only digits
 * and symbols between ("Winter 2026 Winter" → "winter2026"); none when it has no such word.
 */
function withoutRepeatedWord(chars: readonly string[]): string[][] {
  let first = 0;
  let last = chars.length;
  while (first < last && !LETTER.test(chars[first] as string)) first++;
  while (last > first && !LETTER.test(chars[last - 1] as string)) last--;
  const out: string[][] = [];
  for (let size = 2; size * 2 < last - first; size++) {
    const word = chars.slice(first, first + size).join('');
    const between = chars.slice(first + size, last - size);
    if (chars.slice(last - size, last).join('') === word && !between.some((ch) => LETTER.test(ch))) {
      out.push([...chars.slice(0, last - size), ...chars.slice(last)]);
    }
  }
  return out;
}

/** Personal words: each of `texts` whole and split into its words ("R. Diaz" is "r" and "diaz"). */
function personalWords(texts: readonly string[]): string[] {
  return texts.flatMap((text) => {
    const folded = foldForComparison(text);
    return [...folded.split(/[^\p{L}\p{N}]+/u), ...folded.split(/[^\p{L}]+/u)];
  }).filter((w) => w !== '');
}

const SIMPLE_PROBLEM = 'a password may not be one character or a short group repeated, or a run such as "abcdef…", "123456…" '
  + 'or "qwerty…" (with or without a character added); use a passphrase of several unrelated words';
const PERSONAL_PROBLEM = 'a password may not be built on your user id, name or title; use a passphrase of several unrelated words';
const DEPARTMENT_PROBLEM = 'a password may not be built on the name of the department or its town (such as "WatsonvillePD1!"); '
  + 'use a passphrase of several unrelated words';
const COMMON_PROBLEM = 'this password is built on one of the most commonly used passwords or words (digits, symbols, or look-alikes '
  + 'such as "@" for "a", do not hide it); use a passphrase of several unrelated words';

/**
 * Why `password` is among the first a guesser would try, or null. `personal`: the user's id, name
 * and title, refused as the whole password with digits and symbols ("Lieutenant Diaz 2026").
 * Compared folded (foldForComparison) with white space dropped, so "Pass Word 1234" is "password1234".
 */
export function guessablePasswordProblem(password: string, personal: readonly string[] = []): string | null {
  const folded = foldForComparison(password);
  const joined = folded.replace(/\s+/gu, '');
  if (isSimplePattern(joined)) return SIMPLE_PROBLEM;
  const text = characters([...joined]);
  // An initial ("R." of "R. Diaz") may fill in but is not enough alone.
  const own = personalWords(personal);
  const ownKeys = own.filter((w) => [...w].length > 1);
  const ownFillers = [...own.filter((w) => [...w].length === 1), ...listed(DEPARTMENT_WORDS), ...listed(FILLER_WORDS)];
  if (ownKeys.length > 0 && isBuiltOn(text, vocabulary(ownKeys, ownFillers))) return PERSONAL_PROBLEM;
  if (isBuiltOn(text, DEPARTMENT)) return DEPARTMENT_PROBLEM;
  if (canBuild(text, { pieceCost: oddCost, budget: MAX_ODD_CHARACTERS })) return SIMPLE_PROBLEM;
  // Words with spaces between them are a passphrase unless only one is listed (or it is about passwords).
  const spaced = /\S\s+\S/u.test(folded);
  const unit = repeatedGroup(joined);
  if (isBuiltOn(text, spaced ? COMMON : COMMON_RUN_TOGETHER, spaced ? 1 : Infinity)
    || (unit !== joined && isBuiltOn(characters([...unit]), COMMON, 1))
    || withoutRepeatedWord(text.chars).some((rest) => isBuiltOn(characters(rest), COMMON, 1))
    || isBuiltOn(text, PASSWORD_PHRASE)) {
    return COMMON_PROBLEM;
  }
  return unit !== joined && unit.length <= MAX_REPEATED_UNIT ? SIMPLE_PROBLEM : null;
}
