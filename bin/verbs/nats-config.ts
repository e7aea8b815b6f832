// `platewatch nats-config`: a nats-server configuration for a department's own NATS, for cameras
// on the network (the embedded one listens on 127.0.0.1 without TLS). Written by hand it was a
// trap (verification QA): with per-user permissions alone a camera could have a JetStream ack
// purge a stream. So it is built from the embedded server's accounts (bin/department-nats-config.ts),
// and prints on stderr what platewatch and the cameras are to be given.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import { isSubjectToken, NatsServerError } from '../../ingest/index.js';
import { agenciesDifferingInCase, departmentNatsConfig, type DepartmentNatsConfig } from '../department-nats-config.js';
import { terminalText } from '../terminal-text.js';
import type { Verb, VerbIO } from '../verb.js';
import { parseVerbArgs, usageErrorFor } from '../verb-options.js';

const DEFAULT_LISTEN = '0.0.0.0:4222';

const USAGE = `Usage: platewatch nats-config --store-dir DIR (--tls-cert FILE --tls-key FILE | --no-tls)
                              [--listen HOST:PORT] [--agency NAME ...]

Prints a nats-server configuration for the department's own NATS, for cameras on the network
(the embedded nats-server of "platewatch up" listens on 127.0.0.1 only, without TLS), and on
standard error what to give platewatch (NATS_URL, NATS_USER, NATS_PASSWORD) and the cameras.
Its accounts are those of the embedded server: the system's account holds JetStream, the
cameras are in accounts of their own that may only publish reads, so no reply subject a camera
names can have an ack touch the streams or the hot lists. Each run makes new passwords.

The configuration holds every password: send standard output to a file of mode 0600
(umask 077; platewatch nats-config … > /etc/nats/platewatch.conf); it warns when it goes to a
file others may read.

Options:
  --store-dir DIR     JetStream's store (required): platewatch's streams reserve 11 GiB on its
                      disk, and nats-server offers them 75% of the space free
  --tls-cert FILE     the server's certificate (PEM; a chain from the server's certificate up)
  --tls-key FILE      its private key (PEM, not encrypted); both required unless --no-tls
  --no-tls            no TLS: passwords and reads then cross the network in clear (warned)
  --listen HOST:PORT  where nats-server listens                      [default: ${DEFAULT_LISTEN}]
  --agency NAME       one camera user per agency, which may publish only that agency's reads
                      (alpr.reads.NAME.>); repeat for each   [default: one user "camera" for all]
  --help              show this text

With a certificate from a private CA (or self-signed), platewatch needs the CA's certificate in
NODE_EXTRA_CA_CERTS, and the cameras need it too. The URL printed names the host in --listen,
or with 0.0.0.0 the certificate's first DNS name: clients must use a name the certificate has.

Exit status: 0 done; 1 a TLS file cannot be read or used; 2 usage error.

Example:
  umask 077; platewatch nats-config --store-dir /var/lib/nats --tls-cert /etc/nats/nats.pem \\
      --tls-key /etc/nats/nats-key.pem --agency wpd --agency scso > /etc/nats/platewatch.conf
  nats-server -c /etc/nats/platewatch.conf
`;

const OPTIONS = {
  listen: { type: 'string', default: DEFAULT_LISTEN },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'no-tls': { type: 'boolean', default: false },
  'store-dir': { type: 'string' },
  agency: { type: 'string', multiple: true },
} as const;

const usageError = usageErrorFor('nats-config', USAGE);

export const natsConfigVerb: Verb = {
  name: 'nats-config',
  summary: "print the configuration of a department's own nats-server: TLS, camera users per agency",
  usage: USAGE,
  run: runNatsConfig,
};

async function runNatsConfig(args: string[], io: VerbIO): Promise<number> {
  const parsed = parseVerbArgs('nats-config', args, OPTIONS, io);
  if (parsed === null) return 2;
  const { values, positionals } = parsed;
  if (positionals.length > 0) return usageError(io, `unexpected argument "${positionals[0]}"`);
  const listen = parseListen(values.listen);
  if (listen === null) return usageError(io, `--listen "${values.listen}" must be HOST:PORT (a port from 1 to 65535; an IPv6 address in brackets)`);
  const noTls = values['no-tls'];
  const certGiven = values['tls-cert'];
  const keyGiven = values['tls-key'];
  if (noTls && (certGiven !== undefined || keyGiven !== undefined)) return usageError(io, '--no-tls and --tls-cert/--tls-key contradict each other');
  if (!noTls && (certGiven === undefined || keyGiven === undefined)) {
    return usageError(io, '--tls-cert FILE and --tls-key FILE are required (or --no-tls, to have passwords and reads cross the network in clear)');
  }
  if (values['store-dir'] === undefined || values['store-dir'] === '') return usageError(io, '--store-dir DIR is required (JetStream\'s store)');
  const agencies = values.agency ?? [];
  for (const [i, agency] of agencies.entries()) {
    if (!isSubjectToken(agency)) return usageError(io, `--agency "${agency}" must be 1–64 characters of A-Za-z0-9_- (it is a subject token)`);
    if (agencies.indexOf(agency) !== i) return usageError(io, `--agency "${agency}" is given twice`);
  }
  const clash = agenciesDifferingInCase(agencies);
  if (clash !== null) {
    return usageError(io, `--agency "${clash[0]}" and --agency "${clash[1]}" differ only in letter case: platewatch takes an agency in any case as one (reads, searches, hit filters), so give it once`);
  }

  const warnings: string[] = [];
  let tls: { certFile: string; keyFile: string; cert: X509Certificate } | null = null;
  if (!noTls) {
    const checked = await checkTlsFiles(resolve(io.cwd, certGiven as string), resolve(io.cwd, keyGiven as string));
    if (typeof checked === 'string') {
      io.stderr.write(`platewatch nats-config: ${terminalText(checked)}\n`);
      return 1;
    }
    tls = checked;
    if (Date.parse(checked.cert.validTo) < Date.now()) warnings.push(`the certificate expired on ${checked.cert.validTo}: every client refuses it`);
  } else {
    warnings.push('no TLS (--no-tls): the passwords and every read cross the network in clear; use it only on a network no one else can reach');
  }
  const urlHost = advertisedHost(listen.host, tls?.cert ?? null);
  if (tls !== null && !certificateNames(tls.cert, urlHost)) {
    warnings.push(`the certificate does not name ${urlHost} (it names ${tls.cert.subjectAltName ?? tls.cert.subject}): clients must connect by a name it has, or they refuse it`);
  }
  let config: DepartmentNatsConfig;
  try {
    config = departmentNatsConfig({
      listen: values.listen,
      tls: tls === null ? null : { certFile: tls.certFile, keyFile: tls.keyFile },
      storeDir: resolve(io.cwd, values['store-dir']),
      agencies,
    });
  } catch (error) {
    // A path with a control character, which nats-server's syntax cannot hold.
    if (error instanceof NatsServerError) return usageError(io, error.message);
    throw error;
  }
  const stdoutProblem = readableByOthers(io);
  if (stdoutProblem !== null) warnings.push(stdoutProblem);
  io.stdout.write(config.text);
  io.stderr.write(instructions(config, `${tls === null ? 'nats' : 'tls'}://${urlHostText(urlHost)}:${listen.port}`, tls, warnings));
  return 0;
}

/** `host:port`, `[v6]:port`; null when it is neither. */
export function parseListen(text: string): { host: string; port: number } | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  const host = match[1] ?? (match[2] as string);
  if (match[1] !== undefined && isIP(host) !== 6) return null;
  return { host, port };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** Both files read, a certificate and a key of it; else why not. */
async function checkTlsFiles(certFile: string, keyFile: string): Promise<{ certFile: string; keyFile: string; cert: X509Certificate } | string> {
  let certPem: Buffer;
  let keyPem: Buffer;
  try {
    certPem = await readFile(certFile);
  } catch (error) {
    return `cannot read the certificate --tls-cert ${certFile}: ${(error as Error).message}`;
  }
  try {
    keyPem = await readFile(keyFile);
  } catch (error) {
    return `cannot read the key --tls-key ${keyFile}: ${(error as Error).message}`;
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return `--tls-cert ${certFile} is not a PEM certificate`;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    return `--tls-key ${keyFile} is not a PEM private key without a passphrase (nats-server reads no encrypted key)`;
  }
  if (!cert.checkPrivateKey(key)) return `--tls-key ${keyFile} is not the key of the certificate ${certFile}`;
  return { certFile, keyFile, cert };
}

/**
 * The host clients are told to connect to: the listen address when the certificate names it, else
 * (0.0.0.0, or an address it does not name) the certificate's first name: clients check it.
 */
function advertisedHost(listenHost: string, cert: X509Certificate | null): string {
  if (cert !== null && (isWildcard(listenHost) || !certificateNames(cert, listenHost))) {
    const names = subjectAltNames(cert);
    const named = names.find((n) => n.kind === 'DNS' && !n.value.startsWith('*'))?.value ?? names.find((n) => n.kind === 'IP')?.value;
    if (named !== undefined) return named;
  }
  return isWildcard(listenHost) ? hostname() : listenHost;
}

/** `host` as a URL has it: an IPv6 address in brackets. */
function urlHostText(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

function subjectAltNames(cert: X509Certificate): Array<{ kind: 'DNS' | 'IP'; value: string }> {
  const names: Array<{ kind: 'DNS' | 'IP'; value: string }> = [];
  for (const entry of (cert.subjectAltName ?? '').split(/,\s*/)) {
    if (entry.startsWith('DNS:')) names.push({ kind: 'DNS', value: entry.slice(4) });
    else if (entry.startsWith('IP Address:')) names.push({ kind: 'IP', value: entry.slice('IP Address:'.length) });
  }
  return names;
}

function certificateNames(cert: X509Certificate, host: string): boolean {
  return (isIP(host) === 0 ? cert.checkHost(host) : cert.checkIP(host)) !== undefined;
}

/** A warning when standard output is a file others may read: it receives every password. */
function readableByOthers(io: VerbIO): string | null {
  const fd = (io.stdout as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return null;
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || (stats.mode & 0o077) === 0) return null;
    return `the file standard output goes to is readable by others (mode ${(stats.mode & 0o777).toString(8)}), and it holds every password: chmod 600 it`;
  } catch {
    return null;
  }
}

function instructions(config: DepartmentNatsConfig, url: string, tls: { certFile: string; cert: X509Certificate } | null, warnings: readonly string[]): string {
  const lines = warnings.map((w) => `platewatch nats-config: WARNING: ${w}`);
  if (lines.length > 0) lines.push('');
  lines.push(
    'The nats-server configuration is on standard output; it holds every password below.',
    'Start nats-server with it: nats-server -c FILE. Each run makes new passwords: running it',
    'again means giving platewatch and every camera the new ones.',
    '',
    'platewatch ("platewatch up" and the other commands), in its environment:',
    `  NATS_URL=${url} NATS_USER=${config.system.user} NATS_PASSWORD=${config.system.password}`,
  );
  if (tls !== null) {
    // Node trusts its own list of public CAs, not the system's store: a private CA has to be named.
    lines.push(
      selfSigned(tls.cert)
        ? `  NODE_EXTRA_CA_CERTS=${tls.certFile}   (the certificate is self-signed: clients trust it as its own CA)`
        : '  and, when the certificate is from a private CA: NODE_EXTRA_CA_CERTS=/path/ca.pem (the CA\'s certificate)',
    );
  }
  lines.push('', `Cameras connect to ${url}${tls === null ? '' : ', trusting the same CA'}, keeping the NATS clients' default inbox prefix (_INBOX):`);
  for (const camera of config.cameras) {
    const who = camera.agency === undefined ? 'every agency' : `agency ${camera.agency}`;
    lines.push(`  ${who}: user ${camera.user} password ${camera.password}   (publishes reads to ${camera.subject})`);
  }
  return `${lines.join('\n')}\n`;
}

function selfSigned(cert: X509Certificate): boolean {
  return cert.subject === cert.issuer && cert.verify(cert.publicKey);
}
