/** The SAST engine's public surface: rule metadata for SARIF help, and the scanners. */
import { SAST_RULE_INFO, type SastRuleInfo } from './rules.ts';

export type { ExternalEngine, ExternalOptions, ExternalResult } from './external.ts';
export { mergeHits, parseBanditJson, parseSemgrepJson, runExternal } from './external.ts';
export type { PythonScan, SkippedFile } from './python.ts';
export { ensurePythonLanguage, scanPython } from './python.ts';
export { recipeFilesOf, scanRecipeFiles } from './recipe.ts';
export type { SastRuleInfo } from './rules.ts';

/** Every rule of both packs (id, title, help, CWE, OWASP, severity…), for SARIF `rules[]`. */
export const SAST_RULES: readonly SastRuleInfo[] = SAST_RULE_INFO;
