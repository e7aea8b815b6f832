// Watsonville §471.7(e): every detection browsing inquiry is documented by a case or incident
// number and/or a reason. These are the rules a search applies and the audit checks afterwards.
import { describe, expect, it } from 'vitest';
import { prohibitedPurpose, purposeProblem, undocumentedPurpose } from '../../storage/purpose.js';

describe('undocumentedPurpose', () => {
  it('accepts a case number with a digit in it, whatever the reason', () => {
    for (const caseNumber of ['WPD-26-0100', 'V260201831', '26-4411', ' C-1 ']) {
      expect({ caseNumber, problem: undocumentedPurpose(caseNumber, '') }).toEqual({ caseNumber, problem: null });
      expect(undocumentedPurpose(caseNumber, 'test')).toBeNull();
    }
  });

  it('accepts a reason that says why the data is needed', () => {
    for (const reason of ['stolen vehicle follow-up', 'DUI', 'armed robbery suspect vehicle', 'Investigation of report 26-4411']) {
      expect({ reason, problem: undocumentedPurpose('', reason) }).toEqual({ reason, problem: null });
    }
  });

  it('names placeholder reasons, too-short reasons and case "numbers" without a number', () => {
    for (const reason of ['x', 'xxxx', 'n/a', 'NA', 'none', 'test', 'Testing', '...', '---', '??', 'investigation', 'search', 'lookup', 'ALPR', 'ok', ' q ']) {
      expect({ reason, problem: undocumentedPurpose('', reason) }).toEqual({ reason, problem: `the reason "${reason.trim()}" does not say why the data is needed` });
    }
    expect(undocumentedPurpose('pending', '')).toBe('case number "pending" has no number in it');
    expect(undocumentedPurpose('tbd', 'n/a')).toBe('case number "tbd" has no number in it and the reason "n/a" does not say why the data is needed');
    expect(undocumentedPurpose(' ', '  ')).toBe('no case or incident number and no reason');
  });

  it('sees through spacing, accents and invisible characters, and refuses the words QA found taken as reasons', () => {
    for (const reason of ['t e s t', 'tést', '\u200btest', 'T.E.S.T.', 'aaa', 'zzzz', 'because', 'just looking', 'Just checking', 'curious', 'idk', 'whatever']) {
      expect({ reason, problem: undocumentedPurpose('', reason) }).toEqual({ reason, problem: `the reason "${reason.trim()}" does not say why the data is needed` });
    }
    for (const reason of ['just\u200bchecking', 'justchecking', 'juuust checking', 'curiousss', 'no reason', 'because I can', 'cuz', 'asdf', 'qwerty',
      'test 123', 'test test', 'for fun', 'random check', 'fishing', 'demo', 'curiosity only', 'I was curious', 'only checking', 'just check']) {
      expect({ reason, problem: undocumentedPurpose('', reason) }).toEqual({ reason, problem: `the reason "${reason.trim()}" does not say why the data is needed` });
    }
    for (const reason of ['DUI', 'CCW permit holder vehicle', 'hit and run, white pickup', 'random shots fired call, report 26-77', 'test drive theft from dealer']) {
      expect(undocumentedPurpose('', reason), reason).toBeNull();
    }
  });
});

describe('undocumentedPurpose: filler', () => {
  const refused = (reason: string) => ({ reason, problem: `the reason "${reason.trim()}" does not say why the data is needed` });

  it('refuses letters in a row on a keyboard or in the alphabet, a few characters typed over and over, and a reason without a letter', () => {
    for (const reason of ['abc', 'ABCD', 'abc123', 'xyz', 'asd', 'qwe', 'zxc', 'jkl', 'hjkl', 'dfgh', 'sdfsdf', 'blahblah', 'abab', '123', '1234', '12345678', '26-4411', '#1']) {
      expect({ reason, problem: undocumentedPurpose('', reason) }).toEqual(refused(reason));
    }
  });

  it('refuses the filler QA typed, and the authority named in place of a reason', () => {
    for (const reason of ['tbd', 'TBD', 'todo', 'pending', 'blah', 'blah blah', 'lol', 'okay', 'yes', 'hello', 'foo', 'bar', 'foobar', 'reason', 'purpose', 'case',
      'see case', 'see report', 'official business', 'police business', 'law enforcement', 'Law enforcement purposes', 'work related', 'investigative',
      'investigation purposes', 'dept business']) {
      expect({ reason, problem: undocumentedPurpose('', reason) }).toEqual(refused(reason));
    }
  });

  it('still takes short reasons that say why, and the same words inside one that does', () => {
    for (const reason of ['DUI', 'ABC license check at the bar on Main', 'bar fight suspect vehicle', 'Amber Alert vehicle', 'law enforcement officer assaulted, suspect vehicle',
      'see case notes: stolen trailer, white F-150', 'pending warrant, vehicle of the suspect', 'hit and run']) {
      expect(undocumentedPurpose('', reason), reason).toBeNull();
    }
    // A number in the case number field documents the inquiry, whatever the reason says.
    expect(undocumentedPurpose('26-4411', 'abc')).toBeNull();
  });
});

describe('prohibitedPurpose', () => {
  it('refuses a purpose that is personal as a whole (§471.5 Impermissible Uses (c)), not a case about personal property', () => {
    for (const reason of ['personal', 'Personal use', 'for private reasons', 'ＰＥＲＳＯＮＡＬ']) expect(prohibitedPurpose({ reason }), reason).toMatch(/personal one.*471\.5/);
    for (const reason of ['for my ex', 'my ex-wife', 'where is my wife', 'check on my daughter', 'my neighbor parks here', 'for a friend', 'favour for a friend', 'personal reasons only', 'personal - ex']) {
      expect(prohibitedPurpose({ reason }), reason).toMatch(/personal one/);
    }
    for (const reason of ['theft of personal property', 'stolen vehicle follow-up', "DV suspect: the victim's ex-boyfriend", 'suspect used a friend\'s car', 'a neighbor reported the plate']) {
      expect(prohibitedPurpose({ reason }), reason).toBeNull();
    }
  });
});

describe('purposeProblem', () => {
  it('needs a user before anything else', () => {
    expect(purposeProblem('', { caseNumber: 'WPD-26-1' })).toMatch(/a user is required/);
    expect(purposeProblem(undefined, { caseNumber: 'WPD-26-1' })).toMatch(/a user is required/);
  });

  it('keeps the plain refusal for no purpose at all, and tells what to give for a vague one', () => {
    expect(purposeProblem('a1', {})).toBe('a case or incident number and/or a reason is required (Watsonville §471.7(e))');
    expect(purposeProblem('a1', { reason: 'x' })).toMatch(/^the reason "x" does not say why the data is needed: give a case or incident number, or a reason such as/);
    expect(purposeProblem('a1', { reason: 'stolen vehicle follow-up' })).toBeNull();
  });
});
