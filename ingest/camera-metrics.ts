// Fleet health on /metrics: each camera's valid and refused reads and when its newest valid read
// arrived, so a camera that goes silent, or whose every read is refused (firmware sending `ts` in
// seconds), can be alerted on (README, "Fleet health"). Cameras are named by their subject's
// tokens, alpr.reads.<agency>.<camera>: a refused read may carry no usable camera of its own, and
// one pair of labels for valid and refused reads is what lets an alert compare the two.
import type { Counter, Gauge, Labels, MetricsRegistry, Series } from './metrics.js';

/**
 * Cameras with series of their own, at most, per process. Each costs three series on every scrape
 * and in Prometheus; the camera user may publish under any tokens, so the count needs a bound.
 */
export const DEFAULT_MAX_CAMERAS = 5_000;
/** The label value that stands for every camera past the cap (and every agency not seen within it). */
export const OTHER_CAMERAS = '_other';

/** The first camera that found the cap full, for the one warning the worker logs. */
export interface CameraOverflow {
  agency: string;
  camera: string;
  maxCameras: number;
}

interface CameraSeries {
  labels: Labels;
  reads: Series;
  refused: Series;
  /** Created at the first valid read: a camera that never sent one has no last-read time, not 1970. */
  lastRead: Series | undefined;
}

export class CameraMetrics {
  private readonly reads: Counter;
  private readonly refused: Counter;
  private readonly lastRead: Gauge;
  /** By subject, the string the message already carries: no key is built per message. */
  private readonly cameras = new Map<string, CameraSeries>();
  /** Agencies of the cameras within the cap: past it, their cameras are counted as `{agency, camera="_other"}`. */
  private readonly agencies = new Set<string>();
  /** Past the cap, by agency (OTHER_CAMERAS for an agency not seen within it): at most agencies + 1 entries. */
  private readonly others = new Map<string, CameraSeries>();
  private overflow: CameraOverflow | undefined;
  private overflowTaken = false;

  constructor(
    registry: MetricsRegistry,
    readonly maxCameras = DEFAULT_MAX_CAMERAS,
  ) {
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
    const series = this.cameras.get(subject) ?? this.admit(subject, agency, camera);
    series.reads.value += valid;
    series.refused.value += refused;
    // Arrival at the pipeline, not the read's `ts`: the camera's clock is what may be broken (`ts`
    // in seconds, a clock reset to 2000, a backlog of days uploaded after an outage), and a
    // silent-camera alert compares this with Prometheus's own clock. A camera that delivers is
    // alive whatever its clock says.
    if (valid > 0) (series.lastRead ??= this.lastRead.series(series.labels)).value = nowMs / 1000;
  }

  /** The first camera past the cap, once (later calls: undefined), so that one warning is logged. */
  takeOverflow(): CameraOverflow | undefined {
    if (this.overflow === undefined || this.overflowTaken) return undefined;
    this.overflowTaken = true;
    return this.overflow;
  }

  private admit(subject: string, agency: string, camera: string): CameraSeries {
    if (this.cameras.size < this.maxCameras) {
      const series = this.seriesOf({ agency, camera });
      this.cameras.set(subject, series);
      this.agencies.add(agency);
      return series;
    }
    // Not kept by subject: past the cap, memory stays bounded too.
    this.overflow ??= { agency, camera, maxCameras: this.maxCameras };
    const otherAgency = this.agencies.has(agency) ? agency : OTHER_CAMERAS;
    let series = this.others.get(otherAgency);
    if (series === undefined) {
      series = this.seriesOf({ agency: otherAgency, camera: OTHER_CAMERAS });
      this.others.set(otherAgency, series);
    }
    return series;
  }

  /** Both counters at 0 from the first message, so increase() sees a camera's first refusal. */
  private seriesOf(labels: Labels): CameraSeries {
    return { labels, reads: this.reads.series(labels), refused: this.refused.series(labels), lastRead: undefined };
  }
}
