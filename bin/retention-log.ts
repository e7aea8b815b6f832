// What a change of the retention at start means, in the log. A shorter retention purges stored
// detections and hits at once (storage/migrate.ts applies the new TTL to the stored parts as it
// changes it, not at some later merge), so it is a warning with both values and what goes (a cut
// from 400 to 365 days was logged at info as a list of table names: found by QA).
import type { Logger } from 'pino';
import type { RetentionChange } from '../storage/index.js';

const DAY_SECONDS = 86_400;

/** What each table holds, in the administrator's words. */
const TABLE_CONTENTS: Readonly<Record<string, string>> = {
  detections: 'detections',
  hits: 'hits',
  hit_dispositions: 'hit dispositions',
};

export function logRetentionChanges(logger: Pick<Logger, 'warn' | 'info'>, changes: readonly RetentionChange[]): void {
  for (const { table, fromSeconds, toSeconds } of changes) {
    const what = TABLE_CONTENTS[table] ?? table;
    const toDays = days(toSeconds);
    const fromDays = fromSeconds === null ? null : days(fromSeconds);
    if (fromSeconds !== null && toSeconds >= fromSeconds) {
      logger.info({ table, fromDays, toDays }, `storage retention of ${what} raised from ${fromDays} to ${toDays} days`);
      continue;
    }
    const was = fromDays === null ? 'an unrecognised TTL to' : `${fromDays} to`;
    logger.warn(
      { table, fromDays, toDays },
      `storage retention of ${what} cut from ${was} ${toDays} days: ${what} older than ${toDays} days are being deleted now`,
    );
  }
}

// Retention is configured in whole days; a test's seconds still show as a fraction, not as 0.
function days(seconds: number): number {
  return Math.round((seconds / DAY_SECONDS) * 1000) / 1000;
}
