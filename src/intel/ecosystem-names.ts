/**
 * Lookup keys of package names in the OSV ecosystems of repackaged command-line tools, one rule per
 * ecosystem, shared by the OSV importer and the ecosystem-purl map so both sides meet on one key.
 */
import type { FeedName, ToolEcosystem } from './model.ts';

export const TOOL_ECOSYSTEMS: readonly ToolEcosystem[] = ['crates.io', 'Go', 'npm'];

export function isToolEcosystem(value: unknown): value is ToolEcosystem {
  return (TOOL_ECOSYSTEMS as readonly unknown[]).includes(value);
}

/**
 * crates.io treats names as equal regardless of case and of `-` versus `_` (no two crates differ only
 * so), and RustSec writes the canonical spelling; Go module paths and npm names are case-sensitive
 * and kept as written (npm has old mixed-case packages distinct from their lowercase twins).
 */
export function toolPackageKey(ecosystem: ToolEcosystem, name: string): string {
  return ecosystem === 'crates.io' ? name.toLowerCase().replace(/_/g, '-') : name;
}

/**
 * The osv.dev export of each ecosystem. Once imported, the ecosystem has been looked at even when no
 * record concerns a mapped tool (npm is kept only for mapped names, so that is the usual case).
 */
export const TOOL_ECOSYSTEM_FEEDS: Readonly<Record<ToolEcosystem, FeedName>> = {
  'crates.io': 'osv-crates-io',
  Go: 'osv-go',
  npm: 'osv-npm',
};
