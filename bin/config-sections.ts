// Reading each section of the config file (bin/config.ts): every value checked for its type and
// range, each problem a message naming the option; unknown keys are config.ts's business.
import { DEFAULT_IMMIGRATION_MESSAGE_KEYS, resolveBulkLayout, type BulkLayout } from '../ingest/index.js';
import { MATCH_KINDS, type MatchKind, type MatcherConfig } from '../matcher/index.js';
import type { ReleasePolicy } from '../storage/index.js';
import type { HitSettings, HotlistSettings } from './config.js';

export function readMatcherFile(file: Record<string, unknown>, out: Partial<MatcherConfig>, where: string, problems: string[]): void {
  const ocrClasses = file['ocrClasses'];
  if (ocrClasses !== undefined) {
    if (isStringArray(ocrClasses)) out.ocrClasses = ocrClasses.map((cls) => cls.toUpperCase());
    else problems.push(`${where}.ocrClasses must be an array of strings such as "0ODQ"`);
  }
  const caps = file['ocrMaxSubstitutionsByLength'];
  if (caps !== undefined) {
    if (Array.isArray(caps) && caps.every((n) => typeof n === 'number')) out.ocrMaxSubstitutionsByLength = caps as number[];
    else problems.push(`${where}.ocrMaxSubstitutionsByLength must be an array of 9 numbers (index = plate length)`);
  }
  for (const key of ['fuzzyMinLength', 'patternMinKnown'] as const) {
    const n = file[key];
    if (n === undefined) continue;
    if (typeof n === 'number') out[key] = n;
    else problems.push(`${where}.${key} must be a number`);
  }
  const generalLists = file['generalLists'];
  if (generalLists !== undefined) {
    if (!isStringArray(generalLists)) problems.push(`${where}.generalLists must be an array of list names`);
    else {
      out.generalLists = generalLists.map((list) => list.trim().toUpperCase());
      for (const list of out.generalLists) if (!isListName(list)) problems.push(`${where}.generalLists: ${notAListName(list)}`);
    }
  }
  const policies = file['listPolicies'];
  if (policies !== undefined) {
    const byList = asObject(policies, `${where}.listPolicies`, problems);
    const listPolicies: Record<string, readonly MatchKind[]> = {};
    for (const [list, kinds] of Object.entries(byList)) {
      if (isStringArray(kinds) && kinds.every((kind) => (MATCH_KINDS as readonly string[]).includes(kind))) {
        listPolicies[list.toUpperCase()] = kinds as MatchKind[];
      } else {
        problems.push(`${where}.listPolicies.${list} must be an array of match kinds (${MATCH_KINDS.join(', ')})`);
      }
    }
    out.listPolicies = listPolicies;
  }
}

export function readHitsFile(file: Record<string, unknown>, out: HitSettings, where: string, problems: string[]): void {
  const minutes = file['escalateAfterMinutes'];
  if (minutes !== undefined) {
    if (typeof minutes === 'number' && Number.isFinite(minutes) && minutes >= 0) out.escalateAfterMinutes = minutes;
    else problems.push(`${where}.escalateAfterMinutes must be a number ≥ 0 (0: never)`);
  }
  const covert = file['covertLists'];
  if (covert !== undefined) {
    const byList = asObject(covert, `${where}.covertLists`, problems);
    for (const [list, users] of Object.entries(byList)) {
      if (isStringArray(users) && users.length > 0) out.covertLists[list.toUpperCase()] = users;
      else problems.push(`${where}.covertLists.${list} must be a non-empty array of user ids (who alone see its hits)`);
    }
  }
}

export function readHotlistFile(file: Record<string, unknown>, out: HotlistSettings, where: string, problems: string[]): void {
  const hours = file['staleAfterHours'];
  if (hours !== undefined) {
    if (typeof hours === 'number') out.staleAfterHours = hours;
    else problems.push(`${where}.staleAfterHours must be a number of hours`);
  }
  const keys = file['immigrationMessageKeys'];
  if (keys !== undefined) {
    if (isStringArray(keys) && keys.every(isMessageKeyPrefix)) out.immigrationMessageKeys = withDefaultKeys(keys);
    else problems.push(`${where}.immigrationMessageKeys must be an array of NCIC MKE prefixes such as "EIV"`);
  }
  const layouts = file['layouts'];
  if (layouts !== undefined) {
    const byName: Record<string, BulkLayout> = {};
    for (const [name, layout] of Object.entries(asObject(layouts, `${where}.layouts`, problems))) {
      try {
        byName[name] = resolveBulkLayout(layout, `${where}.layouts.${name}`);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    out.layouts = byName;
  }
}

/** An NCIC MKE or the start of one; anything else (a space- or semicolon-separated pair) would match no record. */
export function isMessageKeyPrefix(key: string): boolean {
  return /^[A-Z0-9]{1,4}$/i.test(key.trim());
}

/** A name a hot list row can carry (matcher/entry.ts): a general list named otherwise could never be loaded. */
export function isListName(list: string): boolean {
  return /^[A-Z0-9][A-Z0-9_-]{0,31}$/.test(list);
}

export function notAListName(list: string): string {
  return `"${list}" is not a list name (1–32 characters of A-Z0-9_-)`;
}

/** Gov. Code § 7284.6: configuration may add Immigration Violator File codes, never remove the defaults. */
export function withDefaultKeys(keys: readonly string[]): string[] {
  return [...new Set([...DEFAULT_IMMIGRATION_MESSAGE_KEYS, ...keys.map((k) => k.trim().toUpperCase())])];
}

export function readReleaseFile(file: Record<string, unknown>, out: ReleasePolicy, where: string, problems: string[]): void {
  const homeState = file['homeState'];
  if (homeState !== undefined) {
    if (typeof homeState === 'string' && /^[A-Za-z]{2}$/.test(homeState)) out.homeState = homeState.toUpperCase();
    else problems.push(`${where}.homeState must be a two-letter state code`);
  }
  for (const key of ['refuseOutOfState', 'refuseFederal'] as const) {
    const value = file[key];
    if (value === undefined) continue;
    if (typeof value === 'boolean') out[key] = value;
    else problems.push(`${where}.${key} must be true or false`);
  }
}

export function asObject(value: unknown, where: string, problems: string[]): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  problems.push(`${where} must be a JSON object`);
  return {};
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
