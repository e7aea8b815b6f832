// EntryTable keeps a list's entries as typed arrays only, so a list index built in a worker crosses
// to the main thread by transfer. These tests send indexes through the same structured clone and
// revive that ListBuilder uses and ask for every entry back exactly as it went in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  listIndexBuffers,
  Matcher,
  resolveMatcherConfig,
  reviveListIndex,
  type HotlistEntry,
  type ListIndex,
  type VehicleDescription,
} from '../../matcher/index.js';
import { entry } from './matcher-cases.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const config = resolveMatcherConfig();

/** What ListBuilder does between the worker's postMessage and the main thread's ListIndex. */
function transferred(index: ListIndex): ListIndex {
  return reviveListIndex(structuredClone(index, { transfer: listIndexBuffers(index) }));
}

/** Entries in an order that depends only on their content: the index keeps them in trie order. */
function byKey(entries: readonly HotlistEntry[]): HotlistEntry[] {
  const key = (e: HotlistEntry): string => {
    const v = e.vehicle;
    return JSON.stringify([e.isPattern, e.plate, e.state, e.listed, e.reason, e.caseNumber, e.enteredBy, e.synopsis, e.expiresAt, v === undefined, v?.make, v?.model, v?.color, v?.style, v?.year]);
  };
  return [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function tables(index: ListIndex): object[] {
  return [index.plates?.table, index.patterns?.table].filter((t): t is NonNullable<typeof t> => t !== undefined);
}

const bolo: HotlistEntry[] = [
  entry('7ABC-123', 'BOLO', {
    state: 'CA',
    case_number: '26-000123',
    synopsis: 'Berline grise vue à Montréal 🚗, conducteur « armé »',
    expires_at: '2027-01-01T18:00:00Z',
    vehicle_make: 'TOYT',
    vehicle_model: 'CAM',
    vehicle_year: '2019',
    vehicle_color: 'GRY',
    vehicle_style: '4D',
  }),
  entry('6TRJ244', 'BOLO', { case_number: '26-000124', vehicle_year: '2008' }),
  entry('6TRJ244', 'BOLO', { state: 'NV', case_number: '26-000125', vehicle_style: 'MC', synopsis: '東京で目撃 — 白いバイク' }),
  entry('5KX?77', 'BOLO', { case_number: '26-000126', vehicle_color: 'WHI/BLU', expires_at: '2026-12-31' }),
  entry('8BCD 321', 'BOLO', { case_number: '26-000127', entered_by: 'Dét. Noël Çelik' }),
];

describe('EntryTable', () => {
  it('gives back every entry exactly as listed after a transfer to another thread', () => {
    const index = new Matcher(config).buildList('BOLO', bolo);
    const revived = transferred(index);
    expect(byKey(revived.entries())).toStrictEqual(byKey(bolo));
  });

  it('keeps a vehicle absent when the entry had none, and only the vehicle keys the entry had', () => {
    const plain = entry('4XYZ987', 'SVS', { case_number: '26-000200' });
    const yearOnly = entry('4XYZ988', 'SVS', { case_number: '26-000201', vehicle_year: '1999' });
    expect(plain.vehicle).toBeUndefined();
    const revived = transferred(new Matcher(config).buildList('SVS', [plain, yearOnly]));
    const [first, second] = byKey(revived.entries());
    expect(first).not.toHaveProperty('vehicle');
    expect(Object.keys(second?.vehicle ?? {})).toEqual(['year']);
    expect(second?.vehicle).toStrictEqual({ year: 1999 });
  });

  it('moves every buffer: the built index keeps no typed array that was not transferred', () => {
    const index = new Matcher(config).buildList('BOLO', bolo);
    const views = tables(index).flatMap((table) => Object.values(table).filter((v): v is ArrayBufferView => ArrayBuffer.isView(v)));
    expect(views.length).toBeGreaterThan(10);
    structuredClone(index, { transfer: listIndexBuffers(index) });
    // A transferred buffer is detached from the sender: length 0.
    for (const view of views) expect(view.byteLength).toBe(0);
  });

  it('holds nothing that grows with the list but typed arrays: no strings, maps or objects per entry', () => {
    const index = new Matcher(config).buildList('BOLO', bolo);
    for (const table of [...tables(index), ...tables(transferred(new Matcher(config).buildList('BOLO', bolo)))]) {
      for (const [name, value] of Object.entries(table)) {
        expect(ArrayBuffer.isView(value) || typeof value === 'number', `field ${name}`).toBe(true);
      }
    }
  });

  it('matches on a transferred index and puts the entry details on the hit', () => {
    const matcher = new Matcher(config);
    matcher.swapList(transferred(matcher.buildList('BOLO', bolo)));
    const [hit] = matcher.matchRead({ id: 'r1', plate: '7ABC123', state: 'CA', vehicle: { make: 'Toyota', type: 'motorcycle' } }, NOW);
    expect(hit).toMatchObject({
      list: 'BOLO',
      entry: '7ABC-123',
      kind: 'exact',
      state: 'CA',
      stateMatch: true,
      caseNumber: '26-000123',
      synopsis: 'Berline grise vue à Montréal 🚗, conducteur « armé »',
      expiresAt: Date.parse('2027-01-01T18:00:00Z'),
      vehicleMismatch: ['style'],
    });
    expect(hit?.vehicle).toStrictEqual({ make: 'TOYT', model: 'CAM', color: 'GRY', style: '4D', year: 2019 });
    const partial = matcher.matchRead({ id: 'r2', plate: '5KXA77' }, NOW);
    expect(partial.map((h) => [h.entry, h.kind, h.caseNumber, h.vehicle])).toEqual([['5KX?77', 'partial', '26-000126', { color: 'WHI/BLU' }]]);
  });

  it('gives each hit its own vehicle object, so a receiver changing one changes no other hit', () => {
    const matcher = new Matcher(config);
    matcher.swapList(matcher.buildList('BOLO', bolo));
    const first = matcher.matchRead({ id: 'a', plate: '7ABC123' }, NOW)[0];
    (first?.vehicle as VehicleDescription).make = 'HOND';
    expect(matcher.matchRead({ id: 'b', plate: '7ABC123' }, NOW)[0]?.vehicle?.make).toBe('TOYT');
  });

  it('keeps text that validation lets through untouched: a leading BOM, an empty vehicle field, an empty vehicle', () => {
    const base: HotlistEntry = { list: 'SVS', listed: '1AAA111', plate: '1AAA111', isPattern: false, reason: '', caseNumber: '', enteredBy: '', synopsis: '' };
    const entries: HotlistEntry[] = [
      { ...base, synopsis: '\uFEFFstarts with a byte order mark', vehicle: {} },
      { ...base, listed: '2BBB222', plate: '2BBB222', vehicle: { make: '', year: 0 } },
      { ...base, listed: '3ccc-333', plate: '3CCC333', caseNumber: 'shared', reason: 'shared' },
    ];
    const revived = transferred(new Matcher(config).buildList('SVS', entries));
    expect(byKey(revived.entries())).toStrictEqual(byKey(entries));
  });

  it('keeps the text of two lists apart when their entries are read in turn', () => {
    const matcher = new Matcher(config);
    const svs = [entry('1AAA111', 'SVS', { case_number: 'SVS-1', vehicle_make: 'FORD' }), entry('2AAA222', 'SVS', { case_number: 'SVS-2' })];
    const sfr = [entry('1AAA111', 'SFR', { case_number: 'SFR-1', vehicle_make: 'HOND' }), entry('2AAA222', 'SFR', { case_number: 'SFR-2' })];
    matcher.swapList(transferred(matcher.buildList('SVS', svs)));
    matcher.swapList(transferred(matcher.buildList('SFR', sfr)));
    for (let round = 0; round < 2; round++) {
      const hits = matcher.matchRead({ id: `r${round}`, plate: '1AAA111' }, NOW).map((h) => [h.list, h.caseNumber, h.vehicle?.make]);
      expect(hits.sort()).toEqual([['SFR', 'SFR-1', 'HOND'], ['SVS', 'SVS-1', 'FORD']]);
    }
  });

  it('refuses a vehicle year its column cannot hold rather than storing another year', () => {
    const bad: HotlistEntry = { list: 'SVS', listed: '1AAA111', plate: '1AAA111', isPattern: false, reason: '', caseNumber: '', enteredBy: '', synopsis: '', vehicle: { year: 70_000 } };
    expect(() => new Matcher(config).buildList('SVS', [bad])).toThrow(RangeError);
  });

  it('round-trips any valid entries (property)', () => {
    // Characters either side of each UTF-8 length boundary, besides printable ASCII. (fast-check's
    // 'binary' unit would do, but builds its tables for seconds.)
    const char = fc.oneof(
      fc.string({ minLength: 1, maxLength: 1 }),
      fc.constantFrom('\u007f', '\u0080', 'é', '\u07ff', '\u0800', '東', '\ufeff', '\uffff', '\u{10000}', '🚗', '\u{10ffff}', '\u0000'),
    );
    const text = fc.string({ unit: char, maxLength: 12 });
    const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
    const vehicle = fc.record(
      { make: text, model: text, color: text, style: text, year: fc.integer({ min: 1900, max: 2100 }) },
      { requiredKeys: [], noNullPrototype: true },
    );
    const row = fc.record({
      plate: fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 2, maxLength: 8 }),
      dashed: fc.boolean(),
      state: maybe(fc.constantFrom('CA', 'NV', 'OR')),
      reason: text,
      caseNumber: text,
      enteredBy: text,
      synopsis: fc.string({ unit: char, maxLength: 40 }),
      expiresAt: maybe(fc.integer({ min: 0, max: 4_102_444_800_000 })),
      vehicle: maybe(vehicle),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), (rows) => {
        const entries = rows.map(({ plate, dashed, state, expiresAt, vehicle: v, ...texts }) => {
          const e: HotlistEntry = { list: 'SVS', listed: dashed ? `${plate.slice(0, 1)}-${plate.slice(1)}` : plate, plate, isPattern: false, ...texts };
          if (state !== undefined) e.state = state;
          if (expiresAt !== undefined) e.expiresAt = expiresAt;
          if (v !== undefined) e.vehicle = v;
          return e;
        });
        const revived = transferred(new Matcher(config).buildList('SVS', entries));
        expect(byKey(revived.entries())).toStrictEqual(byKey(entries));
      }),
      { numRuns: 100 },
    );
  });
});
