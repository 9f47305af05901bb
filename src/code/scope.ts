/**
 * One walk of the project tree per audit run: the SAST and secrets checks both need the file list,
 * and with the same exclusions they share it instead of reading the tree twice.
 */
import type { CheckContext, CodeScanSettings } from '../checks/check.ts';
import { type WalkResult, walkCode } from './walk.ts';

const walks = new WeakMap<CheckContext, Map<string, WalkResult>>();

export function walkForCheck(context: CheckContext, root: string, settings: CodeScanSettings): WalkResult {
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
