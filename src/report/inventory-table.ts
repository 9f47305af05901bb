/**
 * `cvebuild inventory` for a person: what was read, then one line per artifact and platform. Text
 * from the inputs goes through `line` and the table's cells, which neutralise it for the terminal.
 */
import type { Inventory } from '../model/inventory.ts';
import type { Package } from '../model/package.ts';
import type { Paint, Tone } from '../terminal/colour.ts';
import { line } from '../text/plain.ts';
import { paintedDocument } from './painted.ts';
import { renderTable } from './text-table.ts';

export interface InventoryTableOptions {
  /** Colours for a terminal (default: none): packages not resolved by name, and the reader's warnings. */
  paint?: Paint;
}

export function renderInventoryTable(inventory: Inventory, options: InventoryTableOptions = {}): string {
  return paintedDocument((paint) => composeTable(inventory, paint), options.paint);
}

/**
 * A package fetched from where the project says (a direct URL, git, a path, an editable or a
 * source build) rather than by name from a channel or index: what the index-based checks do not see.
 * A conda `url` record is a channel on a non-HTTP URL, still resolved by name.
 */
function kindTone(pkg: Package): Tone | undefined {
  if (pkg.kind === 'registry' || (pkg.ecosystem === 'conda' && pkg.kind === 'url')) return undefined;
  return 'warning';
}

function composeTable(inventory: Inventory, paint: Paint): string {
  const out: string[] = [];
  for (const source of inventory.sources) {
    const version = source.formatVersion === undefined ? '' : ` v${source.formatVersion}`;
    const { conda, pypi, condaSource } = source.records;
    const counts = conda + pypi + condaSource > 0 ? ` — ${describeCounts(conda, pypi, condaSource)}` : '';
    out.push(line`read ${source.path} (${source.format}${version})${counts}`);
  }
  for (const environment of inventory.environments) {
    const platforms = environment.platforms
      .map((p) => `${p.name === p.subdir ? p.subdir : `${p.name}=${p.subdir}`}: ${p.packages.length}`)
      .join(', ');
    out.push(line`environment ${environment.name}: ${platforms || 'no packages'}`);
  }
  if (inventory.packages.length > 0) {
    out.push('');
    out.push(
      renderTable(
        inventory.packages,
        [
          { header: 'ECOSYSTEM', value: (p: Package) => p.ecosystem },
          { header: 'NAME', value: (p) => p.name },
          { header: 'VERSION', value: (p) => p.version || '-' },
          { header: 'BUILD', value: (p) => p.build || '-', maxWidth: 24 },
          { header: 'PLATFORM', value: (p) => p.platform },
          { header: 'KIND', value: (p) => (p.buildOnly ? `${p.kind} (build)` : p.kind), tone: kindTone },
          { header: 'ENVIRONMENTS', value: (p) => p.environments.join(','), maxWidth: 40 },
          { header: 'SOURCE', value: (p) => p.channel ?? p.index ?? p.location, maxWidth: 60 },
        ],
        paint,
      ),
    );
  }
  const declared = inventory.manifest.dependencies;
  if (declared.length > 0) {
    out.push('');
    out.push(`declared dependencies (${declared.length}):`);
    out.push(
      renderTable(declared, [
        { header: 'ECOSYSTEM', value: (d) => d.ecosystem },
        { header: 'NAME', value: (d) => d.name },
        { header: 'SPEC', value: (d) => d.spec || '*', maxWidth: 40 },
        { header: 'SCOPE', value: (d) => d.scope },
        { header: 'GROUP', value: (d) => d.group ?? '-', maxWidth: 30 },
        { header: 'WHERE', value: (d) => `${d.origin.file}${d.origin.line ? `:${d.origin.line}` : ''}`, maxWidth: 60 },
      ]),
    );
  }
  const total = inventory.packages.length;
  out.push('');
  out.push(
    `${total} package${total === 1 ? '' : 's'} (artifact × platform) in ${inventory.environments.length} environment(s)`,
  );
  for (const warning of inventory.warnings) {
    const where = warning.origin
      ? `${warning.origin.file}${warning.origin.line ? `:${warning.origin.line}` : ''}: `
      : '';
    out.push(`${paint('warning', 'warning')}${line`: ${where}${warning.message}`}`);
  }
  return `${out.join('\n')}\n`;
}

function describeCounts(conda: number, pypi: number, condaSource: number): string {
  const parts = [`${conda} conda`, `${pypi} pypi`];
  if (condaSource > 0) parts.push(`${condaSource} conda source`);
  return `${parts.join(', ')} record(s)`;
}
