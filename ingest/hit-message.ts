// What a hit looks like on alpr.hits.<agency>.<list>: the read, the hit, and a stable id, msgpack
// encoded. The id is derived from the read id and the entry (not the list version), so a
// redelivered read republishes the same id and JetStream's duplicate window drops it; consoles
// dedupe on it too.
import { Packr } from 'msgpackr';
import type { Hit } from '../matcher/index.js';
import type { WireRead } from './wire.js';

export const HIT_MESSAGE_VERSION = 1;

export interface HitMessage {
  v: number;
  hitId: string;
  /** When the pipeline published it (ms epoch): end-to-end latency starts at `read.ts`, ends on a console. */
  publishedAt: number;
  /** When the pipeline took the read off the stream (ms epoch): splits latency into transport and processing. Live hits only. */
  receivedAt?: number;
  /** True for a past sighting raised when an entry was added later (retroactive hit). */
  historical: boolean;
  read: WireRead;
  hit: Hit;
}

export { hitId } from '../matcher/index.js';

const packr = new Packr({ useRecords: false });

export function encodeHitMessage(message: HitMessage): Uint8Array {
  return packr.pack(message);
}

export function decodeHitMessage(data: Uint8Array): HitMessage {
  return packr.unpack(data) as HitMessage;
}
