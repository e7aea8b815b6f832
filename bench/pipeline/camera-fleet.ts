// A camera fleet in its own process, so a benchmark's cameras do not share the pipeline's event loop.
//   node --import tsx bench/pipeline/camera-fleet.ts NATS_URL RATE SECONDS HOT_PLATES_JSON [AGENCY]
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { simulateFleet } from '../../ingest/index.js';

const [url, rate, seconds, hot, agency] = process.argv.slice(2);
const nc = await connect({ servers: url });
const report = await simulateFleet({
  js: jetstream(nc),
  agency: agency ?? 'bench',
  cameras: 50,
  rate: Number(rate),
  hitRate: 0.02,
  hotPlates: JSON.parse(hot ?? '[]') as { plate: string }[],
  durationMs: Number(seconds) * 1000,
  seed: 7,
});
await nc.drain();
process.stdout.write(JSON.stringify(report));
