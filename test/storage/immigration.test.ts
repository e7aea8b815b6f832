// The one classifier of immigration enforcement (California Values Act, Gov. Code § 7284.6(a)(1);
// Watsonville §471.2, §471.8(c)) that searches, hot lists and releases all refuse on: what it must
// refuse, in the spellings QA found getting through, and the ordinary police work it must let pass.
import { describe, expect, it } from 'vitest';
import { immigrationAgencyIn, isImmigrationEnforcement, normaliseForClassifier } from '../../storage/index.js';

/** Purposes, reasons, synopses and list designations that are immigration enforcement. */
const MUST_REFUSE = [
  // Found accepted by QA as release purposes.
  'removal order, case 26-1', 'expedited removal, case 26-1', 'locate person with final order of removal, case 26-1',
  'locate noncitizen for removal, case 26-1', 'assist federal partners with removal of noncitizen', 'green card holder lookup',
  'verify lawful presence in the U.S.', 'federal administrative warrant (I-200)', 'immigratión enforcement', 'inmigración, caso 26-1',
  // Found accepted as list designations.
  'vehicles of interest for removal operations', 'assist I.C.E. with cases',
  // Found accepted as hot list rows and search purposes.
  'NCIC MKE EIV Immigration Violator File', 'Immigration violator - deportable alien', 'ICE detainer', 'ICE immigration enforcement request',
  // Spellings: fullwidth, dotted, spaced, invisible characters, lower case with context.
  'assist ＩＣＥ with a case', 'U S I C E request', 'for U.S. I.C.E., case 26-3', 'requested by i.c.e.', 'I\u200bCE field office request',
  'assist ice agents with the subject', 'notify ice of the sighting', 'ice detainer on the driver', 'share with ICE ERO',
  'Dep\'t of Homeland Security request', 'U.S. Dept of Homeland Sec. request', 'Homeland Security Dept. request', 'US DHS request',
  'per HSI, locate the subject', 'CBP needs the sightings', 'Customs and Border Protection liaison', 'Orange County 287(g) task force',
  // The wording of the enforcement itself, English and Spanish.
  'locate subject for deportation', 'deportable alien', 'person is undocumented', 'removal proceedings', 'visa overstay investigation',
  'overstayed his visa', 'illegal re-entry after deportation', 'unlawfully present in the United States', 'citizenship status check',
  'serve I-247A detainer', 'warrant of removal, form I-205', '8 U.S.C. § 1326 violator', 'NSEERS registrant', 'la migra', 'orden de deportación',
  'subject is indocumentado', 'IMMIGRATION_HOLDS',
  // Still refused next to the narrowed wording below: people as targets, agencies asked for help.
  'assist ICE with locating a vehicle', 'immigration enforcement', 'immigration status check', 'deportation of subject', 'illegal alien',
  'illegal alien smuggling', 'undocumented immigrant locate', 'illegal immigrant', 'locate immigrant', 'inmigrante ilegal',
  'request from the immigration office', 'ICE human trafficking investigation', 'Border Patrol request',
  // Found accepted by QA: possessives, and letters set apart by hyphens, slashes or underscores.
  "Vehicles wanted at ICE's request", 'ICE\u2019s request', "per CBP's request", "HSI's case", "ERO's tip", "ICE's detainer", 'I-C-E request', 'I/C/E request', 'I_C_E request',
];

/** Police work that must never be refused for looking like the above. */
const MUST_ACCEPT = [
  'ice cream truck stolen', 'Ice cream truck stolen', 'ICE CREAM TRUCK STOLEN', 'black ice crash', 'BLACK ICE CRASH, HIT AND RUN', 'Alice', 'police',
  'price', 'service', 'Police service vehicles', 'removal of stolen catalytic converter', 'snow removal equipment theft', 'tree removal company burglary',
  'abandoned vehicle removal order 26-4411', 'Office of Emergency Services', 'robbery of migrant farm workers', 'hero of the day robbery series, case 26-78',
  'Erol Smith homicide', 'dhs student assault', 'DHS child welfare check, missing juvenile', 'insurance fraud ring', 'VEH HAS NO INS',
  'homicide investigation, suspect vehicle', 'Stolen vehicles, county auto theft task force', 'armed robbery, SCPD case 26-01234',
  'parole absconder, case 26-9', 'hit and run on I-205 near Tracy', 'IVF clinic burglary', 'serve final order of protection', 'served a criminal detainer from Santa Clara County',
  'possession of 287 grams of methamphetamine', 'stolen vehicle follow-up, report 26-4411', 'Homeland Security grant equipment theft',
  // Found refused by QA: immigrants as victims, and the people who prey on them, are police work.
  'hate crime against immigrant family', 'assault on immigrant worker', 'fraud targeting immigrants (notario fraud)', 'Victim is an immigrant farm worker',
  'robo a inmigrantes', 'robbery of Immigration attorney office', 'Stolen from immigration attorney office lot', 'immigration consultant scam',
  'deportation scam fraud victim',
  // 8 U.S.C. § 1324 smuggling is a crime of the smuggler, often with kidnapping for ransom.
  'alien smuggling', 'alien smuggling 8 USC 1324', 'smuggling of aliens for ransom, kidnapping',
  // "Ice" is methamphetamine on the street, however it is written.
  'ICE trafficking investigation', 'ICE/meth possession for sale', 'I.C.E. meth sales', 'Suspect sells ICE (meth)', 'ICE dealer, 3 grams',
  // Places named after the agencies.
  'Taken from ICE arena parking lot', 'Carjacked at Border Patrol museum', 'theft at Border Patrol museum',
];

describe('isImmigrationEnforcement', () => {
  it.each(MUST_REFUSE)('refuses "%s"', (text) => {
    expect(isImmigrationEnforcement(text)).toBe(true);
  });

  it.each(MUST_ACCEPT)('lets "%s" through', (text) => {
    expect(isImmigrationEnforcement(text)).toBe(false);
  });

  it('reads nothing into empty text', () => {
    expect(isImmigrationEnforcement('')).toBe(false);
    expect(isImmigrationEnforcement(' \t ')).toBe(false);
  });
});

describe('immigrationAgencyIn', () => {
  it.each([
    'ICE', 'ice', 'U.S. Immigration and Customs Enforcement', 'Immigrations and Customs Enforcement', 'I.C.E. San Francisco Field Office', 'ＩＣＥ',
    'U S I C E', 'U.S. Customs and Border Protection', 'Customs and Border Patrol', 'CPB', 'CBP Office of Field Operations', 'U.S. Border Patrol, El Centro Sector',
    'Homeland Security Investigations', 'HSI Los Angeles', 'ICE ERO', 'Enforcement and Removal Operations', 'USCIS', 'Department of Homeland Security', 'DHS',
    'Dep\'t of Homeland Security', 'U.S. Dept of Homeland Sec.', 'Homeland Security Dept.', 'D.H.S. Office of Intelligence', 'SA J. Doe, HSI',
    'Orange County 287(g) Task Force', 'U.S.C.I.S. Fraud Unit', "ICE's SF field office", "CBP's Tucson sector", "Agent J. Smith, HSI's SF office",
  ])('recognises "%s"', (name) => {
    expect(immigrationAgencyIn(name)).toBeDefined();
  });

  it.each([
    'Watsonville Police Department', 'Santa Cruz County Sheriff', 'California Highway Patrol', 'Office of the District Attorney', 'Police Service Unit',
    'Office of Emergency Services', 'Alice Police Department', 'Det. M. Lopez', 'Sgt. Price, Robbery Unit', 'Federal Bureau of Investigation',
  ])('does not mistake "%s" for one', (name) => {
    expect(immigrationAgencyIn(name)).toBeUndefined();
  });
});

describe('normaliseForClassifier', () => {
  it('folds fullwidth forms and diacritics, joins dotted and spaced acronyms, and keeps the case of words', () => {
    expect(normaliseForClassifier('ＩＣＥ')).toBe('ICE');
    expect(normaliseForClassifier('inmigración, caso 26-1')).toBe('inmigracion caso 26 1');
    expect(normaliseForClassifier('U.S. Dept of Homeland Sec.')).toBe('US Dept of Homeland Sec');
    expect(normaliseForClassifier('u s i c e')).toBe('USICE');
    expect(normaliseForClassifier('Dep\u2019t of Det. J. Doe')).toBe('Dept of Det J Doe');
    expect(normaliseForClassifier("ICE's request, O'Brien's car")).toBe('ICE request OBrien car');
    expect(normaliseForClassifier('I-C-E and I/C/E, on I-205')).toBe('ICE and ICE on I 205');
  });
});

// Found by an assessor: Cyrillic "ІСЕ" (\u0406\u0421\u0415) passed a search, a BOLO entry and a
// release where Latin "ICE" is refused. Look-alikes are read as Latin in a word of look-alikes
// only, or in a word that mixes them with Latin letters; a genuinely Cyrillic or Greek word is left
// alone (storage/confusables.ts).
describe('Cyrillic and Greek look-alike letters', () => {
  it.each([
    'assist \u0406\u0421\u0415 with detainer', '\u0406\u0421\u0415 detainer', // the assessor's search reason and BOLO reason
    '\u0399\u039a\u0395 detainer'.replace('\u039a', 'C'), // Greek Ι and Ε around a Latin C
    '\u0397\u0405\u0399 case, locate the subject', // Greek Η, Cyrillic Ѕ, Greek Ι: "HSI"
    'assist \u0406.\u0421.\u0415. with cases', '\u0406\u200b\u0421\u0415 field office request',
    '\u0456mmigration enforcement', // a Cyrillic "і" in a Latin word
    'locate subject for d\u0435p\u043ert\u0430tion', 'ill\u0435g\u0430l \u0430li\u0435n',
    'share with \u0421\u0412\u0420', // Cyrillic С В Р: "CBP"
  ])('refuses "%s"', (text) => {
    expect(isImmigrationEnforcement(text)).toBe(true);
  });

  it('recognises a look-alike agency name, as in a release request', () => {
    expect(immigrationAgencyIn('\u0406\u0421\u0415 Field Office San Francisco')).toBeDefined();
    expect(immigrationAgencyIn('\u0456\u0441\u0435 field office')).toBeDefined();
    expect(immigrationAgencyIn('U.S. \u0421ustoms and Border Prot\u0435ction')).toBeDefined();
  });

  it.each([
    '\u0443\u0433\u043e\u043d \u0430\u0432\u0442\u043e\u043c\u043e\u0431\u0438\u043b\u044f', // угон автомобиля (car theft)
    '\u0423\u0413\u041e\u041d \u0410\u0412\u0422\u041e\u041c\u041e\u0411\u0418\u041b\u042f', // the same in capitals
    '\u0432\u0438\u043a\u0440\u0430\u0434\u0435\u043d\u043e \u0430\u0432\u0442\u043e, \u0441\u043f\u0440\u0430\u0432\u0430 26-4411', // викрадено авто, справа (Ukrainian)
    '\u0441\u043b\u0435\u0434\u0441\u0442\u0432\u0438\u0435 \u043f\u043e \u0434\u0435\u043b\u0443 \u043e \u043a\u0440\u0430\u0436\u0435', // следствие по делу о краже
    '\u039a\u03bb\u03bf\u03c0\u03ae \u03bf\u03c7\u03ae\u03bc\u03b1\u03c4\u03bf\u03c2', // Κλοπή οχήματος (Greek: vehicle theft)
    '\u0443\u0445\u043e \u0441\u043e\u0440 \u043e\u0441\u0430', // ухо сор оса: whole words of look-alikes, read as "yxo cop oca", still nothing
  ])('lets the Cyrillic or Greek "%s" through', (text) => {
    expect(isImmigrationEnforcement(text)).toBe(false);
    expect(immigrationAgencyIn(text)).toBeUndefined();
  });

  it('reads a word as Latin only when all its letters are look-alikes or it has Latin letters, keeping case', () => {
    expect(normaliseForClassifier('\u0406\u0421\u0415 detainer')).toBe('ICE detainer');
    expect(normaliseForClassifier('\u0456\u0441\u0435')).toBe('ice');
    expect(normaliseForClassifier('P\u043el\u0456ce')).toBe('Police');
    expect(normaliseForClassifier('\u0443\u0433\u043e\u043d \u0430\u0432\u0442\u043e\u043c\u043e\u0431\u0438\u043b\u044f'))
      .toBe('\u0443\u0433\u043e\u043d \u0430\u0432\u0442\u043e\u043c\u043e\u0431\u0438\u043b\u044f');
  });
});
