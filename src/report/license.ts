/**
 * A package's declared license as SBOMs need it: a valid SPDX expression when the text is one
 * (conda-forge mostly writes SPDX), else the text as a name. Placeholders that mean "not recorded"
 * (`None`, `NOASSERTION`, `unknown`) count as no license at all.
 */
import parseSpdx from 'spdx-expression-parse';

export type DeclaredLicense =
  | { kind: 'expression'; expression: string; licenseRefs: string[]; single: boolean }
  | { kind: 'name'; name: string };

const NOT_RECORDED = new Set(['', 'none', 'noassertion', 'unknown', 'n/a', 'null']);

export function declaredLicense(text: string | undefined): DeclaredLicense | undefined {
  const trimmed = text?.replace(/\s+/g, ' ').trim() ?? '';
  if (NOT_RECORDED.has(trimmed.toLowerCase())) return undefined;
  let tree: parseSpdx.Info;
  try {
    tree = parseSpdx(trimmed);
  } catch {
    return { kind: 'name', name: trimmed };
  }
  const leaves = leavesOf(tree);
  // A reference into another SPDX document cannot be resolved from a package's metadata.
  if (leaves.some((leaf) => leaf.license.startsWith('DocumentRef-'))) return { kind: 'name', name: trimmed };
  return {
    kind: 'expression',
    expression: trimmed,
    licenseRefs: [...new Set(leaves.map((leaf) => leaf.license).filter((id) => id.startsWith('LicenseRef-')))].sort(),
    single: 'license' in tree && !tree.exception && !tree.plus,
  };
}

function leavesOf(tree: parseSpdx.Info): parseSpdx.LicenseInfo[] {
  return 'license' in tree ? [tree] : [...leavesOf(tree.left), ...leavesOf(tree.right)];
}
