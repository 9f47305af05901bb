/**
 * The judge's decisions for one view build, collected over a subdir's records in batches (a
 * conda-forge subdir holds ~450k records: one batch would hold every Package at once). Decisions
 * are kept per build (file name without extension), so a blocked `.conda` also withholds its
 * `.tar.bz2` twin, which clients would otherwise pick instead.
 */
import type { Package } from '../../model/package.ts';
import type { BlockReason, Judge, JudgeScope } from '../types.ts';
import { buildStem, type PackageOutcome } from './package.ts';

const BATCH = 20_000;

/** The judge threw: the proxy refuses to serve rather than serve unjudged records. */
export class JudgeUnavailable extends Error {}

/** The judge's version moved while a view was built from several batches: build it again. */
export class JudgeVersionMoved extends Error {}

export interface Decisions {
  version: string;
  /** Withheld builds (file name without extension) and why. */
  blocked: Map<string, BlockReason[]>;
}

export class DecisionCollector {
  private readonly judge: Judge;
  private readonly scope: JudgeScope;
  private readonly blocked = new Map<string, BlockReason[]>();
  private readonly versions = new Set<string>();
  private batch: { stem: string; pkg: Package }[] = [];

  constructor(judge: Judge, scope: JudgeScope) {
    this.judge = judge;
    this.scope = scope;
  }

  async add(filename: string, outcome: PackageOutcome): Promise<void> {
    const stem = buildStem(filename);
    if (!outcome.ok) {
      this.block(stem, [{ source: 'proxy', id: 'invalid-record', message: `${filename}: ${outcome.reason}` }]);
      return;
    }
    this.batch.push({ stem, pkg: outcome.pkg });
    if (this.batch.length >= BATCH) await this.flush();
  }

  /** Judges what was added so far: the decisions up to here (for building in chunks). */
  async decisionsSoFar(): Promise<Decisions> {
    await this.flush();
    return { version: [...this.versions][0] ?? '', blocked: this.blocked };
  }

  async finish(): Promise<Decisions> {
    await this.flush();
    if (this.versions.size === 0) this.versions.add(await judgeVersion(this.judge, this.scope.upstream));
    if (this.versions.size > 1) throw new JudgeVersionMoved('the policy changed while the view was built');
    return { version: [...this.versions][0] as string, blocked: this.blocked };
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    let judgement: Awaited<ReturnType<Judge['judge']>>;
    try {
      judgement = await this.judge.judge(
        batch.map((item) => item.pkg),
        this.scope,
      );
    } catch (error) {
      throw new JudgeUnavailable(`the judge could not decide: ${(error as Error).message ?? String(error)}`);
    }
    this.versions.add(judgement.version);
    for (const { stem, pkg } of batch) {
      const reasons = judgement.blocked.get(pkg);
      if (reasons)
        this.block(stem, reasons.length ? reasons : [{ source: 'policy', id: 'blocked', message: 'blocked' }]);
    }
  }

  private block(stem: string, reasons: BlockReason[]): void {
    const known = this.blocked.get(stem);
    if (!known) {
      this.blocked.set(stem, reasons);
      return;
    }
    // a build's twins are usually blocked for the same reasons: keep each reason once
    const seen = new Set(known.map((reason) => `${reason.source}\0${reason.id}`));
    this.blocked.set(stem, [...known, ...reasons.filter((reason) => !seen.has(`${reason.source}\0${reason.id}`))]);
  }
}

export async function judgeVersion(judge: Judge, upstream: string): Promise<string> {
  try {
    return await judge.version(upstream);
  } catch (error) {
    throw new JudgeUnavailable(`the judge could not tell its version: ${(error as Error).message ?? String(error)}`);
  }
}
