// The guessable-password rules (storage/guessable-passwords.ts), through the real password policy:
// what a guesser tries first is refused however it is dressed up, and realistic passphrases,
// random strings and phrases that merely contain a common word are not.
import { describe, expect, it } from 'vitest';
import { passwordProblem } from '../../storage/index.js';

const SIMPLE = /^a password may not be one character or a short group repeated, or a run/;
const COMMON = /most commonly used passwords or words/;
const DEPARTMENT = /department or its town/;

function refusals(passwords: readonly string[], userId = 'u1'): Record<string, string | null> {
  return Object.fromEntries(passwords.map((p) => [p, passwordProblem(p, userId)]));
}

function expectAll(passwords: readonly string[], pattern: RegExp): void {
  for (const [password, problem] of Object.entries(refusals(passwords))) expect(problem, password).toMatch(pattern);
}

describe('guessable passwords', () => {
  it('refuses a repeat or a run with a character added at an end, or a repeated syllable with a "!"', () => {
    expectAll(['aaaaaaaaaaaa1', 'Zzzzzzzzzzzz!', '111111111111a', '!aaaaaaaaaaaa', 'Hahahahahahaha!', 'abcdefghijkl!', '!!!!aaaaaaaa'], SIMPLE);
  });

  it('refuses a keyboard walk up and down the columns', () => {
    expectAll(['1q2w3e4r5t6y', 'zaq12wsxcde3', 'q1w2e3r4t5y6', '1qazxsw23edc', 'zaq!xsw@cde#'], SIMPLE);
  });

  it('refuses a common word doubled, or split by digits or symbols, and a short unit repeated', () => {
    expectAll(['Passw0rd!Passw0rd!', 'Password2026Password', 'Winter2026Winter2026', 'Spring2026Spring', 'Winter 2026 Winter',
      'Password! Password!'], COMMON);
    expectAll(['Trustno1trustno1', 'abc123abc123abc123'], /^a password may not be|most commonly used/);
  });

  it('refuses a common word with a run, a year, a date or a repeat added, however long', () => {
    expectAll(['Password!1234567890', 'Iloveyou!1234567890', '1234567890!Password', 'Password!01011990', 'Dragon!!!!!!!!!!!!'], COMMON);
  });

  it('refuses a common phrase run together, and a phrase of only filler and password words', () => {
    expectAll(['Thisismypassword1', 'myp@ssw0rdisstrong', 'iloveyou4ever2026', 'This is my password 1', 'my password is strong'], COMMON);
  });

  it('refuses the department and its town, alone, with digits or symbols, or with each other', () => {
    expectAll(['WatsonvillePD1!', 'Watsonville PD 2026', 'Welcome to Watsonville', 'Watsonville2026', 'WatsonvillePolice!', 'Badge 4471 Patrol', 'Badge4471Badge4471'], DEPARTMENT);
  });

  it('reads accents, full-width letters and the word "password" in other languages', () => {
    expectAll(['Passwort2026!', 'Contraseña2026!', 'Mot2passe2026!', 'Pässwörd2026!!', 'Ｐａｓｓｗｏｒｄ２０２６', 'Пароль2026!!!', 'パスワード20262026'], COMMON);
  });

  it('reads Cyrillic and Greek letters drawn like Latin ones as Latin (storage/confusables.ts)', () => {
    // A Cyrillic "Р" and "а", a Greek "Ο": the same password to anyone reading it.
    expectAll(['\u0420\u0430ssword2026!', 'Dr\u0430g\u039fn2026!!', 'S\u0435cr\u0435t20262026'], COMMON);
    expectAll(['W\u0430tsonvill\u0435PD1!'], DEPARTMENT);
  });

  it('accepts realistic passphrases, random strings, and phrases that contain common words', () => {
    const fine = [
      'correct horse battery', 'Captain Morgan on the rocks please', 'football sunday with my kids 2025', 'battery garden lamp',
      'tR7#kq9!Lm2x', 'S3cret-Staple-Lamp', 'walrus tango 1917', 'blue847392016283', 'a long enough passphrase', 'Zoë’s señal ñandú',
      '  padded passphrase 10  ', 'Xk9$mQ2pL7vR', 'h8Gz!w2Nq#4Tb', 'qQ3!vB8@rT5#', 'DragonfruitSmoothie42', 'mountainbikeriverstone',
      'mi perro come tortillas los domingos', 'el gato duerme en la ventana', 'Mañana vamos a la playa', 'contraseña de mi abuela Rosa',
      'Der Hund schläft unter dem Tisch', 'Kaffee mit Milch und zwei Zucker', 'Grüße aus München 2026', 'Über den Wolken muss die Freiheit',
      'le chat mange des croissants', 'Où est la bibliothèque ce soir', 'Кошка спит на крыше дома', 'медведь пьёт чай с малиной',
      '猫が屋根の上でぐっすり寝ている', 'さくらの花が咲く春の日曜日', 'Η γάτα κοιμάται στη στέγη', 'καλημέρα θάλασσα και ήλιος',
      'purple elephant dances quietly', 'my grandmother bakes apple strudel', "Tuesday tacos at Lupita's 7pm", 'monkey banana spaceship 77',
      'Sunshine over Monterey Bay', 'orange cat + lazy dog = love', 'the summer of 69 was great', 'I love tacos more than pizza',
      'Strawberry fields 1967 forever', 'coffee first, then patrol', 'password manager generated: 9fK2#pLq8Zw', 'ranchero sauce on eggs 2026',
      'ocean breeze at Capitola wharf', 'Greek salad with feta and olives', 'Gravenstein apples in September', 'Jupiter, Saturn and Neptune!',
      'bicycle+umbrella+volcano', 'seven lazy otters in Elkhorn Slough', 'Watsonville strawberries taste best in June', 'police scanner jazz night 88',
    ];
    expect(fine.length).toBeGreaterThanOrEqual(52);
    const refused = Object.entries(refusals(fine)).filter(([, problem]) => problem !== null);
    expect(refused).toEqual([]);
  });
});
