// The access log as auditors page through it (storage/access-log-review.ts), shared by
// GET /api/audit/log and `platewatch audit log`: pure functions, no chDB.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCESS_ACTIONS, accessLogPage, accessLogQueryOf, type AccessRecord } from '../../storage/index.js';

const record = (seq: number, at: string): AccessRecord => ({
  chain: 'main', seq, at, user_id: 'det1', action: 'search', outcome: 'ok', params: '{}', rows_returned: 0,
  case_number: '', reason: '', detail: '', prev_hash: '', hash: '',
});

describe('accessLogPage', () => {
  it('ends a page before the records of an instant the limit would split, so that the next page (to = that instant) leaves none out', () => {
    const read = [record(5, '2026-12-01 10:00:00.500'), record(4, '2026-12-01 10:00:00.400'), record(3, '2026-12-01 10:00:00.300'), record(2, '2026-12-01 10:00:00.300')];
    expect(accessLogPage(read, 3)).toEqual({ records: read.slice(0, 2), more: true });
    expect(accessLogPage(read.slice(0, 3), 2)).toEqual({ records: read.slice(0, 2), more: true });
    expect(accessLogPage(read, 4)).toEqual({ records: read, more: false });
    // More records at one instant than a page holds: shown as asked, there is no instant to page by.
    expect(accessLogPage(read.slice(2), 1)).toEqual({ records: read.slice(2, 3), more: true });
  });
});

describe('accessLogQueryOf', () => {
  it("reads the filters as the API always has: the department's zone, a week by default, and each bad value named", () => {
    const now = Date.UTC(2026, 11, 7, 12);
    const ok = accessLogQueryOf({ from: '2026-12-01', user: 'det1' }, 'America/Los_Angeles', now);
    expect(ok).toEqual({ ok: true, query: { from: new Date('2026-12-01T08:00:00Z'), to: new Date(now + 60_000), user: 'det1', action: undefined, outcome: undefined, limit: 200 } });
    expect(accessLogQueryOf({}, 'UTC', now)).toMatchObject({ ok: true, query: { from: new Date(now - 7 * 86_400_000) } });
    expect(accessLogQueryOf({ outcome: 'great' }, 'UTC', now)).toEqual({ ok: false, filter: 'outcome', reason: '"outcome" must be one of ok, refused, invalid, failed (got "great")' });
    expect(accessLogQueryOf({ to: 'yesterday' }, 'UTC', now)).toMatchObject({ ok: false, filter: 'to' });
    expect(accessLogQueryOf({ from: '2026-12-02', to: '2026-12-01' }, 'UTC', now)).toMatchObject({ ok: false, reason: '"from" must be before "to"' });
    expect(accessLogQueryOf({ limit: '5001' }, 'UTC', now)).toMatchObject({ ok: false, reason: '"limit" must be a whole number from 1 to 5000' });
  });
});

// The console's Action filter and the API's description are written out by hand: a new action
// left out of them could not be filtered for (refused_reads, session 26).
describe('the actions an auditor can filter by', () => {
  it('are every access log action, in the console and in docs/openapi.yaml', () => {
    const actions = Object.values(ACCESS_ACTIONS).sort();
    const html = readFileSync(new URL('../../console/index.html', import.meta.url), 'utf8');
    const select = /<select id="audit-action"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
    expect([...select.matchAll(/<option value="([a-z_]+)">/g)].map((m) => m[1]).sort()).toEqual(actions);
    const openapi = readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8');
    const listed = /name: action, in: query, schema: \{ type: string, enum: \[([a-z_, ]+)\] \}/.exec(openapi)?.[1] ?? '';
    expect(listed.split(', ').sort()).toEqual(actions);
  });
});
