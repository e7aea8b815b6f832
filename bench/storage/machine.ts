// What the benchmark ran on, for the Markdown report.
import { cpus, totalmem } from 'node:os';

export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${process.platform}`;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Reads `--name value` / `--name=value` from argv, else the default. */
export function arg(name: string, fallback: string): string {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === `--${name}`) return argv[i + 1] ?? fallback;
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return fallback;
}

/**
 * Refuses what the script does not read, so that a mistyped option cannot run the defaults and
 * print figures under a command that was not run: `--help` prints the usage (exit 0); an unknown
 * option, a value option without its value, or a stray argument prints the problem and the usage
 * on stderr (exit 2). `options` take a value (`--name value` or `--name=value`); `flags` take none.
 */
export function acceptOnly(usage: string, options: readonly string[], flags: readonly string[] = []): void {
  const argv = process.argv.slice(2);
  const refuse = (problem: string): never => {
    process.stderr.write(`${problem}\n${usage}\n`);
    process.exit(2);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    if (!a.startsWith('--')) refuse(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (flags.includes(name) && eq === -1) continue;
    if (!options.includes(name)) refuse(`unknown option ${a}`);
    if (eq === -1) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) refuse(`option --${name} needs a value`);
      i++;
    }
  }
}
