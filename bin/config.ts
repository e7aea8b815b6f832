// The one platewatch configuration: defaults, then an optional JSON file (`--config FILE`), then
// environment variables; validated once at start. Nothing else reads process.env: the entry point
// passes its environment in here.
import { readFile } from 'node:fs/promises';
import { imageOriginProblem, imageUrlTemplateProblem, trustedProxyProblem } from '../gateway/index.js';
import { DEFAULT_RETROACTIVE_DAYS } from '../ingest/index.js';
import { checkMatcherConfig, DEFAULT_MATCHER_CONFIG, type MatcherConfig } from '../matcher/index.js';
import { canonicalTimeZone, DEFAULT_RELEASE_POLICY, DEFAULT_TIME_ZONE, USER_ROLES, type ReleasePolicy } from '../storage/index.js';
import { asObject, isListName, isMessageKeyPrefix, notAListName, readHitsFile, readHotlistFile, readMatcherFile, readReleaseFile, withDefaultKeys } from './config-sections.js';
import { envValue, settingName, unknownEnvVariables, type ConfigEnv, type EnvVariable } from './config-env.js';

// The variables platewatch reads are listed in config-env.ts; callers import them from here too.
export { closestEnvVariable, CWD_ENV_VARIABLE, PLATEWATCH_ENV_VARIABLES, settingName, type ConfigEnv, type PlatewatchEnvVariable } from './config-env.js';

export {
  DEFAULT_DATA_DIR, DEFAULT_GATEWAY_SETTINGS, DEFAULT_HIT_SETTINGS, DEFAULT_HOTLIST_SETTINGS, DEFAULT_LOG_LEVEL, DEFAULT_METRICS_SETTINGS, DEFAULT_NATS_SETTINGS,
  DEFAULT_STORAGE_SETTINGS, LOG_LEVELS, type GatewaySettings, type HitSettings, type HotlistSettings, type LogLevel, type MetricsSettings, type NatsSettings,
  type PlatewatchConfig, type StorageSettings,
} from './config-settings.js';
import {
  DEFAULT_DATA_DIR, DEFAULT_GATEWAY_SETTINGS, DEFAULT_HIT_SETTINGS, DEFAULT_HOTLIST_SETTINGS, DEFAULT_LOG_LEVEL, DEFAULT_METRICS_SETTINGS, DEFAULT_NATS_SETTINGS,
  DEFAULT_STORAGE_SETTINGS, LOG_LEVELS, type MetricsSettings, type PlatewatchConfig,
} from './config-settings.js';

export const CONFIG_ERROR_CODES = {
  CONFIG_FILE_UNREADABLE: 'CONFIG_FILE_UNREADABLE',
  CONFIG_FILE_NOT_JSON: 'CONFIG_FILE_NOT_JSON',
  UNKNOWN_KEY: 'UNKNOWN_KEY',
  INVALID_VALUE: 'INVALID_VALUE',
} as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[keyof typeof CONFIG_ERROR_CODES];

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;

  constructor(code: ConfigErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
    this.code = code;
  }
}


export interface LoadConfigOptions {
  /** Path of a JSON config file, already resolved against the user's working directory. */
  file?: string;
  env?: ConfigEnv;
}

const TOP_KEYS = ['dataDir', 'matcher', 'nats', 'storage', 'gateway', 'retroactiveDays', 'hits', 'release', 'hotlists', 'metrics', 'timeZone'] as const;
const METRICS_KEYS = ['maxCameras', 'token'] as const satisfies readonly (keyof MetricsSettings)[];
const HIT_KEYS = ['escalateAfterMinutes', 'covertLists'] as const;
const RELEASE_KEYS = ['refuseOutOfState', 'refuseFederal', 'homeState'] as const satisfies readonly (keyof ReleasePolicy)[];
const HOTLIST_KEYS = ['staleAfterHours', 'immigrationMessageKeys', 'layouts'] as const;
/** A console locked later than a session lasts would never lock. */
const MAX_IDLE_LOCK_MINUTES = 12 * 60;
const GATEWAY_KEYS = ['port', 'host', 'trustedProxies', 'idleLockMinutes', 'idleLockExemptRoles', 'imageOrigins', 'imageUrlTemplate'] as const;
const NATS_KEYS = ['url', 'port', 'readsMaxGib', 'token', 'user', 'password', 'credsFile'] as const;
const STORAGE_KEYS = ['url', 'username', 'password', 'retentionDays', 'skipIndexCacheMb', 'searchTimeoutSeconds', 'batchRows', 'batchDelayMs', 'insertsInFlight', 'maxQueuedRows'] as const;
const MATCHER_KEYS = [
  'ocrClasses',
  'ocrMaxSubstitutionsByLength',
  'fuzzyMinLength',
  'patternMinKnown',
  'generalLists',
  'listPolicies',
] as const satisfies readonly (keyof MatcherConfig)[];

/** Loads, merges and validates the configuration; throws `ConfigError` with every problem found. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<PlatewatchConfig> {
  let fileValue: unknown = {};
  if (options.file !== undefined) {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (error) {
      throw new ConfigError('CONFIG_FILE_UNREADABLE', `cannot read config file ${options.file}: ${(error as Error).message}`, { cause: error });
    }
    try {
      fileValue = JSON.parse(text);
    } catch (error) {
      throw new ConfigError('CONFIG_FILE_NOT_JSON', `config file ${options.file} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  return resolveConfig(fileValue, options.env ?? {}, options.file ?? 'config');
}

/** Merges a parsed config file value and the environment onto the defaults, and validates. */
export function resolveConfig(fileValue: unknown, env: ConfigEnv, source = 'config'): PlatewatchConfig {
  const problems: string[] = [];
  let unknownKey = false;
  const config: MutableConfig = { logLevel: DEFAULT_LOG_LEVEL, timeZone: DEFAULT_TIME_ZONE, dataDir: DEFAULT_DATA_DIR, matcher: {}, nats: { ...DEFAULT_NATS_SETTINGS }, storage: { ...DEFAULT_STORAGE_SETTINGS }, gateway: { ...DEFAULT_GATEWAY_SETTINGS }, retroactiveDays: DEFAULT_RETROACTIVE_DAYS, hits: { escalateAfterMinutes: DEFAULT_HIT_SETTINGS.escalateAfterMinutes, covertLists: {} }, release: { ...DEFAULT_RELEASE_POLICY }, hotlists: { ...DEFAULT_HOTLIST_SETTINGS }, metrics: { ...DEFAULT_METRICS_SETTINGS } };

  const file = asObject(fileValue, source, problems);
  for (const key of Object.keys(file)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) {
      problems.push(`${source}: unknown key "${key}" (known: ${TOP_KEYS.join(', ')})`);
      unknownKey = true;
    }
  }
  if (file['retroactiveDays'] !== undefined) {
    const days = file['retroactiveDays'];
    if (typeof days === 'number' && Number.isInteger(days) && days >= 0) config.retroactiveDays = days;
    else problems.push(`${source}: retroactiveDays must be a whole number of days`);
  }
  if (file['timeZone'] !== undefined) {
    const zone = file['timeZone'];
    if (typeof zone === 'string') config.timeZone = zone.trim();
    else problems.push(`${source}: timeZone must be an IANA time zone name such as "America/Los_Angeles"`);
  }
  if (file['dataDir'] !== undefined) {
    const dataDir = file['dataDir'];
    if (typeof dataDir === 'string' && dataDir.trim() !== '') config.dataDir = dataDir;
    else problems.push(`${source}: dataDir must be a non-empty string`);
  }
  // A section of the file: an object whose keys are all known; each unknown one is a problem.
  const section = (name: string, keys: readonly string[]): Record<string, unknown> | undefined => {
    if (file[name] === undefined) return undefined;
    const value = asObject(file[name], `${source}: ${name}`, problems);
    // Only the known keys go on to be read: an unknown one is said once, not again as a bad value.
    const known: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (keys.includes(key)) known[key] = v;
      else {
        problems.push(`${source}: unknown key "${name}.${key}" (known: ${keys.join(', ')})`);
        unknownKey = true;
      }
    }
    return known;
  };
  const matcher = section('matcher', MATCHER_KEYS);
  if (matcher !== undefined) readMatcherFile(matcher, config.matcher, `${source}: matcher`, problems);
  for (const [name, keys] of [['nats', NATS_KEYS], ['storage', STORAGE_KEYS], ['gateway', GATEWAY_KEYS]] as const) {
    const value = section(name, keys);
    if (value !== undefined) readServiceSection(name, value, config, `${source}: ${name}`, problems);
  }
  const hits = section('hits', HIT_KEYS);
  if (hits !== undefined) readHitsFile(hits, config.hits, `${source}: hits`, problems);
  const release = section('release', RELEASE_KEYS);
  if (release !== undefined) readReleaseFile(release, config.release, `${source}: release`, problems);
  const hotlists = section('hotlists', HOTLIST_KEYS);
  if (hotlists !== undefined) readHotlistFile(hotlists, config.hotlists, `${source}: hotlists`, problems);
  const metrics = section('metrics', METRICS_KEYS);
  if (metrics?.['maxCameras'] !== undefined) {
    const max = metrics['maxCameras'];
    if (typeof max === 'number' && Number.isInteger(max)) config.metrics.maxCameras = max;
    else problems.push(`${source}: metrics.maxCameras must be a whole number`);
  }
  if (metrics?.['token'] !== undefined) {
    const token = metrics['token'];
    if (typeof token === 'string') config.metrics.token = token;
    else problems.push(`${source}: metrics.token must be a string`);
  }

  for (const problem of unknownEnvVariables(env)) {
    problems.push(problem);
    unknownKey = true;
  }
  readEnv(env, config, problems);

  if (problems.length > 0) {
    throw new ConfigError(unknownKey ? 'UNKNOWN_KEY' : 'INVALID_VALUE', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  if (config.nats.url !== undefined && !/^(nats|tls|ws|wss):\/\//.test(config.nats.url)) problems.push(`NATS URL "${config.nats.url}" must start with nats://`);
  if (config.storage.url !== undefined && !/^https?:\/\//.test(config.storage.url)) problems.push(`ClickHouse URL "${config.storage.url}" must start with http:// or https://`);
  // A value is named where it came from: the variable when one set it (it wins over the file), the
  // file's key otherwise. Naming the key of a value the file did not hold sent an operator to a
  // file that was right (found by QA).
  const named = (variable: EnvVariable, key: string): string => settingName(env, variable, key);
  if (config.gateway.port > 65535) problems.push(`${named('PLATEWATCH_HTTP_PORT', 'gateway.port')} ${config.gateway.port} is not a TCP port`);
  for (const proxy of config.gateway.trustedProxies) {
    const problem = trustedProxyProblem(proxy);
    if (problem !== null) problems.push(`${named('PLATEWATCH_TRUSTED_PROXIES', 'gateway.trustedProxies')}: ${problem}`);
  }
  for (const origin of config.gateway.imageOrigins) {
    const problem = imageOriginProblem(origin);
    if (problem !== null) problems.push(`${named('PLATEWATCH_IMAGE_ORIGINS', 'gateway.imageOrigins')}: ${problem}`);
  }
  if (config.gateway.imageUrlTemplate !== '') {
    const problem = imageUrlTemplateProblem(config.gateway.imageUrlTemplate);
    if (problem !== null) problems.push(`${named('PLATEWATCH_IMAGE_URL_TEMPLATE', 'gateway.imageUrlTemplate')}: ${problem}`);
  }
  if (config.gateway.idleLockMinutes > MAX_IDLE_LOCK_MINUTES) {
    problems.push(`${named('PLATEWATCH_IDLE_LOCK_MINUTES', 'gateway.idleLockMinutes')} is ${config.gateway.idleLockMinutes}; it must be at most ${MAX_IDLE_LOCK_MINUTES} (a session lasts 12 hours), or 0 for never`);
  }
  const unknownRoles = config.gateway.idleLockExemptRoles.filter((role) => !(USER_ROLES as readonly string[]).includes(role));
  if (unknownRoles.length > 0) {
    problems.push(`${named('PLATEWATCH_IDLE_LOCK_EXEMPT_ROLES', 'gateway.idleLockExemptRoles')}: unknown role${unknownRoles.length === 1 ? '' : 's'} ${unknownRoles.map((r) => `"${r}"`).join(', ')} (roles: ${USER_ROLES.join(', ')}; "none" for no exemption)`);
  }
  if (config.nats.readsMaxGib < 1) problems.push(`${named('PLATEWATCH_READS_MAX_GIB', 'nats.readsMaxGib')} must be at least 1 (GiB of reads kept while storage is down)`);
  if (config.nats.port > 65535) problems.push(`${named('PLATEWATCH_NATS_PORT', 'nats.port')} ${config.nats.port} is not a TCP port`);
  if (!(config.hotlists.staleAfterHours > 0 && config.hotlists.staleAfterHours <= 24)) {
    problems.push(`${named('PLATEWATCH_HOTLIST_STALE_HOURS', 'hotlists.staleAfterHours')} is ${config.hotlists.staleAfterHours}; it must be more than 0 and at most 24 (Watsonville §471.5(f)(4): a daily download)`);
  }
  const timeZone = canonicalTimeZone(config.timeZone);
  if (timeZone === null) problems.push(`${named('PLATEWATCH_TIME_ZONE', 'timeZone')} "${config.timeZone}" is not an IANA time zone name (e.g. America/Los_Angeles, Etc/UTC)`);
  else config.timeZone = timeZone;
  if (config.storage.searchTimeoutSeconds < 1) problems.push(`${named('PLATEWATCH_SEARCH_TIMEOUT_SECONDS', 'storage.searchTimeoutSeconds')} must be at least 1`);
  if (config.metrics.maxCameras < 1) problems.push(`${named('PLATEWATCH_METRICS_MAX_CAMERAS', 'metrics.maxCameras')} is ${config.metrics.maxCameras}; it must be at least 1 (further cameras are counted as camera="_other")`);
  // Anyone who reaches the gateway may guess it, unthrottled.
  if (config.metrics.token !== undefined && !/^[\x21-\x7e]{16,}$/.test(config.metrics.token)) problems.push(`${named('PLATEWATCH_METRICS_TOKEN', 'metrics.token')} must be at least 16 printable characters without spaces (e.g. from openssl rand -hex 32)`);
  for (const key of ['batchRows', 'batchDelayMs', 'insertsInFlight', 'maxQueuedRows'] as const) {
    if (config.storage[key] < 1) problems.push(`${named(STORAGE_ENV_VARIABLES[key], `storage.${key}`)} must be at least 1`);
  }
  if (config.storage.maxQueuedRows < config.storage.batchRows) {
    problems.push(`${named('PLATEWATCH_MAX_QUEUED_ROWS', 'storage.maxQueuedRows')} (${config.storage.maxQueuedRows}) must be at least ${named('PLATEWATCH_BATCH_ROWS', 'storage.batchRows')} (${config.storage.batchRows})`);
  }
  if (config.storage.retentionDays < 365) problems.push(`${named('PLATEWATCH_RETENTION_DAYS', 'storage.retentionDays')} is ${config.storage.retentionDays}; Government Code § 34090.6 requires at least 365`);
  // The time zone was checked above, under its own name.
  const checked = checkMatcherConfig({ ...config.matcher, ...(timeZone === null ? {} : { timeZone }) });
  for (const problem of checked.problems) {
    const variable = MATCHER_ENV_VARIABLES[problem.key];
    problems.push(`${variable === undefined ? `matcher.${problem.name}` : named(variable, `matcher.${problem.name}`)}: ${problem.text}`);
  }
  if (problems.length > 0) throw new ConfigError('INVALID_VALUE', `invalid configuration:\n  ${problems.join('\n  ')}`);
  return {
    dataDir: config.dataDir, matcher: checked.config, nats: config.nats, storage: config.storage, gateway: config.gateway,
    retroactiveDays: config.retroactiveDays, hits: config.hits, release: config.release, hotlists: config.hotlists, metrics: config.metrics, logLevel: config.logLevel, timeZone: config.timeZone,
  };
}

/** The variables that set storage's batching options, for messages about their values. */
const STORAGE_ENV_VARIABLES = {
  batchRows: 'PLATEWATCH_BATCH_ROWS', batchDelayMs: 'PLATEWATCH_BATCH_DELAY_MS', insertsInFlight: 'PLATEWATCH_INSERTS_IN_FLIGHT', maxQueuedRows: 'PLATEWATCH_MAX_QUEUED_ROWS',
} as const satisfies Record<string, EnvVariable>;

/** The variables that set matcher options (readEnv), for messages about their values. */
const MATCHER_ENV_VARIABLES: Partial<Record<keyof MatcherConfig, EnvVariable>> = {
  generalLists: 'PLATEWATCH_GENERAL_LISTS', ocrClasses: 'PLATEWATCH_OCR_CLASSES', fuzzyMinLength: 'PLATEWATCH_FUZZY_MIN_LENGTH',
  patternMinKnown: 'PLATEWATCH_PATTERN_MIN_KNOWN', ocrMaxSubstitutionsByLength: 'PLATEWATCH_OCR_MAX_SUBSTITUTIONS', timeZone: 'PLATEWATCH_TIME_ZONE',
};

/** The configuration while it is read: the matcher's settings are checked and completed last. */
type MutableConfig = Omit<PlatewatchConfig, 'matcher'> & { matcher: Partial<MatcherConfig> };

/** Service settings that are whole numbers; the rest of a section's keys are strings. */
const WHOLE_NUMBER_SETTINGS: ReadonlySet<string> = new Set([
  'port', 'readsMaxGib', 'idleLockMinutes', 'retentionDays', 'skipIndexCacheMb', 'searchTimeoutSeconds', 'batchRows', 'batchDelayMs', 'insertsInFlight', 'maxQueuedRows',
]);

function readServiceSection(section: 'nats' | 'storage' | 'gateway', file: Record<string, unknown>, config: MutableConfig, where: string, problems: string[]): void {
  for (const [key, value] of Object.entries(file)) {
    if (WHOLE_NUMBER_SETTINGS.has(key)) {
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) (config[section] as unknown as Record<string, number>)[key] = value;
      else problems.push(`${where}.${key} must be a whole number, 0 or more`);
    } else if (section === 'gateway' && key === 'trustedProxies') {
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) config.gateway.trustedProxies = value.map((v) => v.trim());
      else problems.push(`${where}.trustedProxies must be an array of IP addresses or CIDR ranges`);
    } else if (section === 'gateway' && key === 'imageOrigins') {
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) config.gateway.imageOrigins = value.map((v) => v.trim());
      else problems.push(`${where}.imageOrigins must be an array of origins such as "https://images.example.org"`);
    } else if (section === 'gateway' && key === 'idleLockExemptRoles') {
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) config.gateway.idleLockExemptRoles = value.map((v) => v.trim().toLowerCase());
      else problems.push(`${where}.idleLockExemptRoles must be an array of role names`);
    } else if (typeof value === 'string') {
      (config[section] as unknown as Record<string, string>)[key] = value;
    } else {
      problems.push(`${where}.${key} must be a string`);
    }
  }
}

/** Environment variables override the file. An empty variable counts as unset. */
function readEnv(env: ConfigEnv, config: MutableConfig, problems: string[]): void {
  const logLevel = envValue(env, 'PLATEWATCH_LOG_LEVEL');
  if (logLevel !== undefined) {
    const level = LOG_LEVELS.find((l) => l === logLevel.toLowerCase());
    if (level !== undefined) config.logLevel = level;
    else problems.push(`PLATEWATCH_LOG_LEVEL: "${logLevel}" is not a log level (one of ${LOG_LEVELS.join(', ')})`);
  }

  const dataDir = envValue(env, 'PLATEWATCH_DATA_DIR');
  if (dataDir !== undefined) config.dataDir = dataDir;
  const timeZone = envValue(env, 'PLATEWATCH_TIME_ZONE');
  if (timeZone !== undefined) config.timeZone = timeZone;

  const natsUrl = envValue(env, 'NATS_URL');
  if (natsUrl !== undefined) config.nats.url = natsUrl;
  for (const [name, key] of [['NATS_TOKEN', 'token'], ['NATS_USER', 'user'], ['NATS_PASSWORD', 'password'], ['NATS_CREDS', 'credsFile']] as const) {
    const value = envValue(env, name);
    if (value !== undefined) config.nats[key] = value;
  }
  const httpHost = envValue(env, 'PLATEWATCH_HTTP_HOST');
  if (httpHost !== undefined) config.gateway.host = httpHost;
  const metricsToken = envValue(env, 'PLATEWATCH_METRICS_TOKEN');
  if (metricsToken !== undefined) config.metrics.token = metricsToken;
  const trustedProxies = envValue(env, 'PLATEWATCH_TRUSTED_PROXIES');
  if (trustedProxies !== undefined) config.gateway.trustedProxies = trustedProxies.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const imageOrigins = envValue(env, 'PLATEWATCH_IMAGE_ORIGINS');
  if (imageOrigins !== undefined) config.gateway.imageOrigins = imageOrigins.split(',').map((o) => o.trim()).filter((o) => o !== '');
  const imageUrlTemplate = envValue(env, 'PLATEWATCH_IMAGE_URL_TEMPLATE');
  if (imageUrlTemplate !== undefined) config.gateway.imageUrlTemplate = imageUrlTemplate.trim();
  const exemptRoles = envValue(env, 'PLATEWATCH_IDLE_LOCK_EXEMPT_ROLES');
  if (exemptRoles !== undefined) config.gateway.idleLockExemptRoles = exemptRoles.trim() === 'none' ? [] : exemptRoles.split(',').map((r) => r.trim().toLowerCase()).filter((r) => r !== '');
  const clickhouseUrl = envValue(env, 'CLICKHOUSE_URL');
  if (clickhouseUrl !== undefined) config.storage.url = clickhouseUrl;
  const clickhouseUser = envValue(env, 'CLICKHOUSE_USER');
  if (clickhouseUser !== undefined) config.storage.username = clickhouseUser;
  const clickhousePassword = env['CLICKHOUSE_PASSWORD' satisfies EnvVariable];
  if (clickhousePassword !== undefined && clickhousePassword !== '') config.storage.password = clickhousePassword;
  for (const [name, apply] of [
    ['PLATEWATCH_NATS_PORT', (n: number) => (config.nats.port = n)],
    ['PLATEWATCH_READS_MAX_GIB', (n: number) => (config.nats.readsMaxGib = n)],
    ['PLATEWATCH_RETENTION_DAYS', (n: number) => (config.storage.retentionDays = n)],
    ['PLATEWATCH_SKIP_INDEX_CACHE_MB', (n: number) => (config.storage.skipIndexCacheMb = n)],
    ['PLATEWATCH_SEARCH_TIMEOUT_SECONDS', (n: number) => (config.storage.searchTimeoutSeconds = n)],
    ['PLATEWATCH_BATCH_ROWS', (n: number) => (config.storage.batchRows = n)],
    ['PLATEWATCH_BATCH_DELAY_MS', (n: number) => (config.storage.batchDelayMs = n)],
    ['PLATEWATCH_INSERTS_IN_FLIGHT', (n: number) => (config.storage.insertsInFlight = n)],
    ['PLATEWATCH_MAX_QUEUED_ROWS', (n: number) => (config.storage.maxQueuedRows = n)],
    ['PLATEWATCH_RETROACTIVE_DAYS', (n: number) => (config.retroactiveDays = n)],
    ['PLATEWATCH_HTTP_PORT', (n: number) => (config.gateway.port = n)],
    ['PLATEWATCH_IDLE_LOCK_MINUTES', (n: number) => (config.gateway.idleLockMinutes = n)],
    ['PLATEWATCH_ESCALATE_AFTER_MINUTES', (n: number) => (config.hits.escalateAfterMinutes = n)],
    ['PLATEWATCH_METRICS_MAX_CAMERAS', (n: number) => (config.metrics.maxCameras = n)],
  ] as const) {
    const text = envValue(env, name);
    if (text === undefined) continue;
    const n = wholeNumber(text);
    if (n === null) problems.push(`${name}: "${text}" is not a whole number (0 or more)`);
    else apply(n);
  }

  for (const [name, key] of [
    ['PLATEWATCH_RELEASE_REFUSE_OUT_OF_STATE', 'refuseOutOfState'],
    ['PLATEWATCH_RELEASE_REFUSE_FEDERAL', 'refuseFederal'],
  ] as const) {
    const text = envValue(env, name);
    if (text === undefined) continue;
    if (text === 'true' || text === 'false') config.release[key] = text === 'true';
    else problems.push(`${name}: "${text}" must be true or false`);
  }
  const homeState = envValue(env, 'PLATEWATCH_HOME_STATE');
  if (homeState !== undefined) {
    if (/^[A-Za-z]{2}$/.test(homeState)) config.release.homeState = homeState.toUpperCase();
    else problems.push(`PLATEWATCH_HOME_STATE: "${homeState}" must be a two-letter state code`);
  }
  const staleHours = envValue(env, 'PLATEWATCH_HOTLIST_STALE_HOURS');
  if (staleHours !== undefined) {
    const n = Number(staleHours);
    if (/^\d+(\.\d+)?$/.test(staleHours)) config.hotlists.staleAfterHours = n;
    else problems.push(`PLATEWATCH_HOTLIST_STALE_HOURS: "${staleHours}" is not a number of hours`);
  }
  const mke = envValue(env, 'PLATEWATCH_IMMIGRATION_MKE');
  if (mke !== undefined) {
    const keys = commaList(mke);
    if (keys.every(isMessageKeyPrefix)) config.hotlists.immigrationMessageKeys = withDefaultKeys(keys);
    else problems.push(`PLATEWATCH_IMMIGRATION_MKE: "${mke}" must be a comma list of NCIC MKE prefixes such as "EIV" (1–4 letters or digits each)`);
  }

  const generalLists = envValue(env, 'PLATEWATCH_GENERAL_LISTS');
  if (generalLists !== undefined) {
    config.matcher.generalLists = commaList(generalLists);
    for (const list of config.matcher.generalLists) if (!isListName(list)) problems.push(`PLATEWATCH_GENERAL_LISTS (a comma list): ${notAListName(list)}`);
  }

  const ocrClasses = envValue(env, 'PLATEWATCH_OCR_CLASSES');
  if (ocrClasses !== undefined) config.matcher.ocrClasses = commaList(ocrClasses);

  for (const [name, key] of [
    ['PLATEWATCH_FUZZY_MIN_LENGTH', 'fuzzyMinLength'],
    ['PLATEWATCH_PATTERN_MIN_KNOWN', 'patternMinKnown'],
  ] as const) {
    const text = envValue(env, name);
    if (text === undefined) continue;
    const n = wholeNumber(text);
    if (n === null) problems.push(`${name}: "${text}" is not a whole number`);
    else config.matcher[key] = n;
  }

  const caps = envValue(env, 'PLATEWATCH_OCR_MAX_SUBSTITUTIONS');
  if (caps !== undefined) {
    const numbers = caps.split(',').map((part) => wholeNumber(part.trim()));
    if (numbers.length !== 9 || numbers.some((n) => n === null)) {
      problems.push(`PLATEWATCH_OCR_MAX_SUBSTITUTIONS: "${caps}" must be 9 comma-separated whole numbers (index = plate length 0..8)`);
    } else {
      config.matcher.ocrMaxSubstitutionsByLength = numbers as number[];
    }
  }
}

function commaList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim().toUpperCase())
    .filter((part) => part !== '');
}

function wholeNumber(text: string): number | null {
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}

/** The defaults, for `--help` texts and tests. */
export const DEFAULT_CONFIG: PlatewatchConfig = {
  dataDir: DEFAULT_DATA_DIR,
  matcher: DEFAULT_MATCHER_CONFIG,
  nats: DEFAULT_NATS_SETTINGS,
  storage: DEFAULT_STORAGE_SETTINGS,
  gateway: DEFAULT_GATEWAY_SETTINGS,
  retroactiveDays: DEFAULT_RETROACTIVE_DAYS,
  hits: DEFAULT_HIT_SETTINGS,
  release: DEFAULT_RELEASE_POLICY,
  hotlists: DEFAULT_HOTLIST_SETTINGS,
  metrics: DEFAULT_METRICS_SETTINGS,
  logLevel: DEFAULT_LOG_LEVEL,
  timeZone: DEFAULT_TIME_ZONE,
};
