// `agentai-bridge run`: the daemon. Adapters feed the pipeline, delivery drains the outbox, the HTTP server
// reports health. SIGTERM/SIGINT: readiness goes 503, intake stops, queues drain until the deadline, exit 0;
// a second signal exits at once. Either way the store keeps what was not delivered for the next start.
import { hostname } from 'node:os';
import type { Adapter } from '../core/adapter.js';
import type { SummaryWriter } from '../summary/writer.js';
import { BridgeHttpServer, type Listening } from '../http/server.js';
import { Bridge, storePath } from '../runtime/bridge.js';
import type { OutboxCompleter } from '../core/adapter.js';
import { openStore } from '../store/open.js';
import { lockDataDir, type RunLock } from '../store/run-lock.js';
import { ensurePrivateDir } from '../store/private-files.js';
import { processHolder } from '../store/postgres.js';
import { StoreError } from '../store/errors.js';
import type { Store } from '../store/types.js';
import { Leadership } from '../runtime/leadership.js';
import { SubscriptionTerms, type LedModule } from '../runtime/subscription-terms.js';
import { EXIT, println, type CliContext } from './context.js';
import { loadOrExplain, loggerFor } from './setup.js';
import { errorFields } from '../errors.js';

/** The lease whose holder runs the single-subscriber adapters (the Genesys channels). */
export const SUBSCRIPTION_LEASE = 'subscription';

export interface RunHandle {
  readonly bridge: Bridge;
  /** The public listener; `admin` once BRIDGE_ADMIN_PORT is set. */
  readonly http: Listening;
  /** Resolves with the exit code once the daemon has stopped. */
  readonly done: Promise<number>;
  /** Resolves true once every adapter takes input; false if one cannot start (the daemon is then stopping). */
  readonly ready: Promise<boolean>;
  shutdown(reason: string): void;
}

export async function runCommand(ctx: CliContext, options: { signals?: boolean; overrides?: Record<string, unknown> } = {}): Promise<number> {
  const handle = await startDaemon(ctx, options);
  return typeof handle === 'number' ? handle : handle.done;
}

export async function startDaemon(ctx: CliContext, options: { signals?: boolean; overrides?: Record<string, unknown> } = {}): Promise<RunHandle | number> {
  const config = loadOrExplain(ctx, options.overrides, true);
  if (typeof config === 'number') return config;
  // Logs go to stdout; a caller that passes its own stream (tests, the demo) gets them there instead.
  const logger = loggerFor(config, ctx.modules, ctx.stdout === process.stdout ? undefined : ctx.stdout);
  // Filled once the adapters exist; the summary follow-up looks writers up when it writes.
  const summaryWriters = new Map<string, SummaryWriter>();
  const completers = new Map<string, OutboxCompleter>();
  const shared = config.bridge.store === 'postgres';
  const replicaId = config.replica.id || `${hostname()}-${process.pid}`;
  // The lease and the delivery claims belong to this process, not to the replica id.
  const holder = processHolder(replicaId);
  // One process per SQLite file; under postgres the database arbitrates and nothing lives in the data dir.
  let lock: RunLock | undefined;
  if (!shared) {
    try {
      const dir = ensurePrivateDir(config.bridge.dataDir);
      if (dir.open) {
        logger.warn(
          { dataDir: dir.path, mode: `0${dir.mode.toString(8)}`, event: 'store.data_dir_open' },
          'the data dir (BRIDGE_DATA_DIR) lets group or others in; its files are 0600, but make it 0700 (chmod 700): it holds what customers said',
        );
      }
      lock = lockDataDir(config.bridge.dataDir);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      println(ctx.stderr, `agentai-bridge: cannot start: ${message}`);
      return EXIT.failure;
    }
  }
  let store: Store;
  try {
    store = await openStore(config, { holder });
  } catch (err) {
    lock?.release();
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof StoreError && err.code === 'STORE_UNREACHABLE') {
      println(ctx.stderr, `config error: postgres.url (BRIDGE_POSTGRES_URL): ${message}`);
      return EXIT.config;
    }
    println(ctx.stderr, `agentai-bridge: cannot start: ${message}`);
    return EXIT.failure;
  }
  const bridge = new Bridge({ config, logger, store, summaryWriters, completers, summaryStorePath: storePath(config) });

  const adapters: Adapter[] = [];
  const led: LedModule[] = [];
  for (const name of config.bridge.adapters) {
    const module = ctx.modules.find((m) => m.name === name);
    if (!module?.createAdapter) {
      println(ctx.stderr, `config error: bridge.adapters (BRIDGE_ADAPTERS): adapter "${name}" cannot run live in this build`);
      await bridge.stop(0);
      lock?.release();
      return EXIT.config;
    }
    const deps = { config, logger: logger.child({ adapter: name }), metrics: bridge.metrics, now: Date.now };
    const adapter = module.createAdapter(deps);
    if (shared && module.singleSubscriber) led.push({ module, deps, first: adapter });
    else adapters.push(adapter);
    const writer = module.createSummaryWriter?.(deps, adapter);
    if (writer) summaryWriters.set(name, writer);
    const completer = module.createOutboxCompleter?.(deps, adapter);
    if (completer) completers.set(name, completer);
  }

  let draining = false;
  let shutdown: (reason: string, code?: number) => void = () => undefined;
  let leadership: Leadership | undefined;
  const terms = new SubscriptionTerms({
    modules: led,
    bridge,
    logger,
    leadership: () => leadership,
    summaryWriters,
    completers,
    onFatal: (err) => {
      logger.fatal({ err, event: 'bridge.cannot_start' }, `cannot start: ${err.message}`);
      println(ctx.stderr, `agentai-bridge: cannot start: ${err.message}`);
      shutdown('an adapter cannot start', EXIT.failure);
    },
  });
  if (led.length) {
    leadership = new Leadership({
      store,
      lease: SUBSCRIPTION_LEASE,
      holder,
      ttlMs: config.replica.leaseTtlMs,
      heartbeatMs: config.replica.heartbeatMs,
      logger: logger.child({ component: 'leadership', replica: replicaId }),
      onElected: (term) => terms.elected(term),
      onDeposed: () => terms.deposed(),
    });
  }
  /** leader: holds the lease and its subscription is live; a lone SQLite process once its adapters connect. */
  const role = (): 'leader' | 'follower' => {
    if (leadership) return leadership.isLeading() && terms.subscribed() ? 'leader' : 'follower';
    return adapters.length > 0 && adapters.every((a) => a.health().connected) ? 'leader' : 'follower';
  };
  const readiness = (): { ready: boolean; reasons: string[] } => {
    const reasons: string[] = [];
    if (draining) reasons.push('draining: shutting down');
    if (!bridge.storeWritable()) reasons.push('store is not writable');
    if (leadership?.status().state === 'cut-off') reasons.push('cut off from the database: not acting as leader');
    for (const a of adapters) if (!a.health().connected) reasons.push(`adapter ${a.name} is not connected`);
    return { ready: reasons.length === 0, reasons };
  };
  const server = new BridgeHttpServer({
    host: config.http.host,
    port: config.http.port,
    ...(config.http.adminPort !== '' ? { admin: { host: config.http.adminHost || config.http.host, port: config.http.adminPort } } : {}),
    ...(config.http.adminToken ? { adminToken: config.http.adminToken } : {}),
    limits: { headersTimeoutMs: config.http.headersTimeoutMs, requestTimeoutMs: config.http.requestTimeoutMs, maxConnections: config.http.maxConnections },
    logger,
    metrics: bridge.metrics,
    routes: adapters.flatMap((a) => (a.routes?.() ?? []).map((r) => ({ ...r, adapter: a.name }))),
    readiness,
    status: () => ({
      draining,
      replica: { id: replicaId, role: role(), store: config.bridge.store, ...(leadership ? leadership.status() : { holder }) },
      adapters: { ...Object.fromEntries(adapters.map((a) => [a.name, a.health()])), ...terms.health() },
      store: bridge.stats(),
      inFlight: bridge.dispatcher.inFlight(),
      delivery: bridge.dispatcher.counts,
      deliveryState: bridge.dispatcher.status(),
      timersHeld: bridge.visibility.blindReasons(),
    }),
  });
  bridge.metrics.liveProbes({
    ready: () => readiness().ready,
    leader: () => role() === 'leader',
    // Leader-only adapters count where they run: a follower's idle Genesys adapter is not an outage.
    connected: () => Object.fromEntries([...adapters.map((a) => [a.name, a.health().connected] as const), ...Object.entries(terms.health()).map(([name, h]) => [name, h.connected] as const)]),
  });
  const http = await server.listen();
  // Timers of conversations a previous run left open must not fire before their adapter has started and could
  // say what it cannot see yet (it catches up after a start): each source is blind until its start resolves.
  const STARTING = 'adapter starting';
  for (const a of adapters) bridge.visibility.forSource(a.name).blind(STARTING);
  await bridge.start();
  // Another replica gave conversations up (it stopped, or finished them while new rows came in here): take
  // them now rather than at the next sweep.
  const unhint = store.onHint?.((hint) => {
    if (hint === 'claims-released') void bridge.dispatcher.sweep().catch(() => undefined);
  });

  let resolveDone: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  shutdown = (reason: string, exitCode: number = EXIT.ok): void => {
    let code = exitCode;
    if (draining) {
      logger.warn({ reason, event: 'bridge.exit_now' }, 'second signal: exiting now; undelivered calls stay in the store for the next start');
      resolveDone(EXIT.failure);
      return;
    }
    draining = true;
    logger.info({ reason, deadlineMs: config.bridge.shutdownDeadlineMs, event: 'bridge.shutting_down' }, 'shutting down: intake stopped, draining delivery');
    void (async () => {
      try {
        // The lease first: another replica takes the subscription over while this one drains.
        await leadership?.stop();
        unhint?.();
        for (const a of adapters) await a.stop().catch((err: unknown) => logger.error({ err, adapter: a.name, event: 'adapter.stop_failed' }, 'adapter stop failed'));
        const drained = await bridge.stop(config.bridge.shutdownDeadlineMs);
        logger.info({ drained, event: 'bridge.stopped' }, drained ? 'stopped: everything delivered' : 'stopped at the deadline: the rest is delivered at the next start');
      } catch (err) {
        // Closing the store failed (disk gone): what it committed is safe; say so and still exit.
        logger.error({ err, event: 'bridge.stop_failed' }, 'stopping did not finish cleanly; committed facts and calls are kept for the next start');
        code = EXIT.failure;
      } finally {
        lock?.release();
        await server.close().catch((err: unknown) => logger.error({ err, event: 'http.close_failed' }, 'closing the HTTP server failed'));
        resolveDone(code);
      }
    })();
  };
  // Before the adapters start: a start that is still retrying (Genesys unreachable) must stop cleanly too.
  if (options.signals !== false) {
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  }

  const ready = (async (): Promise<boolean> => {
    try {
      for (const a of adapters) {
        const visibility = bridge.visibility.forSource(a.name);
        await a.start({ sink: bridge.pipeline, logger: logger.child({ adapter: a.name }), now: Date.now, visibility, state: bridge.adapterState(a.name) });
        visibility.sees(STARTING);
      }
      if (draining) return false;
      leadership?.start();
      logger.info(
        { http, adapters: adapters.map((a) => a.name), leaderOnly: terms.names(), replica: replicaId, store: config.bridge.store, bots: config.bots.map((b) => b.name), event: 'bridge.running' },
        'agentai-bridge running',
      );
      return true;
    } catch (err) {
      // Adapters retry what may heal; what reaches here will not (credentials refused, unknown queue).
      const message = (err as Error).message;
      logger.fatal({ ...errorFields(err), event: 'bridge.cannot_start' }, `cannot start: ${message}`);
      println(ctx.stderr, `agentai-bridge: cannot start: ${message}`);
      shutdown('an adapter cannot start', EXIT.failure);
      return false;
    }
  })();
  return { bridge, http, done, ready, shutdown };
}
