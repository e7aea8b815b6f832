// Test fixture: one pipeline worker process against an existing NATS server, with its own chDB
// directory. Prints "ready" once pulling; stops gracefully on SIGTERM.
//   node --import tsx test/flows/worker-process.ts NATS_URL DATA_DIR [ACK_WAIT_MS]
import pino from 'pino';
import { startSystem } from '../../bin/system.js';
import { resolveMatcherConfig } from '../../matcher/index.js';

const [natsUrl, dataDir, ackWaitMs] = process.argv.slice(2) as [string, string, string | undefined];
const system = await startSystem({ natsUrl, dataDir, readsAckWaitMs: ackWaitMs === undefined ? undefined : Number(ackWaitMs), matcher: resolveMatcherConfig(), logger: pino({ level: 'warn' }, pino.destination(2)), storage: { batchDelayMs: 50 } });
process.on('SIGTERM', () => {
  void system.stop().then(() => process.exit(0));
});
process.stdout.write('ready\n');
