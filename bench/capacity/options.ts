// What a capacity run does, with the defaults of the full run (under 10 minutes on a 2-core box)
// and of `--quick` (under a minute: CI's smoke test checks that it runs and reports, not speed).

export interface CapacityOptions {
  quick: boolean;
  /** Console sockets connected to the gateway during the load steps. @default 200 (quick 20) */
  consoles: number;
  /** Processes the console sockets are spread over. @default 2 (quick 1) */
  consoleProcesses: number;
  /** Entries of the general list (SVS) loaded; a 1,000-entry BOLO list is loaded beside it. @default 100,000 (quick 10,000) */
  hotlistEntries: number;
  /** Simulated cameras (subjects) the fleet's reads are spread over. @default 200 */
  cameras: number;
  /** Share of reads that are listed plates. @default 0.005 (DESIGN.md: hit rates around 0.5%) */
  hitRate: number;
  /** Fixed rates reported with latency, CPU and memory (reads/s). @default 1,000, 5,000, 20,000 (quick 1,000, 5,000) */
  fixedRates: number[];
  /** Seconds per fixed-rate step. @default 20 (quick 2) */
  fixedSeconds: number;
  /** Seconds per ramp step. @default 10 (quick 2) */
  rampSeconds: number;
  /** First ramp rate and the factor between steps until one is not sustained. @default 2,000 × 1.5 (quick 2,000 × 2) */
  rampStart: number;
  rampFactor: number;
  /** Ramp steps at most, and bisection steps between the last sustained and the first failed rate. @default 10, 2 (quick 2, 0) */
  rampMaxSteps: number;
  bisections: number;
  /** Messages for the JetStream ceiling. @default 200,000 (quick 20,000) */
  ceilingMessages: number;
  /** Rows for the chDB insert ceiling. @default 500,000 (quick 50,000) */
  ceilingRows: number;
  /** Hits sent to every console for the fan-out ceiling and the gateway's top fan-out rate. @default 5,000 (quick 400) */
  fanOutHits: number;
  /** Reads in the backlog each 1-vs-2 worker process measurement drains. @default 150,000 (quick 5,000) */
  scaleOutReads: number;
  seed: number;
}

export const DEFAULT_CAPACITY_OPTIONS: CapacityOptions = {
  quick: false,
  consoles: 200,
  consoleProcesses: 2,
  hotlistEntries: 100_000,
  cameras: 200,
  hitRate: 0.005,
  fixedRates: [1_000, 5_000, 20_000],
  fixedSeconds: 20,
  rampSeconds: 10,
  rampStart: 2_000,
  rampFactor: 1.5,
  rampMaxSteps: 10,
  bisections: 2,
  ceilingMessages: 200_000,
  ceilingRows: 500_000,
  fanOutHits: 5_000,
  scaleOutReads: 150_000,
  seed: 20261123,
};

export const QUICK_CAPACITY_OPTIONS: CapacityOptions = {
  ...DEFAULT_CAPACITY_OPTIONS,
  quick: true,
  consoles: 20,
  consoleProcesses: 1,
  hotlistEntries: 10_000,
  fixedRates: [1_000, 5_000],
  fixedSeconds: 2,
  rampSeconds: 2,
  rampStart: 2_000,
  rampFactor: 2,
  rampMaxSteps: 2,
  bisections: 0,
  ceilingMessages: 20_000,
  ceilingRows: 50_000,
  fanOutHits: 400,
  scaleOutReads: 5_000,
};
