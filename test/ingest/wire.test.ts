import { C1, pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeReadMessage, validateWireRead, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_WIRE_LIMITS } from '../../ingest/wire.js';
import { MAX_QUOTED_LENGTH, MAX_REASON_LENGTH } from '../../matcher/index.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const good = { v: 1, id: 'r-1', agency: 'wpd', camera: 'cam-7', ts: NOW - 1000, plate: '7abc 123', conf: 0.91 };

/**
 * A map as msgpack encoders outside JavaScript write it (Python's msgpack, Go's vmihailenco,
 * msgpack-c): every integer in the smallest encoding, so a millisecond ts is a uint64, and a
 * bigint is an integer too. msgpackr's pack writes integers past 2^32 as float64 instead.
 */
function packLikePython(map: Record<string, string | number | bigint | Uint8Array>): Uint8Array {
  const out: number[] = [];
  const bytes = (n: bigint, count: number): void => {
    for (let i = count - 1; i >= 0; i--) out.push(Number((n >> BigInt(8 * i)) & 0xffn));
  };
  const text = (t: string): void => {
    const utf8 = new TextEncoder().encode(t);
    if (utf8.length < 32) out.push(0xa0 | utf8.length);
    else out.push(0xd9, utf8.length);
    out.push(...utf8);
  };
  const entries = Object.entries(map);
  out.push(0x80 | entries.length);
  for (const [key, value] of entries) {
    text(key);
    if (typeof value === 'string') text(value);
    else if (value instanceof Uint8Array) out.push(0xc4, value.length, ...value);
    else if (typeof value === 'number' && !Number.isInteger(value)) {
      const float = new DataView(new ArrayBuffer(8));
      float.setFloat64(0, value);
      out.push(0xcb, ...new Uint8Array(float.buffer));
    } else {
      const n = BigInt(value);
      if (n >= 0n && n < 128n) out.push(Number(n));
      else if (n >= 0n && n < 2n ** 32n) (out.push(0xce), bytes(n, 4));
      else if (n >= 0n) (out.push(0xcf), bytes(n, 8));
      else (out.push(0xd3), bytes(BigInt.asUintN(64, n), 8));
    }
  }
  return Uint8Array.from(out);
}

describe('camera wire format', () => {
  it('decodes one msgpack read and normalises its plate', () => {
    const { reads, invalid } = decodeReadMessage(pack(good), undefined, 'wpd', NOW);
    expect(invalid).toEqual([]);
    expect(reads).toEqual([{ id: 'r-1', agency: 'wpd', camera: 'cam-7', ts: NOW - 1000, plate: '7ABC123', conf: 0.91, v: 1 }]);
  });

  it("takes a body's agency that differs from the subject's only in letter case, under the subject's spelling", () => {
    const { reads, invalid } = decodeReadMessage(pack({ ...good, agency: 'WPD' }), undefined, 'wpd', NOW);
    expect(invalid).toEqual([]);
    expect(reads[0]?.agency).toBe('wpd');
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
    expect(decodeReadMessage(Uint8Array.of(0xc1), undefined, 'wpd', NOW).invalid[0]?.reason).toBe('not msgpack: the message begins with the bytes c1, and 0xc1 is a byte msgpack never uses');
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
    expect(validateWireRead({ ...good, ts: 2n ** 70n }, 'wpd', NOW)).toBe('ts must be milliseconds since the epoch (a number), not integer 1180591620717411303424, which is not a safe integer (above 9007199254740991)');
    expect(validateWireRead({ ...good, conf: 2n ** 64n }, 'wpd', NOW)).toBe('conf must be a number from 0 to 1, not integer 18446744073709551616, which is not a safe integer (above 9007199254740991)');
  });

  describe('64-bit integers, as encoders outside JavaScript send them', () => {
    const python = { ...good, ts: NOW - 1000 };

    it('takes a uint64 read id past 2^53 exactly, as its decimal text, like any integer id', () => {
      for (const id of [9007199254740993n, 2n ** 64n - 1n, -(2n ** 63n)]) {
        const { reads, invalid } = decodeReadMessage(packLikePython({ ...python, id }), undefined, 'wpd', NOW);
        expect(invalid).toEqual([]);
        expect(reads[0]?.id).toBe(String(id));
      }
      expect(decodeReadMessage(packLikePython({ ...python, id: 4_000_000_000 }), undefined, 'wpd', NOW).reads[0]?.id).toBe('4000000000');
    });

    it('decodes a uint64 or int64 millisecond ts as a number, not a BigInt', () => {
      // Python packs it as uint64 (0xcf); Go's vmihailenco/msgpack as int64 (0xd3), as msgpackr packs a BigInt.
      for (const bytes of [packLikePython(python), pack({ ...good, ts: BigInt(NOW - 1000) })]) {
        const tsKey = Buffer.from(bytes).indexOf(Buffer.from([0xa2, 0x74, 0x73])); // fixstr "ts"
        expect(bytes[tsKey + 3]).toBeOneOf([0xcf, 0xd3]);
        const { reads, invalid } = decodeReadMessage(bytes, undefined, 'wpd', NOW);
        expect(invalid).toEqual([]);
        expect(reads[0]?.ts).toBe(NOW - 1000);
      }
    });

    it('refuses any other field past 2^53, saying it is not a safe integer', () => {
      const reason = (fields: Record<string, bigint>): string | undefined => decodeReadMessage(packLikePython({ ...python, ...fields }), undefined, 'wpd', NOW).invalid[0]?.reason;
      expect(reason({ ts: 2n ** 64n - 1n })).toBe('ts must be milliseconds since the epoch (a number), not integer 18446744073709551615, which is not a safe integer (above 9007199254740991)');
      expect(reason({ conf: 2n ** 60n })).toBe('conf must be a number from 0 to 1, not integer 1152921504606846976, which is not a safe integer (above 9007199254740991)');
      expect(reason({ v: -(2n ** 62n) })).toBe('schema version -4611686018427387904 is not supported (this receiver speaks 1)');
    });

    it('refuses a JSON integer id past 2^53, which JSON.parse has rounded, asking for a string', () => {
      const json = `{"v":1,"id":9007199254740993,"agency":"wpd","camera":"cam-7","ts":${NOW - 1000},"plate":"7ABC123","conf":0.9}`;
      expect(decodeReadMessage(new TextEncoder().encode(json), 'application/json', 'wpd', NOW).invalid).toEqual([
        { index: -1, reason: 'id 9007199254740992 may not be the integer sent: integers above 9007199254740991 lose precision: send the id as a string' },
      ]);
      expect(decodeReadMessage(new TextEncoder().encode(json.replace('9007199254740993', '"9007199254740993"')), 'application/json', 'wpd', NOW).reads[0]?.id).toBe('9007199254740993');
    });
  });

  describe('reasons for what firmware outside JavaScript sends', () => {
    it('says a plate sent as msgpack bin (Python bytes) is binary data, and to send text', () => {
      expect(decodeReadMessage(packLikePython({ ...good, plate: new TextEncoder().encode('7ABC123') }), undefined, 'wpd', NOW).invalid[0]?.reason).toBe(
        'plate must be a string, not binary data (msgpack bin, 7 bytes): send text (msgpack str)',
      );
      expect(decodeReadMessage(pack({ ...good, camera: Buffer.from('cam-7') }), undefined, 'wpd', NOW).invalid[0]?.reason).toBe(
        'camera must be a non-empty string, not binary data (msgpack bin, 5 bytes): send text (msgpack str)',
      );
    });

    it('says a ts sent as a msgpack timestamp is one, and to send milliseconds as an integer', () => {
      expect(decodeReadMessage(pack({ ...good, ts: new Date(NOW) }), undefined, 'wpd', NOW).invalid[0]?.reason).toBe(
        'ts must be milliseconds since the epoch (a number), not a msgpack timestamp (2026-11-23T12:00:00.000Z): send the milliseconds since the epoch as an integer',
      );
    });

    it('says bytes beginning with 0xc1 are not msgpack, showing them, rather than that more bytes follow a first value', () => {
      expect(decodeReadMessage(Uint8Array.of(0xc1, 0xff, 0x00, 0x13), undefined, 'wpd', NOW).invalid).toEqual([
        { index: -1, reason: 'not msgpack: the message begins with the bytes c1 ff 00 13, and 0xc1 is a byte msgpack never uses' },
      ]);
      expect(decodeReadMessage(Uint8Array.of(0xff, 0x00, 0x13), undefined, 'wpd', NOW).invalid[0]?.reason).toBe(
        'not valid msgpack: the message begins with the bytes ff 00 13, which are not a msgpack map or array (send one map, or one array of maps, per message)',
      );
      expect(decodeReadMessage(Uint8Array.of(0xc1, ...new Uint8Array(20)), undefined, 'wpd', NOW).invalid[0]?.reason).toBe(
        'not msgpack: the message begins with the bytes c1 00 00 00 00 00 00 00 … (21 bytes), and 0xc1 is a byte msgpack never uses',
      );
      expect(validateWireRead({ ...good, plate: C1 }, 'wpd', NOW)).toBe('plate must be a string, not the byte 0xc1, which msgpack never uses');
    });

    it('asks whether a ts that reads as a time since 2001 in seconds was sent in seconds', () => {
      for (const ts of [1796588113, 1796588113.25]) {
        expect(validateWireRead({ ...good, ts }, 'wpd', NOW)).toBe(`ts ${ts} (${new Date(ts).toISOString()}) is out of range: before 2000-01-01 (seconds instead of milliseconds?)`);
      }
      expect(validateWireRead({ ...good, ts: 999_999_999 }, 'wpd', NOW)).toMatch(/before 2000-01-01 \(camera clock\?\)$/);
    });

    it('names a near-miss key when a required field is missing', () => {
      expect(validateWireRead({ ...good, conf: undefined, confidence: 0.9 }, 'wpd', NOW)).toBe('conf is missing (the read has "confidence": send it as "conf")');
      expect(validateWireRead({ ...good, id: undefined, ID: 'r-1' }, 'wpd', NOW)).toBe('id is missing (the read has "ID": send it as "id")');
      expect(validateWireRead({ ...good, id: undefined, Id: 7 }, 'wpd', NOW)).toBe('id is missing (the read has "Id": send it as "id")');
      expect(validateWireRead({ ...good, ts: undefined, timestamp: NOW }, 'wpd', NOW)).toBe('ts (milliseconds since the epoch) is missing or not a number (the read has "timestamp": send it as "ts")');
      expect(validateWireRead({ ...good, camera: undefined, Camera: 'cam-7' }, 'wpd', NOW)).toBe('camera is missing (the read has "Camera": send it as "camera")');
      expect(validateWireRead({ ...good, conf: undefined }, 'wpd', NOW)).toBe('conf is missing');
    });
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

  it('decodes timestamps msgpackr packs (float64) as numbers', () => {
    const { reads } = decodeReadMessage(pack({ ...good, ts: NOW }), undefined, 'wpd', NOW);
    expect(reads[0]?.ts).toBe(NOW);
  });
});
