import { describe, expect, it } from 'vitest';
import { decodeHitMessage, encodeHitMessage, hitId, HIT_MESSAGE_VERSION, type HitMessage } from '../../ingest/index.js';

const read = (id: string) => ({ id, agency: 'wpd', camera: 'c1', ts: 1_795_000_000_000 });

describe('hit messages', () => {
  it('derive a stable id from the read and the entry, not from the list version', () => {
    expect(hitId(read('r-1'), 'SVS', '7ABC123')).toBe(hitId(read('r-1'), 'SVS', '7ABC123'));
    expect(hitId(read('r-1'), 'SVS', '7ABC123')).toMatch(/^[0-9a-f]{32}$/);
    expect(hitId(read('r-1'), 'SVS', '7ABC123')).not.toBe(hitId(read('r-2'), 'SVS', '7ABC123'));
    expect(hitId(read('r-1'), 'SVS', '7ABC123')).not.toBe(hitId(read('r-1'), 'SFR', '7ABC123'));
    // Field boundaries matter: ("r-1S", "VS") is not ("r-1", "SVS").
    expect(hitId(read('r-1S'), 'VS', '7ABC123')).not.toBe(hitId(read('r-1'), 'SVS', '7ABC123'));
  });

  it('round-trip through msgpack', () => {
    const message: HitMessage = {
      v: HIT_MESSAGE_VERSION,
      hitId: 'abc',
      publishedAt: 1_795_000_000_000,
      historical: false,
      read: { v: 1, id: 'r-1', agency: 'wpd', camera: 'c1', ts: 1_795_000_000_000, plate: '7ABC123', conf: 0.9, lat: 36.9, lon: -121.7 },
      hit: {
        list: 'SVS', listVersion: 3, entry: '7ABC123', kind: 'exact', distance: 0, ocrSubstitutions: 0, positions: [], candidate: 0, plate: '7ABC123',
        stateMatch: null, vehicleMismatch: [], reason: 'Stolen', caseNumber: 'V1', enteredBy: 'NCIC', synopsis: '',
      },
    };
    expect(decodeHitMessage(encodeHitMessage(message))).toEqual(message);
  });
});
