// The daily hot list reload as the capacity run measures it: the run's SVS list again, a tenth of
// its entries changed, sent as a CSV file to the gateway's `POST /api/hotlists/SVS/load` from
// another process (as `platewatch hotlist load` sends it), so the system parses, encodes and
// builds it on the path a department's reload takes (bench/hotlist/load.bench.ts measures the
// same path at 1,000,000 rows). The peak RSS of the system process above its idle RSS is what a
// planner must leave free for it.
import { readFileSync, writeFileSync } from 'node:fs';
import type { RunningSystem } from '../../bin/system.js';
import { HOTLIST_REQUIRED_COLUMNS } from '../../ingest/index.js';
import type { HotlistEntry } from '../../matcher/index.js';
import { dayIn, saveUser } from '../../storage/index.js';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';
import { uploadFromChild } from '../hotlist/upload.js';

export interface HotlistReload {
  entries: number;
  changed: number;
  /** RSS of the system process after GC just before the reload. */
  idleRssBytes: number;
  /** Highest RSS during the reload: the kernel's high-water mark when it can be reset, else sampled every 20 ms. */
  peakRssBytes: number;
  peakFrom: 'VmHWM' | 'sampled';
  /** From sending the file until the matcher serves the new version. */
  seconds: number;
}

const RSS_SAMPLE_MS = 20;

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The entries as the state's file lists them, in the columns every load needs. */
export function hotlistCsv(entries: readonly HotlistEntry[]): string {
  const header = `${HOTLIST_REQUIRED_COLUMNS.join(',')}\n`;
  return header + entries.map((e) => `${[e.listed, e.state ?? '', e.list, e.reason, e.caseNumber, e.enteredBy, e.synopsis].map(csvField).join(',')}\n`).join('');
}

/** Resets the kernel's peak-RSS mark of this process (Linux: clear_refs 5); false where that is not possible. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function kernelPeakRss(): number {
  return Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN) * 1024;
}

/** A signed-in administrator, who may load hot lists. */
async function administratorToken(system: RunningSystem): Promise<string> {
  const userId = 'bench-admin';
  const password = `capacity-admin-${process.pid}-${Date.now()}`;
  await saveUser(system.storage, { userId, name: 'Capacity benchmark', title: 'Administrator', roles: ['administrator'], trainedAt: dayIn(system.storage.config.timeZone), active: true }, 'bench');
  await system.credentials.setPassword(userId, password, 'bench');
  const login = await system.credentials.login(userId, password);
  if (!login.ok) throw new BenchError(BENCH_ERROR_CODES.setupFailed, `benchmark administrator could not sign in: ${login.reason}`);
  return login.token;
}

/** Sends the file from another process, so the sending costs the measured process nothing. */
function upload(url: string, token: string, file: string): Promise<{ status: number; body: string }> {
  return uploadFromChild(url, token, file).catch((error: unknown) => {
    throw new BenchError(BENCH_ERROR_CODES.setupFailed, (error as Error).message);
  });
}

/**
 * Reloads the SVS list from `file` (written by the caller, `entries` rows of which `changed` differ
 * from the version in force) and measures the system process's RSS over it. `settledRss` collects
 * garbage first, so idle is what the system keeps.
 */
export async function reloadThroughGateway(system: RunningSystem, file: string, counts: { entries: number; changed: number }, settledRss: () => number): Promise<HotlistReload> {
  const base = system.gateway?.url;
  if (base === undefined) throw new BenchError(BENCH_ERROR_CODES.setupFailed, 'the gateway did not start');
  const token = await administratorToken(system);
  const version = (): number => system.matcher.lists().find((l) => l.list === 'SVS')?.version ?? 0;
  const before = version();
  const idleRssBytes = settledRss();
  const kernel = resetPeakRss();
  let sampled = process.memoryUsage().rss;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), RSS_SAMPLE_MS);
  const started = performance.now();
  try {
    const reply = await upload(`${base}/api/hotlists/SVS/load`, token, file);
    if (reply.status !== 200) throw new BenchError(BENCH_ERROR_CODES.setupFailed, `hot list reload answered ${reply.status}: ${reply.body.slice(0, 300)}`);
    while (version() === before) await new Promise((resolve) => setTimeout(resolve, RSS_SAMPLE_MS));
    const seconds = (performance.now() - started) / 1000;
    const peak = kernel ? kernelPeakRss() : sampled;
    return { ...counts, idleRssBytes, peakRssBytes: Math.max(peak, sampled), peakFrom: kernel ? 'VmHWM' : 'sampled', seconds };
  } finally {
    clearInterval(sampler);
  }
}
