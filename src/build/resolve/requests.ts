/**
 * What to ask the solver for: the recipe's build, host and run requirements as MatchSpec strings,
 * one environment each, with the recipe's platform conditions (`if: win`, `# [unix]`) decided for
 * the platform solved for. A condition that depends on something else (a variant such as
 * `cuda_compiler_version`, the Python version of a conda-build selector) cannot be decided here:
 * that requirement is left out of the solve and named, never guessed at.
 *
 * The strings are rebuilt from the parsed name, version and build only, in a character set
 * rattler's parser accepts: a channel inside a spec (`conda-forge::x`, `[channel=…]`) makes
 * rattler's WebAssembly build panic (it looks for a current directory it does not have), so a
 * requirement that names a channel is solved by name and its record's channel checked afterwards.
 */
import { matchChannel } from '../../conda/channels.ts';
import { CvebuildError } from '../../errors.ts';
import type { DeclaredDependency, ManifestSettings } from '../../model/inventory.ts';
import { TemplateBudget } from '../../readers/recipe/budget.ts';
import { evaluate, isTruthy, isUnresolved, type Value } from '../../readers/recipe/expression.ts';
import { parseTag } from '../../readers/recipe/template.ts';
import { archOf } from './platforms.ts';

export const ENVIRONMENT_NAMES = ['build', 'host', 'run'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export interface RequestedSpec {
  /** What rattler is given: `name version build`. */
  spec: string;
  /** As the recipe wrote it, for messages. */
  written: string;
  dependency: DeclaredDependency;
  /** The configured channel the record must come from, when the requirement names one. */
  channel?: string;
}

export interface EnvironmentRequest {
  name: EnvironmentName;
  platform: string;
  specs: RequestedSpec[];
}

export interface LeftOut {
  environment: EnvironmentName;
  requirement: string;
  reason: string;
}

export interface SolveRequests {
  environments: EnvironmentRequest[];
  leftOut: LeftOut[];
}

const CONDA_NAME = /^[a-z0-9_][a-z0-9_.+-]*$/i;
const VERSION_SPEC = /^[0-9A-Za-z_.*+!<>=,|~()-]+$/;
const BUILD_GLOB = /^[0-9A-Za-z_.*+!-]+$/;
const TEMPLATE = /\{\{|\{%|\$\{\{/;

export interface RequestOptions {
  manifest: ManifestSettings;
  buildPlatform: string;
  hostPlatform: string;
  channels: readonly string[];
}

export function solveRequests(options: RequestOptions): SolveRequests {
  const { manifest, buildPlatform, hostPlatform, channels } = options;
  const own = new Set(manifest.recipeOutputs.map((output) => output.name.toLowerCase()));
  const scope = conditionScope(hostPlatform, buildPlatform);
  const environments: EnvironmentRequest[] = ENVIRONMENT_NAMES.map((name) => ({
    name,
    platform: name === 'build' ? buildPlatform : hostPlatform,
    specs: [],
  }));
  const leftOut: LeftOut[] = [];
  for (const dependency of manifest.dependencies) {
    const environment = environments.find((candidate) => candidate.name === dependency.scope);
    if (dependency.ecosystem !== 'conda' || !environment) continue;
    // another output of the same recipe is built here, not fetched
    if (own.has(dependency.normalizedName)) continue;
    const written = writtenSpec(dependency);
    const leave = (reason: string) => leftOut.push({ environment: environment.name, requirement: written, reason });
    if (dependency.condition !== undefined) {
      const decided = decide(dependency.condition, scope);
      if (decided === false) continue;
      if (decided === undefined) {
        leave(`its condition (${dependency.condition}) depends on more than the platform`);
        continue;
      }
    }
    if (dependency.reference !== undefined) {
      leave('a package archive named by URL or path, not by name');
      continue;
    }
    if ([dependency.name, dependency.spec, dependency.build ?? ''].some((part) => TEMPLATE.test(part))) {
      leave('a template the reader could not render');
      continue;
    }
    const requested: RequestedSpec = { spec: matchSpecText(dependency), written, dependency };
    if (dependency.channel !== undefined) requested.channel = configuredChannel(dependency, written, channels);
    environment.specs.push(requested);
  }
  return { environments, leftOut };
}

export function writtenSpec(dependency: DeclaredDependency): string {
  const channel = dependency.channel ? `${dependency.channel}::` : '';
  return [`${channel}${dependency.name}`, dependency.spec, dependency.build].filter(Boolean).join(' ');
}

function matchSpecText(dependency: DeclaredDependency): string {
  const { name, spec, build } = dependency;
  const bad = !CONDA_NAME.test(name)
    ? `not a package name: ${JSON.stringify(name)}`
    : spec !== '' && !VERSION_SPEC.test(spec)
      ? `not a version spec: ${JSON.stringify(spec)}`
      : build !== undefined && !BUILD_GLOB.test(build)
        ? `not a build string: ${JSON.stringify(build)}`
        : undefined;
  if (bad)
    throw new CvebuildError('RECIPE_INVALID', `requirements.${dependency.scope}: ${bad}`, {
      file: dependency.origin.file,
      ...(dependency.origin.line ? { line: dependency.origin.line } : {}),
    });
  // a build string needs a version before it; `*` is any version
  return [name, spec || (build ? '*' : ''), build ?? ''].filter(Boolean).join(' ');
}

function configuredChannel(dependency: DeclaredDependency, written: string, channels: readonly string[]): string {
  const wanted = dependency.channel ?? '';
  const found = channels.find((channel) => matchChannel(channel, wanted) !== undefined);
  if (found) return found;
  throw new CvebuildError(
    'SOLVE_FAILED',
    `requirements.${dependency.scope}: "${written}" names the channel ${wanted}, which is not among the channels solved against (${channels.join(', ')})`,
    { file: dependency.origin.file, ...(dependency.origin.line ? { line: dependency.origin.line } : {}) },
  );
}

/** True or false when the platform decides the condition; undefined when something else does. */
export function decide(condition: string, scope: ReadonlyMap<string, Value>): boolean | undefined {
  try {
    const budget = new TemplateBudget();
    const node = parseTag(condition, budget);
    const value = node ? evaluate(node, scope, budget) : undefined;
    return value === undefined || isUnresolved(value) ? undefined : isTruthy(value);
  } catch {
    return undefined;
  }
}

const ARCHS = ['x86', 'x86_64', 'aarch64', 'arm64', 'ppc64le', 's390x', 'armv6l', 'armv7l', 'riscv64', 'wasm32'];

/**
 * The variables platform conditions use: rattler-build's (`target_platform`, `build_platform`,
 * `linux`, `osx`, `win`, `unix`) and conda-build's selectors (`linux64`, `win32`, `x86_64`, …).
 */
export function conditionScope(platform: string, build: string): ReadonlyMap<string, Value> {
  const os = platform.slice(0, platform.indexOf('-'));
  const arch = archOf(platform);
  const scope = new Map<string, Value>([
    ['target_platform', platform],
    ['host_platform', platform],
    ['build_platform', build],
    ['linux', os === 'linux'],
    ['osx', os === 'osx'],
    ['win', os === 'win'],
    ['unix', os === 'linux' || os === 'osx' || os === 'freebsd'],
    ['emscripten', os === 'emscripten'],
    ['wasi', os === 'wasi'],
  ]);
  for (const name of ARCHS) scope.set(name, arch === name);
  scope.set('x86', arch === 'x86' || arch === 'x86_64');
  for (const family of ['linux', 'win', 'osx'])
    for (const bits of ['32', '64']) scope.set(`${family}${bits}`, platform === `${family}-${bits}`);
  return scope;
}
