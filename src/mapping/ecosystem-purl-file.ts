/**
 * Reads and checks the ecosystem-purl map (data/conda-ecosystems.json): conda-forge packages that
 * repackage a Rust, Go or Node command-line tool → the tool's purl in its own ecosystem. A malformed
 * entry stops the run with one line naming the file and the key, as the product map does.
 */
import type { ToolEcosystem } from '../intel/model.ts';
import { isEntry, openDataDocument } from './data-file.ts';
import { type PlainPurl, readPlainPurl } from './plain-purl.ts';

export const ECOSYSTEM_MAP_FILE = 'data/conda-ecosystems.json';

/**
 * How the conda version spells the tool's own version:
 * - `upstream`: the same release (`2.40.1`), with conda-forge's `_` for `-` (`3.0.0_alpha.1`);
 * - `release-timestamp`: MinIO's `RELEASE.2025-01-20T14-49-07Z` tags, which conda-forge writes
 *   `2025.01.20.14.49.07` and Go knows only through pseudo-versions of that time.
 */
export type ToolVersionForm = 'upstream' | 'release-timestamp';

const VERSION_FORMS: readonly ToolVersionForm[] = ['upstream', 'release-timestamp'];

export interface EcosystemTool {
  conda: string;
  /** As written in the map (`pkg:golang/github.com/cli/cli/v2`). */
  purl: string;
  ecosystem: ToolEcosystem;
  /** The package's name in the OSV ecosystem (`typos-cli`, `github.com/cli/cli/v2`, `@scope/name`). */
  name: string;
  version: ToolVersionForm;
  evidence: string[];
}

/** purl type → OSV ecosystem. */
const PURL_TYPES: Record<string, ToolEcosystem> = { cargo: 'crates.io', golang: 'Go', npm: 'npm' };

export function parseEcosystemMap(text: string, file = ECOSYSTEM_MAP_FILE): EcosystemTool[] {
  const { root, fail } = openDataDocument(text, file);
  const tools = isEntry(root.tools) ? root.tools : fail('tools', 'expected an object of conda name → tool');
  return Object.entries(tools).map(([conda, value]): EcosystemTool => {
    const path = `tools.${conda}`;
    if (conda !== conda.toLowerCase() || conda.trim() === '') fail(path, 'conda names are lowercase and non-empty');
    const entry = isEntry(value) ? value : fail(path, 'expected an object');
    const purl = typeof entry.purl === 'string' ? entry.purl : fail(`${path}.purl`, 'expected a purl string');
    const { ecosystem, name } = toolPurl(purl, (message) => fail(`${path}.purl`, message));
    const version = entry.version ?? 'upstream';
    if (!VERSION_FORMS.includes(version as ToolVersionForm)) {
      fail(`${path}.version`, `expected one of ${VERSION_FORMS.join(', ')}, got ${JSON.stringify(version)}`);
    }
    const evidence = entry.evidence;
    if (
      !Array.isArray(evidence) ||
      evidence.length === 0 ||
      !evidence.every((item) => typeof item === 'string' && item.trim() !== '')
    ) {
      fail(`${path}.evidence`, 'say what justified the entry (a non-empty list of strings)');
    }
    return { conda, purl, ecosystem, name, version: version as ToolVersionForm, evidence: evidence as string[] };
  });
}

/** A purl naming a package, never a release: versions come from the lock, qualifiers mean nothing here. */
function toolPurl(purl: string, fail: (message: string) => never): { ecosystem: ToolEcosystem; name: string } {
  let parsed: PlainPurl;
  try {
    parsed = readPlainPurl(purl);
  } catch (error) {
    return fail(`not a purl: ${(error as Error).message}`);
  }
  const ecosystem = PURL_TYPES[parsed.type];
  if (!ecosystem)
    return fail(`purl type ${JSON.stringify(parsed.type)} is none of ${Object.keys(PURL_TYPES).join(', ')}`);
  if (parsed.beyondName) fail('name the package only: no version, qualifiers or subpath');
  if (ecosystem === 'crates.io' && parsed.namespace) fail('a cargo purl has no namespace');
  if (ecosystem === 'Go' && !parsed.namespace) fail('a golang purl names the whole module path');
  const name = parsed.namespace ? `${parsed.namespace}/${parsed.name}` : parsed.name;
  return { ecosystem, name };
}
