// What a planner asks the capacity table for: their own departments (`--plan C,R,H`, repeatable)
// and the retention the disk column covers (`--retention-days D`). Parsed here, as values, so the
// verb and the tests share one parser and every refusal says what was expected.
import type { Department } from './capacity-plan.js';

/** Government Code § 34090.6: keep at least a year. @default 365 */
export const DEFAULT_RETENTION_DAYS = 365;
/** Ten years: beyond it the figure is a typing error rather than a plan. */
export const MAX_RETENTION_DAYS = 3_650;
const MAX_CAMERAS = 1_000_000;
/** A single camera peaks at ~30 reads/s in heavy traffic; an average above that is a typing error. */
const MAX_READS_PER_CAMERA = 100;
const MAX_HOTLIST_ENTRIES = 100_000_000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface PlanRequest {
  /** Rows added after the example departments. */
  departments: Department[];
  retentionDays: number;
}

export const DEFAULT_PLAN_REQUEST: PlanRequest = { departments: [], retentionDays: DEFAULT_RETENTION_DAYS };

/** `C,R,H`: cameras, average reads/s per camera over a day, hot list entries (`_` between thousands allowed). */
export function parsePlanDepartment(text: string): Parsed<Department> {
  const parts = text.split(',').map((p) => p.trim().replaceAll('_', ''));
  const expected = `--plan "${text}" must be C,R,H: cameras (a whole number from 1 to ${MAX_CAMERAS.toLocaleString('en-US')}), average reads/s per camera over a day (above 0, at most ${MAX_READS_PER_CAMERA}) and hot list entries (a whole number from 0 to ${MAX_HOTLIST_ENTRIES.toLocaleString('en-US')}), e.g. --plan 170,0.17,1000000`;
  if (parts.length !== 3 || parts.some((p) => p === '')) return { ok: false, reason: expected };
  const [cameras, readsPerCamera, hotlistEntries] = parts.map(Number) as [number, number, number];
  if (!Number.isInteger(cameras) || cameras < 1 || cameras > MAX_CAMERAS) return { ok: false, reason: `${expected}; the cameras are not` };
  if (!Number.isFinite(readsPerCamera) || readsPerCamera <= 0 || readsPerCamera > MAX_READS_PER_CAMERA) return { ok: false, reason: `${expected}; the reads/s per camera are not` };
  if (!Number.isInteger(hotlistEntries) || hotlistEntries < 0 || hotlistEntries > MAX_HOTLIST_ENTRIES) return { ok: false, reason: `${expected}; the hot list entries are not` };
  return { ok: true, value: { name: `--plan ${cameras},${readsPerCamera},${hotlistEntries}`, cameras, readsPerCamera, hotlistEntries } };
}

export function parseRetentionDays(text: string): Parsed<number> {
  const days = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) {
    return { ok: false, reason: `--retention-days "${text}" must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}` };
  }
  return { ok: true, value: days };
}

/** The verb's `--plan` values (in order) and `--retention-days`, either possibly absent. */
export function parsePlanRequest(plans: readonly string[] | undefined, retentionDays: string | undefined): Parsed<PlanRequest> {
  const departments: Department[] = [];
  for (const text of plans ?? []) {
    const d = parsePlanDepartment(text);
    if (!d.ok) return d;
    departments.push(d.value);
  }
  if (retentionDays === undefined) return { ok: true, value: { departments, retentionDays: DEFAULT_RETENTION_DAYS } };
  const days = parseRetentionDays(retentionDays);
  return days.ok ? { ok: true, value: { departments, retentionDays: days.value } } : days;
}
