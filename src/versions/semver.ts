// Semantic Versioning 2.0 (OSV `SEMVER` ranges, npm-style range strings), on node-semver.
import { createRequire } from 'node:module';
import type { Range, SemVer } from 'semver';
import { invalidSpec, invalidVersion, type SatisfiesOptions, sign, type VersionScheme } from './scheme.ts';

/**
 * Strict SemVer 2.0, plus one tolerated `v` prefix (`v1.2.3`, common in Go and GitHub tags) that
 * is stripped. Loose mode is never used: it would accept `=1.2.3`, `1.2.3foo` and leading zeros.
 */
type NodeSemver = typeof import('semver');
let loaded: NodeSemver | undefined;

/** node-semver (CommonJS, ~20 ms to load) is required the first time a SemVer is read: PyPI and conda runs never do. */
export function nodeSemver(): NodeSemver {
  loaded ??= createRequire(import.meta.url)('semver') as NodeSemver;
  return loaded;
}

function parse(v: string): SemVer {
  const body = v.startsWith('v') ? v.slice(1) : v;
  // node-semver would itself skip a second `v` and trim whitespace; neither is SemVer.
  const parsed = /^[0-9]/.test(body) && body === body.trimEnd() ? nodeSemver().parse(body) : null;
  if (!parsed) throw invalidVersion('SemVer', v);
  return parsed;
}

export const semverScheme: VersionScheme = {
  id: 'semver',

  isValid(v) {
    try {
      parse(v);
      return true;
    } catch {
      return false;
    }
  },

  normalize(v) {
    // `SemVer.version` drops build metadata; keep it, it is part of the version's text.
    const parsed = parse(v);
    return parsed.build.length > 0 ? `${parsed.version}+${parsed.build.join('.')}` : parsed.version;
  },

  compare(a, b) {
    return sign(nodeSemver().compare(parse(a), parse(b)));
  },

  satisfies(version: string, spec: string, options?: SatisfiesOptions) {
    const parsed = parse(version);
    const includePrerelease = options?.prereleases ?? false;
    let range: Range;
    try {
      range = new (nodeSemver().Range)(spec, { includePrerelease });
    } catch {
      throw invalidSpec('SemVer', spec);
    }
    return range.test(parsed);
  },
};
