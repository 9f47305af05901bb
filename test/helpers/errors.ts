/** Assertions on the errors cvebuild raises for bad input. */
import assert from 'node:assert/strict';
import { CvebuildError, type ErrorCode } from '../../src/errors.ts';

export function assertCvebuildError(
  fn: () => unknown,
  code: ErrorCode,
  ...fragments: (string | RegExp)[]
): CvebuildError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CvebuildError, `expected a CvebuildError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `code of: ${caught.toLine()}`);
  const line = caught.toLine();
  assert.ok(!line.includes('\n'), 'error message must be one line');
  for (const fragment of fragments) {
    if (typeof fragment === 'string') assert.ok(line.includes(fragment), `"${line}" should mention "${fragment}"`);
    else assert.match(line, fragment);
  }
  return caught;
}

/** `assertCvebuildError` for work that may be asynchronous (a Promise rejects, or the call throws). */
export async function assertCvebuildErrorAsync(
  fn: () => unknown,
  code: ErrorCode,
  ...fragments: (string | RegExp)[]
): Promise<CvebuildError> {
  let outcome: { error: unknown } | undefined;
  try {
    await fn();
  } catch (error) {
    outcome = { error };
  }
  return assertCvebuildError(
    () => {
      if (outcome) throw outcome.error;
    },
    code,
    ...fragments,
  );
}
