/**
 * The fix plan: the gate's blocking advisory findings grouped per package; for each, the versions
 * its channel or index offers, the first of them the gate would pass (asked of the engine, never
 * judged here), the manifest edits that require it, and what stands in the way. Nothing is written
 * here; `apply.ts` writes the files a plan changes.
 */

import { basename } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import type { DeclaredDependency, Inventory } from '../model/inventory.ts';
import type { Policy } from '../policy/policy.ts';
import { groupBlocking } from './blocking.ts';
import type { FetchContext } from './cached-fetch.ts';
import { advisorySafeVersion, candidateOrder, schemeOf } from './candidates.ts';
import { declaredConflicts, dependentConflicts } from './conflicts.ts';
import { offeredVersions, type SourceOptions } from './offered.ts';
import { fileDiff } from './text-edits.ts';
import type {
  BlockingPackage,
  FileChange,
  FixIntent,
  FixPlan,
  ManifestEditor,
  Offered,
  PackageFix,
  SourceRead,
} from './types.ts';
import { type CandidateVerdicts, judgeCandidates } from './verify.ts';

export interface PlanRequest {
  /** The project path as given. */
  target: string;
  inventory: Inventory;
  engine: Engine;
  policy: Policy;
  /** The advisory checks the gate runs (`vulnerability`, `malicious`, as the policy enables them). */
  checks: readonly string[];
  offline: boolean;
  sources: SourceOptions;
  fetch: FetchContext;
  /** The project's manifests, in the order a package none declares is added to. */
  editors: readonly ManifestEditor[];
  /** What those manifests declare. */
  declared: readonly DeclaredDependency[];
}

export async function planFixes(request: PlanRequest): Promise<FixPlan> {
  const { engine, policy, checks, inventory } = request;
  const gate = await engine.audit({ inventory, policy, checks, offline: request.offline });
  const { packages, notChecked } = groupBlocking(gate.findings, inventory);
  const offered = await offeredVersions(packages, request.sources, request.fetch);
  const work = new Map<BlockingPackage, string[]>();
  for (const pkg of packages) work.set(pkg, candidatesOf(pkg, offered.get(pkg) as Offered));
  const verdicts = await judgeCandidates({ engine, policy, checks }, work);
  const fixes = packages.map((pkg) => decide(pkg, offered.get(pkg) as Offered, work.get(pkg) ?? [], verdicts));
  for (const fix of fixes) {
    if (!fix.version || (fix.action !== 'upgrade' && fix.action !== 'downgrade')) continue;
    fix.conflicts.push(...dependentConflicts(fix.pkg, fix.version, inventory));
    // a pin replaces what was declared; a raised bound keeps the declared upper bounds
    if (fix.action === 'upgrade') fix.conflicts.push(...declaredConflicts(fix.pkg, fix.version, request.declared));
  }
  const files = await placeEdits(fixes, request.editors);
  for (const fix of fixes) fix.laterAffected = admitted(fix);
  return {
    target: request.target,
    fixes,
    notChecked,
    files,
    update: relockCommands(fixes, request.editors),
    applied: false,
  };
}

/** The blocked releases above the fix that the constraints written still let in. */
function admitted(fix: PackageFix): string[] {
  if (fix.edits.length === 0) return fix.laterAffected;
  const scheme = schemeOf(fix.pkg.ecosystem);
  return fix.laterAffected.filter((version) =>
    fix.edits.every((edit) => {
      try {
        return scheme.satisfies(version, edit.spec, { prereleases: true });
      } catch {
        return true;
      }
    }),
  );
}

function candidatesOf(pkg: BlockingPackage, offered: Offered): string[] {
  if (offered.known) return candidateOrder(pkg, offered.versions);
  // not looked up: the advisories' own safe version is still judged, so what is proposed is at least clean
  const safe = pkg.malicious ? undefined : advisorySafeVersion(pkg);
  return safe ? [safe] : [];
}

function decide(
  pkg: BlockingPackage,
  offered: Offered,
  candidates: readonly string[],
  verdicts: CandidateVerdicts,
): PackageFix {
  const judged = verdicts.get(pkg) ?? new Map<string, string[]>();
  const blockedBy = (version: string) => judged.get(version) ?? [];
  const clean = candidates.find((version) => blockedBy(version).length === 0);
  const base = { pkg, laterAffected: [], edits: [], conflicts: [] };
  if (!offered.known) {
    const why = offered.reason;
    if (pkg.malicious)
      return {
        ...base,
        action: 'remove',
        confirmed: false,
        reads: [],
        reason: `the last clean release could not be looked up: ${why}`,
      };
    if (clean)
      return {
        ...base,
        action: 'upgrade',
        version: clean,
        confirmed: false,
        reads: [],
        reason: `not confirmed to exist: ${why}`,
      };
    const safe = advisorySafeVersion(pkg);
    return {
      ...base,
      action: 'none',
      confirmed: false,
      reads: [],
      reason: safe
        ? `the advisories' safe version ${safe} is itself blocked (${blockedBy(safe).join(', ')}), and no release could be looked up: ${why}`
        : `the advisories name no safe version, and no release could be looked up: ${why}`,
    };
  }
  const sources = describeReads(offered.reads);
  if (pkg.malicious) {
    if (clean) return { ...base, action: 'downgrade', version: clean, confirmed: true, reads: offered.reads };
    return {
      ...base,
      action: 'remove',
      confirmed: true,
      reads: offered.reads,
      reason:
        candidates.length === 0
          ? `${sources} offers no release before ${pkg.versions[0]}`
          : `no release before ${pkg.versions[0]} on ${sources} is clean`,
    };
  }
  if (!clean) {
    const newest = candidates.at(-1);
    return {
      ...base,
      action: 'none',
      confirmed: true,
      reads: offered.reads,
      reason:
        newest === undefined
          ? `${sources} offers no release above ${pkg.versions.at(-1)}`
          : `none of the ${candidates.length} release(s) above ${pkg.versions.at(-1)} on ${sources} clears them (the newest, ${newest}, is blocked by ${blockedBy(newest).join(', ')})`,
    };
  }
  const later = candidates.slice(candidates.indexOf(clean) + 1).filter((version) => blockedBy(version).length > 0);
  return {
    ...base,
    action: 'upgrade',
    version: clean,
    confirmed: true,
    reads: offered.reads,
    laterAffected: later,
  };
}

function describeReads(reads: readonly SourceRead[]): string {
  return reads.map((read) => read.source).join(', ') || 'the source';
}

/** Each confirmed fix's constraint, written where the package is declared, else where it is added. */
async function placeEdits(fixes: PackageFix[], editors: readonly ManifestEditor[]): Promise<FileChange[]> {
  const intents = new Map<FixIntent, PackageFix>();
  for (const fix of fixes) {
    if (!fix.confirmed || !fix.version || (fix.action !== 'upgrade' && fix.action !== 'downgrade')) continue;
    // a constraint the locked dependents refuse would leave the manifest unsolvable: a person settles it first
    if (fix.conflicts.length > 0) {
      fix.unplaced = `${fix.conflicts.length === 1 ? 'a requirement excludes' : 'requirements exclude'} ${fix.version}`;
      continue;
    }
    intents.set({ pkg: fix.pkg, version: fix.version, mode: fix.action === 'downgrade' ? 'pin' : 'raise' }, fix);
  }
  if (intents.size === 0) return [];
  if (editors.length === 0) {
    for (const fix of intents.values()) fix.unplaced = 'no manifest beside the lock to write the constraint into';
    return [];
  }
  const declaredIn = new Map<FixIntent, ManifestEditor[]>();
  for (const intent of intents.keys())
    declaredIn.set(
      intent,
      editors.filter((editor) => editor.declares(intent.pkg)),
    );
  const files: FileChange[] = [];
  const unplaced = new Map<PackageFix, string[]>();
  const declaredSomewhere = new Set<PackageFix>();
  for (const editor of editors) {
    const requests = [...intents.keys()]
      .filter(
        (intent) =>
          declaredIn.get(intent)?.includes(editor) || (declaredIn.get(intent)?.length === 0 && editor === editors[0]),
      )
      .map((intent) => ({ intent, add: declaredIn.get(intent)?.length === 0 }));
    if (requests.length === 0) continue;
    const applied = await editor.apply(requests);
    for (const [intent, outcome] of applied.outcomes) {
      const fix = intents.get(intent) as PackageFix;
      fix.edits.push(...outcome.edits);
      fix.conflicts.push(...outcome.conflicts);
      if (outcome.declared) declaredSomewhere.add(fix);
      unplaced.set(fix, [...(unplaced.get(fix) ?? []), ...outcome.unplaced]);
    }
    if (applied.text !== editor.text) {
      files.push({
        file: editor.file,
        before: editor.text,
        after: applied.text,
        diff: fileDiff(basename(editor.file), editor.text, applied.text),
      });
    }
  }
  for (const fix of intents.values()) {
    const reasons = unplaced.get(fix) ?? [];
    if (reasons.length > 0) fix.unplaced = reasons.join('; ');
    else if (fix.edits.length === 0 && fix.conflicts.length === 0 && declaredSomewhere.has(fix))
      fix.alreadyRequired = true;
  }
  return files;
}

/** What re-solves the lock once the manifests changed: `pixi update` of the packages edited. */
function relockCommands(fixes: readonly PackageFix[], editors: readonly ManifestEditor[]): string[] {
  const commands: string[] = [];
  for (const relock of ['pixi', 'conda', 'rebuild'] as const) {
    const files = new Set(editors.filter((editor) => editor.relock === relock).map((editor) => editor.file));
    const names = [
      ...new Set(
        fixes
          .filter((fix) => fix.edits.some((edit) => files.has(edit.file)) || (fix.alreadyRequired && relock === 'pixi'))
          .map((fix) => fix.pkg.name),
      ),
    ];
    if (names.length === 0) continue;
    if (relock === 'pixi') commands.push(`pixi update ${names.join(' ')}`);
    else if (relock === 'conda') {
      for (const file of files)
        if (fixes.some((fix) => fix.edits.some((edit) => edit.file === file)))
          commands.push(`conda env update --file ${basename(file)} --prune`);
    } else commands.push(`rebuild the recipe (cvebuild build) to pick up ${names.join(', ')}`);
  }
  return commands;
}
