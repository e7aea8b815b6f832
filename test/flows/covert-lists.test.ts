// Covert lists across the whole system as `platewatch up` starts it: `hits.covertLists` from the
// configuration reaches the hot list API (a patrol user not named for the list never learns it
// exists), the hit API and dispositions (a hit on it is "not found", and the attempt is a refusal
// on the access log) and the public transparency report (its hits counted, its name withheld).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../bin/config.js';
import { recordHits, type StoredHit } from '../../storage/index.js';
import { TestConsole } from '../gateway/harness.js';
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
    // The refusal is on the log without the list's name: an auditor not named for it reads it too.
    const refusals = (await accessRecords(api, 'officer1', 'refused')).filter((r) => r['action'] === 'hotlist');
    expect(refusals.map((r) => r['detail'])).toContain('COVERT_LIST: officer1 is not named for the covert list asked for (hits.covertLists)');
    expect(JSON.stringify(refusals)).not.toMatch(/NARC/i);
  });

  it('is all there for the users named for it', async () => {
    const entries = await api.call('GET', '/api/hotlists/NARC/entries', api.token('analyst'));
    expect(entries.status).toBe(200);
    expect(JSON.stringify(entries.body)).toContain('3NRC333');
  });
});

describe('a covert list\'s hit looked up by id', () => {
  it('is not found for an officer not named for it, and the access log records a COVERT_LIST refusal, not a look-up that found nothing', async () => {
    const purpose = '?reason=disposition%20review%20for%20the%20shift';
    const covert = await api.call('GET', `/api/hits/h-narc-1${purpose}`, api.token('officer'));
    const unknown = await api.call('GET', `/api/hits/h-nope${purpose}`, api.token('officer'));
    expect(covert.status).toBe(404);
    expect(JSON.stringify(covert.body).replaceAll('h-narc-1', 'h-nope')).toBe(JSON.stringify(unknown.body));
    const views = (await accessRecords(api, 'officer1')).filter((r) => r['action'] === 'hit_view');
    // An auditor tells a probe of a covert list from a mistyped id; neither record names the list.
    expect(views.filter((r) => String(r['params']).includes('h-narc-1')).map((r) => [r['outcome'], r['detail']?.split(':')[0], r['rows_returned'], r['reason']]))
      .toEqual([['refused', 'COVERT_LIST', '0', 'disposition review for the shift']]);
    expect(views.filter((r) => String(r['params']).includes('h-nope')).map((r) => [r['outcome'], r['rows_returned']])).toEqual([['ok', '0']]);
    expect(JSON.stringify(views)).not.toContain('NARC');
    // The analyst named for the list sees it, on the record as one row.
    expect((await api.call('GET', `/api/hits/h-narc-1${purpose}`, api.token('analyst'))).status).toBe(200);
    const analystViews = (await accessRecords(api, 'analyst1', 'ok')).filter((r) => r['action'] === 'hit_view' && String(r['params']).includes('h-narc-1'));
    expect(analystViews.map((r) => r['rows_returned'])).toEqual(['1']);
  });
});

describe('a covert list\'s hit answered with a disposition', () => {
  const setAside = { disposition: 'misread', visualVerified: false, cletsVerified: false };

  it('is not found for users not named for it, before and after the covert team answers it, and each attempt is a COVERT_LIST refusal', async () => {
    const asUnknown = (res: { status: number; body: unknown }, hitId: string) => ({ status: res.status, body: JSON.stringify(res.body).replaceAll(hitId, 'ID') });
    const unknown = asUnknown(await api.call('POST', '/api/hits/h-nope/disposition', api.token('dispatcher'), setAside), 'h-nope');
    expect(unknown.status).toBe(404);
    expect(asUnknown(await api.call('POST', '/api/hits/h-narc-2/disposition', api.token('dispatcher'), setAside), 'h-narc-2')).toEqual(unknown);
    // administrator1 is named for NARC: the answer is recorded and is on the access log.
    const answered = await api.call('POST', '/api/hits/h-narc-2/disposition', api.token('administrator'), setAside);
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ hitId: 'h-narc-2', list: 'NARC', user: 'administrator1' });
    for (const body of [setAside, { ...setAside, correction: true, notes: 'wrong plate' }]) {
      for (const role of ['dispatcher', 'officer', 'supervisor'] as const) {
        expect(asUnknown(await api.call('POST', '/api/hits/h-narc-2/disposition', api.token(role), body), 'h-narc-2'), role).toEqual(unknown);
      }
    }
    const refusals = (await accessRecords(api, 'dispatcher1')).filter((r) => r['action'] === 'disposition' && String(r['params']).includes('h-narc-2'));
    expect(refusals.map((r) => [r['outcome'], r['detail']?.split(':')[0]])).toEqual([['refused', 'COVERT_LIST'], ['refused', 'COVERT_LIST'], ['refused', 'COVERT_LIST']]);
    for (const user of ['dispatcher1', 'officer1', 'supervisor1']) {
      // (A hot list route's refusal names the list the user typed in its path: that is no news to them.)
      expect(JSON.stringify((await accessRecords(api, user)).filter((r) => r['action'] === 'disposition' || r['action'] === 'hit_view'))).not.toContain('NARC');
    }
    // An auditor finds the answer that was recorded on the access log.
    const log = await api.call('GET', '/api/audit/log?action=disposition&outcome=ok', api.token('auditor'));
    expect(log.status).toBe(200);
    expect(JSON.stringify(log.body)).toContain('h-narc-2');
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

describe('a covert list in a console\'s filter', () => {
  it('gets an officer not named for it nothing of it, logged as a COVERT_LIST refusal that names no list; a named analyst\'s watch is an ordinary view', async () => {
    const wsUrl = `${api.base.replace(/^http/, 'ws')}/ws`;
    const officer = await TestConsole.open(wsUrl, { token: api.token('officer') });
    const analyst = await TestConsole.open(wsUrl, { token: api.token('analyst') });
    try {
      expect((await officer.subscribe({ lists: ['narc', 'SVS'] })).type).toBe('replay');
      expect((await analyst.subscribe({ lists: ['NARC'] })).type).toBe('replay');
      const watched = async (user: string) => (await accessRecords(api, user)).filter((r) => r['action'] === 'hit_view' && String(r['params']).includes('"via":"console"'));
      // Written as the consoles subscribe, after the answer: wait for them.
      const recorded = async (user: string, count: number) => {
        let views: Array<Record<string, string>> = [];
        for (let i = 0; i < 100 && views.length < count; i++) {
          views = await watched(user);
          if (views.length < count) await new Promise((r) => setTimeout(r, 100));
        }
        return views;
      };
      const officerViews = await recorded('officer1', 2);
      expect(officerViews.map((r) => r['outcome'])).toEqual(['refused', 'ok']);
      expect(officerViews[0]?.['detail']).toMatch(/^COVERT_LIST: officer1 is not named for a covert list/);
      // The watch that was granted: the other lists, without the covert one.
      expect(JSON.parse(officerViews[1]?.['params'] as string)).toMatchObject({ filter: { lists: ['SVS'] } });
      // A filter of covert lists only is a refusal alone, not also a view that never happened.
      const narcOnly = await TestConsole.open(wsUrl, { token: api.token('officer') });
      expect((await narcOnly.subscribe({ lists: ['NARC'] })).type).toBe('replay');
      await narcOnly.close();
      const after = await recorded('officer1', 3);
      expect(after.map((r) => r['outcome'])).toEqual(['refused', 'ok', 'refused']);
      expect(JSON.stringify(officerViews)).not.toMatch(/NARC/i);
      const analystViews = await recorded('analyst1', 1);
      expect(analystViews.map((r) => r['outcome'])).toEqual(['ok']);
      expect(JSON.parse(analystViews[0]?.['params'] as string)).toMatchObject({ filter: { lists: ['NARC'] } });
    } finally {
      await officer.close();
      await analyst.close();
    }
  }, 60_000);
});
