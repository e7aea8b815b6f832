// The log's word on general hot lists (Watsonville §471.5(f)(4), a daily download): a warning when
// one is stale (never loaded, or older than the limit), one line when it is current again; against
// a real nats-server's hot list store.
import { jetstream } from '@nats-io/jetstream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openHotlistStore, publishHotlist, watchHotlistStaleness } from '../../ingest/index.js';
import { resolveMatcherConfig, validateEntry } from '../../matcher/index.js';
import { useLocalNats } from '../fixtures/nats.js';
import { until } from '../reliability/fixtures.js';

const nats = useLocalNats('hotlist-status');
const config = resolveMatcherConfig({ generalLists: ['SVS', 'SFR'] });

function entry(plate: string) {
  const r = validateEntry({ plate, list: 'SVS', reason: 'Stolen', case_number: '26-0001', entered_by: 'DOJ', synopsis: '' }, config);
  if (!r.ok) throw new Error(r.reason);
  return r.entry;
}

describe('watchHotlistStaleness', () => {
  it('warns of each stale general list once, says when one is current again, and warns again when it ages', async () => {
    const lines: Array<{ level: number; msg: string; list?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const store = await openHotlistStore(jetstream(nats.nc));
    const staleAfterMs = 3_000;
    const watch = await watchHotlistStaleness(store, config, staleAfterMs, logger, (list) => (list === 'SFR' ? 'covert-1' : list), 200);
    try {
      // Awaited at start: both never loaded, each named once (SFR by its alias).
      expect(lines.map((l) => l.level)).toEqual([40, 40]);
      expect(lines[0]?.msg).toMatch(/^general hot list covert-1 is stale: it has never been loaded, and general lists are downloaded at least every 3 s/);
      expect(lines[1]?.msg).toMatch(/^general hot list SVS is stale: it has never been loaded, .*: \.\/platewatch hotlist load --list SVS --as ID FILE$/);
      await publishHotlist(store, 'SVS', [entry('7ABC123')], 'test');
      await until('SVS current again', () => (lines.some((l) => l.msg.startsWith('general hot list SVS is current again')) ? true : undefined), 10_000);
      // Left alone past the limit, it is stale again: one more warning, naming when it was loaded.
      await until('SVS stale again', () => (lines.filter((l) => l.msg.startsWith('general hot list SVS is stale')).length === 2 ? true : undefined), 15_000);
      expect(lines.filter((l) => l.msg.startsWith('general hot list SVS is stale')).at(-1)?.msg).toMatch(/^general hot list SVS is stale: it was loaded \d{4}-\d\d-\d\dT/);
      expect(lines.filter((l) => l.msg.includes('covert-1'))).toHaveLength(1);
      expect(lines.some((l) => l.msg.includes('SFR'))).toBe(false);
    } finally {
      watch.stop();
    }
  }, 60_000);
});
