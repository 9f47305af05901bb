/**
 * Reviewing a lock update: what changed, its red flags, and the checks run on what it brings in
 * (the packages added or changed, under the updated project's policy). The update fails when it
 * raises a red flag or the checks on the new packages fail.
 */
import type { Engine, EngineResult } from '../engine/engine.ts';
import type { RunControl } from '../engine/run-checks.ts';
import type { Inventory } from '../model/inventory.ts';
import type { Policy } from '../policy/policy.ts';
import { diffInventories, type LockDiff, newPackagesInventory } from './lock-diff.ts';

export interface LockReviewRequest {
  policy?: Policy;
  /** Check ids to run on the new packages: absent, those the policy enables; empty, none. */
  checks?: readonly string[];
  offline?: boolean;
}

export interface LockReview {
  diff: LockDiff;
  /** The checks' run on the new packages; absent when no check was asked for. */
  audit?: EngineResult;
  outcome: 'pass' | 'fail';
}

export async function reviewLockUpdate(
  before: Inventory,
  after: Inventory,
  engine: Engine,
  request: LockReviewRequest = {},
  control?: RunControl,
): Promise<LockReview> {
  const diff = diffInventories(before, after);
  const audit =
    request.checks !== undefined && request.checks.length === 0
      ? undefined
      : await engine.audit(
          {
            inventory: newPackagesInventory(diff, after),
            policy: request.policy,
            checks: request.checks,
            offline: request.offline,
          },
          control,
        );
  const failed = diff.redFlags > 0 || audit?.verdict.outcome === 'fail';
  return { diff, audit, outcome: failed ? 'fail' : 'pass' };
}
