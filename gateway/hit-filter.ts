// What a console asked to see: agencies, lists, cameras and an area. Parsed once when the console
// subscribes (bad input is a value, not an exception) and then tested against every hit, so the
// test is a few Set lookups and, for an area, one distance.
import type { HitMessage } from '../ingest/index.js';

export interface HitFilterInput {
  agencies?: string[];
  lists?: string[];
  cameras?: string[];
  area?: { lat: number; lon: number; radiusMeters: number };
}

export interface HitFilter {
  /** null: any. Agencies and cameras lower-case: a read keeps the letter case its camera sent, and a filter matches it in any. */
  agencies: ReadonlySet<string> | null;
  lists: ReadonlySet<string> | null;
  cameras: ReadonlySet<string> | null;
  area: { lat: number; lon: number; radiusMeters: number } | null;
  /** Covert lists this console's user is not named on: never delivered, whatever the filter asks. */
  hidden: ReadonlySet<string> | null;
}

export type FilterResult = { ok: true; filter: HitFilter } | { ok: false; reason: string };

const MAX_NAMES = 1000;
const EARTH_RADIUS_M = 6_371_008.8;
const MAX_RADIUS_M = 1_000_000;

export const MATCH_ALL: HitFilter = { agencies: null, lists: null, cameras: null, area: null, hidden: null };

/**
 * Parses a console's filter. `allowedAgencies` is what the session may see (absent: all); a
 * filter naming another agency is refused rather than silently narrowed, so the console knows.
 * `hiddenLists` are covert lists the session may not see; they are left out silently, because
 * saying so would tell a patrol console that the list exists.
 */
export function parseHitFilter(input: unknown, allowedAgencies?: readonly string[], hiddenLists?: ReadonlySet<string>): FilterResult {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) return { ok: false, reason: 'filter must be an object' };
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key !== 'agencies' && key !== 'lists' && key !== 'cameras' && key !== 'area') return { ok: false, reason: `unknown filter field "${key}"` };
  }
  const agencies = parseNames(raw['agencies'], 'agencies', 'lower');
  if (typeof agencies === 'string') return { ok: false, reason: agencies };
  const lists = parseNames(raw['lists'], 'lists', 'upper');
  if (typeof lists === 'string') return { ok: false, reason: lists };
  const cameras = parseNames(raw['cameras'], 'cameras', 'lower');
  if (typeof cameras === 'string') return { ok: false, reason: cameras };
  const area = parseArea(raw['area']);
  if (typeof area === 'string') return { ok: false, reason: area };

  let allowed = agencies;
  if (allowedAgencies !== undefined) {
    const permitted = allowedAgencies.map((agency) => agency.toLowerCase());
    if (agencies === null) allowed = new Set(permitted);
    else {
      for (const agency of agencies) {
        if (!permitted.includes(agency)) return { ok: false, reason: `not permitted to watch agency "${agency}"` };
      }
    }
  }
  const hidden = hiddenLists !== undefined && hiddenLists.size > 0 ? hiddenLists : null;
  return { ok: true, filter: { agencies: allowed, lists, cameras, area, hidden } };
}

export function matchesFilter(message: HitMessage, filter: HitFilter): boolean {
  const read = message.read;
  if (filter.agencies !== null && !filter.agencies.has(read.agency.toLowerCase())) return false;
  if (filter.lists !== null && !filter.lists.has(message.hit.list)) return false;
  if (filter.hidden !== null && filter.hidden.has(message.hit.list)) return false;
  if (filter.cameras !== null && !filter.cameras.has(read.camera.toLowerCase())) return false;
  const area = filter.area;
  if (area !== null) {
    if (typeof read.lat !== 'number' || typeof read.lon !== 'number') return false;
    if (distanceMeters(area.lat, area.lon, read.lat, read.lon) > area.radiusMeters) return false;
  }
  return true;
}

/** Great-circle distance (haversine); accurate to well under a metre at city scale. */
export function distanceMeters(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const toRad = Math.PI / 180;
  const dLat = (lat2 - lat1) * toRad;
  const dLon = (lon2 - lon1) * toRad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * toRad) * Math.cos(lat2 * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

function parseNames(value: unknown, field: string, letterCase: 'upper' | 'lower'): Set<string> | null | string {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) return `${field} must be an array of names`;
  if (value.length === 0) return null;
  if (value.length > MAX_NAMES) return `${field} may name at most ${MAX_NAMES}`;
  const out = new Set<string>();
  for (const name of value) {
    if (typeof name !== 'string' || name.length === 0 || name.length > 64) return `${field} must hold names of 1–64 characters`;
    out.add(letterCase === 'upper' ? name.toUpperCase() : name.toLowerCase());
  }
  return out;
}

function parseArea(value: unknown): HitFilter['area'] | string {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object') return 'area must be {lat, lon, radiusMeters}';
  const { lat, lon, radiusMeters } = value as Record<string, unknown>;
  if (typeof lat !== 'number' || !(lat >= -90 && lat <= 90)) return 'area.lat must be a number in -90..90';
  if (typeof lon !== 'number' || !(lon >= -180 && lon <= 180)) return 'area.lon must be a number in -180..180';
  if (typeof radiusMeters !== 'number' || !(radiusMeters > 0 && radiusMeters <= MAX_RADIUS_M)) return `area.radiusMeters must be a number in (0, ${MAX_RADIUS_M}]`;
  return { lat, lon, radiusMeters };
}
