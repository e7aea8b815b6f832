// Past sightings for retroactive hits, from storage. Each look-up is a search of ALPR data, so it
// is written to the access log like any other (Watsonville §471.7): by the system, with the new
// entry's case number and the reason.
import type { PastSightings, WireRead } from '../ingest/index.js';
import type { HotlistEntry, OcrAlphabet } from '../matcher/index.js';
import { buildDetectionFilter, FUZZY_MIN_LENGTH, indexedWhere, ONE_ROW_A_READ, SYSTEM_USER, type AccessLog, type PlateQuery, type Storage } from '../storage/index.js';

export { SYSTEM_USER };
/** A new entry seen more often than this in the look-back is listed only up to here: enough to act on. */
const MAX_SIGHTINGS_PER_ENTRY = 1000;

interface SightingRow {
  read_id: string;
  agency: string;
  camera: string;
  seen_ms: string | number;
  plate: string;
  state: string;
  confidence: number;
  lat: number | null;
  lon: number | null;
  heading: number | null;
  vehicle_make: string;
  vehicle_model: string;
  vehicle_year: number | null;
  vehicle_color: string;
  vehicle_type: string;
  image_ref: string;
  candidates: string[];
}

function plateQuery(entry: HotlistEntry): PlateQuery {
  if (entry.isPattern) return { kind: 'partial', pattern: entry.plate };
  // A superset of what the matcher will accept: it decides kind and caps on each row.
  return entry.plate.length >= FUZZY_MIN_LENGTH ? { kind: 'fuzzy', plate: entry.plate } : { kind: 'ocr', plate: entry.plate };
}

export function storedSightings(storage: Pick<Storage, 'client' | 'db'>, accessLog: AccessLog, alphabet: OcrAlphabet): PastSightings {
  return {
    async find(entry, sinceMs, untilMs) {
      const plate = plateQuery(entry);
      // The alternative readings too: the matcher raises a live hit on any of them.
      const filter = buildDetectionFilter({ plate, from: new Date(sinceMs), to: new Date(untilMs), otherReadings: true }, alphabet);
      const logged = {
        user: SYSTEM_USER,
        action: 'search' as const,
        params: { plate, from: new Date(sinceMs), to: new Date(untilMs), otherReadings: true, list: entry.list },
        caseNumber: entry.caseNumber,
        reason: `retroactive hit check for new ${entry.list} entry ${entry.listed}`,
      };
      if (!filter.ok) {
        await accessLog.append({ ...logged, outcome: 'invalid', rowsReturned: 0, detail: filter.reason });
        return [];
      }
      const rs = await storage.client.query({
        query: `SELECT read_id, agency, camera, toUnixTimestamp64Milli(seen_at) AS seen_ms, plate, state, confidence, lat, lon, heading,
                       vehicle_make, vehicle_model, vehicle_year, vehicle_color, vehicle_type, image_ref, candidates
                  FROM ${storage.db}.detections WHERE ${indexedWhere(storage.db, filter).join(' AND ')}
                 ORDER BY seen_at DESC ${ONE_ROW_A_READ} LIMIT ${MAX_SIGHTINGS_PER_ENTRY}`,
        query_params: filter.params,
        format: 'JSONEachRow',
      });
      const rows = (await rs.json()) as SightingRow[];
      await accessLog.append({ ...logged, outcome: 'ok', rowsReturned: rows.length, detail: '' });
      return rows.map(sightingRead);
    },
  };
}

/**
 * The read as the camera sent it, as far as storage keeps it: with the vehicle the camera
 * described, so a past sighting's hit flags a vehicle that contradicts the entry as a live one does.
 */
function sightingRead(r: SightingRow): WireRead {
  const read: WireRead = { v: 1, id: r.read_id, agency: r.agency, camera: r.camera, ts: Number(r.seen_ms), plate: r.plate, conf: r.confidence };
  if (r.state !== '') read.state = r.state;
  if (r.lat !== null && r.lon !== null) {
    read.lat = r.lat;
    read.lon = r.lon;
  }
  if (r.heading !== null) read.heading = r.heading;
  const vehicle: NonNullable<WireRead['vehicle']> = {};
  if (r.vehicle_make !== '') vehicle.make = r.vehicle_make;
  if (r.vehicle_model !== '') vehicle.model = r.vehicle_model;
  if (r.vehicle_year !== null) vehicle.year = r.vehicle_year;
  if (r.vehicle_color !== '') vehicle.color = r.vehicle_color;
  if (r.vehicle_type !== '') vehicle.type = r.vehicle_type;
  if (Object.keys(vehicle).length > 0) read.vehicle = vehicle;
  if (r.image_ref !== '') read.image = r.image_ref;
  // Their confidences are not stored (docs/wire.md): a hit on one says which, without its conf.
  if (r.candidates.length > 0) read.candidates = r.candidates.map((plate) => ({ plate }));
  return read;
}
