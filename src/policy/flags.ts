/**
 * Overrides of a loaded policy, as front doors take them (the CLI's flags, a pipeline's or an
 * agent's parameters): they win over the policy file, which wins over the defaults.
 */
import { resolve } from 'node:path';
import type { CheckSettings } from '../checks/check.ts';
import { CvebuildError } from '../errors.ts';
import type { Severity } from '../model/finding.ts';
import { parseDuration } from '../util/duration.ts';
import type { Policy } from './policy.ts';

/** Overrides that add to or replace the check settings. */
export interface SettingsFlags {
  cooldown?: string;
  cooldownUnknownTimestamp?: 'warn' | 'fail' | 'ignore';
  /** Names never flagged as typosquats. */
  allowName?: string[];
  privateSource?: string[];
  privateName?: string[];
  /** Directories with package archives (resolved against the working directory). */
  packages?: string[];
}

export interface PolicyFlags extends SettingsFlags {
  failOn?: Severity;
  /** Oldest threat data accepted, as a duration (`48h`, `7d`). */
  maxDbAge?: string;
}

export function policyWithFlags(policy: Policy, flags: PolicyFlags): Policy {
  let maxDbAgeMs = policy.maxDbAgeMs;
  if (flags.maxDbAge !== undefined) {
    const parsed = parseDuration(flags.maxDbAge);
    if (parsed === undefined)
      throw new CvebuildError(
        'USAGE',
        `--max-db-age: not a duration: ${JSON.stringify(flags.maxDbAge)} (use e.g. 48h, 7d)`,
      );
    maxDbAgeMs = parsed;
  }
  return {
    ...policy,
    failOn: flags.failOn ?? policy.failOn,
    maxDbAgeMs,
    settings: settingsWithFlags(policy.settings, flags),
  };
}

export function settingsWithFlags(base: CheckSettings, flags: SettingsFlags): CheckSettings {
  const settings = structuredClone(base);
  if (flags.cooldown !== undefined) settings.cooldown = flags.cooldown;
  if (flags.cooldownUnknownTimestamp) settings.cooldownUnknownTimestamp = flags.cooldownUnknownTimestamp;
  settings.typosquatAllow.push(...(flags.allowName ?? []));
  settings.privateSources.push(...(flags.privateSource ?? []));
  settings.privateNames.push(...(flags.privateName ?? []));
  settings.packageDirs.push(...(flags.packages ?? []).map((dir) => resolve(dir)));
  return settings;
}
