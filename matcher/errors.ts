// Typed errors of the matcher. Callers switch on `code`; bad input on the hot path is a value, not one of these.

export const MATCHER_ERROR_CODES = {
  INVALID_CONFIG: 'INVALID_CONFIG',
  WRONG_LIST: 'WRONG_LIST',
} as const;
export type MatcherErrorCode = (typeof MATCHER_ERROR_CODES)[keyof typeof MATCHER_ERROR_CODES];

export class MatcherError extends Error {
  readonly code: MatcherErrorCode;

  constructor(code: MatcherErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MatcherError';
    this.code = code;
  }
}
