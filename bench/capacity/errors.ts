// Why a capacity run stopped: a code to switch on and a message that says what to look at.
export const BENCH_ERROR_CODES = {
  /** The simulated camera fleet process failed or exited. */
  fleetFailed: 'FLEET_FAILED',
  /** The console processes failed, or did not answer in time. */
  consolesFailed: 'CONSOLES_FAILED',
  /** A scale-out worker process failed, exited, or saw fewer reads than were published. */
  workerFailed: 'WORKER_FAILED',
  /** The system did not come up as the benchmark needs it (gateway, sign-in, a listening socket). */
  setupFailed: 'SETUP_FAILED',
  /** A backlog did not drain in the time allowed. */
  notDrained: 'NOT_DRAINED',
} as const;
export type BenchErrorCode = (typeof BENCH_ERROR_CODES)[keyof typeof BENCH_ERROR_CODES];

export class BenchError extends Error {
  readonly code: BenchErrorCode;

  constructor(code: BenchErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BenchError';
    this.code = code;
  }
}
