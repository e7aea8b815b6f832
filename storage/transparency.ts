// The transparency report, like the public ALPR portals departments publish: what the system did
// in a period, as counts only — cameras, reads, hits, searches by how their purpose was documented,
// releases granted and refused and why, the retention in force. No plate, no person, no place
// appears in it, and no covert list's name: their hits are counted together on one line (patrol
// must never learn such a list exists, so neither may the public). Watsonville §471.4.1(g) (policy
// posted publicly), Civil Code § 1798.90.51(b) (usage and privacy policy), § 1798.90.55 (sharing);
// making one is access-logged (§471.7(b)).
//
// A report counts what happened in its period and shows each status as it stood at the period's
// end (the version in effect at `to`), so a published report regenerated later gives the same
// numbers: one for a past period counted a release approved, and a legal hold placed, after its end
// (found by QA).
import { ACCESS_ACTIONS, ACCESS_OUTCOMES, type AccessLog, type AccessRecord } from './access-log.js';
import { countRefusals, LATER_PAGE_SQL, systemSearchUser } from './audit.js';
import { controlsShown } from './control-text.js';
import { dayIn } from './department-day.js';
import { periodText } from './member-time.js';
import type { Storage } from './open.js';
import { authoriseAction } from './permissions.js';
import { DISPOSITION_LABELS, DISPOSITIONS, type Disposition } from './hits.js';
import { formatClickHouseTime, queryRows } from './sql.js';

export interface TransparencyReport {
  /** The period, UTC instants; `to` not included. */
  from: string;
  to: string;
  /** The department's time zone (config `timeZone`): the period is labelled in its days. */
  timeZone: string;
  generatedAt: string;
  cameras: number;
  /** Agencies whose cameras read plates (this department's own feeds; usually 1). */
  cameraAgencies: number;
  reads: number;
  /** Every hit, covert lists' included. */
  hits: number;
  /** Hits by list, covert lists left out (they are in `hitsOnCovertLists`). */
  hitsByList: Record<string, number>;
  /** Hits on the covert lists (`hits.covertLists`), all together: their names are withheld. */
  hitsOnCovertLists: number;
  /** Hit dispositions recorded (Watsonville §471.5(f)(3)). */
  dispositions: Record<string, number>;
  /**
   * Search inquiries as the §471.9 audit counts them (storage/audit.ts LATER_PAGE_SQL): a paged
   * search is one search, however many pages its user turned.
   */
  searches: {
    /** Documented by a case or incident number (and maybe a reason). */
    withCaseNumber: number;
    /** Documented by a reason only. */
    reasonOnly: number;
    /** Later pages of those searches ("older results"): part of the search they continue, not counted in it. */
    laterPages: number;
    /** Refused, for any reason: the sum of the four below. */
    refused: number;
    /** Refused: no case or incident number, and no reason that documents it (§471.7(e)). */
    refusedNoPurpose: number;
    /** Refused: the purpose stated is a prohibited one, immigration enforcement (Gov. Code § 7284.6(a)(1)) or personal use (§471.5(c)). */
    refusedProhibitedPurpose: number;
    /** Refused: the user was not registered, active, trained or given the role (§471.5(d), §471.4.1(a)). */
    refusedUser: number;
    /** Refused for any other reason. */
    refusedOther: number;
    /** Run by the system itself for new hot list entries (retroactive hits), not by a member. */
    bySystem: number;
  };
  releases: {
    received: number;
    /** Approved and released (or awaiting the package). */
    granted: number;
    refused: number;
    pending: number;
    /** Refusals by rule: values_act, non_law_enforcement, out_of_state, federal, chief. */
    refusedByRule: Record<string, number>;
    /** Requests by the agency's kind (local, state, federal…). */
    byAgencyKind: Record<string, number>;
  };
  retention: {
    detectionDays: number;
    hitDays: number;
    /** Detections kept past retention as evidence under legal hold (§471.6), by the holds placed before `to`. */
    heldDetections: number;
    /** Legal holds placed before `to`. */
    legalHolds: number;
  };
  /** Users able to use the system at the period's end, or now if that is later (active and trained, §471.4.1(a)). */
  authorisedUsers: number;
}

export interface TransparencyContext {
  storage: Pick<Storage, 'client' | 'db' | 'config'>;
  accessLog: Pick<AccessLog, 'append'>;
  /** Names of the covert lists (the keys of `hits.covertLists`): never named in the report. */
  covertLists: readonly string[];
}

type Counts = Array<{ k: string; n: number | string }>;
const toRecord = (rows: Counts): Record<string, number> => Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
const one = (rows: Array<{ n: number | string }>): number => Number(rows[0]?.n ?? 0);

export async function transparencyReport(ctx: TransparencyContext, user: string, period: { from: Date; to: Date }, now = Date.now()): Promise<TransparencyReport> {
  await authoriseAction(ctx, user, 'reports.transparency', { from: period.from, to: period.to });
  const { client, db, config } = ctx.storage;
  const p = { from: formatClickHouseTime(period.from), to: formatClickHouseTime(period.to) };
  const seen = "seen_at >= {from:DateTime64(3, 'UTC')} AND seen_at < {to:DateTime64(3, 'UTC')}";
  const at = "at >= {from:DateTime64(3, 'UTC')} AND at < {to:DateTime64(3, 'UTC')}";
  const beforeEnd = (column: string) => `${column} < {to:DateTime64(3, 'UTC')}`;
  const [reads] = await queryRows<{ reads: number | string; cameras: number | string; agencies: number | string }>(client,
    `SELECT uniqExact(agency, camera, read_id, seen_at) AS reads, uniqExact(agency, camera) AS cameras, uniqExact(agency) AS agencies FROM ${db}.detections WHERE ${seen}`, p);
  const covert = new Set(ctx.covertLists.map((list) => list.toUpperCase()));
  const hitsByList: Record<string, number> = {};
  let hitsOnCovertLists = 0;
  for (const [list, n] of Object.entries(toRecord(await queryRows(client,
    `SELECT list AS k, uniqExact(hit_id) AS n FROM ${db}.hits WHERE ${seen} GROUP BY list ORDER BY list`, p)))) {
    if (covert.has(list)) hitsOnCovertLists += n;
    else hitsByList[list] = n;
  }
  // The newest disposition of each hit by the period's end counts once; in the answers' order
  // (DISPOSITIONS, the cards' buttons), which every reader of the report shows them in.
  const dispositions = toRecord(await queryRows(client,
    `SELECT disposition AS k, count() AS n FROM (
       SELECT hit_id, argMax(disposition, recorded_at) AS disposition FROM ${db}.hit_dispositions WHERE ${seen} AND ${beforeEnd('recorded_at')} GROUP BY hit_id)
     GROUP BY disposition ORDER BY indexOf({order:Array(String)}, disposition), disposition`, { ...p, order: [...DISPOSITIONS] }));
  // The inquiries the §471.9 audit draws from, defined there (found by QA: every "older results"
  // page counted as a search of its own, so the figures disagreed with the memorandum).
  const systemId = await systemSearchUser(ctx.storage);
  const [searches] = await queryRows<{ withCase: number | string; reasonOnly: number | string; laterPages: number | string; bySystem: number | string }>(client,
    `SELECT countIf(outcome = 'ok' AND NOT ${LATER_PAGE_SQL} AND match(case_number, '[0-9]') AND user_id != {system:String}) AS withCase,
            countIf(outcome = 'ok' AND NOT ${LATER_PAGE_SQL} AND NOT match(case_number, '[0-9]') AND user_id != {system:String}) AS reasonOnly,
            countIf(outcome = 'ok' AND ${LATER_PAGE_SQL} AND user_id != {system:String}) AS laterPages,
            countIf(outcome = 'ok' AND NOT ${LATER_PAGE_SQL} AND user_id = {system:String}) AS bySystem
       FROM ${db}.access_log WHERE action = 'search' AND ${at}`, { ...p, system: systemId });
  const refusedSearches = await queryRows<Pick<AccessRecord, 'action' | 'detail' | 'case_number' | 'reason' | 'user_id'>>(client,
    `SELECT action, detail, case_number, reason, user_id FROM ${db}.access_log WHERE action = 'search' AND outcome = 'refused' AND ${at}`, p);
  const refusals = countRefusals(refusedSearches);
  const refusedUser = refusals.role + refusals.training + refusals.account;
  const refusedProhibited = refusals.immigration + refusals.personal;
  const releases = await queryRows<{ status: string; rule: string; kind: string; n: number | string }>(client,
    `SELECT status, refusal_rule AS rule, agency_kind AS kind, count() AS n FROM (
       SELECT request_id, argMax(status, version) AS status, argMax(refusal_rule, version) AS refusal_rule, argMax(agency_kind, version) AS agency_kind
         FROM ${db}.release_requests
        WHERE received_at >= {from:DateTime64(3, 'UTC')} AND received_at < {to:DateTime64(3, 'UTC')} AND ${beforeEnd('recorded_at')}
        GROUP BY request_id)
     GROUP BY status, rule, kind`, p);
  const sum = (pick: (r: (typeof releases)[number]) => boolean) => releases.filter(pick).reduce((n, r) => n + Number(r.n), 0);
  const tally = (key: (r: (typeof releases)[number]) => string, rows: typeof releases) => {
    const out: Record<string, number> = {};
    for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + Number(r.n);
    return out;
  };
  // A held detection is an evidence row of its case: (plate_ocr, seen_at, read_id, agency, camera),
  // its key (migration 14), since read ids repeat across cameras, at the same second too. Held twice
  // under one case it keeps one row, the later hold's (ReplacingMergeTree): it counts for a period
  // ending between the two by the earlier hold's detection_keys, which name it by plate, time and
  // read id (and so name every camera's detection sharing those). Holds placed before those
  // (migration 14) kept read ids only, and count the held detections of their case with those ids;
  // holds placed before read_ids (migration 9) count by their evidence rows.
  const heldDetections = one(await queryRows(client,
    `SELECT uniqExact(case_number, plate_ocr, seen_at, read_id, agency, camera) AS n FROM ${db}.evidence_detections
      WHERE ${beforeEnd('held_at')}
         OR (case_number, plate_ocr, seen_at, read_id) IN (
              SELECT case_number, k.1, k.2, k.3 FROM ${db}.legal_holds ARRAY JOIN detection_keys AS k WHERE ${beforeEnd('created_at')})
         OR (case_number, read_id) IN (SELECT case_number, read_id FROM ${db}.legal_holds ARRAY JOIN read_ids AS read_id
                                        WHERE empty(detection_keys) AND ${beforeEnd('created_at')})`, p));
  const legalHolds = one(await queryRows(client, `SELECT count() AS n FROM ${db}.legal_holds WHERE ${beforeEnd('created_at')}`, p));
  // Each user's version in effect at the end (or now, for a period not over); training dates are
  // the department's days (department-day.ts).
  const asOf = Math.min(period.to.getTime(), now);
  const today = dayIn(config.timeZone, asOf);
  const authorisedUsers = one(await queryRows(client,
    `SELECT countIf(active AND trained_at IS NOT NULL AND (training_expires_at IS NULL OR training_expires_at > toDate({today:String}))) AS n
       FROM (SELECT * FROM ${db}.users WHERE updated_at <= {asOf:DateTime64(3, 'UTC')} ORDER BY user_id, version DESC LIMIT 1 BY user_id)`,
    { today, asOf: formatClickHouseTime(new Date(asOf)) }));
  const report: TransparencyReport = {
    from: period.from.toISOString(), to: period.to.toISOString(), timeZone: config.timeZone, generatedAt: new Date(now).toISOString(),
    cameras: Number(reads?.cameras ?? 0), cameraAgencies: Number(reads?.agencies ?? 0), reads: Number(reads?.reads ?? 0),
    hits: Object.values(hitsByList).reduce((a, b) => a + b, hitsOnCovertLists), hitsByList, hitsOnCovertLists, dispositions,
    searches: {
      withCaseNumber: Number(searches?.withCase ?? 0), reasonOnly: Number(searches?.reasonOnly ?? 0), laterPages: Number(searches?.laterPages ?? 0),
      refused: refusedSearches.length, refusedNoPurpose: refusals.purpose, refusedProhibitedPurpose: refusedProhibited, refusedUser,
      refusedOther: refusedSearches.length - refusals.purpose - refusedProhibited - refusedUser,
      bySystem: Number(searches?.bySystem ?? 0),
    },
    releases: {
      received: sum(() => true), granted: sum((r) => r.status === 'approved' || r.status === 'released'), refused: sum((r) => r.status === 'refused'),
      pending: sum((r) => r.status === 'pending'), refusedByRule: tally((r) => r.rule, releases.filter((r) => r.status === 'refused')),
      byAgencyKind: tally((r) => r.kind, releases),
    },
    retention: {
      detectionDays: Math.round(config.detectionRetentionSeconds / 86_400), hitDays: Math.round(config.hitRetentionSeconds / 86_400), heldDetections, legalHolds,
    },
    authorisedUsers,
  };
  await ctx.accessLog.append({
    user, action: ACCESS_ACTIONS.report, outcome: ACCESS_OUTCOMES.ok, params: { report: 'transparency', from: report.from, to: report.to },
    rowsReturned: 0, caseNumber: '', reason: 'transparency report', detail: '',
  });
  return report;
}

/** Each completes "Refused …" as a row label. */
const RULE_TEXT: Readonly<Record<string, string>> = {
  values_act: 'under the California Values Act (immigration agency or purpose)',
  non_law_enforcement: 'as not a law-enforcement or prosecutorial agency',
  out_of_state: 'as an out-of-state agency (Civil Code § 1798.90.55)',
  federal: 'as a federal agency (Civil Code § 1798.90.55)',
  chief: 'by the Chief of Police or designee',
};

interface Section {
  title: string;
  rows: Array<[string, string]>;
}

function sections(r: TransparencyReport): Section[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const entries = (o: Record<string, number>, label: (k: string) => string = (k) => k) =>
    Object.entries(o).map(([k, v]): [string, string] => [label(k), n(v)]);
  // In the answers' own words ("Could not locate", not not_located): a report for the public.
  const dispositions = entries(r.dispositions, (k) => DISPOSITION_LABELS[k as Disposition] ?? k);
  return [
    { title: 'Collection', rows: [['Cameras reporting', n(r.cameras)], ['Plate reads', n(r.reads)]] },
    {
      title: 'Hits',
      rows: [
        ['Hits (all lists)', n(r.hits)], ...entries(r.hitsByList, (k) => `Hits on ${k}`),
        ['Hits on covert lists (names withheld)', n(r.hitsOnCovertLists)],
      ],
    },
    {
      title: 'Hit dispositions recorded',
      rows: dispositions.length === 0 ? [['Hits with a disposition recorded', '0']] : dispositions,
    },
    {
      title: 'Detection searches',
      rows: [
        ['Searches documented with a case or incident number', n(r.searches.withCaseNumber)],
        ['Searches documented with a reason only', n(r.searches.reasonOnly)],
        ['Later pages of those searches (not counted as searches)', n(r.searches.laterPages)],
        ['Searches refused: no case or incident number or reason given', n(r.searches.refusedNoPurpose)],
        ['Searches refused: a prohibited purpose (immigration enforcement or personal use)', n(r.searches.refusedProhibitedPurpose)],
        ['Searches refused: user not trained, active or authorised', n(r.searches.refusedUser)],
        ...(r.searches.refusedOther > 0 ? [['Searches refused for another reason', n(r.searches.refusedOther)] as [string, string]] : []),
        ['Run by the system for new hot list entries (past sightings)', n(r.searches.bySystem)],
      ],
    },
    {
      title: 'Requests for data from other agencies',
      rows: [
        ['Received', n(r.releases.received)], ['Granted', n(r.releases.granted)], ['Refused', n(r.releases.refused)], ['Pending', n(r.releases.pending)],
        ...Object.entries(r.releases.refusedByRule).map(([k, v]): [string, string] => [RULE_TEXT[k] === undefined ? `Refused: ${k}` : `Refused ${RULE_TEXT[k]}`, n(v)]),
        ...Object.entries(r.releases.byAgencyKind).map(([k, v]): [string, string] => [`From ${k.replaceAll('_', ' ')} agencies`, n(v)]),
      ],
    },
    {
      title: 'Retention and oversight',
      rows: [
        ['Detections kept (days)', n(r.retention.detectionDays)], ['Hits kept (days)', n(r.retention.hitDays)],
        ['Detections held as evidence', n(r.retention.heldDetections)], ['Legal holds', n(r.retention.legalHolds)],
        ['Trained, authorised users', n(r.authorisedUsers)],
      ],
    },
  ];
}

// In the department's days when the ends are its midnights ("2026-11-01 through 2026-11-30", as the
// console says it), else the exact instants: slicing UTC ISO dates once printed a two-hour window
// as "2026-12-06 to 2026-12-06 (UTC)" (found by QA).
const period = (r: TransparencyReport) => periodText(Date.parse(r.from), Date.parse(r.to), r.timeZone);
const NOTE = 'Counts only: no plate, vehicle, person or location is published. ALPR data is never shared for federal immigration enforcement (California Values Act).';

export function renderTransparencyMarkdown(r: TransparencyReport, agencyName = ''): string {
  const agency = controlsShown(agencyName);
  const out = [`# ALPR transparency report${agency ? ` — ${agency}` : ''}`, '', `Period: ${period(r)}. Generated ${r.generatedAt}.`, '', NOTE, ''];
  for (const s of sections(r)) out.push(`## ${s.title}`, '', '| | |', '|---|---:|', ...s.rows.map(([k, v]) => `| ${controlsShown(k).replaceAll('|', '\\|')} | ${v} |`), '');
  return out.join('\n');
}

const esc = (s: string) => controlsShown(s).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export function renderTransparencyHtml(r: TransparencyReport, agency = ''): string {
  const title = `ALPR transparency report${agency ? ` — ${agency}` : ''}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:48em;margin:2em auto}table{border-collapse:collapse;width:100%}td{border-bottom:1px solid #ddd;padding:.3em}td:last-child{text-align:right}</style>
</head><body>
<h1>${esc(title)}</h1>
<p>Period: ${esc(period(r))}. Generated ${esc(r.generatedAt)}.</p>
<p>${esc(NOTE)}</p>
${sections(r).map((s) => `<h2>${esc(s.title)}</h2>\n<table>${s.rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>`).join('\n')}
</body></html>
`;
}
