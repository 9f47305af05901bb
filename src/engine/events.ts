/**
 * Progress of an engine run, for front doors that show it (a proxy's log, an agent's status, a
 * progress bar): the run starts, each check starts and ends, the run ends. Events are sent in
 * that order, synchronously, from the run itself.
 */

/** How one check's part of a run went. */
export type CheckStatus = 'ok' | 'failed' | 'skipped' | 'aborted';

export type EngineEvent =
  | { type: 'run-start'; packages: number; checks: number }
  | { type: 'check-start'; id: string; index: number; total: number }
  | {
      type: 'check-end';
      id: string;
      index: number;
      total: number;
      status: CheckStatus;
      ms: number;
      /** Findings the check reported (before the policy). */
      findings: number;
      /** Why it was skipped, how it ran (offline), or the error it failed with. */
      reason?: string;
    }
  | { type: 'run-end'; packages: number; findings: number; outcome: 'pass' | 'fail'; ms: number };

export type EventListener = (event: EngineEvent) => void;
