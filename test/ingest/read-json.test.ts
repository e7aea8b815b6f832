import { describe, expect, it } from 'vitest';
import { MAX_VEHICLE_TEXT_LENGTH, parseReadJson, validateRead } from '../../ingest/index.js';

function reasonOf(value: unknown): string {
  const result = validateRead(value);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.read)}`);
  return result.reason;
}

describe('validateRead', () => {
  it('accepts a full read and normalises the plate and state', () => {
    const result = validateRead({
      id: 'wpd-0001',
      plate: '7abc-123',
      state: 'ca',
      camera: 'fixed-freedom-main-nb',
      agency: 'WPD',
      ts: 1770732139000,
      conf: 0.93,
      candidates: [{ plate: '7 ABC 128', conf: 0.2 }, { plate: '7ABG123' }],
      vehicle: { make: 'Toyota', model: 'Camry', year: 2019, color: 'silver', type: 'sedan' },
    });
    expect(result).toEqual({
      ok: true,
      read: {
        id: 'wpd-0001',
        plate: '7ABC123',
        state: 'CA',
        camera: 'fixed-freedom-main-nb',
        agency: 'WPD',
        ts: 1770732139000,
        conf: 0.93,
        candidates: [{ plate: '7ABC128', conf: 0.2 }, { plate: '7ABG123' }],
        vehicle: { make: 'Toyota', model: 'Camry', year: 2019, color: 'silver', type: 'sedan' },
      },
    });
  });

  it('accepts a read with only an id and a plate', () => {
    expect(validateRead({ id: 'r1', plate: 'ABC1234' })).toEqual({ ok: true, read: { id: 'r1', plate: 'ABC1234' } });
  });

  it('turns an integer id into a string', () => {
    const result = validateRead({ id: 30, plate: 'ABC1234' });
    expect(result.ok && result.read.id).toBe('30');
  });

  it('parses an ISO 8601 timestamp into milliseconds since the epoch', () => {
    const result = validateRead({ id: 'r1', plate: 'ABC1234', ts: '2026-02-10T14:02:11.120Z' });
    expect(result.ok && result.read.ts).toBe(Date.parse('2026-02-10T14:02:11.120Z'));
  });

  it('ignores unknown fields and treats null optional fields as absent', () => {
    const result = validateRead({ id: 'r1', plate: 'ABC1234', lane: 2, image_url: 'x', state: null, conf: null, vehicle: null });
    expect(result).toEqual({ ok: true, read: { id: 'r1', plate: 'ABC1234' } });
  });

  it('refuses anything but a JSON object', () => {
    expect(reasonOf([1, 2])).toBe('a read must be a JSON object, not an array');
    expect(reasonOf('ABC1234')).toContain('must be a JSON object');
    expect(reasonOf(null)).toContain('must be a JSON object');
  });

  it('takes a 64-bit integer id past 2^53 (a BigInt, from msgpack) exactly, as its decimal text', () => {
    const result = validateRead({ id: 9007199254740993n, plate: 'ABC1234' });
    expect(result.ok && result.read.id).toBe('9007199254740993');
  });

  it('refuses an integer id past 2^53 that arrived as a number, which is rounded, asking for a string', () => {
    const parsed = parseReadJson('{"id":9007199254740993,"plate":"ABC1234"}');
    expect(!parsed.ok && parsed.reason).toBe('id 9007199254740992 may not be the integer sent: integers above 9007199254740991 lose precision: send the id as a string');
    expect(reasonOf({ id: -(2 ** 60), plate: 'ABC1234' })).toBe('id -1152921504606847000 may not be the integer sent: integers below -9007199254740991 lose precision: send the id as a string');
  });

  it('names the key a missing id or plate was sent under', () => {
    expect(reasonOf({ ID: 'r1', plate: 'ABC1234' })).toBe('id is missing (the read has "ID": send it as "id")');
    expect(reasonOf({ id: 'r1', Plate: 'ABC1234' })).toBe('plate must be a string, not missing (the read has "Plate": send it as "plate")');
  });

  it('says binary data (msgpack bin) is not text, and what to send instead', () => {
    expect(reasonOf({ id: 'r1', plate: new TextEncoder().encode('ABC1234') })).toBe('plate must be a string, not binary data (msgpack bin, 7 bytes): send text (msgpack str)');
    expect(reasonOf({ id: new Uint8Array(16), plate: 'ABC1234' })).toBe('id must be a non-empty string or an integer, not binary data (msgpack bin, 16 bytes): send text (msgpack str)');
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', vehicle: { make: Uint8Array.of(0x46) } })).toBe('vehicle.make must be a string, not binary data (msgpack bin, 1 bytes): send text (msgpack str)');
  });

  it('refuses a missing, empty or fractional id', () => {
    expect(reasonOf({ plate: 'ABC1234' })).toBe('id is missing');
    expect(reasonOf({ id: '  ', plate: 'ABC1234' })).toBe('id must not be empty');
    expect(reasonOf({ id: 1.5, plate: 'ABC1234' })).toContain('id must be a non-empty string or an integer');
  });

  it('refuses a plate that does not normalise, with the plate rule broken', () => {
    expect(reasonOf({ id: 'r1', plate: 'AB$123' })).toContain('outside A-Z0-9');
    expect(reasonOf({ id: 'r1', plate: 'ABCDEFGHJ' })).toContain('longer than 8');
    expect(reasonOf({ id: 'r1', plate: 12345 })).toBe('plate must be a string, not number 12345');
    expect(reasonOf({ id: 'r1' })).toBe('plate must be a string, not missing');
  });

  it('drops an alternative reading that is no plate, and matches the read and its other candidates', () => {
    const result = validateRead({ id: 'r1', plate: 'ABC1234', candidates: [{ plate: 'AB#1234' }, { plate: 'ABC1284', conf: 0.3 }, { plate: '7' }] });
    expect(result).toEqual({ ok: true, read: { id: 'r1', plate: 'ABC1234', candidates: [{ plate: 'ABC1284', conf: 0.3 }] } });
  });

  it('takes an empty state as no state, as null is, rather than refusing the read', () => {
    for (const state of ['', '  ']) expect(validateRead({ id: 'r1', plate: 'ABC1234', state })).toEqual({ ok: true, read: { id: 'r1', plate: 'ABC1234' } });
  });

  it('refuses a state that is not two letters', () => {
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', state: 'California' })).toContain('state must be a two-letter code');
  });

  it('refuses a timestamp that is neither epoch milliseconds nor ISO 8601', () => {
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', ts: 'yesterday' })).toContain('ts must be');
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', ts: -5 })).toContain('ts must be');
  });

  it('refuses a confidence outside 0 to 1', () => {
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', conf: 1.7 })).toBe('conf must be a number from 0 to 1, not number 1.7');
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', conf: '0.9' })).toContain('conf must be a number');
  });

  it('refuses the whole read when the candidates are malformed (not a list, not objects, a bad confidence), naming the index', () => {
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', candidates: ['ABC1284'] })).toContain('candidates[0] must be an object');
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', candidates: [{ plate: 'ABC1284', conf: 2 }] })).toContain('candidates[0].conf');
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', candidates: 'ABC1284' })).toContain('candidates must be an array');
  });

  it('refuses a vehicle with a year that is not a plausible model year', () => {
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', vehicle: { year: '2019' } })).toContain('vehicle.year');
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', vehicle: { make: 7 } })).toContain('vehicle.make must be a string');
  });

  it('refuses a vehicle string longer than 64 characters, naming the field and the limit', () => {
    for (const name of ['make', 'model', 'color', 'type']) {
      expect(reasonOf({ id: 'r1', plate: 'ABC1234', vehicle: { [name]: 'X'.repeat(900_000) } })).toBe(`vehicle.${name} is 900000 characters; at most ${MAX_VEHICLE_TEXT_LENGTH} are allowed`);
    }
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', vehicle: { make: 'X'.repeat(MAX_VEHICLE_TEXT_LENGTH + 1) } })).toContain('vehicle.make is 65 characters');
    expect(validateRead({ id: 'r1', plate: 'ABC1234', vehicle: { make: ` ${'X'.repeat(MAX_VEHICLE_TEXT_LENGTH)} ` } })).toMatchObject({ ok: true, read: { vehicle: { make: 'X'.repeat(MAX_VEHICLE_TEXT_LENGTH) } } });
  });

  it('takes vehicle.style, the name hot lists give the body style, as vehicle.type', () => {
    expect(validateRead({ id: 'r1', plate: 'ABC1234', vehicle: { make: 'Ford', style: ' pickup ' } })).toEqual({ ok: true, read: { id: 'r1', plate: 'ABC1234', vehicle: { make: 'Ford', type: 'pickup' } } });
    expect(validateRead({ id: 'r1', plate: 'ABC1234', vehicle: { type: 'SUV', style: 'suv' } })).toEqual({ ok: true, read: { id: 'r1', plate: 'ABC1234', vehicle: { type: 'SUV' } } });
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', vehicle: { type: 'sedan', style: 'pickup' } })).toBe('vehicle.type "sedan" and vehicle.style "pickup" differ: style is another name for type, send one');
    expect(reasonOf({ id: 'r1', plate: 'ABC1234', vehicle: { style: 'X'.repeat(65) } })).toBe('vehicle.style is 65 characters; at most 64 are allowed');
  });

  it('drops a vehicle with no attributes', () => {
    expect(validateRead({ id: 'r1', plate: 'ABC1234', vehicle: { make: '', wheels: 4 } })).toEqual({ ok: true, read: { id: 'r1', plate: 'ABC1234' } });
  });
});

describe('parseReadJson', () => {
  it('parses and validates one line of JSON', () => {
    expect(parseReadJson('{"id":"r1","plate":"abc 1234"}')).toEqual({ ok: true, read: { id: 'r1', plate: 'ABC1234' } });
  });

  it('reports text that is not JSON as a value, not an exception', () => {
    const result = parseReadJson('not json: camera debug line');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^not valid JSON: /);
  });
});
