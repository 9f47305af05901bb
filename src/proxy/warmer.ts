/**
 * Keeps filtered views built ahead of clients. Views change when the judge's version does (a
 * quarantine, new threat data, a cooldown bucket) or when upstream does; without a warmer the first
 * client after such a change waits for the rebuild (seconds for a large repodata.json). The warmer
 * remembers which metadata documents clients asked for and, when an upstream's version moves or
 * its metadata may have changed upstream, requests them from its own server in the background, so
 * a client's request stays a lookup.
 */
import type { Judge } from './types.ts';

export interface WarmerOptions {
  judge: Judge;
  /** How often to look (ms). */
  intervalMs: number;
  /** Re-request documents at least this often, for upstream changes (ms; the metadata max-age). */
  refreshMs: number;
  /** Documents remembered; the least recently requested are forgotten first. */
  maxDocuments?: number;
  /** Documents nobody asked for in this long are forgotten (ms). */
  forgetAfterMs?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  log: (line: Record<string, unknown>) => void;
  clock?: () => number;
}

interface Remembered {
  upstream: string;
  path: string;
  accept?: string;
  lastAsked: number;
}

/** Metadata documents a client fetches and the proxy filters (packages and shards are not warmed). */
const METADATA =
  /(?:\/(?:current_)?repodata\.json(?:\.zst)?|\/repodata_shards\.msgpack\.zst|\/run_exports\.json|^\/conda\/[^/]+\/channeldata\.json|\/simple\/[^/]+\/)$/;

export class ViewWarmer {
  private readonly options: WarmerOptions;
  private readonly clock: () => number;
  private readonly documents = new Map<string, Remembered>();
  private readonly warmedVersion = new Map<string, string>();
  private lastRefresh = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private base = '';
  readonly counters = { warmed: 0, failed: 0 };

  constructor(options: WarmerOptions) {
    this.options = options;
    this.clock = options.clock ?? Date.now;
  }

  /** Called for every served GET: remembers metadata documents. */
  asked(path: string, route: string, upstream: string | undefined, accept: string | undefined, status: number) {
    if (status !== 200 || !upstream || (route !== 'conda' && route !== 'pypi') || !METADATA.test(path)) return;
    const key = `${accept ?? ''}\n${path}`;
    this.documents.delete(key);
    this.documents.set(key, { upstream, path, ...(accept ? { accept } : {}), lastAsked: this.clock() });
    const max = this.options.maxDocuments ?? 5_000;
    while (this.documents.size > max) {
      const oldest = this.documents.keys().next().value;
      if (oldest === undefined) break;
      this.documents.delete(oldest);
    }
  }

  start(baseUrl: string): void {
    this.base = baseUrl;
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => {
        this.running = undefined;
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass: the documents of every upstream whose version moved (or all, when due for a refresh). */
  async tick(): Promise<void> {
    const now = this.clock();
    const forgetAfter = this.options.forgetAfterMs ?? 86_400_000;
    for (const [key, document] of this.documents) {
      if (now - document.lastAsked > forgetAfter) this.documents.delete(key);
    }
    const refresh = now - this.lastRefresh >= this.options.refreshMs;
    if (refresh) this.lastRefresh = now;
    const moved = new Set<string>();
    for (const upstream of new Set([...this.documents.values()].map((document) => document.upstream))) {
      let version: string;
      try {
        version = await this.options.judge.version(upstream);
      } catch {
        continue; // the judge cannot decide (stale data): clients get 503 anyway, nothing to build
      }
      if (refresh || this.warmedVersion.get(upstream) !== version) moved.add(upstream);
      this.warmedVersion.set(upstream, version);
    }
    const due = [...this.documents.values()].filter((document) => moved.has(document.upstream));
    const workers = Array.from({ length: this.options.concurrency ?? 2 }, async () => {
      for (let next = due.shift(); next; next = due.shift()) await this.warm(next);
    });
    await Promise.all(workers);
  }

  private async warm(document: Remembered): Promise<void> {
    try {
      const response = await fetch(`${this.base}${document.path}`, {
        headers: { 'user-agent': 'cvebuild-proxy-warmer', ...(document.accept ? { accept: document.accept } : {}) },
      });
      // read to the end without holding it: a conda-forge repodata view is ~200 MB
      if (response.body) for await (const _chunk of response.body) void _chunk;
      if (response.ok) this.counters.warmed++;
      else {
        this.counters.failed++;
        this.options.log({ level: 'warn', msg: 'view warm-up failed', path: document.path, status: response.status });
      }
    } catch (error) {
      this.counters.failed++;
      this.options.log({ level: 'warn', msg: 'view warm-up failed', path: document.path, error: String(error) });
    }
  }
}
