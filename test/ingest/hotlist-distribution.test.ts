// Hot list versions through the JetStream object store, with a real nats-server.
import { jetstream } from '@nats-io/jetstream';
import { getSha256Backend } from '@nats-io/obj';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { encodeHotlist, HotlistFollower, ListBuilder, MetricsRegistry, openHotlistStore, publishHotlist } from '../../ingest/index.js';
import { Matcher, resolveMatcherConfig, validateEntry, type Hit, type HotlistEntry } from '../../matcher/index.js';
import { useLocalNats } from '../fixtures/nats.js';
import { until as untilValue } from '../reliability/fixtures.js';

const config = resolveMatcherConfig();
const nats = useLocalNats('hotlists');

function entries(list: string, plates: string[]): HotlistEntry[] {
  return plates.map((plate) => {
    const r = validateEntry({ plate, list, case_number: '26-1', entered_by: 'Ofc. A', synopsis: 's' }, config);
    if (!r.ok) throw new Error(r.reason);
    return r.entry;
  });
}

async function until(probe: () => boolean): Promise<void> {
  await untilValue('the workers to follow the store', () => (probe() ? true : undefined), 10_000, 20);
}

describe('hot list distribution', () => {
  it('checks objects with node:crypto\'s SHA-256, not the object store\'s pure-JS default (2.5 s of main thread per 122 MB list)', () => {
    expect(getSha256Backend()).toBe('native');
  });

  it('brings every worker to the same version of each list, and reports what changed', async () => {
    const store = await openHotlistStore(jetstream(nats.nc));
    const first = await publishHotlist(store, 'SVS', entries('SVS', ['7ABC123', '8XYZ999']), 'admin');
    expect(first).toMatchObject({ list: 'SVS', version: 1, entries: 2, added: 2, removed: 0 });

    // A worker that starts after the list was put loads it at start.
    const a = new Matcher(config);
    const b = new Matcher(config);
    const builder = new ListBuilder(config);
    const followers = [new HotlistFollower(store, a, builder, pino({ level: 'silent' })), new HotlistFollower(store, b, builder, pino({ level: 'silent' }))];
    for (const f of followers) await f.start();
    expect(a.lists().map((l) => [l.list, l.version])).toEqual([['SVS', first.version]]);

    const second = await publishHotlist(store, 'SVS', entries('SVS', ['7ABC123', '1NEW111', '2NEW222']), 'admin');
    expect(second).toMatchObject({ version: 2, entries: 3, added: 2, removed: 1 });
    await until(() => a.current.get('SVS')?.version === second.version && b.current.get('SVS')?.version === second.version);
    expect(a.matchRead({ id: 'r', plate: '1NEW111' }, Date.now())).toHaveLength(1);
    expect(b.matchRead({ id: 'r', plate: '8XYZ999' }, Date.now())).toHaveLength(0);

    // Each list counts its own versions: BOLO's first load is version 1 whatever SVS is at.
    expect(await publishHotlist(store, 'BOLO', entries('BOLO', ['6TRJ244']), 'admin')).toMatchObject({ version: 1 });
    await until(() => b.lists().length === 2);
    expect(b.current.get('BOLO')?.version).toBe(1);
    await store.delete('BOLO');
    await until(() => a.lists().length === 1 && b.lists().length === 1);
    // Loaded again after a delete, a list counts on, so no number names two contents.
    expect(await publishHotlist(store, 'BOLO', entries('BOLO', ['6TRJ244', '3GHK812']), 'admin')).toMatchObject({ version: 2, added: 2, removed: 0 });
    await until(() => a.current.get('BOLO')?.version === 2 && b.current.get('BOLO')?.version === 2);
    for (const f of followers) await f.stop();
    await builder.close();
  });

  it('counts on from the store revision for objects put before lists counted their own versions, and applies the newer object', async () => {
    const store = await openHotlistStore(jetstream(nats.nc));
    // An object as an older platewatch put it: no listVersion in its metadata.
    const legacy = await store.putBlob({ name: 'SFR', metadata: { format: 'platewatch-hotlist-v1' } }, encodeHotlist(entries('SFR', ['4OLD444'])));
    const matcher = new Matcher(config);
    const builder = new ListBuilder(config);
    const follower = new HotlistFollower(store, matcher, builder, pino({ level: 'silent' }));
    try {
      await follower.start();
      expect(matcher.current.get('SFR')?.version).toBe(legacy.revision);
      const next = await publishHotlist(store, 'SFR', entries('SFR', ['4OLD444', '5NEW555']), 'admin');
      expect(next).toMatchObject({ version: legacy.revision + 1, added: 1, removed: 0 });
      await until(() => matcher.current.get('SFR')?.version === next.version);

      // Two loaders that raced to the same number: the object put last is the one in force.
      await store.putBlob({ name: 'SFR', metadata: { format: 'platewatch-hotlist-v1', listVersion: String(next.version) } }, encodeHotlist(entries('SFR', ['6RACE66'])));
      await until(() => matcher.matchRead({ id: 'r', plate: '6RACE66' }, Date.now()).length === 1);
      expect(matcher.matchRead({ id: 'r', plate: '5NEW555' }, Date.now())).toHaveLength(0);
    } finally {
      await follower.stop();
      await builder.close();
    }
  });

  it('applies a version put while the lists present at start are still building', async () => {
    const store = await openHotlistStore(jetstream(nats.nc));
    await publishHotlist(store, 'SLR', entries('SLR', ['1SLR001']), 'admin');
    // The real builder, held at its first build as a large general list would hold it for seconds.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let builds = 0;
    class HeldBuilder extends ListBuilder {
      override async build(list: string, version: number, data: Uint8Array) {
        if (builds++ === 0) await held;
        return super.build(list, version, data);
      }
    }
    const builder = new HeldBuilder(config);
    const matcher = new Matcher(config);
    const follower = new HotlistFollower(store, matcher, builder, pino({ level: 'silent' }));
    try {
      const starting = follower.start();
      await untilValue('the first build to start', () => (builds > 0 ? true : undefined), 10_000, 5);
      const during = await publishHotlist(store, 'SLR', entries('SLR', ['1SLR001', '2SLR002']), 'admin');
      release();
      await starting;
      await until(() => matcher.current.get('SLR')?.version === during.version);
      expect(matcher.matchRead({ id: 'r', plate: '2SLR002' }, Date.now())).toHaveLength(1);
    } finally {
      await follower.stop();
      await builder.close();
    }
  });

  it('builds a list in a worker thread into an index that matches like one built here', async () => {
    const builder = new ListBuilder(config);
    try {
      const listed = entries('BOLO', ['6TRJ244', '7AB?12', '*XK9*', 'B0S1234']);
      const local = new Matcher(config);
      local.loadList('BOLO', listed);
      const remote = new Matcher(config);
      remote.swapList(await builder.build('BOLO', 7, encodeHotlist(listed)));
      expect(remote.current.get('BOLO')?.version).toBe(7);
      for (const plate of ['6TRJ244', '6TRJ245', '7ABX12', '7A8X1Z', 'QXK9Q', '8O51234', 'ZZZ999']) {
        const strip = (hits: readonly Hit[]): unknown[] => hits.map(({ listVersion: _v, ...rest }) => rest);
        expect(strip(remote.matchRead({ id: plate, plate }, Date.now())), plate).toEqual(strip(local.matchRead({ id: plate, plate }, Date.now())));
      }
      await expect(builder.build('BOLO', 8, new TextEncoder().encode('not a hot list'))).rejects.toMatchObject({ code: 'HOTLIST_UNREADABLE' });
    } finally {
      await builder.close();
    }
  });
  it('logs a covert list under the name it is given for logs, never its own (up\'s log is read by people not named for it)', async () => {
    const store = await openHotlistStore(jetstream(nats.nc));
    const registry = new MetricsRegistry();
    registry.withholdLabelValues('list', ['NARC'], 'covert');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const matcher = new Matcher(config);
    const builder = new ListBuilder(config);
    const follower = new HotlistFollower(store, matcher, builder, logger, () => {}, (list) => registry.labelValue('list', list));
    try {
      await follower.start();
      await publishHotlist(store, 'NARC', entries('NARC', ['5COV555']), 'admin');
      await until(() => matcher.current.get('NARC') !== undefined);
      await store.delete('NARC');
      await until(() => matcher.current.get('NARC') === undefined);
      const logged = lines.join('');
      expect(logged).toContain('"list":"covert-1"');
      expect(logged).toContain('hot list removed');
      expect(logged).not.toContain('NARC');
    } finally {
      await follower.stop();
      await builder.close();
    }
  });
});
