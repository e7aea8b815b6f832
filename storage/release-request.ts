// A release request as a requesting agency writes it (Watsonville §471.8(a)): the agency, the
// requester, the purpose and the data asked for, checked field by field before anything is
// recorded. What is done with a request once recorded is releases.ts.
import type { AccessLog } from './access-log.js';
import type { Storage } from './open.js';
import { AGENCY_KINDS, isStateCode, type AgencyKind, type RefusalRule, type ReleasePolicy } from './release-rules.js';
import { OcrAlphabet } from '../matcher/index.js';
import { buildDetectionFilter, type PlateQuery } from './detection-filter.js';
import { ONE_ROW_A_READ } from './detection.js';
import { SAME_CASE } from './evidence.js';
import type { QueryParams } from './sql.js';
import { parseMemberTime } from './member-time.js';
import { DEFAULT_TIME_ZONE } from './department-day.js';
import { isPersonalPurpose, undocumentedPurpose } from './purpose.js';
import type { VersionClaims } from './version-claims.js';

export const RELEASE_STATUSES = ['pending', 'approved', 'refused', 'released'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

/**
 * The data asked for: reads of a plate (exact, OCR-equivalent or partial) in a time range, or the
 * detections this department holds as evidence under one of its cases. A plate is required: a
 * release is about a vehicle, never a bulk copy of everyone's movements.
 */
export type ReleaseCriteria =
  | { kind: 'plate'; plate: PlateQuery; from: string; to: string }
  | { kind: 'case'; caseNumber: string };

export interface ReleaseRequestInput {
  agency: string;
  agencyKind: AgencyKind;
  /** Two-letter state of the agency. @default the home state */
  agencyState?: string;
  /** Name and title of the person requesting (§471.8(a)(2)). */
  requester: string;
  /** Intended purpose (§471.8(a)(3)). */
  purpose: string;
  criteria: ReleaseCriteria;
  /** Where the written request is filed (document number, letter reference). */
  documentRef?: string;
}

export interface ReleaseManifestFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface ReleaseManifest {
  requestId: string;
  agency: string;
  generatedAt: string;
  generatedBy: string;
  detections: number;
  accessLogSeq: number;
  /** How detections.csv differs from detections.json (storage/package-csv.ts); absent from packages made before it was said. */
  csvNote?: string;
  /**
   * The detections the Chief approved (ReleaseRequest.approvedDetections); `detections` is those of
   * them still stored. Absent from packages of requests approved before approvals froze their
   * detections (migration 13), which were selected by the criteria at export: `selectedAtExport`.
   */
  approvedDetections?: number;
  /** Approved detections no longer stored when the package was made (purged by retention). */
  approvedNoLongerStored?: number;
  /** Detections matching the criteria at export that were not approved, so not in the package: a new request is needed for them. */
  newerMatchesLeftOut?: number;
  /** Selected by the criteria at export: the request was approved before approvals froze their detections (migration 13). */
  selectedAtExport?: true;
  files: ReleaseManifestFile[];
}

export interface ReleaseRequest {
  requestId: string;
  version: number;
  receivedAt: string;
  agency: string;
  /** The effective kind (release-rules.ts classifyAgency), not necessarily the declared one. */
  agencyKind: AgencyKind;
  agencyState: string;
  requester: string;
  purpose: string;
  criteria: ReleaseCriteria;
  recordedBy: string;
  status: ReleaseStatus;
  decidedBy: string;
  decidedAt: string | null;
  decisionNote: string;
  refusalRule: RefusalRule | '';
  documentRef: string;
  /**
   * How many detections the Chief approved: the package holds those and no others (§471.8(b)),
   * each kept by its identity with the approving version (migration 13). Null until approved, and
   * for requests approved before migration 13, whose package is selected by the criteria at export.
   */
  approvedDetections: number | null;
  package: ReleaseManifest | null;
}

/** What a pending request matches now, for the Chief to see what they would approve. */
export interface ReleaseMatches {
  detections: number;
  /** Distinct plates of those detections, sorted; at most MAX_SHOWN_PLATES of them. */
  plates: string[];
  distinctPlates: number;
}

/** Plates listed with a pending request: a partial pattern over a year may match thousands. */
export const MAX_SHOWN_PLATES = 500;

export const RELEASE_ERROR_CODES = [
  'INVALID_RELEASE', 'UNKNOWN_RELEASE', 'RELEASE_NOT_PENDING', 'SELF_DECISION', 'RELEASE_NOT_APPROVED', 'RELEASE_REFUSED', 'UNKNOWN_FILE', 'RELEASE_FAILED', 'NOTHING_HELD',
  // Its package was produced already: a package is made once (not a missing approval).
  'ALREADY_RELEASED',
] as const;
export type ReleaseErrorCode = (typeof RELEASE_ERROR_CODES)[number];

export class ReleaseError extends Error {
  readonly code: ReleaseErrorCode;

  constructor(code: ReleaseErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReleaseError';
    this.code = code;
  }
}

export interface ReleaseContext {
  /** `config`, when there, gives the department's time zone criteria dates are read in. */
  storage: Pick<Storage, 'client' | 'db'> & Partial<Pick<Storage, 'config'>>;
  accessLog: Pick<AccessLog, 'append'>;
  policy: ReleasePolicy;
  /** Shared by every process of the deployment, so two gateways cannot both write version N + 1. */
  claims?: VersionClaims;
  /** The OCR classes plates were stored with (config matcher.ocrClasses): a release finds plates the same way. */
  alphabet?: OcrAlphabet;
}

/** A release larger than this is refused (at approval, and at export of one approved before migration 13): the request should be narrowed. */
export const MAX_RELEASE_ROWS = 100_000;

export const MAX_TEXT = 2000;
export const MAX_NAME = 200;
const REQUEST_ID = /^REL-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Release wording that says no more than the search's placeholders (storage/purpose.ts) do. */
const VAGUE_PURPOSE = /^(law enforcement( purposes?)?|official( business)?|info(rmation)?)$/i;
/** A person's or an agency's name has letters: "x", "..." or "--" names nobody (§471.8(a)(1)(2)). */
const MIN_NAME_LETTERS = 2;

export function isReleaseId(text: string): boolean {
  return REQUEST_ID.test(text);
}

/** Refuses a name with fewer than two letters: punctuation or one letter is no one's name. */
function realName(value: string, name: string): string {
  if ((value.match(/\p{L}/gu) ?? []).length < MIN_NAME_LETTERS) {
    throw new ReleaseError('INVALID_RELEASE', `${name} "${value}" is not a name: give the ${name === 'agency' ? "agency's full name" : "requester's name and title"} (Watsonville §471.8(a))`);
  }
  return value;
}

/**
 * Why a purpose may not be recorded, or null: one that says nothing (the placeholders a search
 * refuses, storage/purpose.ts, and release wording such as "law enforcement purposes") or a
 * personal one.
 */
export function purposeRefusal(purpose: string): string | null {
  if (undocumentedPurpose('', purpose) !== null || VAGUE_PURPOSE.test(purpose)) {
    return `purpose "${purpose}" is too vague: state the intended purpose of obtaining the data (Watsonville §471.8(a)(3))`;
  }
  if (isPersonalPurpose(purpose)) return `purpose "${purpose}" is a personal use, which the policy forbids (Watsonville §471.5 Impermissible Uses (c))`;
  return null;
}

function statedPurpose(purpose: string): string {
  const refusal = purposeRefusal(purpose);
  if (refusal !== null) throw new ReleaseError('INVALID_RELEASE', refusal);
  return purpose;
}

function text(value: unknown, name: string, max: number, required: boolean): string {
  if (value === undefined || value === null) {
    if (required) throw new ReleaseError('INVALID_RELEASE', `${name} is required`);
    return '';
  }
  if (typeof value !== 'string') throw new ReleaseError('INVALID_RELEASE', `${name} must be text`);
  const t = value.trim();
  if (required && t === '') throw new ReleaseError('INVALID_RELEASE', `${name} is required`);
  if (t.length > max) throw new ReleaseError('INVALID_RELEASE', `${name} must be at most ${max} characters`);
  return t;
}

/**
 * Refuses fields the request format does not have. A misspelt field would otherwise be dropped:
 * `"state": "NV"` for `agencyState` left an out-of-state agency judged as in the home state.
 */
function onlyKnownFields(b: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const key of Object.keys(b)) {
    if (!known.includes(key)) throw new ReleaseError('INVALID_RELEASE', `unknown field "${where}${key}" (known: ${known.join(', ')})`);
  }
}

const REQUEST_FIELDS = ['agency', 'agencyKind', 'agencyState', 'requester', 'purpose', 'criteria', 'documentRef'] as const;
const CRITERIA_FIELDS = { case: ['kind', 'caseNumber'], plate: ['kind', 'plate', 'match', 'from', 'to'] } as const;

// In the department's zone unless a zone is given (storage/member-time.ts): a date alone is the
// start of that day there, so `to: 2026-12-01` releases all of Nov 30, local time.
function isoTime(value: unknown, name: string, timeZone: string): string {
  const ms = typeof value === 'string' ? parseMemberTime(value, timeZone) : null;
  if (ms === null) throw new ReleaseError('INVALID_RELEASE', `criteria.${name} must be an ISO 8601 date or time (${timeZone} unless a zone is given)`);
  return new Date(ms).toISOString();
}

function parseCriteria(value: unknown, timeZone: string): ReleaseCriteria {
  const c = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (c['kind'] === 'case') {
    onlyKnownFields(c, CRITERIA_FIELDS.case, 'criteria.');
    const caseNumber = text(c['caseNumber'], 'criteria.caseNumber', MAX_NAME, true);
    // Held detections are filed under a case or incident number, which has a digit (storage/purpose.ts):
    // a case asked for without one could never match anything held.
    if (!/\d/.test(caseNumber)) throw new ReleaseError('INVALID_RELEASE', `criteria.caseNumber "${caseNumber}" has no number in it: give the case or incident number the detections are held under`);
    return { kind: 'case', caseNumber };
  }
  if (c['kind'] !== 'plate') {
    throw new ReleaseError('INVALID_RELEASE', 'criteria must say the data asked for: {kind:"plate", plate, match?, from, to} or {kind:"case", caseNumber}');
  }
  onlyKnownFields(c, CRITERIA_FIELDS.plate, 'criteria.');
  const raw = text(c['plate'], 'criteria.plate', 16, true);
  const match = c['match'] ?? 'exact';
  let plate: PlateQuery;
  if ((match === 'exact' || match === 'ocr') && /[?*]/.test(raw)) {
    throw new ReleaseError('INVALID_RELEASE', `criteria.plate "${raw}" is a pattern ("?" one character, "*" any run): ask for it with criteria.match partial`);
  }
  if (match === 'exact' || match === 'ocr') plate = { kind: match, plate: raw };
  else if (match === 'partial') plate = { kind: 'partial', pattern: raw };
  else throw new ReleaseError('INVALID_RELEASE', 'criteria.match must be exact, ocr or partial');
  const from = isoTime(c['from'], 'from', timeZone);
  const to = isoTime(c['to'], 'to', timeZone);
  if (from >= to) throw new ReleaseError('INVALID_RELEASE', 'criteria.from must be before criteria.to');
  // Checked now, as the package will select it: a plate or pattern that cannot be searched would
  // otherwise be recorded and approved, and only fail when the custodian exports it.
  const selectable = buildDetectionFilter({ plate, from: new Date(from), to: new Date(to) }, new OcrAlphabet());
  if (!selectable.ok) throw new ReleaseError('INVALID_RELEASE', `criteria.plate cannot be searched: ${selectable.reason}`);
  return { kind: 'plate', plate, from, to };
}

/**
 * The detections the data asked for matches, as a query's parts: a case's detections held as
 * evidence under it, in whatever letters the request typed it (storage/evidence.ts), or a plate's
 * reads in the window. `oneRowARead` goes after the ORDER BY. The approval freezes these
 * (storage/releases.ts) and a package of a request approved before that selects them at export.
 */
export interface CriteriaSelection {
  from: string;
  where: string;
  oneRowARead: string;
  params: QueryParams;
}

export function criteriaSelection(db: string, criteria: ReleaseCriteria, alphabet: OcrAlphabet = new OcrAlphabet()): CriteriaSelection {
  if (criteria.kind === 'case') {
    // FINAL within a spelling, LIMIT 1 BY across them: one row a detection, as detections are
    // deduplicated (two detections sharing a read id are two: LIMIT 1 BY read_id released one).
    return { from: `${db}.evidence_detections FINAL`, where: SAME_CASE, oneRowARead: ONE_ROW_A_READ, params: { caseNumber: criteria.caseNumber } };
  }
  const filter = buildDetectionFilter({ plate: criteria.plate, from: new Date(criteria.from), to: new Date(criteria.to) }, alphabet);
  if (!filter.ok) throw new ReleaseError('INVALID_RELEASE', `the data asked for cannot be selected: ${filter.reason}`);
  return { from: `${db}.detections`, where: filter.where.join(' AND '), oneRowARead: ONE_ROW_A_READ, params: filter.params };
}

/**
 * A request as a client sends it (HTTP body, CLI options), validated, its criteria times read in
 * `timeZone` unless they name a zone; INVALID_RELEASE names the problem.
 */
export function parseReleaseRequest(body: unknown, timeZone: string = DEFAULT_TIME_ZONE): ReleaseRequestInput {
  const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  onlyKnownFields(b, REQUEST_FIELDS, '');
  const agency = realName(text(b['agency'], 'agency', MAX_NAME, true), 'agency');
  const kind = b['agencyKind'];
  if (typeof kind !== 'string' || !(AGENCY_KINDS as readonly string[]).includes(kind)) {
    throw new ReleaseError('INVALID_RELEASE', `agencyKind must be one of ${AGENCY_KINDS.join(', ')}`);
  }
  const agencyState = text(b['agencyState'], 'agencyState', 40, false).toUpperCase();
  if (agencyState !== '' && !isStateCode(agencyState)) throw new ReleaseError('INVALID_RELEASE', `agencyState must be a two-letter state code (NV, AZ, DC, PR…), not ${JSON.stringify(agencyState)}`);
  const requester = realName(text(b['requester'], 'requester', MAX_NAME, true), 'requester');
  const purpose = statedPurpose(text(b['purpose'], 'purpose', MAX_TEXT, true));
  const input: ReleaseRequestInput = { agency, agencyKind: kind as AgencyKind, requester, purpose, criteria: parseCriteria(b['criteria'], timeZone) };
  if (agencyState !== '') input.agencyState = agencyState;
  const documentRef = text(b['documentRef'], 'documentRef', MAX_NAME, false);
  if (documentRef !== '') input.documentRef = documentRef;
  return input;
}
