/**
 * What every tool call shares, for the life of the server: one engine (its threat data opened once,
 * checked for freshness on every run), the root that tool paths must stay inside, and the runs made
 * so far. Tools ask the host to scan; the host reads the project as the CLI does, folds nothing
 * into the policy but the project's own file, and runs the engine's checks with the call's signal.
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { projectDirectory, projectRootOf } from '../cli/project-root.ts';
import { createEngine, type Engine } from '../engine/engine.ts';
import type { EngineEvent } from '../engine/events.ts';
import { readProjectInventory } from '../engine/read-project.ts';
import { CvebuildError } from '../errors.ts';
import { type OpenedIntel, openIntelStore } from '../intel/open.ts';
import { emptyInventory, type Inventory } from '../model/inventory.ts';
import { loadPolicy } from '../policy/load.ts';
import type { Policy } from '../policy/policy.ts';
import { type Escalation, RunStore, type StoredRun, toolVerdict } from './runs.ts';

export interface HostOptions {
  /** Tool paths must resolve inside this directory (default: the working directory). */
  root?: string;
  /** The threat-intel store (default: `$CVEBUILD_DB` or the user cache). */
  db?: string;
  /** No network lookups in any run. */
  offline?: boolean;
  /** Whether build, sign and publish exist at all. */
  allowSideEffects?: boolean;
  /** What runs consider "now" (tests). */
  clock?: () => Date;
}

/** How a tool call reports and is stopped: the SDK's progress and cancellation, behind the adapter. */
export interface CallControl {
  signal: AbortSignal;
  progress(done: number, total: number, message: string): void;
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
  readonly allowSideEffects: boolean;
  private readonly engine: Engine;
  private readonly offline: boolean;
  private readonly db: string | undefined;
  private opening: Promise<OpenedIntel> | undefined;

  constructor(options: HostOptions = {}) {
    this.root = realpathSync(resolve(options.root ?? process.cwd()));
    this.offline = options.offline ?? false;
    this.allowSideEffects = options.allowSideEffects ?? false;
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
    return readProjectInventory(this.resolvePath(path));
  }

  policyFor(path: string): Policy {
    return loadPolicy(this.resolvePath(path));
  }

  async scan(request: ScanRequest, control: CallControl): Promise<StoredRun> {
    const path = this.resolvePath(request.path);
    const inventory = request.packages === false ? emptyInventory() : await readProjectInventory(path);
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
    const escalations = request.escalations ?? [];
    return this.runs.add({
      tool: request.tool,
      target: request.path,
      digest: inputDigest(inventory, path),
      result,
      findings: result.findings,
      verdict: toolVerdict(result, escalations),
      escalations,
      createdAt: result.now,
    });
  }

  reportRoot(path: string): string {
    return projectRootOf(this.resolvePath(path));
  }

  close(): void {
    this.engine.close();
  }
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
