// Reading API request bodies and query strings: each field checked for type and size, unknown
// fields refused by name (a misspelt "reason" must not silently become a search without a
// purpose), and every problem a 400 saying which field and what is expected.
import { HttpError, type JsonHandler, type JsonRoute } from './http-json.js';
import { headOf } from '../matcher/index.js';
import { isCalendarDay, parseMemberTime } from '../storage/index.js';

export const MAX_TEXT_LENGTH = 2000;
export const MAX_LIST_ITEMS = 1000;

/**
 * The body as an object with only `allowed` keys; 400 otherwise. `field` names a nested object
 * (`near`, `before`), so the 400 points at it rather than at the whole body.
 */
export function objectBody(body: unknown, allowed: readonly string[], code = 'BAD_REQUEST', field?: string): Record<string, unknown> {
  if (body === undefined) body = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, code, field === undefined ? 'send a JSON object as the request body' : `"${field}" must be a JSON object with ${allowed.join(', ')}`);
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!allowed.includes(key)) throw new HttpError(400, code, `unknown field "${key}" (known: ${allowed.join(', ')})`);
  }
  return b;
}

export function optionalText(b: Record<string, unknown>, key: string, code = 'BAD_REQUEST', max = MAX_TEXT_LENGTH): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new HttpError(400, code, `"${key}" must be text`);
  if (v.length > max) throw new HttpError(400, code, `"${key}" must be at most ${max} characters`);
  return v;
}

/** A password as typed: required, and never trimmed, since sign-in compares it as typed. */
export function requiredSecret(b: Record<string, unknown>, key: string, code = 'BAD_REQUEST', max = MAX_TEXT_LENGTH): string {
  const v = optionalText(b, key, code, max);
  if (v === undefined || v === '') throw new HttpError(400, code, `"${key}" is required`);
  return v;
}

export function requiredText(b: Record<string, unknown>, key: string, code = 'BAD_REQUEST', max = MAX_TEXT_LENGTH): string {
  const v = optionalText(b, key, code, max);
  if (v === undefined || v.trim() === '') throw new HttpError(400, code, `"${key}" is required`);
  return v.trim();
}

export function optionalBoolean(b: Record<string, unknown>, key: string, code = 'BAD_REQUEST'): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new HttpError(400, code, `"${key}" must be true or false`);
  return v;
}

export function optionalNumber(b: Record<string, unknown>, key: string, min: number, max: number, code = 'BAD_REQUEST'): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new HttpError(400, code, `"${key}" must be a number from ${min} to ${max}`);
  return v;
}

export function optionalTextList(b: Record<string, unknown>, key: string, code = 'BAD_REQUEST', maxItem = 200, maxItems = MAX_LIST_ITEMS): string[] | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > maxItems) throw new HttpError(400, code, `"${key}" must be a list of at most ${maxItems} names`);
  // Naming the item: "a list of at most 1000 names" for one name of 300 characters misled (found by QA).
  const bad = v.findIndex((item) => typeof item !== 'string' || item.length === 0 || item.length > maxItem);
  if (bad >= 0) throw new HttpError(400, code, `"${key}" item ${bad + 1} must be a name of 1–${maxItem} characters`);
  return v as string[];
}

/**
 * An ISO 8601 date or time typed by a member, read in the department's `timeZone` unless it names
 * a zone (storage/member-time.ts: a date alone is the start of that day there); 400 otherwise.
 */
export function parseTime(text: string, key: string, timeZone: string, code = 'BAD_REQUEST'): Date {
  const t = parseMemberTime(text, timeZone);
  if (t === null) throw new HttpError(400, code, `"${key}" must be an ISO 8601 time or date, such as 2026-11-01T08:00:00Z, 2026-11-01T08:00 (${timeZone} wall clock) or 2026-11-01 (the start of that day there)`);
  return new Date(t);
}

export function requiredTime(b: Record<string, unknown>, key: string, timeZone: string, code = 'BAD_REQUEST'): Date {
  return parseTime(requiredText(b, key, code, 40), key, timeZone, code);
}

/** A YYYY-MM-DD date that exists; 400 otherwise. */
export function parseDay(text: string, key: string, code = 'BAD_REQUEST'): string {
  // On the calendar: 2026-13-01 and 2026-02-30 are not.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !isCalendarDay(text)) {
    throw new HttpError(400, code, `"${key}" must be a date, YYYY-MM-DD`);
  }
  return text;
}

/** Query-string parameters (`a=1&b=2`), decoded; 400 on a malformed escape or an unknown name. */
export function queryParams(query: string, allowed: readonly string[], code = 'BAD_REQUEST'): Map<string, string> {
  const params = new Map<string, string>();
  if (query === '') return params;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replaceAll('+', ' '));
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replaceAll('+', ' '));
    } catch {
      throw new HttpError(400, code, 'the query string is not validly escaped');
    }
    if (!allowed.includes(name)) {
      throw new HttpError(400, code, allowed.length === 0 ? `unknown query parameter "${name}": this endpoint takes none` : `unknown query parameter "${name}" (known: ${allowed.join(', ')})`);
    }
    if (value.length > MAX_TEXT_LENGTH) throw new HttpError(400, code, `query parameter "${name}" is too long`);
    // Which of two values would count is a guess the caller should not have to make.
    if (params.has(name)) throw new HttpError(400, code, `query parameter "${name}" is given twice`);
    params.set(name, value);
  }
  return params;
}

/**
 * The route's handler, given the query's parameters it declares (JsonRoute.query) and refusing any
 * other with 400 before it runs; the gateway serves every route through this.
 */
export function withCheckedQuery(route: JsonRoute): JsonHandler {
  const { names, code, hint } = route.query ?? { names: [] };
  return (request) => {
    try {
      request.queryParams = queryParams(request.query, names, code);
    } catch (error) {
      if (error instanceof HttpError && hint !== undefined) throw new HttpError(error.status, error.code, `${error.message}; ${hint}`);
      throw error;
    }
    return route.handler(request);
  };
}

/** A path parameter, decoded; 404 when it cannot be (no such resource can have that name). */
export function pathParam(raw: string | undefined, what: string): string {
  try {
    const value = decodeURIComponent(raw ?? '');
    if (value === '' || value.length > 256) throw new Error('bad');
    return value;
  } catch {
    throw new HttpError(404, 'NOT_FOUND', `the ${what} in the path is not valid`);
  }
}

/** How much of a refused body an access log record keeps: characters of text (keys included) in all. */
export const LOGGED_BODY_CHARACTERS = 2000;
const LOGGED_ITEMS = 50;
const LOGGED_DEPTH = 4;

/**
 * A request body as an access log record can keep it when the body could not be read as a
 * request: its fields as sent, at most LOGGED_BODY_CHARACTERS of text in all, LOGGED_ITEMS
 * fields or items a level and LOGGED_DEPTH levels deep; what is cut is said to be (`…`).
 */
export function loggableBody(body: unknown): unknown {
  const budget = { left: LOGGED_BODY_CHARACTERS };
  const bounded = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
    if (typeof value === 'string') {
      const kept = headOf(value, Math.max(0, budget.left));
      budget.left -= value.length;
      return kept.length < value.length ? `${kept}… (${value.length} characters)` : kept;
    }
    if (typeof value !== 'object') return String(value);
    if (depth >= LOGGED_DEPTH) return '…';
    const items: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
    const kept: Array<[string, unknown]> = [];
    for (const [key, item] of items) {
      if (kept.length === LOGGED_ITEMS || budget.left <= 0) break;
      const name = headOf(key, Math.max(1, Math.min(64, budget.left)));
      budget.left -= name.length;
      kept.push([name, bounded(item, depth + 1)]);
    }
    const cut = items.length - kept.length;
    if (Array.isArray(value)) return cut > 0 ? [...kept.map(([, v]) => v), `… ${cut} more`] : kept.map(([, v]) => v);
    // fromEntries defines each key as a field of its own, "__proto__" included.
    return Object.fromEntries(cut > 0 ? [...kept, ['…', `${cut} more fields`]] : kept);
  };
  return bounded(body === undefined ? null : body, 0);
}
