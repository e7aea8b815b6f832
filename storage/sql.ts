// Small query helpers over @clickhouse/client. Every value goes in as a `{name:Type}` query
// parameter; only identifiers validated at configuration time are spliced into SQL text.
import type { ClickHouseClient } from '@clickhouse/client';
import { StorageError } from './errors.js';

export type QueryParams = Record<string, unknown>;

/** Runs a SELECT and returns its rows (JSONEachRow: 64-bit integers arrive as strings). */
export async function queryRows<T>(client: ClickHouseClient, query: string, params: QueryParams = {}): Promise<T[]> {
  try {
    const rs = await client.query({ query, query_params: params, format: 'JSONEachRow' });
    return await rs.json<T>();
  } catch (error) {
    throw new StorageError('QUERY_FAILED', `query failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Epoch milliseconds, as DateTime64(3) accepts it in JSON input. */
export function toMillis(t: Date | number): number {
  return typeof t === 'number' ? t : t.getTime();
}

/** DateTime64(3, 'UTC') as ClickHouse prints it ('YYYY-MM-DD hh:mm:ss.sss') → Date. */
export function parseClickHouseTime(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

/** Date → the text ClickHouse prints for DateTime64(3, 'UTC'). */
export function formatClickHouseTime(t: Date | number): string {
  return new Date(toMillis(t)).toISOString().replace('T', ' ').slice(0, 23);
}
