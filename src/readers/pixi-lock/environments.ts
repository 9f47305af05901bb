/**
 * pixi.lock `environments:` (and v7 `platforms:`): which records each environment installs on
 * each platform. Selectors are resolved against the records; the result is one `Environment`
 * per lock environment, with `Package`s placed on the platform's real subdir.
 */

import { isKnownSubdir } from '../../conda/platforms.ts';
import { normalizeChannel } from '../../conda/url.ts';
import type { Environment, ExcludeNewerSetting, PlatformPackages } from '../../model/inventory.ts';
import type { Package } from '../../model/package.ts';
import {
  child,
  type Dict,
  describeType,
  expectDict,
  expectList,
  type FieldContext,
  fail,
  isDict,
  optString,
  optStringList,
} from '../fields.ts';
import type { LockRecord, Placement } from './records.ts';

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

type SelectorField = 'conda' | 'conda_source' | 'pypi';

/** Finds the record an environment selector points at. */
export class RecordIndex {
  /**
   * One map per selector key kind, keyed by the raw location (no string building per lookup). A
   * location nearly always has one record, kept as it is: a list only for the rare several.
   */
  private readonly byField: Record<SelectorField | 'conda_checkout', Map<string, LockRecord | LockRecord[]>> = {
    conda: new Map(),
    conda_source: new Map(),
    conda_checkout: new Map(),
    pypi: new Map(),
  };

  constructor(records: LockRecord[]) {
    for (const record of records) {
      const field =
        record.entryKind === 'conda' && record.template.kind === 'source-build' ? 'conda_checkout' : record.entryKind;
      const map = this.byField[field];
      const listed = map.get(record.selectorKey);
      if (listed === undefined) {
        map.set(record.selectorKey, record);
        continue;
      }
      const list = Array.isArray(listed) ? listed : [listed];
      // v4/v5 may list one artifact twice (with and without purls); rattler merges them.
      const twin = list.find((other) => sameArtifact(other, record));
      if (twin) {
        if (twin.template.purls.length === 0) {
          twin.template.purls = record.template.purls;
          twin.template.purlsKnown ||= record.template.purlsKnown;
        }
        record.used = true;
      } else {
        list.push(record);
        map.set(record.selectorKey, list);
      }
    }
  }

  /** The context is built only when something is wrong: this runs once per selector (13,802 in scipy's lock). */
  resolve(selector: unknown, subdir: string, listCtx: FieldContext, index: number): LockRecord {
    if (!isDict(selector)) {
      return fail(child(listCtx, index), undefined, `expected a mapping, found ${describeType(selector)}`);
    }
    const field: SelectorField | undefined =
      selector.conda !== undefined
        ? 'conda'
        : selector.pypi !== undefined
          ? 'pypi'
          : selector.conda_source !== undefined
            ? 'conda_source'
            : undefined;
    if (!field) {
      return fail(child(listCtx, index), undefined, 'selector has none of the keys `conda`, `conda_source`, `pypi`');
    }
    const key = selector[field];
    if (typeof key !== 'string' || !key) {
      return fail(child(listCtx, index), field, `expected a location, found ${describeType(key)}`);
    }
    // v6 conda source checkouts are selected with the plain `conda:` key too
    const candidates =
      this.byField[field].get(key) ?? (field === 'conda' ? this.byField.conda_checkout.get(key) : undefined);
    if (candidates === undefined) {
      const ecosystem = field === 'pypi' ? 'pypi' : 'conda';
      return fail(
        child(listCtx, index),
        undefined,
        `refers to ${ecosystem} package ${JSON.stringify(key)}, which is not in \`packages\``,
      );
    }
    const chosen = Array.isArray(candidates)
      ? disambiguate(candidates, selector, subdir, child(listCtx, index))
      : candidates;
    if (!chosen) {
      return fail(child(listCtx, index), undefined, `no record of ${JSON.stringify(key)} matches this selector`);
    }
    chosen.used = true;
    return chosen;
  }
}

function sameArtifact(a: LockRecord, b: LockRecord): boolean {
  const x = a.template;
  const y = b.template;
  return (
    x.name === y.name &&
    x.version === y.version &&
    x.build === y.build &&
    x.subdir === y.subdir &&
    x.sha256 === y.sha256
  );
}

/** v6 writes `name`/`version`/`build`/`subdir` next to a location shared by several records. */
function disambiguate(
  candidates: LockRecord[],
  selector: Dict,
  subdir: string,
  ctx: FieldContext,
): LockRecord | undefined {
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
  placer: PackagePlacer;
}

export function parseEnvironment(
  name: string,
  value: unknown,
  options: EnvironmentParseOptions,
  ctx: FieldContext,
): Environment {
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
    const placed: Package[] = [];
    const listToken = {};
    const list = expectList(selectors, platformCtx);
    for (let index = 0; index < list.length; index++) {
      const record = options.records.resolve(list[index], declaration.subdir, platformCtx, index);
      const pkg = options.placer.place(record, false, name, declaration.subdir, indexes, listToken);
      if (pkg) placed.push(pkg);
      for (const buildSelector of record.buildSelectors) {
        const buildRecord = options.records.resolve(buildSelector, declaration.subdir, platformCtx, index);
        const buildPkg = options.placer.place(buildRecord, true, name, declaration.subdir, indexes, listToken);
        if (buildPkg) placed.push(buildPkg);
      }
    }
    platforms.push({
      name: declaration.name,
      subdir: declaration.subdir,
      virtualPackages: declaration.virtualPackages,
      packages: placed,
    });
  }
  return { name, channels, indexes, platforms, options: solverOptions, excludeNewer };
}

/**
 * One `Package` per record and platform, shared by every environment of the lock that installs it
 * (scipy's lock places 2,082 records 13,802 times across 41 environments).
 */
export class PackagePlacer {
  /** Every package placed so far, in the order first placed. */
  readonly placed: Package[] = [];

  /**
   * The package for `record` on `subdir`, added to `environment`; undefined when it is already in
   * the platform list identified by `listToken`. The packages are kept on the record itself: a
   * record is nearly always placed on one subdir, and a map per record would cost more than it finds.
   */
  place(
    record: LockRecord,
    buildOnly: boolean,
    environment: string,
    subdir: string,
    indexes: string[],
    listToken: object,
  ): Package | undefined {
    let placement = record.placement;
    while (placement !== undefined && placement.subdir !== subdir) placement = placement.next;
    placement ??= this.newPlacement(record, subdir, buildOnly, indexes);
    const pkg = placement.pkg;
    // `delete` only when there is something to delete: it turns an object into a slow dictionary
    if (!buildOnly && pkg.buildOnly !== undefined) delete pkg.buildOnly;
    // Environments are placed one after another, so one already holding this package is the last.
    const environments = pkg.environments;
    if (environments[environments.length - 1] !== environment) environments.push(environment);
    if (placement.list === listToken) return undefined;
    placement.list = listToken;
    return pkg;
  }

  private newPlacement(record: LockRecord, subdir: string, buildOnly: boolean, indexes: string[]): Placement {
    const template = record.template;
    const index =
      template.ecosystem === 'pypi' && template.kind === 'registry'
        ? (template.index ?? inferIndex(template.url, indexes))
        : template.index;
    // The first platform adopts the template itself (one object less per record); others copy it.
    const pkg =
      record.placement === undefined
        ? (template as Package)
        : { ...template, platform: subdir, environments: [], index };
    pkg.platform = subdir;
    pkg.environments = [];
    pkg.index = index;
    if (buildOnly) pkg.buildOnly = true;
    else if (pkg.buildOnly !== undefined) delete pkg.buildOnly;
    this.placed.push(pkg);
    const placement: Placement = { subdir, pkg, list: undefined, next: record.placement };
    record.placement = placement;
    return placement;
  }
}

/**
 * v4–v6 locks do not record which index served a PyPI file: take the environment index on the
 * file's host, PyPI itself for files.pythonhosted.org, and otherwise the environment's first index.
 */
function inferIndex(url: string | undefined, indexes: string[]): string {
  const host = hostOf(url);
  if (host) {
    const sameHost = indexes.find((index) => hostOf(index) === host);
    if (sameHost) return sameHost;
    if (host === 'files.pythonhosted.org') return PYPI_DEFAULT_INDEX;
  }
  return indexes[0] ?? PYPI_DEFAULT_INDEX;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function resolvePlatform(key: string, options: EnvironmentParseOptions, ctx: FieldContext): PlatformDeclaration {
  if (options.platforms) {
    const declared = options.platforms.get(key);
    if (!declared)
      fail(ctx, undefined, `platform ${JSON.stringify(key)} is not declared in the top-level \`platforms\``);
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

function parseOptions(
  value: unknown,
  ctx: FieldContext,
): { options: Record<string, string>; excludeNewer?: ExcludeNewerSetting } {
  if (value === undefined || value === null) return { options: {} };
  const dict = expectDict(value, ctx);
  // Keys come from the lock: no prototype, so a key such as `constructor` is only ever data.
  const options: Record<string, string> = Object.create(null);
  for (const key of Object.keys(dict)) {
    const text = optString(dict, key, ctx);
    if (text !== undefined) options[key] = text;
  }
  const cutoff = options['exclude-newer'];
  return { options, excludeNewer: cutoff ? { value: cutoff, origin: { file: ctx.file, line: ctx.line } } : undefined };
}
