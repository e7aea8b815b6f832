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
import { immigrationAgencyIn, isImmigrationEnforcement, normaliseForClassifier } from './immigration.js';

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
  /** What the name says the agency is, when that overrides the declared kind ("a federal agency (FBI)"). */
  namedAs?: string;
  /**
   * The requester, when they name immigration enforcement ("HSI agent R. Cole"): refused under the
   * Values Act, but the agency keeps its kind. The person, not the agency, was recognised, and the
   * transparency report counts requests by agency kind (found by QA: a county task force was counted
   * as a federal immigration agency for its requester's title).
   */
  immigrationRequester?: string;
}

/**
 * The agency's effective kind: an immigration agency's name wins over any declared kind; local
 * agencies elsewhere are out of state. A requester named as immigration enforcement is noted
 * (immigrationRequester), not made the agency's kind.
 */
export function classifyAgency(claim: AgencyClaim, policy: ReleasePolicy): AgencyClass {
  const home = policy.homeState.toUpperCase();
  const state = (claim.state ?? '').trim().toUpperCase() || (claim.kind === 'out_of_state' ? '' : home);
  // A requester is a person: "ice" in a name is a surname (Lt. Jose Ice), not the agency, so the
  // requester is read as free text, where only ICE written as an acronym or in context counts.
  const requester = claim.requester ?? '';
  const named = immigrationAgencyNamed(claim.agency);
  if (named !== undefined) return { kind: 'federal_immigration', state, immigrationAgency: named };
  const agency = classifyByName(claim, state, home);
  return isImmigrationEnforcement(requester) ? { ...agency, immigrationRequester: requester } : agency;
}

function classifyByName(claim: AgencyClaim, state: string, home: string): AgencyClass {
  // The declared kind is the custodian's word; the name may say otherwise (found by QA: the FBI and a
  // repossession company were both accepted as "local"). A name can only make the kind stricter.
  const byName = kindByName(claim.agency, home);
  if (byName !== undefined && STRICTNESS[byName.kind] > STRICTNESS[claim.kind]) {
    return { kind: byName.kind, state: byName.state ?? state, namedAs: byName.namedAs };
  }
  if ((claim.kind === 'local' || claim.kind === 'state' || claim.kind === 'prosecutor') && state !== home) {
    return { kind: 'out_of_state', state };
  }
  return { kind: claim.kind, state };
}

/** Which kind is refused more surely: a name may move a request up this order, never down. */
const STRICTNESS: Readonly<Record<AgencyKind, number>> = {
  local: 0, state: 0, prosecutor: 0, out_of_state: 1, federal: 2, non_law_enforcement: 3, federal_immigration: 4,
};

/** US states and DC by postal code, for an agency of another state named in full. */
const STATE_NAMES: Readonly<Record<string, string>> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado', CT: 'Connecticut', DE: 'Delaware',
  DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa',
  KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota',
  MS: 'Mississippi', MO: 'Missouri', MT: 'Montana', NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey',
  NM: 'New Mexico', NY: 'New York', NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon',
  PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah',
  VT: 'Vermont', VA: 'Virginia', WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
};

/** The territories' postal codes: their agencies are out of state as a state's are. */
const TERRITORY_CODES: ReadonlySet<string> = new Set(['AS', 'GU', 'MP', 'PR', 'VI']);

/** Whether `code` is the postal code of a US state, DC or a territory. */
export function isStateCode(code: string): boolean {
  return Object.hasOwn(STATE_NAMES, code) || TERRITORY_CODES.has(code);
}

/** Federal law enforcement by name or acronym (immigration agencies are storage/immigration.ts's). */
const FEDERAL = new RegExp([
  '\\bfederal\\b', '\\b(FBI|DEA|ATF|USMS|USSS|USPIS|NCIS|AFOSI|TIGTA|USPP)\\b',
  '\\bdrug enforcement admin', '\\bbureau of alcohol', '\\bmarshals? service\\b', '\\bsecret service\\b', '\\bpostal inspection\\b',
  '\\binternal revenue service\\b', '\\bnaval criminal\\b', '\\binspector general\\b',
  '^(US|USA|united states)\\b', '\\b(US|united states) (department|dept|bureau|attorney|marshals?|park police|forest service|fish (and|&) wildlife|coast guard|army|navy|air force|marine corps)\\b',
].join('|'), 'i');

/** A company's legal form: never a law-enforcement agency, whatever else its name says. */
const COMPANY = /\b(LLC|LLP|Inc|Incorporated|Corp|Corporation|Ltd|Limited|PLC|company)\b/i;
/**
 * Words of an agency that enforces the law: a name with one ("California Department of Insurance
 * Fraud Division", "Sheriff's Office Media Relations") is not a business for the words below.
 */
const LAW_ENFORCEMENT_WORDS = /\b(police|sheriff'?s?|marshal'?s?|patrol|district attorney|attorney general|department of|dept of|law enforcement|investigations?|investigative|fraud division|enforcement|prosecutor'?s?|probation|rangers?|constables?)\b/i;
/**
 * Businesses, vendors and the press: not law enforcement whatever they are declared, unless the
 * name also has words of an agency. University and hospital police are law enforcement, so
 * schools and hospitals are not on this list.
 */
const NOT_LAW_ENFORCEMENT = new RegExp([
  '\\b(insurance|insurer|bank|bancorp|credit union|financial|finance|lending|leasing|auto sales|dealership|rent a car|car rental)\\b',
  '\\b(repo|repossessions?|recovery agents?|recovery services|towing|skip trac\\w*|private investigat\\w*|detective agency|bail bonds?\\w*|security services)\\b',
  '\\b(newspaper|news|gazette|tribune|herald|journal|press|media|magazine|broadcasting|television|reporter|journalist)\\b',
  '\\b(solutions|technologies|analytics|software|data services|flock|vigilant|rekor|motorola|genetec|leonardo)\\b',
].join('|'), 'i');

/**
 * What an agency's name says its kind is, if anything: a federal agency; another state's agency, its
 * state named first ("Arizona Department of Public Safety", "Oregon State Police") or last ("Reno
 * Police Department, Nevada", "…, NV"); a business or the press. A county named like a state
 * ("Nevada County Sheriff's Office", in California) is not another state.
 */
function kindByName(name: string, home: string): { kind: AgencyKind; state?: string; namedAs: string } | undefined {
  const text = normaliseForClassifier(name);
  const company = COMPANY.exec(text);
  if (company !== null) return { kind: 'non_law_enforcement', namedAs: `not a law-enforcement or prosecutorial agency ("${company[0]}")` };
  const federal = FEDERAL.exec(text);
  if (federal !== null) return { kind: 'federal', namedAs: `a federal agency ("${federal[0].trim()}")` };
  const notLe = LAW_ENFORCEMENT_WORDS.test(text) ? null : NOT_LAW_ENFORCEMENT.exec(text);
  if (notLe !== null) return { kind: 'non_law_enforcement', namedAs: `not a law-enforcement or prosecutorial agency ("${notLe[0]}")` };
  for (const [code, stateName] of Object.entries(STATE_NAMES)) {
    if (code === home) continue;
    const first = new RegExp(`^(state of )?${stateName} (state|department|dept|highway|bureau|division|office|attorney|dps|public|police)\\b`, 'i');
    const last = new RegExp(`\\b(${stateName}|${code})$`, 'i');
    // As typed: the state set apart by a comma or brackets ("Nevada, Reno Police Department",
    // "Washington County Sheriff (Oregon)", "Reno PD, NV").
    const setApart = new RegExp(`^\\s*(state of )?${stateName}\\s*,|\\(\\s*(${stateName}|${code})\\s*\\)`, 'i');
    if (first.test(text) || setApart.test(name) || (last.test(text) && /,[^,]+$/.test(name.trim()))) {
      return { kind: 'out_of_state', state: code, namedAs: `an agency of ${stateName}` };
    }
  }
  return undefined;
}

/**
 * The immigration agency a name is or names (storage/immigration.ts), or a name that is itself
 * immigration enforcement ("Deportation Officer J. Doe", "County Immigration Task Force").
 */
function immigrationAgencyNamed(name: string): string | undefined {
  return immigrationAgencyIn(name) ?? (isImmigrationEnforcement(name) ? 'a unit for immigration enforcement' : undefined);
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
  if (agency.immigrationRequester !== undefined) {
    return {
      rule: REFUSAL_RULES.valuesAct,
      reason: `${VALUES_ACT}: ALPR data is never shared with federal immigration enforcement agencies; ` +
        `the requester "${agency.immigrationRequester}" names an immigration enforcement agency or unit (the agency's declared kind is kept)`,
    };
  }
  if (isImmigrationEnforcement(request.purpose)) {
    return { rule: REFUSAL_RULES.valuesAct, reason: `${VALUES_ACT}: ALPR data is never shared for immigration enforcement; the stated purpose concerns immigration` };
  }
  const named = agency.namedAs === undefined ? '' : `"${request.agencyName}" is by its name ${agency.namedAs}, whatever kind was declared; `;
  if (agency.kind === 'non_law_enforcement') {
    return {
      rule: REFUSAL_RULES.nonLawEnforcement,
      reason: `${named}ALPR data is released only to law-enforcement or prosecutorial agencies (Watsonville §471.8); ` +
        'other requests are processed under the Records Maintenance and Release Policy (Civil Code § 1798.90.55)',
    };
  }
  if (agency.kind === 'out_of_state' && policy.refuseOutOfState) {
    return {
      rule: REFUSAL_RULES.outOfState,
      reason: `${named}out-of-state agency (${agency.state || 'state not given'}): Civil Code § 1798.90.55(b) allows sharing only with California ` +
        'public agencies (Attorney General bulletin 2023-DLE-06); release.refuseOutOfState is on',
    };
  }
  if (agency.kind === 'federal' && policy.refuseFederal) {
    return {
      rule: REFUSAL_RULES.federal,
      reason: `${named}federal agency: Civil Code § 1798.90.55(b) allows sharing only with California public agencies ` +
        '(Attorney General bulletin 2023-DLE-06); release.refuseFederal is on',
    };
  }
  return null;
}
