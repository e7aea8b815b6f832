// The benchmark's consoles: N WebSocket clients in a process of their own (forked by
// fanout.bench.ts), so receiving does not share the gateway's event loop. They speak just enough
// of RFC 6455 to count frames and read each hit's `publishedAt`: a full client library would be
// the bottleneck, not the server being measured.
//
// Parent → child (IPC): {cmd:'connect', port, count, token} → {ready:n}
//                       {cmd:'measure', expectedFrames, reportEvery, latency, latencyFrom?} → {measuring}, {frames} every
//                           reportEvery frames, then {done, frames, latency (histogram pairs), cpuMs}
//                           latencyFrom 'readTs': from the camera's read time (the capacity bench) instead of publishedAt
//                       {cmd:'finish'} → {done, …} now, with what arrived
//                       {cmd:'close'}
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { LatencyHistogram } from './latency.js';

type Command =
  | { cmd: 'connect'; port: number; count: number; token: string }
  | { cmd: 'measure'; expectedFrames: number; reportEvery: number; latency: boolean; latencyFrom?: 'publishedAt' | 'readTs' }
  | { cmd: 'finish' }
  | { cmd: 'close' };

const PUBLISHED_AT = Buffer.from('"publishedAt":');
// The first "ts": in a hit frame is the read's (hit ids and entry fields carry no such key).
const READ_TS = Buffer.from('"ts":');
const HEADER_END = Buffer.from('\r\n\r\n');
const SUBSCRIBE = maskedTextFrame(JSON.stringify({ type: 'subscribe', filter: {} }));

const sockets: net.Socket[] = [];
let replays = 0;
let readyTarget = 0;
let frames = 0;
let resyncs = 0;
let expectedFrames = Number.POSITIVE_INFINITY;
let reportEvery = Number.POSITIVE_INFINITY;
let nextReport = Number.POSITIVE_INFINITY;
let latencies = new LatencyHistogram();
let measureLatency = false;
let latencyKey = PUBLISHED_AT;
let cpuAtStart = process.cpuUsage();

function send(message: unknown): void {
  process.send?.(message);
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function maskedTextFrame(text: string): Buffer {
  return maskedFrame(0x1, Buffer.from(text));
}

/** A client frame (clients must mask); short payloads only: subscribes and pongs. */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length > 125) throw new Error('frame too long for the short form');
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return frame;
}

function onFrame(socket: net.Socket, opcode: number, data: Buffer, start: number, end: number): void {
  // The gateway pings idle sockets and closes those that stay silent (idleTimeoutSeconds): answer
  // like a browser does, or runs longer than the idle timeout lose their consoles.
  if (opcode === 0x9) socket.write(maskedFrame(0xa, data.subarray(start, end)));
  if (opcode !== 1) return;
  // {"type":"hit",... — the 10th and 11th bytes tell the frame types apart without parsing JSON
  // (hit and heartbeat share the h).
  const kind = data[start + 9];
  if (kind === 0x68 /* h */ && data[start + 10] === 0x69 /* hi(t), not he(artbeat) */) {
    frames++;
    const at = measureLatency ? data.indexOf(latencyKey, start) : -1;
    if (at > 0 && at < end) {
      const i = at + latencyKey.length;
      let stop = i;
      while (stop < end && data[stop] !== 0x2c) stop++;
      latencies.add(nowMs() - Number(data.toString('latin1', i, stop)));
    }
    if (frames >= nextReport) {
      nextReport += reportEvery;
      send({ frames });
    }
    if (frames === expectedFrames) finishMeasure();
  } else if (kind === 0x72 /* r */) {
    if (data[start + 11] === 0x70 /* re(p)lay, not re(s)ync */) {
      if (++replays === readyTarget) send({ ready: sockets.length });
    } else resyncs++;
  }
}

function finishMeasure(): void {
  const cpu = process.cpuUsage(cpuAtStart);
  send({ done: true, frames, resyncs, latency: latencies.toPairs(), cpuMs: (cpu.user + cpu.system) / 1000 });
  expectedFrames = Number.POSITIVE_INFINITY;
}

function connectOne(port: number, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    let pending: Buffer | null = null;
    let upgraded = false;
    socket.on('connect', () => {
      socket.write(`GET /ws?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      let data = pending === null ? chunk : Buffer.concat([pending, chunk]);
      pending = null;
      let offset = 0;
      if (!upgraded) {
        const end = data.indexOf(HEADER_END);
        if (end < 0) {
          pending = data;
          return;
        }
        if (!data.toString('latin1', 0, 12).includes('101')) {
          reject(new Error(`upgrade refused: ${data.toString('latin1', 0, end)}`));
          return;
        }
        upgraded = true;
        offset = end + 4;
        socket.write(SUBSCRIBE);
        resolve();
      }
      while (offset + 2 <= data.length) {
        const opcode = (data[offset] as number) & 0x0f;
        let length = (data[offset + 1] as number) & 0x7f;
        let header = 2;
        if (length === 126) {
          if (offset + 4 > data.length) break;
          length = data.readUInt16BE(offset + 2);
          header = 4;
        } else if (length === 127) {
          if (offset + 10 > data.length) break;
          length = Number(data.readBigUInt64BE(offset + 2));
          header = 10;
        }
        if (offset + header + length > data.length) break;
        onFrame(socket, opcode, data, offset + header, offset + header + length);
        offset += header + length;
      }
      if (offset < data.length) pending = data.subarray(offset);
      data = Buffer.alloc(0);
    });
    sockets.push(socket);
  });
}

process.on('message', (command: Command) => {
  if (command.cmd === 'connect') {
    readyTarget = command.count;
    void (async () => {
      for (let i = 0; i < command.count; i += 100) {
        const batch = Math.min(100, command.count - i);
        await Promise.all(Array.from({ length: batch }, () => connectOne(command.port, command.token)));
      }
    })().catch((error: Error) => send({ error: error.message }));
  } else if (command.cmd === 'measure') {
    frames = 0;
    resyncs = 0;
    latencies = new LatencyHistogram();
    cpuAtStart = process.cpuUsage();
    expectedFrames = command.expectedFrames;
    reportEvery = command.reportEvery;
    nextReport = command.reportEvery;
    measureLatency = command.latency;
    latencyKey = command.latencyFrom === 'readTs' ? READ_TS : PUBLISHED_AT;
    send({ measuring: true });
  } else if (command.cmd === 'finish') {
    finishMeasure();
  } else if (command.cmd === 'close') {
    for (const s of sockets) s.destroy();
    sockets.length = 0;
    replays = 0;
    send({ closed: true });
  }
});
// The benchmark process is gone (finished or crashed): do not linger holding sockets.
process.on('disconnect', () => process.exit(0));
send({ started: true });
