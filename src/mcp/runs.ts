/**
 * Runs the server has made, by handle: a scan returns its handle and counts, and `get_findings`,
 * `final_report` and the report resources read the rest from here. Handles are server-minted and
 * unguessable; the store keeps the most recent runs only, so a long-lived server's memory is bounded.
 */
import { randomBytes } from 'node:crypto';
import type { EngineResult } from '../engine/engine.ts';
import type { Finding } from '../model/finding.ts';

export type ToolVerdict = 'PASS' | 'HOLD' | 'FAIL';

/** A model-raised hold: the only way model output reaches a verdict, and it can only raise it. */
export interface Escalation {
  reason: string;
  findings: string[];
}

export interface StoredRun {
  id: string;
  tool: string;
  /** What was looked at, as given, and the sha256 of the bytes judged. */
  target: string;
  digest: string;
  result: EngineResult;
  /** Findings in report order; their ids (`F1`…) are positions in this list. */
  findings: Finding[];
  verdict: ToolVerdict;
  escalations: Escalation[];
  createdAt: Date;
}

export const MAX_RUNS = 64;

export class RunStore {
  private readonly runs = new Map<string, StoredRun>();

  add(run: Omit<StoredRun, 'id'>): StoredRun {
    const stored = { id: `run-${randomBytes(9).toString('base64url')}`, ...run };
    this.runs.set(stored.id, stored);
    for (const id of this.runs.keys()) {
      if (this.runs.size <= MAX_RUNS) break;
      this.runs.delete(id);
    }
    return stored;
  }

  get(id: string): StoredRun | undefined {
    return this.runs.get(id);
  }

  list(): StoredRun[] {
    return [...this.runs.values()];
  }
}

export function findingId(index: number): string {
  return `F${index + 1}`;
}

export function findingIndex(id: string): number | undefined {
  const match = /^F([1-9]\d*)$/.exec(id);
  return match ? Number(match[1]) - 1 : undefined;
}

/** PASS < HOLD < FAIL: the deterministic outcome, raised to HOLD by an escalation, never lowered. */
export function toolVerdict(result: EngineResult, escalations: readonly Escalation[]): ToolVerdict {
  if (result.verdict.outcome === 'fail') return 'FAIL';
  return escalations.length > 0 ? 'HOLD' : 'PASS';
}
