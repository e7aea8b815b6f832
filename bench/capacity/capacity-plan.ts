// The capacity table: what a department of C cameras at R reads/s per camera with H hot list
// entries needs, scaled from what this run measured. Pure arithmetic, so every assumption is a
// named input that the report prints next to the table.

export interface Department {
  name: string;
  cameras: number;
  /** Average reads per second per camera over a day. */
  readsPerCamera: number;
  hotlistEntries: number;
}

/** DESIGN.md scale facts turned into example departments. */
export const EXAMPLE_DEPARTMENTS: readonly Department[] = [
  // 6 fixed cameras read 6.3 million plates in six months: ~0.4 reads/s in total.
  { name: 'small city (DESIGN.md: 6 cameras, 6.3 M reads in 6 months)', cameras: 6, readsPerCamera: 0.07, hotlistEntries: 250_000 },
  // Flock: ~20 billion reads a month over 40,000+ cameras ≈ 0.19 reads/s per camera on average.
  { name: 'mid-size city', cameras: 100, readsPerCamera: 0.2, hotlistEntries: 250_000 },
  { name: 'large city or county', cameras: 1_000, readsPerCamera: 0.2, hotlistEntries: 1_000_000 },
  { name: 'state-wide program', cameras: 10_000, readsPerCamera: 0.2, hotlistEntries: 1_000_000 },
  { name: 'nationwide, Flock-sized (~7,700 reads/s)', cameras: 40_000, readsPerCamera: 0.19, hotlistEntries: 1_000_000 },
];

export interface PlanAssumptions {
  /** Busiest hour ÷ daily average reads/s. */
  peakFactor: number;
  /** Size for this many times the peak, so the backlog drains after an outage and searches have room. */
  headroom: number;
  /** Reads one core-second carries: pipeline + storage + gateway + nats-server, measured at the highest sustainable rate. */
  readsPerCoreSecond: number;
  /** Resident memory of platewatch and nats-server at that rate, with the benchmark's hot list loaded. */
  baseMemoryBytes: number;
  /** Hot list entries loaded when `baseMemoryBytes` was measured. */
  measuredHotlistEntries: number;
  /** Process RSS per further hot list entry (after GC, before and after loading the run's lists). */
  rssBytesPerHotlistEntry: number;
  /** RSS a reload costs above the idle system, per entry of the list reloaded (the run's SVS reload: peak − idle). */
  reloadBytesPerHotlistEntry: number;
  /** chDB's skip-index cache, which analysts' searches fill and the run does not. */
  skipIndexCacheBytes: number;
  /** Detection on disk, indexes included. */
  bytesPerDetection: number;
  /** Share of reads that hit, and a stored hit on disk. */
  hitRate: number;
  bytesPerHit: number;
  retentionDays: number;
  /** NATS store: bytes JetStream reserves up front (READS and INVALID_READS limits). */
  natsReservedBytes: number;
  /** NATS store: HITS bytes per hit (each carries a copy of its read), kept `hitsRetentionDays`. */
  natsBytesPerHit: number;
  hitsRetentionDays: number;
  /** Fewest cores and bytes of memory worth buying for one machine. */
  minCores: number;
  minMemoryBytes: number;
}

export interface DepartmentPlan extends Department {
  averageReadsPerSecond: number;
  peakReadsPerSecond: number;
  cores: number;
  memoryBytes: number;
  /** ClickHouse: detections and hits for the retention period (one copy). */
  diskBytesPerRetention: number;
  /** The NATS store: its reservations plus the hits it keeps. */
  natsDiskBytes: number;
}

const SECONDS_PER_DAY = 86_400;

export function planDepartment(d: Department, a: PlanAssumptions): DepartmentPlan {
  const average = d.cameras * d.readsPerCamera;
  const peak = average * a.peakFactor;
  const cores = Math.max(a.minCores, Math.ceil((peak * a.headroom) / a.readsPerCoreSecond));
  const listMemory = Math.max(0, d.hotlistEntries - a.measuredHotlistEntries) * a.rssBytesPerHotlistEntry;
  const reloadMemory = d.hotlistEntries * a.reloadBytesPerHotlistEntry;
  const memoryBytes = Math.max(a.minMemoryBytes, (a.baseMemoryBytes + listMemory + reloadMemory + a.skipIndexCacheBytes) * a.headroom);
  const readsKept = average * SECONDS_PER_DAY * a.retentionDays;
  const diskBytesPerRetention = readsKept * (a.bytesPerDetection + a.hitRate * a.bytesPerHit);
  const natsDiskBytes = a.natsReservedBytes + average * SECONDS_PER_DAY * a.hitsRetentionDays * a.hitRate * a.natsBytesPerHit;
  return { ...d, averageReadsPerSecond: average, peakReadsPerSecond: peak, cores, memoryBytes, diskBytesPerRetention, natsDiskBytes };
}
