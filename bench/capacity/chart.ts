// The capacity chart as a standalone SVG (no library, no fonts to fetch): latency against offered
// load on the left, each stage against its ceiling on the right. Both from one CapacityResult.
import { fmt } from '../storage/machine.js';
import { highestStep } from './report.js';
import type { CapacityResult } from './run.js';

const WIDTH = 1100;
const HEIGHT = 420;
const SERIES = [
  { key: 'p50', color: '#1b9e77' },
  { key: 'p95', color: '#d95f02' },
  { key: 'p99', color: '#7570b3' },
] as const;

function esc(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function text(x: number, y: number, body: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(body)}</text>`;
}

function latencyPanel(r: CapacityResult, x0: number, y0: number, w: number, h: number): string[] {
  const steps = [...r.ramp, ...r.fixed].filter((s) => s.latency.samples > 0).sort((a, b) => a.publishedRate - b.publishedRate);
  const out: string[] = [text(x0 + w / 2, y0 - 16, 'Latency, camera publish → hit on a console', 'text-anchor="middle" font-weight="bold"')];
  const maxRate = Math.max(1, ...steps.map((s) => s.publishedRate)) * 1.08;
  const maxMs = Math.max(10, ...steps.map((s) => s.latency.p99));
  const top = 10 ** Math.ceil(Math.log10(maxMs));
  const bottom = 1;
  const px = (rate: number): number => x0 + (rate / maxRate) * w;
  const py = (ms: number): number => y0 + h - ((Math.log10(Math.max(bottom, ms)) - Math.log10(bottom)) / (Math.log10(top) - Math.log10(bottom))) * h;
  out.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (let v = bottom; v <= top * 1.0001; v *= 10) {
    out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(text(x0 - 6, py(v) + 4, fmt(v), 'text-anchor="end"'));
  }
  const tickStep = 10 ** Math.floor(Math.log10(maxRate / 2)) * (maxRate / 10 ** Math.floor(Math.log10(maxRate)) > 5 ? 2 : 1);
  for (let v = 0; v <= maxRate; v += tickStep) {
    out.push(`<line x1="${px(v).toFixed(1)}" x2="${px(v).toFixed(1)}" y1="${y0 + h}" y2="${y0 + h + 4}" stroke="#999"/>`);
    out.push(text(px(v), y0 + h + 18, fmt(v), 'text-anchor="middle"'));
  }
  out.push(text(x0 + w / 2, y0 + h + 38, 'reads/s the cameras published (filled: sustained, hollow: not)', 'text-anchor="middle"'));
  out.push(text(x0 - 44, y0 + h / 2, 'ms (log scale)', `text-anchor="middle" transform="rotate(-90 ${x0 - 44} ${y0 + h / 2})"`));
  const highest = highestStep(r);
  if (highest !== undefined) {
    const x = px(highest.publishedRate);
    out.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y0}" y2="${y0 + h}" stroke="#444" stroke-dasharray="4 4"/>`);
    out.push(text(x + 4, y0 + 14, `highest sustained ${fmt(r.highestSustainedRate)}/s`, 'font-size="11"'));
  }
  SERIES.forEach((series, i) => {
    const points = steps.map((s) => `${px(s.publishedRate).toFixed(1)},${py(s.latency[series.key]).toFixed(1)}`);
    out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${series.color}" stroke-width="1.5"/>`);
    for (const s of steps) {
      out.push(`<circle cx="${px(s.publishedRate).toFixed(1)}" cy="${py(s.latency[series.key]).toFixed(1)}" r="3.5" stroke="${series.color}" fill="${s.sustained ? series.color : 'white'}"/>`);
    }
    out.push(`<rect x="${x0 + 10 + i * 60}" y="${y0 + h - 22}" width="10" height="10" fill="${series.color}"/>`, text(x0 + 24 + i * 60, y0 + h - 13, series.key, 'font-size="11"'));
  });
  return out;
}

function ceilingPanel(r: CapacityResult, x0: number, y0: number, w: number): string[] {
  const stored = highestStep(r)?.processedRate ?? 0;
  const rows = [
    { stage: 'NATS: JetStream consume + ack', measured: stored, ceiling: r.ceilings.jetstreamReadsPerSecond, unit: 'reads/s' },
    { stage: 'storage: chDB insert (RowBinary batches)', measured: stored, ceiling: r.ceilings.chdbRowsPerSecond, unit: 'rows/s' },
    { stage: 'fan-out: uWS raw broadcast', measured: r.gatewayFanOut.deliveriesPerSecond, ceiling: r.ceilings.uwsBroadcast.deliveriesPerSecond, unit: 'deliveries/s' },
  ];
  const out: string[] = [text(x0 + w / 2, y0 - 16, 'Throughput against each stage\'s ceiling (same run)', 'text-anchor="middle" font-weight="bold"')];
  rows.forEach((row, i) => {
    const y = y0 + 20 + i * 100;
    const share = row.ceiling > 0 ? Math.min(1, row.measured / row.ceiling) : 0;
    out.push(text(x0, y, row.stage, 'font-weight="bold"'));
    out.push(`<rect x="${x0}" y="${y + 8}" width="${w}" height="26" fill="#e8e8e8"/>`);
    out.push(`<rect x="${x0}" y="${y + 8}" width="${(w * share).toFixed(1)}" height="26" fill="#3b75af"/>`);
    out.push(text(x0 + 6, y + 26, `${fmt((100 * row.measured) / Math.max(1, row.ceiling))} %`, share > 0.12 ? 'fill="white"' : ''));
    out.push(text(x0, y + 52, `system ${fmt(row.measured)} of ceiling ${fmt(row.ceiling)} ${row.unit}`, 'font-size="11"'));
  });
  out.push(text(x0, y0 + 320, `system: reads stored/s at the highest sustained rate; gateway top fan-out to ${fmt(r.options.consoles)} consoles`, 'font-size="11"'));
  return out;
}

export function renderChart(r: CapacityResult): string {
  const load = r.loadAverage.start[0] ?? 0;
  const title = `platewatch capacity — ${r.machine.cores} × ${r.machine.cpu}, load ${fmt(load, 2)} at start, ${r.startedAt.slice(0, 16)}Z${r.options.quick ? ' (quick run)' : ''}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    '<rect width="100%" height="100%" fill="white"/>',
    text(WIDTH / 2, 20, title, 'text-anchor="middle" font-size="13"'),
    ...latencyPanel(r, 80, 60, 480, 290),
    ...ceilingPanel(r, 640, 60, 420),
    '</svg>',
    '',
  ].join('\n');
}
