/**
 * What the dependency stages audit: the recipe's requirements, with the lock beside it or the
 * environments the resolve stage solved when there are. A requirement the solve answered is
 * audited as the solved package; one left out of the solve (a condition the platform does not
 * decide) is still audited as written.
 */
import type { Inventory } from '../model/inventory.ts';
import { inventoryFromPackages } from '../readers/packages.ts';
import type { BuildContext } from './types.ts';

export function auditedInventory(context: BuildContext): Inventory {
  const resolved = context.lock?.inventory ?? context.solved;
  if (!resolved) return context.requirements;
  const solvedNames = context.solved ? new Set(context.solved.packages.map((pkg) => pkg.normalizedName)) : undefined;
  const written = solvedNames
    ? context.requirements.packages.filter((pkg) => !solvedNames.has(pkg.normalizedName))
    : context.requirements.packages;
  const inventory = inventoryFromPackages([...written, ...resolved.packages]);
  inventory.sources = [...context.requirements.sources, ...resolved.sources];
  inventory.manifest = context.requirements.manifest;
  return inventory;
}
