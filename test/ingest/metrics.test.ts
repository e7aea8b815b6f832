import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../ingest/index.js';

describe('MetricsRegistry', () => {
  it('renders counters and gauges with labels in Prometheus text format', async () => {
    const r = new MetricsRegistry();
    const c = r.counter('x_total', 'things');
    c.inc();
    c.inc(2, { list: 'SVS' });
    c.inc(1, { list: 'SVS' });
    const g = r.gauge('y', 'level');
    g.set(7, { name: 'a"b\\c\nd' });
    const text = await r.render();
    expect(text).toContain('# HELP x_total things\n# TYPE x_total counter\nx_total 1\nx_total{list="SVS"} 3\n');
    expect(text).toContain('y{name="a\\"b\\\\c\\nd"} 7');
    expect(c.get({ list: 'SVS' })).toBe(3);
  });

  it('keeps cumulative histogram buckets and answers quantiles by bucket bound', async () => {
    const r = new MetricsRegistry();
    const h = r.histogram('lat_seconds', 'latency', [0.001, 0.01, 0.1]);
    for (const v of [0.0005, 0.005, 0.005, 0.05, 5]) h.observe(v);
    const text = await r.render();
    expect(text).toContain('lat_seconds_bucket{le="0.001"} 1\nlat_seconds_bucket{le="0.01"} 3\nlat_seconds_bucket{le="0.1"} 4\nlat_seconds_bucket{le="+Inf"} 5');
    expect(text).toMatch(/lat_seconds_count 5/);
    expect(h.quantile(0.5)).toBe(0.01);
    expect(h.quantile(0.99)).toBe(Number.POSITIVE_INFINITY);
  });

  it('runs collectors before rendering and returns the same metric for the same name', async () => {
    const r = new MetricsRegistry();
    const g = r.gauge('pending', 'p');
    let calls = 0;
    r.onCollect(async () => {
      calls++;
      g.set(42);
    });
    expect(r.gauge('pending', 'p')).toBe(g);
    expect(await r.render()).toContain('pending 42');
    expect(calls).toBe(1);
  });
});

describe('MetricsRegistry collectors that do not answer', () => {
  it('answers a scrape after the collect timeout with the last values, the others refreshed, and a failing collector left out', async () => {
    const r = new MetricsRegistry({ collectTimeoutMs: 200 });
    const stuck = r.gauge('consumer_pending', 'pending');
    stuck.set(41);
    const fresh = r.gauge('fresh', 'refreshed');
    let n = 0;
    // A NATS that hangs: the request never comes back.
    r.onCollect(() => new Promise<void>(() => {}));
    r.onCollect(async () => { throw new Error('store unreachable'); });
    r.onCollect(() => { fresh.set(++n); });
    const started = Date.now();
    const text = await r.render();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(text).toContain('consumer_pending 41');
    expect(text).toContain('fresh 1');
  });
});

describe('MetricsRegistry series before the first event', () => {
  it('exports an unlabeled counter and gauge as 0 from creation, so increase() sees the first event after a restart', async () => {
    const r = new MetricsRegistry();
    r.counter('failures_total', 'failures');
    r.gauge('pending', 'pending');
    const text = await r.render();
    expect(text).toContain('# TYPE failures_total counter\nfailures_total 0\n');
    expect(text).toContain('# TYPE pending gauge\npending 0\n');
  });

  it('exports a labelled metric only once recorded, except the label sets known up front, which start at 0', async () => {
    const r = new MetricsRegistry();
    const hits = r.counter('hits_total', 'Hits', { labelNames: ['list'] });
    r.counter('pulls_total', 'Pulls', { labelNames: ['reason'], known: [{ reason: 'missed' }, { reason: 'other' }] });
    const before = await r.render();
    expect(before).toContain('# TYPE hits_total counter\n# HELP pulls_total');
    expect(before).toContain('pulls_total{reason="missed"} 0\npulls_total{reason="other"} 0\n');
    hits.inc(1, { list: 'SVS' });
    expect(await r.render()).toContain('# TYPE hits_total counter\nhits_total{list="SVS"} 1\n# HELP');
  });

  it('hands out a series to record into without a look-up per event', async () => {
    const r = new MetricsRegistry();
    const reads = r.counter('reads_total', 'Reads', { labelNames: ['camera'] });
    const cam = reads.series({ camera: 'c"1' });
    cam.value += 2;
    expect(reads.series({ camera: 'c"1' })).toBe(cam);
    expect(reads.get({ camera: 'c"1' })).toBe(2);
    expect(await r.render()).toContain('reads_total{camera="c\\"1"} 2');
  });
});

describe('MetricsRegistry.withholdLabelValues', () => {
  it('exposes the withheld values under stable aliases, keeping their series apart, and leaves the rest as they are', async () => {
    const registry = new MetricsRegistry();
    registry.withholdLabelValues('list', ['NARC', 'GANG', 'NARC'], 'covert');
    const hits = registry.counter('hits_total', 'Hits');
    hits.inc(2, { list: 'NARC', kind: 'exact' });
    hits.inc(1, { list: 'GANG', kind: 'exact' });
    hits.inc(5, { list: 'SVS', kind: 'NARC' }); // only the named label is rewritten
    const text = await registry.render();
    expect(text).toContain('hits_total{list="covert-2",kind="exact"} 2');
    expect(text).toContain('hits_total{list="covert-1",kind="exact"} 1');
    expect(text).toContain('hits_total{list="SVS",kind="NARC"} 5');
    expect(text).not.toContain('GANG');
    expect(hits.get({ list: 'NARC', kind: 'exact' })).toBe(2);
  });
});
