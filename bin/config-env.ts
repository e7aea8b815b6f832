// The environment variables platewatch reads, and the check that refuses any other PLATEWATCH_*
// name (bin/config.ts applies it with the config file's own checks).
import { editDistance } from './edit-distance.js';

/** The environment as the entry point hands it in; only the names below are read. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/**
 * Every `PLATEWATCH_*` environment variable platewatch reads, here or anywhere else: any other
 * `PLATEWATCH_*` name stops the command, as an unknown config key does (a misspelt
 * PLATEWATCH_RETENTON_DAYS was ignored and the year default used: found by QA). Whatever reads one
 * takes its name from here, so a new variable cannot be read without being listed.
 */
export const PLATEWATCH_ENV_VARIABLES = [
  'PLATEWATCH_DATA_DIR', 'PLATEWATCH_LOG_LEVEL',
  'PLATEWATCH_GENERAL_LISTS', 'PLATEWATCH_OCR_CLASSES', 'PLATEWATCH_FUZZY_MIN_LENGTH', 'PLATEWATCH_PATTERN_MIN_KNOWN', 'PLATEWATCH_OCR_MAX_SUBSTITUTIONS',
  'PLATEWATCH_NATS_PORT', 'PLATEWATCH_READS_MAX_GIB',
  'PLATEWATCH_RETENTION_DAYS', 'PLATEWATCH_SKIP_INDEX_CACHE_MB', 'PLATEWATCH_SEARCH_TIMEOUT_SECONDS',
  'PLATEWATCH_BATCH_ROWS', 'PLATEWATCH_BATCH_DELAY_MS', 'PLATEWATCH_INSERTS_IN_FLIGHT', 'PLATEWATCH_MAX_QUEUED_ROWS',
  'PLATEWATCH_HTTP_PORT', 'PLATEWATCH_HTTP_HOST', 'PLATEWATCH_TRUSTED_PROXIES', 'PLATEWATCH_IDLE_LOCK_MINUTES', 'PLATEWATCH_IDLE_LOCK_EXEMPT_ROLES', 'PLATEWATCH_IMAGE_ORIGINS', 'PLATEWATCH_IMAGE_URL_TEMPLATE',
  'PLATEWATCH_RETROACTIVE_DAYS', 'PLATEWATCH_ESCALATE_AFTER_MINUTES',
  'PLATEWATCH_RELEASE_REFUSE_OUT_OF_STATE', 'PLATEWATCH_RELEASE_REFUSE_FEDERAL', 'PLATEWATCH_HOME_STATE',
  'PLATEWATCH_HOTLIST_STALE_HOURS', 'PLATEWATCH_IMMIGRATION_MKE', 'PLATEWATCH_METRICS_MAX_CAMERAS', 'PLATEWATCH_METRICS_TOKEN',
  'PLATEWATCH_TIME_ZONE',
  // Set by the `platewatch` wrapper script (where the user ran it); read by bin/platewatch.ts.
  'PLATEWATCH_CWD',
] as const;
export type PlatewatchEnvVariable = (typeof PLATEWATCH_ENV_VARIABLES)[number];

/** The directory the user ran `./platewatch` in: the wrapper script runs the CLI from the repository root. */
export const CWD_ENV_VARIABLE = 'PLATEWATCH_CWD' satisfies PlatewatchEnvVariable;

/** Variables of NATS's and ClickHouse's own tools that platewatch reads too; their prefixes are shared, so others are left alone. */
const SHARED_ENV_VARIABLES = ['NATS_URL', 'NATS_TOKEN', 'NATS_USER', 'NATS_PASSWORD', 'NATS_CREDS', 'CLICKHOUSE_URL', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD'] as const;
export type EnvVariable = PlatewatchEnvVariable | (typeof SHARED_ENV_VARIABLES)[number];

/** A problem for each `PLATEWATCH_*` variable that is set and not one platewatch reads. */
export function unknownEnvVariables(env: ConfigEnv): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!/^PLATEWATCH_/i.test(name) || (PLATEWATCH_ENV_VARIABLES as readonly string[]).includes(name)) continue;
    if ((env[name]?.trim() ?? '') === '') continue; // empty counts as unset, here too
    const closest = closestEnvVariable(name);
    problems.push(
      `environment: unknown variable ${name}` +
        (closest === null ? ' (the variables platewatch reads: README, Configuration)' : ` (did you mean ${closest}?)`),
    );
  }
  return problems;
}

/** The known variable a misspelt one most likely meant, or null when none is near. */
export function closestEnvVariable(name: string): PlatewatchEnvVariable | null {
  const wanted = name.toUpperCase().replace(/^PLATEWATCH_/, '');
  const wantedWords = wanted.split('_');
  let best: { name: PlatewatchEnvVariable; distance: number } | null = null;
  for (const known of PLATEWATCH_ENV_VARIABLES) {
    const suffix = known.replace(/^PLATEWATCH_/, '');
    const words = suffix.split('_');
    const distance = editDistance(wanted, suffix);
    // Near in spelling (RETENTON_DAYS), or the words of one within the other (STORAGE_RETENTION_DAYS, HOST).
    const near = distance <= Math.max(1, Math.floor(suffix.length * 0.3)) || words.every((w) => wantedWords.includes(w)) || wantedWords.every((w) => words.includes(w));
    if (near && (best === null || distance < best.distance)) best = { name: known, distance };
  }
  return best?.name ?? null;
}

/**
 * A setting's name for a message about its value: the environment variable when it is set (it wins
 * over the file), else the file's key.
 */
export function settingName(env: ConfigEnv, variable: EnvVariable, key: string): string {
  return envValue(env, variable) === undefined ? key : variable;
}

export function envValue(env: ConfigEnv, name: EnvVariable): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

