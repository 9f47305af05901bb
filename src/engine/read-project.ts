/**
 * Reading a project into one `Inventory`: detect the inputs, run their readers, merge the results.
 */
import type { Inventory } from '../model/inventory.ts';
import { detectInputs } from '../readers/detect.ts';
import { mergeOutputs } from '../readers/merge.ts';

export { filterInventory, type InventoryFilter, mergeOutputs } from '../readers/merge.ts';

export function readInventory(path: string): Inventory {
  return mergeOutputs(detectInputs(path).map(({ path: input, reader }) => reader.read(input)));
}
