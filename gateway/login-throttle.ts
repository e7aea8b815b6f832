// Brute-force protection by client address. The lockout per account and address, and the
// account-wide ceiling that slows guessing from many addresses (storage/credentials.ts), stop
// guessing one account's password; this stops one address guessing across many accounts (and
// filling the access log with it): after `maxFailures` failed logins from an address within
// `windowMs`, further logins from it get 429 until the oldest failure leaves the window.
// Behind the reverse proxy (TLS ends there) every peer is the proxy, so when the peer is a proxy
// — a loopback address, or one of the configured trusted proxies (a load balancer on another
// host) — the client is the last X-Forwarded-For hop that is not itself a proxy. Without that, a
// remote balancer's one address would stand for every client, and 20 failures from anyone would
// block sign-in for all — and lock every account out for everyone, as the account lockout is keyed
// on this address too. Any other peer's X-Forwarded-For is the client's own claim and ignored.
import { GatewayError } from './errors.js';
import { HttpError, type JsonRequest } from './http-json.js';
import { trustedProxies as proxiesNamed, type TrustedProxies } from './trusted-proxies.js';

export interface LoginThrottleConfig {
  /** @default 20 */
  maxFailures: number;
  /** @default 10 minutes */
  windowMs: number;
  /** Addresses remembered at most; the oldest is forgotten first. @default 10000 */
  maxAddresses: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleConfig = { maxFailures: 20, windowMs: 10 * 60_000, maxAddresses: 10_000 };

// uWS gives IPv6 peers in full, and an IPv4 peer of a socket bound to `::` as IPv6 in full too:
// 127.0.0.1 is then 0000:0000:0000:0000:0000:ffff:7f00:0001.
const LOOPBACK = /^(127\.|::1$|0{0,4}(:0{0,4}){6}:0{0,3}1$|::ffff:127\.|(0{1,4}:){5}ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$)/i;

/** True for an address of this machine's loopback interface (127.0.0.0/8, ::1, IPv4 as IPv6). */
export function isLoopback(address: string): boolean {
  return LOOPBACK.test(address);
}

const NO_PROXIES: TrustedProxies = { has: () => false };

/** The proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed; throws naming a bad entry. */
export function trustedProxySet(entries: readonly string[]): TrustedProxies {
  try {
    return proxiesNamed(entries);
  } catch (error) {
    throw new GatewayError('GATEWAY_CONFIG_INVALID', `trusted proxy ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The client's address: the peer; or, for a peer that is a proxy (loopback or `trustedProxies`),
 * the last X-Forwarded-For hop that is not a proxy itself.
 */
export function clientAddress(request: Pick<JsonRequest, 'remoteAddress' | 'headers'>, trustedProxies: TrustedProxies = NO_PROXIES): string {
  const peer = request.remoteAddress;
  const isProxy = (address: string): boolean => isLoopback(address) || trustedProxies.has(address);
  const forwarded = request.headers['x-forwarded-for'];
  if (forwarded === undefined || !isProxy(peer)) return peer;
  const hops = forwarded.split(',').map((h) => h.trim()).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (hop.length > 64) return peer;
    if (!isProxy(hop)) return hop;
  }
  return peer;
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  /** Attempts from each address whose password is being checked now. */
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly config: LoginThrottleConfig = DEFAULT_LOGIN_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws 429 when `address` has failed too often lately (with `inFlight` attempts still being checked). */
  check(address: string, inFlight = 0): void {
    const recent = this.recent(address);
    if (recent.length + inFlight < this.config.maxFailures) return;
    // With attempts still being checked and no failure yet, the earliest a retry can succeed is unknown: say a second.
    const oldest = recent[0];
    const retryAfterSeconds = oldest === undefined ? 1 : Math.max(1, Math.ceil((oldest + this.config.windowMs - this.now()) / 1000));
    throw new HttpError(429, 'TOO_MANY_ATTEMPTS', `too many failed logins from this address; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }

  /**
   * Starts one login attempt from `address`: throws 429 when its failures so far, counting every
   * attempt still being checked as one, reach the limit. The attempt is counted before the slow
   * password check, so logins sent all at once cannot all get past the check before the first
   * failure is recorded. Call the returned function once the attempt has been decided.
   */
  begin(address: string): (failed: boolean) => void {
    const inFlight = this.pending.get(address) ?? 0;
    if (this.recent(address).length + inFlight >= this.config.maxFailures) this.check(address, inFlight);
    this.pending.set(address, inFlight + 1);
    let settled = false;
    return (failed) => {
      if (settled) return;
      settled = true;
      const left = (this.pending.get(address) ?? 1) - 1;
      if (left > 0) this.pending.set(address, left);
      else this.pending.delete(address);
      if (failed) this.recordFailure(address);
    };
  }

  recordFailure(address: string): void {
    const recent = this.recent(address);
    recent.push(this.now());
    // Re-inserting moves the address to the end, so the first key is the least recently failed.
    this.failures.delete(address);
    this.failures.set(address, recent);
    if (this.failures.size > this.config.maxAddresses) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  private recent(address: string): number[] {
    const cutoff = this.now() - this.config.windowMs;
    const times = (this.failures.get(address) ?? []).filter((t) => t > cutoff);
    if (times.length === 0) this.failures.delete(address);
    else this.failures.set(address, times);
    return times;
  }
}
