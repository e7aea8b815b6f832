import { describe, expect, it } from 'vitest';
import { resolveMatcherConfig } from '../../matcher/config.js';
import { isSpecificList, validateEntry, type EntryResult, type RawEntryFields } from '../../matcher/entry.js';
import type { HotlistEntry } from '../../matcher/types.js';

const config = resolveMatcherConfig();

/** A complete specific-list row, with overrides. */
function bolo(extra: Partial<RawEntryFields> = {}): RawEntryFields {
  return { plate: '7ABC123', list: 'BOLO', reason: 'ARMED ROBBERY', case_number: '26-0042', entered_by: 'Ofc. Reyes', synopsis: 'Suspect vehicle', ...extra };
}

function accepted(result: EntryResult): HotlistEntry {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.entry;
}

function refusal(result: EntryResult): string {
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.entry)}`);
  return result.reason;
}

describe('validateEntry', () => {
  it('accepts a complete specific-list entry and carries its fields over', () => {
    expect(accepted(validateEntry(bolo({ state: 'CA' }), config))).toEqual({
      list: 'BOLO',
      listed: '7ABC123',
      plate: '7ABC123',
      isPattern: false,
      state: 'CA',
      reason: 'ARMED ROBBERY',
      caseNumber: '26-0042',
      enteredBy: 'Ofc. Reyes',
      synopsis: 'Suspect vehicle',
    });
  });

  it('keeps the listed text as given (trimmed) while normalising the plate', () => {
    const entry = accepted(validateEntry(bolo({ plate: '  7abc-123 ' }), config));
    expect(entry.listed).toBe('7abc-123');
    expect(entry.plate).toBe('7ABC123');
  });

  it('upper-cases and trims list names', () => {
    expect(accepted(validateEntry(bolo({ list: ' bolo ' }), config)).list).toBe('BOLO');
    expect(accepted(validateEntry({ plate: 'ABC123', list: 'svs' }, config)).list).toBe('SVS');
  });

  it('treats a lower-case general list name as the general list', () => {
    // `svs` is SVS: no case number needed, and no pattern allowed.
    expect(validateEntry({ plate: 'ABC123', list: 'svs' }, config).ok).toBe(true);
    expect(validateEntry({ plate: 'ABC*', list: 'svs' }, config).ok).toBe(false);
  });

  it('refuses a list name outside A-Z0-9_- or longer than 32 characters', () => {
    expect(refusal(validateEntry(bolo({ list: 'BOLO LIST' }), config))).toContain('list "BOLO LIST"');
    expect(refusal(validateEntry(bolo({ list: '' }), config))).toContain('must be 1–32 characters');
    expect(refusal(validateEntry(bolo({ list: '-BOLO' }), config))).toContain('list "-BOLO"');
    expect(validateEntry(bolo({ list: 'A'.repeat(32) }), config).ok).toBe(true);
    expect(validateEntry(bolo({ list: 'A'.repeat(33) }), config).ok).toBe(false);
  });

  it('refuses a bad plate with the plate reason', () => {
    expect(refusal(validateEntry(bolo({ plate: '7AB!123' }), config))).toContain('position 3');
    expect(refusal(validateEntry(bolo({ plate: '' }), config))).toBe('plate is empty');
    expect(refusal(validateEntry(bolo({ plate: 'ABCD12345' }), config))).toContain('longer than 8');
  });

  it('accepts a pattern on a specific list', () => {
    const entry = accepted(validateEntry(bolo({ plate: '7ab*' }), config));
    expect(entry).toMatchObject({ listed: '7ab*', plate: '7AB*', isPattern: true });
  });

  it('refuses a pattern on a general list', () => {
    const reason = refusal(validateEntry({ plate: '7AB?123', list: 'SVS' }, config));
    expect(reason).toContain('list SVS matches exact+ocr only');
    expect(reason).toContain('"7AB?123"');
  });

  it('refuses a pattern on a list whose policy lacks partial', () => {
    const custom = resolveMatcherConfig({ listPolicies: { CASE7: ['exact', 'fuzzy'] } });
    expect(refusal(validateEntry(bolo({ list: 'CASE7', plate: 'ABC*' }), custom))).toContain('list CASE7 matches exact+fuzzy only');
  });

  it('accepts a pattern on a general list whose policy allows partial', () => {
    const custom = resolveMatcherConfig({ listPolicies: { SVS: ['exact', 'partial'] } });
    expect(accepted(validateEntry({ plate: 'ABC*', list: 'SVS' }, custom)).isPattern).toBe(true);
  });

  it('refuses a pattern naming fewer than patternMinKnown characters', () => {
    expect(refusal(validateEntry(bolo({ plate: 'AB*' }), config))).toContain('at least 3 are needed');
    expect(validateEntry(bolo({ plate: 'AB*' }), resolveMatcherConfig({ patternMinKnown: 2 })).ok).toBe(true);
  });

  it('requires case_number, entered_by and synopsis on a specific list, naming the missing ones', () => {
    expect(refusal(validateEntry({ plate: '7ABC123', list: 'BOLO' }, config))).toBe(
      'list BOLO is a specific list; its entries need case_number, entered_by, synopsis',
    );
    expect(refusal(validateEntry(bolo({ entered_by: '' }), config))).toBe('list BOLO is a specific list; its entries need entered_by');
    expect(refusal(validateEntry(bolo({ case_number: '  ', synopsis: '' }), config))).toBe(
      'list BOLO is a specific list; its entries need case_number, synopsis',
    );
  });

  it('does not require a reason on a specific list', () => {
    expect(accepted(validateEntry(bolo({ reason: '' }), config)).reason).toBe('');
  });

  it('requires none of them on a general list', () => {
    const entry = accepted(validateEntry({ plate: '7ABC123', list: 'SVS' }, config));
    expect(entry).toMatchObject({ list: 'SVS', reason: '', caseNumber: '', enteredBy: '', synopsis: '' });
  });

  it('trims the text fields', () => {
    const entry = accepted(validateEntry(bolo({ reason: ' STOLEN ', case_number: ' 26-1 ', entered_by: ' A ', synopsis: ' s ' }), config));
    expect(entry).toMatchObject({ reason: 'STOLEN', caseNumber: '26-1', enteredBy: 'A', synopsis: 's' });
  });

  it('refuses a text field longer than 2000 characters', () => {
    expect(refusal(validateEntry(bolo({ synopsis: 'x'.repeat(2001) }), config))).toBe('synopsis is longer than 2000 characters');
    expect(validateEntry(bolo({ synopsis: 'x'.repeat(2000) }), config).ok).toBe(true);
  });

  it('upper-cases a two-letter state', () => {
    expect(accepted(validateEntry(bolo({ state: ' ca ' }), config)).state).toBe('CA');
  });

  it('leaves the state out when none is given', () => {
    const entry = accepted(validateEntry(bolo({ state: '' }), config));
    expect('state' in entry).toBe(false);
  });

  it.each(['CAL', 'C', 'C1', 'C-A', 'California'])('refuses the state %j', (state) => {
    expect(refusal(validateEntry(bolo({ state }), config))).toBe(`state "${state}" must be a two-letter code`);
  });

  it('parses an ISO 8601 date as UTC midnight', () => {
    expect(accepted(validateEntry(bolo({ expires_at: '2026-12-01' }), config)).expiresAt).toBe(Date.UTC(2026, 11, 1));
  });

  it('parses an ISO 8601 time with an offset', () => {
    expect(accepted(validateEntry(bolo({ expires_at: '2026-12-01T10:30:00Z' }), config)).expiresAt).toBe(Date.UTC(2026, 11, 1, 10, 30));
    expect(accepted(validateEntry(bolo({ expires_at: '2026-12-01T10:30:00-08:00' }), config)).expiresAt).toBe(Date.UTC(2026, 11, 1, 18, 30));
  });

  it("reads an expiry's date or zoneless time in the department's zone, as every time a member types (a zoneless time was UTC)", () => {
    const pacific = { ...config, timeZone: 'America/Los_Angeles' };
    expect(accepted(validateEntry(bolo({ expires_at: '2026-12-01' }), pacific)).expiresAt).toBe(Date.UTC(2026, 11, 1, 8));
    expect(accepted(validateEntry(bolo({ expires_at: '2026-12-01T10:30' }), pacific)).expiresAt).toBe(Date.UTC(2026, 11, 1, 18, 30));
    expect(accepted(validateEntry(bolo({ expires_at: '2026-12-01 10:30:00.123456' }), pacific)).expiresAt).toBe(Date.UTC(2026, 11, 1, 18, 30, 0, 123));
    expect(accepted(validateEntry(bolo({ expires_at: '2026-12-01T10:30:00Z' }), pacific)).expiresAt).toBe(Date.UTC(2026, 11, 1, 10, 30));
  });

  it('leaves expiry out when none is given', () => {
    expect('expiresAt' in accepted(validateEntry(bolo({ expires_at: ' ' }), config))).toBe(false);
  });

  it.each(['tomorrow', 'next week', '12/01/2026', 'Dec 1 2026', '2026-13-01', '2026-12-01x', '20261-01-01'])('refuses the expiry %j', (expires) => {
    expect(refusal(validateEntry(bolo({ expires_at: expires }), config))).toBe(`expires_at "${expires}" is not an ISO 8601 date or time (e.g. 2026-12-31 or 2026-12-31T18:00:00Z)`);
  });

  // Date.parse alone would read "2026-12-01 junk" as a June date and roll 2026-02-30 into March.
  it.each(['2026-12-01 junk', '2026-02-30', '2026-04-31'])('refuses the expiry %j, which is not a valid ISO 8601 date', (expires) => {
    expect(refusal(validateEntry(bolo({ expires_at: expires }), config))).toBe(`expires_at "${expires}" is not an ISO 8601 date or time (e.g. 2026-12-31 or 2026-12-31T18:00:00Z)`);
  });

  it('keeps the vehicle description, with the year as a number', () => {
    const entry = accepted(
      validateEntry(
        bolo({ vehicle_make: 'TOYT', vehicle_model: 'CAM', vehicle_year: '2019', vehicle_color: 'WHI/BLU', vehicle_style: '4D' }),
        config,
      ),
    );
    expect(entry.vehicle).toEqual({ make: 'TOYT', model: 'CAM', year: 2019, color: 'WHI/BLU', style: '4D' });
  });

  it('refuses vehicle text over 64 characters, as on a read (every hit carries it in one NATS message)', () => {
    for (const field of ['vehicle_make', 'vehicle_model', 'vehicle_color', 'vehicle_style'] as const) {
      expect(refusal(validateEntry(bolo({ [field]: 'X'.repeat(65) }), config))).toBe(`${field} is longer than 64 characters`);
      expect(accepted(validateEntry(bolo({ [field]: 'X'.repeat(64) }), config)).vehicle).toBeDefined();
    }
  });

  it('leaves the vehicle out when every vehicle field is blank', () => {
    const entry = accepted(validateEntry(bolo({ vehicle_make: ' ', vehicle_year: '' }), config));
    expect('vehicle' in entry).toBe(false);
  });

  it('accepts vehicle years 1900 and 2100', () => {
    expect(accepted(validateEntry(bolo({ vehicle_year: '1900' }), config)).vehicle).toEqual({ year: 1900 });
    expect(accepted(validateEntry(bolo({ vehicle_year: '2100' }), config)).vehicle).toEqual({ year: 2100 });
  });

  it.each(['1899', '2101', '19.5', 'new', '-2019'])('refuses the vehicle year %j', (year) => {
    expect(refusal(validateEntry(bolo({ vehicle_year: year }), config))).toBe(`vehicle_year "${year}" must be a year between 1900 and 2100`);
  });
});

describe('isSpecificList', () => {
  it('calls the configured general lists general and every other list specific', () => {
    expect(isSpecificList(config, 'SVS')).toBe(false);
    expect(isSpecificList(config, 'SLR')).toBe(false);
    expect(isSpecificList(config, 'BOLO')).toBe(true);
    expect(isSpecificList(resolveMatcherConfig({ generalLists: ['BULK'] }), 'SVS')).toBe(true);
  });
});

describe('strict dates and years', () => {
  const config = resolveMatcherConfig();
  const fields = { plate: '7ABC123', list: 'SVS' };
  it('takes a time without an offset as UTC, whatever the server zone', () => {
    const r = validateEntry({ ...fields, expires_at: '2026-12-31T18:00' }, config);
    expect(r.ok && r.entry.expiresAt).toBe(Date.UTC(2026, 11, 31, 18, 0));
    const z = validateEntry({ ...fields, expires_at: '2026-12-31T18:00:00-08:00' }, config);
    expect(z.ok && z.entry.expiresAt).toBe(Date.UTC(2027, 0, 1, 2, 0));
  });

  it.each(['2e3', '0x7D0', '2019.0', ' 20 19'])('refuses the vehicle year %j', (year) => {
    expect(validateEntry({ ...fields, vehicle_year: year }, config).ok).toBe(false);
  });
});
