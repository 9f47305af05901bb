/**
 * Files that ship with cvebuild (its manifest, `data/`), found from wherever the running code is:
 * `src/` in a checkout, `dist/` or a chunk of the bundle in an installed package. The package root
 * is the nearest directory above this module whose package.json names cvebuild.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

function packageRoot(): string {
  if (root) return root;
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cvebuild') {
      root = directory;
      return directory;
    }
    const parent = dirname(directory);
    if (parent === directory) throw new Error('cvebuild: cannot find its own package.json above its code');
    directory = parent;
  }
}

/** The text of a file shipped with the package, by its path from the package root. */
export function readPackageFile(relative: string): string {
  return readFileSync(join(packageRoot(), relative), 'utf8');
}
