// Entry point of the version schemes: pick one by id, or import a scheme directly.
import { condaScheme } from './conda.ts';
import { pep440Scheme } from './pep440.ts';
import type { VersionScheme, VersionSchemeId } from './scheme.ts';
import { semverScheme } from './semver.ts';

export { condaScheme } from './conda.ts';
export { pep440Scheme } from './pep440.ts';
export type { SatisfiesOptions, VersionScheme, VersionSchemeId } from './scheme.ts';
export { semverScheme } from './semver.ts';

const SCHEMES: Record<VersionSchemeId, VersionScheme> = {
  conda: condaScheme,
  pep440: pep440Scheme,
  semver: semverScheme,
};

export function schemeFor(id: VersionSchemeId): VersionScheme {
  return SCHEMES[id];
}
