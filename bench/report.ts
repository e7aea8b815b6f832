// Markdown output for the benchmark: tables the lead can paste into BENCHMARKS.md as printed.
import os from 'node:os';

export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The machine the figures came from: without it a benchmark number means little. */
export function machineTable(): string {
  const cpus = os.cpus();
  return markdownTable(
    ['CPU', 'cores', 'memory', 'node', 'OS', 'load average at start (1/5 min)'],
    [
      [
        cpus[0]?.model.trim() ?? 'unknown',
        String(cpus.length),
        formatBytes(os.totalmem()),
        process.version,
        `${os.type()} ${os.release()} ${os.arch()}`,
        // Other work on a small machine moves sub-microsecond figures; the load says how much there was.
        os.loadavg().slice(0, 2).map((l) => l.toFixed(2)).join(' / '),
      ],
    ],
  );
}

export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (Math.abs(bytes) >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (Math.abs(bytes) >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes.toFixed(0)} B`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatPercent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(3)}%`;
}

/** `value` against a target, e.g. `1.2 µs (≤ 2 µs) ✅ pass`. */
export function verdict(passes: boolean): string {
  return passes ? '✅ pass' : '❌ FAIL';
}
