/**
 * Which cutoff governs a package, with pixi's precedence. Conda: `[exclude-newer]` package entry >
 * channel entry > workspace cutoff (replaced by the `cooldown` setting when one is given) > the
 * cutoff a v6 lock recorded for the package's environments. PyPI: `[pypi-exclude-newer]` package
 * entry > PyPI workspace cutoff > the same conda-side fallbacks. v0.84 exemptions win over all of
 * them. With no applicable cutoff a package is unconstrained, as in pixi (`DateTime::MAX_UTC`).
 */

import { matchChannel } from '../conda/channels.ts';
import { channelAndSubdirOf } from '../conda/url.ts';
import { CvebuildError } from '../errors.ts';
import type { ExcludeNewer, ExcludeNewerSetting, Inventory } from '../model/inventory.ts';
import type { Package, SourceLocation } from '../model/package.ts';
import { condaScheme } from '../versions/conda.ts';
import { type ParsedCutoff, parseCutoff } from './cutoff.ts';

export type CutoffScope = 'package' | 'channel' | 'workspace' | 'settings' | 'lock' | 'pypi-package' | 'pypi-workspace';

export interface ResolvedCutoff extends ParsedCutoff {
  /** The value as written (`7d`, `2025-11-03`, an RFC 3339 time). */
  setting: string;
  scope: CutoffScope;
  /** Where it is written; absent for the `cooldown` setting. */
  origin?: SourceLocation;
  /** The manifest's channel key, for channel overrides. */
  channel?: string;
}

export type CooldownDecision =
  | { status: 'unconstrained' }
  | { status: 'exempt'; spec: string }
  | { status: 'applies'; cutoff: ResolvedCutoff };

export interface CooldownPolicy {
  /** False when nothing anywhere sets a cutoff: the check was not configured. */
  configured: boolean;
  conda(pkg: Package): CooldownDecision;
  pypi(pkg: Package): CooldownDecision;
}

const UNCONSTRAINED: CooldownDecision = { status: 'unconstrained' };

/** Parses every cutoff up front, so an invalid value fails the check whether or not a package uses it. */
export function cooldownPolicy(inventory: Inventory, cooldownSetting: string | undefined, now: Date): CooldownPolicy {
  const excludeNewer = inventory.manifest.excludeNewer;
  const fromManifest = (setting: ExcludeNewerSetting, scope: CutoffScope, channel?: string): ResolvedCutoff =>
    resolveSetting(setting, scope, now, channel);
  const base =
    cooldownSetting !== undefined
      ? settingCutoff(cooldownSetting, now)
      : excludeNewer.workspace && fromManifest(excludeNewer.workspace, 'workspace');
  const pypiBase = excludeNewer.pypiWorkspace && fromManifest(excludeNewer.pypiWorkspace, 'pypi-workspace');
  const channels = [...excludeNewer.channels].map(([key, setting]) => fromManifest(setting, 'channel', key));
  const packages = mapValues(excludeNewer.packages, (setting) => fromManifest(setting, 'package'));
  const pypiPackages = mapValues(excludeNewer.pypiPackages, (setting) => fromManifest(setting, 'pypi-package'));
  const lock = new Map<string, ResolvedCutoff>();
  for (const environment of inventory.environments) {
    if (environment.excludeNewer) lock.set(environment.name, fromManifest(environment.excludeNewer, 'lock'));
  }
  checkExemptionSpecs(excludeNewer);

  const fallback = (pkg: Package): ResolvedCutoff | undefined => base ?? strictestLockCutoff(pkg, lock);
  return {
    configured:
      base !== undefined ||
      pypiBase !== undefined ||
      channels.length > 0 ||
      packages.size > 0 ||
      pypiPackages.size > 0 ||
      lock.size > 0,
    conda(pkg) {
      const spec = excludeNewer.exemptions.get(pkg.normalizedName);
      if (spec !== undefined && condaExempts(pkg.version, spec)) return { status: 'exempt', spec };
      const cutoff = packages.get(pkg.normalizedName) ?? channelCutoff(pkg, channels) ?? fallback(pkg);
      return cutoff ? { status: 'applies', cutoff } : UNCONSTRAINED;
    },
    pypi(pkg) {
      // pixi supports only `*` for PyPI exemptions; a narrower spec exempts nothing.
      if (excludeNewer.pypiExemptions.get(pkg.normalizedName) === '*') return { status: 'exempt', spec: '*' };
      const cutoff = pypiPackages.get(pkg.normalizedName) ?? pypiBase ?? fallback(pkg);
      return cutoff ? { status: 'applies', cutoff } : UNCONSTRAINED;
    },
  };
}

function settingCutoff(value: string, now: Date): ResolvedCutoff {
  const parsed = parseCutoff(value, now);
  if (!parsed) throw new CvebuildError('USAGE', `cooldown: ${invalidText(value)}`);
  return { ...parsed, setting: value, scope: 'settings' };
}

function resolveSetting(setting: ExcludeNewerSetting, scope: CutoffScope, now: Date, channel?: string): ResolvedCutoff {
  const parsed = parseCutoff(setting.value, now);
  if (!parsed) {
    throw new CvebuildError('MANIFEST_INVALID', `exclude-newer: ${invalidText(setting.value)}`, {
      file: setting.origin.file,
      line: setting.origin.line,
    });
  }
  return { ...parsed, setting: setting.value, scope, origin: setting.origin, channel };
}

function invalidText(value: string): string {
  return `${JSON.stringify(value)} is not a duration (\`7d\`, \`1h30m\`), a date (\`2026-03-30\`) or an RFC 3339 time`;
}

/** An exact URL entry beats a name entry that also matches. */
function channelCutoff(pkg: Package, channels: ResolvedCutoff[]): ResolvedCutoff | undefined {
  const recordChannel = pkg.channel ?? (pkg.url ? channelAndSubdirOf(pkg.url).channel : undefined);
  if (recordChannel === undefined || channels.length === 0) return undefined;
  let byName: ResolvedCutoff | undefined;
  for (const cutoff of channels) {
    const match = matchChannel(recordChannel, cutoff.channel ?? '');
    if (match === 'url') return cutoff;
    if (match === 'name') byName ??= cutoff;
  }
  return byName;
}

/** A package in several environments is held to the strictest cutoff any of their locks recorded. */
function strictestLockCutoff(pkg: Package, lock: Map<string, ResolvedCutoff>): ResolvedCutoff | undefined {
  let strictest: ResolvedCutoff | undefined;
  for (const name of pkg.environments) {
    const cutoff = lock.get(name);
    if (cutoff && (!strictest || cutoff.at < strictest.at)) strictest = cutoff;
  }
  return strictest;
}

function condaExempts(version: string, spec: string): boolean {
  if (spec.trim() === '*') return true;
  try {
    return condaScheme.satisfies(version, spec);
  } catch {
    // the spec was validated up front, so only an unparsable locked version lands here: not exempt
    return false;
  }
}

function checkExemptionSpecs(excludeNewer: ExcludeNewer): void {
  for (const [name, spec] of excludeNewer.exemptions) {
    if (spec.trim() === '*') continue;
    try {
      condaScheme.satisfies('0', spec);
    } catch {
      throw new CvebuildError(
        'MANIFEST_INVALID',
        `exclude-newer exemption for ${name}: ${JSON.stringify(spec)} is not a conda version spec`,
        { key: `exemptions.${name}` },
      );
    }
  }
}

function mapValues<T>(settings: Map<string, ExcludeNewerSetting>, map: (s: ExcludeNewerSetting) => T): Map<string, T> {
  return new Map([...settings].map(([key, value]) => [key, map(value)]));
}
