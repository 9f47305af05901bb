/** `cvebuild inventory [PATH]`: read a project and print its packages. */
import { filterInventory, readProjectInventory } from '../engine/read-project.ts';
import { renderInventoryJson } from '../report/inventory-json.ts';
import { renderInventoryTable } from '../report/inventory-table.ts';
import { paintFor } from '../terminal/colour.ts';

export interface InventoryOptions {
  env?: string;
  platform?: string;
  format: 'table' | 'json';
}

export async function inventoryCommand(path: string, options: InventoryOptions): Promise<string> {
  const inventory = filterInventory(await readProjectInventory(path), {
    environment: options.env,
    platform: options.platform,
  });
  return options.format === 'json'
    ? renderInventoryJson(inventory)
    : renderInventoryTable(inventory, { paint: paintFor(process.stdout, process.env) });
}
