// The gateway's settings as one typed object. bin/config.ts maps environment variables and the
// config file onto it; nothing here reads process.env.
import { GatewayError } from './errors.js';
import { imageSources } from './image-sources.js';

export interface GatewayConfig {
  /** TCP port for HTTP and WebSocket; 0 picks a free one (the bound port is reported). @default 8080 */
  port: number;
  /** Address to bind. TLS ends at the reverse proxy in front, so loopback is the safe default. @default '127.0.0.1' */
  host: string;
  /**
   * Unresolved hits younger than this are replayed to a console when it subscribes, so unresolved
   * hits stay visible for a whole shift (a restarted gateway reads this far back in HITS). @default 12 hours
   */
  replayWindowMs: number;
  /** At most this many hits are kept for replay (the newest win), so a burst cannot exhaust memory. @default 20000 */
  replayMaxHits: number;
  /** A replay keeps the newest hits that fit in this many bytes of JSON. @default 8 MiB */
  replayMaxBytes: number;
  /** Hit ids remembered to drop duplicates (redelivery, a second publisher). @default 100000 */
  dedupeCapacity: number;
  /**
   * Bytes a console socket may have queued before the gateway stops sending it hits and drops
   * them; once it drains below half of this it gets a resync message and a fresh replay.
   * @default 1 MiB
   */
  maxBufferedBytes: number;
  /** A console that stays over `maxBufferedBytes` this long is closed (code 4008). @default 30000 */
  stuckTimeoutMs: number;
  /** Largest console → gateway WebSocket message (subscribe filters are small). @default 16 KiB */
  maxMessageBytes: number;
  /** Largest HTTP request body accepted; larger ones get 413. @default 1 MiB */
  maxBodyBytes: number;
  /** Seconds without traffic before uWS pings, then closes, a console socket. @default 60 */
  idleTimeoutSeconds: number;
  /** A hit unresolved this long after it was published escalates to supervisors; 0: never. @default 5 minutes */
  escalateAfterMs: number;
  /** How often unresolved hits are checked for escalation. @default 10000 */
  escalationCheckMs: number;
  /**
   * How often every open console's session is checked again (one batched look-up per check), so
   * a console whose session was ended elsewhere — logout, the user disabled or their training
   * lapsed by another gateway or the CLI, a role without hits.view, expiry — is closed (4401,
   * 4403) within this long. Changes made through this gateway close its consoles at once.
   * @default DEFAULT_SESSION_CHECK_MS (30 s)
   */
  sessionCheckMs: number;
  /**
   * How often every open console gets a heartbeat frame. Without word from the gateway for
   * 2.5 times this, a console takes its link for dead and reconnects: a link that stops passing
   * data without closing (a patrol car in a dead zone, a proxy's half-open connection) otherwise
   * showed "Live" while no hit could arrive (found by QA). @default DEFAULT_HEARTBEAT_MS (15 s)
   */
  heartbeatMs: number;
  /**
   * The bearer token /metrics requires (`Authorization: Bearer <token>`), for a Prometheus on
   * another host. Unset, /metrics answers only clients on this machine (monitoring-access.ts).
   * @default undefined
   */
  metricsToken: string | undefined;
  /**
   * Proxies (addresses or CIDR ranges) whose X-Forwarded-For names the client, besides loopback
   * peers: whom the login throttle counts and whether a client is on this machine. @default []
   */
  trustedProxies: readonly string[];
  /**
   * Origins (`https://images.example.org`) of the hosts that keep the reads' images: a read whose
   * `image` is a URL on one of them shows the image on its hit card, and the console's
   * Content-Security-Policy allows images from them and no others (image-sources.ts). @default []
   */
  imageOrigins: readonly string[];
  /**
   * For cameras that send a key rather than a URL: the image's address with `{image}` where the key
   * goes (`https://images.example.org/alpr/{image}`); its origin is allowed too. @default undefined
   */
  imageUrlTemplate: string | undefined;
}

export const DEFAULT_GATEWAY_PORT = 8080;
export const DEFAULT_REPLAY_WINDOW_MS = 12 * 3600 * 1000;
export const DEFAULT_ESCALATE_AFTER_MS = 5 * 60 * 1000;
export const DEFAULT_SESSION_CHECK_MS = 30_000;
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** A console whose session ended keeps receiving hits until the next check, so checks are never further apart. */
export const MAX_SESSION_CHECK_MS = 10 * 60_000;

export const DEFAULT_GATEWAY_CONFIG: GatewayConfig = {
  port: DEFAULT_GATEWAY_PORT,
  host: '127.0.0.1',
  replayWindowMs: DEFAULT_REPLAY_WINDOW_MS,
  replayMaxHits: 20_000,
  replayMaxBytes: 8 * 1024 * 1024,
  dedupeCapacity: 100_000,
  maxBufferedBytes: 1024 * 1024,
  stuckTimeoutMs: 30_000,
  maxMessageBytes: 16 * 1024,
  maxBodyBytes: 1024 * 1024,
  idleTimeoutSeconds: 60,
  escalateAfterMs: DEFAULT_ESCALATE_AFTER_MS,
  escalationCheckMs: 10_000,
  sessionCheckMs: DEFAULT_SESSION_CHECK_MS,
  heartbeatMs: DEFAULT_HEARTBEAT_MS,
  metricsToken: undefined,
  trustedProxies: [],
  imageOrigins: [],
  imageUrlTemplate: undefined,
};

/** Fills in defaults and refuses settings that cannot work, naming the option. */
export function resolveGatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const config = { ...DEFAULT_GATEWAY_CONFIG, ...overrides };
  const positive: Array<keyof GatewayConfig> = ['replayWindowMs', 'replayMaxHits', 'replayMaxBytes', 'dedupeCapacity', 'maxBufferedBytes', 'stuckTimeoutMs', 'maxMessageBytes', 'maxBodyBytes', 'escalationCheckMs', 'sessionCheckMs', 'heartbeatMs'];
  for (const key of positive) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new GatewayError('GATEWAY_CONFIG_INVALID', `gateway.${key} must be a positive number (got ${String(value)})`);
  }
  if (config.sessionCheckMs > MAX_SESSION_CHECK_MS) {
    throw new GatewayError('GATEWAY_CONFIG_INVALID', `gateway.sessionCheckMs must be at most ${MAX_SESSION_CHECK_MS} (10 min): a console whose session ended keeps receiving hits until the next check (got ${config.sessionCheckMs})`);
  }
  if (config.metricsToken !== undefined && !/^[\x21-\x7e]+$/.test(config.metricsToken)) {
    throw new GatewayError('GATEWAY_CONFIG_INVALID', 'the metrics token must be printable ASCII without spaces (it is sent as "Authorization: Bearer <token>")');
  }
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) throw new GatewayError('GATEWAY_CONFIG_INVALID', `gateway.port must be 0–65535 (got ${config.port})`);
  if (!Number.isInteger(config.idleTimeoutSeconds) || config.idleTimeoutSeconds < 0) throw new GatewayError('GATEWAY_CONFIG_INVALID', `gateway.idleTimeoutSeconds must be a whole number ≥ 0 (got ${config.idleTimeoutSeconds})`);
  if (typeof config.escalateAfterMs !== 'number' || !Number.isFinite(config.escalateAfterMs) || config.escalateAfterMs < 0) {
    throw new GatewayError('GATEWAY_CONFIG_INVALID', `gateway.escalateAfterMs must be a number ≥ 0 (0: never) (got ${String(config.escalateAfterMs)})`);
  }
  // Checked here so that a bad origin stops the start, naming the setting.
  imageSources(config.imageOrigins, config.imageUrlTemplate);
  return config;
}
