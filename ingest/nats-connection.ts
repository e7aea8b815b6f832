// Whether a NATS connection is connected now. `isClosed()` says only whether it has ended for good:
// while the client reconnects (for ever, as `up` connects) it stays false, and /healthz said ok for
// minutes with the server gone. So the client's status events are followed: a 'disconnect' holds
// until the next 'reconnect'.
import type { NatsConnection } from '@nats-io/transport-node';

export type NatsConnectionState =
  | { state: 'connected'; server: string }
  /** Lost `server` at `since` (ms epoch); the client is trying to reconnect. */
  | { state: 'disconnected'; server: string; since: number }
  | { state: 'closed' };

export class NatsConnectionWatch {
  private lost: { server: string; since: number } | null = null;
  private readonly statuses: ReturnType<NatsConnection['status']> & { stop?: () => void };

  /** Start it while `nc` is connected (after `connect` resolves): events before it are not seen. */
  constructor(private readonly nc: NatsConnection) {
    const statuses = nc.status();
    this.statuses = statuses;
    void (async () => {
      for await (const status of statuses) {
        if (status.type === 'disconnect') this.lost ??= { server: status.server, since: Date.now() };
        else if (status.type === 'reconnect') this.lost = null;
      }
    })();
  }

  state(): NatsConnectionState {
    if (this.nc.isClosed()) return { state: 'closed' };
    if (this.lost !== null) return { state: 'disconnected', ...this.lost };
    return { state: 'connected', server: this.nc.getServer() };
  }

  isConnected(): boolean {
    return this.state().state === 'connected';
  }

  /** In words, for /healthz and logs; null while connected. */
  problem(): string | null {
    const now = this.state();
    if (now.state === 'closed') return 'NATS connection closed';
    if (now.state === 'disconnected') return `NATS not connected: lost ${now.server} at ${new Date(now.since).toISOString()}; reconnecting`;
    return null;
  }

  stop(): void {
    this.statuses.stop?.();
  }
}
