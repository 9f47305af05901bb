/** What the dependency stages audit: the recipe's requirements, and the lock beside it when there is one. */
import type { Inventory } from '../model/inventory.ts';
import { inventoryFromPackages } from '../readers/packages.ts';
import type { BuildContext } from './types.ts';

export function auditedInventory(context: BuildContext): Inventory {
  const lock = context.lock?.inventory;
  if (!lock) return context.requirements;
  const inventory = inventoryFromPackages([...context.requirements.packages, ...lock.packages]);
  inventory.sources = [...context.requirements.sources, ...lock.sources];
  inventory.manifest = context.requirements.manifest;
  return inventory;
}
