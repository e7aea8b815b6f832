// A hot list file sent to a running gateway's load endpoint as the CLI sends it, from a process of
// its own, so that reading and sending the file costs the process being measured nothing.
import { spawn } from 'node:child_process';

export function uploadFromChild(url: string, token: string, file: string): Promise<{ status: number; body: string }> {
  const script = `const r = await fetch(process.argv[1], { method: 'POST', headers: { authorization: 'Bearer ' + process.argv[2], 'content-type': 'text/csv' }, body: await (await import('node:fs/promises')).readFile(process.argv[3]) });
process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, url, token, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { status: number; body: string }) : reject(new Error(`hot list upload exited with ${code}`))));
  });
}
