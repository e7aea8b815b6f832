// `platewatch bench`: the capacity benchmark (bench/capacity/). Runs the whole system on this
// machine against a simulated camera fleet and console sockets, and writes the report.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import pino from 'pino';
import type { Verb, VerbIO } from '../verb.js';
import { loadVerbConfig, parseVerbArgs, usageErrorFor } from '../verb-options.js';
import { makeOutputDirectory } from '../../storage/index.js';

const USAGE = `Usage: platewatch bench [--quick] [--consoles N] [--hotlist-entries N] [--rates R,R,…]
                        [--plan C,R,H]… [--retention-days D]
                        [--report FILE] [--svg FILE] [--json FILE] [--config FILE]
       platewatch bench --from-json FILE [--plan C,R,H]… [--retention-days D]

Capacity benchmark. Starts the whole system on this machine — nats-server, the pipeline,
embedded chDB and the gateway in one process, as "platewatch up" runs them — with a simulated
camera fleet and console WebSockets in processes of their own, in a temporary directory. It
measures the ceilings of each stage (raw JetStream consume + ack, raw chDB insert, raw
uWebSockets.js broadcast), ramps the read rate until the backlog grows, holds fixed rates for
latency (camera publish → hit on a console), CPU and memory per process, compares 1 and 2
pipeline worker processes, and measures bytes per detection on disk. It prints a Markdown report
with a capacity table (cores, memory, disk for example departments and your own, --plan) and
writes it into --report between its markers, an SVG chart to --svg and the raw results to --json.
With --from-json it runs nothing: it prints the capacity table again from a recorded --json file,
for the departments and retention given.
Default run: about 5 minutes, under 10 (264 s in the run BENCHMARKS.md records). --quick: under
a minute, for smoke tests (figures not meaningful).
Nothing else may be loading the machine if the figures are to mean anything; the report records
the load average at the start and end.

Options:
  --quick               a short run with small sizes                    [default: off]
  --consoles N          console sockets receiving every hit             [default: 200; quick 20]
  --hotlist-entries N   SVS entries loaded (plus 1,000 BOLO entries)     [default: 100000; quick 10000]
  --rates R,R,…         fixed rates to report, reads/s                  [default: 1000,5000,20000; quick 1000,5000]
  --report FILE         Markdown file whose capacity section is replaced (appended if absent)
                                                                        [default: BENCHMARKS.md; quick: none]
  --svg FILE            the chart                                       [default: docs/capacity.svg; quick: none]
  --json FILE           every measured figure as JSON                   [default: none]
                        (rates per second, sizes in bytes, latency in ms, CPU in cores busy)
  --plan C,R,H          a row for your department: C cameras, R average reads/s per camera
                        over a day, H hot list entries (repeatable)     [default: none]
  --retention-days D    days of detections the disk column holds        [default: 365]
  --from-json FILE      print the capacity table of a recorded run (its --json output); runs nothing
  --config FILE         JSON config file (the matcher settings are used)

Examples:
  ./platewatch bench --quick --report /tmp/capacity.md --svg /tmp/capacity.svg
  ./platewatch bench --json capacity.json --plan 170,0.17,1000000
  ./platewatch bench --from-json capacity.json --plan 170,0.17,1000000 --retention-days 730
`;

const OPTIONS = {
  quick: { type: 'boolean' },
  consoles: { type: 'string' },
  'hotlist-entries': { type: 'string' },
  rates: { type: 'string' },
  report: { type: 'string' },
  svg: { type: 'string' },
  json: { type: 'string' },
  config: { type: 'string' },
  plan: { type: 'string', multiple: true },
  'retention-days': { type: 'string' },
  'from-json': { type: 'string' },
} as const;

export const benchVerb: Verb = {
  name: 'bench',
  summary: 'capacity benchmark: the whole system under a simulated fleet; writes the capacity report',
  usage: USAGE,
  run: runBench,
};

const usageError = usageErrorFor('bench', USAGE);

function positiveInteger(io: VerbIO, name: string, text: string, max: number): number | null {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    usageError(io, `--${name} "${text}" must be a whole number from 1 to ${max}`);
    return null;
  }
  return n;
}

function writeFile(path: string, content: string): void {
  // Not mkdirSync's recursive mode, which never returns on some paths (storage/package-writer.ts).
  makeOutputDirectory(dirname(path));
  writeFileSync(path, content);
}

async function runBench(args: string[], io: VerbIO): Promise<number> {
  const parsed = parseVerbArgs('bench', args, OPTIONS, io);
  if (parsed === null) return 2;
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    usageError(io, `unexpected argument "${positionals[0]}"`);
    return 2;
  }
  const { parsePlanRequest } = await import('../../bench/capacity/plan-request.js');
  const request = parsePlanRequest(values.plan, values['retention-days']);
  if (!request.ok) {
    io.stderr.write(`platewatch bench: ${request.reason}\n`);
    return 2;
  }
  if (values['from-json'] !== undefined) {
    const { printRecordedPlan, runOnlyOptionsGiven } = await import('../../bench/capacity/plan-cli.js');
    const conflicting = runOnlyOptionsGiven(values);
    if (conflicting.length > 0) {
      io.stderr.write(`platewatch bench: --from-json prints the table of a recorded run and runs nothing; ${conflicting.join(', ')} ${conflicting.length === 1 ? 'is' : 'are'} for a run: give one or the other\n`);
      return 2;
    }
    return printRecordedPlan(values['from-json'], request.value, io);
  }
  const { DEFAULT_CAPACITY_OPTIONS, QUICK_CAPACITY_OPTIONS } = await import('../../bench/capacity/options.js');
  const options = { ...(values.quick === true ? QUICK_CAPACITY_OPTIONS : DEFAULT_CAPACITY_OPTIONS) };
  if (values.consoles !== undefined) {
    const n = positiveInteger(io, 'consoles', values.consoles, 20_000);
    if (n === null) return 2;
    options.consoles = n;
  }
  if (values['hotlist-entries'] !== undefined) {
    const n = positiveInteger(io, 'hotlist-entries', values['hotlist-entries'], 5_000_000);
    if (n === null) return 2;
    options.hotlistEntries = n;
  }
  if (values.rates !== undefined) {
    const rates = values.rates.split(',').map((r) => positiveInteger(io, 'rates', r.trim(), 1_000_000));
    if (rates.includes(null)) return 2;
    options.fixedRates = rates as number[];
  }
  const config = await loadVerbConfig('bench', values.config, io);
  if (config === null) return 2;
  const at = (file: string | undefined): string | undefined => (file === undefined ? undefined : resolve(io.cwd, file));
  const reportPath = at(values.report ?? (values.quick === true ? undefined : 'BENCHMARKS.md'));
  const svgPath = at(values.svg ?? (values.quick === true ? undefined : 'docs/capacity.svg'));
  const jsonPath = at(values.json);

  const { runCapacityBench } = await import('../../bench/capacity/run.js');
  const { renderReport, spliceReport, planAssumptions } = await import('../../bench/capacity/report.js');
  const { renderChart } = await import('../../bench/capacity/chart.js');
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const started = Date.now();
  const result = await runCapacityBench(options, {
    command: ['./platewatch bench', ...args].join(' '),
    matcher: config.matcher,
    logger,
    progress: (line) => io.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`),
  });
  const chartLink = svgPath === undefined ? undefined : relative(dirname(reportPath ?? resolve(io.cwd, 'x')), svgPath);
  const markdown = renderReport(result, chartLink, request.value);
  io.stdout.write(`${markdown}\n`);
  if (reportPath !== undefined) writeFile(reportPath, spliceReport(existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '', markdown));
  if (svgPath !== undefined) writeFile(svgPath, renderChart(result));
  if (jsonPath !== undefined) writeFile(jsonPath, `${JSON.stringify({ ...result, plan: planAssumptions(result, request.value.retentionDays) }, null, 2)}\n`);
  for (const [what, path] of [['report', reportPath], ['chart', svgPath], ['results', jsonPath]] as const) {
    if (path !== undefined) io.stderr.write(`${what} written to ${path}\n`);
  }
  return 0;
}
