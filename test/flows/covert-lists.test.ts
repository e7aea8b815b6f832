// Covert lists across the whole system as `platewatch up` starts it: `hits.covertLists` from the
// configuration reaches the hot list API (a patrol user not named for the list never learns it
// exists) and the public transparency report (its hits counted, its name withheld).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../bin/config.js';
import { recordHits, type StoredHit } from '../../storage/index.js';
import { accessRecords, startApiSystem, type ApiSystem } from './api-system.js';

let api: ApiSystem;
const DAY = Date.UTC(2026, 10, 20);
const secret = { plate: '3NRC333', caseNumber: 'WPD-26-0999', synopsis: 'Grey van seen at the Nightjar stash house' };

function hit(hitId: string, list: string): StoredHit {
  return {
    hitId, readId: `read-${hitId}`, agency: 'WPD', camera: 'cam-1', seenAt: DAY + 3_600_000, plate: '3NRC333', list, entryId: '3NRC333', entryVersion: 1,
    matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
  };
}

beforeAll(async () => {
  // As an operator writes it in the config file; the configuration upper-cases the list name.
  const { hits } = resolveConfig({ hits: { covertLists: { narc: ['analyst1', 'administrator1'] } } }, {});
  api = await startApiSystem({ hits });
  const admin = api.token('administrator');
  expect((await api.call('POST', '/api/hotlists', admin, { list: 'NARC', purpose: 'Operation Nightjar: narcotics delivery vehicles' })).status).toBe(201);
  const submitted = await api.call('POST', '/api/hotlists/NARC/entries', api.token('analyst'), secret);
  expect(submitted.status).toBe(201);
  expect((await api.call('POST', `/api/hotlists/approvals/${submitted.body['entryId'] as string}`, admin, { decision: 'approved' })).status).toBe(200);
  await recordHits(api.system.storage, [hit('h-narc-1', 'NARC'), hit('h-narc-2', 'NARC'), hit('h-svs-1', 'SVS')]);
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

describe('a covert list in the hot list API', () => {
  it('is absent for an officer not named for it, and its entries answer as for a list that does not exist', async () => {
    const officer = api.token('officer');
    const overview = await api.call('GET', '/api/hotlists', officer);
    expect(overview.status).toBe(200);
    expect(JSON.stringify(overview.body)).not.toMatch(/NARC|Nightjar/);
    const covert = await api.call('GET', '/api/hotlists/NARC/entries', officer);
    const unknown = await api.call('GET', '/api/hotlists/NOPE/entries', officer);
    expect(unknown.status).toBe(404);
    expect({ status: covert.status, body: JSON.stringify(covert.body).replaceAll('NARC', 'NOPE') }).toEqual({ status: unknown.status, body: JSON.stringify(unknown.body) });
  });

  it('is all there for the users named for it', async () => {
    const entries = await api.call('GET', '/api/hotlists/NARC/entries', api.token('analyst'));
    expect(entries.status).toBe(200);
    expect(JSON.stringify(entries.body)).toContain('3NRC333');
  });
});

describe('a covert list\'s hit looked up by id', () => {
  it('is not found for an officer not named for it, and the access log records no row returned', async () => {
    const purpose = '?reason=disposition%20review%20for%20the%20shift';
    const covert = await api.call('GET', `/api/hits/h-narc-1${purpose}`, api.token('officer'));
    const unknown = await api.call('GET', `/api/hits/h-nope${purpose}`, api.token('officer'));
    expect(covert.status).toBe(404);
    expect(JSON.stringify(covert.body).replaceAll('h-narc-1', 'h-nope')).toBe(JSON.stringify(unknown.body));
    const views = (await accessRecords(api, 'officer1', 'ok')).filter((r) => r['action'] === 'hit_view' && String(r['params']).includes('h-narc-1'));
    expect(views.map((r) => r['rows_returned'])).toEqual(['0']);
    // The analyst named for the list sees it, on the record as one row.
    expect((await api.call('GET', `/api/hits/h-narc-1${purpose}`, api.token('analyst'))).status).toBe(200);
    const analystViews = (await accessRecords(api, 'analyst1', 'ok')).filter((r) => r['action'] === 'hit_view' && String(r['params']).includes('h-narc-1'));
    expect(analystViews.map((r) => r['rows_returned'])).toEqual(['1']);
  });
});

describe('a covert list in the transparency report', () => {
  it('is counted with the other covert lists and never named, in JSON, Markdown or HTML', async () => {
    const chief = api.token('chief');
    const json = await api.call('GET', '/api/reports/transparency?from=2026-11-01&to=2026-12-01', chief);
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ hits: 3, hitsByList: { SVS: 1 }, hitsOnCovertLists: 2 });
    for (const format of ['markdown', 'html']) {
      const res = await fetch(`${api.base}/api/reports/transparency?from=2026-11-01&to=2026-12-01&format=${format}`, { headers: { authorization: `Bearer ${chief}` } });
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(text).toContain('Hits on covert lists (names withheld)');
      expect(text).not.toMatch(/NARC|3NRC333/);
    }
    expect(JSON.stringify(json.body)).not.toMatch(/NARC|3NRC333/);
  });
});

describe('a covert list in /metrics', () => {
  it('is exposed as covert-1, never by name (/metrics answers anyone who reaches it)', async () => {
    // The store's gauges (stale, loaded_at) appear as soon as the list is approved; the version in
    // use appears only once the matcher worker has built it, which a loaded CI machine can delay
    // by seconds. Wait for that line itself.
    const inUse = /^platewatch_hotlist_version\{list="covert-1"\} 1$/m;
    let body = '';
    for (let i = 0; i < 150 && !inUse.test(body); i++) {
      body = await (await fetch(`${api.base}/metrics`)).text();
      if (!inUse.test(body)) await new Promise((r) => setTimeout(r, 200));
    }
    expect(body).toMatch(inUse);
    expect(body).not.toMatch(/NARC/i);
  }, 60_000);
});
