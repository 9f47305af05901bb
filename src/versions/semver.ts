// Semantic Versioning 2.0 (OSV `SEMVER` ranges, npm-style range strings), on node-semver.
import semver from 'semver';
import { invalidSpec, invalidVersion, type SatisfiesOptions, sign, type VersionScheme } from './scheme.ts';

/**
 * Strict SemVer 2.0, plus one tolerated `v` prefix (`v1.2.3`, common in Go and GitHub tags) that
 * is stripped. Loose mode is never used: it would accept `=1.2.3`, `1.2.3foo` and leading zeros.
 */
function parse(v: string): semver.SemVer {
  const body = v.startsWith('v') ? v.slice(1) : v;
  // node-semver would itself skip a second `v` and trim whitespace; neither is SemVer.
  const parsed = /^[0-9]/.test(body) && body === body.trimEnd() ? semver.parse(body) : null;
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
    return sign(semver.compare(parse(a), parse(b)));
  },

  satisfies(version: string, spec: string, options?: SatisfiesOptions) {
    const parsed = parse(version);
    const includePrerelease = options?.prereleases ?? false;
    let range: semver.Range;
    try {
      range = new semver.Range(spec, { includePrerelease });
    } catch {
      throw invalidSpec('SemVer', spec);
    }
    return range.test(parsed);
  },
};
