// The copy of a refused message (docs/wire.md, "Invalid reads"), without NATS: its headers, and
// its size against max_payload. test/ingest/pipeline.test.ts sends copies through a real server.
import { MsgHdrsImpl } from '@nats-io/transport-node';
import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  decodeReadMessage,
  DEFAULT_MAX_MESSAGE_BYTES,
  INVALID_INDEX_HEADER,
  INVALID_REASON_HEADER,
  INVALID_SUBJECT_HEADER,
  INVALID_TRUNCATED_HEADER,
  invalidCopy,
  invalidReadsOf,
  INVALID_REASONS_NOT_KEPT,
  JETSTREAM_MAX_HEADER_BYTES,
  type InvalidCopy,
} from '../../ingest/index.js';
import { MAX_REASON_LENGTH } from '../../matcher/index.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const good = { v: 1, id: 'r-1', agency: 'wpd', camera: 'cam-7', ts: NOW - 1000, plate: '7ABC123', conf: 0.91 };
const SUBJECT = 'alpr.reads.wpd.gw1';

/** Bytes of the header block exactly as nats.js encodes it for the wire. */
function headerBytes(copy: InvalidCopy): number {
  return (copy.headers as MsgHdrsImpl).encode().length;
}

function copyOf(data: Uint8Array, seq = 7, contentType?: string): InvalidCopy {
  const { invalid } = decodeReadMessage(data, contentType, 'wpd', NOW);
  return invalidCopy({ subject: SUBJECT, seq, data, contentType }, invalid, DEFAULT_MAX_MESSAGE_BYTES);
}

describe('invalidCopy', () => {
  it('copies a batch of 1,000 refused reads once, with the reason written once and every position', () => {
    const data = pack(Array.from({ length: 1000 }, (_, i) => ({ ...good, id: `r-${i}`, v: 2 })));
    const copy = copyOf(data);
    expect(copy.data).toBe(data);
    expect(copy.headers.values(INVALID_REASON_HEADER)).toEqual(['schema version 2 is not supported (this receiver speaks 1)']);
    expect(copy.headers.values(INVALID_INDEX_HEADER)).toEqual([Array.from({ length: 1000 }, (_, i) => i).join(',')]);
    expect(copy.headers.get(INVALID_SUBJECT_HEADER)).toBe(SUBJECT);
    expect(copy.msgID).toBe('READS:7');
    expect(copy.headers.get('Nats-Msg-Id')).toBe('READS:7');
    expect(invalidReadsOf(copy.headers)).toHaveLength(1000);
    expect(headerBytes(copy)).toBeLessThan(data.length / 10);
  });

  it('pairs each distinct reason with the positions it refused, in the order first met', () => {
    const data = pack([{ ...good, conf: undefined }, good, { ...good, plate: 'AB!1' }, { ...good, conf: undefined }]);
    const copy = copyOf(data);
    expect(copy.headers.values(INVALID_REASON_HEADER)).toEqual(['conf is missing', 'plate "AB!1" has a character outside A-Z0-9 at position 2']);
    expect(copy.headers.values(INVALID_INDEX_HEADER)).toEqual(['0,3', '2']);
    expect(invalidReadsOf(copy.headers)).toEqual([
      { index: 0, reason: 'conf is missing' },
      { index: 3, reason: 'conf is missing' },
      { index: 2, reason: 'plate "AB!1" has a character outside A-Z0-9 at position 2' },
    ]);
  });

  it('reads the same as a per-read copy for a single read: one reason, index -1', () => {
    const copy = copyOf(pack({ ...good, plate: 'NOT A PLATE!' }));
    expect(copy.headers.values(INVALID_REASON_HEADER)).toEqual(['plate "NOTAPLATE!" is longer than 8 characters']);
    expect(copy.headers.values(INVALID_INDEX_HEADER)).toEqual(['-1']);
    expect(copy.headers.has(INVALID_TRUNCATED_HEADER)).toBe(false);
  });

  it('keeps the Content-Type of a JSON message so its bytes can be decoded again', () => {
    const copy = copyOf(new TextEncoder().encode('{"v":1,'), 3, 'application/json');
    expect(copy.headers.get('Content-Type')).toBe('application/json');
  });

  it('keeps its headers within JetStream\'s 64 KiB, listing the reasons past that under one, with their positions', () => {
    // 1,000 reads, each refused for a reason of its own (its agency is quoted): about 130 KB of
    // reasons. JetStream refuses to store such headers, and the batch came back for ever.
    const reads = Array.from({ length: 1000 }, (_, i) => ({ ...good, id: `r-${i}`, agency: `a${String(i).padStart(3, '0')}${'x'.repeat(60)}` }));
    const copy = copyOf(pack(reads));
    expect(headerBytes(copy)).toBeLessThanOrEqual(JETSTREAM_MAX_HEADER_BYTES);
    expect(headerBytes(copy)).toBeGreaterThan(JETSTREAM_MAX_HEADER_BYTES - 8192);
    const reasons = copy.headers.values(INVALID_REASON_HEADER);
    expect(reasons.at(-1)).toBe(INVALID_REASONS_NOT_KEPT);
    expect(new Set(reasons.slice(0, -1)).size).toBe(reasons.length - 1);
    expect(reasons.length).toBeGreaterThan(300);
    const listed = invalidReadsOf(copy.headers);
    expect(listed.map((r) => r.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(listed.find((r) => r.index === 0)?.reason).toMatch(/^agency "a000x/);
    expect(listed.find((r) => r.index === 999)?.reason).toBe(INVALID_REASONS_NOT_KEPT);
    expect(copy.headers.has(INVALID_TRUNCATED_HEADER)).toBe(false);
  });

  it('counts its headers against max_payload and keeps the head of a message that does not fit with them', () => {
    // 1,000 reads of about 1 KB, each refused for a reason of its own: 64 KiB of headers and a body just under 1 MiB.
    const reads = Array.from({ length: 1000 }, (_, i) => ({ ...good, id: `r-${i}`, agency: `a${String(i).padStart(3, '0')}${'x'.repeat(60)}`, pad: 'p'.repeat(900) }));
    const data = pack(reads);
    expect(data.length).toBeLessThan(DEFAULT_MAX_MESSAGE_BYTES);
    const copy = copyOf(data);
    expect(headerBytes(copy)).toBeLessThanOrEqual(JETSTREAM_MAX_HEADER_BYTES);
    expect(headerBytes(copy) + copy.data.length).toBeLessThanOrEqual(DEFAULT_MAX_MESSAGE_BYTES);
    expect(headerBytes(copy) + copy.data.length).toBeGreaterThan(DEFAULT_MAX_MESSAGE_BYTES - 64);
    expect(copy.headers.get(INVALID_TRUNCATED_HEADER)).toBe(String(data.length));
    expect(Buffer.compare(copy.data, data.subarray(0, copy.data.length))).toBe(0);
  });

  it('caps a reason and escapes line breaks, whatever the caller passes', () => {
    const copy = invalidCopy({ subject: SUBJECT, seq: 1, data: Uint8Array.of(1) }, [{ index: -1, reason: `x\r\nPlatewatch-Reason: forged ${'z'.repeat(10_000)}` }], DEFAULT_MAX_MESSAGE_BYTES);
    const [reason] = copy.headers.values(INVALID_REASON_HEADER);
    expect(reason).toHaveLength(MAX_REASON_LENGTH);
    expect(reason?.startsWith('x\\r\\nPlatewatch-Reason: forged zzz')).toBe(true);
    expect(copy.headers.values(INVALID_REASON_HEADER)).toHaveLength(1);
  });

  // Read back on terminals and in the console, an escape sequence was obeyed or shown as a blank (QA).
  it('shows control and bidirectional characters in a reason as escapes, as the camera sent them', () => {
    const data = pack({ ...good, plate: 'AB\u001b[31m\u202e1', camera: 'cam-7' });
    const [reason] = copyOf(data).headers.values(INVALID_REASON_HEADER);
    expect(reason).toContain('\\x1b[31');
    expect(reason).toContain('\\u202e');
    expect(reason).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
  });
});
