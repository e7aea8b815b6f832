// Hit fan-out to 1,000 console sockets: the gateway on uWebSockets.js next to the same feed and
// fan-out on the `ws` library, in one run. Hits go through a real nats-server (HITS stream) into
// the gateway; the consoles live in forked processes (console-clients.ts), so receiving does not
// share the gateway's event loop.
//   throughput: hits published in windows (a few windows in flight, so no socket is ever
//               over its buffer limit and nothing is dropped), deliveries per second to all consoles.
//   latency:    100 hits/s for a fixed time; hit published → frame received on each console.
// Run: node --import tsx bench/gateway/fanout.bench.ts [--quick]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { startGateway, type SessionVerifier } from '../../gateway/index.js';
import { encodeHitMessage, ensureStreams, HITS_STREAM, hitsSubject, MetricsRegistry, startLocalNatsServer } from '../../ingest/index.js';
import { machineTable, markdownTable } from '../report.js';
import { benchHit } from './bench-hit.js';
import { LatencyHistogram, type LatencyMs } from './latency.js';
import { startWsGateway } from './ws-gateway.js';
import { acceptOnly } from '../storage/machine.js';

acceptOnly('Usage: node --import tsx bench/gateway/fanout.bench.ts [--quick]\nHit fan-out to 1,000 consoles, uWebSockets.js against ws in the same run; --quick: a short smoke run.', [], ['quick']);
const quick = process.argv.includes('--quick');
const CONSOLES = 1000;
const THROUGHPUT_HITS = quick ? 1000 : 5000;
// 4 windows in flight ≈ 600 KB per socket at most: under the 1 MiB buffer limit, so nothing is
// dropped, and deep enough that the NATS round trips do not set the pace.
const WINDOW = 200;
const WINDOWS_IN_FLIGHT = 4;
const LATENCY_RATE = 100;
const LATENCY_SECONDS = quick ? 3 : 10;
const STEP_TIMEOUT_MS = 120_000;
const TARGET_RATIO = 3;
const TARGET_P99_MS = 50;
const CONSOLE_PROCESSES = 2;

type ClientReport = { started?: true; ready?: number; frames?: number; done?: true; resyncs?: number; latency?: Array<[number, number]>; cpuMs?: number; measuring?: true; closed?: true; error?: string };

/** One forked consoles process and the messages it sends back. */
class ConsoleProcess {
  private readonly reports: ClientReport[] = [];
  private readonly wakers = new Set<() => void>();
  frames = 0;

  constructor(readonly child: ChildProcess) {
    child.on('message', (m: ClientReport) => {
      if (m.error !== undefined) console.error(`consoles: ${m.error}`);
      if (m.frames !== undefined) this.frames = Math.max(this.frames, m.frames);
      this.reports.push(m);
      for (const wake of this.wakers) wake();
    });
  }

  send(command: unknown): void {
    this.child.send(command as object);
  }

  /** Resolves on the next message, or after `ms`. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.wakers.delete(wake);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  async waitFor(what: string, test: (r: ClientReport) => boolean, timeoutMs = STEP_TIMEOUT_MS): Promise<ClientReport> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.reports.findIndex(test);
      if (i >= 0) return this.reports.splice(i, 1)[0] as ClientReport;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`consoles: timed out waiting for ${what}`);
      await this.changed(Math.min(left, 1000));
    }
  }
}

/**
 * The consoles, spread over a few processes: 1,000 browsers do not share one event loop, and one
 * loop reading 100,000 frames a second would add its own queueing to the latency measured.
 */
class Consoles {
  constructor(readonly processes: ConsoleProcess[]) {}

  get frames(): number {
    let n = 0;
    for (const p of this.processes) n += p.frames;
    return n;
  }

  /** Consoles in process i. */
  share(i: number): number {
    return Math.floor(CONSOLES / this.processes.length) + (i < CONSOLES % this.processes.length ? 1 : 0);
  }

  async each<T>(run: (p: ConsoleProcess, i: number) => Promise<T>): Promise<T[]> {
    return Promise.all(this.processes.map(run));
  }

  async waitForFrames(frames: number): Promise<void> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (this.frames < frames) {
      if (Date.now() > deadline) throw new Error(`consoles: only ${this.frames} of ${frames} frames arrived`);
      await Promise.race(this.processes.map((p) => p.changed(100)));
    }
  }

  /** Starts a measurement in every process and waits until each has reset its counters. */
  async measure(framesPerConsole: number, reportEveryPerConsole: number, latency: boolean): Promise<void> {
    await this.each(async (p, i) => {
      p.frames = 0;
      p.send({ cmd: 'measure', expectedFrames: framesPerConsole * this.share(i), reportEvery: reportEveryPerConsole * this.share(i), latency });
      await p.waitFor('measure', (r) => r.measuring === true);
    });
  }

  /** Waits for every process to finish; on timeout asks them to report what arrived. */
  async finish(what: string, timeoutMs = STEP_TIMEOUT_MS): Promise<{ frames: number; latency: LatencyMs; cpuMs: number }> {
    const reports = await this.each((p) =>
      p.waitFor(what, (r) => r.done === true, timeoutMs).catch(() => {
        p.send({ cmd: 'finish' });
        return p.waitFor(`${what} report`, (r) => r.done === true);
      }),
    );
    const histogram = new LatencyHistogram();
    for (const r of reports) histogram.addPairs(r.latency ?? []);
    return { frames: reports.reduce((n, r) => n + (r.frames ?? 0), 0), latency: histogram.summary(), cpuMs: reports.reduce((n, r) => n + (r.cpuMs ?? 0), 0) };
  }
}

function publish(js: JetStreamClient): Promise<unknown> {
  const m = benchHit();
  return js.publish(hitsSubject('wpd', 'SVS'), encodeHitMessage(m), { msgID: m.hitId });
}

interface RunResult {
  name: string;
  deliveriesPerSecond: number;
  /** Deliveries per second of time spent inside the fan-out (serialise, filter, send): the server's own ceiling. */
  fanOutPerSecond: number;
  throughputSeconds: number;
  /** CPU time of the gateway (and publisher) process and of the consoles process, per second of the throughput run. */
  serverCpu: number;
  clientCpu: number;
  /** Gateway process CPU per delivery, in user space and in the kernel (µs). */
  userUsPerDelivery: number;
  systemUsPerDelivery: number;
  latency: LatencyMs;
  /** Published → handed to the sockets, inside the gateway (bucket bound), during the latency run. */
  gatewayP99Ms: number;
  latencyFrames: number;
  dropped: number;
}

async function runThroughput(consoles: Consoles, js: JetStreamClient): Promise<{ seconds: number; frames: number; serverCpuMs: number; serverUserMs: number; serverSystemMs: number; clientCpuMs: number }> {
  await consoles.measure(THROUGHPUT_HITS, WINDOW, false);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let w = 0; w * WINDOW < THROUGHPUT_HITS; w++) {
    await consoles.waitForFrames((w - WINDOWS_IN_FLIGHT + 1) * WINDOW * CONSOLES);
    await Promise.all(Array.from({ length: Math.min(WINDOW, THROUGHPUT_HITS - w * WINDOW) }, () => publish(js)));
  }
  const done = await consoles.finish('throughput run');
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, frames: done.frames, serverCpuMs: (used.user + used.system) / 1000, serverUserMs: used.user / 1000, serverSystemMs: used.system / 1000, clientCpuMs: done.cpuMs };
}

async function runLatency(consoles: Consoles, js: JetStreamClient): Promise<{ latency: LatencyMs; frames: number }> {
  const hits = LATENCY_RATE * LATENCY_SECONDS;
  await consoles.measure(hits, Number.MAX_SAFE_INTEGER, true);
  const started = performance.now();
  const acks: Promise<unknown>[] = [];
  for (let i = 0; i < hits; i++) {
    const due = started + (i * 1000) / LATENCY_RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    acks.push(publish(js));
  }
  await Promise.all(acks);
  const done = await consoles.finish('latency run', 30_000);
  return { latency: done.latency, frames: done.frames };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'platewatch-fanout-bench-'));
  const nats = await startLocalNatsServer({ storeDir: join(dir, 'nats') });
  const nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm);
  const js = jetstream(nc);
  const script = fileURLToPath(new URL('./console-clients.ts', import.meta.url));
  const consoles = new Consoles(Array.from({ length: CONSOLE_PROCESSES }, () => new ConsoleProcess(fork(script, [], { execArgv: ['--import', 'tsx'] }))));
  const logger = pino({ level: 'warn' });
  const verifySession: SessionVerifier = async (token) => (token === 'bench' ? { user: 'bench', roles: ['dispatcher'] } : null);
  const results: RunResult[] = [];
  try {
    await consoles.each((p) => p.waitFor('consoles process', (r) => r.started === true));
    const impls = [
      { name: 'uWebSockets.js', start: async (registry: MetricsRegistry) => { const g = await startGateway({ nc, js, verifySession, registry, logger, config: { port: 0 } }); return { port: g.port, stop: g.stop }; } },
      { name: 'ws', start: (registry: MetricsRegistry) => startWsGateway({ js, verifySession, registry, logger }) },
    ];
    for (const impl of impls) {
      await jsm.streams.purge(HITS_STREAM); // each gateway starts with nothing to replay
      const registry = new MetricsRegistry();
      const server = await impl.start(registry);
      try {
        await consoles.each(async (p, i) => {
          p.send({ cmd: 'connect', port: server.port, count: consoles.share(i), token: 'bench' });
          await p.waitFor(`${consoles.share(i)} consoles subscribed`, (r) => r.ready !== undefined);
        });
        process.stderr.write(`${impl.name}: ${CONSOLES} consoles connected; throughput run…\n`);
        const t = await runThroughput(consoles, js);
        const fanOutSeconds = Number(/^platewatch_gateway_fan_out_seconds_sum (\S+)/m.exec(await registry.render())?.[1] ?? Number.NaN);
        process.stderr.write(`${impl.name}: latency run (${LATENCY_RATE} hits/s for ${LATENCY_SECONDS} s)…\n`);
        const bucketsBefore = histogramBuckets(await registry.render(), 'platewatch_gateway_publish_to_send_seconds');
        const l = await runLatency(consoles, js);
        const gatewayP99 = bucketQuantile(bucketsBefore, histogramBuckets(await registry.render(), 'platewatch_gateway_publish_to_send_seconds'), 0.99) * 1000;
        const text = await registry.render();
        const dropped = Number(/^platewatch_gateway_hits_dropped_total (\d+)/m.exec(text)?.[1] ?? 0);
        results.push({ name: impl.name, deliveriesPerSecond: t.frames / t.seconds, fanOutPerSecond: t.frames / fanOutSeconds, throughputSeconds: t.seconds, serverCpu: t.serverCpuMs / 1000 / t.seconds, clientCpu: t.clientCpuMs / 1000 / t.seconds, userUsPerDelivery: (t.serverUserMs * 1000) / t.frames, systemUsPerDelivery: (t.serverSystemMs * 1000) / t.frames, latency: l.latency, gatewayP99Ms: gatewayP99, latencyFrames: l.frames, dropped });
      } finally {
        await consoles.each(async (p) => {
          p.send({ cmd: 'close' });
          await p.waitFor('consoles closed', (r) => r.closed === true);
        });
        await server.stop();
      }
    }
  } finally {
    for (const p of consoles.processes) p.child.kill();
    await nc.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  report(results);
}

/** Cumulative bucket counts of a histogram in Prometheus text, by upper bound. */
function histogramBuckets(text: string, name: string): Map<string, number> {
  const buckets = new Map<string, number>();
  const pattern = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(pattern)) buckets.set(m[1] as string, Number(m[2]));
  return buckets;
}

/** The bucket bound (seconds) under which `q` of the observations made between two scrapes fall. */
function bucketQuantile(before: Map<string, number>, after: Map<string, number>, q: number): number {
  const total = (after.get('+Inf') ?? 0) - (before.get('+Inf') ?? 0);
  for (const [le, n] of after) if (n - (before.get(le) ?? 0) >= q * total) return le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
  return Number.NaN;
}

function report(results: RunResult[]): void {
  const uws = results.find((r) => r.name === 'uWebSockets.js');
  const ws = results.find((r) => r.name === 'ws');
  const ratio = uws !== undefined && ws !== undefined ? uws.deliveriesPerSecond / ws.deliveriesPerSecond : Number.NaN;
  const f = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(`## Gateway hit fan-out to ${f(CONSOLES)} consoles\n`);
  console.log(`Command: \`node --import tsx bench/gateway/fanout.bench.ts${quick ? ' --quick' : ''}\`\n`);
  console.log(machineTable() + '\n');
  console.log(
    markdownTable(
      ['server', 'throughput: hit deliveries/s', 'hits/s to all consoles', 'deliveries per second of fan-out time', `run (${f(THROUGHPUT_HITS)} hits × ${f(CONSOLES)})`, 'CPU cores busy: gateway / consoles', 'gateway CPU per delivery: user + kernel', `latency at ${LATENCY_RATE} hits/s: p50`, 'p99', 'max', 'p99 inside the gateway (≤ bucket)', 'frames received / expected', 'dropped'],
      results.map((r) => [r.name, f(r.deliveriesPerSecond), f(r.deliveriesPerSecond / CONSOLES), f(r.fanOutPerSecond), `${r.throughputSeconds.toFixed(2)} s`, `${r.serverCpu.toFixed(2)} / ${r.clientCpu.toFixed(2)}`, `${r.userUsPerDelivery.toFixed(2)} + ${r.systemUsPerDelivery.toFixed(2)} µs`, ms(r.latency.p50), ms(r.latency.p99), ms(r.latency.max), ms(r.gatewayP99Ms), `${f(r.latencyFrames)} / ${f(LATENCY_RATE * LATENCY_SECONDS * CONSOLES)}`, f(r.dropped)]),
    ) + '\n',
  );
  const ratioPass = ratio >= TARGET_RATIO;
  const p99Pass = uws !== undefined && uws.latency.p99 <= TARGET_P99_MS && uws.latencyFrames === LATENCY_RATE * LATENCY_SECONDS * CONSOLES;
  console.log(
    markdownTable(
      ['target', 'measured', 'result'],
      [
        [`throughput ≥ ${TARGET_RATIO}× ws`, `${ratio.toFixed(2)}×`, ratioPass ? 'pass' : 'FAIL'],
        [
          'for reference: gateway CPU per delivery, ws ÷ uWS (less sensitive to the consoles sharing the machine)',
          uws !== undefined && ws !== undefined ? `${((ws.userUsPerDelivery + ws.systemUsPerDelivery) / (uws.userUsPerDelivery + uws.systemUsPerDelivery)).toFixed(2)}×` : 'n/a',
          'info',
        ],
        [`p99 published → received ≤ ${TARGET_P99_MS} ms at ${LATENCY_RATE} hits/s to ${f(CONSOLES)} consoles (uWS, every frame delivered)`, uws !== undefined ? ms(uws.latency.p99) : 'n/a', p99Pass ? 'pass' : 'FAIL'],
      ],
    ),
  );
  console.log(`\nHits go through nats-server (HITS stream) into the gateway; the consoles are raw RFC 6455 clients in ${CONSOLE_PROCESSES} forked processes; the publisher shares the gateway's process. Throughput keeps at most ${WINDOWS_IN_FLIGHT * WINDOW} hits in flight so nothing is dropped. Load average at the end (1 min): ${os.loadavg()[0]?.toFixed(2)}; figures taken while other work shares the machine move with it, the gateway-side p99 least.`);
}

await main();
