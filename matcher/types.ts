// The matcher's vocabulary: hot list entries, reads, and the hits that connect them.

/** How a read matched an entry, best first. The order is the rank used to pick the best of several ways. */
export const MATCH_KINDS = ['exact', 'ocr', 'partial', 'fuzzy'] as const;
export type MatchKind = (typeof MATCH_KINDS)[number];

/** Vehicle description as NCIC carries it (VMA, VMO, VYR, VCO, VST); every field optional. */
export interface VehicleDescription {
  /** NCIC VMA (e.g. `TOYT`) or a make name (`Toyota`). */
  make?: string;
  /** NCIC VMO or a model name. */
  model?: string;
  /** NCIC VYR. */
  year?: number;
  /** NCIC VCO (e.g. `BLK`, `WHI/BLU`) or a colour name. */
  color?: string;
  /** NCIC VST (e.g. `4D`, `MC`, `UT`) or a body type name (`sedan`, `motorcycle`, `suv`). */
  style?: string;
}

/** One hot list entry after validation. `plate` is normalised; `listed` keeps the text as it came. */
export interface HotlistEntry {
  /** List name, upper-case (e.g. `SVS`, `BOLO`). */
  list: string;
  /** Plate or pattern text exactly as listed (trimmed); hits report this. */
  listed: string;
  /** Normalised plate `[A-Z0-9]{2,8}`, or pattern over `[A-Z0-9?*]` when `isPattern`. */
  plate: string;
  isPattern: boolean;
  /** Two-letter state/province code; absent means the entry matches any state. */
  state?: string;
  reason: string;
  caseNumber: string;
  enteredBy: string;
  synopsis: string;
  /** Milliseconds since the epoch; absent means the entry does not expire. */
  expiresAt?: number;
  vehicle?: VehicleDescription;
}

/** Vehicle attributes a camera's classifier may add to a read. */
export interface ReadVehicle {
  make?: string;
  model?: string;
  year?: number;
  color?: string;
  /** Body type: `sedan`, `suv`, `pickup`, `motorcycle`, ... or an NCIC VST code. */
  type?: string;
}

/** An alternative reading of the plate (the reader's top-N guesses). */
export interface PlateCandidate {
  plate: string;
  conf?: number;
}

/**
 * A plate read as the matcher sees it. `plate` and every candidate's `plate` must already be
 * normalised (see `normalizePlate`); a candidate that is not is skipped, never thrown on.
 */
export interface Read {
  id: string;
  plate: string;
  state?: string;
  camera?: string;
  agency?: string;
  ts?: number;
  conf?: number;
  candidates?: readonly PlateCandidate[];
  vehicle?: ReadVehicle;
}

/** One way a read matched one hot list entry. */
export interface Hit {
  list: string;
  /** Version of the list the read was matched against: a read never sees two versions of one list. */
  listVersion: number;
  /** The entry's plate or pattern exactly as listed. */
  entry: string;
  kind: MatchKind;
  /** Edit distance after OCR mapping: 0 for exact, ocr and partial, 1 for fuzzy. */
  distance: number;
  /** Characters that differ only within an OCR confusion class (e.g. `8` read for `B`). */
  ocrSubstitutions: number;
  /** Positions in the read plate that differ from the entry (an insertion points where the missing character goes). */
  positions: number[];
  /** Which plate reading hit: 0 is the primary plate, 1.. the read's candidates in order. */
  candidate: number;
  /** The plate text of that reading. */
  plate: string;
  /** Read confidence of that reading, when the camera gave one. */
  conf?: number;
  /** true: same state or the entry has none; false: different state; null: the read has no state. */
  stateMatch: boolean | null;
  /** Vehicle fields where the read contradicts the entry (`make`, `model`, `year`, `color`, `style`). */
  vehicleMismatch: string[];
  state?: string;
  reason: string;
  caseNumber: string;
  enteredBy: string;
  synopsis: string;
  expiresAt?: number;
  vehicle?: VehicleDescription;
}
