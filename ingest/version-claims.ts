// Version claims (storage/version-claims.ts) kept in a NATS KV bucket, which every gateway and
// worker of one deployment shares. `create` succeeds for the first writer of a key only
// (JetStream's expected-last-sequence check), which is the compare-and-set ClickHouse lacks.
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { ClaimKind, VersionClaims } from '../storage/version-claims.js';

export const VERSION_CLAIMS_BUCKET = 'platewatch_version_claims';
/**
 * A claim only has to outlive its write: once version N + 1 is stored, every later change reads it
 * and claims N + 2. An hour covers a slow insert and a replica catching up, and keeps the bucket small.
 */
export const VERSION_CLAIM_TTL_MS = 60 * 60_000;

export class NatsVersionClaims implements VersionClaims {
  constructor(private readonly kv: KV) {}

  async claim(kind: ClaimKind, id: string, version: number): Promise<boolean> {
    try {
      await this.kv.create(claimKey(kind, id, version), JSON.stringify({ at: Date.now() }));
      return true;
    } catch (error) {
      if (error instanceof JetStreamApiError && (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)) return false;
      throw error;
    }
  }

  async release(kind: ClaimKind, id: string, version: number): Promise<void> {
    await this.kv.delete(claimKey(kind, id, version));
  }
}

/** Opens (creating when missing) the deployment's claims bucket. */
export async function openVersionClaims(js: JetStreamClient): Promise<NatsVersionClaims> {
  const kv = await new Kvm(js).create(VERSION_CLAIMS_BUCKET, { history: 1, ttl: VERSION_CLAIM_TTL_MS });
  return new NatsVersionClaims(kv);
}

/** KV keys allow only [-/_=.A-Za-z0-9]: ids (user input on some routes) go in as base64url. */
export function claimKey(kind: ClaimKind, id: string, version: number): string {
  if (!Number.isInteger(version) || version < 1) throw new RangeError(`bad claim version ${version}`);
  return `${kind}.${Buffer.from(id, 'utf8').toString('base64url') || '_'}.${version}`;
}
