// Credentials for a NATS server that asks for them: a department's NATS (NATS_URL) runs with
// authorization. The usual form, `nats://user:password@host:4222` or `nats://token@host:4222`, is
// what operators write, and nats.js ignores it: the client connected with no credentials and was
// refused ("Authorization Violation"). So the URL's user part is taken out here and given to the
// client as options, with the settings (NATS_TOKEN, NATS_USER / NATS_PASSWORD, NATS_CREDS) winning
// over it; and a URL is never shown with its secret.
import { readFileSync } from 'node:fs';
import { credsAuthenticator } from '@nats-io/transport-node';

export interface NatsCredentials {
  /** Env `NATS_TOKEN`. */
  token?: string;
  /** Env `NATS_USER`, with `NATS_PASSWORD`. */
  user?: string;
  password?: string;
  /** A JWT credentials file (`nsc`'s `.creds`). Env `NATS_CREDS`. */
  credsFile?: string;
}

export interface NatsConnectOptions {
  servers: string[];
  token?: string;
  user?: string;
  pass?: string;
  authenticator?: ReturnType<typeof credsAuthenticator>;
}

export class NatsCredentialsError extends Error {
  readonly code = 'NATS_CREDENTIALS';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NatsCredentialsError';
  }
}

/**
 * The client options for `urls` (one URL, or several separated by commas): every URL without its
 * user part, and the credentials from `credentials`, else from the first URL's user part
 * (`user:password@` or `token@`, percent-decoded).
 */
export function natsConnectOptions(urls: string, credentials: NatsCredentials = {}): NatsConnectOptions {
  const parsed = urls.split(',').map((u) => u.trim()).filter((u) => u !== '').map(splitUserInfo);
  const options: NatsConnectOptions = { servers: parsed.map((p) => p.url) };
  const fromUrl = parsed.find((p) => p.user !== undefined);
  if (credentials.credsFile !== undefined && credentials.credsFile !== '') {
    let creds: Uint8Array;
    try {
      creds = readFileSync(credentials.credsFile);
    } catch (error) {
      throw new NatsCredentialsError(`cannot read the NATS credentials file ${credentials.credsFile}: ${(error as Error).message}`, { cause: error });
    }
    options.authenticator = credsAuthenticator(creds);
  } else if (credentials.token !== undefined && credentials.token !== '') {
    options.token = credentials.token;
  } else if (credentials.user !== undefined && credentials.user !== '') {
    options.user = credentials.user;
    options.pass = credentials.password ?? '';
  } else if (fromUrl?.password !== undefined) {
    options.user = fromUrl.user as string;
    options.pass = fromUrl.password;
  } else if (fromUrl?.user !== undefined) {
    options.token = fromUrl.user;
  }
  return options;
}

/** `urls` with no user part at all, to be kept where others may read it (the run file). */
export function natsUrlWithoutCredentials(urls: string): string {
  return urls.split(',').map((u) => splitUserInfo(u.trim()).url).join(',');
}

/** `urls` as it may be shown in a log or on the terminal: any user part replaced by `***`. */
export function redactNatsUrl(urls: string): string {
  return urls.replace(/(\/\/)[^/@,]*@/g, '$1***@');
}

function splitUserInfo(url: string): { url: string; user?: string; password?: string } {
  const match = /^([a-z]+:\/\/)([^/@]*)@(.*)$/i.exec(url);
  if (match === null) return { url };
  const [, scheme, info, rest] = match as unknown as [string, string, string, string];
  const colon = info.indexOf(':');
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  return colon < 0
    ? { url: `${scheme}${rest}`, user: decode(info) }
    : { url: `${scheme}${rest}`, user: decode(info.slice(0, colon)), password: decode(info.slice(colon + 1)) };
}
