// ensureStreams against a disk with less free than a stream's limit. nats-server reserves a file
// stream's max_bytes on its disk; a test cannot shrink the disk, so it asks for a limit larger than
// the store's disk has free, as a smaller disk would make the limit of an existing stream.
import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAMS_CONFIG, ensureStreams, READS_STREAM, readsSubject } from '../../ingest/index.js';
import { useLocalNats } from '../fixtures/nats.js';

const nats = useLocalNats('streams');

describe('ensureStreams', () => {
  it('keeps an existing stream and its messages when its new limit is more than the disk has free, and says so; refuses to create one that large', async () => {
    const jsm = await jetstreamManager(nats.nc);
    expect((await ensureStreams(jsm, { ...DEFAULT_STREAMS_CONFIG, readsMaxBytes: 2 ** 20 })).kept).toEqual([]);
    await jetstream(nats.nc).publish(readsSubject('wpd', 'cam1'), 'a read');
    const { bavail, bsize } = statfsSync(join(nats.dir, 'nats'));
    const beyondDisk = 4 * bavail * bsize;

    const report = await ensureStreams(jsm, { ...DEFAULT_STREAMS_CONFIG, readsMaxBytes: beyondDisk });
    expect(report.kept).toEqual([{ stream: READS_STREAM, maxBytes: 2 ** 20, wantedMaxBytes: beyondDisk, error: expect.stringMatching(/insufficient storage/) }]);
    const info = await jsm.streams.info(READS_STREAM);
    expect(info.config.max_bytes).toBe(2 ** 20);
    expect(info.state.messages).toBe(1);

    // A first start (no READS on this server) cannot make it: that is refused, in those words.
    await jsm.streams.delete(READS_STREAM);
    await expect(ensureStreams(jsm, { ...DEFAULT_STREAMS_CONFIG, readsMaxBytes: beyondDisk })).rejects.toThrow(
      /^cannot create the READS stream: JetStream reserves its limit of [\d.]+ GiB on the disk of the NATS store .* \(This server does not have the stream\./,
    );
  });
});
