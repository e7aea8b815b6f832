// underClaim: writes only under a claim won, runs the caller's refusal when the claim is lost, and
// gives the claim back when the write fails. The claims here are an in-memory VersionClaims (the
// NATS one is tested in test/ingest/version-claims.test.ts and in test/flows/gateways-side-by-side.test.ts).
import { describe, expect, it } from 'vitest';
import { underClaim, type VersionClaims } from '../../storage/index.js';

class MemoryClaims implements VersionClaims {
  readonly held = new Set<string>();
  async claim(kind: string, id: string, version: number): Promise<boolean> {
    const key = `${kind}/${id}/${version}`;
    if (this.held.has(key)) return false;
    this.held.add(key);
    return true;
  }
  async release(kind: string, id: string, version: number): Promise<void> {
    this.held.delete(`${kind}/${id}/${version}`);
  }
}

const lost = (): never => {
  throw new Error('lost');
};

describe('underClaim', () => {
  it('just writes when there are no claims (one process)', async () => {
    expect(await underClaim(undefined, 'release', 'r', 2, lost, async () => 'written')).toBe('written');
  });

  it('writes once: the second change of the same version is refused and does not write', async () => {
    const claims = new MemoryClaims();
    let writes = 0;
    const write = async () => ++writes;
    expect(await underClaim(claims, 'release', 'r', 2, lost, write)).toBe(1);
    await expect(underClaim(claims, 'release', 'r', 2, lost, write)).rejects.toThrow('lost');
    expect(writes).toBe(1);
    expect(await underClaim(claims, 'release', 'r', 3, lost, write)).toBe(2);
  });

  it('gives the claim back when the write fails, so a retry can write', async () => {
    const claims = new MemoryClaims();
    await expect(underClaim(claims, 'hotlist_entry', 'e', 2, lost, async () => { throw new Error('storage down'); })).rejects.toThrow('storage down');
    expect(claims.held.size).toBe(0);
    expect(await underClaim(claims, 'hotlist_entry', 'e', 2, lost, async () => 'retried')).toBe('retried');
  });
});
