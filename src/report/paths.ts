// Report files name inputs relative to the project root, with forward slashes, on every OS.
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** `file` relative to `root` with `/` separators, or undefined when it lies outside `root`. */
export function pathWithinRoot(root: string, file: string): string | undefined {
  const path = relative(resolve(root), resolve(root, file));
  if (path === '' || path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path)) return undefined;
  return path.split(sep).join('/');
}
