/**
 * The cooldown check's findings: a release newer than its cutoff, a release whose age cannot be
 * known, and a release that could not be checked. Each says which setting it was held to and where
 * that setting is written.
 */
import { basename } from 'node:path';
import { type Finding, type FindingSubject, type Severity, withFlags } from '../model/finding.ts';
import type { Package, SourceLocation } from '../model/package.ts';
import { formatAge } from '../util/duration.ts';
import type { ResolvedCutoff } from './policy.ts';

export const COOLDOWN_CHECK_VERSION = 1;

export type TimeBasis = 'conda-timestamp' | 'pypi-upload-time';

const BASIS_NOTE: Record<TimeBasis, string> = {
  'conda-timestamp':
    'the conda record timestamp is the build time the builder wrote into index.json, not the upload time (uploads can lag builds); pixi compares the same value',
  'pypi-upload-time':
    'the PEP 700 upload-time the index reports for this exact file, the value pixi (through uv) compares',
};

export interface Subject {
  pkg: Package;
  /** PyPI findings cover one file on every platform that installs it. */
  platforms?: string[];
  environments?: string[];
}

export function tooNewFinding(
  subject: Subject,
  publishedAt: number,
  cutoff: ResolvedCutoff,
  basis: TimeBasis,
  extra: Record<string, unknown> = {},
): Finding {
  const { pkg } = subject;
  const missedBy = publishedAt - cutoff.at;
  const verb = basis === 'conda-timestamp' ? 'was built' : 'was uploaded';
  const leaves = cutoff.durationMs === undefined ? undefined : publishedAt + cutoff.durationMs;
  return {
    ...base(subject, 'cooldown/too-new', 'high'),
    message: `${pkg.name} ${pkg.version} ${verb} ${when(publishedAt)} (${formatAge(missedBy)} after the cutoff ${when(cutoff.at)} from ${describeSetting(cutoff)})`,
    evidence: {
      publishedAt: iso(publishedAt),
      cutoff: iso(cutoff.at),
      missedByMs: missedBy,
      missedBy: formatAge(missedBy),
      setting: cutoff.setting,
      scope: cutoff.scope,
      origin: originText(cutoff.origin),
      basis,
      basisNote: BASIS_NOTE[basis],
      ...(cutoff.channel !== undefined ? { channel: cutoff.channel } : {}),
      ...(leaves !== undefined ? { leavesWindowAt: iso(leaves) } : {}),
      ...extra,
    },
    remedy:
      leaves !== undefined
        ? `wait until ${when(leaves)}, when it is older than ${cutoff.setting}, or pin a release from before ${when(cutoff.at)}; to accept it now, exempt it (\`pixi workspace exclude-newer exempt ${pkg.name}\`)`
        : `pin a release from before ${when(cutoff.at)}, or move the cutoff or exempt it (\`pixi workspace exclude-newer exempt ${pkg.name}\`) after reviewing it`,
  };
}

export function unknownTimeFinding(
  subject: Subject,
  cutoff: ResolvedCutoff,
  severity: Severity,
  basis: TimeBasis,
  extra: Record<string, unknown> = {},
): Finding {
  const { pkg } = subject;
  const why =
    basis === 'conda-timestamp'
      ? 'the lock records no build timestamp for it (pixi keeps such records)'
      : 'the index gives no upload-time for the file (pixi treats such files as unavailable)';
  return {
    ...base(subject, 'cooldown/unknown-time', severity),
    message: `${pkg.name} ${pkg.version}: its age cannot be checked against the cutoff ${when(cutoff.at)} from ${describeSetting(cutoff)}: ${why}`,
    evidence: {
      cutoff: iso(cutoff.at),
      setting: cutoff.setting,
      scope: cutoff.scope,
      origin: originText(cutoff.origin),
      basis,
      ...extra,
    },
    remedy: 'review the release by hand, or set cooldown-unknown-timestamp to choose how such records are treated',
  };
}

export function notCheckedFinding(
  subject: Subject,
  cutoff: ResolvedCutoff,
  reason: string,
  extra: Record<string, unknown> = {},
): Finding {
  const { pkg } = subject;
  const finding: Finding = {
    ...base(subject, 'cooldown/not-checked', 'low'),
    message: `${pkg.name} ${pkg.version}: the upload time was not checked against the cutoff ${when(cutoff.at)} from ${describeSetting(cutoff)}: ${reason}`,
    evidence: {
      cutoff: iso(cutoff.at),
      setting: cutoff.setting,
      scope: cutoff.scope,
      origin: originText(cutoff.origin),
      basis: 'pypi-upload-time',
      reason,
      ...extra,
    },
    remedy: 'run the check with network access to the index, or treat the release as unreviewed',
  };
  return withFlags(finding, { unchecked: true });
}

function base(subject: Subject, rule: string, severity: Severity): Omit<Finding, 'message' | 'evidence'> {
  const { pkg } = subject;
  const platforms = subject.platforms ?? [pkg.platform];
  const findingSubject: FindingSubject = {
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    version: pkg.version,
    build: pkg.build,
    platform: platforms.length === 1 ? platforms[0] : undefined,
    environments: subject.environments ?? pkg.environments,
  };
  return {
    check: 'cooldown',
    checkVersion: COOLDOWN_CHECK_VERSION,
    rule,
    severity,
    subject: findingSubject,
    location: pkg.origin,
  };
}

/** `exclude-newer = "7d"` at pixi.toml:12, or the cooldown setting. */
export function describeSetting(cutoff: ResolvedCutoff): string {
  if (cutoff.scope === 'settings') return `the cooldown setting \`${cutoff.setting}\``;
  const key = `${cutoff.scope === 'lock' ? 'options.exclude-newer' : 'exclude-newer'} = "${cutoff.setting}"`;
  const where = cutoff.origin
    ? ` at ${basename(cutoff.origin.file)}${cutoff.origin.line ? `:${cutoff.origin.line}` : ''}`
    : '';
  return `\`${key}\`${where}`;
}

function originText(origin: SourceLocation | undefined): string | undefined {
  if (!origin) return undefined;
  return origin.line ? `${origin.file}:${origin.line}` : origin.file;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `2026-07-27 04:21 UTC` */
function when(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
