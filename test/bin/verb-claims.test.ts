// CLI verbs claim versions where gateways do (bin/verb-claims.ts), with a real nats-server: a
// verb's claim and a gateway's claim of the same version exclude each other, and without a
// reachable NATS the verb says its change is unguarded instead of failing.
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { jetstream } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../bin/config.js';
import { claimsForVerb } from '../../bin/verb-claims.js';
import type { VerbIO } from '../../bin/verb.js';
import { openVersionClaims } from '../../ingest/index.js';
import { useLocalNats } from '../fixtures/nats.js';

// Its connection stands for a gateway's.
const nats = useLocalNats('verb-claims');
const dir = nats.dir;

function io(): VerbIO & { errors: () => string } {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: {}, cwd: dir, errors: () => text };
}

describe('version claims for CLI verbs', () => {
  it('claims on the system NATS, against the same claims a gateway makes', async () => {
    const verbIo = io();
    const verb = await claimsForVerb('users', 'user', resolveConfig({ nats: { url: nats.server.url }, dataDir: join(dir, 'data') }, {}), verbIo);
    expect(verb).toBeDefined();
    try {
      const gateway = await openVersionClaims(jetstream(nats.nc));
      expect(await gateway.claim('user', 'ofc.cli', 2)).toBe(true);
      // The gateway wrote version 2 first: the verb cannot write it too.
      expect(await verb!.claims.claim('user', 'ofc.cli', 2)).toBe(false);
      expect(await verb!.claims.claim('user', 'ofc.cli', 3)).toBe(true);
      expect(await gateway.claim('user', 'ofc.cli', 3)).toBe(false);
      expect(verbIo.errors()).toBe('');
    } finally {
      await verb?.close();
    }
  });

  it('goes ahead unguarded, and says so, when no NATS can be found', async () => {
    const verbIo = io();
    const verb = await claimsForVerb('release', 'request', resolveConfig({ dataDir: join(dir, 'nothing-running') }, {}), verbIo);
    expect(verb).toBeUndefined();
    expect(verbIo.errors()).toMatch(/no running platewatch/);
    expect(verbIo.errors()).toMatch(/warning: this change is not guarded against a gateway changing the same request at the same moment/);
  });
});
