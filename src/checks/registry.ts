/** Every check cvebuild runs, in one list: what runs is this file, and what settings there are. */
import { artifactFilesCheck } from './artifact-files.ts';
import { attestationCheck } from './attestation.ts';
import type { Check } from './check.ts';
import { confusionCheck } from './confusion.ts';
import { cooldownCheck } from './cooldown.ts';
import { linkScriptsCheck } from './link-scripts.ts';
import { lockIntegrityCheck } from './lock-integrity.ts';
import { maliciousCheck } from './malicious.ts';
import { sastCheck } from './sast.ts';
import { secretsCheck } from './secrets.ts';
import { sourcesCheck } from './sources.ts';
import { typosquatCheck } from './typosquat.ts';
import { vendoredLibsCheck } from './vendored-libs.ts';
import { vulnerabilityCheck } from './vulnerabilities.ts';

const ALL = [
  vulnerabilityCheck,
  maliciousCheck,
  lockIntegrityCheck,
  typosquatCheck,
  confusionCheck,
  cooldownCheck,
  linkScriptsCheck,
  artifactFilesCheck,
  vendoredLibsCheck,
  sourcesCheck,
  attestationCheck,
  sastCheck,
  secretsCheck,
] as const;

export const CHECKS: readonly Check[] = ALL;

type SettingsOf<C> = C extends Check<infer S> ? S : never;
type Intersection<U> = (U extends unknown ? (part: U) => void : never) extends (all: infer I) => void ? I : never;

/** Every check's settings in one object: the policy (cvebuild.toml) fills it, flags override. */
export type CheckSettings = Intersection<SettingsOf<(typeof ALL)[number]>>;

export function defaultCheckSettings(): CheckSettings {
  return defaultSettingsOf(CHECKS) as CheckSettings;
}

/** The default settings of any checks (a library user's own among them). */
export function defaultSettingsOf(checks: readonly Check[]): object {
  return Object.assign({}, ...checks.map((check) => check.options?.defaults()));
}

export function checkById(id: string): Check | undefined {
  return CHECKS.find((check) => check.id === id);
}

export { CODE_CHECK_IDS } from '../code/types.ts';
