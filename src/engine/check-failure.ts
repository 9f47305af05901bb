/**
 * What a check that throws means for the run. Bad input (a policy value, a tree or archive that
 * cannot be read, threat data the run cannot use) stops the run with its one-line error, as it
 * always has: the user must fix it. Anything else (a bug in one check, a network error no lookup
 * caught) must neither hide the other checks' findings nor pass: the check becomes one blocking
 * `<check>/not-checked` finding naming it and its error.
 */
import type { Check } from '../checks/check.ts';
import { type ErrorCode, isCvebuildError } from '../errors.ts';
import { isSystemError } from '../fs/errors.ts';
import { type Finding, withFlags } from '../model/finding.ts';

/** Failures of the world during a check rather than of its input. */
const CHECK_FAILURES = new Set<ErrorCode>(['NETWORK', 'NOT_FOUND']);

/** Errors the run stops on (the CLI's exit 2), rather than record against the one check. */
export function stopsTheRun(error: unknown): boolean {
  if (isCvebuildError(error)) return !CHECK_FAILURES.has(error.code);
  return isSystemError(error);
}

/** `TypeError: x is undefined`: the first line, which is what a report has room for. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).split('\n', 1)[0] ?? '';
  const message = error.message.split('\n', 1)[0] ?? '';
  return error.name && error.name !== 'Error' && !isCvebuildError(error) ? `${error.name}: ${message}` : message;
}

export function checkFailedFinding(check: Pick<Check, 'id' | 'version'>, error: unknown): Finding {
  const reason = describeError(error);
  return withFlags(
    {
      check: check.id,
      checkVersion: check.version,
      rule: `${check.id}/not-checked`,
      // critical and unchecked: the verdict fails closed whatever the threshold
      severity: 'critical',
      message: `the ${check.id} check failed and checked nothing: ${reason}`,
      evidence: { reason: 'the check failed', error: reason },
      remedy: `report the error to the check's maintainers; disable the ${check.id} check in the policy only if you accept running without it`,
    },
    { unchecked: true },
  );
}
