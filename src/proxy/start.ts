/**
 * One proxy node from its configuration: the policy and threat data through one engine, the shared
 * quarantine list, the judge, the views, the upstream client, one front end per configured
 * upstream, the admin API, health and metrics, all behind one HTTP server.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createEngine } from '../engine/engine.ts';
import { isCvebuildError } from '../errors.ts';
import { assertFresh } from '../intel/freshness.ts';
import { openIntelStore } from '../intel/open.ts';
import { download } from '../net/download.ts';
import { loadPolicy } from '../policy/load.ts';
import { defaultPolicy } from '../policy/policy.ts';
import { handleAdmin } from './admin.ts';
import { ChannelAuditResults } from './channel-audit/stored-results.ts';
import { createCondaChannel } from './conda/channel.ts';
import { adminTokens, type ProxyConfig } from './config.ts';
import { createEngineJudge } from './judge.ts';
import { Metrics } from './metrics.ts';
import { createPypiIndex } from './pypi/index.ts';
import { type Frontend, listen, type RunningServer } from './server.ts';
import { openProxyState } from './state/open.ts';
import { QuarantineWatcher } from './state/propagation.ts';
import { UpstreamClient } from './upstream.ts';
import { ViewStore } from './views.ts';
import { ViewWarmer } from './warmer.ts';

const VIEW_PRUNE_INTERVAL_MS = 10 * 60_000;
/** How long a forgotten view's file stays: a slow client may still be reading a large repodata. */
const VIEW_GRACE_MS = 60 * 60_000;

export interface ProxyNode {
  url: string;
  /** Graceful: stops accepting, lets requests finish (up to the configured grace), closes the stores. */
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: () => Date;
  log?: (line: Record<string, unknown>) => void;
  env?: NodeJS.ProcessEnv;
  /** Overrides `server.listen`'s port (tests: 0). */
  port?: number;
}

export async function startProxy(config: ProxyConfig, options: StartOptions = {}): Promise<ProxyNode> {
  const clock = options.clock ?? (() => new Date());
  const log =
    options.log ??
    ((line: Record<string, unknown>) =>
      process.stdout.write(`${JSON.stringify({ time: clock().toISOString(), ...line })}\n`));
  const env = options.env ?? process.env;
  const tokens = adminTokens(config, env);
  const policyFile = config.policy.file;
  const policy = policyFile ? loadPolicy(dirname(policyFile), policyFile) : defaultPolicy();
  const policyDigest = policyFile ? createHash('sha256').update(readFileSync(policyFile)).digest('hex') : 'built-in';
  const intel = await openIntelStore(config.policy.db ? { db: config.policy.db } : {});
  const state = await openProxyState(config.state);
  const closers: (() => unknown)[] = [() => intel.store.close(), () => state.close()];
  try {
    const watcher = new QuarantineWatcher(state, { propagationMs: config.propagationMs, clock });
    await watcher.refreshNow();
    watcher.start();
    closers.unshift(() => watcher.stop());
    const engine = createEngine({ intel, clock, http: config.policy.offline ? null : download });
    const storedResults = new Map(
      config.conda.flatMap((channel) =>
        channel.channelAuditState
          ? [
              [
                channel.name,
                new ChannelAuditResults({
                  path: channel.channelAuditState,
                  channel: channel.url,
                  upstream: channel.name,
                  log,
                }),
              ] as const,
            ]
          : [],
      ),
    );
    closers.push(() => {
      for (const results of storedResults.values()) results.close();
    });
    const judge = createEngineJudge({
      engine,
      policy,
      policyDigest,
      intel: intel.store,
      quarantine: watcher,
      cooldown: new Map([...config.conda, ...config.pypi].map((upstream) => [upstream.name, upstream.cooldown])),
      ...(config.policy.checks ? { checks: config.policy.checks } : {}),
      bucketMs: config.policy.bucketMs,
      offline: config.policy.offline,
      clock,
      ...(policyFile ? { policySource: policyFile } : {}),
      ...(storedResults.size > 0 ? { storedResults } : {}),
    });
    const metrics = new Metrics();
    const views = new ViewStore({ dir: join(config.server.dataDir, 'views') });
    const upstream = new UpstreamClient({
      cacheDir: join(config.server.dataDir, 'upstream'),
      concurrency: config.upstream.concurrency,
      timeoutMs: config.upstream.timeoutMs,
      maxDocumentBytes: config.upstream.maxDocumentBytes,
      maxStaleMs: config.upstream.maxStaleMs,
    });
    metrics.gauge('cvebuild_proxy_views', () => views.size, 'filtered views known to this node');
    metrics.gauge(
      'cvebuild_proxy_channel_audit_reused_total',
      () => [...storedResults.values()].reduce((sum, results) => sum + results.counters.clean, 0),
      'records a channel audit proved clean (the engine ran no vulnerability or malicious check on them)',
    );
    metrics.gauge('cvebuild_proxy_quarantine_entries', () => watcher.entries().length, 'active quarantine entries');
    metrics.gauge('cvebuild_proxy_quarantine_revision', () => watcher.revision, 'quarantine list revision seen');
    metrics.gauge('cvebuild_proxy_upstream_requests_total', () => upstream.counters.requests);
    metrics.gauge('cvebuild_proxy_upstream_failures_total', () => upstream.counters.failures);
    metrics.gauge('cvebuild_proxy_upstream_stale_served_total', () => upstream.counters.staleServed);
    const shared = {
      judge,
      views,
      upstream,
      log,
      metadataMaxAgeS: config.server.metadataMaxAgeS,
      clock: () => clock().getTime(),
    };
    const conda = new Map<string, Frontend>(
      config.conda.map((channel) => [channel.name, createCondaChannel(channel, shared)]),
    );
    const pypi = new Map<string, Frontend>(
      config.pypi.map((index) => [index.name, createPypiIndex(index, { ...shared, mount: `/pypi/${index.name}/` })]),
    );
    const warmer = new ViewWarmer({
      judge,
      intervalMs: Math.min(5_000, config.policy.bucketMs),
      refreshMs: Math.max(1_000, config.server.metadataMaxAgeS * 1000),
      log,
    });
    metrics.gauge('cvebuild_proxy_views_warmed_total', () => warmer.counters.warmed, 'views rebuilt ahead of clients');
    const running: RunningServer = await listen(
      {
        metrics,
        observe: (req, route, status) => {
          if (req.method !== 'GET' || req.headers['user-agent'] === 'cvebuild-proxy-warmer') return;
          const path = (req.url ?? '').split('?', 1)[0] ?? '';
          const accept = req.headers.accept;
          warmer.asked(path, route, path.split('/')[2], typeof accept === 'string' ? accept : undefined, status);
        },
        log: (line) => {
          log(line);
          if (line.status === 403 && (line.route === 'conda' || line.route === 'pypi'))
            void state
              .audit({
                at: clock().toISOString(),
                action: 'refuse',
                actor: `${String(line.client)} ${String(line.ua ?? '')}`.trim(),
                detail: { path: line.path, method: line.method },
              })
              .catch((error: unknown) => log({ level: 'error', msg: 'audit write failed', error: String(error) }));
        },
        routes: {
          conda,
          pypi,
          admin: (req, res, path) =>
            handleAdmin(req, res, path, {
              state,
              watcher,
              tokens,
              clock,
              log: (line) => log(line as Record<string, unknown>),
            }),
          health: async () => {
            const problems: string[] = [];
            try {
              assertFresh(intel.store, policy.maxDbAgeMs, clock());
            } catch (error) {
              problems.push(isCvebuildError(error) ? error.message : String(error));
            }
            if (watcher.stale) problems.push(`quarantine list not refreshed: ${watcher.lastError ?? 'unknown error'}`);
            return {
              ok: problems.length === 0,
              detail: {
                problems,
                quarantineRevision: watcher.revision,
                upstreams: [...conda.keys(), ...pypi.keys()],
              },
            };
          },
        },
      },
      config.server.host,
      options.port ?? config.server.port,
    );
    warmer.start(running.url);
    // views the node no longer points at (older policy versions, cooldown buckets) leave the disk
    const pruning = setInterval(() => {
      try {
        const removed = views.prune(Date.now(), VIEW_GRACE_MS);
        if (removed > 0) log({ level: 'info', msg: 'views pruned', removed });
      } catch (error) {
        log({ level: 'warn', msg: 'view pruning failed', error: String(error) });
      }
    }, VIEW_PRUNE_INTERVAL_MS);
    pruning.unref();
    log({ level: 'info', msg: 'listening', url: running.url, upstreams: [...conda.keys(), ...pypi.keys()] });
    return {
      url: running.url,
      async close() {
        clearInterval(pruning);
        await warmer.stop();
        await running.close(config.server.shutdownGraceMs);
        engine.close();
        for (const close of closers) await close();
      },
    };
  } catch (error) {
    for (const close of closers) await close();
    throw error;
  }
}
