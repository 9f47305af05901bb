/** Every check cvebuild runs, in one list: what runs is this file. */
import { attestationCheck } from './attestation.ts';
import type { Check } from './check.ts';
import { confusionCheck } from './confusion.ts';
import { cooldownCheck } from './cooldown.ts';
import { linkScriptsCheck } from './link-scripts.ts';
import { maliciousCheck } from './malicious.ts';
import { sourcesCheck } from './sources.ts';
import { typosquatCheck } from './typosquat.ts';
import { vulnerabilityCheck } from './vulnerabilities.ts';

export const CHECKS: readonly Check[] = [
  vulnerabilityCheck,
  maliciousCheck,
  typosquatCheck,
  confusionCheck,
  cooldownCheck,
  linkScriptsCheck,
  sourcesCheck,
  attestationCheck,
];

export function checkById(id: string): Check | undefined {
  return CHECKS.find((check) => check.id === id);
}

/** The checks that read the project's own files (the tree) rather than its resolved packages. */
export const CODE_CHECK_IDS: readonly string[] = ['sast', 'secrets'];
