/**
 * What every tool call shares, for the life of the server: one engine (its threat data opened once,
 * checked for freshness on every run), the root that tool paths must stay inside, and the runs made
 * so far. Tools ask the host to scan; the host reads the project as the CLI does, folds nothing
 * into the policy but the project's own file, and runs the engine's checks with the call's signal.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { sha256File } from '../attest/sign.ts';
import { CONDA_ARTIFACT } from '../attest/statement.ts';
import { findRecipe, recipeRequirements } from '../build/recipe.ts';
import { recipeDigest } from '../build/run-dir.ts';
import type { BuilderOptions, SignOptions } from '../build/types.ts';
import { createEngine, type Engine } from '../engine/engine.ts';
import type { EngineEvent } from '../engine/events.ts';
import { readProjectInventory } from '../engine/read-project.ts';
import { CvebuildError } from '../errors.ts';
import { projectDirectory, projectRootOf } from '../fs/project-root.ts';
import { type OpenedIntel, openIntelStore } from '../intel/open.ts';
import { emptyInventory, type Inventory } from '../model/inventory.ts';
import { loadPolicy } from '../policy/load.ts';
import type { Policy } from '../policy/policy.ts';
import type { PublishTarget } from './publish.ts';
import { type Escalation, RunStore, type StoredRun, toolVerdict } from './runs.ts';

export interface HostOptions {
  /** Tool paths must resolve inside this directory (default: the working directory). */
  root?: string;
  /** The threat-intel store (default: `$CVEBUILD_DB` or the user cache). */
  db?: string;
  /** No network lookups in any run. */
  offline?: boolean;
  /** Build and sign exist only when this is given (`--allow-side-effects`): how to build and sign. */
  sideEffects?: SideEffectOptions;
  /** What runs consider "now" (tests). */
  clock?: () => Date;
}

/** How a tool call reports and is stopped: the SDK's progress and cancellation, behind the adapter. */
export interface CallControl {
  signal: AbortSignal;
  progress(done: number, total: number, message: string): void;
}

export interface SideEffectOptions {
  build: BuilderOptions;
  /** Where build runs go (inside the root or not: the operator chose it). */
  outputDir: string;
  targetPlatform: string;
  sign: SignOptions;
  /** Where `publish_artifact` uploads: a prefix.dev server and channel, and the upload token. */
  publish?: PublishTarget;
}

export interface ScanRequest {
  tool: string;
  path: string;
  /** Check ids; absent: every check the project's policy enables (the gate). */
  checks?: readonly string[];
  escalations?: Escalation[];
  /** Code checks scan the tree and read no packages: a directory without a lock is fine for them. */
  packages?: boolean;
}

export class ToolHost {
  readonly root: string;
  readonly runs = new RunStore();
  readonly sideEffects: SideEffectOptions | undefined;
  readonly engine: Engine;
  readonly clock: () => Date;
  readonly offline: boolean;
  readonly db: string | undefined;
  private opening: Promise<OpenedIntel> | undefined;

  constructor(options: HostOptions = {}) {
    this.root = realpathSync(resolve(options.root ?? process.cwd()));
    this.offline = options.offline ?? false;
    this.sideEffects = options.sideEffects;
    this.clock = options.clock ?? (() => new Date());
    this.db = options.db;
    this.engine = createEngine({
      // the engine closes what this opens, on close()
      intel: () => this.intel(),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  /** The threat data, opened once for every run and lookup; a failed opening is retried next time. */
  intel(): Promise<OpenedIntel> {
    this.opening ??= openIntelStore({ db: this.db }).catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }

  /** A path a tool was given, resolved against the root and refused when it leaves it. */
  resolvePath(path: string): string {
    const absolute = resolve(this.root, path);
    let real: string;
    try {
      real = realpathSync(absolute);
    } catch {
      throw new CvebuildError('INPUT_NOT_FOUND', 'no such file or directory', { file: path });
    }
    const inside = relative(this.root, real);
    if (inside.startsWith('..') || isAbsolute(inside))
      throw new CvebuildError('USAGE', `outside the server's root ${this.root}; only paths inside it can be scanned`, {
        file: path,
      });
    return real;
  }

  async readInventory(path: string): Promise<Inventory> {
    return this.inventoryOf(this.resolvePath(path));
  }

  /** A recipe's requirements as the build pipeline audits them; anything else as the gate reads it. */
  private async inventoryOf(resolved: string): Promise<Inventory> {
    if (isRecipeDirectory(resolved)) return recipeRequirements(findRecipe(resolved), 'noarch').inventory;
    return readProjectInventory(resolved);
  }

  policyFor(path: string): Policy {
    return loadPolicy(this.resolvePath(path));
  }

  async scan(request: ScanRequest, control: CallControl): Promise<StoredRun> {
    const path = this.resolvePath(request.path);
    const inventory = request.packages === false ? emptyInventory() : await this.inventoryOf(path);
    const policy = loadPolicy(path);
    let done = 0;
    let total = 0;
    const onEvent = (event: EngineEvent) => {
      if (event.type === 'run-start') total = event.checks;
      if (event.type === 'check-end') control.progress(++done, total, `${event.id}: ${event.status}`);
    };
    const result = await this.engine.audit(
      {
        inventory,
        policy,
        ...(request.checks ? { checks: request.checks } : {}),
        offline: this.offline,
        root: projectDirectory(path),
      },
      { signal: control.signal, onEvent },
    );
    // a cancellation that arrived while the last check finished: the run is not kept
    control.signal.throwIfAborted();
    const escalations = request.escalations ?? [];
    return this.runs.add({
      tool: request.tool,
      target: request.path,
      digest: await digestOf(path, inventory),
      result,
      findings: result.findings,
      verdict: toolVerdict(result, escalations),
      escalations,
      createdAt: result.now,
    });
  }

  /**
   * The PASS run a side effect rests on: a gate or artifact scan of this same path, whose input
   * still has the digest it was judged at (the bytes built or signed are the bytes that passed).
   */
  passingRun(runId: string, path: string, tools: readonly string[]): StoredRun {
    const run = this.runs.get(runId);
    if (!run)
      throw new CvebuildError(
        'USAGE',
        `no run ${JSON.stringify(runId)} on this server: run ${tools.join(' or ')} first`,
      );
    if (!tools.includes(run.tool))
      throw new CvebuildError('USAGE', `run ${runId} is a ${run.tool}; this needs a ${tools.join(' or ')} run`);
    if (this.resolvePath(run.target) !== this.resolvePath(path))
      throw new CvebuildError('USAGE', `run ${runId} judged ${run.target}, not this path`, { file: path });
    if (run.verdict !== 'PASS') throw new CvebuildError('USAGE', `run ${runId}'s verdict is ${run.verdict}, not PASS`);
    return run;
  }

  /** The digest of a path now, computed as a scan computes it. */
  async currentDigest(path: string): Promise<string> {
    const resolved = this.resolvePath(path);
    return await digestOf(resolved, await this.inventoryOf(resolved));
  }

  reportRoot(path: string): string {
    return projectRootOf(this.resolvePath(path));
  }

  close(): void {
    this.engine.close();
  }
}

/**
 * What a verdict is bound to: a recipe's whole directory (scripts and patches build too), a
 * package archive's own sha256, else the files the inventory was read from.
 */
export async function digestOf(path: string, inventory: Inventory): Promise<string> {
  if (
    statSync(path, { throwIfNoEntry: false })?.isDirectory() &&
    RECIPE_FILES.some((file) => existsSync(join(path, file)))
  )
    return recipeDigest(path);
  // streamed: a package archive may be gigabytes
  if (isFile(path) && CONDA_ARTIFACT.test(path)) return sha256File(path);
  return inputDigest(inventory, path);
}

const RECIPE_FILES = ['recipe.yaml', 'meta.yaml'];

function isRecipeDirectory(path: string): boolean {
  return (
    statSync(path, { throwIfNoEntry: false })?.isDirectory() === true &&
    RECIPE_FILES.some((file) => existsSync(join(path, file)))
  );
}

/** The sha256 over the files the inventory was read from (or the path itself): what a verdict is bound to. */
export function inputDigest(inventory: Inventory, path: string): string {
  const hash = createHash('sha256');
  const files = inventory.sources.map((source) => source.path).filter((file) => isFile(file));
  for (const file of (files.length > 0 ? files : isFile(path) ? [path] : []).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}
