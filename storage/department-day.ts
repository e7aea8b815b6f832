// The department's time zone as storage knows it; the day arithmetic is matcher/department-day.ts.
import { DEFAULT_TIME_ZONE } from '../matcher/index.js';

export { canonicalTimeZone, dayIn, DEFAULT_TIME_ZONE, startOfDayIn } from '../matcher/index.js';

/**
 * The zone storage was opened with (StorageConfig.timeZone); the process's own for a bare
 * `{ client, db }` (tools and tests that connect without a config).
 */
export function timeZoneOf(storage: { readonly config?: { readonly timeZone: string } }): string {
  return storage.config?.timeZone ?? DEFAULT_TIME_ZONE;
}
