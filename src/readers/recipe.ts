// The recipe readers: rattler-build `recipe.yaml` and conda-build `meta.yaml` (implemented in ./recipe/).
export { condaBuildRecipeReader } from './recipe/conda-build.ts';
export { rattlerRecipeReader } from './recipe/rattler.ts';
