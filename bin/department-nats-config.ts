// A nats-server configuration for a department's own NATS (`platewatch nats-config`): the
// embedded server's accounts (bin/nats-accounts.ts, written by ingest/nats-server-config.ts's
// serverConfigText), plus what the embedded one has on its command line or lacks: the address to
// listen on, TLS, and the JetStream store.
//
// One difference from the embedded server, on purpose: the system user is not refused `_INBOX.>`.
// platewatch's connections to NATS_URL take nats.js's default inbox prefix (`_INBOX`, not the
// embedded server's `_PW_INBOX`: ingest/nats-auth.ts gives them none), so that refusal would fail
// every JetStream request. It is not needed here: cameras are in other accounts, whose `_INBOX`
// is not the system's.
import { configString, NatsServerError, serverConfigText } from '../ingest/index.js';
import { CAMERA_NATS_ACCOUNT, CAMERA_NATS_USER, SYSTEM_NATS_ACCOUNT, SYSTEM_NATS_USER } from './embedded-nats-auth.js';
import { newNatsPassword, platewatchNatsAuthorization, type CameraNatsAccount, type NatsUserCredentials } from './nats-accounts.js';

export interface DepartmentNatsSettings {
  /** `host:port` or `[v6]:port`. */
  listen: string;
  /** PEM files, absolute paths; null: no TLS. */
  tls: { certFile: string; keyFile: string } | null;
  /** Absolute path. */
  storeDir: string;
  /** One camera user per agency; empty: one `camera` user for every agency. */
  agencies: readonly string[];
}

export interface DepartmentCameraUser extends NatsUserCredentials {
  /** Undefined: every agency. */
  agency: string | undefined;
  /** Where its reads go: `alpr.reads.<agency>.<camera>`. */
  subject: string;
}

export interface DepartmentNatsConfig {
  /** The configuration file's text; it holds every password. */
  text: string;
  system: NatsUserCredentials;
  cameras: DepartmentCameraUser[];
}

/**
 * Two of `agencies` that differ only in letter case, or null. The rest of platewatch takes an
 * agency in any case as one (a read's agency is checked against its subject's without case,
 * and searches and consoles' hit filters compare it so too), so `wpd` and `WPD` as two camera users,
 * each in an account of its own, would be one agency split in two: nothing to number apart.
 */
export function agenciesDifferingInCase(agencies: readonly string[]): [string, string] | null {
  const seen = new Map<string, string>();
  for (const agency of agencies) {
    const first = seen.get(agency.toLowerCase());
    if (first !== undefined && first !== agency) return [first, agency];
    seen.set(agency.toLowerCase(), first ?? agency);
  }
  return null;
}

/** The configuration, with new passwords for every user. Throws NatsServerError for agencies differing only in case. */
export function departmentNatsConfig(settings: DepartmentNatsSettings, madeAt = new Date()): DepartmentNatsConfig {
  const clash = agenciesDifferingInCase(settings.agencies);
  if (clash !== null) {
    throw new NatsServerError('NATS_SERVER_BAD_AUTHORIZATION', `agencies "${clash[0]}" and "${clash[1]}" differ only in letter case, and platewatch takes them as one agency: give it once`);
  }
  const system = { user: SYSTEM_NATS_USER, password: newNatsPassword() };
  const cameraAccounts: CameraNatsAccount[] = settings.agencies.length === 0
    ? [{ account: CAMERA_NATS_ACCOUNT, user: { user: CAMERA_NATS_USER, password: newNatsPassword() } }]
    : agencyAccounts(settings.agencies);
  const authorization = platewatchNatsAuthorization({ account: SYSTEM_NATS_ACCOUNT, user: system }, cameraAccounts);
  // The same names as the embedded server's, so a department moving to its own NATS keeps them.
  // serverConfigText's first line says the file is the embedded server's, rewritten at each start: not this one.
  const accounts = serverConfigText(authorization).replace(/^#[^\n]*\n/, '');
  const lines = [
    `# nats-server configuration for platewatch, made by "platewatch nats-config" on ${madeAt.toISOString()}.`,
    '# It holds the passwords of every user: keep it mode 0600, readable by nats-server\'s user alone.',
    `listen: ${configString(settings.listen, 'listen address')}`,
  ];
  if (settings.tls !== null) {
    // Every client must speak TLS: nats-server refuses one that does not.
    lines.push('tls {', `  cert_file: ${configString(settings.tls.certFile, 'certificate file')}`, `  key_file: ${configString(settings.tls.keyFile, 'key file')}`, '}');
  }
  lines.push('jetstream {', `  store_dir: ${configString(settings.storeDir, 'store directory')}`, '}');
  return {
    text: `${lines.join('\n')}\n${accounts}`,
    system,
    cameras: cameraAccounts.map((a) => ({ ...a.user, agency: a.agency, subject: `${a.agency === undefined ? 'alpr.reads.<agency>' : `alpr.reads.${a.agency}`}.<camera>` })),
  };
}

/** `CAMERAS_<AGENCY>` accounts with `camera-<agency>` users; agency names differing only in `-`/`_` (two agencies) get a number. */
function agencyAccounts(agencies: readonly string[]): CameraNatsAccount[] {
  const taken = new Set([SYSTEM_NATS_ACCOUNT, CAMERA_NATS_ACCOUNT]);
  return agencies.map((agency) => {
    const base = `${CAMERA_NATS_ACCOUNT}_${agency.toUpperCase().replace(/-/g, '_')}`;
    let account = base;
    for (let n = 2; taken.has(account); n++) account = `${base}_${n}`;
    taken.add(account);
    return { account, agency, user: { user: `${CAMERA_NATS_USER}-${agency}`, password: newNatsPassword() } };
  });
}
