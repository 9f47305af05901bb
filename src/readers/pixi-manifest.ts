/**
 * pixi manifests: `pixi.toml`, and `pyproject.toml` with `[tool.pixi.*]` tables (or a plain
 * `[project]` table). Extracts channels, PyPI indexes, every form of `exclude-newer` pixi accepts,
 * and the declared dependencies of the workspace, its features, targets and package.
 */
import { normalizeChannel } from '../conda/url.ts';
import { CvebuildError } from '../errors.ts';
import { readTextInput } from '../fs/read-input.ts';
import type {
  DeclaredDependency,
  DependencyScope,
  ExcludeNewerSetting,
  InputSource,
  ManifestSettings,
} from '../model/inventory.ts';
import { emptyManifest } from '../model/inventory.ts';
import { normalizeName, normalizePypiName } from '../model/package.ts';
import { parsePep508 } from '../versions/pep508.ts';
import { child, type Dict, describeType, expectDict, type FieldContext, fail, isDict } from './fields.ts';
import { smolToml } from './smol-toml.ts';
import { findInvalidTomlDate } from './toml-dates.ts';
import { TomlLines, tablePath } from './toml-lines.ts';
import type { Reader, ReaderOutput } from './types.ts';

const CONDA_DEPENDENCY_TABLES: [string, DependencyScope][] = [
  ['dependencies', 'run'],
  ['host-dependencies', 'host'],
  ['build-dependencies', 'build'],
  ['constraints', 'constraint'],
];

export function parseTomlText(
  text: string,
  file: string,
  code: 'MANIFEST_INVALID' | 'TOML_SYNTAX' = 'TOML_SYNTAX',
): Dict {
  let document: Dict;
  try {
    document = smolToml().parse(text) as Dict;
  } catch (error) {
    if (error instanceof smolToml().TomlError) {
      const reason = error.message.split('\n', 1)[0]?.replace(/^Invalid TOML document:\s*/i, '') ?? 'invalid TOML';
      throw new CvebuildError(code, `TOML syntax error: ${reason}`, { file, line: error.line });
    }
    throw new CvebuildError(code, `cannot parse TOML: ${String(error)}`, { file });
  }
  const invalid = findInvalidTomlDate(text);
  if (invalid) {
    throw new CvebuildError(code, `TOML syntax error: ${invalid.literal} is not a date (no such day)`, {
      file,
      line: invalid.line,
    });
  }
  return document;
}

class ManifestBuilder {
  readonly manifest: ManifestSettings = emptyManifest();
  private readonly lines: TomlLines;
  readonly file: string;
  /** Table prefix of the pixi tables: `tool.pixi` in pyproject.toml, none in pixi.toml. */
  readonly prefix: string[];

  constructor(text: string, file: string, prefix: string[]) {
    this.lines = new TomlLines(text);
    this.file = file;
    this.prefix = prefix;
  }

  ctx(path: string[]): FieldContext {
    return {
      file: this.file,
      code: 'MANIFEST_INVALID',
      path: [...this.prefix, ...path].join('.'),
      line: this.lineOf(path),
    };
  }

  lineOf(path: string[], key?: string): number | undefined {
    return this.lines.lineOf(tablePath(...this.prefix, ...path), key);
  }

  setting(value: unknown, path: string[], key: string): ExcludeNewerSetting {
    const ctx = this.ctx(path);
    return { value: cutoffText(value, child(ctx, key)), origin: { file: this.file, line: this.lineOf(path, key) } };
  }

  readWorkspace(root: Dict): void {
    const tableName = isDict(root.workspace) ? 'workspace' : isDict(root.project) ? 'project' : undefined;
    if (!tableName) return;
    const workspace = expectDict(root[tableName], this.ctx([tableName]));
    const channels = workspace.channels;
    if (channels !== undefined) {
      const ctx = this.ctx([tableName, 'channels']);
      if (!Array.isArray(channels)) fail(ctx, undefined, `expected a list, found ${describeType(channels)}`);
      channels.forEach((entry, index) => {
        this.readChannel(entry, tableName, child(ctx, index));
      });
    }
    const cutoff = workspace['exclude-newer'];
    if (cutoff !== undefined) {
      if (isDict(cutoff)) this.readCutoffTable(cutoff, [tableName, 'exclude-newer'], 'conda');
      else this.manifest.excludeNewer.workspace = this.setting(cutoff, [tableName], 'exclude-newer');
    }
    const pypiCutoff = workspace['pypi-exclude-newer'];
    if (pypiCutoff !== undefined) {
      const path = [tableName, 'pypi-exclude-newer'];
      this.readCutoffTable(expectDict(pypiCutoff, this.ctx(path)), path, 'pypi');
    }
  }

  private readChannel(entry: unknown, tableName: string, ctx: FieldContext): void {
    if (typeof entry === 'string') {
      this.manifest.channels.push(normalizeChannel(entry));
      return;
    }
    const dict = expectDict(entry, ctx);
    const channel = dict.channel;
    if (typeof channel !== 'string' || !channel) fail(ctx, 'channel', 'required field is missing');
    const name = normalizeChannel(channel);
    this.manifest.channels.push(name);
    if (dict['exclude-newer'] !== undefined) {
      this.manifest.excludeNewer.channels.set(name, {
        value: cutoffText(dict['exclude-newer'], child(ctx, 'exclude-newer')),
        origin: { file: this.file, line: this.lineOf([tableName], 'channels') },
      });
    }
  }

  /** pixi ≥ 0.84: `[workspace.exclude-newer] cutoff = "7d"`, `exemptions = { pkg = "*" }`. */
  private readCutoffTable(table: Dict, path: string[], ecosystem: 'conda' | 'pypi'): void {
    const excludeNewer = this.manifest.excludeNewer;
    if (table.cutoff !== undefined) {
      const setting = this.setting(table.cutoff, path, 'cutoff');
      if (ecosystem === 'conda') excludeNewer.workspace = setting;
      else excludeNewer.pypiWorkspace = setting;
    }
    if (table.exemptions !== undefined) {
      const ctx = child(this.ctx(path), 'exemptions');
      for (const [name, spec] of Object.entries(expectDict(table.exemptions, ctx))) {
        if (typeof spec !== 'string') fail(ctx, name, `expected a version spec, found ${describeType(spec)}`);
        if (ecosystem === 'conda') excludeNewer.exemptions.set(normalizeName('conda', name), spec);
        else excludeNewer.pypiExemptions.set(normalizePypiName(name), spec);
      }
    }
  }

  /** pixi 0.67–0.83: top-level `[exclude-newer]` / `[pypi-exclude-newer]` package tables. */
  readPackageCutoffs(root: Dict): void {
    for (const [tableName, ecosystem] of [
      ['exclude-newer', 'conda'],
      ['pypi-exclude-newer', 'pypi'],
    ] as const) {
      const table = root[tableName];
      if (table === undefined) continue;
      const ctx = this.ctx([tableName]);
      for (const [name, value] of Object.entries(expectDict(table, ctx))) {
        const setting = this.setting(value, [tableName], name);
        if (ecosystem === 'conda') this.manifest.excludeNewer.packages.set(normalizeName('conda', name), setting);
        else this.manifest.excludeNewer.pypiPackages.set(normalizePypiName(name), setting);
      }
    }
  }

  readPypiOptions(table: Dict, path: string[]): void {
    const options = table['pypi-options'];
    if (options === undefined) return;
    const ctx = this.ctx([...path, 'pypi-options']);
    const dict = expectDict(options, ctx);
    const indexUrl = dict['index-url'];
    if (indexUrl !== undefined) {
      if (typeof indexUrl !== 'string') fail(ctx, 'index-url', `expected a URL, found ${describeType(indexUrl)}`);
      this.addIndex(indexUrl);
    }
    const extra = dict['extra-index-urls'];
    if (extra !== undefined) {
      if (!Array.isArray(extra)) fail(ctx, 'extra-index-urls', `expected a list, found ${describeType(extra)}`);
      extra.forEach((url, index) => {
        if (typeof url !== 'string')
          fail(child(ctx, 'extra-index-urls'), `[${index}]`, `expected a URL, found ${describeType(url)}`);
        this.addIndex(url);
      });
    }
  }

  private addIndex(url: string): void {
    const normalized = url.replace(/\/+$/, '');
    if (!this.manifest.indexes.includes(normalized)) this.manifest.indexes.push(normalized);
  }

  /** Dependency tables of one scope holder: the root, a feature, a target, or `[package]`. */
  readDependencyTables(table: Dict, path: string[], group: string | undefined, packageTables = false): void {
    const condaTables: [string, DependencyScope][] = packageTables
      ? [
          ['run-dependencies', 'run'],
          ['host-dependencies', 'host'],
          ['build-dependencies', 'build'],
        ]
      : CONDA_DEPENDENCY_TABLES;
    for (const [tableName, scope] of condaTables) {
      const deps = table[tableName];
      if (deps === undefined) continue;
      const depPath = [...path, tableName];
      for (const [name, value] of Object.entries(expectDict(deps, this.ctx(depPath)))) {
        this.manifest.dependencies.push(this.condaDependency(name, value, depPath, scope, group));
      }
    }
    const pypi = table['pypi-dependencies'];
    if (pypi !== undefined && !packageTables) {
      const depPath = [...path, 'pypi-dependencies'];
      for (const [name, value] of Object.entries(expectDict(pypi, this.ctx(depPath)))) {
        this.manifest.dependencies.push(this.pypiDependency(name, value, depPath, group));
      }
    }
  }

  private condaDependency(
    name: string,
    value: unknown,
    path: string[],
    scope: DependencyScope,
    group?: string,
  ): DeclaredDependency {
    const ctx = child(this.ctx(path), name, this.lineOf(path, name));
    const base = {
      ecosystem: 'conda' as const,
      name,
      normalizedName: normalizeName('conda', name),
      scope,
      group,
      origin: { file: this.file, line: this.lineOf(path, name) },
    };
    if (typeof value === 'string') return { ...base, spec: value === '*' ? '' : value };
    const dict = expectDict(value, ctx);
    const version = stringField(dict, 'version', ctx) ?? '';
    const build = stringField(dict, 'build', ctx);
    const reference = stringField(dict, 'git', ctx) ?? stringField(dict, 'path', ctx) ?? stringField(dict, 'url', ctx);
    return {
      ...base,
      spec: [version === '*' ? '' : version, build ? `[build=${build}]` : ''].join('').trim(),
      channel: stringField(dict, 'channel', ctx),
      reference,
    };
  }

  private pypiDependency(name: string, value: unknown, path: string[], group?: string): DeclaredDependency {
    const ctx = child(this.ctx(path), name, this.lineOf(path, name));
    const base = {
      ecosystem: 'pypi' as const,
      name,
      normalizedName: normalizePypiName(name),
      scope: 'run' as const,
      group,
      origin: { file: this.file, line: this.lineOf(path, name) },
    };
    if (typeof value === 'string') return { ...base, spec: value === '*' ? '' : value };
    const dict = expectDict(value, ctx);
    const version = stringField(dict, 'version', ctx) ?? '';
    const reference = stringField(dict, 'git', ctx) ?? stringField(dict, 'path', ctx) ?? stringField(dict, 'url', ctx);
    const index = stringField(dict, 'index', ctx);
    if (index) this.addIndex(index);
    return { ...base, spec: version === '*' ? '' : version, reference, index };
  }

  /** `[project]` of a pyproject.toml: PEP 508 strings in dependencies, extras and groups. */
  readProject(project: Dict, dependencyGroups: unknown): void {
    const projectCtx: FieldContext = { file: this.file, code: 'MANIFEST_INVALID', path: 'project' };
    const addAll = (list: unknown, path: string[], scope: DependencyScope, group?: string) => {
      if (list === undefined) return;
      const ctx: FieldContext = {
        ...projectCtx,
        path: path.join('.'),
        line: this.lines.lineOf(tablePath(...path.slice(0, -1)), path.at(-1)),
      };
      if (!Array.isArray(list)) fail(ctx, undefined, `expected a list of requirements, found ${describeType(list)}`);
      list.forEach((requirement, index) => {
        if (!isDict(requirement) && typeof requirement !== 'string') {
          fail(ctx, `[${index}]`, `expected a requirement string, found ${describeType(requirement)}`);
        }
        if (isDict(requirement)) return; // PEP 735 `{include-group = "..."}`
        const parsed = parsePep508(requirement, { file: this.file, line: ctx.line, key: `${ctx.path}[${index}]` });
        this.manifest.dependencies.push({
          ecosystem: 'pypi',
          name: parsed.name,
          normalizedName: parsed.normalizedName,
          spec: parsed.specifier,
          reference: parsed.url,
          scope,
          group,
          origin: { file: this.file, line: ctx.line },
        });
      });
    };
    addAll(project.dependencies, ['project', 'dependencies'], 'run');
    if (project['optional-dependencies'] !== undefined) {
      const extras = expectDict(project['optional-dependencies'], child(projectCtx, 'optional-dependencies'));
      for (const [extra, list] of Object.entries(extras)) {
        addAll(list, ['project', 'optional-dependencies', extra], 'optional', extra);
      }
    }
    if (dependencyGroups !== undefined) {
      const groups = expectDict(dependencyGroups, { ...projectCtx, path: 'dependency-groups' });
      for (const [group, list] of Object.entries(groups)) addAll(list, ['dependency-groups', group], 'dev', group);
    }
  }
}

function stringField(dict: Dict, key: string, ctx: FieldContext): string | undefined {
  const value = dict[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(ctx, key, `expected text, found ${describeType(value)}`);
  return value;
}

/** A cutoff is a duration (`7d`), a date, an RFC 3339 time, or a TOML datetime. */
function cutoffText(value: unknown, ctx: FieldContext): string {
  if (value instanceof smolToml().TomlDate) return value.toISOString();
  if (typeof value === 'string' && value.trim()) return value.trim();
  return fail(ctx, undefined, `expected a duration like "7d" or a date, found ${describeType(value)}`);
}

function readManifest(text: string, file: string, isPyproject: boolean): ReaderOutput {
  const document = parseTomlText(text, file);
  const tool = isDict(document.tool) ? document.tool : undefined;
  const pixi = isPyproject ? tool?.pixi : document;
  const builder = new ManifestBuilder(text, file, isPyproject ? ['tool', 'pixi'] : []);
  if (pixi !== undefined) {
    const root = expectDict(pixi, builder.ctx([]));
    builder.readWorkspace(root);
    builder.readPackageCutoffs(root);
    builder.readPypiOptions(root, []);
    builder.readDependencyTables(root, [], undefined);
    readTargets(builder, root, [], undefined);
    if (root.package !== undefined) {
      builder.readDependencyTables(expectDict(root.package, builder.ctx(['package'])), ['package'], 'package', true);
    }
    if (root.feature !== undefined) {
      for (const [featureName, featureValue] of Object.entries(expectDict(root.feature, builder.ctx(['feature'])))) {
        const path = ['feature', featureName];
        const feature = expectDict(featureValue, builder.ctx(path));
        builder.readPypiOptions(feature, path);
        builder.readDependencyTables(feature, path, featureName);
        readTargets(builder, feature, path, featureName);
      }
    }
  }
  if (isPyproject && isDict(document.project)) builder.readProject(document.project, document['dependency-groups']);
  const source: InputSource = {
    path: file,
    format: isPyproject ? 'pyproject' : 'pixi-manifest',
    records: { conda: 0, pypi: 0, condaSource: 0 },
  };
  return { source, environments: [], manifest: builder.manifest, warnings: [] };
}

function readTargets(builder: ManifestBuilder, table: Dict, path: string[], group: string | undefined): void {
  if (table.target === undefined) return;
  for (const [platform, targetValue] of Object.entries(expectDict(table.target, builder.ctx([...path, 'target'])))) {
    const targetPath = [...path, 'target', platform];
    const target = expectDict(targetValue, builder.ctx(targetPath));
    builder.readDependencyTables(target, targetPath, group ? `${group}:${platform}` : platform);
  }
}

export const pixiManifestReader: Reader = {
  format: 'pixi-manifest',
  read: (path) => readManifest(readTextInput(path), path, false),
};

export const pyprojectReader: Reader = {
  format: 'pyproject',
  read: (path) => readManifest(readTextInput(path), path, true),
};

/** Whether a pyproject.toml configures pixi (decides if a directory is a pixi project). */
export function pyprojectHasPixi(text: string): boolean {
  return /^\[tool\.pixi[\].]/m.test(text);
}
