/**
 * Where the threat-intel store lives by default: `CVEBUILD_DB`, else the user's cache directory
 * (XDG on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows).
 */
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

export const STORE_FILE_NAME = 'intel.sqlite';

export interface PathContext {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  home: string;
}

function currentContext(): PathContext {
  return { env: process.env, platform: process.platform, home: homedir() };
}

/** The store path used when no `--db` is given. */
export function defaultStorePath(context: PathContext = currentContext()): string {
  const fromEnv = context.env.CVEBUILD_DB;
  if (fromEnv) return fromEnv;
  const path = context.platform === 'win32' ? win32 : posix;
  return path.join(userCacheDirectory(context), 'cvebuild', STORE_FILE_NAME);
}

/** cvebuild's cache directory (lookups such as PyPI upload times live here). */
export function defaultCacheDirectory(context: PathContext = currentContext()): string {
  const fromEnv = context.env.CVEBUILD_CACHE_DIR;
  if (fromEnv) return fromEnv;
  const path = context.platform === 'win32' ? win32 : posix;
  return path.join(userCacheDirectory(context), 'cvebuild');
}

/** `--db FILE` when given, else the default. */
export function resolveStorePath(explicit: string | undefined, context?: PathContext): string {
  return explicit || defaultStorePath(context);
}

function userCacheDirectory({ env, platform, home }: PathContext): string {
  if (platform === 'win32') return env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local');
  if (platform === 'darwin') return posix.join(home, 'Library', 'Caches');
  return env.XDG_CACHE_HOME || posix.join(home, '.cache');
}
