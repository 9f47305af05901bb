/**
 * The `confusion` check (dependency confusion): a package resolved from a private channel or index
 * whose name also exists publicly — a public upload of that name could take its place — and a name
 * configured as private that resolved from a public source, which is what a successful confusion
 * attack looks like.
 */
import { type Finding, packageFinding, type Severity } from '../model/finding.ts';
import type { Package } from '../model/package.ts';
import { condaChannelVisibility, pypiIndexVisibility } from '../sources/public.ts';
import { maskCredentials } from '../text/credentials.ts';
import { type Check, requireIntel } from './check.ts';

const VERSION = 1;

/** Filled from the policy's `[sources]` table (private, private-names) and flags, not `[checks.confusion]`. */
export interface ConfusionSettings {
  /** Channel / index URL prefixes that are private (in addition to every non-public source). */
  privateSources: string[];
  /** Package names that must only resolve from private sources. */
  privateNames: string[];
}

export const confusionCheck: Check<ConfusionSettings> = {
  id: 'confusion',
  version: VERSION,
  title: 'Dependency confusion',
  requires: { intel: true, network: false },
  rules: {
    check: {
      title: 'Dependency confusion between private and public sources',
      help: 'A name meant to come from a private channel or index resolved from a public one, or a private source serves a name that also exists publicly. An attacker who registers the private name publicly wins the resolution. Pin the source for the name (a channel or index per package) in the manifest.',
      cwes: ['CWE-427'],
      tags: ['security', 'dependency', 'dependency-confusion', 'supply-chain'],
    },
  },
  options: { defaults: () => ({ privateSources: [], privateNames: [] }) },
  run(inventory, context) {
    const { store } = requireIntel(context, 'confusion');
    const { privateSources, privateNames } = context.settings;
    const configuredPrivate = new Set(privateNames.map((name) => name.toLowerCase().replace(/[-_.]+/g, '-')));
    const findings: Finding[] = [];
    const onPrivateSources: Package[] = [];
    for (const pkg of inventory.packages) {
      const source = sourceOf(pkg);
      if (!source) continue;
      const visibility =
        pkg.ecosystem === 'conda'
          ? condaChannelVisibility(source, privateSources)
          : pypiIndexVisibility(source, privateSources);
      const comparable = pkg.normalizedName.replace(/[-_.]+/g, '-');
      if (visibility === 'public' && configuredPrivate.has(comparable)) {
        findings.push(
          finding(pkg, 'confusion/private-name-from-public', 'critical', source, {
            message: `${pkg.name} is configured as a private package but resolved from the public source ${maskCredentials(source)}`,
            remedy: `pin ${pkg.name} to its private channel or index (and check who published the public one)`,
          }),
        );
        continue;
      }
      if (visibility === 'private') onPrivateSources.push(pkg);
    }
    // only names from private sources are looked up in the public lists (~47,000 names)
    const publicConda = store.listedIn(
      'conda-forge-names',
      onPrivateSources.filter((pkg) => pkg.ecosystem === 'conda').map((pkg) => pkg.normalizedName),
    );
    const publicPypi = store.listedIn(
      'top-pypi',
      onPrivateSources.filter((pkg) => pkg.ecosystem === 'pypi').map((pkg) => pkg.normalizedName),
    );
    for (const pkg of onPrivateSources) {
      const source = sourceOf(pkg) as string;
      const known =
        pkg.ecosystem === 'conda' ? publicConda.has(pkg.normalizedName) : publicPypi.has(pkg.normalizedName);
      if (!known) continue;
      const where = pkg.ecosystem === 'conda' ? 'conda-forge' : 'PyPI';
      findings.push(
        finding(pkg, 'confusion/public-name-on-private-source', 'medium', source, {
          message: `${pkg.name} resolved from the private source ${maskCredentials(source)}, but the name also exists on ${where}: a public release could replace it`,
          remedy: `make sure the solver can only take ${pkg.name} from ${maskCredentials(source)} (strict channel priority, or an index pinned per package)`,
        }),
      );
    }
    return findings;
  },
};

function sourceOf(pkg: Package): string | undefined {
  if (pkg.kind !== 'registry') return undefined;
  return pkg.ecosystem === 'conda' ? pkg.channel : pkg.index;
}

function finding(
  pkg: Package,
  rule: string,
  severity: Severity,
  source: string,
  text: { message: string; remedy: string },
): Finding {
  return packageFinding({ id: 'confusion', version: VERSION }, pkg, {
    rule,
    severity,
    message: text.message,
    evidence: { source: maskCredentials(source), ecosystem: pkg.ecosystem },
    remedy: text.remedy,
  });
}
