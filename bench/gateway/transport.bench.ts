// The fan-out transports alone: what it costs the server, in CPU, to hand one hit frame to one of
// 1,000 console sockets, with no NATS, no filters and no platewatch code in the path. It bounds what
// any gateway on these libraries can reach here, and so what fanout.bench.ts's "≥ 3× ws" can.
//   uws-cork:    per console, one cork and one send per frame (what gateway/fan-out.ts does)
//   uws-publish: uWS's own pub/sub, one app.publish per frame to a topic every console is on
//   ws:          per console, cork the net.Socket and ws.send each frame (bench/gateway/ws-gateway.ts)
// Each run is a fresh server process; frames go out in passes of 10 or 100 frames (hits that
// arrive together), at most 800 frames per console in flight, to the consoles of
// console-clients.ts in 2 forked processes.
// Run: node --import tsx bench/gateway/transport.bench.ts [--rounds 2] [--hits 3000]
import { fork, spawnSync } from 'node:child_process';
import http from 'node:http';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';
import uWS from 'uWebSockets.js';
import { WebSocketServer, type WebSocket } from 'ws';
import { hitFrame, serialiseHit } from '../../gateway/index.js';
import { acceptOnly, arg } from '../storage/machine.js';
import { machineTable, markdownTable } from '../report.js';
import { benchHit } from './bench-hit.js';

const MODES = ['uws-cork', 'uws-publish', 'ws'] as const;
type Mode = (typeof MODES)[number];
const PASSES = [10, 100];
const CONSOLES = 1000;
const CONSOLE_PROCESSES = 2;
const IN_FLIGHT = 800;
const REPLAY = '{"type":"replay","hits":[]}';

interface RunResult {
  mode: Mode;
  pass: number;
  deliveriesPerSecond: number;
  userUs: number;
  systemUs: number;
  consolesUs: number;
}

/** The server side of one run: a fresh process, so one library's leftovers do not tax the next. */
async function serve(mode: Mode, pass: number, hits: number): Promise<RunResult> {
  const uSockets: uWS.WebSocket<unknown>[] = [];
  const wSockets: Array<{ ws: WebSocket; raw: net.Socket }> = [];
  let app: uWS.TemplatedApp | null = null;
  let port = 0;
  if (mode === 'ws') {
    const server = http.createServer();
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    wss.on('connection', (ws) => {
      wSockets.push({ ws, raw: (ws as unknown as { _socket: net.Socket })._socket });
      ws.on('message', () => ws.send(REPLAY));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  } else {
    const a = uWS.App();
    app = a;
    a.ws('/*', {
      maxBackpressure: 4 * 1024 * 1024,
      open: (ws) => void uSockets.push(ws),
      message: (ws) => {
        if (mode === 'uws-publish') ws.subscribe('hits');
        ws.send(REPLAY);
      },
    });
    port = await new Promise<number>((resolve, reject) => a.listen('127.0.0.1', 0, (socket) => (socket ? resolve(uWS.us_socket_local_port(socket)) : reject(new Error('listen failed')))));
  }

  const sendPass = (frames: readonly Uint8Array[]): void => {
    if (mode === 'uws-cork') {
      for (const ws of uSockets) {
        ws.cork(() => {
          ws.getBufferedAmount(); // the fan-out looks at each queue once per pass
          for (const f of frames) ws.send(f);
        });
      }
    } else if (mode === 'uws-publish') {
      for (const ws of uSockets) ws.getBufferedAmount();
      for (const f of frames) app?.publish('hits', f);
    } else {
      for (const { ws, raw } of wSockets) {
        raw.cork();
        for (const f of frames) ws.send(f, { binary: false });
        raw.uncork();
      }
    }
  };

  const clientsFile = fileURLToPath(new URL('./console-clients.ts', import.meta.url));
  const children = Array.from({ length: CONSOLE_PROCESSES }, () => fork(clientsFile, [], { execArgv: ['--import', 'tsx'] }));
  const state = children.map(() => ({ started: false, ready: false, frames: 0, cpuMs: -1 }));
  let wake: (() => void) | null = null;
  children.forEach((child, i) =>
    child.on('message', (m: { started?: true; ready?: number; frames?: number; done?: true; cpuMs?: number; error?: string }) => {
      const s = state[i] as (typeof state)[number];
      if (m.error !== undefined) console.error(`consoles: ${m.error}`);
      if (m.started === true) s.started = true;
      if (m.ready !== undefined) s.ready = true;
      if (m.frames !== undefined) s.frames = m.frames;
      if (m.done === true) s.cpuMs = m.cpuMs ?? 0;
      wake?.();
    }),
  );
  const until = async (test: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 120_000;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 20);
      });
    }
  };
  const perProcess = CONSOLES / CONSOLE_PROCESSES;
  await until(() => state.every((s) => s.started), 'the console processes');
  children.forEach((child) => child.send({ cmd: 'connect', port, count: perProcess, token: 'bench' }));
  await until(() => state.every((s) => s.ready), 'the consoles to connect');
  children.forEach((child) => child.send({ cmd: 'measure', expectedFrames: hits * perProcess, reportEvery: 20 * perProcess, latency: false }));
  await new Promise((resolve) => setTimeout(resolve, 300));

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let sent = 0;
  while (sent < hits) {
    const receivedPerConsole = state.reduce((n, s) => n + s.frames, 0) / CONSOLES;
    if (sent - receivedPerConsole >= IN_FLIGHT) {
      await until(() => sent - state.reduce((n, s) => n + s.frames, 0) / CONSOLES < IN_FLIGHT, 'frames to arrive');
      continue;
    }
    const n = Math.min(pass, hits - sent);
    const frames = Array.from({ length: n }, () => hitFrame(serialiseHit(benchHit())));
    sendPass(frames);
    sent += n;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await until(() => state.every((s) => s.cpuMs >= 0), 'every frame to arrive');
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  for (const child of children) child.kill();
  const deliveries = hits * CONSOLES;
  return {
    mode,
    pass,
    deliveriesPerSecond: deliveries / seconds,
    userUs: cpu.user / deliveries,
    systemUs: cpu.system / deliveries,
    consolesUs: (state.reduce((n, s) => n + s.cpuMs, 0) * 1000) / deliveries,
  };
}

if (process.argv.includes('--serve')) {
  const result = await serve(arg('mode', 'ws') as Mode, Number(arg('pass', '10')), Number(arg('hits', '3000')));
  console.log(JSON.stringify(result));
  process.exit(0);
}

acceptOnly(
  'Usage: node --import tsx bench/gateway/transport.bench.ts [--rounds 2] [--hits 3000]\nServer CPU per delivery (µs, user + kernel) and deliveries/s of each transport to 1,000 consoles.',
  ['rounds', 'hits'],
);
const rounds = Number(arg('rounds', '2'));
const hits = Number(arg('hits', '3000'));
const sample = hitFrame(serialiseHit(benchHit())).length;
console.log(`Command: \`node --import tsx bench/gateway/transport.bench.ts --rounds ${rounds} --hits ${hits}\` (${hits} frames of ${sample} bytes to each of ${CONSOLES} consoles per run)\n`);
console.log(machineTable(), '\n');
const results: RunResult[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const pass of PASSES) {
    for (const mode of MODES) {
      const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', '--mode', mode, '--pass', String(pass), '--hits', String(hits)], { encoding: 'utf8', timeout: 300_000 });
      const line = child.stdout.trim().split('\n').pop() ?? '';
      if (child.status !== 0 || !line.startsWith('{')) throw new Error(`${mode} pass ${pass} failed: ${child.stderr.slice(-2000)}`);
      const r = JSON.parse(line) as RunResult;
      results.push(r);
      console.error(`round ${round} pass ${pass} ${mode}: ${Math.round(r.deliveriesPerSecond)} deliveries/s, ${(r.userUs + r.systemUs).toFixed(3)} µs`);
    }
  }
}

const us = (x: number): string => x.toFixed(3);
console.log(
  markdownTable(
    ['frames per pass', 'transport', 'deliveries/s', 'server CPU per delivery: user + kernel = total µs', 'consoles CPU per delivery µs'],
    results.map((r) => [String(r.pass), r.mode, Math.round(r.deliveriesPerSecond).toLocaleString('en-US'), `${us(r.userUs)} + ${us(r.systemUs)} = ${us(r.userUs + r.systemUs)}`, us(r.consolesUs)]),
  ),
  '\n',
);
// What `ws` costs per delivery, against the least a uWS server pays here: its kernel time alone.
const rows: string[][] = [];
for (const pass of PASSES) {
  const median = (mode: Mode, f: (r: RunResult) => number): number => {
    const xs = results.filter((r) => r.pass === pass && r.mode === mode).map(f).sort((a, b) => a - b);
    const mid = (xs.length - 1) / 2;
    return ((xs[Math.floor(mid)] ?? Number.NaN) + (xs[Math.ceil(mid)] ?? Number.NaN)) / 2;
  };
  const wsTotal = median('ws', (r) => r.userUs + r.systemUs);
  const best = Math.min(median('uws-cork', (r) => r.userUs + r.systemUs), median('uws-publish', (r) => r.userUs + r.systemUs));
  const kernel = Math.min(median('uws-cork', (r) => r.systemUs), median('uws-publish', (r) => r.systemUs));
  const throughput = Math.max(median('uws-cork', (r) => r.deliveriesPerSecond), median('uws-publish', (r) => r.deliveriesPerSecond)) / median('ws', (r) => r.deliveriesPerSecond);
  rows.push([String(pass), `${throughput.toFixed(2)}×`, `${(wsTotal / best).toFixed(2)}×`, `${(wsTotal / kernel).toFixed(2)}×`]);
}
console.log(
  markdownTable(['frames per pass', 'throughput, best uWS ÷ ws (medians)', 'server CPU per delivery, ws ÷ best uWS', 'ws ÷ uWS kernel time alone (the most any uWS server could gain)'], rows),
);
