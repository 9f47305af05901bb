/**
 * The engine every front door calls (the CLI's gate, audit, scan-code and diff; a build
 * pipeline, a proxy, an agent): created once with its threat data, clock and HTTP client, then
 * asked to audit inventories. Each run takes its "now" from the clock and checks the threat data
 * is fresh as of then, so a long-lived engine whose data goes stale fails closed on its next run
 * exactly as a fresh `cvebuild gate` would.
 */
import type { Check } from '../checks/check.ts';
import { CHECKS } from '../checks/registry.ts';
import { CvebuildError } from '../errors.ts';
import { assertFresh } from '../intel/freshness.ts';
import type { OpenedIntel } from '../intel/open.ts';
import { defaultCacheDirectory } from '../intel/paths.ts';
import type { IntelStore } from '../intel/store-api.ts';
import type { Inventory } from '../model/inventory.ts';
import type { Package } from '../model/package.ts';
import { type Download, download } from '../net/download.ts';
import { defaultPolicy, type Policy } from '../policy/policy.ts';
import { type AuditResult, needsIntel, type RunControl, runAudit, selectChecks } from './run-checks.ts';

/**
 * Threat data: an opened store (the caller keeps it open and closes it), or a function opening
 * one, called at the first run that needs it; the engine closes what it opened on `close()`.
 */
export type IntelSource = OpenedIntel | IntelStore | (() => OpenedIntel | Promise<OpenedIntel>);

export interface EngineOptions {
  /** Needed only by runs whose checks need threat data; without it such a run fails (DB_MISSING). */
  intel?: IntelSource;
  /** What each run considers "now" (default: the real clock). */
  clock?: () => Date;
  /** The HTTP client for lookups (default: `download`); null: no network, every run is offline. */
  http?: Download | null;
  /** Where checks cache lookups (default: the user cache). */
  cacheDir?: string;
  /** The checks to choose from (default: every registered check). */
  checks?: readonly Check[];
}

export interface AuditRequest {
  inventory: Inventory;
  /** The policy, flags already folded in (default: the built-in policy). */
  policy?: Policy;
  /** The project tree the code checks scan; without it they are skipped. */
  root?: string;
  /** No network lookups in this run: network checks say what they could not check. */
  offline?: boolean;
  /** Check ids to run, overriding which checks the policy enables. */
  checks?: readonly string[];
  /**
   * Per check id, packages of the inventory that check is not run on, because the caller holds its
   * earlier result for them. Every other check, and the policy, still see the whole inventory.
   */
  skip?: ReadonlyMap<string, ReadonlySet<Package>>;
}

export interface EngineResult extends AuditResult {
  /** The inventory audited. */
  inventory: Inventory;
  /** The time this run considered "now". */
  now: Date;
  /** The threat data the run used, when a check needed it. */
  intel?: OpenedIntel;
}

export interface Engine {
  audit(request: AuditRequest, control?: RunControl): Promise<EngineResult>;
  /** Closes the store the engine opened itself (a store passed in stays the caller's). */
  close(): void;
}

export function createEngine(options: EngineOptions = {}): Engine {
  const clock = options.clock ?? (() => new Date());
  const registry = options.checks ?? CHECKS;
  const cacheDir = options.cacheDir ?? defaultCacheDirectory();
  const http = options.http === null ? undefined : (options.http ?? download);
  const source = options.intel;
  // one opening shared by concurrent runs; a failed one is retried by the next run
  let opening: Promise<OpenedIntel> | undefined;
  let opened: OpenedIntel | undefined;

  async function intelAt(now: Date, maxAgeMs: number): Promise<OpenedIntel> {
    if (!source) throw new CvebuildError('DB_MISSING', 'the selected checks need the threat-intel store');
    let intel: OpenedIntel;
    if (typeof source === 'function') {
      opening ??= Promise.resolve()
        .then(source)
        .then(
          (result) => (opened = result),
          (error: unknown) => {
            opening = undefined;
            throw error;
          },
        );
      intel = await opening;
    } else {
      intel = 'store' in source ? source : { store: source, label: source.path };
    }
    assertFresh(intel.store, maxAgeMs, now);
    return intel;
  }

  return {
    async audit(request, control = {}) {
      const now = clock();
      const policy = request.policy ?? defaultPolicy();
      control.signal?.throwIfAborted();
      const checks = selectChecks(request.checks, policy, registry);
      const intel = needsIntel(checks) ? await intelAt(now, policy.maxDbAgeMs) : undefined;
      const result = await runAudit(
        request.inventory,
        intel?.store,
        {
          policy,
          checks: request.checks,
          now,
          offline: request.offline === true || http === undefined,
          cacheDir,
          root: request.root,
          http,
          registry,
          ...(request.skip ? { skip: request.skip } : {}),
        },
        control,
      );
      return { ...result, inventory: request.inventory, now, intel };
    },
    close() {
      opened?.store.close();
      opened = undefined;
      opening = undefined;
    },
  };
}
