// Opens the tables a search.bench.ts --keep yes run left (--reuse DIR), for the benchmarks that
// measure queries on them, with ClickHouse's own counters (system.events) to read around a query.
import { connectStorage, DEFAULT_SKIP_INDEX_CACHE_BYTES, type StorageConnection } from '../../storage/index.js';
import { arg } from './machine.js';

/** Counters of the time a query spends before it reads data. */
export const PLANNING_EVENTS = ['QueryParseMicroseconds', 'QueryAnalysisMicroseconds', 'QueryPlanBuildMicroseconds', 'QueryPlanOptimizeMicroseconds', 'QueryPipelineBuildMicroseconds'];
/** Counters of the time spent choosing marks through the primary key and the skip indexes. */
export const FILTERING_EVENTS = ['FilteringMarksWithPrimaryKeyMicroseconds', 'FilteringMarksWithSecondaryKeysMicroseconds'];

export interface KeptTables {
  readonly conn: StorageConnection;
  rows<T>(query: string, params?: Record<string, unknown>): Promise<T[]>;
  /** system.events now: counters summed over every query this process has run. */
  events(): Promise<Map<string, number>>;
}

export function openKeptTables(): KeptTables {
  const dir = arg('reuse', '');
  if (dir === '') throw new Error('--reuse DIR: a directory kept by search.bench.ts --keep yes');
  const conn = connectStorage({ dataDir: dir, database: 'bench', skipIndexCacheBytes: DEFAULT_SKIP_INDEX_CACHE_BYTES });
  const rows = async <T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> =>
    (await conn.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
  const events = async (): Promise<Map<string, number>> =>
    new Map((await rows<{ event: string; value: string }>('SELECT event, value FROM system.events')).map((r) => [r.event, Number(r.value)]));
  return { conn, rows, events };
}
