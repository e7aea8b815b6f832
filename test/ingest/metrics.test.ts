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
