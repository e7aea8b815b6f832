import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeReadMessage, validateWireRead, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_WIRE_LIMITS } from '../../ingest/wire.js';
import { MAX_QUOTED_LENGTH, MAX_REASON_LENGTH } from '../../matcher/index.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const good = { v: 1, id: 'r-1', agency: 'wpd', camera: 'cam-7', ts: NOW - 1000, plate: '7abc 123', conf: 0.91 };

describe('camera wire format', () => {
  it('decodes one msgpack read and normalises its plate', () => {
    const { reads, invalid } = decodeReadMessage(pack(good), undefined, 'wpd', NOW);
    expect(invalid).toEqual([]);
    expect(reads).toEqual([{ id: 'r-1', agency: 'wpd', camera: 'cam-7', ts: NOW - 1000, plate: '7ABC123', conf: 0.91, v: 1 }]);
  });

  it('decodes JSON when the Content-Type header says so', () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ ...good, lat: 36.9, lon: -121.76, heading: 90, image: 's3://img/1.jpg' }));
    const { reads } = decodeReadMessage(bytes, 'application/json', 'wpd', NOW);
    expect(reads[0]).toMatchObject({ lat: 36.9, lon: -121.76, heading: 90, image: 's3://img/1.jpg' });
  });

  it('takes a gateway batch and refuses only its bad reads, by position', () => {
    const batch = [good, { ...good, id: 'r-2', plate: 'AB!' }, { ...good, id: 'r-3', conf: 2 }, { ...good, id: 'r-4' }];
    const { reads, invalid } = decodeReadMessage(pack(batch), undefined, 'wpd', NOW);
    expect(reads.map((r) => r.id)).toEqual(['r-1', 'r-4']);
    expect(invalid.map((i) => i.index)).toEqual([1, 2]);
    expect(invalid[0]?.reason).toMatch(/character outside A-Z0-9/);
    expect(invalid[1]?.reason).toMatch(/conf/);
  });

  it('refuses undecodable bytes, empty and oversized messages whole, with a reason', () => {
    expect(decodeReadMessage(pack(good).subarray(0, 9), undefined, 'wpd', NOW).invalid[0]?.reason).toMatch(/not valid msgpack/);
    expect(decodeReadMessage(Uint8Array.of(0xc1), undefined, 'wpd', NOW).invalid[0]?.reason).toMatch(/must be a map of fields, not an extension value/);
    expect(decodeReadMessage(pack(42), undefined, 'wpd', NOW).invalid[0]?.reason).toMatch(/not a number/);
    expect(decodeReadMessage(new TextEncoder().encode('{"v":1,'), 'application/json', 'wpd', NOW).invalid[0]?.reason).toMatch(/not valid JSON/);
    expect(decodeReadMessage(new Uint8Array(0), undefined, 'wpd', NOW).invalid[0]?.reason).toMatch(/empty/);
    const big = decodeReadMessage(new Uint8Array(DEFAULT_MAX_MESSAGE_BYTES + 1), undefined, 'wpd', NOW);
    expect(big).toEqual({ reads: [], invalid: [{ index: -1, reason: expect.stringMatching(/bytes; at most/) }] });
    expect(decodeReadMessage(pack([]), undefined, 'wpd', NOW).invalid[0]?.reason).toMatch(/empty batch/);
    expect(decodeReadMessage(pack(Array(1001).fill(good)), undefined, 'wpd', NOW).invalid[0]?.reason).toMatch(/at most 1000/);
  });

  it.each([
    [{ ...good, v: undefined }, /schema version\) is missing/],
    [{ ...good, v: 2 }, /schema version 2 is not supported/],
    [{ ...good, agency: undefined }, /agency is missing/],
    [{ ...good, agency: 'other' }, /does not match the subject's agency/],
    [{ ...good, camera: undefined }, /camera is missing/],
    [{ ...good, camera: 'cam.7' }, /camera "cam.7"/],
    [{ ...good, ts: undefined }, /ts .* missing/],
    [{ ...good, ts: '2026-11-23T12:00:00Z' }, /^ts must be milliseconds since the epoch \(a number\), not string "2026-11-23T12:00:00Z"$/],
    [{ ...good, ts: Number.NaN }, /^ts must be milliseconds since the epoch \(a number\), not number NaN$/],
    [{ ...good, ts: -1 }, /^ts must be milliseconds since the epoch \(a number\), not number -1$/],
    [{ ...good, conf: Number.POSITIVE_INFINITY }, /^conf must be a number from 0 to 1, not number Infinity$/],
    [{ ...good, ts: NOW + 2 * 24 * 3600 * 1000 }, new RegExp(`^ts ${NOW + 2 * 24 * 3600 * 1000} \\(${new Date(NOW + 2 * 24 * 3600 * 1000).toISOString().replace('.000Z', 'Z').replace(/[.]/g, '\\.')}\\) is out of range: more than 24 h ahead of this receiver's clock \\(camera clock\\?\\)$`)],
    [{ ...good, ts: 5 }, /^ts 5 \(1970-01-01T00:00:00\.005Z\) is out of range: before 2000-01-01 \(camera clock\?\)$/],
    [{ ...good, ts: 1e300 }, /^ts 1e\+300 is out of range: more than 24 h ahead/],
    [{ ...good, conf: undefined }, /conf is missing/],
    [{ ...good, lat: 91, lon: 0 }, /lat must be/],
    [{ ...good, lat: 10 }, /lat and lon come together/],
    [{ ...good, heading: 361 }, /heading/],
    [{ ...good, image: 42 }, /image/],
    [{ ...good, id: '' }, /id must not be empty/],
    [{ ...good, plate: 'A' }, /shorter than 2/],
    ['a string', /must be a map of fields, not a string/],
  ])('refuses %j', (value, reason) => {
    const result = validateWireRead(value, 'wpd', NOW);
    expect(typeof result === 'string' ? result : 'accepted').toMatch(reason);
  });

  it('names a 64-bit integer past 2^53 (a BigInt) in its reason instead of throwing (found by the wire fuzz test)', () => {
    expect(validateWireRead({ ...good, ts: 2n ** 70n }, 'wpd', NOW)).toBe('ts must be milliseconds since the epoch (a number), not bigint 1180591620717411303424');
    expect(validateWireRead({ ...good, conf: 2n ** 64n }, 'wpd', NOW)).toBe('conf must be a number from 0 to 1, not bigint 18446744073709551616');
  });

  it('says what bytes after the first msgpack value mean, quoting none of them: JSON without its Content-Type, or two values', () => {
    const json = new TextEncoder().encode(JSON.stringify(good));
    expect(decodeReadMessage(json, undefined, 'wpd', NOW).invalid).toEqual([{ index: -1, reason: 'not valid msgpack: it looks like JSON, which needs the header Content-Type: application/json' }]);
    const two = Buffer.concat([pack({ ...good, synopsis: 'x'.repeat(200) }), pack(good)]);
    expect(decodeReadMessage(two, undefined, 'wpd', NOW).invalid).toEqual([{ index: -1, reason: 'not valid msgpack: more bytes follow the first value (send one map, or one array of maps, per message)' }]);
  });

  it('keeps every reason within MAX_REASON_LENGTH, quoting only the head of what the camera sent', () => {
    const plate = decodeReadMessage(pack({ ...good, plate: 'A'.repeat(600_000) }), undefined, 'wpd', NOW).invalid[0]?.reason ?? '';
    expect(plate).toBe(`plate "${'A'.repeat(MAX_QUOTED_LENGTH)}…" (600000 characters) is longer than 8 characters`);
    const agency = decodeReadMessage(pack({ ...good, agency: 'B'.repeat(128) }), undefined, 'wpd', NOW).invalid[0]?.reason ?? '';
    expect(agency).toBe(`agency "${'B'.repeat(MAX_QUOTED_LENGTH)}…" (128 characters) does not match the subject's agency "wpd"`);
    const batch = decodeReadMessage(pack([good, { ...good, camera: 'c'.repeat(128) }, { ...good, vehicle: { model: 'M'.repeat(900_000) } }]), undefined, 'wpd', NOW);
    expect(batch.invalid.map((i) => i.index)).toEqual([1, 2]);
    expect(batch.invalid[1]?.reason).toBe('vehicle.model is 900000 characters; at most 64 are allowed');
    for (const { reason } of batch.invalid) expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
  });

  describe('a ts older than storage keeps reads', () => {
    const DAY = 24 * 3600 * 1000;

    it('refuses a read older than the 365 days kept by default, saying how old it is and that the camera clock is likely wrong, and accepts a backlog of days', () => {
      expect(validateWireRead({ ...good, ts: Date.UTC(2000, 0, 2) }, 'wpd', NOW)).toBe('ts 2000-01-02T00:00:00Z is 9,822 days old, older than the 365 days kept: camera clock?');
      expect(validateWireRead({ ...good, ts: NOW - 400 * DAY }, 'wpd', NOW)).toBe('ts 2025-10-19T12:00:00Z is 400 days old, older than the 365 days kept: camera clock?');
      expect(decodeReadMessage(pack({ ...good, ts: NOW - 400 * DAY + 5 }), undefined, 'wpd', NOW).invalid).toEqual([
        { index: -1, reason: 'ts 2025-10-19T12:00:00.005Z is 399 days old, older than the 365 days kept: camera clock?' },
      ]);
      // A camera that was offline uploads what it saw meanwhile.
      const backlog = decodeReadMessage(pack([{ ...good, ts: NOW - 3 * DAY }, { ...good, id: 'r-2', ts: NOW - 30 * DAY }]), undefined, 'wpd', NOW);
      expect(backlog.invalid).toEqual([]);
      expect(backlog.reads.map((r) => r.ts)).toEqual([NOW - 3 * DAY, NOW - 30 * DAY]);
    });

    it('refuses a read within a day of the retention, which storage would purge about as soon as it is stored', () => {
      expect(validateWireRead({ ...good, ts: NOW - 364.5 * DAY }, 'wpd', NOW)).toBe('ts 2025-11-24T00:00:00Z is 364 days old, about to pass the 365 days kept: camera clock?');
      expect(typeof validateWireRead({ ...good, ts: NOW - 364 * DAY + 1 }, 'wpd', NOW)).toBe('object');
    });

    it('follows the retention it is given: 730 days kept accept a 400-day-old read and refuse an 800-day-old one', () => {
      const limits = { ...DEFAULT_WIRE_LIMITS, retentionSeconds: 730 * 86_400 };
      expect(decodeReadMessage(pack({ ...good, ts: NOW - 400 * DAY }), undefined, 'wpd', NOW, limits).reads).toHaveLength(1);
      expect(decodeReadMessage(pack({ ...good, ts: NOW - 800 * DAY }), undefined, 'wpd', NOW, limits).invalid).toEqual([
        { index: -1, reason: 'ts 2024-09-14T12:00:00Z is 800 days old, older than the 730 days kept: camera clock?' },
      ]);
    });
  });

  it('decodes 64-bit integer timestamps as numbers', () => {
    const { reads } = decodeReadMessage(pack({ ...good, ts: NOW }), undefined, 'wpd', NOW);
    expect(reads[0]?.ts).toBe(NOW);
  });
});
