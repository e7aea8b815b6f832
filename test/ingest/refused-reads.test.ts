// Reading refused reads back from INVALID_READS on a real nats-server: the copies the pipeline
// writes (ingest/invalid-copy.ts), newest first, for an agency or a camera, paged, the scan bounded.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { pack } from 'msgpackr';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STREAMS_CONFIG, ensureStreams, readRefusedReads } from '../../ingest/index.js';
import { useLocalNats } from '../fixtures/nats.js';
import { goodRead as good, publishRefusedCopy } from '../fixtures/refused-copies.js';

const nats = useLocalNats('refused-reads');
let jsm: JetStreamManager;
const NOW = Date.now();
const refuse = (agency: string, camera: string, reads: unknown, maxPayloadBytes?: number) => publishRefusedCopy(nats.nc, agency, camera, reads, maxPayloadBytes);

beforeAll(async () => {
  jsm = await jetstreamManager(nats.nc);
  await ensureStreams(jsm, { ...DEFAULT_STREAMS_CONFIG, readsMaxBytes: 2 ** 20 });
});

describe('readRefusedReads', () => {
  it('answers an empty stream with no messages and nothing older', async () => {
    expect(await readRefusedReads(jsm, {})).toEqual({ messages: [], olderThan: null, scanned: 0, oldestKept: null });
  });

  it('gives each refused message newest first, with its subject, reasons and the positions they refused', async () => {
    await refuse('wpd', 'cam-1', { ...good(1), conf: undefined });
    await refuse('wpd', 'gw-1', [{ ...good(2), conf: undefined }, good(3), { ...good(4), plate: 'AB!1' }, { ...good(5), conf: undefined }]);
    const page = await readRefusedReads(jsm, {});
    expect(page.messages.map((m) => m.subject)).toEqual(['alpr.reads.wpd.gw-1', 'alpr.reads.wpd.cam-1']);
    expect(page.messages[0]).toMatchObject({
      agency: 'wpd', camera: 'gw-1', truncated: false,
      refusals: [{ reason: 'conf is missing', positions: [0, 3] }, { reason: 'plate "AB!1" has a character outside A-Z0-9 at position 2', positions: [2] }],
    });
    expect(page.messages[1]).toMatchObject({ agency: 'wpd', camera: 'cam-1', refusals: [{ reason: 'conf is missing', positions: [-1] }] });
    expect(page.messages[0]!.seq).toBeGreaterThan(page.messages[1]!.seq);
    expect(Date.parse(page.messages[0]!.refusedAt)).toBeGreaterThanOrEqual(NOW - 60_000);
    expect(page).toMatchObject({ olderThan: null, scanned: 2, oldestKept: { seq: page.messages[1]!.seq } });
  });

  it('keeps to an agency and a camera, in any letter case, and pages on with olderThan', async () => {
    for (let i = 0; i < 5; i++) {
      await refuse('scso', 'cam-9', { ...good(10 + i, 'scso'), plate: '' });
      await refuse('wpd', 'cam-2', { ...good(20 + i), v: 2 });
    }
    const first = await readRefusedReads(jsm, { agency: 'SCSO', camera: 'CAM-9', limit: 3 });
    expect(first.messages).toHaveLength(3);
    expect(first.messages.every((m) => m.agency === 'scso' && m.camera === 'cam-9')).toBe(true);
    expect(first.olderThan).toBe(first.messages[2]!.seq);
    const second = await readRefusedReads(jsm, { agency: 'scso', camera: 'cam-9', limit: 3, before: first.olderThan! });
    expect(second.messages).toHaveLength(2);
    expect(second.messages[0]!.seq).toBeLessThan(first.messages[2]!.seq);
    // Nothing of scso's is older, but the stream is: the walk went through it to the end.
    expect(second.olderThan).toBeNull();
    // A camera name alone finds it under any agency.
    expect((await readRefusedReads(jsm, { camera: 'cam-2' })).messages.map((m) => m.refusals[0]!.reason)).toEqual(
      Array(5).fill('schema version 2 is not supported (this receiver speaks 1)'),
    );
  });

  it('looks through at most scanAtMost copies and says where to go on from', async () => {
    const page = await readRefusedReads(jsm, { agency: 'wpd', camera: 'cam-1', scanAtMost: 4 });
    expect(page).toMatchObject({ messages: [], scanned: 4 });
    expect(page.olderThan).not.toBeNull();
    const rest = await readRefusedReads(jsm, { agency: 'wpd', camera: 'cam-1', before: page.olderThan! });
    expect(rest.messages.map((m) => m.camera)).toEqual(['cam-1']);
    expect(rest.olderThan).toBeNull();
  });

  it('passes over a copy deleted from the middle of the stream', async () => {
    const before = await readRefusedReads(jsm, { camera: 'cam-2', limit: 2 });
    await jsm.streams.deleteMessage('INVALID_READS', before.messages[0]!.seq);
    const after = await readRefusedReads(jsm, { camera: 'cam-2', limit: 2 });
    expect(after.messages[0]!.seq).toBe(before.messages[1]!.seq);
    expect(after.messages).toHaveLength(2);
  });

  it("says when a copy keeps only the head of the message, and gives the message's own length", async () => {
    const reads = Array.from({ length: 50 }, (_, i) => ({ ...good(100 + i), conf: undefined, plate: `QA${i}X` }));
    await refuse('wpd', 'gw-big', reads, 600);
    const [copy] = (await readRefusedReads(jsm, { camera: 'gw-big' })).messages;
    expect(copy).toMatchObject({ truncated: true, bytes: pack(reads).length });
  });
});
