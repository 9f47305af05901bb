/**
 * The `sources` check: packages that came from a channel or index the policy does not trust.
 * Off until the policy lists trusted channels (`[sources] channels`) or indexes
 * (`[sources] indexes`); then every registry package must come from one of them, and a PyPI
 * package fetched by direct URL or from git, which bypasses the indexes altogether, is reported.
 */
import { canonicalChannel, matchChannel } from '../conda/channels.ts';
import { type Finding, packageFinding, type Severity } from '../model/finding.ts';
import type { Package } from '../model/package.ts';
import { maskCredentials } from '../text/credentials.ts';
import type { Check } from './check.ts';
import { DEFAULT_PYPI_INDEX } from './cooldown.ts';

const VERSION = 1;

/** Filled from the policy's `[sources]` table (channels, indexes), not `[checks.sources]`. */
export interface SourcesSettings {
  /** Channels packages may come from (names or URLs); empty = any channel. */
  trustedChannels: string[];
  /** PyPI indexes packages may come from; empty = any index. */
  trustedIndexes: string[];
}

export const sourcesCheck: Check<SourcesSettings> = {
  id: 'sources',
  version: VERSION,
  title: 'Packages from untrusted channels or indexes',
  requires: { intel: false, network: false },
  rules: {
    check: {
      title: 'Package from an untrusted channel or index',
      help: 'The policy lists the channels and indexes packages may come from, and this package came from somewhere else (or by a direct URL or git reference, which bypasses the indexes). Take it from a trusted source, or add its source to [sources] in the policy after reviewing it.',
      cwes: ['CWE-829'],
      tags: ['security', 'dependency', 'untrusted-source', 'supply-chain'],
    },
  },
  enforces: ['trusted-sources'],
  options: { defaults: () => ({ trustedChannels: [], trustedIndexes: [] }) },
  run(inventory, context) {
    const { trustedChannels, trustedIndexes } = context.settings;
    const findings: Finding[] = [];
    for (const pkg of inventory.packages) {
      if (pkg.ecosystem === 'conda' && trustedChannels.length > 0) {
        if (pkg.kind !== 'registry' && pkg.kind !== 'url') continue;
        const channel = pkg.channel;
        if (channel && trustedChannels.some((trusted) => matchChannel(channel, trusted))) continue;
        findings.push(
          finding(
            pkg,
            'sources/untrusted-channel',
            'high',
            channel
              ? `${pkg.name} ${pkg.version} comes from the channel ${maskCredentials(channel)}, which the policy does not trust`
              : `${pkg.name} ${pkg.version} was fetched from ${maskCredentials(pkg.location)}, outside every trusted channel`,
            { from: channel ?? pkg.location, trusted: trustedChannels },
          ),
        );
      }
      if (pkg.ecosystem === 'pypi' && trustedIndexes.length > 0) {
        if (pkg.kind === 'url' || pkg.kind === 'git') {
          findings.push(
            finding(
              pkg,
              'sources/direct-reference',
              'medium',
              `${pkg.name} ${pkg.version} is a direct ${pkg.kind === 'git' ? 'git' : 'URL'} reference (${maskCredentials(pkg.location)}) that bypasses the trusted indexes`,
              { from: pkg.location, trusted: trustedIndexes },
            ),
          );
          continue;
        }
        if (pkg.kind !== 'registry') continue;
        const index = pkg.index ?? DEFAULT_PYPI_INDEX;
        if (trustedIndexes.some((trusted) => sameIndex(index, trusted))) continue;
        findings.push(
          finding(
            pkg,
            'sources/untrusted-index',
            'high',
            `${pkg.name} ${pkg.version} comes from the index ${maskCredentials(index)}, which the policy does not trust`,
            { from: index, trusted: trustedIndexes },
          ),
        );
      }
    }
    return findings;
  },
};

/** Index URLs compared as channel URLs are: without credentials, tokens, trailing slashes or case in scheme and host. */
export function sameIndex(index: string, trusted: string): boolean {
  return canonicalChannel(index) === canonicalChannel(trusted);
}

function finding(
  pkg: Package,
  rule: string,
  severity: Severity,
  message: string,
  evidence: Record<string, unknown>,
): Finding {
  return packageFinding({ id: 'sources', version: VERSION }, pkg, {
    rule,
    severity,
    message,
    evidence: { ...evidence, from: maskCredentials(String(evidence.from)) },
    remedy: `take ${pkg.name} from a trusted source, or add its source to [sources] in the policy`,
  });
}
