/**
 * One check's part of a run: skipped when what it needs is absent, timed, isolated from the other
 * checks (see check-failure.ts), and abandoned as soon as the run is aborted, whether or not the
 * check itself watches the signal.
 */
import type { Check, CheckContext } from '../checks/check.ts';
import type { Finding } from '../model/finding.ts';
import type { Inventory } from '../model/inventory.ts';
import { checkFailedFinding, describeError, stopsTheRun } from './check-failure.ts';
import type { CheckStatus } from './events.ts';

/** What the run offers the checks beyond the inventory. */
export interface RunResources {
  /** The project tree. */
  root?: string;
  /** Package contents to inspect: archives in package dirs, or an installed prefix. */
  archives: boolean;
  offline: boolean;
}

export interface CheckRun {
  id: string;
  version: number;
  title: string;
  status: CheckStatus;
  ms: number;
  /** Findings the check reported (before the policy). */
  findings: number;
  /** Why it was skipped, or how it ran (offline). */
  reason?: string;
  /** The error of a failed check (its first line). */
  error?: string;
}

export interface CheckOutcome {
  run: CheckRun;
  findings: Finding[];
}

export function hasPackageContents(inventory: Inventory, packageDirs: readonly string[]): boolean {
  return (
    packageDirs.length > 0 ||
    inventory.sources.some((source) => source.format === 'conda-meta' || source.format === 'conda-archive')
  );
}

function skipReason(check: Check, resources: RunResources): string | undefined {
  if (check.requires.tree && resources.root === undefined) return 'no project tree to scan';
  if (check.requires.archives && !resources.archives)
    return 'nothing to inspect: no package-dirs archives and no installed prefix';
  return undefined;
}

/** Runs one check; rejects only with the run's abort reason or an error that stops the run. */
export async function runCheck(
  check: Check,
  inventory: Inventory,
  context: CheckContext,
  resources: RunResources,
): Promise<CheckOutcome> {
  const { id, version, title } = check;
  const skipped = skipReason(check, resources);
  if (skipped)
    return { run: { id, version, title, status: 'skipped', ms: 0, findings: 0, reason: skipped }, findings: [] };
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const note =
    check.requires.network && resources.offline
      ? { reason: check.requires.offline ?? 'offline: no network lookups' }
      : {};
  try {
    const findings = await abandonOnAbort(() => check.run(inventory, context), context.signal);
    return { run: { id, version, title, status: 'ok', ms: ms(), findings: findings.length, ...note }, findings };
  } catch (error) {
    if (context.signal?.aborted) {
      return { run: { id, version, title, status: 'aborted', ms: ms(), findings: 0 }, findings: [] };
    }
    if (stopsTheRun(error)) throw error;
    const finding = checkFailedFinding(check, error);
    return {
      run: { id, version, title, status: 'failed', ms: ms(), findings: 1, error: describeError(error) },
      findings: [finding],
    };
  }
}

/**
 * The work's outcome, or the signal's reason as soon as it aborts: work already under way is left
 * to finish unheard, work not yet started never starts.
 */
function abandonOnAbort<T>(work: () => T | Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const running = Promise.resolve().then(work);
  if (!signal) return running;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    running.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
