/**
 * The `cooldown` check: releases newer than the project's `exclude-newer` cutoff, as pixi would
 * judge them. Conda records carry their build timestamp in the lock; PyPI files usually do not, so
 * their PEP 700 upload times are looked up on their index (and cached), unless the producer already
 * knew it (`Package.timestamp`: the proxy reads it from the page it filters). What cannot be looked
 * up is reported as not checked; failing on that is the policy's decision.
 */

import { fileNameOf } from '../conda/url.ts';
import { parseCutoff } from '../cooldown/cutoff.ts';
import { notCheckedFinding, type Subject, tooNewFinding, unknownTimeFinding } from '../cooldown/findings.ts';
import { type CooldownDecision, cooldownPolicy, type ResolvedCutoff } from '../cooldown/policy.ts';
import { displayIndex } from '../cooldown/simple-api.ts';
import {
  type LookupTuning,
  lookupOptionsFor,
  lookupUploadTimes,
  type UploadAnswer,
  type UploadQuery,
} from '../cooldown/upload-times.ts';
import type { Finding, Severity } from '../model/finding.ts';
import type { Inventory } from '../model/inventory.ts';
import type { Package } from '../model/package.ts';
import { zod } from '../policy/zod.ts';
import { type Check, type CheckContext, checkOptions } from './check.ts';

export const DEFAULT_PYPI_INDEX = 'https://pypi.org/simple';

/** Network behaviour of the PyPI lookups; tests shorten the timeouts. */
export type CooldownOptions = Partial<LookupTuning>;

/** Kinds with no registry time to compare: built or read locally, or fetched from an arbitrary URL. */
const UNTIMED_CONDA_KINDS = new Set(['source-build', 'path', 'editable', 'git']);

export interface CooldownSettings {
  /** A cooldown replacing the manifest's workspace `exclude-newer` (pixi syntax: `7d`, a date, RFC 3339). */
  cooldown?: string;
  /** Conda records without a timestamp: pixi keeps them, so the default is to warn. */
  cooldownUnknownTimestamp: 'warn' | 'fail' | 'ignore';
}

export function createCooldownCheck(options: CooldownOptions = {}): Check<CooldownSettings> {
  return {
    id: 'cooldown',
    version: 1,
    title: 'Releases newer than the exclude-newer cutoff',
    requires: { intel: false, network: true },
    rules: {
      check: {
        title: 'Release newer than the cooldown',
        help: 'The locked release was published after the cutoff the cooldown (pixi exclude-newer) allows. Most hijacked releases are found and yanked within days; waiting lets the community catch them first. Re-lock with the cutoff, or exempt the package if you need the release.',
        cwes: ['CWE-1357'],
        tags: ['security', 'dependency', 'cooldown', 'supply-chain'],
      },
    },
    options: checkOptions({
      defaults: (): CooldownSettings => ({ cooldownUnknownTimestamp: 'warn' }),
      shape: () => ({
        'exclude-newer': zod()
          .string()
          .refine((value) => parseCutoff(value, new Date()) !== undefined, {
            message: 'not a cutoff pixi understands (use e.g. "7d", "2026-01-31" or an RFC 3339 time)',
          }),
        'unknown-timestamp': zod().enum(['warn', 'fail', 'ignore']),
      }),
      apply(values, settings) {
        if (values['exclude-newer'] !== undefined) settings.cooldown = values['exclude-newer'];
        if (values['unknown-timestamp'] !== undefined) settings.cooldownUnknownTimestamp = values['unknown-timestamp'];
      },
    }),
    async run(inventory, context) {
      const policy = cooldownPolicy(inventory, context.settings.cooldown, context.now);
      if (!policy.configured) return [];
      const findings: Finding[] = [];
      const unknownSeverity = severityFor(context.settings.cooldownUnknownTimestamp);
      for (const pkg of inventory.packages) {
        if (pkg.ecosystem !== 'conda' || UNTIMED_CONDA_KINDS.has(pkg.kind)) continue;
        const decision = policy.conda(pkg);
        if (decision.status !== 'applies') continue;
        const { cutoff } = decision;
        if (pkg.timestamp === undefined) {
          if (unknownSeverity) findings.push(unknownTimeFinding({ pkg }, cutoff, unknownSeverity, 'conda-timestamp'));
        } else if (pkg.timestamp > cutoff.at) {
          findings.push(tooNewFinding({ pkg }, pkg.timestamp, cutoff, 'conda-timestamp'));
        }
      }
      const pypi = pypiFiles(inventory, (pkg) => policy.pypi(pkg), context.now.getTime());
      findings.push(...(await checkPypiFiles(pypi, context, options, unknownSeverity)));
      return findings;
    },
  };
}

export const cooldownCheck: Check<CooldownSettings> = createCooldownCheck();

function severityFor(setting: CooldownSettings['cooldownUnknownTimestamp']): Severity | undefined {
  return setting === 'ignore' ? undefined : setting === 'fail' ? 'high' : 'low';
}

/** One locked file, installed on one or more platforms, and the cutoff it is held to. */
interface PypiFile {
  subject: Subject & { platforms: string[]; environments: string[] };
  cutoff: ResolvedCutoff;
  query: UploadQuery;
  /** The upload time the producer recorded (`Package.timestamp`): no lookup needed. */
  uploadTime?: number;
}

/**
 * Distinct registry files under a cutoff that could exclude something: a cutoff at or after
 * `now` (`0d`) cannot, so such files cost no request. Direct URLs, git and paths have no index.
 */
function pypiFiles(inventory: Inventory, decide: (pkg: Package) => CooldownDecision, now: number): PypiFile[] {
  const files = new Map<string, PypiFile>();
  for (const pkg of inventory.packages) {
    if (pkg.ecosystem !== 'pypi' || pkg.kind !== 'registry') continue;
    const decision = decide(pkg);
    if (decision.status !== 'applies' || decision.cutoff.at >= now) continue;
    const index = pkg.index ?? DEFAULT_PYPI_INDEX;
    const filename = fileNameOf(pkg.url ?? pkg.location);
    const key = [index, pkg.normalizedName, filename, pkg.sha256 ?? ''].join('\n');
    const known = files.get(key);
    if (known) {
      known.subject.platforms = [...new Set([...known.subject.platforms, pkg.platform])].sort();
      known.subject.environments = [...new Set([...known.subject.environments, ...pkg.environments])].sort();
      // the strictest cutoff wins when platforms disagree (they can only through lock-recorded cutoffs)
      if (decision.cutoff.at < known.cutoff.at) known.cutoff = decision.cutoff;
      known.uploadTime ??= pkg.timestamp;
      continue;
    }
    files.set(key, {
      subject: { pkg, platforms: [pkg.platform], environments: [...pkg.environments] },
      cutoff: decision.cutoff,
      query: { index, project: pkg.normalizedName, filename, sha256: pkg.sha256 },
      ...(pkg.timestamp !== undefined ? { uploadTime: pkg.timestamp } : {}),
    });
  }
  return [...files.values()];
}

async function checkPypiFiles(
  files: PypiFile[],
  context: CheckContext<CooldownSettings>,
  options: CooldownOptions,
  unknownSeverity: Severity | undefined,
): Promise<Finding[]> {
  if (files.length === 0) return [];
  const unknown = files.filter((file) => file.uploadTime === undefined);
  const looked = await lookupUploadTimes(
    unknown.map((file) => file.query),
    lookupOptionsFor(context, options),
  );
  const answers = new Map(unknown.map((file, i) => [file, looked[i] as UploadAnswer]));
  const findings: Finding[] = [];
  for (const file of files) {
    const answer: KnownAnswer = answers.get(file) ?? {
      status: 'found',
      uploadTime: file.uploadTime as number,
      from: 'package',
    };
    const finding = pypiFinding(file, answer, unknownSeverity);
    if (finding) findings.push(finding);
  }
  return findings;
}

/** An index's answer, or the producer's own upload time (`from: 'package'`). */
type KnownAnswer = UploadAnswer | { status: 'found'; uploadTime: number; from: 'package' };

function pypiFinding(file: PypiFile, answer: KnownAnswer, unknownSeverity: Severity | undefined): Finding | undefined {
  const { subject, cutoff, query } = file;
  const facts = { index: displayIndex(query.index), file: query.filename, platforms: subject.platforms };
  switch (answer.status) {
    case 'found':
      return answer.uploadTime > cutoff.at
        ? tooNewFinding(subject, answer.uploadTime, cutoff, 'pypi-upload-time', { ...facts, timeFrom: answer.from })
        : undefined;
    case 'no-upload-time':
      return unknownSeverity && unknownTimeFinding(subject, cutoff, unknownSeverity, 'pypi-upload-time', facts);
    case 'not-listed':
      return notCheckedFinding(subject, cutoff, `${query.filename} is not listed by ${facts.index}`, facts);
    case 'hash-mismatch':
      return notCheckedFinding(
        subject,
        cutoff,
        `${facts.index} lists ${query.filename} with sha256 ${answer.indexSha256}, not the locked ${query.sha256}`,
        facts,
      );
    case 'unavailable':
      return notCheckedFinding(
        subject,
        cutoff,
        answer.offline ? `offline, and ${facts.index} has no cached answer` : `network error: ${answer.reason}`,
        { ...facts, offline: answer.offline },
      );
  }
}
