// The hit the gateway benchmarks fan out: a stolen-vehicle hit as the pipeline publishes it, so
// frames have a real console frame's size (~600 bytes).
import { HIT_MESSAGE_VERSION, hitId, type HitMessage } from '../../ingest/index.js';

let sequence = 0;

export function benchHit(): HitMessage {
  const readId = `bench-${process.pid}-${sequence++}`;
  const now = performance.timeOrigin + performance.now();
  const camera = `cam${sequence % 40}`;
  const ts = Math.floor(now) - 40;
  return {
    v: HIT_MESSAGE_VERSION,
    hitId: hitId({ id: readId, agency: 'wpd', camera, ts }, 'SVS', '7ABC123'),
    publishedAt: now,
    historical: false,
    read: { v: 1, id: readId, agency: 'wpd', camera, ts, conf: 0.91, plate: '7ABC123', state: 'CA', lat: 36.9103, lon: -121.7569, image: `s3://alpr/wpd/${readId}.jpg` },
    hit: { list: 'SVS', listVersion: 412, entry: '7ABC123', kind: 'exact', distance: 0, ocrSubstitutions: 0, positions: [], candidate: 0, plate: '7ABC123', conf: 0.91, stateMatch: true, vehicleMismatch: [], state: 'CA', reason: 'STOLEN VEHICLE', caseNumber: '26-004211', enteredBy: 'CLETS', synopsis: 'Gray 2017 Toyota Camry, taken from 200 Main St' },
  };
}
