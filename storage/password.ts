// Password hashing and the password policy. Watsonville §471.5(h) asks for individual credentials;
// a stolen credentials table must not give the passwords away, so each is hashed with scrypt
// (memory-hard) under its own random salt, and the parameters travel with the hash so they can be
// raised later without invalidating stored ones.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { StorageError } from './errors.js';
import { foldForComparison, guessablePasswordProblem } from './guessable-passwords.js';

/** log2 of scrypt's cost N: 2^15 with r = 8 takes 32 MiB and about 100 ms a hash; raise it on larger machines. */
export const DEFAULT_SCRYPT_LOG_N = 15;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
export const MIN_PASSWORD_LENGTH = 12;
/** Bounds the work an anonymous login can ask for. */
export const MAX_PASSWORD_LENGTH = 1024;
/** A user id this long is refused anywhere in the password; a shorter one ("al", "ed") is in ordinary words, so only as the whole password. */
const MIN_ID_INSIDE = 4;

/** Whose password it is, when known: their name and title are refused as the whole password. */
export interface PasswordOwner {
  name?: string;
  title?: string;
}

function scryptAsync(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * Why the password is refused, or null when it meets the policy. Whitespace is kept as typed but
 * does not count towards the minimum: twelve spaces, or a word padded out with them, is no password.
 * Nor is one a guesser tries first (storage/guessable-passwords.ts), among them the user's own id,
 * name or title with digits or symbols ("Lieutenant Diaz 2026"). Checked when a password is set,
 * never at sign-in: a hash stored under an older rule keeps working until it is changed.
 */
export function passwordProblem(password: string, userId: string, owner: PasswordOwner = {}): string | null {
  const length = [...password].length;
  if (length - (password.match(/\s/gu)?.length ?? 0) < MIN_PASSWORD_LENGTH) {
    return `a password needs at least ${MIN_PASSWORD_LENGTH} characters other than spaces`;
  }
  if (length > MAX_PASSWORD_LENGTH) return `a password may have at most ${MAX_PASSWORD_LENGTH} characters`;
  const id = foldForComparison(userId);
  if ([...id].length >= MIN_ID_INSIDE && foldForComparison(password).includes(id)) return 'a password may not contain the user id';
  // Length alone lets "aaaaaaaaaaaa" and "password1234" through: the first a guesser tries.
  return guessablePasswordProblem(password, [userId, owner.name ?? '', owner.title ?? '']);
}

/** `scrypt$logN$r$p$salt$key` (base64url), for storage. Throws WEAK_PASSWORD under the policy. */
export async function hashPassword(password: string, userId: string, logN = DEFAULT_SCRYPT_LOG_N, owner: PasswordOwner = {}): Promise<string> {
  const problem = passwordProblem(password, userId, owner);
  if (problem !== null) throw new StorageError('WEAK_PASSWORD', problem);
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, logN, SCRYPT_R, SCRYPT_P);
  return ['scrypt', logN, SCRYPT_R, SCRYPT_P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when `password` produces `encoded`; compares in constant time. A malformed hash never matches. */
export async function passwordMatches(password: string, encoded: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, key] = encoded.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return false;
  const n = Number(logN);
  if (!Number.isInteger(n) || n < 10 || n > 22 || password.length > MAX_PASSWORD_LENGTH) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), n, Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of a random password: unknown users are checked against it so they take as long as known ones. */
export async function decoyHash(logN = DEFAULT_SCRYPT_LOG_N): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(randomBytes(24).toString('base64url'), salt, logN, SCRYPT_R, SCRYPT_P);
  return ['scrypt', logN, SCRYPT_R, SCRYPT_P, salt.toString('base64url'), key.toString('base64url')].join('$');
}
