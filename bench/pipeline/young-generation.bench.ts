// The batched pipeline (100 reads/message) against V8's young-generation size (issue 4): the same
// drain run in fresh processes with --max-semi-space-size=16 (Node 20's default, what ./platewatch
// runs with) and 64, alternating, ROUNDS times. Each process starts a system on embedded
// defaults, loads a 100,000-entry SVS list, publishes READS reads in 100-read messages, then times
// one pipeline worker draining them (stored in chDB, acked).
//
//   node --import tsx bench/pipeline/young-generation.bench.ts [--rounds 5] [--reads 500000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { acceptOnly } from '../storage/machine.js';
import { Packr } from 'msgpackr';
import pino from 'pino';
import { startSystem } from '../../bin/system.js';
import { createRandom, readsSubject, simulatedRead } from '../../ingest/index.js';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { drainThroughPipeline, loadBenchList } from './drain.js';

acceptOnly('Usage: node --import tsx bench/pipeline/young-generation.bench.ts [--rounds 5] [--reads 500000]\nOne worker\'s batched drain in reads/s (and max RSS) with 16 and 64 MiB semi-spaces.', ['rounds', 'reads'], ['child']);
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, reads: { type: 'string', default: '500000' }, child: { type: 'boolean', default: false } } });
const READS = Number(values.reads);
const SETTINGS = [16, 64];

async function drain(): Promise<{ readsPerSecond: number; maxRssMiB: number }> {
  // stdout carries the result line the parent parses; warnings (stale hot lists…) go to stderr.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const dir = mkdtempSync(join(tmpdir(), 'platewatch-young-gen-'));
  const config = resolveMatcherConfig();
  const system = await startSystem({ dataDir: dir, matcher: config, logger, pipeline: false, gateway: false });
  try {
    const random = createRandom(99);
    await loadBenchList(system, config, random);
    const packr = new Packr({ useRecords: false });
    const now = Date.now();
    const inFlight: Promise<unknown>[] = [];
    // Made and published 100 at a time, so the reads are garbage before the timed drain starts.
    for (let i = 0; i < READS; i += 100) {
      const reads = Array.from({ length: 100 }, (_, k) => simulatedRead(random, { agency: 'bench', camera: `cam${(i / 100) % 50}`, id: `b-${i + k}`, ts: now, misreadRate: 0.05 }));
      inFlight.push(system.js.publish(readsSubject('bench', `cam${(i / 100) % 50}`), packr.pack(reads), { msgID: `m${i}` }));
      if (inFlight.length >= 2000) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
    return { readsPerSecond: await drainThroughPipeline(system, 1, READS, logger), maxRssMiB: process.resourceUsage().maxRSS / 1024 };
  } finally {
    await system.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.child) {
  process.stdout.write(JSON.stringify(await drain()));
} else {
  const load = loadavg()[0]!.toFixed(2);
  const results = new Map<number, Array<{ readsPerSecond: number; maxRssMiB: number }>>(SETTINGS.map((mib) => [mib, []]));
  const rows: string[] = [];
  for (let round = 1; round <= Number(values.rounds); round++) {
    const cells: string[] = [];
    for (const mib of SETTINGS) {
      const child = spawnSync(process.execPath, [`--max-semi-space-size=${mib}`, '--import', 'tsx', new URL(import.meta.url).pathname, '--child', '--reads', String(READS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (child.status !== 0) throw new Error(`drain with ${mib} MiB exited with ${child.status}`);
      // The result is the child's last line: anything a dependency prints to stdout comes before it.
      const r = JSON.parse(child.stdout.trimEnd().split('\n').at(-1) ?? '') as { readsPerSecond: number; maxRssMiB: number };
      results.get(mib)!.push(r);
      cells.push(`${Math.round(r.readsPerSecond).toLocaleString('en-US')} (${Math.round(r.maxRssMiB)} MiB)`);
    }
    rows.push(`| ${round} | ${cells.join(' | ')} |`);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`Command: \`node --import tsx bench/pipeline/young-generation.bench.ts --rounds ${values.rounds} --reads ${READS}\` · ${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores, Node ${process.version}, nats-server (Debian), embedded chDB; load average at start ${load}.\n`);
  console.log(`| round | ${SETTINGS.map((mib) => `--max-semi-space-size=${mib}: reads/s (max RSS)`).join(' | ')} |`);
  console.log(`|---|${SETTINGS.map(() => '---:').join('|')}|`);
  for (const row of rows) console.log(row);
  console.log(`| median | ${SETTINGS.map((mib) => Math.round(median(results.get(mib)!.map((r) => r.readsPerSecond))).toLocaleString('en-US')).join(' | ')} |`);
}
