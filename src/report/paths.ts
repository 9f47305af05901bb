// Report files name inputs relative to the project root, with forward slashes, on every OS.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { maskCredentials } from '../text/credentials.ts';

/**
 * `file` relative to `root` with `/` separators, or undefined when it lies outside `root`. The path
 * is masked first: normalising it turns `https://` into `https:/`, which the masking of the report
 * would no longer read as a URL.
 */
export function pathWithinRoot(root: string, file: string): string | undefined {
  const path = relative(resolve(root), resolve(root, maskCredentials(file)));
  if (path === '' || path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path)) return undefined;
  return path.split(sep).join('/');
}
