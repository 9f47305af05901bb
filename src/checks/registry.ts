/** Every check cvebuild runs, in one list: what runs is this file. */
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
import { vulnerabilityCheck } from './vulnerabilities.ts';

export const CHECKS: readonly Check[] = [
  vulnerabilityCheck,
  maliciousCheck,
  lockIntegrityCheck,
  typosquatCheck,
  confusionCheck,
  cooldownCheck,
  linkScriptsCheck,
  sourcesCheck,
  attestationCheck,
  sastCheck,
  secretsCheck,
];

export function checkById(id: string): Check | undefined {
  return CHECKS.find((check) => check.id === id);
}

export { CODE_CHECK_IDS } from '../code/types.ts';
