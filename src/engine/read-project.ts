/**
 * Reading a project into one `Inventory`: detect the inputs, run their readers, merge the results.
 * Package archives are inputs too: a `.conda` / `.tar.bz2` file, or a directory holding archives
 * and no project files (a pkgs cache, a local channel, a build's output folder).
 */
import { statSync } from 'node:fs';
import { indexPackageDirs } from '../artifacts/package-dirs.ts';
import { CvebuildError } from '../errors.ts';
import type { Inventory } from '../model/inventory.ts';
import { detectInputs } from '../readers/detect.ts';
import { mergeOutputs } from '../readers/merge.ts';

export { filterInventory, type InventoryFilter, mergeOutputs } from '../readers/merge.ts';

export function readInventory(path: string): Inventory {
  return mergeOutputs(detectInputs(path).map(({ path: input, reader }) => reader.read(input)));
}

const isArchiveName = (path: string) => path.endsWith('.conda') || path.endsWith('.tar.bz2');

/** `readInventory`, or, for package archives, an inventory of what each archive's info/index.json says. */
export async function readProjectInventory(path: string): Promise<Inventory> {
  const archives = isArchiveName(path) && statSync(path, { throwIfNoEntry: false })?.isFile() ? [path] : undefined;
  if (archives) return archiveInventory(archives);
  try {
    return readInventory(path);
  } catch (error) {
    // a directory with no project files: the archives in it, if it holds any
    if (!(error instanceof CvebuildError) || error.code !== 'INPUT_UNRECOGNIZED') throw error;
    if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw error;
    const found = [...indexPackageDirs([path]).archives.values()].flat().sort();
    if (found.length === 0) throw error;
    return archiveInventory(found);
  }
}

async function archiveInventory(archives: string[]): Promise<Inventory> {
  const [{ readArtifactPackage }, { inventoryFromPackages }] = await Promise.all([
    import('../artifacts/artifact-package.ts'),
    import('../readers/packages.ts'),
  ]);
  const packages = [];
  for (const archive of archives) packages.push(await readArtifactPackage(archive));
  const inventory = inventoryFromPackages(packages);
  inventory.sources = archives.map((archive) => ({
    path: archive,
    format: 'conda-archive',
    records: { conda: 1, pypi: 0, condaSource: 0 },
  }));
  return inventory;
}
