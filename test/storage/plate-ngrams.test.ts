// The plate n-gram lookup (storage/plate-ngrams.ts): which patterns use it, that every stored
// detection is in it — written through the feed or backfilled by the migration — and that a day's
// rows leave with the day's detections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateDays, DetectionWriter, lookupNgram, migrate, MIGRATIONS, openStorage, type Storage } from '../../storage/index.js';
import { detection, openTempStorage, type TempStorage } from './temp-storage.js';

const DAY = 86_400_000;

describe('lookupNgram', () => {
  it('takes the first four characters of the longest known run', () => {
    expect(lookupNgram('%ABCD%')).toBe('ABCD');
    expect(lookupNgram('_ABCDE__')).toBe('ABCD');
    expect(lookupNgram('A_BC%WXYZ5%')).toBe('WXYZ');
  });

  it('leaves patterns with a known prefix of three or more to the primary key', () => {
    expect(lookupNgram('ABC%')).toBeUndefined();
    expect(lookupNgram('7ABCD%')).toBeUndefined();
    expect(lookupNgram('7A%BCDE')).toBe('BCDE');
  });

  it('cannot help with fewer than four known characters in a row', () => {
    expect(lookupNgram('%ABC%')).toBeUndefined();
    expect(lookupNgram('_AB_CD_')).toBeUndefined();
  });
});

describe('the plate_ngrams table', () => {
  let temp: TempStorage;
  let storage: Storage;
  const now = Date.now();
  const old = now - 3 * DAY;
  const ctx = () => ({ db: storage.db, detectionRetentionSeconds: 365 * 86_400, hitRetentionSeconds: 365 * 86_400 });
  const days = (ngram: string, like = `%${ngram}%`) =>
    candidateDays(storage.client, storage.db, {
      ngram, like, from: new Date(old - DAY).toISOString().replace('T', ' ').slice(0, 23), to: new Date(now + DAY).toISOString().replace('T', ' ').slice(0, 23),
    });

  beforeAll(async () => {
    // Detections stored by a version before migration 6, then the migration: the backfill.
    temp = await openTempStorage();
    storage = temp.storage;
    await storage.client.command({ query: `DROP VIEW ${storage.db}.plate_ngrams_feed` });
    await storage.client.command({ query: `DROP TABLE ${storage.db}.plate_ngrams` });
    await storage.client.command({ query: `DELETE FROM ${storage.db}.schema_migrations WHERE version = 6` });
    const writer = new DetectionWriter(storage);
    await (await writer.enqueue([detection({ readId: 'before-1', plate: '4WXY123', seenAt: old })])).durable;
    expect((await migrate(storage.client, ctx(), MIGRATIONS)).applied).toEqual([6]);
    await (
      await writer.enqueue([
        detection({ readId: 'after-1', plate: '7WXY555', seenAt: now }),
        detection({ readId: 'after-2', plate: '7WXY555', seenAt: now + 1000 }), // same plate, same day: one row
        detection({ readId: 'short', plate: 'AB1', seenAt: now }), // shorter than an n-gram: no rows
      ])
    ).durable;
    await writer.close();
  });
  afterAll(() => temp.cleanup());

  it('holds plates stored before the migration (backfill) and after it (feed), per day', async () => {
    const oldDay = new Date(old).toISOString().slice(0, 10);
    const today = new Date(now).toISOString().slice(0, 10);
    expect(await days('WXY1')).toEqual([{ day: oldDay, plates: ['4WXY123'] }]);
    expect(await days('WXY5')).toEqual([{ day: today, plates: ['7WXY555'] }]);
    expect(await days('7WXY', '7WXY%')).toEqual([{ day: today, plates: ['7WXY555'] }]);
    // LIKE decides: the n-gram WXY1 is in the plate, the pattern is not.
    expect(await days('WXY1', '_WXY2%')).toEqual([]);
    const rows = await storage.client.query({ query: `SELECT count() AS n FROM ${storage.db}.plate_ngrams WHERE plate_ocr = 'A81'`, format: 'JSONEachRow' });
    expect(Number((await rows.json<{ n: number | string }>())[0]?.n)).toBe(0);
  });

  it('drops a day of n-grams with that day of detections when the retention is shortened', async () => {
    const { dataDir } = storage.config;
    await storage.close();
    storage = await openStorage({ dataDir, detectionRetentionSeconds: 86_400, hitRetentionSeconds: 86_400, allowRetentionUnderOneYear: true });
    temp.storage = storage;
    expect(storage.migrations.retentionChanged).toEqual(expect.arrayContaining(['detections', 'plate_ngrams']));
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.db}.plate_ngrams FINAL` });
    expect(await days('WXY1')).toEqual([]);
    expect((await days('WXY5')).map((d) => d.plates)).toEqual([['7WXY555']]);
  });
});
