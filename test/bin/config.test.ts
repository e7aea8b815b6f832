import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DATA_DIR, loadConfig, PLATEWATCH_ENV_VARIABLES, resolveConfig } from '../../bin/config.js';
import { DEFAULT_MATCHER_CONFIG } from '../../matcher/index.js';
import { storageSettings } from '../../bin/storage-options.js';
import { REPO_ROOT, runCliInProcess } from '../fixtures/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function loadError(options: Parameters<typeof loadConfig>[0]): Promise<ConfigError> {
  try {
    await loadConfig(options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('returns the documented defaults with no file and no environment', async () => {
    const config = await loadConfig({ env: {} });
    expect(config.dataDir).toBe(DEFAULT_DATA_DIR);
    expect(config.dataDir).toBe('./data');
    expect(config.matcher).toEqual(DEFAULT_MATCHER_CONFIG);
  });

  it('takes values from a JSON config file', async () => {
    const file = configFile(
      'full.json',
      JSON.stringify({
        dataDir: '/var/lib/platewatch',
        matcher: { generalLists: ['svs', 'SFR'], fuzzyMinLength: 6, listPolicies: { case7: ['exact', 'ocr'] } },
      }),
    );
    const config = await loadConfig({ file, env: {} });
    expect(config.dataDir).toBe('/var/lib/platewatch');
    expect(config.matcher.generalLists).toEqual(['SVS', 'SFR']);
    expect(config.matcher.fuzzyMinLength).toBe(6);
    expect(config.matcher.listPolicies).toEqual({ CASE7: ['exact', 'ocr'] });
    expect(config.matcher.ocrClasses).toEqual(DEFAULT_MATCHER_CONFIG.ocrClasses);
  });

  it('lets environment variables override the file', async () => {
    const file = configFile('base.json', JSON.stringify({ dataDir: '/from/file', matcher: { fuzzyMinLength: 6 } }));
    const config = await loadConfig({
      file,
      env: {
        PLATEWATCH_DATA_DIR: '/from/env',
        PLATEWATCH_GENERAL_LISTS: 'svs, sfr ,SLR,NCIC',
        PLATEWATCH_OCR_CLASSES: '0ODQ,1IL,8B',
        PLATEWATCH_FUZZY_MIN_LENGTH: '7',
        PLATEWATCH_PATTERN_MIN_KNOWN: '4',
        PLATEWATCH_OCR_MAX_SUBSTITUTIONS: '0,0,0,0,0,1,1,2,2',
      },
    });
    expect(config.dataDir).toBe('/from/env');
    expect(config.matcher.generalLists).toEqual(['SVS', 'SFR', 'SLR', 'NCIC']);
    expect(config.matcher.ocrClasses).toEqual(['0ODQ', '1IL', '8B']);
    expect(config.matcher.fuzzyMinLength).toBe(7);
    expect(config.matcher.patternMinKnown).toBe(4);
    expect(config.matcher.ocrMaxSubstitutionsByLength).toEqual([0, 0, 0, 0, 0, 1, 1, 2, 2]);
  });

  it('treats an empty environment variable as unset', async () => {
    const config = await loadConfig({ env: { PLATEWATCH_DATA_DIR: '', PLATEWATCH_GENERAL_LISTS: ' ' } });
    expect(config.dataDir).toBe('./data');
    expect(config.matcher.generalLists).toEqual(DEFAULT_MATCHER_CONFIG.generalLists);
  });

  it('reads no environment variable it was not given', async () => {
    process.env['PLATEWATCH_DATA_DIR'] = '/leaked/from/process/env';
    try {
      expect((await loadConfig({ env: {} })).dataDir).toBe('./data');
    } finally {
      delete process.env['PLATEWATCH_DATA_DIR'];
    }
  });

  it('refuses an unknown key in the file, naming it', async () => {
    const top = await loadError({ file: configFile('top.json', '{"dataDirectory":"x"}'), env: {} });
    expect(top.code).toBe('UNKNOWN_KEY');
    expect(top.message).toContain('"dataDirectory"');
    const nested = await loadError({ file: configFile('nested.json', '{"matcher":{"fuzzyMinLenght":5}}'), env: {} });
    expect(nested.code).toBe('UNKNOWN_KEY');
    expect(nested.message).toContain('"matcher.fuzzyMinLenght"');
  });

  it('says an unknown key once, not again as a value of the wrong type (found by QA)', async () => {
    const error = await loadError({ file: configFile('typo-storage.json', '{"storage":{"retentonDays":400}}'), env: {} });
    expect(error.code).toBe('UNKNOWN_KEY');
    expect(error.message).toBe(
      'invalid configuration:\n  ' +
        `${join(dir, 'typo-storage.json')}: unknown key "storage.retentonDays" (known: url, username, password, retentionDays, skipIndexCacheMb, searchTimeoutSeconds, batchRows, batchDelayMs, insertsInFlight, maxQueuedRows)`,
    );
    for (const file of ['{"nats":{"prot":4222}}', '{"gateway":{"hots":"0.0.0.0"}}', '{"hits":{"covert":{"A":["x"]}}}', '{"hotlists":{"staleHours":"x"}}']) {
      const message = (await loadError({ file: configFile('typo.json', file), env: {} })).message;
      expect(message.split('\n'), file).toHaveLength(2);
      expect(message).toContain('unknown key');
    }
  });

  it('refuses a file that cannot be read or is not JSON', async () => {
    expect((await loadError({ file: join(dir, 'missing.json'), env: {} })).code).toBe('CONFIG_FILE_UNREADABLE');
    const notJson = await loadError({ file: configFile('bad.json', '{ dataDir: x }'), env: {} });
    expect(notJson.code).toBe('CONFIG_FILE_NOT_JSON');
    expect(notJson.message).toContain('bad.json');
  });

  it('refuses values of the wrong type with the option named', async () => {
    const error = await loadError({ file: configFile('types.json', '{"dataDir":5,"matcher":{"generalLists":"SVS"}}'), env: {} });
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toContain('dataDir must be a non-empty string');
    expect(error.message).toContain('matcher.generalLists must be an array');
  });

  it('refuses malformed environment values, naming the variable', async () => {
    const error = await loadError({ env: { PLATEWATCH_FUZZY_MIN_LENGTH: 'five', PLATEWATCH_OCR_MAX_SUBSTITUTIONS: '0,0,2' } });
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toContain('PLATEWATCH_FUZZY_MIN_LENGTH: "five" is not a whole number');
    expect(error.message).toContain('PLATEWATCH_OCR_MAX_SUBSTITUTIONS');
  });

  it('takes the log level from PLATEWATCH_LOG_LEVEL (info when unset or empty) and refuses one pino does not know, naming the variable', async () => {
    expect((await loadConfig({ env: {} })).logLevel).toBe('info');
    expect((await loadConfig({ env: { PLATEWATCH_LOG_LEVEL: '' } })).logLevel).toBe('info');
    expect((await loadConfig({ env: { PLATEWATCH_LOG_LEVEL: ' ' } })).logLevel).toBe('info');
    expect((await loadConfig({ env: { PLATEWATCH_LOG_LEVEL: 'Debug' } })).logLevel).toBe('debug');
    expect((await loadConfig({ env: { PLATEWATCH_LOG_LEVEL: 'silent' } })).logLevel).toBe('silent');
    const error = await loadError({ env: { PLATEWATCH_LOG_LEVEL: 'verbose' } });
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toContain('PLATEWATCH_LOG_LEVEL: "verbose" is not a log level (one of fatal, error, warn, info, debug, trace, silent)');
  });

  it('reports what the matcher refuses, such as a character in two OCR classes', async () => {
    const error = await loadError({ env: { PLATEWATCH_OCR_CLASSES: '0OD,8BD' } });
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toContain('PLATEWATCH_OCR_CLASSES: "D" is in both "0OD" and "8BD"');
  });

  it('refuses a list policy without exact matching', () => {
    expect(() => resolveConfig({ matcher: { listPolicies: { BOLO: ['ocr'] } } }, {})).toThrow(/listPolicies\.BOLO: must include "exact"/);
  });
});

describe('environment variables', () => {
  it('refuses an unknown PLATEWATCH_* variable as an unknown key, naming it and the one meant (found by QA)', async () => {
    const typo = await loadError({ env: { PLATEWATCH_RETENTON_DAYS: '400' } });
    expect(typo.code).toBe('UNKNOWN_KEY');
    expect(typo.message).toBe('invalid configuration:\n  environment: unknown variable PLATEWATCH_RETENTON_DAYS (did you mean PLATEWATCH_RETENTION_DAYS?)');
    expect((await loadError({ env: { PLATEWATCH_STORAGE_RETENTION_DAYS: '400' } })).message).toContain(
      'environment: unknown variable PLATEWATCH_STORAGE_RETENTION_DAYS (did you mean PLATEWATCH_RETENTION_DAYS?)',
    );
    expect((await loadError({ env: { PLATEWATCH_HOST: '0.0.0.0' } })).message).toContain('(did you mean PLATEWATCH_HTTP_HOST?)');
    expect((await loadError({ env: { platewatch_data_dir: '/srv' } })).message).toContain('unknown variable platewatch_data_dir (did you mean PLATEWATCH_DATA_DIR?)');
    expect((await loadError({ env: { PLATEWATCH_ZZZ: '1' } })).message).toContain('unknown variable PLATEWATCH_ZZZ (the variables platewatch reads: README, Configuration)');
  });

  it('reports an unknown variable with the file\'s problems, and leaves other prefixes and empty variables alone', async () => {
    const error = await loadError({ file: configFile('env-and-file.json', '{"dataDirectory":"x"}'), env: { PLATEWATCH_NATSPORT: '4222' } });
    expect(error.message).toContain('"dataDirectory"');
    expect(error.message).toContain('unknown variable PLATEWATCH_NATSPORT (did you mean PLATEWATCH_NATS_PORT?)');
    const config = await loadConfig({ env: { PLATEWATCH_RETENTON_DAYS: '', NATS_CONTEXT: 'x', CLICKHOUSE_DATABASE: 'y', PLATEWATCHER: 'z' } });
    expect(config.storage.retentionDays).toBe(365);
  });

  it('accepts every variable platewatch reads anywhere: each README names, the wrapper\'s PLATEWATCH_CWD, and what tests and scripts set', () => {
    const named = new Set<string>();
    const scan = (path: string): void => {
      if (statSync(path).isDirectory()) {
        for (const entry of readdirSync(path)) if (entry !== 'node_modules' && entry !== '.git') scan(join(path, entry));
      } else if (/\.(ts|mjs|js|sh|md|json|yaml)$|\/platewatch$|\/\.ci\/run$/.test(path)) {
        for (const match of readFileSync(path, 'utf8').matchAll(/\bPLATEWATCH_[A-Z0-9_]*[A-Z0-9]\b/g)) named.add(match[0]);
      }
    };
    for (const top of ['platewatch', 'README.md', 'bin', 'ingest', 'storage', 'gateway', 'scripts', 'docs', 'test', '.ci', 'bench', 'examples']) scan(join(REPO_ROOT, top));
    // Not environment variables: a constant in ingest/bulk-layout.ts.
    named.delete('PLATEWATCH_FIELDS');
    // Names this file uses to show refusals.
    for (const refused of ['PLATEWATCH_RETENTON_DAYS', 'PLATEWATCH_STORAGE_RETENTION_DAYS', 'PLATEWATCH_HOST', 'PLATEWATCH_ZZZ', 'PLATEWATCH_NATSPORT', 'PLATEWATCH_ENV_VARIABLES']) named.delete(refused);
    expect([...named].filter((name) => !(PLATEWATCH_ENV_VARIABLES as readonly string[]).includes(name))).toEqual([]);
    expect(named).toContain('PLATEWATCH_CWD');
    expect(named.size).toBeGreaterThan(25);
    // Set all at once, with values each accepts, nothing is refused as unknown.
    const env = Object.fromEntries(PLATEWATCH_ENV_VARIABLES.map((name) => [name, '']));
    expect(() => resolveConfig({}, { ...env, PLATEWATCH_CWD: '/home/admin', PLATEWATCH_DATA_DIR: '/srv/platewatch', PLATEWATCH_HTTP_HOST: '0.0.0.0' })).not.toThrow();
  });

  it('stops every verb that reads the configuration, before it starts anything', async () => {
    const dataDir = join(dir, 'never-made');
    const env = { PLATEWATCH_RETENTON_DAYS: '400', PLATEWATCH_DATA_DIR: dataDir };
    const up = await runCliInProcess(['up'], { env });
    expect(up.code).toBe(2);
    expect(up.stderr).toBe('platewatch up: [UNKNOWN_KEY] invalid configuration:\n  environment: unknown variable PLATEWATCH_RETENTON_DAYS (did you mean PLATEWATCH_RETENTION_DAYS?)\n');
    // A storage verb (audit) loads it through bin/storage-options.ts.
    const audit = await runCliInProcess(['audit', 'verify', '--as', 'psd1', '--password-stdin'], { env, stdin: 'x\n' });
    expect(audit.code).not.toBe(0);
    expect(audit.stderr).toContain('unknown variable PLATEWATCH_RETENTON_DAYS (did you mean PLATEWATCH_RETENTION_DAYS?)');
    const match = await runCliInProcess(['match', '--hotlist', join(REPO_ROOT, 'examples/hotlists/svs.csv'), '--reads', '-'], { env });
    expect(match.code).toBe(2);
    expect(match.stderr).toContain('unknown variable PLATEWATCH_RETENTON_DAYS');
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('service settings', () => {
  it('default to embedded servers, 365 days of retention and 30 days of retroactive hits', () => {
    const config = resolveConfig({}, {});
    expect(config.nats).toEqual({ url: undefined, port: 0, readsMaxGib: 10 });
    expect(config.storage).toEqual({
      url: undefined, username: 'default', password: '', retentionDays: 365, skipIndexCacheMb: 512, searchTimeoutSeconds: 30,
      batchRows: 50_000, batchDelayMs: 250, insertsInFlight: 2, maxQueuedRows: 200_000,
    });
    expect(config.retroactiveDays).toBe(30);
  });

  it('take the skip-index cache size from the file or PLATEWATCH_SKIP_INDEX_CACHE_MB, in bytes for storage', () => {
    expect(resolveConfig({ storage: { skipIndexCacheMb: 64 } }, {}).storage.skipIndexCacheMb).toBe(64);
    const config = resolveConfig({ storage: { skipIndexCacheMb: 64 } }, { PLATEWATCH_SKIP_INDEX_CACHE_MB: '0' });
    expect(config.storage.skipIndexCacheMb).toBe(0);
    expect(storageSettings(resolveConfig({}, { PLATEWATCH_SKIP_INDEX_CACHE_MB: '256' })).skipIndexCacheBytes).toBe(256 * 2 ** 20);
    expect(() => resolveConfig({}, { PLATEWATCH_SKIP_INDEX_CACHE_MB: 'lots' })).toThrow(/PLATEWATCH_SKIP_INDEX_CACHE_MB: "lots" is not a whole number/);
    expect(() => resolveConfig({ storage: { skipIndexCacheMb: -5 } }, {})).toThrow(/storage\.skipIndexCacheMb must be a whole number/);
  });

  it('take the search time limit from the file or PLATEWATCH_SEARCH_TIMEOUT_SECONDS, in ms for storage; at least 1 s', () => {
    expect(storageSettings(resolveConfig({ storage: { searchTimeoutSeconds: 10 } }, {})).searchTimeoutMs).toBe(10_000);
    expect(storageSettings(resolveConfig({ storage: { searchTimeoutSeconds: 10 } }, { PLATEWATCH_SEARCH_TIMEOUT_SECONDS: '120' })).searchTimeoutMs).toBe(120_000);
    expect(() => resolveConfig({}, { PLATEWATCH_SEARCH_TIMEOUT_SECONDS: '0' })).toThrow(/PLATEWATCH_SEARCH_TIMEOUT_SECONDS must be at least 1/);
  });

  it('take the writer\'s batch settings from the file or the environment, and refuse ones that cannot work', () => {
    const fromFile = storageSettings(resolveConfig({ storage: { batchRows: 5000, batchDelayMs: 100, insertsInFlight: 1, maxQueuedRows: 20_000 } }, {}));
    expect(fromFile).toMatchObject({ batchRows: 5000, batchDelayMs: 100, insertsInFlight: 1, maxQueuedRows: 20_000 });
    const fromEnv = storageSettings(resolveConfig({ storage: { batchRows: 5000 } }, {
      PLATEWATCH_BATCH_ROWS: '20000', PLATEWATCH_BATCH_DELAY_MS: '50', PLATEWATCH_INSERTS_IN_FLIGHT: '3', PLATEWATCH_MAX_QUEUED_ROWS: '300000',
    }));
    expect(fromEnv).toMatchObject({ batchRows: 20_000, batchDelayMs: 50, insertsInFlight: 3, maxQueuedRows: 300_000 });
    expect(() => resolveConfig({}, { PLATEWATCH_INSERTS_IN_FLIGHT: '0' })).toThrow(/PLATEWATCH_INSERTS_IN_FLIGHT must be at least 1/);
    expect(() => resolveConfig({ storage: { batchDelayMs: 1.5 } }, {})).toThrow(/storage\.batchDelayMs must be a whole number/);
    expect(() => resolveConfig({ storage: { batchRows: 50_000, maxQueuedRows: 10_000 } }, {})).toThrow(/storage\.maxQueuedRows \(10000\) must be at least storage\.batchRows \(50000\)/);
  });

  it('take NATS_URL, CLICKHOUSE_URL and credentials from the environment over the file', () => {
    const config = resolveConfig(
      { nats: { url: 'nats://file:4222' }, storage: { url: 'http://file:8123', retentionDays: 400 }, retroactiveDays: 7 },
      { NATS_URL: 'nats://env:4222', CLICKHOUSE_URL: 'http://env:8123', CLICKHOUSE_USER: 'alpr', CLICKHOUSE_PASSWORD: 's3cret', PLATEWATCH_NATS_PORT: '4333', PLATEWATCH_RETROACTIVE_DAYS: '0' },
    );
    expect(config.nats).toEqual({ url: 'nats://env:4222', port: 4333, readsMaxGib: 10 });
    expect(config.storage).toMatchObject({ url: 'http://env:8123', username: 'alpr', password: 's3cret', retentionDays: 400, skipIndexCacheMb: 512, searchTimeoutSeconds: 30 });
    expect(config.retroactiveDays).toBe(0);
  });

  it('refuses an embedded NATS port that is not a TCP port, from the file or the environment', () => {
    expect(resolveConfig({}, { PLATEWATCH_NATS_PORT: '4222' }).nats.port).toBe(4222);
    expect(() => resolveConfig({}, { PLATEWATCH_NATS_PORT: '99999' })).toThrow(/PLATEWATCH_NATS_PORT 99999 is not a TCP port/);
    expect(() => resolveConfig({ nats: { port: 70000 } }, {})).toThrow(/nats\.port 70000 is not a TCP port/);
  });

  it('names the variable in a range error about a value it set, and the file key otherwise (found by QA)', () => {
    const problem = (file: unknown, env: Record<string, string>): string => {
      try {
        resolveConfig(file, env);
      } catch (error) {
        expect(error).toMatchObject({ code: 'INVALID_VALUE' });
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(problem({}, { PLATEWATCH_RETENTION_DAYS: '100' })).toBe('invalid configuration:\n  PLATEWATCH_RETENTION_DAYS is 100; Government Code § 34090.6 requires at least 365');
    expect(problem({ storage: { retentionDays: 100 } }, {})).toMatch(/^invalid configuration:\n  storage\.retentionDays is 100;/);
    // The variable wins over the file, so a file value it overrides is not the one at fault.
    expect(problem({ storage: { retentionDays: 400 } }, { PLATEWATCH_RETENTION_DAYS: '100' })).toMatch(/\n  PLATEWATCH_RETENTION_DAYS is 100;/);
    expect(problem({}, { PLATEWATCH_HOTLIST_STALE_HOURS: '25' })).toMatch(/\n  PLATEWATCH_HOTLIST_STALE_HOURS is 25; it must be more than 0 and at most 24/);
    expect(problem({ hotlists: { staleAfterHours: 25 } }, {})).toMatch(/\n  hotlists\.staleAfterHours is 25;/);
    expect(problem({}, { PLATEWATCH_NATS_PORT: '70000' })).toMatch(/\n  PLATEWATCH_NATS_PORT 70000 is not a TCP port/);
    expect(problem({}, { PLATEWATCH_HTTP_PORT: '70000' })).toMatch(/\n  PLATEWATCH_HTTP_PORT 70000 is not a TCP port/);
    expect(problem({}, { PLATEWATCH_FUZZY_MIN_LENGTH: '0' })).toBe('invalid configuration:\n  PLATEWATCH_FUZZY_MIN_LENGTH: must be an integer ≥ 2');
    expect(problem({ matcher: { fuzzyMinLength: 0 } }, {})).toBe('invalid configuration:\n  matcher.fuzzyMinLength: must be an integer ≥ 2');
    expect(problem({}, { PLATEWATCH_PATTERN_MIN_KNOWN: '0' })).toMatch(/\n  PLATEWATCH_PATTERN_MIN_KNOWN: must be an integer ≥ 1/);
    expect(problem({ matcher: { listPolicies: { case7: ['ocr'] } } }, {})).toMatch(/\n  matcher\.listPolicies\.CASE7: must include "exact"/);
    expect(problem({}, { PLATEWATCH_TIME_ZONE: 'Mars/Base' })).toBe('invalid configuration:\n  PLATEWATCH_TIME_ZONE "Mars/Base" is not an IANA time zone name (e.g. America/Los_Angeles, Etc/UTC)');
    expect(problem({ timeZone: 'Mars/Base' }, {})).toMatch(/\n  timeZone "Mars\/Base" is not an IANA/);
    expect(problem({}, { PLATEWATCH_BATCH_ROWS: '5000', PLATEWATCH_MAX_QUEUED_ROWS: '100' })).toMatch(/\n  PLATEWATCH_MAX_QUEUED_ROWS \(100\) must be at least PLATEWATCH_BATCH_ROWS \(5000\)/);
  });

  it('take the trusted proxies from the file or the environment, and refuse what is not an IP address', () => {
    expect(resolveConfig({}, {}).gateway.trustedProxies).toEqual([]);
    expect(resolveConfig({ gateway: { trustedProxies: ['10.0.0.5', 'fd00::5'] } }, {}).gateway.trustedProxies).toEqual(['10.0.0.5', 'fd00::5']);
    expect(resolveConfig({ gateway: { trustedProxies: ['10.0.0.5'] } }, { PLATEWATCH_TRUSTED_PROXIES: '10.0.0.7, 10.0.0.8' }).gateway.trustedProxies).toEqual(['10.0.0.7', '10.0.0.8']);
    expect(() => resolveConfig({}, { PLATEWATCH_TRUSTED_PROXIES: 'lb.example.org' })).toThrow(/PLATEWATCH_TRUSTED_PROXIES: "lb\.example\.org" is neither an IP address nor a CIDR range/);
    expect(() => resolveConfig({ gateway: { trustedProxies: '10.0.0.5' } }, {})).toThrow(/trustedProxies must be an array of IP addresses or CIDR ranges/);
    // A cloud balancer's subnet: the form QA found refused ("10.0.0.0/24" is not an IP address).
    expect(resolveConfig({}, { PLATEWATCH_TRUSTED_PROXIES: '10.0.0.0/24, fd00::/8' }).gateway.trustedProxies).toEqual(['10.0.0.0/24', 'fd00::/8']);
    expect(() => resolveConfig({}, { PLATEWATCH_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/"10\.0\.0\.0\/33" has a prefix length that is not 0–32/);
  });

  it('take the image hosts from the file or the environment, and refuse what is not an origin or a template with {image}', () => {
    expect(resolveConfig({}, {}).gateway).toMatchObject({ imageOrigins: [], imageUrlTemplate: '' });
    const fromFile = { gateway: { imageOrigins: ['https://images.example.org'], imageUrlTemplate: 'https://store.example.org/alpr/{image}' } };
    expect(resolveConfig(fromFile, {}).gateway).toMatchObject(fromFile.gateway);
    expect(resolveConfig(fromFile, { PLATEWATCH_IMAGE_ORIGINS: 'https://a.example.org, https://b.example.org:8443', PLATEWATCH_IMAGE_URL_TEMPLATE: 'https://c.example.org/{image}?size=full' }).gateway)
      .toMatchObject({ imageOrigins: ['https://a.example.org', 'https://b.example.org:8443'], imageUrlTemplate: 'https://c.example.org/{image}?size=full' });
    expect(() => resolveConfig({}, { PLATEWATCH_IMAGE_ORIGINS: 'https://images.example.org/alpr' })).toThrow(/PLATEWATCH_IMAGE_ORIGINS: "https:\/\/images\.example\.org\/alpr" is not an origin alone \(scheme, host and port; no path\): use https:\/\/images\.example\.org/);
    expect(() => resolveConfig({ gateway: { imageOrigins: 'https://images.example.org' } }, {})).toThrow(/imageOrigins must be an array of origins/);
    expect(() => resolveConfig({}, { PLATEWATCH_IMAGE_URL_TEMPLATE: 'https://store.example.org/alpr/' })).toThrow(/PLATEWATCH_IMAGE_URL_TEMPLATE: "https:\/\/store\.example\.org\/alpr\/" must hold \{image\} once/);
    expect(() => resolveConfig({ gateway: { imageUrlTemplate: 'https://{image}.example.org/' } }, {})).toThrow(/gateway\.imageUrlTemplate: .*\{image\} must come after the host/);
  });

  it('take the idle lock from the file or the environment, and refuse a lock longer than a session or an unknown role', () => {
    expect(resolveConfig({}, {}).gateway).toMatchObject({ idleLockMinutes: 30, idleLockExemptRoles: ['dispatcher', 'officer', 'supervisor'] });
    expect(resolveConfig({ gateway: { idleLockMinutes: 15, idleLockExemptRoles: ['dispatcher'] } }, {}).gateway).toMatchObject({ idleLockMinutes: 15, idleLockExemptRoles: ['dispatcher'] });
    expect(resolveConfig({ gateway: { idleLockMinutes: 15 } }, { PLATEWATCH_IDLE_LOCK_MINUTES: '0', PLATEWATCH_IDLE_LOCK_EXEMPT_ROLES: 'none' }).gateway).toMatchObject({ idleLockMinutes: 0, idleLockExemptRoles: [] });
    expect(resolveConfig({}, { PLATEWATCH_IDLE_LOCK_EXEMPT_ROLES: 'dispatcher, supervisor' }).gateway.idleLockExemptRoles).toEqual(['dispatcher', 'supervisor']);
    expect(() => resolveConfig({}, { PLATEWATCH_IDLE_LOCK_MINUTES: '721' })).toThrow(/PLATEWATCH_IDLE_LOCK_MINUTES is 721; it must be at most 720/);
    expect(() => resolveConfig({}, { PLATEWATCH_IDLE_LOCK_MINUTES: 'half an hour' })).toThrow(/PLATEWATCH_IDLE_LOCK_MINUTES: "half an hour" is not a whole number/);
    // A negative number is a whole one: the message says what is wanted (QA).
    expect(() => resolveConfig({ gateway: { idleLockMinutes: -5 } }, {})).toThrow(/gateway\.idleLockMinutes must be a whole number, 0 or more/);
    expect(() => resolveConfig({}, { PLATEWATCH_IDLE_LOCK_MINUTES: '-1' })).toThrow(/PLATEWATCH_IDLE_LOCK_MINUTES: "-1" is not a whole number \(0 or more\)/);
    expect(() => resolveConfig({ gateway: { idleLockExemptRoles: ['dispatch'] } }, {})).toThrow(/gateway\.idleLockExemptRoles: unknown role "dispatch" \(roles: officer, dispatcher/);
    expect(() => resolveConfig({ gateway: { idleLockExemptRoles: 'dispatcher' } }, {})).toThrow(/idleLockExemptRoles must be an array of role names/);
  });

  it('take the READS stream\'s size in GiB from the file or the environment, at least 1', () => {
    expect(resolveConfig({}, {}).nats.readsMaxGib).toBe(10);
    expect(resolveConfig({ nats: { readsMaxGib: 3 } }, {}).nats.readsMaxGib).toBe(3);
    expect(resolveConfig({ nats: { readsMaxGib: 3 } }, { PLATEWATCH_READS_MAX_GIB: '2' }).nats.readsMaxGib).toBe(2);
    expect(() => resolveConfig({}, { PLATEWATCH_READS_MAX_GIB: '0' })).toThrow(/PLATEWATCH_READS_MAX_GIB must be at least 1/);
    expect(() => resolveConfig({ nats: { readsMaxGib: 1.5 } }, {})).toThrow(/nats\.readsMaxGib must be a whole number/);
  });

  it('refuses retention under one year, naming the law', () => {
    expect(() => resolveConfig({}, { PLATEWATCH_RETENTION_DAYS: '90' })).toThrow(/34090\.6/);
  });

  it('refuses malformed URLs and unknown keys in a section', () => {
    expect(() => resolveConfig({}, { NATS_URL: 'localhost:4222' })).toThrow(/must start with nats:\/\//);
    expect(() => resolveConfig({}, { CLICKHOUSE_URL: 'tcp://x' })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => resolveConfig({ storage: { retention: 400 } }, {})).toThrow(/unknown key "storage\.retention"/);
  });
});

describe('hit settings', () => {
  it('default to escalation after 5 minutes and no covert lists', () => {
    expect(resolveConfig({}, {}).hits).toEqual({ escalateAfterMinutes: 5, covertLists: {} });
  });

  it('take covert lists from the file (list names upper-cased) and the escalation time from file or environment', () => {
    const config = resolveConfig({ hits: { escalateAfterMinutes: 3, covertLists: { narc: ['det1', 'det2'] } } }, { PLATEWATCH_ESCALATE_AFTER_MINUTES: '8' });
    expect(config.hits).toEqual({ escalateAfterMinutes: 8, covertLists: { NARC: ['det1', 'det2'] } });
  });

  it('refuses a covert list without named users, a negative time, and unknown keys', () => {
    expect(() => resolveConfig({ hits: { covertLists: { NARC: [] } } }, {})).toThrow(/hits\.covertLists\.NARC must be a non-empty array/);
    expect(() => resolveConfig({ hits: { escalateAfterMinutes: -1 } }, {})).toThrow(/escalateAfterMinutes must be a number ≥ 0/);
    expect(() => resolveConfig({ hits: { escalate: 1 } }, {})).toThrow(/unknown key "hits\.escalate"/);
  });
});

describe('metrics settings', () => {
  it('keep 5,000 cameras apart by default, taken from the file or PLATEWATCH_METRICS_MAX_CAMERAS, which wins', () => {
    expect(resolveConfig({}, {}).metrics).toEqual({ maxCameras: 5000 });
    expect(resolveConfig({ metrics: { maxCameras: 200 } }, {}).metrics.maxCameras).toBe(200);
    expect(resolveConfig({ metrics: { maxCameras: 200 } }, { PLATEWATCH_METRICS_MAX_CAMERAS: '12000' }).metrics.maxCameras).toBe(12000);
  });

  it('refuses no camera at all, a value that is no whole number, and unknown keys', () => {
    expect(() => resolveConfig({}, { PLATEWATCH_METRICS_MAX_CAMERAS: '0' })).toThrow(/PLATEWATCH_METRICS_MAX_CAMERAS is 0; it must be at least 1/);
    expect(() => resolveConfig({}, { PLATEWATCH_METRICS_MAX_CAMERAS: 'many' })).toThrow(/PLATEWATCH_METRICS_MAX_CAMERAS: "many" is not a whole number/);
    expect(() => resolveConfig({ metrics: { maxCameras: 1.5 } }, {})).toThrow(/metrics\.maxCameras must be a whole number/);
    expect(() => resolveConfig({ metrics: { cameras: 10 } }, {})).toThrow(/unknown key "metrics\.cameras"/);
  });
});
