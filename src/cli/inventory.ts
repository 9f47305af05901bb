/** `cvebuild inventory [PATH]`: read a project and print its packages. */
import { filterInventory, readInventory } from '../engine/read-project.ts';
import { renderInventoryJson } from '../report/inventory-json.ts';
import { renderInventoryTable } from '../report/inventory-table.ts';

export interface InventoryOptions {
  env?: string;
  platform?: string;
  format: 'table' | 'json';
}

export function inventoryCommand(path: string, options: InventoryOptions): string {
  const inventory = filterInventory(readInventory(path), { environment: options.env, platform: options.platform });
  return options.format === 'json' ? renderInventoryJson(inventory) : renderInventoryTable(inventory);
}
