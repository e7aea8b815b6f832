// What an administrator or a camera's integrator reads to learn why a camera's reads are refused:
// the copies on INVALID_READS (docs/wire.md, "Invalid reads"), newest first, for an agency or a
// camera, each with its reasons and the batch positions they refused. The copies are kept for 30
// days whatever their camera; this reads them one by one from the newest, so how far back one
// request looks is bounded (`scanAtMost`), and the page says where to go on from.
import type { JetStreamManager } from '@nats-io/jetstream';
import { INVALID_INDEX_HEADER, INVALID_REASON_HEADER, INVALID_SUBJECT_HEADER, INVALID_TRUNCATED_HEADER } from './invalid-copy.js';
import { INVALID_READS_STREAM, parseReadsSubject } from './subjects.js';

export const REFUSED_READS_DEFAULT_LIMIT = 50;
export const REFUSED_READS_MAX_LIMIT = 500;
/** Copies one request reads at most, so one reading stays short (a camera refusing every read fills this in minutes). */
export const REFUSED_READS_SCAN_AT_MOST = 5_000;
/** Copies asked for at once: each is one request to the server. */
const READ_AHEAD = 100;

export interface RefusedReadsQuery {
  /** Only copies of messages sent under this agency (its subject token, in any letter case). */
  agency?: string;
  /** Only copies of messages from this camera (with `agency`, that agency's camera). */
  camera?: string;
  /** Copies wanted. @default REFUSED_READS_DEFAULT_LIMIT */
  limit?: number;
  /** Only copies older than this stream sequence: the previous page's `olderThan`. */
  before?: number;
  /** @default REFUSED_READS_SCAN_AT_MOST */
  scanAtMost?: number;
}

/** One refused message: what it was sent as, and why each refused read of it was refused. */
export interface RefusedReadMessage {
  /** Its sequence on INVALID_READS. */
  seq: number;
  /** When the copy was kept: the pipeline refused the message then (ISO 8601, UTC). */
  refusedAt: string;
  /** The subject it arrived on. */
  subject: string;
  /** From the subject; null when the subject itself was refused. */
  agency: string | null;
  camera: string | null;
  /** Each distinct reason, in the order first met, with the batch positions it refused (-1: the whole message). */
  refusals: Array<{ reason: string; positions: number[] }>;
  /** The message's length in bytes (the copy may keep only its head). */
  bytes: number;
  /** True when the copy keeps only the head of the message (it and the reasons did not fit in NATS's max_payload). */
  truncated: boolean;
}

export interface RefusedReadsPage {
  /** Newest first. */
  messages: RefusedReadMessage[];
  /** Pass as `before` to go on to older copies; null when there are none left to look at. */
  olderThan: number | null;
  /** Copies read for this page, matching or not. */
  scanned: number;
  /** The oldest copy the stream still keeps (30 days, 1 GiB at most), or null when it keeps none. */
  oldestKept: { seq: number; refusedAt: string } | null;
}

/** The page for `query`; throws what NATS throws (the caller reports the system's NATS as unavailable). */
export async function readRefusedReads(jsm: JetStreamManager, query: RefusedReadsQuery = {}): Promise<RefusedReadsPage> {
  const limit = query.limit ?? REFUSED_READS_DEFAULT_LIMIT;
  const scanAtMost = query.scanAtMost ?? REFUSED_READS_SCAN_AT_MOST;
  const agency = query.agency?.toLowerCase();
  const camera = query.camera?.toLowerCase();
  const { state } = await jsm.streams.info(INVALID_READS_STREAM);
  if (state.messages === 0) return { messages: [], olderThan: null, scanned: 0, oldestKept: null };
  const first = Math.max(1, state.first_seq);
  const newest = Math.min(state.last_seq, query.before === undefined ? Number.MAX_SAFE_INTEGER : query.before - 1);
  const messages: RefusedReadMessage[] = [];
  let oldestKept: RefusedReadsPage['oldestKept'] = null;
  let next = newest;
  let scanned = 0;
  while (next >= first && messages.length < limit && scanned < scanAtMost) {
    const count = Math.min(READ_AHEAD, next - first + 1, scanAtMost - scanned);
    const seqs = Array.from({ length: count }, (_, i) => next - i);
    // Null for a copy deleted since the info (the oldest go first when the stream is full or old).
    const copies = await Promise.all(seqs.map((seq) => jsm.streams.getMessage(INVALID_READS_STREAM, { seq })));
    for (let i = 0; i < count; i++) {
      scanned += 1;
      next = (seqs[i] ?? first) - 1;
      const copy = copies[i];
      if (copy === null || copy === undefined) continue;
      const message = refusedMessageOf(copy);
      if (agency !== undefined && message.agency?.toLowerCase() !== agency) continue;
      if (camera !== undefined && message.camera?.toLowerCase() !== camera) continue;
      messages.push(message);
      if (messages.length === limit) break;
    }
  }
  const oldest = await jsm.streams.getMessage(INVALID_READS_STREAM, { seq: first });
  if (oldest !== null) oldestKept = { seq: oldest.seq, refusedAt: oldest.time.toISOString() };
  return { messages, olderThan: next >= first ? next + 1 : null, scanned, oldestKept };
}

/** A stored copy as a refused message: its headers read back (the inverse of ingest/invalid-copy.ts). */
export function refusedMessageOf(copy: { seq: number; time: Date; data: Uint8Array; header?: { values(key: string): string[]; get(key: string): string } | undefined }): RefusedReadMessage {
  const h = copy.header;
  const subject = h?.get(INVALID_SUBJECT_HEADER) ?? '';
  const source = parseReadsSubject(subject);
  const reasons = h?.values(INVALID_REASON_HEADER) ?? [];
  const indexes = h?.values(INVALID_INDEX_HEADER) ?? [];
  const truncatedFrom = Number(h?.get(INVALID_TRUNCATED_HEADER) ?? '');
  const truncated = Number.isInteger(truncatedFrom) && truncatedFrom > 0;
  return {
    seq: copy.seq,
    refusedAt: copy.time.toISOString(),
    subject,
    agency: source?.agency ?? null,
    camera: source?.camera ?? null,
    refusals: reasons.map((reason, i) => ({
      reason,
      positions: (indexes[i] ?? '').split(',').filter((p) => p !== '').map(Number),
    })),
    bytes: truncated ? truncatedFrom : copy.data.length,
    truncated,
  };
}
