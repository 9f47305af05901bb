/** Hand-made checks for engine tests: one that reports every package, one that throws, one that waits. */
import type { Check, CheckContext, CheckRequirements } from '../../../src/checks/check.ts';
import { type Finding, packageFinding, type Severity } from '../../../src/model/finding.ts';
import type { Inventory } from '../../../src/model/inventory.ts';

export function fakeCheck(
  id: string,
  run: (inventory: Inventory, context: CheckContext) => Finding[] | Promise<Finding[]>,
  requires: Partial<CheckRequirements> = {},
): Check {
  return {
    id,
    version: 1,
    title: `the ${id} check`,
    requires: { intel: false, network: false, ...requires },
    rules: { check: { title: `the ${id} check`, help: `what the ${id} check reports`, cwes: [], tags: [] } },
    run,
  };
}

/** One finding per package, rule `<id>/seen`. */
export function reportingCheck(id: string, severity: Severity = 'low'): Check {
  return fakeCheck(id, (inventory) =>
    inventory.packages.map((pkg) =>
      packageFinding({ id, version: 1 }, pkg, {
        rule: `${id}/seen`,
        severity,
        message: `saw ${pkg.name}`,
        evidence: {},
      }),
    ),
  );
}

export function throwingCheck(id: string, error: unknown): Check {
  return fakeCheck(id, () => {
    throw error;
  });
}

/** Settles only when the run's signal aborts (then rejects with its reason), or never without one. */
export function waitingCheck(id: string): Check {
  return fakeCheck(
    id,
    (_inventory, context) =>
      new Promise<Finding[]>((_resolve, reject) => {
        context.signal?.addEventListener('abort', () => reject(context.signal?.reason), { once: true });
      }),
  );
}

/** Never settles and never looks at the signal: the engine must not wait for it. */
export function deafCheck(id: string): Check {
  return fakeCheck(id, () => new Promise<Finding[]>(() => {}));
}
