// Test helper: positions at a chosen distance from a centre in each compass direction, as
// ClickHouse's greatCircleDistance measures it (the distance a radius search and a legal hold
// check), so a test can put reads just inside or just outside a radius.
import type { Storage } from '../../storage/index.js';

export const DIRECTIONS = { N: 0, NE: 45, E: 90, SE: 135, S: 180, SW: 225, W: 270, NW: 315 } as const;
export type Direction = keyof typeof DIRECTIONS;

/** The sphere greatCircleDistance works on (WGS84 authalic radius); calibrated against it below anyway. */
const EARTH_RADIUS_M = 6_371_007.180918475;
const RAD = Math.PI / 180;

export interface Position {
  lat: number;
  lon: number;
}

/** Where `meters` along the great circle leaving `from` at `bearingDegrees` ends, longitude in ±180. */
export function destination(from: Position, bearingDegrees: number, meters: number): Position {
  const d = meters / EARTH_RADIUS_M;
  const φ1 = from.lat * RAD;
  const θ = bearingDegrees * RAD;
  const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(θ));
  const λ2 = from.lon * RAD + Math.atan2(Math.sin(θ) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
  const lon = ((((λ2 / RAD + 180) % 360) + 360) % 360) - 180;
  return { lat: φ2 / RAD, lon };
}

/** ClickHouse's greatCircleDistance from `center` to each position, in metres. */
export async function clickHouseDistances(storage: Pick<Storage, 'client'>, center: Position, points: readonly Position[]): Promise<number[]> {
  const rs = await storage.client.query({
    query: 'SELECT arrayMap((a, b) -> greatCircleDistance(b, a, {lon:Float64}, {lat:Float64}), {lats:Array(Float64)}, {lons:Array(Float64)}) AS d',
    query_params: { lat: center.lat, lon: center.lon, lats: points.map((p) => p.lat), lons: points.map((p) => p.lon) },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ d: Array<number | string> }>();
  return (row?.d ?? []).map(Number);
}

/**
 * One position per compass direction whose greatCircleDistance from `center` is `meters`, to a
 * millimetre or so: each is moved along its bearing until ClickHouse measures it there.
 */
export async function positionsAt(storage: Pick<Storage, 'client'>, center: Position, meters: number): Promise<Array<Position & { direction: Direction; distance: number }>> {
  const bearings = Object.entries(DIRECTIONS) as Array<[Direction, number]>;
  const along = bearings.map(() => meters);
  let points = bearings.map(([, b], i) => destination(center, b, along[i] as number));
  let measured = await clickHouseDistances(storage, center, points);
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < along.length; i++) along[i] = (along[i] as number) * (meters / (measured[i] as number));
    points = bearings.map(([, b], i) => destination(center, b, along[i] as number));
    measured = await clickHouseDistances(storage, center, points);
  }
  return points.map((p, i) => ({ ...p, direction: (bearings[i] as [Direction, number])[0], distance: measured[i] as number }));
}
