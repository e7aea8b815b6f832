// The running system: NATS (embedded nats-server or NATS_URL), storage (embedded chDB or a
// ClickHouse URL), the matcher fed by the hot list store, and the pipeline worker. `platewatch up`
// and the integration tests start it through here, so they run what production runs.
import { join, resolve } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import type { ObjectStore } from '@nats-io/obj';
import type { Logger } from 'pino';
import {
  ApiGuard, auditRoutes, authRoutes, CovertLists, dispositionRoutes, evidenceRoutes, hitRoutes, hotlistRoutes, idleLockPolicy, imageSources, releaseRoutes, refusedReadsRoutes, reportRoutes, searchRoutes, startGateway, userRoutes,
  type ConsoleSession, type GatewayConfig, type RunningGateway,
} from '../gateway/index.js';
import {
  createPipelineMetrics,
  DEFAULT_RETROACTIVE_DAYS,
  RetroactiveCheckpoints,
  RetroactiveChecks,
  HITS_SUBJECT_PREFIX,
  HotlistFollower,
  ListBuilder,
  ListLoader,
  MetricsRegistry,
  NatsConnectionWatch, NatsServerLogRelay,
  natsConnectOptions,
  openHotlistStore,
  openVersionClaims,
  PIPELINE_CONSUMER,
  PipelineWorker,
  READS_STREAM,
  registerHotlistStaleness,
  startLocalNatsServer,
  StorageOutage,
  superviseNatsServer,
  watchHotlistStaleness,
  type DetectionSink,
  type HitMessage,
  type LocalNatsServer,
  type NatsConnectOptions,
  type NatsCredentials,
  type PipelineMetrics,
  type WireRead,
} from '../ingest/index.js';
import { isSpecificList, Matcher, type MatcherConfig } from '../matcher/index.js';
import {
  AccessLog, covertSubscriptionRefusal, CredentialStore, DEFAULT_RELEASE_POLICY, DetectionWriter, HitWriter, MIGRATIONS, openStorage, resolvedHitIds, type Detection, type ReleasePolicy,
  type Storage, type StorageConfig, type StoredHit, type VerifiedSession,
} from '../storage/index.js';
import { DEFAULT_HIT_SETTINGS, DEFAULT_HOTLIST_SETTINGS, DEFAULT_METRICS_SETTINGS, type HitSettings, type HotlistSettings, type MetricsSettings } from './config.js';
import { watchDiskFree } from './disk-free.js';
import { storedDispositions } from './disposition-recorder.js';
import { embeddedNatsAuthFile, embeddedNatsAuthorization, loadOrCreateEmbeddedNatsAuth, systemConnectOptions } from './embedded-nats-auth.js';
import { accessLogRefusals } from './refusal-log.js';
import { logRetentionChanges } from './retention-log.js';
import { storedSightings } from './past-sightings.js';
import { processAccessLogChain } from './storage-options.js';
import { gib, openStreams } from './system-streams.js';
import { registerProcessMetrics } from './process-metrics.js';
import { registerBuildInfo } from './version.js';

export interface SystemOptions {
  dataDir: string;
  matcher: MatcherConfig;
  logger: Logger;
  /**
   * An existing NATS server or cluster; unset: spawn nats-server under `dataDir/nats`, requiring
   * the users of `dataDir/nats/auth.json` (bin/embedded-nats-auth.ts).
   */
  natsUrl?: string;
  /** Its credentials, over any in the URL (`nats://user:password@host`). */
  natsCredentials?: NatsCredentials;
  /** Port for the embedded nats-server; 0 picks a free one. */
  natsPort?: number;
  /** Where `natsPort` was set (`PLATEWATCH_NATS_PORT`), named when another program holds the port. */
  natsPortName?: string;
  /** READS's byte limit (config `nats.readsMaxGib`). @default DEFAULT_STREAMS_CONFIG.readsMaxBytes (10 GiB) */
  readsMaxBytes?: number;
  /**
   * How long a read handed to a pipeline worker waits for its ack before it goes to another (the
   * consumer's ack wait, set at every start: the last worker started sets it for all). A worker
   * killed mid-batch delays its reads' hits this long. @default DEFAULT_STREAMS_CONFIG.ackWaitMs (30 s)
   */
  readsAckWaitMs?: number;
  /** Storage settings; `dataDir` defaults to `dataDir/clickhouse`. */
  storage?: Partial<StorageConfig>;
  /** Run the pipeline worker in this process. @default true */
  pipeline?: boolean;
  /**
   * Look back this many days for past sightings of entries added to specific lists (0: off).
   * In server mode with several workers, enable it on one. @default DEFAULT_RETROACTIVE_DAYS
   */
  retroactiveDays?: number;
  /**
   * Run the gateway (HTTP, WebSockets) in this process; false: none. `sessionCheckMs`: how often
   * open consoles' sessions are checked again (gateway/config.ts). @default port 0 on 127.0.0.1
   */
  gateway?: ({ port: number; host: string; trustedProxies?: readonly string[]; idleLockMinutes?: number; idleLockExemptRoles?: readonly string[] } & Partial<Pick<GatewayConfig, 'sessionCheckMs' | 'imageOrigins' | 'imageUrlTemplate'>>) | false;
  /** Escalation and covert lists. @default DEFAULT_HIT_SETTINGS */
  hits?: HitSettings;
  /** Who releases may go to (Watsonville §471.8; Values Act refusals are not configurable). @default DEFAULT_RELEASE_POLICY */
  release?: ReleasePolicy;
  /** Hot list staleness, immigration codes and bulk layouts. @default DEFAULT_HOTLIST_SETTINGS */
  hotlists?: HotlistSettings;
  /** What /metrics keeps apart (cameras with series of their own), and the token it requires. @default DEFAULT_METRICS_SETTINGS */
  metrics?: MetricsSettings;
  /**
   * Puts lists in the hot list store before the staleness watch's first check and the matcher's
   * first load (`up --demo`'s sample list): put after, the log called it stale, never loaded, a
   * moment before the demo loaded it (found by QA).
   */
  seedHotlists?: (store: ObjectStore) => Promise<void>;
  /**
   * Subscribed to alpr.hits.> (core NATS) as soon as NATS is connected, before the hot lists, the
   * retroactive checks and the pipeline start, so it hears every hit they publish (`up` prints
   * them; subscribed after the start, it missed those of the backlog a restart works through).
   * Called on the NATS client's reader loop: it must not throw.
   */
  onHitMessage?: (error: Error | null, msg: Msg) => void;
  /**
   * How long a stop waits on each step that needs NATS (the pipeline's last acks, the gateway's
   * feed, the hot list watch, the drain) before cutting it short: with the server gone they would
   * wait for ever. @default DEFAULT_STOP_STEP_TIMEOUT_MS
   */
  stopStepTimeoutMs?: number;
  /**
   * Aborted: stop starting. Checked between the steps of the start (a step under way — opening
   * storage with its migrations, building the lists — finishes first); what has started is then
   * stopped and startSystem rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

export interface RunningSystem {
  natsUrl: string;
  /**
   * How the system's own connections connect (servers, credentials, inbox prefix): what another
   * connection in this process needs to act as the system. The embedded server refuses a client
   * without credentials.
   */
  natsConnect: SystemNatsConnectOptions;
  nc: NatsConnection;
  js: JetStreamClient;
  storage: Storage;
  accessLog: AccessLog;
  credentials: CredentialStore;
  writer: DetectionWriter;
  matcher: Matcher;
  hotlists: ObjectStore;
  metrics: MetricsRegistry;
  pipelineMetrics: PipelineMetrics;
  gateway: RunningGateway | undefined;
  /**
   * Settles (never rejects) when the system cannot go on by itself: the embedded nats-server kept
   * dying and is not restarted again (ingest/nats-supervisor.ts). The caller should stop it and
   * exit with a failure. Never settles with NATS_URL.
   */
  failed: Promise<Error>;
  /** Graceful: every step finishes, except those waiting on an unreachable NATS, cut short after `stopStepTimeoutMs`. */
  stop(): Promise<void>;
}

export type SystemNatsConnectOptions = NatsConnectOptions & { inboxPrefix?: string };

/** See SystemOptions.stopStepTimeoutMs. */
export const DEFAULT_STOP_STEP_TIMEOUT_MS = 10_000;

/** The embedded nats-server's port, kept under its store so a restarted `up` listens where cameras point. */
const NATS_PORT_FILE = 'platewatch.port';

/** A detection as storage keeps it, from a validated camera read. */
export function toDetection(read: WireRead): Detection {
  const d: Detection = {
    readId: read.id,
    agency: read.agency,
    camera: read.camera,
    seenAt: read.ts,
    plate: read.plate,
    state: read.state ?? '',
    confidence: read.conf,
  };
  if (read.lat !== undefined && read.lon !== undefined) {
    d.lat = read.lat;
    d.lon = read.lon;
  }
  if (read.heading !== undefined) d.heading = read.heading;
  if (read.vehicle?.make !== undefined) d.vehicleMake = read.vehicle.make;
  if (read.vehicle?.model !== undefined) d.vehicleModel = read.vehicle.model;
  if (read.vehicle?.year !== undefined) d.vehicleYear = read.vehicle.year;
  if (read.vehicle?.color !== undefined) d.vehicleColor = read.vehicle.color;
  if (read.vehicle?.type !== undefined) d.vehicleType = read.vehicle.type;
  if (read.image !== undefined) d.imageRef = read.image;
  if (read.candidates !== undefined) d.candidates = read.candidates.map((c) => c.plate);
  return d;
}

/** A hit as the hits table keeps it (dispositions refer to it by id). */
export function toStoredHit(message: HitMessage): StoredHit {
  const { read, hit } = message;
  return {
    hitId: message.hitId,
    readId: read.id,
    agency: read.agency,
    camera: read.camera,
    seenAt: read.ts,
    plate: hit.plate,
    list: hit.list,
    entryId: hit.entry,
    entryVersion: hit.listVersion,
    matchKind: hit.kind,
    distance: hit.distance,
    differing: hit.positions,
    stateMatch: hit.stateMatch === null ? 'unknown' : hit.stateMatch ? 'match' : 'mismatch',
  };
}

export function detectionSink(writer: DetectionWriter, hitWriter?: HitWriter): DetectionSink {
  const sink: DetectionSink = { enqueue: (reads) => writer.enqueue(reads.map(toDetection)) };
  if (hitWriter !== undefined) sink.recordHits = (hits) => hitWriter.enqueue(hits.map(toStoredHit));
  return sink;
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { logger } = options;
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse().splice(0)) {
      try {
        await cleanup();
      } catch (error) {
        logger.error({ err: error }, 'error while stopping');
      }
    }
  };
  const stopRequested = (): void => options.signal?.throwIfAborted();
  const stepTimeoutMs = options.stopStepTimeoutMs ?? DEFAULT_STOP_STEP_TIMEOUT_MS;
  /** A stop step that needs NATS, cut short after stepTimeoutMs: `cutShort` says what that leaves undone. */
  const natsStep = (what: string, cutShort: string, step: () => Promise<void>) => (): Promise<void> =>
    waitAtMost(step(), stepTimeoutMs, logger, what, cutShort);
  let failed = new Promise<Error>(() => {}); // NATS_URL: someone else keeps that server running
  try {
    stopRequested();
    // Storage first: embedded chDB locks its directory (the kernel's lock on its status file), so
    // a second `up` on the same data directory stops here, before it can touch the NATS store,
    // even when both start at the same instant.
    const storage = await openStorage({ dataDir: join(options.dataDir, 'clickhouse'), ...options.storage });
    cleanups.push(() => storage.close());
    stopRequested();
    const metrics = new MetricsRegistry();
    registerBuildInfo(metrics, MIGRATIONS[MIGRATIONS.length - 1]!.version);
    const stopProcessMetrics = registerProcessMetrics(metrics);
    cleanups.push(async () => stopProcessMetrics());
    let natsUrl = options.natsUrl;
    let natsConnect: SystemNatsConnectOptions;
    if (natsUrl === undefined) {
      const storeDir = join(options.dataDir, 'nats');
      const { auth, origin } = await loadOrCreateEmbeddedNatsAuth(options.dataDir);
      const authFile = embeddedNatsAuthFile(options.dataDir);
      if (origin === 'recovered') logger.warn({ file: authFile }, 'the embedded NATS credentials file was missing: its passwords were read back from the server\'s config file and it was written again');
      if (origin === 'replaced') {
        logger.error(
          { file: authFile },
          'the embedded NATS credentials file was missing, and the server\'s config file too: NEW passwords were made, so every camera configured with the old camera password is refused until given the new one (or stop, restore the file from a backup, and start again)',
        );
      }
      const natsLog = new NatsServerLogRelay({ logger, registry: metrics }); // its errors and refused cameras, once running
      const start = {
        storeDir, port: options.natsPort ?? 0, portFile: join(storeDir, NATS_PORT_FILE), authorization: embeddedNatsAuthorization(auth), logLines: natsLog.take,
        ...(options.natsPortName === undefined ? {} : { portName: options.natsPortName }),
      };
      const first: LocalNatsServer = await startLocalNatsServer(start);
      // Restarted on the same port and store when it dies, a few times; then `failed` settles.
      const server = superviseNatsServer(first, { start, logger });
      cleanups.push(() => server.stop().finally(() => natsLog.close()));
      failed = server.failed;
      natsUrl = server.url;
      natsConnect = { servers: [server.url], ...systemConnectOptions(auth) };
      for (const pid of first.leftoversStopped) logger.warn({ pid }, 'stopped a nats-server that an earlier platewatch, since ended, had left running on this store');
      if (first.rememberedPortTaken !== null) {
        logger.warn(
          { port: first.port, remembered: first.rememberedPortTaken },
          `the embedded nats-server's port of the last start, ${first.rememberedPortTaken}, is taken by another program: it listens on ${first.port} now, and cameras configured with the old URL must be re-pointed to ${first.url}`,
        );
      }
      if (first.movedGlobalStore !== null) {
        logger.warn({ account: first.movedGlobalStore }, 'the NATS store of an earlier version (no accounts) now belongs to the system\'s account: streams and hot lists kept; an earlier platewatch started on it would find it empty');
      }
      const over = first.streamsOverFreeDisk;
      if (over !== null) {
        logger.warn(
          { dir: storeDir, freeBytes: over.freeBytes, streams: over.streams.map((s) => ({ stream: s.stream, maxBytes: s.maxBytes })) },
          `the NATS store's disk has ${gib(over.freeBytes)} free, less than its streams' limits (${over.streams.map((s) => `${s.stream} ${gib(s.maxBytes)}`).join(', ')}): ` +
            'they were loaded and the system starts, but the disk fills before the streams do. When it fills, nats-server refuses new reads (cameras\' publishes fail ' +
            'and they keep them to send again) and may stop JetStream until it is restarted with space free: keep the pipeline up with storage so reads do not pile up, ' +
            'and free space or move the data directory\'s nats/ to a larger disk',
        );
      }
      logger.info({ url: natsUrl, pid: first.pid }, 'embedded nats-server started');
      stopRequested();
    } else {
      natsConnect = natsConnectOptions(natsUrl, options.natsCredentials);
    }
    const nc = await connect({ ...natsConnect, name: 'platewatch', maxReconnectAttempts: -1 });
    const connection = new NatsConnectionWatch(nc);
    cleanups.push(async () => {
      // A drain waits for the server's answer, for ever while it is gone: close instead.
      const problem = connection.problem();
      if (problem === null) await waitAtMost(nc.drain(), stepTimeoutMs, logger, 'draining the NATS connection', 'messages not yet sent to NATS are dropped');
      else logger.warn({ problem }, 'stop: NATS is not connected: the connection is closed without draining (messages not yet sent to NATS are dropped)');
      connection.stop();
      if (!nc.isClosed()) await nc.close();
    });
    // First thing on the connection: every hit published from here on reaches it.
    if (options.onHitMessage !== undefined) nc.subscribe(`${HITS_SUBJECT_PREFIX}.>`, { callback: options.onHitMessage });
    const js = jetstream(nc);
    await openStreams(await jetstreamManager(nc), { readsMaxBytes: options.readsMaxBytes, ackWaitMs: options.readsAckWaitMs, storeDir: options.natsUrl === undefined ? join(options.dataDir, 'nats') : null, logger });
    // Versioned records (hot lists, release requests, users) claim each new version here first, so
    // gateways side by side on one ClickHouse server cannot both write it (storage/version-claims.ts).
    const claims = await openVersionClaims(js);
    stopRequested();

    // An upgrade says what it changed: some migrations (6: the plate index) go on building in the
    // background, visible in system.mutations.
    if (storage.migrations.applied.length > 0) logger.info({ applied: storage.migrations.applied }, 'storage schema migrated');
    logRetentionChanges(logger, storage.migrations.retentionChanges);
    const matcher = new Matcher(options.matcher);
    // Batches not stored: one log line per outage (not per batch), and /healthz 503 while it lasts.
    const storageOutage = new StorageOutage(logger);
    const writer = new DetectionWriter(storage, { alphabet: matcher.alphabet, logger, outcomes: storageOutage.outcomes('detections') });
    cleanups.push(() => writer.close());
    const hitWriter = new HitWriter(storage, storage.config, storageOutage.outcomes('hits'));
    cleanups.push(() => hitWriter.flush());

    // /metrics answers this machine, or a scraper with the metrics token, and those need not be on a
    // covert list: covert lists appear there as covert-1, covert-2…
    metrics.withholdLabelValues('list', Object.keys((options.hits ?? DEFAULT_HIT_SETTINGS).covertLists).map((l) => l.toUpperCase()), 'covert');
    const pipelineMetrics = createPipelineMetrics(metrics, { maxCameras: (options.metrics ?? DEFAULT_METRICS_SETTINGS).maxCameras });
    const listVersion = metrics.gauge('platewatch_hotlist_version', 'Version of each hot list in use', { labelNames: ['list'] });
    const listBuiltAt = metrics.gauge('platewatch_hotlist_built_at_seconds', 'When each hot list in use was built (epoch seconds)', { labelNames: ['list'] });
    const listEntries = metrics.gauge('platewatch_hotlist_entries', 'Entries of each hot list in use', { labelNames: ['list'] });
    const pending = metrics.gauge('platewatch_reads_pending', 'Reads on the READS stream not yet handed to a worker');
    const ackPending = metrics.gauge('platewatch_reads_ack_pending', 'Reads handed to workers and not yet stored and acknowledged (ack lag)');
    // The stores this process keeps on local disk: the embedded nats-server's and chDB's.
    const diskFree = watchDiskFree(metrics, {
      ...(options.natsUrl === undefined ? { nats: join(options.dataDir, 'nats') } : {}),
      ...(storage.config.url === undefined ? { clickhouse: storage.config.dataDir } : {}),
    }, logger);
    cleanups.push(async () => diskFree.stop());
    const jsm = await jetstreamManager(nc);
    metrics.onCollect(async () => {
      for (const list of matcher.lists()) {
        listEntries.set(list.entries, { list: list.list });
      }
      try {
        const info = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
        pending.set(info.num_pending);
        ackPending.set(info.num_ack_pending);
      } catch (error) {
        logger.warn({ err: error }, 'consumer info unavailable for metrics');
      }
    });
    const accessLog = new AccessLog(storage, processAccessLogChain(storage, 'up'));
    const credentials = new CredentialStore(storage, accessLog);
    const sightings = storedSightings(storage, accessLog, matcher.alphabet);
    const retroactiveDays = options.retroactiveDays ?? DEFAULT_RETROACTIVE_DAYS;
    const hotlists = await openHotlistStore(js);
    const hotlistSettings = options.hotlists ?? DEFAULT_HOTLIST_SETTINGS;
    await options.seedHotlists?.(hotlists);
    // Watsonville §471.5(f)(4): a general list older than a day raises platewatch_hotlist_stale.
    registerHotlistStaleness(metrics, hotlists, options.matcher, hotlistSettings.staleAfterHours * 3_600_000, logger);
    const staleness = await watchHotlistStaleness(hotlists, options.matcher, hotlistSettings.staleAfterHours * 3_600_000, logger, (list) => metrics.labelValue('list', list));
    cleanups.push(async () => staleness.stop());
    const retroactive =
      retroactiveDays === 0 ? undefined : new RetroactiveChecks(await RetroactiveCheckpoints.open(js), { js, config: options.matcher, sightings, logger, days: retroactiveDays });
    const builder = new ListBuilder(options.matcher);
    cleanups.push(() => builder.close());
    const loader = new ListLoader();
    cleanups.push(() => loader.close());
    const follower = new HotlistFollower(hotlists, matcher, builder, logger, (summary, _previous, next, atStart) => {
      // The start's own check has seen the lists present at start; a later version may end a warning.
      if (!atStart) void staleness.recheck();
      listVersion.set(summary.version, { list: summary.list });
      listBuiltAt.set(Math.round(summary.builtAt / 1000), { list: summary.list });
      if (retroactive === undefined || !isSpecificList(options.matcher, summary.list)) return;
      retroactive.check(summary.list, next, atStart).catch((error: unknown) => {
        logger.error({ err: error, list: metrics.labelValue('list', summary.list) }, 'retroactive hit check failed; its entries are searched again at the next version or start');
      });
    }, (list) => metrics.labelValue('list', list));
    await follower.start();
    cleanups.push(natsStep('stopping the hot list watch', 'the watch is left to end with the connection', () => follower.stop()));
    stopRequested();

    let gateway: RunningGateway | undefined;
    if (options.gateway !== false) {
      const refusals = accessLogRefusals(accessLog);
      const guard = new ApiGuard(credentials, refusals);
      const hitSettings = options.hits ?? DEFAULT_HIT_SETTINGS;
      const images = imageSources(options.gateway?.imageOrigins ?? [], options.gateway?.imageUrlTemplate);
      const covert = new CovertLists(hitSettings.covertLists);
      const consoleSession = (session: VerifiedSession | null): ConsoleSession | null =>
        session === null ? null : { ...session, hiddenLists: covert.hiddenFor(session.user) };
      // A filter naming a covert list the user is not on gets its other hits (the console learns
      // nothing), and the log gets the attempt as a refusal, as the hit API's look-ups do.
      const logSubscription = async (user: string, asked: unknown, replayed: number): Promise<void> => {
        const { filter, askedHidden, onlyHidden } = covert.filterForLog(user, asked);
        const entry = { user, action: 'hit_view' as const, params: { via: 'console', filter }, caseNumber: '', reason: 'live hits (dispatch console)' };
        if (askedHidden) await accessLog.append({ ...entry, outcome: 'refused', rowsReturned: 0, detail: covertSubscriptionRefusal(user) });
        if (!onlyHidden) await accessLog.append({ ...entry, outcome: 'ok', rowsReturned: replayed, detail: '' });
      };
      gateway = await startGateway({
        nc,
        js,
        // Individual sign-in (Watsonville §471.5(h)): only sessions of active, trained users, at the
        // upgrade and again while the console is open (one batched look-up per check).
        verifySession: async (token) => consoleSession(await credentials.verify(token)),
        verifySessions: async (tokens) => new Map([...(await credentials.verifyMany(tokens))].map(([token, session]) => [token, consoleSession(session)])),
        // Watsonville §471.7(b): watching live hits is access to ALPR data, so it is on the record.
        onConsoleEvent: (session, event) => {
          const logged = event.kind === 'refused'
            ? refusals.refused(session.user, event.permission, 'console upgrade refused for the role', { url: '/ws' })
            : logSubscription(session.user, event.filter, event.replayed);
          logged.catch((error: unknown) => logger.error({ err: error, user: session.user }, 'could not write a console event to the access log'));
        },
        resolvedHits: (since) => resolvedHitIds(storage, since),
        ...(options.pipeline === false ? {} : { storageHealth: () => storageOutage.health() }),
        // Dispositions act on live hits (resolve, tell every console), so the routes get the feed and fan-out.
        routes: ({ feed, fanOut, escalator, announce, sessions }) => [
          ...authRoutes({ authenticator: credentials, consoles: sessions, timeZone: storage.config.timeZone, trustedProxies: options.gateway === false ? [] : (options.gateway?.trustedProxies ?? []), idleLock: idleLockPolicy(options.gateway || undefined),
            images }),
          ...dispositionRoutes({ guard, recorder: storedDispositions(storage, accessLog, claims, options.matcher), accessLog, feed, fanOut, announce, covert }),
          ...hitRoutes({ guard, feed, escalator, covert, storage: { storage, accessLog } }),
          ...searchRoutes({ guard, search: { storage, accessLog, alphabet: matcher.alphabet, timeoutMs: storage.config.searchTimeoutMs } }),
          ...userRoutes({ guard, storage, accessLog, credentials, claims, consoles: sessions }),
          ...auditRoutes({ guard, storage, accessLog }),
          // Releases (§471.8): packages go under dataDir/releases, never a client-named path.
          ...releaseRoutes({ guard, releases: { storage, accessLog, policy: options.release ?? DEFAULT_RELEASE_POLICY, claims, packagesDir: resolve(options.dataDir, 'releases'), alphabet: matcher.alphabet } }),
          // Legal holds and evidence packages while the system runs; packages go under dataDir/evidence.
          ...evidenceRoutes({ guard, evidence: { storage, accessLog, alphabet: matcher.alphabet }, exportsDir: resolve(options.dataDir, 'evidence') }),
          // The public report counts covert lists' hits together, never by name.
          ...reportRoutes({ guard, reports: { storage, accessLog, covertLists: Object.keys(hitSettings.covertLists) } }),
          ...refusedReadsRoutes({ guard, refusedReads: { storage, accessLog, jsm: () => jetstreamManager(nc) } }),
          ...hotlistRoutes({
            guard, hotlists: { storage, accessLog, config: options.matcher, claims }, store: hotlists, covert, staleAfterMs: hotlistSettings.staleAfterHours * 3_600_000, loader,
            immigrationMessageKeys: hotlistSettings.immigrationMessageKeys, layouts: hotlistSettings.layouts,
            ...(options.pipeline === false ? {} : { inForce: (list: string, version: number, waitMs: number) => untilListVersion(matcher, list, version, waitMs) }),
          }),
        ],
        registry: metrics,
        logger,
        config: { ...(options.gateway ?? { port: 0, host: '127.0.0.1' }), escalateAfterMs: hitSettings.escalateAfterMinutes * 60_000, metricsToken: options.metrics?.token },
      });
      cleanups.push(natsStep('stopping the gateway', 'its hit feed is left to end with the connection; consoles may not have been told it closed', () => (gateway as RunningGateway).stop()));
      stopRequested();
    }

    if (options.pipeline !== false) {
      // Reads wait in the stream, not in memory, once the writer's queue is full. A read older than
      // storage keeps it (and its hits) is refused at the wire, not purged as it is written.
      const retentionSeconds = Math.min(storage.config.detectionRetentionSeconds, storage.config.hitRetentionSeconds);
      const worker = new PipelineWorker({ js, matcher, sink: detectionSink(writer, hitWriter), metrics: pipelineMetrics, logger, maxReadsInFlight: storage.config.maxQueuedRows, limits: { retentionSeconds } });
      await worker.start();
      cleanups.push(natsStep('finishing the reads in flight', 'reads not yet acknowledged are delivered again at the next start', () => worker.stop()));
      stopRequested();
    }
    return { natsUrl, natsConnect, nc, js, storage, accessLog, credentials, writer, matcher, hotlists, metrics, pipelineMetrics, gateway, failed, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** True once `matcher` has `version` of `list` or a newer one; false after `waitMs` (a refused version never comes). */
async function untilListVersion(matcher: Matcher, list: string, version: number, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  while ((matcher.current.get(list)?.version ?? 0) < version) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/**
 * Waits for `work` at most `ms`; then logs what was cut short and returns, leaving `work` to end on
 * its own. Every step that needs NATS goes through here: with the server gone, a SIGTERM hung `up`.
 */
async function waitAtMost(work: Promise<void>, ms: number, logger: Logger, what: string, cutShort: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
  try {
    if ((await Promise.race([work, timedOut])) !== true) return;
  } finally {
    clearTimeout(timer);
  }
  logger.error({ step: what, waitedMs: ms }, `stop: ${what} did not finish within ${ms / 1000} s (is NATS reachable?); cut short: ${cutShort}`);
  work.catch((error: unknown) => logger.warn({ err: error, step: what }, `stop: ${what} failed after it was cut short`));
}
