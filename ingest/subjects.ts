// NATS subjects and stream names (DESIGN.md, data flow). Agency, camera and list names become
// subject tokens, so they are restricted to characters that cannot split or wildcard a subject.
import { quoted } from '../matcher/index.js';

export const READS_SUBJECT_PREFIX = 'alpr.reads';
export const HITS_SUBJECT_PREFIX = 'alpr.hits';
export const INVALID_READS_SUBJECT = 'alpr.invalid.reads';
/** Dispositions recorded on any gateway, so every gateway's consoles learn of them (core NATS). */
export const DISPOSITIONS_SUBJECT = 'alpr.dispositions';

export const READS_STREAM = 'READS';
export const HITS_STREAM = 'HITS';
export const INVALID_READS_STREAM = 'INVALID_READS';

const MAX_TOKEN_LENGTH = 64;

/** True when `text` can be one subject token: 1–64 of `A-Za-z0-9_-` (no `.`, `*`, `>` or whitespace). */
export function isSubjectToken(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > MAX_TOKEN_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d;
    if (!ok) return false;
  }
  return true;
}

export function readsSubject(agency: string, camera: string): string {
  return `${READS_SUBJECT_PREFIX}.${agency}.${camera}`;
}

export function hitsSubject(agency: string, list: string): string {
  return `${HITS_SUBJECT_PREFIX}.${agency}.${list}`;
}

/**
 * The agency and camera tokens of a subject that can carry reads, or why it cannot. NATS itself
 * allows `@`, non-ASCII and long tokens, and reads published under such an agency were stored with it.
 */
export function checkReadsSubject(subject: string): { agency: string; camera: string } | string {
  const tokens = parseReadsSubject(subject);
  if (tokens === null) return `subject ${quoted(subject)} is not alpr.reads.<agency>.<camera>`;
  if (!isSubjectToken(tokens.agency)) return `the subject's agency token ${quoted(tokens.agency)} must be 1–64 characters of A-Za-z0-9_-`;
  if (!isSubjectToken(tokens.camera)) return `the subject's camera token ${quoted(tokens.camera)} must be 1–64 characters of A-Za-z0-9_-`;
  return tokens;
}

/** The agency and camera tokens of a reads subject, or null when it is not one. */
export function parseReadsSubject(subject: string): { agency: string; camera: string } | null {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== 'alpr' || parts[1] !== 'reads') return null;
  return { agency: parts[2] as string, camera: parts[3] as string };
}
