// The errors of starting the embedded nats-server and writing its config (nats-server.ts, nats-server-config.ts).

export class NatsServerError extends Error {
  readonly code:
    | 'NATS_SERVER_MISSING'
    | 'NATS_SERVER_START_FAILED'
    | 'NATS_SERVER_PORT_IN_USE'
    | 'NATS_SERVER_STORE_IN_USE'
    | 'NATS_SERVER_DIED'
    | 'NATS_SERVER_BAD_AUTHORIZATION';
  /** NATS_SERVER_PORT_IN_USE: the port another program holds. */
  readonly port: number | undefined;

  constructor(code: NatsServerError['code'], message: string, options?: ErrorOptions & { port?: number }) {
    super(message, options);
    this.name = 'NatsServerError';
    this.code = code;
    this.port = options?.port;
  }
}
