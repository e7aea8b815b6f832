import { describe, expect, it } from 'vitest';
import { vehicleMismatches } from '../../matcher/vehicle.js';

describe('vehicleMismatches', () => {
  it('flags a motorcycle entry read as an SUV as a style mismatch', () => {
    expect(vehicleMismatches({ style: 'MC' }, { type: 'suv' })).toEqual(['style']);
  });

  it('agrees when an NCIC body code and a classifier type name the same body class', () => {
    expect(vehicleMismatches({ style: '4D' }, { type: 'sedan' })).toEqual([]);
    expect(vehicleMismatches({ style: 'UT' }, { type: 'SUV' })).toEqual([]);
    expect(vehicleMismatches({ style: 'PK' }, { type: 'pickup' })).toEqual([]);
    expect(vehicleMismatches({ style: 'MC' }, { type: 'motorcycle' })).toEqual([]);
  });

  it('does not flag a body type it does not know', () => {
    expect(vehicleMismatches({ style: 'MC' }, { type: 'hovercraft' })).toEqual([]);
    expect(vehicleMismatches({ style: 'ZZ' }, { type: 'suv' })).toEqual([]);
  });

  it('agrees when the NCIC make code TOYT meets the make name Toyota', () => {
    expect(vehicleMismatches({ make: 'TOYT' }, { make: 'Toyota' })).toEqual([]);
  });

  it('agrees on makes whose NCIC code is the first four letters', () => {
    expect(vehicleMismatches({ make: 'HOND' }, { make: 'Honda' })).toEqual([]);
    expect(vehicleMismatches({ make: 'FORD' }, { make: 'ford' })).toEqual([]);
  });

  it('agrees on make names spelt with punctuation or abbreviated', () => {
    expect(vehicleMismatches({ make: 'MERZ' }, { make: 'Mercedes-Benz' })).toEqual([]);
    expect(vehicleMismatches({ make: 'CHEV' }, { make: 'Chevy' })).toEqual([]);
    expect(vehicleMismatches({ make: 'VOLK' }, { make: 'VW' })).toEqual([]);
  });

  it('flags different makes', () => {
    expect(vehicleMismatches({ make: 'TOYT' }, { make: 'Honda' })).toEqual(['make']);
  });

  it('agrees when the NCIC model abbreviation CIV meets the model name Civic', () => {
    expect(vehicleMismatches({ model: 'CIV' }, { model: 'Civic' })).toEqual([]);
    expect(vehicleMismatches({ model: 'Civic' }, { model: 'CIV' })).toEqual([]);
  });

  it('flags a model that is not a prefix either way', () => {
    expect(vehicleMismatches({ model: 'CIV' }, { model: 'Accord' })).toEqual(['model']);
  });

  it('tolerates a model year one year either side', () => {
    expect(vehicleMismatches({ year: 2019 }, { year: 2019 })).toEqual([]);
    expect(vehicleMismatches({ year: 2019 }, { year: 2020 })).toEqual([]);
    expect(vehicleMismatches({ year: 2019 }, { year: 2018 })).toEqual([]);
  });

  it('flags a model year two years off', () => {
    expect(vehicleMismatches({ year: 2019 }, { year: 2021 })).toEqual(['year']);
    expect(vehicleMismatches({ year: 2019 }, { year: 2017 })).toEqual(['year']);
  });

  it('agrees when the read colour is either half of a two-tone entry', () => {
    expect(vehicleMismatches({ color: 'WHI/BLU' }, { color: 'blue' })).toEqual([]);
    expect(vehicleMismatches({ color: 'WHI/BLU' }, { color: 'white' })).toEqual([]);
  });

  it('flags a read colour that is neither half of a two-tone entry', () => {
    expect(vehicleMismatches({ color: 'WHI/BLU' }, { color: 'red' })).toEqual(['color']);
  });

  it('agrees on colour codes of one family', () => {
    expect(vehicleMismatches({ color: 'SIL' }, { color: 'gray' })).toEqual([]);
    expect(vehicleMismatches({ color: 'MAR' }, { color: 'Red' })).toEqual([]);
    expect(vehicleMismatches({ color: 'LBL' }, { color: 'BLUE' })).toEqual([]);
  });

  it('never flags a side that says nothing', () => {
    expect(vehicleMismatches(undefined, { make: 'Honda', type: 'suv', year: 1990, color: 'red', model: 'X' })).toEqual([]);
    expect(vehicleMismatches({ make: 'TOYT', style: 'MC', year: 2019, color: 'WHI', model: 'CAM' }, undefined)).toEqual([]);
    expect(vehicleMismatches({ make: 'TOYT', style: 'MC', year: 2019, color: 'WHI', model: 'CAM' }, {})).toEqual([]);
    expect(vehicleMismatches({}, { make: 'Honda', type: 'suv', year: 1990, color: 'red', model: 'X' })).toEqual([]);
  });

  it('compares only the fields both sides carry', () => {
    expect(vehicleMismatches({ make: 'TOYT', style: 'MC' }, { make: 'Honda', year: 1990, color: 'red' })).toEqual(['make']);
  });

  it('names every field that disagrees, in a fixed order', () => {
    expect(
      vehicleMismatches(
        { make: 'TOYT', model: 'CAM', year: 2019, color: 'WHI', style: 'MC' },
        { make: 'Honda', model: 'Civic', year: 2010, color: 'red', type: 'suv' },
      ),
    ).toEqual(['make', 'model', 'year', 'color', 'style']);
  });
});

describe('makes without letters', () => {
  it('treats a make of only punctuation as silent, not as a contradiction', () => {
    expect(vehicleMismatches({ make: 'TOYT' }, { make: '-' })).toEqual([]);
  });
});
