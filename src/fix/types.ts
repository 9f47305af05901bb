/**
 * What `cvebuild fix` works out: per package with blocking advisories, the version that clears
 * them (checked against what its channel or index offers), the manifest edit that gets there, and
 * what stands in its way. Plain data, rendered by `render.ts`.
 */
import type { Ecosystem, Package } from '../model/package.ts';
import type { BlockingAdvisory } from '../report/remediation.ts';

/** One advisory blocking a package somewhere, counted once (the gate's verdict lines use the same fold). */
export type { BlockingAdvisory } from '../report/remediation.ts';

/** A package with blocking advisory findings, grouped across platforms and environments. */
export interface BlockingPackage {
  ecosystem: Ecosystem;
  /** As the lock spells it (first seen). */
  name: string;
  normalizedName: string;
  /** The locked versions that are blocked, sorted. */
  versions: string[];
  platforms: string[];
  environments: string[];
  /** The inventory's packages behind the findings (one per artifact and platform). */
  packages: Package[];
  advisories: BlockingAdvisory[];
  malicious: boolean;
}

/** Where the versions a package can move to were read from. */
export interface SourceRead {
  /** The channel (with subdirs) or index project page, credentials masked by the renderers. */
  source: string;
  /** `network`: fetched now; `cache`: an earlier fetch (offline, or the source unreachable); `directory`: a local channel. */
  from: 'network' | 'cache' | 'directory';
  /** When the cached copy was fetched (ISO 8601), for `cache`. */
  fetchedAt?: string;
  /** Why a cached copy answered instead of the source. */
  note?: string;
}

/** The versions a source offers for one package, or why they are not known. */
export type Offered = { known: true; versions: string[]; reads: SourceRead[] } | { known: false; reason: string };

export type FixAction =
  /** Move to a release above the blocked ones. */
  | 'upgrade'
  /** A malicious release: go back to the last clean one. */
  | 'downgrade'
  /** A malicious release with no clean release before it. */
  | 'remove'
  /** No release offered (or none known) clears the blocking advisories. */
  | 'none';

export interface ManifestEdit {
  file: string;
  /** 1-based line of the edited (or added) text in the file as it will be written. */
  line: number;
  /** The lines replaced ("" for an added line). */
  before: string;
  after: string;
  /** `pixi.toml [pypi-dependencies]`: where the constraint lives, as a person names it. */
  place: string;
  /** The constraint written, e.g. `pillow = ">=11.3.0"` or `numpy >=2.0.1`. */
  constraint: string;
  /** Its version requirement alone: `>=11.3.0,<12`. */
  spec: string;
}

/** A declared or locked requirement that excludes the fix version. */
export interface Conflict {
  /** Who requires it: `tensorflow 2.14.0` (a locked dependent) or `pixi.toml [feature.cuda.dependencies]`. */
  by: string;
  /** The requirement as written. */
  requirement: string;
  file?: string;
  line?: number;
}

export interface PackageFix {
  pkg: BlockingPackage;
  action: FixAction;
  /** The version the fix moves to (for `none`: the advisories' safe version, when they name one). */
  version?: string;
  /** The version was found in the package's channel or index (and no blocking advisory affects it). */
  confirmed: boolean;
  /** Why the fix is what it is, when that needs saying (not confirmed, no clean release, ...). */
  reason?: string;
  reads: SourceRead[];
  /** Offered releases above the fix that are blocked too: a `>=` constraint does not keep them out. */
  laterAffected: string[];
  edits: ManifestEdit[];
  /** Why no edit could be made, when none was. */
  unplaced?: string;
  /** The manifest already keeps the blocked versions out: re-solving the lock is the whole fix. */
  alreadyRequired?: boolean;
  conflicts: Conflict[];
}

/** One manifest the plan changes. */
export interface FileChange {
  file: string;
  before: string;
  after: string;
  /** Unified diff of the change. */
  diff: string;
}

export interface FixPlan {
  /** The project path as given. */
  target: string;
  fixes: PackageFix[];
  /** Blocking findings that say what could not be checked: no version change fixes them. */
  notChecked: string[];
  files: FileChange[];
  /** The commands that re-solve the lock once the manifests changed (`pixi update a b`). */
  update: string[];
  /** Set when `--apply` wrote the files. */
  applied: boolean;
}

/** Every blocking package has a confirmed fix that edits its manifest without conflicts. */
export function isComplete(plan: FixPlan): boolean {
  return plan.notChecked.length === 0 && plan.fixes.every(isFixReady);
}

export function isFixReady(fix: PackageFix): boolean {
  return (
    (fix.action === 'upgrade' || fix.action === 'downgrade') &&
    fix.confirmed &&
    (fix.edits.length > 0 || fix.alreadyRequired === true) &&
    fix.unplaced === undefined &&
    fix.conflicts.length === 0
  );
}

/** What a manifest editor is asked to write for one package. */
export interface FixIntent {
  pkg: BlockingPackage;
  version: string;
  /** `raise`: a lower bound at the fix; `pin`: exactly the fix (a malicious release's last clean one). */
  mode: 'raise' | 'pin';
}

/** What one manifest file did for one package. */
export interface FileOutcome {
  edits: ManifestEdit[];
  conflicts: Conflict[];
  unplaced: string[];
  /** The file declares the package (whether or not it could be edited). */
  declared: boolean;
}

export function emptyOutcome(): FileOutcome {
  return { edits: [], conflicts: [], unplaced: [], declared: false };
}

/** One manifest that can take constraints: asked first whether it declares a package, then to write. */
export interface ManifestEditor {
  file: string;
  /** The file's text as read. */
  text: string;
  /** How the lock is re-solved after this manifest changes. */
  relock: 'pixi' | 'conda' | 'rebuild';
  declares(pkg: BlockingPackage): boolean;
  /** `add`: the package is declared nowhere, and this manifest is where it goes. */
  apply(requests: readonly { intent: FixIntent; add: boolean }[]): Promise<AppliedEdits>;
}

export interface AppliedEdits {
  text: string;
  outcomes: Map<FixIntent, FileOutcome>;
}
