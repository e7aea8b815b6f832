// The benchmark's workload, generated in process from a seed: a state's worth of general hot list
// entries (SVS/SFR/SLR as NCIC hands them over), an agency's BOLO list with partial patterns, and
// read streams in which about 1 read in 200 is a planted hit (DESIGN.md: hit rates around 0.5%).
import { OcrAlphabet, normalizePattern, type HotlistEntry, type MatcherConfig, type Read, type VehicleDescription } from '../matcher/index.js';
import {
  createRandom,
  generatePlate,
  misreadPlate,
  mutatePlateOneEdit,
  pickChar,
  pickOne,
  randomInt,
  type Random,
} from '../ingest/plate-generator.js';

export interface WorkloadSize {
  /** Entries across SVS, SFR and SLR, split by GENERAL_LIST_SHARES. */
  generalEntries: number;
  /** Plain plates on the BOLO list. */
  specificEntries: number;
  /** Partial patterns on the BOLO list. */
  patterns: number;
  /** Reads in the mixed stream. */
  streamReads: number;
  /** Share of the mixed stream that is a planted hit. */
  streamHitShare: number;
  /** Reads in each per-kind set. */
  readsPerKind: number;
  /** Random plates on no list, for false-hit rates. */
  nonListedReads: number;
}

/** The workload: 1M general + 10k specific entries + 1k patterns. */
export const FULL_WORKLOAD: WorkloadSize = {
  generalEntries: 1_000_000,
  specificEntries: 10_000,
  patterns: 1_000,
  streamReads: 100_000,
  streamHitShare: 0.005,
  readsPerKind: 2_000,
  nonListedReads: 100_000,
};

/** The workload shrunk by `factor` (e.g. 10 for `--quick`), never below a handful of each. */
export function scaleWorkload(size: WorkloadSize, factor: number): WorkloadSize {
  const shrink = (n: number, floor: number) => Math.max(floor, Math.round(n / factor));
  return {
    generalEntries: shrink(size.generalEntries, 50),
    specificEntries: shrink(size.specificEntries, 20),
    patterns: shrink(size.patterns, 10),
    streamReads: shrink(size.streamReads, 200),
    streamHitShare: size.streamHitShare,
    readsPerKind: shrink(size.readsPerKind, 20),
    nonListedReads: shrink(size.nonListedReads, 200),
  };
}

/** NCIC general files; shares are a guess at a state download's mix (stolen vehicles dominate). */
export const GENERAL_LIST_SHARES = [
  { list: 'SVS', share: 0.7, reasons: ['STOLEN VEHICLE', 'STOLEN VEHICLE - EMBEZZLED', 'STOLEN VEHICLE - RENTAL'] },
  { list: 'SFR', share: 0.25, reasons: ['FELONY VEHICLE', 'WANTED PERSON VEHICLE', 'VEHICLE USED IN FELONY'] },
  { list: 'SLR', share: 0.05, reasons: ['STOLEN PLATE', 'STOLEN PLATE - FRONT ONLY', 'STOLEN PLATE - REAR ONLY'] },
] as const;
export const SPECIFIC_LIST = 'BOLO';

/** The ways a read in the stream was planted to hit, plus `none` for random plates on no list. */
export const PLANTED_KINDS = ['exact-general', 'ocr-general', 'exact-specific', 'fuzzy-specific', 'partial'] as const;
export type PlantedKind = (typeof PLANTED_KINDS)[number];
export type ReadSetName = PlantedKind | 'none';

export interface Workload {
  seed: number;
  size: WorkloadSize;
  /** The clock the reads are matched at: BOLO expiries are set relative to it. */
  nowMs: number;
  /** Entries per list name, in the order they should be loaded. */
  lists: ReadonlyMap<string, HotlistEntry[]>;
  /** 99.5% random plates on no list, the rest planted hits, shuffled. */
  stream: Read[];
  /** How many stream reads were planted as each kind. */
  streamPlanted: Readonly<Record<PlantedKind, number>>;
  /** One read set per planted kind, and `none`: random plates on no list. */
  readsByKind: Readonly<Record<ReadSetName, Read[]>>;
  /** Random plates on no list (not even by exact text): their hits are false hits. */
  nonListed: Read[];
}

const NOW_MS = Date.UTC(2026, 10, 23, 12, 0, 0);
const DAY_MS = 86_400_000;
/** Share of BOLO entries already past their expiry: they are loaded but must never match. */
const EXPIRED_SHARE = 0.02;
const CAMERAS = ['WPD-FX-01', 'WPD-FX-02', 'WPD-FX-03', 'WPD-FX-04', 'WPD-FX-05', 'WPD-FX-06', 'WPD-MV-21', 'WPD-MV-22'];

const OFFICERS = ['Ofc. J. Ramirez #4411', 'Ofc. T. Nguyen #3902', 'Det. A. Brooks #2217', 'Sgt. M. Okafor #1880', 'Ofc. L. Chen #4630', 'Det. R. Silva #2054'];
const BOLO_REASONS = ['ROBBERY', 'HIT AND RUN', 'BURGLARY', 'MISSING PERSON', 'AMBER ALERT', 'ASSAULT WITH A DEADLY WEAPON', 'FRAUD', 'CATALYTIC CONVERTER THEFT'];
const SYNOPSES = [
  'Suspect vehicle in armed robbery of convenience store; occupants may be armed.',
  'Left scene of injury collision; front-end damage on passenger side.',
  'Seen at three residential burglaries in the same week; two occupants.',
  'At-risk adult with dementia, last seen driving this vehicle; check welfare.',
  'Child abduction; do not stop without backup; notify dispatch at once.',
  'Driver brandished a firearm during a road-rage incident.',
  'Vehicle used to cash stolen checks at several branches.',
  'Vehicle seen leaving scene of catalytic converter thefts at night.',
];
const VEHICLES: readonly VehicleDescription[] = [
  { make: 'TOYT', model: 'CAM', year: 2016, color: 'SIL', style: '4D' },
  { make: 'HOND', model: 'CIV', year: 2019, color: 'BLK', style: '4D' },
  { make: 'FORD', model: 'F15', year: 2014, color: 'WHI', style: 'PK' },
  { make: 'CHEV', model: 'SIL', year: 2012, color: 'RED', style: 'PK' },
  { make: 'NISS', model: 'ALT', year: 2018, color: 'GRY', style: '4D' },
  { make: 'HOND', model: 'CBR', year: 2021, color: 'BLU', style: 'MC' },
  { make: 'JEEP', model: 'GRA', year: 2017, color: 'BLK', style: 'UT' },
  { make: 'TESL', model: 'MO3', color: 'WHI', style: '4D' },
];
const PLATE_CHARACTERS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Generates the whole workload; the same seed and size give the same workload. */
export function generateWorkload(size: WorkloadSize, config: MatcherConfig, seed = 20_261_123): Workload {
  const random = createRandom(seed);
  const alphabet = new OcrAlphabet(config.ocrClasses);
  const listedPlates = new Set<string>();

  const lists = new Map<string, HotlistEntry[]>();
  let caseCounter = 0;
  let assigned = 0;
  for (const [at, { list, share, reasons }] of GENERAL_LIST_SHARES.entries()) {
    const isLast = at === GENERAL_LIST_SHARES.length - 1;
    const count = isLast ? size.generalEntries - assigned : Math.round(size.generalEntries * share);
    assigned += count;
    const entries: HotlistEntry[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const { plate, state } = uniquePlate(random, listedPlates);
      entries[i] = {
        list,
        listed: plate,
        plate,
        isPattern: false,
        state,
        reason: pickOne(random, reasons),
        caseNumber: ncicNumber(caseCounter++),
        enteredBy: 'NCIC',
        synopsis: '',
      };
    }
    lists.set(list, entries);
  }

  const bolo: HotlistEntry[] = [];
  for (let i = 0; i < size.specificEntries; i++) {
    const { plate, state } = uniquePlate(random, listedPlates);
    bolo.push(boloEntry(random, plate, plate, false, state, i));
  }
  for (let i = 0; i < size.patterns; i++) {
    const pattern = generatePattern(random, config.patternMinKnown);
    bolo.push(boloEntry(random, pattern, pattern, true, undefined, size.specificEntries + i));
  }
  lists.set(SPECIFIC_LIST, bolo);

  const planter = new HitPlanter(random, alphabet, config, lists, listedPlates);
  const nonListedRead = (id: string): Read => {
    const { plate, state } = uniqueNonListedPlate(random, listedPlates);
    return { id, plate, state, camera: pickOne(random, CAMERAS) };
  };

  const stream: Read[] = [];
  const planted = Math.round(size.streamReads * size.streamHitShare);
  const streamPlanted = Object.fromEntries(PLANTED_KINDS.map((k) => [k, 0])) as Record<PlantedKind, number>;
  for (let i = 0; i < planted; i++) {
    const kind = PLANTED_KINDS[i % PLANTED_KINDS.length] as PlantedKind;
    streamPlanted[kind]++;
    stream.push(planter.plant(kind, `s${i}`));
  }
  for (let i = planted; i < size.streamReads; i++) stream.push(nonListedRead(`s${i}`));
  shuffle(random, stream);

  const readsByKind = {} as Record<ReadSetName, Read[]>;
  for (const kind of PLANTED_KINDS) {
    readsByKind[kind] = Array.from({ length: size.readsPerKind }, (_, i) => planter.plant(kind, `${kind}-${i}`));
  }
  readsByKind.none = Array.from({ length: size.readsPerKind }, (_, i) => nonListedRead(`none-${i}`));
  const nonListed = Array.from({ length: size.nonListedReads }, (_, i) => nonListedRead(`n${i}`));

  return { seed, size, nowMs: NOW_MS, lists, stream, streamPlanted, readsByKind, nonListed };
}

/** NCIC numbers are a letter and nine digits; 48271 is coprime with 10⁹, so i ↦ number is one-to-one. */
function ncicNumber(i: number): string {
  return `V${String((i * 48_271 + 12_345) % 1_000_000_000).padStart(9, '0')}`;
}

function uniquePlate(random: Random, listed: Set<string>): { plate: string; state: string } {
  for (;;) {
    const generated = generatePlate(random);
    if (!listed.has(generated.plate)) {
      listed.add(generated.plate);
      return generated;
    }
  }
}

function uniqueNonListedPlate(random: Random, listed: ReadonlySet<string>): { plate: string; state: string } {
  for (;;) {
    const generated = generatePlate(random);
    if (!listed.has(generated.plate)) return generated;
  }
}

function boloEntry(random: Random, listed: string, plate: string, isPattern: boolean, state: string | undefined, n: number): HotlistEntry {
  const reasonAt = randomInt(random, BOLO_REASONS.length);
  const entry: HotlistEntry = {
    list: SPECIFIC_LIST,
    listed,
    plate,
    isPattern,
    reason: BOLO_REASONS[reasonAt] as string,
    caseNumber: `26-${String(n + 1).padStart(6, '0')}`,
    enteredBy: pickOne(random, OFFICERS),
    synopsis: SYNOPSES[reasonAt] as string,
    expiresAt: random() < EXPIRED_SHARE ? NOW_MS - (1 + randomInt(random, 30)) * DAY_MS : NOW_MS + (30 + randomInt(random, 150)) * DAY_MS,
  };
  if (state !== undefined) entry.state = state;
  if (random() < 0.6) entry.vehicle = pickOne(random, VEHICLES);
  return entry;
}

/**
 * A witness's partial plate: a 6–7 character plate with one or two characters unknown (`?`), or
 * only its start or end remembered (`*`). Always at least 4 known characters.
 */
function generatePattern(random: Random, minKnown: number): string {
  for (;;) {
    let plate = generatePlate(random).plate;
    while (plate.length < 6) plate = generatePlate(random).plate;
    const chars = plate.split('');
    const shape = random();
    let pattern: string;
    if (shape < 0.4) {
      chars[randomInt(random, chars.length)] = '?';
      pattern = chars.join('');
    } else if (shape < 0.7) {
      const a = randomInt(random, chars.length);
      let b = randomInt(random, chars.length);
      while (b === a) b = randomInt(random, chars.length);
      chars[a] = '?';
      chars[b] = '?';
      pattern = chars.join('');
    } else if (shape < 0.85) {
      pattern = `*${plate.slice(1 + randomInt(random, 2))}`;
    } else {
      pattern = `${plate.slice(0, plate.length - 1 - randomInt(random, 2))}*`;
    }
    const known = pattern.replace(/[?*]/g, '').length;
    const normal = normalizePattern(pattern, minKnown);
    if (known >= Math.max(4, minKnown) && normal.ok && normal.isPattern) return normal.pattern;
  }
}

/** Makes reads that hit a chosen entry in a chosen way. */
class HitPlanter {
  private readonly general: HotlistEntry[] = [];
  private readonly specific: HotlistEntry[] = [];
  private readonly patterns: HotlistEntry[] = [];

  constructor(
    private readonly random: Random,
    private readonly alphabet: OcrAlphabet,
    private readonly config: MatcherConfig,
    lists: ReadonlyMap<string, HotlistEntry[]>,
    private readonly listed: ReadonlySet<string>,
  ) {
    for (const [list, entries] of lists) {
      for (const entry of entries) {
        if (list !== SPECIFIC_LIST) this.general.push(entry);
        else if (entry.expiresAt !== undefined && entry.expiresAt <= NOW_MS) continue;
        else if (entry.isPattern) this.patterns.push(entry);
        else this.specific.push(entry);
      }
    }
  }

  plant(kind: PlantedKind, id: string): Read {
    const entry = this.pickEntry(kind);
    return { id, plate: this.platePlanted(kind, entry), ...(entry.state !== undefined ? { state: entry.state } : {}), camera: pickOne(this.random, CAMERAS) };
  }

  private pickEntry(kind: PlantedKind): HotlistEntry {
    const from = kind === 'exact-general' || kind === 'ocr-general' ? this.general : kind === 'partial' ? this.patterns : this.specific;
    for (;;) {
      const entry = pickOne(this.random, from);
      if (kind === 'ocr-general' && !this.canMisread(entry.plate)) continue;
      if (kind === 'fuzzy-specific' && entry.plate.length < this.config.fuzzyMinLength) continue;
      return entry;
    }
  }

  private canMisread(plate: string): boolean {
    if ((this.config.ocrMaxSubstitutionsByLength[plate.length] ?? 0) === 0) return false;
    return misreadPlate(plate, () => 0, this.config.ocrClasses) !== plate;
  }

  private platePlanted(kind: PlantedKind, entry: HotlistEntry): string {
    const random = this.random;
    for (;;) {
      let plate: string;
      if (kind === 'exact-general' || kind === 'exact-specific') return entry.plate;
      if (kind === 'ocr-general') plate = misreadPlate(entry.plate, random, this.config.ocrClasses);
      else if (kind === 'fuzzy-specific') plate = mutatePlateOneEdit(entry.plate, random, this.config.ocrClasses).plate;
      else plate = fillPattern(random, entry.plate);
      // A planted read must hit its entry the planted way, not some other listed plate exactly.
      if (plate === entry.plate || this.listed.has(plate)) continue;
      if (kind === 'fuzzy-specific' && plate.length < this.config.fuzzyMinLength) continue;
      if (kind === 'ocr-general' && this.alphabet.mapPlate(plate) !== this.alphabet.mapPlate(entry.plate)) continue;
      if (plate.length < 2 || plate.length > 8) continue;
      return plate;
    }
  }
}

/** A plate the pattern matches: `?` becomes any character, `*` a run of 0–2. */
function fillPattern(random: Random, pattern: string): string {
  let plate = '';
  for (const ch of pattern) {
    if (ch === '?') plate += pickChar(random, PLATE_CHARACTERS);
    else if (ch === '*') {
      const run = randomInt(random, 3);
      for (let i = 0; i < run; i++) plate += pickChar(random, PLATE_CHARACTERS);
    } else plate += ch;
  }
  return plate;
}

function shuffle<T>(random: Random, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  }
}
