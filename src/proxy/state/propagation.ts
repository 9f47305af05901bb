/**
 * A node's copy of the active quarantine list. It polls the store's revision every `propagationMs`
 * and reloads the list when it changed, so an entry added on any node is enforced here within that
 * time; `refreshNow()` reloads at once (the admin API calls it after its own writes).
 *
 * When the store cannot be reached, the watcher keeps the last list it loaded, counts the failure
 * and reports `stale`. Whether a node then keeps serving with the last list or refuses (fail
 * closed) is the server's decision, made from `health()`; the watcher never drops entries it has.
 */
import { normalizeName } from '../../model/package.ts';
import { maskCredentials } from '../../text/credentials.ts';
import type { ProxyState, QuarantineEntry, QuarantineTarget } from '../types.ts';

export const DEFAULT_PROPAGATION_MS = 5000;

export interface WatcherOptions {
  /** How often the store's revision is polled. */
  propagationMs?: number;
  /** Expiry is judged against this clock. */
  clock?: () => Date;
  /** Told about each failed refresh (for the node's log). */
  onError?: (error: unknown) => void;
}

/** What a package looks like to `matches`: version and file are absent when asking about the package as a whole. */
export type MatchTarget = Omit<QuarantineTarget, 'version' | 'file'> & { version?: string; file?: string };

export interface WatcherHealth {
  revision: number;
  entries: number;
  /** The last refresh failed, or none has succeeded yet: the list may miss recent entries. */
  stale: boolean;
  failures: number;
  lastError?: string;
  /** When the list was last loaded or confirmed current (RFC 3339). */
  lastSuccessAt?: string;
}

export class QuarantineWatcher {
  readonly #state: ProxyState;
  readonly #propagationMs: number;
  readonly #clock: () => Date;
  readonly #onError: (error: unknown) => void;
  #entries: QuarantineEntry[] = [];
  /** Entries by `ecosystem NUL name`: a view filters hundreds of thousands of records through `matches`. */
  #byName = new Map<string, QuarantineEntry[]>();
  #revision = -1;
  #stale = true;
  #failures = 0;
  #lastError: string | undefined;
  #lastSuccessAt: Date | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The refresh running now: refreshes run one at a time, in order. */
  #running: Promise<void> = Promise.resolve();
  #polling = false;

  constructor(state: ProxyState, options: WatcherOptions = {}) {
    this.#state = state;
    this.#propagationMs = options.propagationMs ?? DEFAULT_PROPAGATION_MS;
    this.#clock = options.clock ?? (() => new Date());
    this.#onError = options.onError ?? (() => {});
  }

  /** Loads the list once, then polls. A failed first load leaves the watcher stale and empty (see `health()`). */
  async start(): Promise<void> {
    await this.refreshNow();
    this.#timer ??= setInterval(() => void this.#poll(), this.#propagationMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get revision(): number {
    return this.#revision;
  }

  get stale(): boolean {
    return this.#stale;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  health(): WatcherHealth {
    return {
      revision: this.#revision,
      entries: this.entries().length,
      stale: this.#stale,
      failures: this.#failures,
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
      ...(this.#lastSuccessAt ? { lastSuccessAt: this.#lastSuccessAt.toISOString() } : {}),
    };
  }

  /** Reloads the list now, after any refresh already running (whose read may predate a write just made). */
  refreshNow(): Promise<void> {
    const next = this.#running.then(() => this.#refresh(true));
    this.#running = next;
    return next;
  }

  /** The active entries, expired ones left out. */
  entries(): QuarantineEntry[] {
    const now = this.#clock().getTime();
    return this.#entries.filter((entry) => !expired(entry, now));
  }

  /** Ids of the entries in force at `now`, sorted. */
  activeIds(now: Date): string[] {
    return this.#entries
      .filter((entry) => !expired(entry, now.getTime()))
      .map((entry) => entry.id)
      .sort();
  }

  /**
   * The active entries that withhold this package: same ecosystem and name, upstream equal or `*`,
   * and version and file equal where the entry names them (an entry without a version withholds
   * every version, one with a file only that file). Versions and files are compared as written.
   */
  matches(target: MatchTarget): QuarantineEntry[] {
    const candidates = this.#byName.get(key(target.ecosystem, normalizeName(target.ecosystem, target.name)));
    if (!candidates) return [];
    const now = this.#clock().getTime();
    return candidates.filter(
      (entry) =>
        (entry.upstream === '*' || entry.upstream === target.upstream) &&
        (entry.version === undefined || entry.version === target.version) &&
        (entry.file === undefined || entry.file === target.file) &&
        !expired(entry, now),
    );
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const next = this.#running.then(() => this.#refresh(false));
      this.#running = next;
      await next;
    } finally {
      this.#polling = false;
    }
  }

  /** Never rejects: a failure is counted and kept for `health()`. */
  async #refresh(force: boolean): Promise<void> {
    try {
      // The revision is read before the list: a write in between makes the next poll reload again
      // (harmless), never leaves a newer revision paired with an older list.
      const revision = await this.#state.revision();
      if (force || revision !== this.#revision) {
        const entries = await this.#state.active(this.#clock());
        this.#install(entries, revision);
      }
      this.#stale = false;
      this.#lastSuccessAt = this.#clock();
    } catch (error) {
      this.#stale = true;
      this.#failures++;
      this.#lastError = maskCredentials(error instanceof Error ? error.message || error.name : String(error));
      this.#onError(error);
    }
  }

  #install(entries: QuarantineEntry[], revision: number): void {
    const byName = new Map<string, QuarantineEntry[]>();
    for (const entry of entries) {
      const name = key(entry.ecosystem, entry.name);
      const list = byName.get(name);
      if (list) list.push(entry);
      else byName.set(name, [entry]);
    }
    this.#entries = entries;
    this.#byName = byName;
    this.#revision = revision;
  }
}

function key(ecosystem: string, name: string): string {
  return `${ecosystem}\u0000${name}`;
}

function expired(entry: QuarantineEntry, now: number): boolean {
  return entry.expiresAt !== undefined && Date.parse(entry.expiresAt) <= now;
}
