// The bytes of one hot list version in the object store: the validated entries, msgpack with
// records (repeated field names written once). Decoding checks the shape and refuses the whole
// object when anything is off, so a corrupt version never half-loads.
import { Packr } from 'msgpackr';
import type { HotlistEntry } from '../matcher/index.js';

const packr = new Packr({ useRecords: true });

export function encodeHotlist(entries: readonly HotlistEntry[]): Uint8Array {
  return packr.pack(entries);
}

export class HotlistDecodeError extends Error {
  readonly code = 'HOTLIST_UNREADABLE';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HotlistDecodeError';
  }
}

/** The entries of one version; throws HotlistDecodeError when the bytes are not a hot list of `list`. */
export function decodeHotlist(list: string, data: Uint8Array): HotlistEntry[] {
  let value: unknown;
  try {
    value = packr.unpack(data);
  } catch (error) {
    throw new HotlistDecodeError(`list ${list}: object is not a platewatch hot list (${(error as Error).message})`, { cause: error });
  }
  if (!Array.isArray(value)) throw new HotlistDecodeError(`list ${list}: object is not an array of entries`);
  for (let i = 0; i < value.length; i++) {
    const e = value[i] as Partial<HotlistEntry> | null;
    if (e === null || typeof e !== 'object' || typeof e.plate !== 'string' || e.list !== list || typeof e.isPattern !== 'boolean') {
      throw new HotlistDecodeError(`list ${list}: entry ${i} is malformed`);
    }
  }
  return value as HotlistEntry[];
}

