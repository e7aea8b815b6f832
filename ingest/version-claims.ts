// Version claims (storage/version-claims.ts) kept in a NATS KV bucket, which every gateway and
// worker of one deployment shares. `create` succeeds for the first writer of a key only
// (JetStream's expected-last-sequence check), which is the compare-and-set ClickHouse lacks.
import { randomUUID } from 'node:crypto';
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { ClaimKind, VersionClaims } from '../storage/version-claims.js';

export const VERSION_CLAIMS_BUCKET = 'platewatch_version_claims';
/**
 * A claim only has to outlive its write: once version N + 1 is stored, every later change reads it
 * and claims N + 2. An hour covers a slow insert and a replica catching up, and keeps the bucket small.
 */
export const VERSION_CLAIM_TTL_MS = 60 * 60_000;

/**
 * A claim still standing this long after it was made, for a version the caller has just read as
 * not written, is orphaned: the process that made it stopped (killed, or restarted) between claim
 * and write, since a write finishes or fails well within it (the ClickHouse client gives up on a
 * request after 30 s). Another process may then take it over, rather than refusing every retry as
 * "resolved on another console" for the claim's hour (found by QA: a gateway that stopped while
 * recording a disposition left the hit unanswerable through the others).
 */
export const STALE_CLAIM_MS = 5 * 60_000;

/** At most this many unanswered claims are remembered (one per change tried while NATS hung). */
const MAX_UNANSWERED = 10_000;

export class NatsVersionClaims implements VersionClaims {
  /**
   * Claims whose create got no answer (a timeout while nats-server hung), key → the token it
   * carried. NATS may still carry such a create out once it answers again: the claim then stands
   * for a change that failed and wrote nothing, and refused the retry as "resolved on another
   * console" for the claim's hour (found by QA). Seen again here, it is this process's to take.
   */
  private readonly unanswered = new Map<string, string>();

  constructor(private readonly kv: KV, private readonly staleAfterMs = STALE_CLAIM_MS) {}

  async claim(kind: ClaimKind, id: string, version: number): Promise<boolean> {
    const key = claimKey(kind, id, version);
    const token = randomUUID();
    const value = JSON.stringify({ at: Date.now(), token });
    try {
      await this.kv.create(key, value);
      this.unanswered.delete(key);
      return true;
    } catch (error) {
      if (!isWrongLastSequence(error)) {
        this.rememberUnanswered(key, token);
        throw error;
      }
    }
    const held = await this.kv.get(key);
    if (held === null) return false;
    const ours = this.unanswered.get(key);
    if (ours !== undefined && tokenOf(held.string()) === ours) {
      this.unanswered.delete(key);
      return true;
    }
    // Aged from the server's time of the claim: the grace is far wider than hosts' clocks differ under NTP.
    if (Date.now() - held.created.getTime() < this.staleAfterMs) return false;
    try {
      // Compare-and-set on the orphan's revision: of several processes taking it over, one wins.
      await this.kv.update(key, value, held.revision);
      return true;
    } catch (error) {
      if (isWrongLastSequence(error)) return false;
      throw error;
    }
  }

  private rememberUnanswered(key: string, token: string): void {
    this.unanswered.delete(key);
    this.unanswered.set(key, token);
    if (this.unanswered.size > MAX_UNANSWERED) this.unanswered.delete(this.unanswered.keys().next().value as string);
  }

  async release(kind: ClaimKind, id: string, version: number): Promise<void> {
    await this.kv.delete(claimKey(kind, id, version));
  }
}

function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}

/** The token of a claim's value; claims of earlier versions carry none. */
function tokenOf(value: string): string | undefined {
  try {
    const token = (JSON.parse(value) as { token?: unknown }).token;
    return typeof token === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}

/** Opens (creating when missing) the deployment's claims bucket. */
export async function openVersionClaims(js: JetStreamClient, staleAfterMs = STALE_CLAIM_MS): Promise<NatsVersionClaims> {
  const kv = await new Kvm(js).create(VERSION_CLAIMS_BUCKET, { history: 1, ttl: VERSION_CLAIM_TTL_MS });
  return new NatsVersionClaims(kv, staleAfterMs);
}

/** KV keys allow only [-/_=.A-Za-z0-9]: ids (user input on some routes) go in as base64url. */
export function claimKey(kind: ClaimKind, id: string, version: number): string {
  if (!Number.isInteger(version) || version < 1) throw new RangeError(`bad claim version ${version}`);
  return `${kind}.${Buffer.from(id, 'utf8').toString('base64url') || '_'}.${version}`;
}
