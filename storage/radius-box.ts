// The box of latitude and longitude around a point that holds every position within a radius of
// it, as ClickHouse's greatCircleDistance measures: cheap comparisons that spare most rows the
// exact distance check of a radius search or hold (storage/search.ts).

/** The widest radius a search or hold may ask for (`near.radiusMeters`); the API documents the same. */
export const MAX_RADIUS_METERS = 500_000;

/**
 * The Earth greatCircleDistance measures on: a sphere of the WGS84 authalic radius (ClickHouse
 * takes H3's), 111,195 m a degree of arc. The box before it must use the same Earth: one sized
 * for 111,320 m a degree (the equatorial radius) was 0.11 % too small and dropped reads just
 * inside the radius (found by QA). test/storage/search.test.ts checks the box against
 * greatCircleDistance itself, so a ClickHouse that measured on another Earth would fail it.
 */
const CLICKHOUSE_EARTH_RADIUS_METERS = 6_371_007.180918475;
const METERS_PER_DEGREE = (CLICKHOUSE_EARTH_RADIUS_METERS * Math.PI) / 180;
/**
 * The box reaches this much past the radius. greatCircleDistance is not the exact sphere: within
 * 13° of longitude it is a flat metric scaled by an interpolated table of cos² of the two points'
 * mid-latitude, beyond it a table-based haversine, and its inputs are Float32; each differs from
 * the sphere by far less than this. The box only spares the exact check most rows, so a wide
 * margin costs a few more rows checked (2 % more area), never a row missed.
 */
const BOX_MARGIN = 0.01;
const BOX_MARGIN_METERS = 10;
/**
 * A box reaching this close to a pole has no longitude bounds: there a radius spans many degrees
 * of longitude, and the cos² table ClickHouse scales them by is least exact relative to cos².
 */
const POLAR_BOX_LATITUDE = 85;

/**
 * Bounds that hold every position greatCircleDistance puts within `radiusMeters` of the centre,
 * for cheap comparisons before it: a latitude range and one longitude range, or two where the
 * box crosses ±180° (then OR'ed), or none when it reaches near a pole or spans every longitude.
 */
export function radiusBox(lat: number, lon: number, radiusMeters: number): { latMin: number; latMax: number; lonRanges: Array<[number, number]> } {
  const reach = radiusMeters * (1 + BOX_MARGIN) + BOX_MARGIN_METERS;
  const dLat = reach / METERS_PER_DEGREE;
  const latMin = Math.max(-90, lat - dLat);
  const latMax = Math.min(90, lat + dLat);
  const farthest = Math.abs(lat) + dLat;
  if (farthest >= POLAR_BOX_LATITUDE) return { latMin, latMax, lonRanges: [] };
  // A degree of longitude is shortest at the latitude farthest from the equator the box reaches
  // (the flat metric scales it by the mid-latitude, nearer the equator than that). The sphere's
  // own widest point of a circle, asin(sin δ / cos φ), is poleward of the centre; both bound it.
  const δ = reach / CLICKHOUSE_EARTH_RADIUS_METERS;
  const flat = reach / (METERS_PER_DEGREE * Math.cos((farthest * Math.PI) / 180));
  const sphere = (Math.asin(Math.min(1, Math.sin(δ) / Math.cos((lat * Math.PI) / 180))) * 180) / Math.PI;
  const dLon = Math.max(flat, sphere);
  if (dLon >= 180) return { latMin, latMax, lonRanges: [] };
  const lonMin = lon - dLon;
  const lonMax = lon + dLon;
  const lonRanges: Array<[number, number]> =
    lonMin < -180 ? [[lonMin + 360, 180], [-180, lonMax]]
    : lonMax > 180 ? [[lonMin, 180], [-180, lonMax - 360]]
    : [[lonMin, lonMax]];
  return { latMin, latMax, lonRanges };
}
