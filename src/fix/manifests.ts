/**
 * The manifests a fix may write constraints into, in the order a package none of them declares is
 * added to: pixi.toml, a pyproject.toml with pixi tables, environment.yml, a recipe. A lock named
 * directly brings the manifests of its directory. Locks are never among them.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readTextInput } from '../fs/read-input.ts';
import type { DeclaredDependency, InputFormat, Inventory } from '../model/inventory.ts';
import { detectInputs } from '../readers/detect.ts';
import { environmentYmlEditor } from './environment-yml.ts';
import { recipeEditor } from './recipe.ts';
import { pixiManifestEditor } from './toml-manifest.ts';
import type { ManifestEditor } from './types.ts';

const ORDER: readonly InputFormat[] = [
  'pixi-manifest',
  'pyproject',
  'environment-yml',
  'rattler-recipe',
  'conda-build-recipe',
];

export interface ProjectManifests {
  editors: ManifestEditor[];
  /** What the manifests declare, with the lines they declare it on. */
  declared: readonly DeclaredDependency[];
}

export function projectManifests(path: string, inventory: Inventory): ProjectManifests {
  let manifests = inventory.sources.filter((source) => ORDER.includes(source.format));
  let declared: readonly DeclaredDependency[] = inventory.manifest.dependencies;
  if (manifests.length === 0 && statSync(path, { throwIfNoEntry: false })?.isFile()) {
    const outputs = detectInputs(dirname(resolve(path)))
      .filter(({ reader }) => ORDER.includes(reader.format))
      .map(({ path: input, reader }) => reader.read(input));
    manifests = outputs.map((output) => output.source);
    declared = outputs.flatMap((output) => output.manifest?.dependencies ?? []);
  }
  const pixi = manifests.some((source) => source.format === 'pixi-manifest' || source.format === 'pyproject');
  const editors = [...manifests]
    .sort((a, b) => ORDER.indexOf(a.format) - ORDER.indexOf(b.format))
    .map((source): ManifestEditor => {
      const text = readTextInput(source.path);
      switch (source.format) {
        case 'pixi-manifest':
          return pixiManifestEditor(source.path, text, false);
        case 'pyproject':
          return pixiManifestEditor(source.path, text, true);
        case 'environment-yml':
          return environmentYmlEditor(source.path, text, declared, pixi ? 'pixi' : 'conda');
        default:
          return recipeEditor(source.path, text, declared);
      }
    });
  return { editors, declared };
}
