// Who ALPR data may be released to, decided before anyone approves (Watsonville §471.8, Martinez
// §439.7). Pure: no I/O, so every rule is tested on its own.
//
// 1. California Values Act (Gov. Code § 7282.5, § 7284.2 et seq.; Watsonville §471.2, §471.8(c)):
//    never to federal immigration enforcement agencies (ICE, CBP) and never for immigration
//    enforcement. Not configurable: no configuration value turns this off.
// 2. Only law-enforcement or prosecutorial agencies (§471.8); other requests go through the Records
//    Maintenance and Release Policy (Civil Code § 1798.90.55). Not configurable.
// 3. Civil Code § 1798.90.55(b): a public agency shares ALPR information only with another *public
//    agency*; the Attorney General's bulletin 2023-DLE-06 reads that term as California agencies,
//    excluding out-of-state and federal agencies. Refused by default, configurable.
import { IMMIGRATION_PURPOSE_PATTERN } from './audit.js';

/** What kind of agency asks. `local`: city police, sheriff; `state`: e.g. CHP, CA DOJ; `prosecutor`: a district attorney. */
export const AGENCY_KINDS = ['local', 'state', 'prosecutor', 'out_of_state', 'federal', 'federal_immigration', 'non_law_enforcement'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export const REFUSAL_RULES = {
  /** Values Act: an immigration agency or an immigration purpose. */
  valuesAct: 'values_act',
  nonLawEnforcement: 'non_law_enforcement',
  outOfState: 'out_of_state',
  federal: 'federal',
  /** Refused by the Chief of Police or the designee (§471.8(b)). */
  chief: 'chief',
} as const;
export type RefusalRule = (typeof REFUSAL_RULES)[keyof typeof REFUSAL_RULES];

export interface ReleasePolicy {
  /** Refuse agencies of other states (Civil Code § 1798.90.55, AG bulletin 2023-DLE-06). @default true */
  refuseOutOfState: boolean;
  /** Refuse federal agencies (same reading). Immigration agencies are refused regardless. @default true */
  refuseFederal: boolean;
  /** Two-letter state of the department; agencies elsewhere are out of state. @default 'CA' */
  homeState: string;
}

export const DEFAULT_RELEASE_POLICY: ReleasePolicy = { refuseOutOfState: true, refuseFederal: true, homeState: 'CA' };

/**
 * Names and aliases of federal immigration enforcement agencies, matched in the agency name and the
 * requester's name/title. ICE with its directorates HSI (Homeland Security Investigations) and ERO
 * (Enforcement and Removal Operations); CBP with the Border Patrol and the Office of Field Operations;
 * USCIS and the former INS; 287(g) task forces (local officers deputised for immigration enforcement);
 * and "DHS"/"Department of Homeland Security" named without a component, presumed to be these.
 * The policy's own spellings ("Immigrations", "Customs and Border Patrol", "CPB") are covered.
 */
export const IMMIGRATION_AGENCY_PATTERNS: ReadonlyArray<{ pattern: RegExp; name: string }> = [
  { pattern: /\bI\.?C\.?E\.?(?=$|[^A-Za-z0-9])/i, name: 'U.S. Immigration and Customs Enforcement (ICE)' },
  { pattern: /\bimmigrations?\b/i, name: 'a federal immigration agency' },
  { pattern: /\bcustoms\b/i, name: 'U.S. Customs and Border Protection (CBP) / ICE' },
  { pattern: /\b(C\.?B\.?P|CPB|USBP)\b/i, name: 'U.S. Customs and Border Protection (CBP)' },
  { pattern: /\bborder\s+(patrol|protection)\b/i, name: 'U.S. Customs and Border Protection (CBP)' },
  { pattern: /\b(H\.?S\.?I\.?(?=$|[^A-Za-z0-9])|homeland\s+security\s+investigations?\b)/i, name: 'Homeland Security Investigations (HSI, part of ICE)' },
  { pattern: /\b(E\.?R\.?O\.?(?=$|[^A-Za-z0-9])|enforcement\s+(and|&)\s+removal\b)/i, name: 'Enforcement and Removal Operations (ERO, part of ICE)' },
  { pattern: /\b(U\.?S\.?C\.?I\.?S\.?(?=$|[^A-Za-z0-9])|citizenship\s+(and|&)\s+immigration\b)/i, name: 'U.S. Citizenship and Immigration Services (USCIS)' },
  { pattern: /\b287\s*\(?g\)?/i, name: 'a 287(g) immigration enforcement task force' },
  {
    pattern: /\b(D\.?H\.?S\.?(?=$|[^A-Za-z0-9])|(U\.?S\.?\s+)?(department|dept\.?)\s+of\s+homeland\s+security\b)/i,
    name: 'the Department of Homeland Security (presumed ICE/CBP)',
  },
];

/**
 * The same agencies named in a request's purpose ("to assist ERO in locating…"). Acronyms count in
 * capitals only here, so ordinary words of free text are not read as agencies.
 */
const IMMIGRATION_AGENCY_IN_PURPOSE = [
  /\b(I\.?C\.?E|H\.?S\.?I|E\.?R\.?O|U\.?S\.?C\.?I\.?S|C\.?B\.?P|CPB|USBP|D\.?H\.?S|I\.?N\.?S)\.?(?=$|[^A-Za-z0-9])/,
  /\b(border\s+(patrol|protection)|homeland\s+security|enforcement\s+(and|&)\s+removal|citizenship\s+(and|&)\s+immigration|customs\s+(and|&)\s+border)\b/i,
];

export interface AgencyClaim {
  agency: string;
  /** The kind the requester declares; the rules may override it (name detection, state). */
  kind: AgencyKind;
  /** Two-letter state of a local, state or prosecutor agency. @default the home state */
  state?: string;
  requester?: string;
}

export interface AgencyClass {
  kind: AgencyKind;
  state: string;
  /** Which immigration agency the name was recognised as, when it was. */
  immigrationAgency?: string;
}

/** The agency's effective kind: immigration names win over any declared kind; local agencies elsewhere are out of state. */
export function classifyAgency(claim: AgencyClaim, policy: ReleasePolicy): AgencyClass {
  const home = policy.homeState.toUpperCase();
  const state = (claim.state ?? '').trim().toUpperCase() || (claim.kind === 'out_of_state' ? '' : home);
  const named = immigrationAgencyIn(`${claim.agency}\n${claim.requester ?? ''}`);
  if (named !== undefined) return { kind: 'federal_immigration', state, immigrationAgency: named };
  if ((claim.kind === 'local' || claim.kind === 'state' || claim.kind === 'prosecutor') && state !== home) {
    return { kind: 'out_of_state', state };
  }
  return { kind: claim.kind, state };
}

export function immigrationAgencyIn(text: string): string | undefined {
  return IMMIGRATION_AGENCY_PATTERNS.find(({ pattern }) => pattern.test(text))?.name;
}

/** Immigration enforcement purposes (Values Act); the audit's own pattern plus release wording. */
const IMMIGRATION_PURPOSE_EXTRA = /\b(removal\s+proceedings?|immigration\s+status|visa\s+overstay|illegal\s+(alien|entry|re-?entry)|aliens?|detainers?|287\s*\(?g\)?)\b/i;

export function isImmigrationPurpose(purpose: string): boolean {
  return IMMIGRATION_PURPOSE_PATTERN.test(purpose) || IMMIGRATION_PURPOSE_EXTRA.test(purpose) || IMMIGRATION_AGENCY_IN_PURPOSE.some((p) => p.test(purpose));
}

export interface Refusal {
  rule: RefusalRule;
  reason: string;
}

const VALUES_ACT = 'California Values Act (Gov. Code § 7282.5, § 7284.2 et seq.; Watsonville §471.2, §471.8(c))';

/** Why the request must be refused whatever the Chief decides, or null when it may go to the Chief. */
export function automaticRefusal(request: { agency: AgencyClass; agencyName: string; purpose: string }, policy: ReleasePolicy): Refusal | null {
  const { agency } = request;
  if (agency.kind === 'federal_immigration') {
    return {
      rule: REFUSAL_RULES.valuesAct,
      reason: `${VALUES_ACT}: ALPR data is never shared with federal immigration enforcement agencies; ` +
        `"${request.agencyName}" is ${agency.immigrationAgency ?? 'a federal immigration enforcement agency'}`,
    };
  }
  if (isImmigrationPurpose(request.purpose)) {
    return { rule: REFUSAL_RULES.valuesAct, reason: `${VALUES_ACT}: ALPR data is never shared for immigration enforcement; the stated purpose concerns immigration` };
  }
  if (agency.kind === 'non_law_enforcement') {
    return {
      rule: REFUSAL_RULES.nonLawEnforcement,
      reason: 'ALPR data is released only to law-enforcement or prosecutorial agencies (Watsonville §471.8); ' +
        'other requests are processed under the Records Maintenance and Release Policy (Civil Code § 1798.90.55)',
    };
  }
  if (agency.kind === 'out_of_state' && policy.refuseOutOfState) {
    return {
      rule: REFUSAL_RULES.outOfState,
      reason: `out-of-state agency (${agency.state || 'state not given'}): Civil Code § 1798.90.55(b) allows sharing only with California ` +
        'public agencies (Attorney General bulletin 2023-DLE-06); release.refuseOutOfState is on',
    };
  }
  if (agency.kind === 'federal' && policy.refuseFederal) {
    return {
      rule: REFUSAL_RULES.federal,
      reason: 'federal agency: Civil Code § 1798.90.55(b) allows sharing only with California public agencies ' +
        '(Attorney General bulletin 2023-DLE-06); release.refuseFederal is on',
    };
  }
  return null;
}
