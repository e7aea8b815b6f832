// Reads whose camera time is older than storage keeps them, through the system as `platewatch up`
// starts it (real nats-server, chDB, the pipeline worker): the limit follows the configured
// retention (PLATEWATCH_RETENTION_DAYS), here 730 days, as a department keeping two years sets it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { pack } from 'msgpackr';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../bin/config.js';
import { storageSettings } from '../../bin/storage-options.js';
import { startSystem, type RunningSystem } from '../../bin/system.js';
import { decodeHitMessage, INVALID_READS_STREAM, INVALID_READS_SUBJECT, invalidReadsOf, publishHotlist, readsSubject } from '../../ingest/index.js';
import { validateEntry } from '../../matcher/index.js';
import { scalar, until } from '../reliability/fixtures.js';

const DAY = 24 * 3600 * 1000;
const dir = mkdtempSync(join(tmpdir(), 'platewatch-camera-clock-'));
let system: RunningSystem;

beforeAll(async () => {
  const config = await loadConfig({ env: { PLATEWATCH_RETENTION_DAYS: '730' } });
  system = await startSystem({
    dataDir: dir, matcher: config.matcher, logger: pino({ level: 'silent' }), gateway: false, retroactiveDays: 0,
    storage: { ...storageSettings(config), batchDelayMs: 50 },
  });
  const entry = validateEntry({ plate: '7ABC123', list: 'SVS', reason: 'Stolen' }, config.matcher);
  if (!entry.ok) throw new Error(entry.reason);
  await publishHotlist(system.hotlists, 'SVS', [entry.entry], 'test');
  await until('SVS in force', () => (system.matcher.lists().length > 0 ? true : undefined));
}, 60_000);

afterAll(async () => {
  await system?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('camera clock against the configured retention', () => {
  it('with 730 days kept, matches and stores a 400-day-old backlog read and its hit, and refuses an 800-day-old read', async () => {
    const hits: string[] = [];
    const sub = system.nc.subscribe('alpr.hits.>', { callback: (_e, msg) => void hits.push(decodeHitMessage(msg.data).read.id) });
    const now = Math.floor(Date.now() / 1000) * 1000;
    const read = (id: string, ts: number): Uint8Array => pack({ v: 1, id, agency: 'wpd', camera: 'cam1', ts, conf: 0.9, plate: '7ABC123' });
    await system.js.publish(readsSubject('wpd', 'cam1'), read('old-800d', now - 800 * DAY), { msgID: 'old-800d' });
    await system.js.publish(readsSubject('wpd', 'cam1'), read('old-400d', now - 400 * DAY), { msgID: 'old-400d' });

    const db = system.storage.db;
    await until('the 400-day-old read stored', async () => ((await scalar(system.storage, `SELECT count() AS n FROM ${db}.detections FINAL WHERE read_id = 'old-400d'`)) === 1 ? true : undefined));
    await until('its hit stored', async () => ((await scalar(system.storage, `SELECT count() AS n FROM ${db}.hits FINAL WHERE read_id = 'old-400d'`)) === 1 ? true : undefined));
    const jsm = await jetstreamManager(system.nc);
    const copy = await until('the 800-day-old read refused', async () => ((await jsm.streams.info(INVALID_READS_STREAM)).state.messages > 0 ? jsm.streams.getMessage(INVALID_READS_STREAM, { last_by_subj: INVALID_READS_SUBJECT }) : undefined));
    sub.unsubscribe();
    expect(invalidReadsOf(copy?.header)).toEqual([{ index: -1, reason: `ts ${new Date(now - 800 * DAY).toISOString().slice(0, -5)}Z is 800 days old, older than the 730 days kept: camera clock?` }]);
    expect(await scalar(system.storage, `SELECT count() AS n FROM ${db}.detections WHERE read_id = 'old-800d'`)).toBe(0);
    expect(hits).toEqual(['old-400d']);
    expect(system.pipelineMetrics.invalidReads.get()).toBe(1);
  }, 120_000);
});
