// Detections named in a request body by their key, as a search row gives it: {readId, seenAt,
// plateOcr}. A read id alone is not a detection (cameras reuse each other's ids), so a hold of rows
// an analyst ticked names each by its key; each problem is a 400 naming the item and its field.
import { parseMemberTime } from '../storage/index.js';
import { HttpError } from './http-json.js';

export interface NamedDetection {
  readId: string;
  seenAt: Date;
  plateOcr: string;
}

const KEY_FIELDS = ['readId', 'seenAt', 'plateOcr'] as const;
/** A detection's time is an instant: it names its zone, as search rows give it (no wall clock to guess). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
/** As `readIds` (gateway/evidence-routes.ts) and the search's `plate`. */
const MAX_READ_ID = 128;
const MAX_PLATE = 32;

/**
 * The list at `key` (absent or null: undefined), each item a detection whose `seenAt` lies in
 * `period` (from inclusive, to exclusive): one outside could never be held, and would be silently
 * left out of the hold.
 */
export function detectionKeys(
  b: Record<string, unknown>, key: string, period: { from: Date; to: Date }, code: string, maxItems: number,
): NamedDetection[] | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > maxItems) {
    throw new HttpError(400, code, `"${key}" must be a list of at most ${maxItems} detections, each {readId, seenAt, plateOcr} as a search row gives it`);
  }
  return v.map((item: unknown, i) => namedDetection(item, `"${key}" item ${i + 1}`, period, code));
}

function namedDetection(item: unknown, where: string, period: { from: Date; to: Date }, code: string): NamedDetection {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new HttpError(400, code, `${where} must be a JSON object with ${KEY_FIELDS.join(', ')}`);
  }
  const d = item as Record<string, unknown>;
  const unknown = Object.keys(d).find((k) => !(KEY_FIELDS as readonly string[]).includes(k));
  if (unknown !== undefined) throw new HttpError(400, code, `${where} has unknown field "${unknown}" (known: ${KEY_FIELDS.join(', ')})`);
  const readId = text(d, 'readId', where, MAX_READ_ID, code);
  const plateOcr = text(d, 'plateOcr', where, MAX_PLATE, code);
  const seen = typeof d['seenAt'] === 'string' && INSTANT.test(d['seenAt']) ? parseMemberTime(d['seenAt'], 'UTC') : null;
  if (seen === null) {
    throw new HttpError(400, code, `${where}: "seenAt" must be the detection's time as its search row gives it, ISO 8601 with its zone (2026-11-20T08:15:00.250Z)`);
  }
  if (seen < period.from.getTime() || seen >= period.to.getTime()) {
    throw new HttpError(400, code, `${where}: "seenAt" ${String(d['seenAt'])} is outside "from" to "to", so nothing of it could be held`);
  }
  return { readId, seenAt: new Date(seen), plateOcr };
}

function text(d: Record<string, unknown>, field: string, where: string, max: number, code: string): string {
  const v = d[field];
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new HttpError(400, code, `${where}: "${field}" must be text of 1–${max} characters`);
  return v;
}
