/**
 * `cvebuild fix [PATH]`: for each package the gate blocks on advisories, the lowest version its
 * channel or index offers that the gate would pass, and the manifest constraint that gets there;
 * `--apply` writes the constraints (never the lock) and names the `pixi update` to run. Exit 0 when
 * every blocked package has a confirmed fix, 1 when some have none, 2 when it could not run.
 */

import { createEngine } from '../engine/engine.ts';
import { filterInventory, readProjectInventory } from '../engine/read-project.ts';
import { CvebuildError } from '../errors.ts';
import { applyPlan } from '../fix/apply.ts';
import { projectManifests } from '../fix/manifests.ts';
import type { ChannelOverride } from '../fix/offered.ts';
import { planFixes } from '../fix/plan.ts';
import { type FixFormat, renderFix } from '../fix/render.ts';
import { isComplete } from '../fix/types.ts';
import { projectDirectory } from '../fs/project-root.ts';
import { openIntelStore } from '../intel/open.ts';
import { defaultCacheDirectory } from '../intel/paths.ts';
import type { Severity } from '../model/finding.ts';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS } from '../net/defaults.ts';
import type { Policy } from '../policy/policy.ts';
import { commandPolicy, parseNow } from './audit.ts';

/** The checks whose findings a version change fixes. */
const ADVISORY_CHECKS = ['vulnerability', 'malicious'];

export interface FixCommandOptions {
  apply?: boolean;
  format: FixFormat;
  db?: string;
  policy?: string;
  failOn?: Severity;
  maxDbAge?: string;
  env?: string;
  platform?: string;
  /** `[NAME=]URL|DIR`, repeatable. */
  channel?: string[];
  index?: string;
  offline?: boolean;
  timeout?: string;
  now?: string;
}

export async function fixCommand(path: string, options: FixCommandOptions): Promise<{ text: string; exitCode: 0 | 1 }> {
  const now = options.now ? parseNow(options.now) : new Date();
  const policy = commandPolicy(path, options);
  const checks = advisoryChecks(policy);
  const inventory = filterInventory(await readProjectInventory(path), {
    environment: options.env,
    platform: options.platform,
  });
  const { editors, declared } = projectManifests(path, inventory);
  const engine = createEngine({ intel: () => openIntelStore({ db: options.db }), clock: () => now });
  try {
    let plan = await planFixes({
      target: path,
      inventory,
      engine,
      policy,
      checks,
      offline: options.offline ?? false,
      sources: {
        channels: (options.channel ?? []).map(parseChannel),
        ...(options.index ? { index: options.index } : {}),
      },
      fetch: {
        cacheDir: defaultCacheDirectory(),
        offline: options.offline ?? false,
        timeoutMs: timeoutOf(options.timeout),
        retries: DEFAULT_RETRIES,
      },
      editors,
      declared,
    });
    if (options.apply) plan = applyPlan(plan, projectDirectory(path));
    return { text: renderFix(plan, options.format), exitCode: isComplete(plan) ? 0 : 1 };
  } finally {
    engine.close();
  }
}

function advisoryChecks(policy: Policy): string[] {
  const enabled = ADVISORY_CHECKS.filter((id) => policy.checks.get(id)?.enabled !== false);
  if (enabled.length === 0)
    throw new CvebuildError('USAGE', 'the policy disables the vulnerability and malicious checks: no finding to fix');
  return enabled;
}

/** `conda-forge=http://127.0.0.1:8080/conda-forge`, or a URL or directory for every channel. */
function parseChannel(text: string): ChannelOverride {
  const match = /^([^=/:\\]+)=(.*)$/.exec(text);
  const override = match ? { name: match[1] as string, location: match[2] as string } : { location: text };
  if (!override.location.trim())
    throw new CvebuildError('USAGE', `--channel: no URL or directory in ${JSON.stringify(text)}`);
  return override;
}

function timeoutOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new CvebuildError('USAGE', `--timeout: not a number of seconds: ${JSON.stringify(text)}`);
  return seconds * 1000;
}
