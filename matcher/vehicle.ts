// Vehicle description checks on a hit. A plate hit on a car whose entry describes a motorcycle is
// the classic wrongful stop; Watsonville PD §471.5(f)(2) has officers verify "vehicle descriptors"
// before acting, so the hit names every field where the camera contradicts the entry.
import type { ReadVehicle, VehicleDescription } from './types.js';

/** Body classes that a camera classifier and NCIC VST codes can both be reduced to. */
const BODY_CLASS: Readonly<Record<string, string>> = {
  MC: 'motorcycle', MOTORCYCLE: 'motorcycle', MOTORBIKE: 'motorcycle', MP: 'motorcycle', MB: 'motorcycle', SCOOTER: 'motorcycle',
  '2D': 'car', '4D': 'car', SD: 'car', SEDAN: 'car', CP: 'car', COUPE: 'car', HB: 'car', HATCHBACK: 'car', CV: 'car',
  CONVERTIBLE: 'car', SW: 'car', WAGON: 'car', CAR: 'car', '2T': 'car', '4T': 'car',
  UT: 'suv', SUV: 'suv', LL: 'suv', CROSSOVER: 'suv',
  PK: 'truck', PICKUP: 'truck', TRUCK: 'truck', TK: 'truck', TR: 'truck', TT: 'truck', SEMI: 'truck',
  VN: 'van', VAN: 'van', MINIVAN: 'van', MV: 'van', CG: 'van',
  BU: 'bus', BUS: 'bus',
  TL: 'trailer', TRAILER: 'trailer', TRL: 'trailer',
  MH: 'motorhome', MOTORHOME: 'motorhome', RV: 'motorhome',
};

/** NCIC VCO codes and common colour names → one colour family. */
const COLOR_FAMILY: Readonly<Record<string, string>> = {
  BLK: 'black', BLACK: 'black', WHI: 'white', WHITE: 'white', GRY: 'gray', GRAY: 'gray', GREY: 'gray',
  SIL: 'gray', SILVER: 'gray', RED: 'red', MAR: 'red', MAROON: 'red', BLU: 'blue', BLUE: 'blue',
  LBL: 'blue', DBL: 'blue', TEA: 'green', GRN: 'green', GREEN: 'green', LGR: 'green', DGR: 'green',
  YEL: 'yellow', YELLOW: 'yellow', GLD: 'yellow', GOLD: 'yellow', ONG: 'orange', ORANGE: 'orange',
  BRO: 'brown', BROWN: 'brown', TAN: 'brown', BGE: 'brown', BEIGE: 'brown', CAM: 'brown', PLE: 'purple',
  PURPLE: 'purple', PNK: 'red', PINK: 'red', CPR: 'brown', COPPER: 'brown', BRZ: 'brown', CRM: 'white',
};

/** Make names → NCIC VMA codes where the code is not simply the first four letters. */
const MAKE_CODE: Readonly<Record<string, string>> = {
  TOYOTA: 'TOYT', VOLKSWAGEN: 'VOLK', VW: 'VOLK', MERCEDES: 'MERZ', MERCEDESBENZ: 'MERZ', BENZ: 'MERZ',
  CHEVROLET: 'CHEV', CHEVY: 'CHEV', HYUNDAI: 'HYUN', MITSUBISHI: 'MITS', INFINITI: 'INFI', LANDROVER: 'LNDR',
  MAZDA: 'MAZD', LEXUS: 'LEXS', SUBARU: 'SUBA', CHRYSLER: 'CHRY', CADILLAC: 'CADI', PORSCHE: 'PORS',
  HARLEYDAVIDSON: 'HD', HARLEY: 'HD', ACURA: 'ACUR', GMC: 'GMC', KIA: 'KIA', BMW: 'BMW', RAM: 'RAM',
};

function word(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function makeCode(make: string): string {
  const w = word(make);
  return MAKE_CODE[w] ?? w.slice(0, 4);
}

function colorFamilies(color: string): string[] {
  // NCIC two-tone colours are written `TOP/BOTTOM` (e.g. `WHI/BLU`); either one may be what a camera sees.
  return color
    .toUpperCase()
    .split(/[^A-Z]+/)
    .filter((part) => part !== '')
    .map((part) => COLOR_FAMILY[part] ?? part);
}

/** Fields where the read's vehicle contradicts the entry's; empty when either side is silent. */
export function vehicleMismatches(entry: VehicleDescription | undefined, read: ReadVehicle | undefined): string[] {
  if (entry === undefined || read === undefined) return [];
  const mismatches: string[] = [];
  if (entry.make !== undefined && read.make !== undefined) {
    const listed = makeCode(entry.make);
    const seen = makeCode(read.make);
    if (listed !== '' && seen !== '' && listed !== seen) mismatches.push('make');
  }
  if (entry.model !== undefined && read.model !== undefined) {
    const a = word(entry.model);
    const b = word(read.model);
    // NCIC VMO is an abbreviation of the model name (CIV for Civic), so a prefix agrees.
    if (a !== '' && b !== '' && !a.startsWith(b) && !b.startsWith(a)) mismatches.push('model');
  }
  // Classifiers estimate model years; one year either side is not a contradiction.
  if (entry.year !== undefined && read.year !== undefined && Math.abs(entry.year - read.year) > 1) mismatches.push('year');
  if (entry.color !== undefined && read.color !== undefined) {
    const listed = colorFamilies(entry.color);
    const seen = colorFamilies(read.color);
    if (listed.length > 0 && seen.length > 0 && !seen.some((c) => listed.includes(c))) mismatches.push('color');
  }
  if (entry.style !== undefined && read.type !== undefined) {
    const listed = BODY_CLASS[word(entry.style)];
    const seen = BODY_CLASS[word(read.type)];
    if (listed !== undefined && seen !== undefined && listed !== seen) mismatches.push('style');
  }
  return mismatches;
}
