// The gateway's Prometheus series, registered on the shared MetricsRegistry so one /metrics
// page shows the pipeline and the gateway together.
import type { Counter, Gauge, Histogram, MetricsRegistry } from '../ingest/index.js';
import { CLOSE_CODES } from './console-protocol.js';

export interface GatewayMetrics {
  socketsConnected: Gauge;
  hitsReceived: Counter;
  duplicateHits: Counter;
  undecodableHits: Counter;
  hitsDelivered: Counter;
  hitsDropped: Counter;
  resyncs: Counter;
  slowConsoleCloses: Counter;
  refusedUpgrades: Counter;
  /** Consoles closed because their session ended (4401) or no longer allows live hits (4403); label `code`. */
  sessionCloses: Counter;
  /** Periodic session checks that could not reach the verifier (the consoles stay until their expiry). */
  sessionCheckFailures: Counter;
  replayHits: Gauge;
  escalations: Counter;
  /** From the hit arriving at the gateway to the last socket's send returning. */
  fanOutSeconds: Histogram;
  /**
   * From the pipeline publishing a live hit to the gateway handing it to the sockets. Replays and
   * backlog hits (older than the gateway's start, or read after a start or reconnect) are left out.
   */
  publishToSendSeconds: Histogram;
}

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createGatewayMetrics(registry: MetricsRegistry): GatewayMetrics {
  return {
    socketsConnected: registry.gauge('platewatch_gateway_sockets', 'Console WebSockets connected'),
    hitsReceived: registry.counter('platewatch_gateway_hits_received_total', 'Hits taken from the HITS stream'),
    duplicateHits: registry.counter('platewatch_gateway_duplicate_hits_total', 'Hits dropped because their hit id was already seen'),
    undecodableHits: registry.counter('platewatch_gateway_undecodable_hits_total', 'Messages on the HITS stream that did not decode as a hit'),
    hitsDelivered: registry.counter('platewatch_gateway_hits_delivered_total', 'Hit frames handed to console sockets (live and replay)'),
    hitsDropped: registry.counter('platewatch_gateway_hits_dropped_total', 'Hit frames not sent because the console was over its buffer limit'),
    resyncs: registry.counter('platewatch_gateway_resyncs_total', 'Resync messages sent to consoles that fell behind'),
    slowConsoleCloses: registry.counter('platewatch_gateway_slow_console_closes_total', 'Consoles closed for staying over the buffer limit too long'),
    refusedUpgrades: registry.counter('platewatch_gateway_refused_upgrades_total', 'WebSocket upgrades refused (no or invalid session)'),
    sessionCloses: registry.counter('platewatch_gateway_session_closes_total', 'Consoles closed because their session ended (code 4401) or no longer allows live hits (4403)', {
      labelNames: ['code'],
      known: [{ code: String(CLOSE_CODES.sessionEnded) }, { code: String(CLOSE_CODES.accessChanged) }],
    }),
    sessionCheckFailures: registry.counter('platewatch_gateway_session_check_failures_total', 'Periodic re-checks of open consoles\' sessions that failed (storage unreachable)'),
    escalations: registry.counter('platewatch_gateway_escalations_total', 'Hits left unresolved past the escalation time, announced to supervisors'),
    replayHits: registry.gauge('platewatch_gateway_replay_hits', 'Unresolved recent hits held for replay'),
    fanOutSeconds: registry.histogram('platewatch_gateway_fan_out_seconds', 'Time to hand one batch of hits to every matching console', LATENCY_BUCKETS),
    publishToSendSeconds: registry.histogram('platewatch_gateway_publish_to_send_seconds', 'Live hits only: published by the pipeline to handed to the console sockets as they arrive; replays and hits from the stream backlog (at start or after a reconnect) or published before the gateway started are not counted', LATENCY_BUCKETS),
  };
}
