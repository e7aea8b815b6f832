// Which process holds an embedded chDB directory. ClickHouse writes a `status` file into the
// directory it opens (`PID: …`, `Started at: …`) and locks it; the file stays after the process
// ends, so a pid counts only while such a process runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ChdbHolder {
  pid: number;
  /** As the status file says it, the engine's local time (e.g. `2026-12-06 22:39:53`). */
  startedAt: string;
}

export function chdbHolder(dir: string): ChdbHolder | null {
  let text: string;
  try {
    text = readFileSync(join(dir, 'status'), 'utf8');
  } catch {
    return null;
  }
  const pid = Number(/^PID: (\d+)$/m.exec(text)?.[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || !isRunning(pid)) return null;
  return { pid, startedAt: /^Started at: (.+)$/m.exec(text)?.[1]?.trim() ?? 'an unknown time' };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
