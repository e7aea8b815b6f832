// Fleet health on /metrics: each camera's valid and refused reads and when its newest valid read
// arrived, so a camera that goes silent, or whose every read is refused (firmware sending `ts` in
// seconds), can be alerted on (README, "Fleet health"). Cameras are named by their subject's
// tokens, alpr.reads.<agency>.<camera>: a refused read may carry no usable camera of its own, and
// one pair of labels for valid and refused reads is what lets an alert compare the two.
import type { Counter, Gauge, Labels, MetricsRegistry, Series } from './metrics.js';

/**
 * Cameras that sent a valid read with series of their own, at most, per process (cameras seen only
 * with refused reads have refusedOnlySlots more). Each costs three series on every scrape and in
 * Prometheus; the camera user may publish under any tokens, so the count needs a bound.
 */
export const DEFAULT_MAX_CAMERAS = 5_000;
/** The label value that stands for every camera past the cap (and every agency not seen within it). */
export const OTHER_CAMERAS = '_other';

/**
 * Slots for cameras seen only with refused reads, beside `maxCameras`: a tenth of it, at least 1.
 * Such a camera still needs a series (README alerts on a camera whose every read is refused), but
 * refused reads cost the publisher nothing — 5,100 one-byte messages took every slot in 8.8 s
 * (security assessment) — so they may not take the slots of cameras that send valid reads.
 */
export function refusedOnlySlots(maxCameras: number): number {
  return Math.max(1, Math.floor(maxCameras / 10));
}

/** The first camera that found a cap full, for the warning the worker logs once per cap. */
export interface CameraOverflow {
  agency: string;
  camera: string;
  /** True when it was the reserve for cameras seen only with refused reads that was full. */
  refusedOnly: boolean;
  /** Slots of the cap that was full: `maxCameras`, or refusedOnlySlots(maxCameras). */
  slots: number;
}

interface CameraSeries {
  labels: Labels;
  reads: Series;
  refused: Series;
  /** Created at the first valid read: a camera that never sent one has no last-read time, not 1970. */
  lastRead: Series | undefined;
  /** Holds a slot of the refused-only reserve (not of `maxCameras`). */
  reserved: boolean;
}

export class CameraMetrics {
  private readonly reads: Counter;
  private readonly refused: Counter;
  private readonly lastRead: Gauge;
  /** By subject, the string the message already carries: no key is built per message. */
  private readonly cameras = new Map<string, CameraSeries>();
  /** Cameras in `cameras` that hold a slot of `maxCameras`; the rest hold one of the reserve. */
  private withValidReads = 0;
  readonly refusedOnlySlots: number;
  /** Agencies of the cameras within the cap: past it, their cameras are counted as `{agency, camera="_other"}`. */
  private readonly agencies = new Set<string>();
  /** Past the cap, by agency (OTHER_CAMERAS for an agency not seen within it): at most agencies + 1 entries. */
  private readonly others = new Map<string, CameraSeries>();
  /** The first camera past each cap, until taken for its warning; then `null`, so it is warned of once. */
  private overflow: CameraOverflow | undefined | null;
  private refusedOverflow: CameraOverflow | undefined | null;

  constructor(
    registry: MetricsRegistry,
    readonly maxCameras = DEFAULT_MAX_CAMERAS,
  ) {
    this.refusedOnlySlots = refusedOnlySlots(maxCameras);
    const labelNames = ['agency', 'camera'];
    this.reads = registry.counter('platewatch_camera_reads_total', 'Valid reads taken from the READS stream, by the agency and camera tokens of their subject', { labelNames });
    this.refused = registry.counter(
      'platewatch_camera_refused_reads_total',
      'Reads refused and published to alpr.invalid.reads, by the agency and camera tokens of their subject (a whole-message refusal counts one; a subject with invalid tokens counts only in platewatch_invalid_reads_total)',
      { labelNames },
    );
    this.lastRead = registry.gauge('platewatch_camera_last_read_seconds', 'When the pipeline took the newest valid read of each camera off READS (Unix time; not the camera\'s ts)', { labelNames });
  }

  /**
   * Counts one message's reads: `valid` accepted, `refused` refused for what it carried, taken off
   * READS at `nowMs`. `subject` is the message's subject, whose tokens are `agency` and `camera`.
   */
  record(subject: string, agency: string, camera: string, valid: number, refused: number, nowMs: number): void {
    let series = this.cameras.get(subject);
    if (series === undefined) series = this.admit(subject, agency, camera, valid > 0);
    else if (series.reserved && valid > 0) this.promote(series);
    series.reads.value += valid;
    series.refused.value += refused;
    // Arrival at the pipeline, not the read's `ts`: the camera's clock is what may be broken (`ts`
    // in seconds, a clock reset to 2000, a backlog of days uploaded after an outage), and a
    // silent-camera alert compares this with Prometheus's own clock. A camera that delivers is
    // alive whatever its clock says.
    if (valid > 0) (series.lastRead ??= this.lastRead.series(series.labels)).value = nowMs / 1000;
  }

  /**
   * The first camera past a cap not yet taken (later calls: the other cap's, then undefined), so
   * one warning is logged per cap: a flood of refused junk filling the reserve does not hide the
   * main cap filling later.
   */
  takeOverflow(): CameraOverflow | undefined {
    const main = this.overflow;
    if (main) {
      this.overflow = null;
      return main;
    }
    const refused = this.refusedOverflow;
    if (refused) {
      this.refusedOverflow = null;
      return refused;
    }
    return undefined;
  }

  private admit(subject: string, agency: string, camera: string, hasValidReads: boolean): CameraSeries {
    const mainHasRoom = this.withValidReads < this.maxCameras;
    // With the main cap full, a camera met first with a refused read may be one already counted in
    // _other for its valid reads: a series of its own would show it as sending only refused reads
    // (README's CameraReadsAllRefused alert), so it stays in _other.
    const reserveHasRoom = mainHasRoom && this.cameras.size - this.withValidReads < this.refusedOnlySlots;
    if (hasValidReads ? mainHasRoom : reserveHasRoom) {
      const series = this.seriesOf({ agency, camera }, !hasValidReads);
      this.cameras.set(subject, series);
      if (hasValidReads) this.withValidReads++;
      this.agencies.add(agency);
      return series;
    }
    // Not kept by subject: past the cap, memory stays bounded too (and a camera counted here for
    // refused reads is admitted afresh, into the main cap, at its first valid read).
    const overflow = { agency, camera, refusedOnly: !hasValidReads, slots: hasValidReads ? this.maxCameras : this.refusedOnlySlots };
    // A refused-only camera kept out by a full main cap is that cap's overflow, already warned of.
    if (hasValidReads) {
      if (this.overflow === undefined) this.overflow = overflow;
    } else if (mainHasRoom && this.refusedOverflow === undefined) {
      this.refusedOverflow = overflow;
    }
    const otherAgency = this.agencies.has(agency) ? agency : OTHER_CAMERAS;
    let series = this.others.get(otherAgency);
    if (series === undefined) {
      series = this.seriesOf({ agency: otherAgency, camera: OTHER_CAMERAS }, false);
      this.others.set(otherAgency, series);
    }
    return series;
  }

  /**
   * A reserve camera's first valid read moves it to a slot of `maxCameras`, freeing its reserve
   * slot. With those all taken it keeps the reserve slot: dropping its series would lose its
   * counts, and it was a camera with a series before the cap filled.
   */
  private promote(series: CameraSeries): void {
    if (this.withValidReads >= this.maxCameras) return;
    series.reserved = false;
    this.withValidReads++;
  }

  /** Both counters at 0 from the first message, so increase() sees a camera's first refusal. */
  private seriesOf(labels: Labels, reserved: boolean): CameraSeries {
    return { labels, reads: this.reads.series(labels), refused: this.refused.series(labels), lastRead: undefined, reserved };
  }
}
