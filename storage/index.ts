// Public surface of storage/: ClickHouse schema, writers, search, retention, evidence, audit.
export * from './errors.js';
export * from './config.js';
export { connectStorage, type StorageConnection, type StorageKind } from './connection.js';
export { openStorage, type Storage } from './open.js';
export { migrate, migrationChecksum, type MigrationReport, type RetentionChange } from './migrate.js';
export { MIGRATIONS, DETECTION_COLUMNS_DDL, DETECTION_SORTING_KEY, type Migration, type SchemaContext } from './schema.js';
export { CANDIDATES_OCR_INDEX, ocrMappedCandidates, ocrMappedSql } from './other-readings.js';
export { type Detection, DETECTION_INSERT_COLUMNS, encodeDetection, firstOfEachRead, ONE_ROW_A_READ, readSource } from './detection.js';
export { DetectionWriter, INSERT_SPOOL_DIR, type WriteTicket, type BatchReceipt, type WriteOutcomes, type WriterOptions } from './writer.js';
export { DETECTION_ROWBINARY_STRUCTURE, insertFromRowBinaryFile, RowBinaryBatch } from './rowbinary.js';
export {
  AccessLog, verifyAccessLog, verifyAccessLogs, parseExpectedHead, readAccessLog, type AccessLogQuery, type Head, accessLogChains, hashAccessRecord, GENESIS_HASH, SYSTEM_USER, ACCESS_ACTIONS, ACCESS_OUTCOMES,
  UnknownChainError, DETAIL_MAX_CHARACTERS,
  type AccessAction, type AccessOutcome, type AccessEntry, type AccessRecord, type AccessLogProblem, type AccessLogVerification,
} from './access-log.js';
export {
  ACCESS_LOG_FILTERS, DEFAULT_REVIEW_LIMIT, MAX_REVIEW_LIMIT, accessLogPage, accessLogQueryOf, reviewAccessLog,
  type AccessLogFilter, type AccessLogFilters, type AccessLogPage, type AccessLogQueryResult, type ReviewContext,
} from './access-log-review.js';
export {
  PERMISSIONS, PERMISSION_NAMES, rolesAllowed, mayPerform, permissionProblem, authoriseAction, type Permission, type ActionContext,
} from './permissions.js';
export { purposeProblem, prohibitedPurpose, undocumentedPurpose, type Purpose } from './purpose.js';
export { isImmigrationEnforcement, immigrationAgencyIn, normaliseForClassifier } from './immigration.js';
export { isCalendarDay, parseMemberTime, periodText, windowText } from './member-time.js';
export { canonicalTimeZone, dayIn, DEFAULT_TIME_ZONE, startOfDayIn, timeZoneOf } from './department-day.js';
export { oneAtATimePerKey, type OneAtATime } from './one-at-a-time.js';
export {
  saveUser, findUser, findUsers, listUsers, authoriseUser, accessProblem, isReservedUserId, userIdProblem, RESERVED_USER_IDS, USER_ROLES, type User, type UserRole,
} from './users.js';
export {
  searchDetections, buildSearchQuery, NEWEST_FIRST, SEARCH_RESULT_COLUMNS, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE,
  type SearchRequest, type SearchResult, type SearchCursor, type FoundDetection, type SearchContext,
} from './search.js';
export {
  buildDetectionFilter, indexedWhere, OTHER_READINGS_KINDS, FUZZY_MIN_LENGTH, PATTERN_MIN_KNOWN,
  type PlateQuery, type DetectionCriteria, type DetectionFilter,
} from './detection-filter.js';
export { MAX_RADIUS_METERS } from './radius-box.js';
export {
  FIRST_WINDOW_MS, isSparse, scansEveryPartition, searchWindows, expectsFewMatches, FEW_MATCHES_FIRST_WINDOW_MS, FEW_MATCHES_KNOWN_RUN, scanNewestFirst, windowsInOnePass,
  type WindowRead,
} from './search-windows.js';
export {
  placeLegalHold, exportEvidence, sha256,
  type EvidenceContext, type HoldRequest, type HoldResult, type ExportRequest, type EvidenceManifest, type ManifestFile,
} from './evidence.js';
export {
  makeOutputDirectory, makePartialPackageDirectory, outputDirectoryProblem, outputFileProblem, OutputDirectoryError, replaceOutputFile, PACKAGE_DIRECTORY_MODE, PACKAGE_FILE_MODE,
  type OutputDirectoryProblem,
} from './package-writer.js';
export {
  sampleSearches, reviewInquiry, describeProblem, refusalKind, MINIMUM_AUDIT_SAMPLE, MAX_AUDIT_SAMPLE, MAX_LISTED_REFUSALS,
  type AuditSample, type AuditSampleRequest, type InquiryReview, type RefusedAction, type RefusalKind,
} from './audit.js';
export { PROHIBITED_PURPOSE_PATTERNS, prohibitedPurposeFindings, type FlaggedAccess } from './purpose-review.js';
export { privilegedAccountChange, privilegedAccountChanges, PRIVILEGED_ROLES, MAX_LISTED_ACCOUNT_CHANGES, type AccountChange } from './account-changes.js';
export {
  AGENCY_KINDS, REFUSAL_RULES, DEFAULT_RELEASE_POLICY, classifyAgency,
  automaticRefusal, type AgencyKind, type AgencyClaim, type AgencyClass, type RefusalRule, type ReleasePolicy, type Refusal,
} from './release-rules.js';
export {
  RELEASE_STATUSES, RELEASE_ERROR_CODES, ReleaseError, isReleaseId, parseReleaseRequest, recordReleaseRequest, decideRelease, viewRelease, viewReleasePackage,
  findRelease, listReleases, type ReleaseStatus, type ReleaseCriteria, type ReleaseRequestInput, type ReleaseRequest, type ReleaseManifest,
  type ReleaseManifestFile, type ReleaseErrorCode, type ReleaseContext, type ReleaseDecision,
} from './releases.js';
export {
  produceReleasePackage, readPackageFile, packageFileNames, MAX_RELEASE_ROWS, type PackageContext, type PackageFile, type ProducedRelease,
} from './release-package.js';
export {
  transparencyReport, renderTransparencyMarkdown, renderTransparencyHtml, type TransparencyReport, type TransparencyContext,
} from './transparency.js';
export { renderMemorandumMarkdown, renderMemorandumHtml, memorandumName, memorandumOf, type Memorandum, type MemorandumMeta } from './memorandum.js';
export {
  hitId, recordHits, recordDisposition, dispositionsOf, hitListAndSeenAt, covertHitRefusal, covertSubscriptionRefusal, viewHit, hitsAwaitingDisposition, resolvedHitIds, DISPOSITIONS, DISPOSITION_LABELS,
  type StoredHit, type HitDisposition, type Disposition, type HitView, type RecordedDisposition,
} from './hits.js';
export { HitWriter } from './hit-writer.js';
export { hashPassword, passwordMatches, passwordProblem, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, DEFAULT_SCRYPT_LOG_N } from './password.js';
export {
  CredentialStore, setPassword, tokenHash, DEFAULT_SESSION_TTL_MS, DEFAULT_MAX_LOGIN_FAILURES, DEFAULT_LOCKOUT_WINDOW_MS,
  type CredentialOptions, type LoginOutcome, type PasswordCheck, type SignedInUser, type VerifiedSession,
} from './credentials.js';
export { HotlistError, HOTLIST_ERROR_CODES, unknownEntryMessage, unknownListMessage, type HotlistContext, type HotlistErrorCode } from './hotlist-common.js';
export { designateList, findDesignation, listDesignations, type ListDesignation } from './hotlist-lists.js';
export {
  submitEntry, submitUpdate, decideEntry, listEntries, pendingChanges, entryHistory, entryState, approvedEntries, ENTRY_DECISIONS,
  type EntryFields, type EntryDecision, type EntryVersion, type EntryState, type DecisionResult,
} from './hotlists.js';
export * from './version-claims.js';
