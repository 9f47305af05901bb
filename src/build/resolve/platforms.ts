/**
 * The platforms a recipe is solved for and what the solver may assume about them. The build
 * environment runs on this machine (its conda subdir); host and run on the target platform, or on
 * this machine for a noarch package. rattler's `simpleSolve` knows no virtual packages, so the
 * ones a platform provides (`__glibc`, `__osx`, …) are given to it: this machine's own when it is
 * the platform solved for, otherwise conda-forge's baseline, and conda's `CONDA_OVERRIDE_*`
 * variables win over both, as they do for conda, mamba and pixi.
 */
import { release } from 'node:os';
import { CvebuildError } from '../../errors.ts';

const NODE_PLATFORMS: Record<string, string> = { linux: 'linux', darwin: 'osx', win32: 'win', freebsd: 'freebsd' };
const NODE_ARCHS: Record<string, Record<string, string>> = {
  linux: { x64: '64', ia32: '32', arm64: 'aarch64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' },
  osx: { x64: '64', arm64: 'arm64' },
  win: { x64: '64', ia32: '32', arm64: 'arm64' },
  freebsd: { x64: '64' },
};

/** This machine's conda subdir (`linux-64`, `osx-arm64`, …). */
export function buildPlatform(): string {
  const os = NODE_PLATFORMS[process.platform];
  const arch = os ? NODE_ARCHS[os]?.[process.arch] : undefined;
  if (!os || !arch)
    throw new CvebuildError(
      'USAGE',
      `cannot tell the conda platform of this machine (${process.platform} ${process.arch}): solving needs it`,
    );
  return `${os}-${arch}`;
}

/** Where host and run requirements are installed: the target, or this machine for a noarch package. */
export function hostPlatform(target: string, build: string): string {
  return target === 'noarch' ? build : target;
}

/** The microarchitecture family `__archspec` and the recipe selectors name. */
export function archOf(platform: string): string {
  const arch = platform.slice(platform.indexOf('-') + 1);
  if (arch === '64') return 'x86_64';
  if (arch === '32') return 'x86';
  return arch;
}

/** conda-forge's oldest supported releases: what a package built there may assume at the least. */
const BASELINE = { glibc: '2.17', linux: '0', osx64: '10.13', osxArm64: '11.0' };

export interface VirtualPackage {
  name: string;
  version: string;
  build: string;
}

export function virtualPackages(
  platform: string,
  build: string,
  env: NodeJS.ProcessEnv = process.env,
): VirtualPackage[] {
  const own = platform === build;
  const override = (name: string) => env[`CONDA_OVERRIDE_${name}`]?.trim() || undefined;
  const packages: VirtualPackage[] = [];
  const add = (name: string, version: string | undefined, buildString = '0') => {
    if (version) packages.push({ name, version, build: buildString });
  };
  if (platform.startsWith('linux-')) {
    add('__unix', '0');
    add('__linux', override('LINUX') ?? (own ? kernelVersion() : undefined) ?? BASELINE.linux);
    add('__glibc', override('GLIBC') ?? (own ? hostGlibc() : undefined) ?? BASELINE.glibc);
  } else if (platform.startsWith('osx-')) {
    add('__unix', '0');
    const baseline = platform === 'osx-arm64' ? BASELINE.osxArm64 : BASELINE.osx64;
    add('__osx', override('OSX') ?? baseline);
  } else if (platform.startsWith('win-')) {
    add('__win', '0');
  } else if (platform.startsWith('freebsd-')) {
    add('__unix', '0');
  }
  add('__cuda', override('CUDA'));
  if (platform !== 'noarch') add('__archspec', '1', archOf(platform));
  return packages;
}

function kernelVersion(): string | undefined {
  return /^\d+(?:\.\d+){0,2}/.exec(release())?.[0];
}

function hostGlibc(): string | undefined {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime;
}
