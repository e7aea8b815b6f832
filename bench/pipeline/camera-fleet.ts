// A camera fleet in its own process, so a benchmark's cameras do not share the pipeline's event loop.
//   node --import tsx bench/pipeline/camera-fleet.ts NATS_URL RATE SECONDS HOT_PLATES_JSON [AGENCY]
// On `up`'s embedded nats-server it connects as cameras do: NATS_USER=camera and NATS_PASSWORD.
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { simulateFleet } from '../../ingest/index.js';

const [url, rate, seconds, hot, agency] = process.argv.slice(2);
const user = process.env['NATS_USER'];
const nc = await connect({ servers: url, ...(user === undefined ? {} : { user, pass: process.env['NATS_PASSWORD'] ?? '' }) });
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
