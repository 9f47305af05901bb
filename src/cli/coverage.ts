/**
 * `cvebuild coverage [PATH]`: how each package reaches an advisory source (lock purl, name map,
 * upstream product, PyPI name) or why it reaches none. The store is opened as the gate opens it
 * (`--db`, healthy and fresh), because the name map in it decides half the answer.
 */
import { filterInventory, readProjectInventory } from '../engine/read-project.ts';
import { checkOutputFile, writeOutputFile } from '../fs/output-file.ts';
import { projectDirectory } from '../fs/project-root.ts';
import { mappingCoverage } from '../intel/mapping-coverage.ts';
import { AdvisoryMatcher } from '../intel/matcher.ts';
import { openIntelForAudit } from '../intel/open.ts';
import { renderCoverageJson } from '../report/coverage-json.ts';
import { renderCoverageTable } from '../report/coverage-table.ts';
import { paintFor } from '../terminal/colour.ts';
import { commandPolicy, parseNow } from './audit.ts';

export interface CoverageOptions {
  db?: string;
  env?: string;
  platform?: string;
  format: 'table' | 'json';
  output?: string;
  policy?: string;
  maxDbAge?: string;
  /** Accepted for symmetry with the gate: coverage makes no network lookups. */
  offline?: boolean;
  now?: string;
}

/** Writes the listing to `--output`, or returns it for standard output. */
export async function coverageCommand(path: string, options: CoverageOptions): Promise<string | undefined> {
  const project = projectDirectory(path);
  if (options.output) checkOutputFile(options.output, { untrusted: [project] });
  const inventory = filterInventory(await readProjectInventory(path), {
    environment: options.env,
    platform: options.platform,
  });
  const now = options.now ? parseNow(options.now) : new Date();
  const maxAgeMs = commandPolicy(path, options).maxDbAgeMs;
  const intel = await openIntelForAudit({ db: options.db, maxAgeMs, now });
  let text: string;
  try {
    const matcher = new AdvisoryMatcher(intel.store);
    matcher.prefetch(inventory.packages);
    const coverage = mappingCoverage(inventory.packages, matcher);
    text =
      options.format === 'json'
        ? renderCoverageJson(coverage, intel.label)
        : renderCoverageTable(coverage, inventory, intel.label, {
            // colour for standard output only, never into the --output file
            paint: options.output ? undefined : paintFor(process.stdout, process.env),
          });
  } finally {
    intel.store.close();
  }
  if (!options.output) return text;
  writeOutputFile(options.output, text, { untrusted: [project] });
  return undefined;
}
