// `platewatch bench --from-json FILE [--plan C,R,H]… [--retention-days D]`: the capacity table of a
// recorded run, with the planner's own departments and retention, in a second — nothing is run.
// The verb (bin/verbs/bench.ts) and the plain script (bench/capacity/plan.ts) both call this.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { PlanRequest } from './plan-request.js';
import { renderPlanFromJson } from './plan-table.js';

/** Options that only mean something when a run is made: given with --from-json, they are refused. */
export const RUN_ONLY_OPTIONS = ['quick', 'consoles', 'hotlist-entries', 'rates', 'report', 'svg', 'json'] as const;

export interface PlanIO {
  stdout: Writable;
  stderr: Writable;
  cwd: string;
}

/** The run-only options among `given`, as `--name`, for the message naming both sides of the conflict. */
export function runOnlyOptionsGiven(given: Readonly<Record<string, unknown>>): string[] {
  return RUN_ONLY_OPTIONS.filter((name) => given[name] !== undefined).map((name) => `--${name}`);
}

/** Prints the table; 0 when printed, 1 when the file cannot be read or planned from (the reason on stderr). */
export function printRecordedPlan(file: string, request: PlanRequest, io: PlanIO, prefix = 'platewatch bench'): number {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    io.stderr.write(`${prefix}: --from-json ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  const table = renderPlanFromJson(text, file, request);
  if (!table.ok) {
    io.stderr.write(`${prefix}: ${table.reason}\n`);
    return 1;
  }
  io.stdout.write(`${table.value}\n`);
  return 0;
}
