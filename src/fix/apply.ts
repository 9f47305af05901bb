/**
 * `--apply`: the files a plan changes, written as planned. Each is read again first: a manifest
 * edited since it was read is refused rather than overwritten with a plan made from older text.
 * Locks are never in a plan's files.
 */
import { CvebuildError } from '../errors.ts';
import { writeOutputFile } from '../fs/output-file.ts';
import { readTextInput } from '../fs/read-input.ts';
import type { FixPlan } from './types.ts';

export function applyPlan(plan: FixPlan, project: string): FixPlan {
  for (const change of plan.files) {
    if (readTextInput(change.file) !== change.before) {
      throw new CvebuildError('OUTPUT_REFUSED', 'the file changed while the fix was planned; run cvebuild fix again', {
        file: change.file,
      });
    }
  }
  for (const change of plan.files) {
    writeOutputFile(change.file, change.after, { replacing: change.file, untrusted: [project] });
  }
  return { ...plan, applied: true };
}
