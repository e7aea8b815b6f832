// The capacity table from a recorded run, as a plain script (what `platewatch bench --from-json`
// does): node --import tsx bench/capacity/plan.ts --from-json FILE [--plan C,R,H]… [--retention-days D]
import { parseArgs } from 'node:util';
import { printRecordedPlan } from './plan-cli.js';
import { parsePlanRequest } from './plan-request.js';

const USAGE = 'usage: node --import tsx bench/capacity/plan.ts --from-json FILE [--plan C,R,H]… [--retention-days D]\n';
const { values } = parseArgs({ options: { 'from-json': { type: 'string' }, plan: { type: 'string', multiple: true }, 'retention-days': { type: 'string' } }, strict: true });
const request = parsePlanRequest(values.plan, values['retention-days']);
if (!request.ok || values['from-json'] === undefined) {
  process.stderr.write(request.ok ? USAGE : `bench/capacity/plan.ts: ${request.reason}\n`);
  process.exitCode = 2;
} else {
  process.exitCode = printRecordedPlan(values['from-json'], request.value, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }, 'bench/capacity/plan.ts');
}
