// Public surface of storage/: ClickHouse schema, writers, search, retention, evidence, audit.
export * from './errors.js';
export * from './config.js';
export { connectStorage, type StorageConnection, type StorageKind } from './connection.js';
export { openStorage, type Storage } from './open.js';
export { migrate, migrationChecksum, type MigrationReport } from './migrate.js';
export { MIGRATIONS, DETECTION_COLUMNS_DDL, PLATE_NGRAM_INDEX, type Migration, type SchemaContext } from './schema.js';
export { type Detection, DETECTION_INSERT_COLUMNS, encodeDetection } from './detection.js';
export { DetectionWriter, type WriteTicket, type BatchReceipt, type WriterOptions } from './writer.js';
export {
  AccessLog, verifyAccessLog, verifyAccessLogs, accessLogChains, hashAccessRecord, GENESIS_HASH, ACCESS_ACTIONS, ACCESS_OUTCOMES,
  type AccessAction, type AccessOutcome, type AccessEntry, type AccessRecord, type AccessLogProblem, type AccessLogVerification,
} from './access-log.js';
export {
  PERMISSIONS, PERMISSION_NAMES, rolesAllowed, mayPerform, permissionProblem, authoriseAction, type Permission, type ActionContext,
} from './permissions.js';
export { purposeProblem, type Purpose } from './purpose.js';
export { saveUser, findUser, listUsers, authoriseUser, accessProblem, USER_ROLES, type User, type UserRole } from './users.js';
export {
  searchDetections, buildSearchQuery, buildDetectionFilter, FUZZY_MIN_LENGTH, PATTERN_MIN_KNOWN, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE,
  type PlateQuery, type SearchRequest, type SearchResult, type SearchCursor, type FoundDetection, type SearchContext,
  type DetectionCriteria, type DetectionFilter,
} from './search.js';
export {
  placeLegalHold, exportEvidence, sha256,
  type EvidenceContext, type HoldRequest, type HoldResult, type ExportRequest, type EvidenceManifest, type ManifestFile,
} from './evidence.js';
export {
  sampleSearches, reviewInquiry, MINIMUM_AUDIT_SAMPLE, PROHIBITED_PURPOSE_PATTERNS,
  type AuditSample, type AuditSampleRequest, type InquiryReview,
} from './audit.js';
export { renderMemorandumMarkdown, renderMemorandumHtml, type MemorandumMeta } from './memorandum.js';
export {
  hitId, recordHits, recordDisposition, hitSeenAt, viewHit, hitsAwaitingDisposition, resolvedHitIds, DISPOSITIONS,
  type StoredHit, type HitDisposition, type Disposition, type HitView,
} from './hits.js';
export { HitWriter } from './hit-writer.js';
export { hashPassword, passwordMatches, passwordProblem, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, DEFAULT_SCRYPT_LOG_N } from './password.js';
export {
  CredentialStore, setPassword, tokenHash, DEFAULT_SESSION_TTL_MS, DEFAULT_MAX_LOGIN_FAILURES, DEFAULT_LOCKOUT_WINDOW_MS,
  type CredentialOptions, type LoginOutcome, type PasswordCheck, type SignedInUser, type VerifiedSession,
} from './credentials.js';
