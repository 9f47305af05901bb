/**
 * pixi.lock `environments:` (and v7 `platforms:`): which records each environment installs on
 * each platform. Selectors are resolved against the records; the result is one `Environment`
 * per lock environment, with `Package`s placed on the platform's real subdir.
 */
import type { Environment, ExcludeNewerSetting, PlatformPackages } from '../../model/inventory.ts';
import type { Package } from '../../model/package.ts';
import { artifactKey } from '../../model/package.ts';
import { normalizeChannel } from '../conda-url.ts';
import {
  child,
  type Dict,
  describeType,
  expectDict,
  expectList,
  type FieldContext,
  fail,
  optString,
  optStringList,
} from '../fields.ts';
import { isKnownSubdir } from '../platforms.ts';
import type { LockRecord } from './records.ts';

const PYPI_DEFAULT_INDEX = 'https://pypi.org/simple';

export interface PlatformDeclaration {
  name: string;
  subdir: string;
  virtualPackages: string[];
}

/** v7 top-level `platforms:`; earlier versions use subdirs directly as keys. */
export function parsePlatformDeclarations(value: unknown, ctx: FieldContext): Map<string, PlatformDeclaration> {
  const declarations = new Map<string, PlatformDeclaration>();
  expectList(value, ctx).forEach((entry, index) => {
    const entryCtx = child(ctx, index);
    const dict = expectDict(entry, entryCtx);
    const name = optString(dict, 'name', entryCtx);
    if (!name) fail(entryCtx, 'name', 'required field is missing');
    if (declarations.has(name)) fail(entryCtx, 'name', `duplicate platform name ${JSON.stringify(name)}`);
    const subdir = optString(dict, 'subdir', entryCtx) ?? name;
    if (!isKnownSubdir(subdir) || subdir === 'noarch') {
      const key = dict.subdir === undefined ? 'name' : 'subdir';
      fail(entryCtx, key, `${JSON.stringify(subdir)} is not a conda platform`);
    }
    const virtualPackages = optStringList(dict, 'virtual-packages', entryCtx) ?? [];
    declarations.set(name, { name, subdir, virtualPackages });
  });
  return declarations;
}

/** Finds the record an environment selector points at. */
export class RecordIndex {
  private readonly byKey = new Map<string, LockRecord[]>();
  readonly used = new Set<LockRecord>();

  constructor(records: LockRecord[]) {
    for (const record of records) {
      const key = indexKey(record.template.ecosystem, record.selectorKey, record.template.kind === 'source-build');
      const list = this.byKey.get(key);
      if (list) list.push(record);
      else this.byKey.set(key, [record]);
    }
  }

  resolve(selector: Dict, subdir: string, ctx: FieldContext): LockRecord {
    const { ecosystem, key, isSource } = selectorTarget(selector, ctx);
    const candidates =
      this.byKey.get(indexKey(ecosystem, key, isSource)) ??
      // v6 conda source checkouts use the plain `conda:` key too
      (ecosystem === 'conda' && !isSource ? this.byKey.get(indexKey(ecosystem, key, true)) : undefined);
    if (!candidates?.length) {
      fail(ctx, undefined, `refers to ${ecosystem} package ${JSON.stringify(key)}, which is not in \`packages\``);
    }
    const chosen = candidates.length === 1 ? candidates[0] : disambiguate(candidates, selector, subdir, ctx);
    if (!chosen) fail(ctx, undefined, `no record of ${JSON.stringify(key)} matches this selector`);
    this.used.add(chosen);
    return chosen;
  }
}

function indexKey(ecosystem: string, key: string, isSource: boolean): string {
  return `${ecosystem}\u0000${isSource ? 'source' : 'binary'}\u0000${key}`;
}

function selectorTarget(selector: Dict, ctx: FieldContext): { ecosystem: 'conda' | 'pypi'; key: string; isSource: boolean } {
  for (const [field, ecosystem, isSource] of [
    ['conda', 'conda', false],
    ['conda_source', 'conda', true],
    ['pypi', 'pypi', false],
  ] as const) {
    const value = selector[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !value) fail(ctx, field, `expected a location, found ${describeType(value)}`);
    return { ecosystem, key: value, isSource };
  }
  return fail(ctx, undefined, 'selector has none of the keys `conda`, `conda_source`, `pypi`');
}

/** v6 writes `name`/`version`/`build`/`subdir` next to a location shared by several records. */
function disambiguate(candidates: LockRecord[], selector: Dict, subdir: string, ctx: FieldContext): LockRecord | undefined {
  const wanted = {
    name: optString(selector, 'name', ctx),
    version: optString(selector, 'version', ctx),
    build: optString(selector, 'build', ctx),
    subdir: optString(selector, 'subdir', ctx),
  };
  const matching = candidates.filter(
    ({ template }) =>
      (wanted.name === undefined || template.name === wanted.name) &&
      (wanted.version === undefined || template.version === wanted.version) &&
      (wanted.build === undefined || template.build === wanted.build) &&
      (wanted.subdir === undefined || template.subdir === wanted.subdir),
  );
  return matching.find((record) => record.template.subdir === subdir) ?? matching[0];
}

export interface EnvironmentParseOptions {
  version: number;
  platforms?: Map<string, PlatformDeclaration>;
  records: RecordIndex;
}

export function parseEnvironment(name: string, value: unknown, options: EnvironmentParseOptions, ctx: FieldContext): Environment {
  const env = expectDict(value, ctx);
  const channels = parseChannels(env.channels, child(ctx, 'channels'));
  const indexes = (optStringList(env, 'indexes', ctx) ?? []).map((url) => url.replace(/\/+$/, ''));
  const { options: solverOptions, excludeNewer } = parseOptions(env.options, child(ctx, 'options'));
  const packagesCtx = child(ctx, 'packages');
  const byPlatform = env.packages === undefined || env.packages === null ? {} : expectDict(env.packages, packagesCtx);
  const platforms: PlatformPackages[] = [];
  for (const [platformKey, selectors] of Object.entries(byPlatform)) {
    const platformCtx = child(packagesCtx, platformKey);
    const declaration = resolvePlatform(platformKey, options, platformCtx);
    const placed = new Map<string, Package>();
    expectList(selectors, platformCtx).forEach((selector, index) => {
      const selectorCtx = child(platformCtx, index);
      const record = options.records.resolve(expectDict(selector, selectorCtx), declaration.subdir, selectorCtx);
      place(placed, record, false, name, declaration.subdir, indexes);
      for (const buildSelector of record.buildSelectors) {
        const buildRecord = options.records.resolve(buildSelector, declaration.subdir, selectorCtx);
        place(placed, buildRecord, true, name, declaration.subdir, indexes);
      }
    });
    platforms.push({
      name: declaration.name,
      subdir: declaration.subdir,
      virtualPackages: declaration.virtualPackages,
      packages: [...placed.values()],
    });
  }
  return { name, channels, indexes, platforms, options: solverOptions, excludeNewer };
}

function place(
  placed: Map<string, Package>,
  record: LockRecord,
  buildOnly: boolean,
  environment: string,
  subdir: string,
  indexes: string[],
): void {
  const template = record.template;
  const pkg: Package = {
    ...template,
    platform: subdir,
    environments: [environment],
    index:
      template.ecosystem === 'pypi' && template.kind === 'registry'
        ? (template.index ?? indexes[0] ?? PYPI_DEFAULT_INDEX)
        : template.index,
  };
  if (buildOnly) pkg.buildOnly = true;
  const key = artifactKey(pkg);
  const existing = placed.get(key);
  if (!existing) placed.set(key, pkg);
  else if (!buildOnly) delete existing.buildOnly;
}

function resolvePlatform(key: string, options: EnvironmentParseOptions, ctx: FieldContext): PlatformDeclaration {
  if (options.platforms) {
    const declared = options.platforms.get(key);
    if (!declared) fail(ctx, undefined, `platform ${JSON.stringify(key)} is not declared in the top-level \`platforms\``);
    return declared;
  }
  if (!isKnownSubdir(key) || key === 'noarch') fail(ctx, undefined, `${JSON.stringify(key)} is not a conda platform`);
  return { name: key, subdir: key, virtualPackages: [] };
}

/** `- url: ...` entries (v4+), or bare channel names in old files. */
function parseChannels(value: unknown, ctx: FieldContext): string[] {
  if (value === undefined || value === null) return [];
  return expectList(value, ctx).map((entry, index) => {
    if (typeof entry === 'string') return normalizeChannel(entry);
    const entryCtx = child(ctx, index);
    const url = optString(expectDict(entry, entryCtx), 'url', entryCtx);
    if (!url) fail(entryCtx, 'url', 'required field is missing');
    return normalizeChannel(url);
  });
}

function parseOptions(value: unknown, ctx: FieldContext): { options: Record<string, string>; excludeNewer?: ExcludeNewerSetting } {
  if (value === undefined || value === null) return { options: {} };
  const dict = expectDict(value, ctx);
  const options: Record<string, string> = {};
  for (const key of Object.keys(dict)) {
    const text = optString(dict, key, ctx);
    if (text !== undefined) options[key] = text;
  }
  const cutoff = options['exclude-newer'];
  return { options, excludeNewer: cutoff ? { value: cutoff, origin: { file: ctx.file, line: ctx.line } } : undefined };
}
