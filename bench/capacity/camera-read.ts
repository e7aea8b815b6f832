// A read as a production camera sends it (docs/wire.md): ingest/'s simulated read (plate, state,
// confidence, position, heading) plus the image reference and the classifier's vehicle
// attributes. Without these two the capacity run measured 41.7 B a detection on disk, while rows
// with an image reference measure 49.6–58 B (found by QA): bytes per detection is only realistic
// if the reads are.
import { pickOne, randomInt, simulatedRead, type Random, type WireRead } from '../../ingest/index.js';
import type { ReadVehicle } from '../../matcher/index.js';

/** Classifier output: make, model, body type as vehicle-recognition models name them. */
const VEHICLES: readonly (Required<Pick<ReadVehicle, 'make' | 'model' | 'type'>> & { years: readonly [number, number] })[] = [
  { make: 'Toyota', model: 'Camry', type: 'sedan', years: [2008, 2025] },
  { make: 'Toyota', model: 'RAV4', type: 'suv', years: [2010, 2025] },
  { make: 'Honda', model: 'Civic', type: 'sedan', years: [2006, 2025] },
  { make: 'Honda', model: 'CR-V', type: 'suv', years: [2010, 2025] },
  { make: 'Ford', model: 'F-150', type: 'pickup', years: [2004, 2025] },
  { make: 'Chevrolet', model: 'Silverado', type: 'pickup', years: [2005, 2025] },
  { make: 'Nissan', model: 'Altima', type: 'sedan', years: [2008, 2024] },
  { make: 'Tesla', model: 'Model 3', type: 'sedan', years: [2018, 2025] },
  { make: 'Jeep', model: 'Grand Cherokee', type: 'suv', years: [2008, 2025] },
  { make: 'Honda', model: 'CBR', type: 'motorcycle', years: [2010, 2025] },
];
const COLORS = ['white', 'black', 'silver', 'gray', 'red', 'blue', 'green', 'brown'] as const;
/** Share of reads the classifier names no vehicle for (night, glare, a partial view). */
const NO_VEHICLE_SHARE = 0.05;
/** Share of the rest without a year: classifiers estimate a model year least often. */
const NO_YEAR_SHARE = 0.3;

/**
 * The object store key a camera vendor gives its image (agency, camera, day, read id), ~70
 * characters: unique per read, as real references are, so it compresses as little as theirs.
 */
export function imageReference(agency: string, camera: string, id: string, ts: number): string {
  const day = new Date(ts).toISOString().slice(0, 10).replaceAll('-', '/');
  return `s3://alpr-images/${agency}/${camera}/${day}/${id}.jpg`;
}

export function cameraRead(random: Random, options: Parameters<typeof simulatedRead>[1]): WireRead {
  const read = simulatedRead(random, options);
  read.image = imageReference(options.agency, options.camera, options.id, options.ts);
  if (random() >= NO_VEHICLE_SHARE) {
    const v = pickOne(random, VEHICLES);
    const vehicle: ReadVehicle = { make: v.make, model: v.model, color: pickOne(random, COLORS), type: v.type };
    if (random() >= NO_YEAR_SHARE) vehicle.year = v.years[0] + randomInt(random, v.years[1] - v.years[0] + 1);
    read.vehicle = vehicle;
  }
  return read;
}
