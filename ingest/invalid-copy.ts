// The copy of a refused message on alpr.invalid.reads (docs/wire.md, "Invalid reads"): one copy
// per message, however many of its reads were refused — the original bytes once, and each distinct
// reason with the batch positions it refused. A copy per refused read cost 1,000 copies of a bad
// 1,000-read gateway batch (74 MB for 74 KB, about 1 GB for a 1 MiB batch) on a stream kept 30 days.
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { boundedReason } from '../matcher/index.js';
import { controlsShown } from '../storage/control-text.js';
import { READS_STREAM } from './subjects.js';
import type { InvalidRead } from './wire.js';

/** Why it was refused: once per distinct reason, in the order first seen. */
export const INVALID_REASON_HEADER = 'Platewatch-Reason';
export const INVALID_SUBJECT_HEADER = 'Platewatch-Subject';
/** Once per reason, in the same order: the batch positions it refused, comma-separated, or -1 (the whole message). */
export const INVALID_INDEX_HEADER = 'Platewatch-Index';
/** Set when the kept bytes are only the head of the message: its original length. */
export const INVALID_TRUNCATED_HEADER = 'Platewatch-Truncated';
const CONTENT_TYPE = 'Content-Type';
const MSG_ID = 'Nats-Msg-Id';
/**
 * Stands for the reasons that did not fit in the copy's headers. A batch of 1,000 reads, each
 * refused for a reason of its own (each quotes its plate), takes up to about 300 KB of reasons.
 */
export const INVALID_REASONS_NOT_KEPT = 'refused; the reason did not fit in the headers of this copy';
/**
 * JetStream refuses to store a message whose header block is longer than this ("header size exceeds
 * maximum allowed of 64k"), whatever max_payload allows. A copy over it failed to publish, so its
 * batch was never acked and came back every few seconds, for ever (found by exploratory QA).
 */
export const JETSTREAM_MAX_HEADER_BYTES = 65_535;

export interface InvalidCopy {
  data: Uint8Array;
  headers: MsgHdrs;
  /** Derived from the original's READS sequence: a redelivered message's copy is dropped as a duplicate. */
  msgID: string;
}

/** What the copy is made from: the message as it came off READS. */
export interface RefusedMessage {
  subject: string;
  /** Its sequence on the READS stream: the same on every delivery of the message. */
  seq: number;
  data: Uint8Array;
  contentType?: string | undefined;
}

/** The `Nats-Msg-Id` of the copy of READS message `seq`. */
export function invalidCopyId(seq: number): string {
  return `${READS_STREAM}:${seq}`;
}

/**
 * The one copy of a message with refused reads. Headers count against `maxPayloadBytes` (NATS's
 * max_payload covers headers and body); if both do not fit, the body keeps the head of the
 * original and `Platewatch-Truncated` says its length.
 */
export function invalidCopy(message: RefusedMessage, invalid: readonly InvalidRead[], maxPayloadBytes: number): InvalidCopy {
  const msgID = invalidCopyId(message.seq);
  const h = natsHeaders();
  h.set(MSG_ID, msgID);
  // A subject is bounded by NATS (its control line) and holds no spaces or line breaks: kept whole.
  h.set(INVALID_SUBJECT_HEADER, message.subject);
  if (message.contentType !== undefined && message.contentType.trim() !== '') h.set(CONTENT_TYPE, headerValue(message.contentType));

  const positions = new Map<string, number[]>();
  for (const refusal of invalid) {
    const reason = headerValue(refusal.reason);
    const list = positions.get(reason);
    if (list === undefined) positions.set(reason, [refusal.index]);
    else list.push(refusal.index);
  }
  // Room is kept for the not-kept line listing every position, and for Platewatch-Truncated.
  const everyPosition = invalid.map((r) => r.index).sort((a, b) => a - b).join(',');
  const notKeptLine = lineBytes(INVALID_REASON_HEADER, INVALID_REASONS_NOT_KEPT) + lineBytes(INVALID_INDEX_HEADER, everyPosition);
  const reasonsBudget = Math.min(Math.floor(maxPayloadBytes / 2), JETSTREAM_MAX_HEADER_BYTES) - notKeptLine - lineBytes(INVALID_TRUNCATED_HEADER, String(message.data.length));
  let spent = headersBytes(h);
  let notKept: number[] | undefined;
  for (const [reason, indexes] of positions) {
    const index = indexes.join(',');
    const cost = lineBytes(INVALID_REASON_HEADER, reason) + lineBytes(INVALID_INDEX_HEADER, index);
    if (notKept === undefined && spent + cost <= reasonsBudget) {
      h.append(INVALID_REASON_HEADER, reason);
      h.append(INVALID_INDEX_HEADER, index);
      spent += cost;
    } else {
      (notKept ??= []).push(...indexes);
    }
  }
  if (notKept !== undefined) {
    h.append(INVALID_REASON_HEADER, INVALID_REASONS_NOT_KEPT);
    h.append(INVALID_INDEX_HEADER, notKept.sort((a, b) => a - b).join(','));
  }

  let data = message.data;
  if (headersBytes(h) + data.length > maxPayloadBytes) {
    h.set(INVALID_TRUNCATED_HEADER, String(data.length));
    data = data.subarray(0, Math.max(0, maxPayloadBytes - headersBytes(h)));
  }
  return { data, headers: h, msgID };
}

/** Every refusal a copy lists, as positions with their reasons (the inverse of `invalidCopy`'s headers). */
export function invalidReadsOf(h: MsgHdrs | undefined): InvalidRead[] {
  if (h === undefined) return [];
  const reasons = h.values(INVALID_REASON_HEADER);
  const indexes = h.values(INVALID_INDEX_HEADER);
  const out: InvalidRead[] = [];
  for (let i = 0; i < reasons.length; i++) {
    for (const index of (indexes[i] ?? '').split(',')) {
      if (index !== '') out.push({ index: Number(index), reason: reasons[i] ?? '' });
    }
  }
  return out;
}

/**
 * Reasons quote the camera's own text (an agency or camera name), and a NATS header value cannot
 * hold CR or LF: setting one threw out of the batch (an unhandled rejection, which ends the
 * process), and the unacked read came back after the restart to do it again (found by the wire
 * fuzz test). Line breaks are shown escaped instead (`\r`, `\n`), and every other control or
 * bidirectional character as `\xNN` / `\uNNNN`: the copies are read back on terminals and in the
 * console (`platewatch refused-reads`, GET /api/refused-reads), where an escape sequence would be
 * obeyed or shown as a blank (found by QA). The value is capped like a reason (a camera's
 * Content-Type could be as long as its message). NATS trims header values; so does this, so the
 * size counted is the size sent.
 */
function headerValue(text: string): string {
  const escaped = text.includes('\r') || text.includes('\n') ? text.replace(/\r/g, '\\r').replace(/\n/g, '\\n') : text;
  return boundedReason(controlsShown(escaped)).trim();
}

/** Bytes of the encoded header block, as nats.js writes it: `NATS/1.0`, `\r\nKey: value` each, `\r\n\r\n`. */
function headersBytes(h: MsgHdrs): number {
  let n = 'NATS/1.0'.length + 4;
  for (const [key, values] of h) for (const value of values) n += lineBytes(key, value);
  return n;
}

function lineBytes(key: string, value: string): number {
  return key.length + 4 + Buffer.byteLength(value, 'utf8');
}
