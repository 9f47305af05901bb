/**
 * One walk of the project tree per audit run: the SAST and secrets checks both need the file list,
 * and with the same exclusions they share it instead of reading the tree twice.
 */
import type { CodeScanSettings } from './types.ts';
import { type WalkResult, walkCode } from './walk.ts';

/** Keyed by the run (its check context): one walk per run and exclusions. */
const walks = new WeakMap<object, Map<string, WalkResult>>();

export function walkForCheck(context: object, root: string, settings: CodeScanSettings): WalkResult {
  let cache = walks.get(context);
  if (!cache) {
    cache = new Map();
    walks.set(context, cache);
  }
  const key = JSON.stringify([root, [...settings.exclude].sort(), settings.maxFileSize]);
  let result = cache.get(key);
  if (!result) {
    result = walkCode(root, { exclude: settings.exclude, maxFileSize: settings.maxFileSize });
    cache.set(key, result);
  }
  return result;
}
