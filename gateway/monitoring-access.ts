// Who may read /metrics, and /healthz's details. /metrics names every agency, camera and hot list,
// and a covert list's hit counter moving as one camera's last-read time moves tells where and when
// a covert plate was seen (security assessment): it is no public page. With a token set, only a
// scraper presenting it reads /metrics; without one, only a client on this machine does, judged as
// the login throttle judges clients, so nginx on this host forwarding a remote client (its
// X-Forwarded-For) does not open it to the world.
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError, type JsonRequest } from './http-json.js';
import { clientAddress, isLoopback, trustedProxySet } from './login-throttle.js';
import type { TrustedProxies } from './trusted-proxies.js';

export interface MonitoringAccessConfig {
  /** The bearer token /metrics requires; undefined: /metrics answers clients on this machine only. */
  token: string | undefined;
  /** Proxies whose X-Forwarded-For names the client (GatewayConfig.trustedProxies). */
  trustedProxies: readonly string[];
}

export type MonitoringRequest = Pick<JsonRequest, 'remoteAddress' | 'headers'>;

export class MonitoringAccess {
  /** SHA-256 of the token: digests of equal length compare in constant time whatever was sent. */
  private readonly tokenDigest: Buffer | undefined;
  private readonly proxies: TrustedProxies;

  constructor(config: MonitoringAccessConfig) {
    this.tokenDigest = config.token === undefined ? undefined : digest(config.token);
    this.proxies = trustedProxySet(config.trustedProxies);
  }

  /** Throws the HttpError (401, 403) /metrics answers a client that may not read it. */
  checkMetrics(request: MonitoringRequest): void {
    if (this.tokenDigest !== undefined) {
      if (this.hasToken(request)) return;
      throw new HttpError(401, 'METRICS_TOKEN_REQUIRED', '/metrics needs the header "Authorization: Bearer <metrics.token>"');
    }
    if (this.isLocal(request)) return;
    throw new HttpError(
      403,
      'METRICS_LOCAL_ONLY',
      '/metrics answers only this machine while no metrics token is set; to scrape it from elsewhere, set metrics.token (PLATEWATCH_METRICS_TOKEN) and send it as "Authorization: Bearer <token>"',
    );
  }

  /**
   * Whether /healthz may show its details (the NATS server's address, the feed, storage and the
   * consoles connected) to this client: those who may read /metrics, and any client on this
   * machine. Others — a load balancer elsewhere — get up or down.
   */
  mayReadHealthDetails(request: MonitoringRequest): boolean {
    return this.isLocal(request) || (this.tokenDigest !== undefined && this.hasToken(request));
  }

  private isLocal(request: MonitoringRequest): boolean {
    return isLoopback(clientAddress(request, this.proxies));
  }

  private hasToken(request: MonitoringRequest): boolean {
    const match = /^bearer\s+(\S+)\s*$/i.exec(request.headers['authorization'] ?? '');
    return match !== null && this.tokenDigest !== undefined && timingSafeEqual(digest(match[1] as string), this.tokenDigest);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
