// Errors the gateway raises, with a stable `code` callers switch on.

export const GATEWAY_ERROR_CODES = ['GATEWAY_CONFIG_INVALID', 'GATEWAY_LISTEN_FAILED', 'GATEWAY_FEED_FAILED', 'GATEWAY_CONSOLE_MISSING'] as const;
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

export class GatewayError extends Error {
  readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
  }
}
