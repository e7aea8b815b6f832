// NCIC field codes as state and NCIC extracts carry them, and what a hot list entry takes from
// each. A hot list entry holds what matching and verification need and nothing about a person
// (the State Auditor's 2020 ALPR report, 2019-118, asked agencies to keep names and dates of
// birth from CLETS out of ALPR systems): the person codes below can never be mapped by a layout.
import type { RawEntryFields } from '../matcher/index.js';

/** Vehicle and record codes a bulk layout may map (NCIC Vehicle and License Plate files). */
export const NCIC_FIELDS = {
  /** License plate number. */
  LIC: 'plate',
  /** License plate state. */
  LIS: 'state',
  /** License plate type (PC passenger, TK truck …): kept for verification in the synopsis. */
  LIT: 'synopsis',
  /** License plate expiration year: kept for verification in the synopsis. */
  LIY: 'synopsis',
  VMA: 'vehicle_make',
  VMO: 'vehicle_model',
  VYR: 'vehicle_year',
  VCO: 'vehicle_color',
  VST: 'vehicle_style',
  /** NCIC number: what dispatch quotes to confirm the record through CLETS (§471.5(f)(1)). */
  NIC: 'synopsis',
  /** Originating agency case number. */
  OCA: 'case_number',
  /** Originating agency identifier: who entered the record. */
  ORI: 'entered_by',
  /** Message key: which NCIC file and record type; becomes the entry's reason. */
  MKE: 'reason',
} as const satisfies Record<string, keyof RawEntryFields>;
export type NcicField = keyof typeof NCIC_FIELDS;
export const NCIC_FIELD_CODES = Object.keys(NCIC_FIELDS) as NcicField[];

/**
 * Codes and column names that identify a person. A layout mapping any of them is refused whole
 * (decision: refuse rather than silently drop, so the administrator fixes the layout and knows
 * the data never entered). Columns a file carries but a layout does not map are never read.
 */
export const PERSONAL_DATA_FIELDS: ReadonlySet<string> = new Set([
  // NCIC person descriptors.
  'NAM', 'DOB', 'SOC', 'OLN', 'OLS', 'OLY', 'SEX', 'RAC', 'ETN', 'HGT', 'WGT', 'EYE', 'HAI', 'SKN', 'SMT', 'FBI', 'SID', 'MNU', 'POB', 'CTZ', 'FPC', 'DNA', 'ADD', 'PHN',
  // The same things by name.
  'NAME', 'FIRST_NAME', 'LAST_NAME', 'MIDDLE_NAME', 'OWNER', 'OWNER_NAME', 'REGISTERED_OWNER', 'DRIVER',
  'DATE_OF_BIRTH', 'BIRTH_DATE', 'BIRTHDATE', 'SSN', 'SOCIAL_SECURITY', 'ADDRESS', 'STREET', 'PHONE',
  'DRIVER_LICENSE', 'LICENSE_NUMBER', 'OPERATOR_LICENSE', 'RACE', 'ETHNICITY', 'HEIGHT', 'WEIGHT', 'EYES', 'HAIR',
]);

/**
 * Words that, anywhere in a column name, make it a person's: state extracts prefix or suffix them
 * (`SUBJ_DOB`, `RO_NAME` for the registered owner, `OWNER FIRST`). `NAME` alone is not one of
 * them: `AGENCY_NAME` is the originating agency's.
 */
const PERSONAL_DATA_WORDS: ReadonlySet<string> = new Set([
  'NAM', 'DOB', 'SOC', 'SSN', 'BIRTH', 'BIRTHDATE', 'OWNER', 'RO', 'DRIVER', 'SUSPECT', 'SUBJ', 'SUBJECT', 'PERSON',
]);

/** True when a layout field or file column names personal data (compared upper-case, spaces and dashes as `_`). */
export function isPersonalDataField(name: string): boolean {
  const upper = name.trim().toUpperCase();
  if (PERSONAL_DATA_FIELDS.has(upper.replace(/[\s-]+/g, '_'))) return true;
  return upper.split(/[^A-Z0-9]+|(?<=[A-Z])(?=[0-9])/).some((word) => PERSONAL_DATA_WORDS.has(word));
}

/**
 * Message keys of the NCIC Immigration Violator File (IVF: deported felons, absconders, NSEERS
 * violators, entered by ICE). Records whose MKE starts with one of these are dropped at load and
 * counted (California Values Act, Gov. Code § 7284.6(a)(1); Watsonville §471.8(c)). The IVF's
 * entry key is `EIV` and its record keys start with `IV`; agencies confirm their CJIS extract's
 * codes against the NCIC Operating Manual (IVF chapter, §1.3) and may add more in configuration.
 */
export const DEFAULT_IMMIGRATION_MESSAGE_KEYS: readonly string[] = ['EIV', 'IV'];

/** True when an MKE belongs to the Immigration Violator File under the configured prefixes. */
export function isImmigrationRecord(messageKey: string, prefixes: readonly string[] = DEFAULT_IMMIGRATION_MESSAGE_KEYS): boolean {
  const mke = messageKey.trim().toUpperCase();
  if (mke === '') return false;
  for (const prefix of prefixes) if (mke.startsWith(prefix)) return true;
  return false;
}

const MESSAGE_KEY = /^[A-Z0-9]{1,4}$/;
const WORDS = /[^A-Za-z0-9]+/;

/**
 * True when free text (a hot list CSV's reason) gives an Immigration Violator File MKE: after
 * "MKE" or "NCIC" ("NCIC MKE EIV", "MKE: IV"), or as the whole text in capitals ("EIV"). A word
 * that merely starts like one ("Ivan", "IVORY") is not a message key.
 */
export function namesImmigrationMessageKey(text: string, prefixes: readonly string[] = DEFAULT_IMMIGRATION_MESSAGE_KEYS): boolean {
  const words = text.split(WORDS).filter((w) => w !== '');
  if (words.length === 1) {
    const only = words[0] as string;
    return MESSAGE_KEY.test(only) && isImmigrationRecord(only, prefixes);
  }
  for (let i = 0; i + 1 < words.length; i++) {
    const marker = (words[i] as string).toUpperCase();
    const key = (words[i + 1] as string).toUpperCase();
    if ((marker === 'MKE' || marker === 'NCIC') && MESSAGE_KEY.test(key) && isImmigrationRecord(key, prefixes)) return true;
  }
  return false;
}
