// One @clickhouse/client for both deployments: embedded chDB under a data directory (the default)
// or a ClickHouse server by URL. The rest of storage/ sees only the client and runs the same SQL.
//
// chDB binds ONE data directory per process (the engine is a process singleton). Consequences:
// - embedded mode is one process: the pipeline, gateway and CLI verbs that open storage cannot
//   run side by side on the same data directory in separate processes;
// - opening a second directory while one is open fails with STORAGE_BUSY; after `close()` the
//   engine is drained (`drainPending`) so another directory may be opened in the same process;
// - vitest runs each test file in its own forked process, so each file opens its own temp dir.
// chDB also keeps `SET` settings for the whole session, and the chdb connection turns
// `clickhouse_settings` into `SET`s: so storage/ never passes `clickhouse_settings`; per-query
// settings go in the statement's own `SETTINGS` clause.
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { drainPending, Session } from 'chdb';
import { createChdbConnection } from 'chdb/connection';
import { resolveStorageConfig, type StorageConfig } from './config.js';
import { StorageError } from './errors.js';
import { chdbHolder } from './chdb-holder.js';

export type StorageKind = 'embedded' | 'server';

/** The embedded data directory this process has open, if any (chDB allows one). */
let openDirectory: string | undefined;

export interface StorageConnection {
  readonly client: ClickHouseClient;
  readonly kind: StorageKind;
  readonly config: StorageConfig;
  /** Closes the client; in embedded mode also waits until chDB has released the data directory. */
  close(): Promise<void>;
}

/**
 * The embedded data directory holds password hashes, every read's plate and place, and the access
 * log: no other account on the host may enter it (the files chDB writes inside follow the process
 * umask, so the directory is what keeps them from others; bin/platewatch.ts narrows the umask too).
 * Made 0700; one found looser is narrowed when this account owns it. One owned by another account
 * was set up by someone on purpose (a service account, a group) and is left as it is.
 */
const DATA_DIRECTORY_MODE = 0o700;

function makePrivateDirectory(dir: string): void {
  // The parents as the umask makes them: DATA_DIR beside this holds packages a group may read.
  mkdirSync(dirname(dir), { recursive: true });
  mkdirSync(dir, { recursive: true, mode: DATA_DIRECTORY_MODE });
  const { mode, uid } = statSync(dir);
  if ((mode & 0o077) !== 0 && uid === process.getuid?.()) chmodSync(dir, mode & DATA_DIRECTORY_MODE);
}

/** Opens a client; does not create the database or run migrations (see `openStorage`). */
export function connectStorage(overrides: Partial<StorageConfig> = {}): StorageConnection {
  const config = resolveStorageConfig(overrides);
  if (config.url !== undefined) {
    const client = createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      application: 'platewatch',
      // Every failure reaches the caller as an error (storage's typed ones carry it as the cause);
      // the client's own logger printed each as a multi-line dump on stderr, outside the service's log.
      log: { level: ClickHouseLogLevel.OFF },
    });
    return { client, kind: 'server', config, close: () => client.close() };
  }
  const dir = resolve(config.dataDir);
  makePrivateDirectory(dir);
  let connection: ReturnType<typeof createChdbConnection>;
  // Server configuration such as the skip-index cache can only be given when the engine starts,
  // and chdb/connection takes no engine arguments: so a session carrying them opens the engine
  // first, and the client's own connection joins it. Held until close(); a later connection to a
  // running engine would have its arguments ignored.
  let engine: Session | undefined;
  try {
    engine = new Session(dir, { connectionArgs: [`--index_uncompressed_cache_size=${config.skipIndexCacheBytes}`] });
    connection = createChdbConnection({ path: dir });
  } catch (error) {
    engine?.close();
    // chDB's own reason goes to stderr, not into the error. With no directory open in this process,
    // the likely one is its lock on the directory's status file, held by another process.
    const holder = openDirectory === undefined ? chdbHolder(dir) : null;
    throw new StorageError(
      'STORAGE_BUSY',
      holder !== null
        ? `cannot open chDB at ${dir}: process ${holder.pid} has it open (since ${holder.startedAt}; a running \`platewatch up\` or ` +
            'storage command: embedded storage is one process). Stop it first, or use a ClickHouse server (CLICKHOUSE_URL) ' +
            'to share data between processes'
        : openDirectory === undefined
        ? `cannot open chDB at ${dir}, most likely because another process has it open (a running \`platewatch up\` or ` +
            'storage command: embedded storage is one process; chDB printed its reason above). Stop it first, or use a ' +
            'ClickHouse server (CLICKHOUSE_URL) to share data between processes'
        : `cannot open chDB at ${dir}: chDB binds one data directory per process and ${openDirectory} is open ` +
            '(close it first, or use a ClickHouse server URL to share data between processes)',
      { cause: error },
    );
  }
  openDirectory = dir;
  // chdb bundles its own @clickhouse/client-common; the two copies' types differ only in
  // settings typings, the runtime contract is the same (chdb/connection is written for it).
  const client = createClient({ connection: connection as unknown as ClickHouseClientConfigOptions['connection'] });
  return {
    client,
    kind: 'embedded',
    config,
    close: async () => {
      await client.close();
      engine.close();
      await drainPending();
      if (openDirectory === dir) openDirectory = undefined;
    },
  };
}
