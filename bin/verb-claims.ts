// Version claims for CLI verbs that change versioned records (users, release requests) against a
// ClickHouse server: gateways may change the same record at the same moment, and claim each new
// version on NATS (storage/version-claims.ts); a verb does the same when it can find the system's
// NATS. Embedded storage is one process at a time, so there is nothing to race there.
import { jetstream } from '@nats-io/jetstream';
import { openVersionClaims } from '../ingest/index.js';
import type { VersionClaims } from '../storage/index.js';
import type { PlatewatchConfig } from './config.js';
import { connectToSystem } from './runtime.js';
import type { VerbIO } from './verb.js';

export interface VerbClaims {
  claims: VersionClaims;
  close(): Promise<void>;
}

/**
 * Version claims on the system's NATS, or undefined — with a warning naming `what` — when it
 * cannot be reached: the change then goes ahead unguarded, as it would have before claims existed.
 */
export async function claimsForVerb(verb: string, what: string, config: PlatewatchConfig, io: VerbIO): Promise<VerbClaims | undefined> {
  const unguarded = (): undefined => {
    io.stderr.write(`platewatch ${verb}: warning: this change is not guarded against a gateway changing the same ${what} at the same moment\n`);
    return undefined;
  };
  const nc = await connectToSystem(verb, config, io, undefined);
  if (nc === null) return unguarded();
  try {
    return { claims: await openVersionClaims(jetstream(nc)), close: () => nc.close() };
  } catch (error) {
    io.stderr.write(`platewatch ${verb}: no version claims on NATS: ${(error as Error).message}\n`);
    await nc.close();
    return unguarded();
  }
}
