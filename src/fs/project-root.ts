/**
 * The directory report file paths are relative to. SARIF locations must be relative to the
 * repository root for GitHub code scanning to place them, so: the enclosing git work tree, else
 * the current directory when the project is inside it, else the project directory itself.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

export function projectRootOf(path: string): string {
  const project = projectDirectory(path);
  for (let dir = project; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) break;
  }
  const cwd = process.cwd();
  const inside = relative(cwd, project);
  return inside.startsWith('..') || isAbsolute(inside) ? project : cwd;
}

/** The directory a project path names: itself, or the directory of a file such as pixi.lock. */
export function projectDirectory(path: string): string {
  const absolute = resolve(path);
  try {
    return statSync(absolute).isDirectory() ? absolute : dirname(absolute);
  } catch {
    return dirname(absolute);
  }
}
