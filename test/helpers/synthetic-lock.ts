/** Writes a small pixi.lock (v6) holding exactly the packages a test names, on linux-64. */
import { writeTemp } from './temp.ts';

export interface SyntheticPackage {
  ecosystem: 'conda' | 'pypi';
  name: string;
  version: string;
}

export function syntheticLock(packages: SyntheticPackage[]): string {
  const location = ({ ecosystem, name, version }: SyntheticPackage) =>
    ecosystem === 'conda'
      ? `https://conda.anaconda.org/conda-forge/linux-64/${name}-${version}-h0_0.conda`
      : `https://files.pythonhosted.org/packages/py3/${name[0]}/${name}/${name.replace(/-/g, '_')}-${version}-py3-none-any.whl`;
  const selectors = packages.map((pkg) => `      - ${pkg.ecosystem}: ${location(pkg)}`).join('\n');
  const records = packages
    .map((pkg) =>
      pkg.ecosystem === 'conda'
        ? `- conda: ${location(pkg)}`
        : `- pypi: ${location(pkg)}\n  name: ${pkg.name}\n  version: ${pkg.version}`,
    )
    .join('\n');
  const text = `version: 6\nenvironments:\n  default:\n    channels:\n    - url: https://conda.anaconda.org/conda-forge/\n    indexes:\n    - https://pypi.org/simple\n    packages:\n      linux-64:\n${selectors}\npackages:\n${records}\n`;
  return writeTemp('pixi.lock', text);
}
