// Whether `up` can listen on the configured HTTP host at all, asked before anything starts. The
// gateway's listen fails the same way for a taken port, a name that does not resolve and an
// address of another machine ("cannot listen on notahost:0 (in use, or not permitted)" for a
// misspelt host: found by QA); resolving the name first tells them apart.
import { lookup } from 'node:dns/promises';
import { createServer } from 'node:net';

export interface ListenHostProblem {
  code: 'LISTEN_HOST_UNRESOLVED' | 'LISTEN_HOST_NOT_LOCAL';
  /** Completes "<setting> "<host>" …". */
  reason: string;
}

/** Null when `host` resolves to an address this machine can listen on (the port is the gateway's business). */
export async function listenHostProblem(host: string): Promise<ListenHostProblem | null> {
  let address: string;
  try {
    ({ address } = await lookup(host));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { code: 'LISTEN_HOST_UNRESOLVED', reason: `does not resolve${code === undefined ? '' : ` (${code})`}: give an address of this machine, or 0.0.0.0 for all` };
  }
  const bindError = await tryBind(address);
  if (bindError === 'EADDRNOTAVAIL') {
    const resolved = address === host ? '' : ` (it resolves to ${address})`;
    return { code: 'LISTEN_HOST_NOT_LOCAL', reason: `is not an address of this machine${resolved}: give one of its own, or 0.0.0.0 for all` };
  }
  return null;
}

/** Binds a throwaway listener on any free port of `address`: the error code, or null when it could. */
function tryBind(address: string): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'unknown'));
    probe.listen({ host: address, port: 0, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}
