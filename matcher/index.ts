// matcher/: pure hot list matching, no I/O. This file is its whole public surface.
export * from './types.js';
export * from './errors.js';
export {
  DEFAULT_FUZZY_MIN_LENGTH,
  DEFAULT_GENERAL_LISTS,
  DEFAULT_MATCHER_CONFIG,
  DEFAULT_OCR_CLASSES,
  DEFAULT_OCR_MAX_SUBSTITUTIONS_BY_LENGTH,
  DEFAULT_PATTERN_MIN_KNOWN,
  GENERAL_LIST_KINDS,
  MAX_PLATE_LENGTH,
  MIN_PLATE_LENGTH,
  SPECIFIC_LIST_KINDS,
  checkMatcherConfig,
  listPolicy,
  resolveMatcherConfig,
  type MatcherConfig,
  type MatcherConfigProblem,
} from './config.js';
export { normalizePattern, normalizePlate, plateProblem, type PatternResult, type PlateResult } from './plate.js';
export { boundedReason, headOf, MAX_QUOTED_LENGTH, MAX_REASON_LENGTH, quoted } from './reason.js';
export { OcrAlphabet } from './ocr.js';
export { entryKey, isSpecificList, needsPersonCheck, validateEntry, type EntryResult, type RawEntryFields } from './entry.js';
export { vehicleMismatches } from './vehicle.js';
export { canonicalTimeZone, dayIn, DEFAULT_TIME_ZONE, startOfDayIn } from './department-day.js';
export { HotlistIndex } from './hotlist-index.js';
export { ListIndex } from './list-index.js';
export { listIndexBuffers, reviveListIndex } from './list-index-transfer.js';
export { Matcher, NO_HITS, type ListLoadSummary, type ListSummary } from './matcher.js';
export { hitId, type HitEntryIdentity, type HitRead } from './hit-id.js';
