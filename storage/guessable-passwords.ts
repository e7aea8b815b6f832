// Passwords a guesser tries first, for the password policy (storage/password.ts): one character
// or a short group repeated, a run along the alphabet, the digits or the keyboard, and passwords
// built on the words people use most. The words are drawn from the tops of published
// breach-frequency lists (the NCSC's "100,000 most common", SecLists) plus the words of this domain
// an attacker would try first. The list is short on purpose: each password's core is compared
// (digits and symbols trimmed from both ends, look-alikes read as letters: "P@ssw0rd2026!" is
// "password"), so one entry stands for the thousands of variants a long list would spell out.

/** Lower case letters only: spaces, digits and symbols are dropped before comparing. */
const WORDS = `
password passw passwd pass secret letmein welcome welcomehome login admin administrator root master
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
changeme change newpassword default guest user test testing tester temp temporary demo example sample
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
police policeofficer sheriff deputy officer detective sergeant lieutenant captain commander chief
dispatch dispatcher patrol badge cop copper lawenforcement protectandserve toprotectandserve
watsonville martinez santacruz alpr platewatch licenseplate plate plates reader camera cameras
hotlist bolo evidence analyst auditor custodian supervisor
correcthorsebatterystaple correcthorse thequickbrownfox thequickbrownfoxjumpsoverthelazydog
iloveyoutoo iloveyouforever iloveyousomuch
letmeinnow comeon gogogo
blahblah
`;
const COMMON_WORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter((w) => w !== ''));

/** Runs a guesser walks; the alphabet and keyboard doubled and the digits tripled so a run may wrap ("…7890123"). */
const RUNS = [
  'abcdefghijklmnopqrstuvwxyz'.repeat(2),
  '0123456789'.repeat(3),
  'qwertyuiopasdfghjklzxcvbnm'.repeat(2),
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/'.repeat(2),
  '!@#$%^&*()'.repeat(3),
].flatMap((run) => [run, [...run].reverse().join('')]);

/** The longest group repeated to make a password that counts as one character repeated. */
const MAX_REPEATED_GROUP = 4;
/** Digits and symbols trimmed from a common word beyond this many make it more than the word plus a year or a "!". */
const MAX_TRIMMED = 8;

const LOOK_ALIKES: Readonly<Record<string, readonly string[]>> = {
  '0': ['o'], '1': ['i', 'l'], '!': ['i', 'l'], '3': ['e'], '4': ['a'], '@': ['a'], '5': ['s'], '$': ['s'], '7': ['t'], '+': ['t'],
};

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

/** The letters of `core` with each look-alike read as each letter it may stand for (at most a few spellings). */
function spellings(core: string): string[] {
  let out = [''];
  for (const ch of core) {
    const letters = LOOK_ALIKES[ch] ?? (/\p{L}/u.test(ch) ? [ch] : ['']);
    out = out.flatMap((s) => letters.map((l) => s + l));
    if (out.length > 64) out = out.slice(0, 64);
  }
  return out;
}

function isCommonWord(spelling: string): boolean {
  return spelling !== '' && (COMMON_WORDS.has(spelling) || COMMON_WORDS.has(repeatedGroup(spelling)));
}

/**
 * Why `password` is among the first a guesser would try, or null. Compared in lower case with
 * white space dropped, so "Pass Word 1234" is "password1234".
 */
export function guessablePasswordProblem(password: string): string | null {
  const text = password.toLowerCase().replace(/\s+/gu, '');
  if (isSimplePattern(text)) {
    return 'a password may not be one character or a short group repeated, or a run such as "abcdef…", "123456…" or "qwerty…"';
  }
  // The core: the password without the digits and symbols people add at the ends to pass a rule.
  const core = /^[^\p{L}]*(.*?)[^\p{L}]*$/su.exec(text)?.[1] ?? '';
  const trimmed = text.length - core.length;
  const addsLittle = trimmed <= MAX_TRIMMED || isSimplePattern(text.replace(core, ''));
  if (addsLittle && spellings(core).some(isCommonWord)) {
    return 'this password is built on one of the most commonly used passwords or words (digits or symbols added at the ends, ' +
      'or look-alikes such as "@" for "a", do not hide it); choose a phrase of several unrelated words';
  }
  return null;
}
