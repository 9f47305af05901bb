/**
 * conda environment files (`environment.yml`, and conda-lock's category files that hold only
 * `dependencies`): channels, pip indexes, and the conda and pip dependencies they declare. An
 * environment file declares and resolves nothing, so it yields no packages.
 */
import { dirname } from 'node:path';
import { CvebuildError } from '../errors.ts';
import { readTextInput } from '../fs/read-input.ts';
import type { DeclaredDependency, DependencyScope, InventoryWarning } from '../model/inventory.ts';
import { parseMatchSpec } from '../versions/matchspec.ts';
import { parsePep508 } from '../versions/pep508.ts';
import { condaDependency, groupWithCondition, pypiDependency } from './declared.ts';
import {
  atLine,
  child,
  describeType,
  expectDict,
  expectList,
  type FieldContext,
  fail,
  isDict,
  optString,
  optStringList,
} from './fields.ts';
import type { Reader, ReaderOutput } from './types.ts';
import { loadYaml } from './yaml.ts';
import { isBlankYaml, YamlLines } from './yaml-lines.ts';

export const environmentYmlReader: Reader = { format: 'environment-yml', read: readEnvironmentFile };

/** Keys conda, mamba and conda-lock understand; anything else is reported, not rejected. */
const KNOWN_KEYS = new Set([
  'name',
  'channels',
  'dependencies',
  'platforms',
  'variables',
  'prefix',
  'category',
  'pip-repositories',
]);

interface EnvironmentFile {
  file: string;
  lines: YamlLines;
  scope: DependencyScope;
  group?: string;
  indexes: string[];
  dependencies: DeclaredDependency[];
  warnings: InventoryWarning[];
}

function readEnvironmentFile(file: string): ReaderOutput {
  const text = readTextInput(file);
  const document = isBlankYaml(text) ? undefined : loadYaml(text, file);
  if (document === undefined || document === null) {
    throw new CvebuildError('ENV_FILE_INVALID', 'empty environment file', { file });
  }
  const ctx: FieldContext = { file, code: 'ENV_FILE_INVALID', path: '' };
  const root = expectDict(document, ctx);
  const category = optString(root, 'category', ctx);
  // Validated although the inventory has no place for them: a malformed file should fail here.
  optStringList(root, 'platforms', ctx);
  optString(root, 'prefix', ctx);
  if (root.variables !== undefined && root.variables !== null) expectDict(root.variables, child(ctx, 'variables'));

  const environment: EnvironmentFile = {
    file,
    lines: new YamlLines(text),
    scope: scopeOfCategory(category),
    group: optString(root, 'name', ctx) ?? category,
    indexes: optStringList(root, 'pip-repositories', ctx) ?? [],
    dependencies: [],
    warnings: Object.keys(root)
      .filter((key) => !KNOWN_KEYS.has(key))
      .map((key) => ({ message: `unknown key "${key}" in environment file, ignored`, origin: { file } })),
  };
  const channels = optStringList(root, 'channels', ctx) ?? [];
  if (root.dependencies !== undefined && root.dependencies !== null) {
    environment.lines.enter('dependencies');
    readDependencies(
      environment,
      expectList(root.dependencies, child(ctx, 'dependencies')),
      child(ctx, 'dependencies'),
    );
  }

  return {
    source: { path: file, format: 'environment-yml', records: { conda: 0, pypi: 0, condaSource: 0 } },
    environments: [],
    manifest: { channels, indexes: environment.indexes, dependencies: environment.dependencies },
    warnings: environment.warnings,
  };
}

/** conda-lock categories: `main` is what the environment runs with, `dev` is for development, others are opt-in. */
function scopeOfCategory(category: string | undefined): DependencyScope {
  if (category === undefined || category === 'main') return 'run';
  return category === 'dev' ? 'dev' : 'optional';
}

function readDependencies(environment: EnvironmentFile, entries: unknown[], ctx: FieldContext): void {
  entries.forEach((entry, index) => {
    const entryCtx = child(ctx, index);
    if (typeof entry === 'string') {
      const line = environment.lines.find(entry);
      const spec = parseMatchSpec(entry, {
        code: 'ENV_FILE_INVALID',
        file: environment.file,
        line,
        key: entryCtx.path,
      });
      environment.dependencies.push(condaDependency(spec, placeOf(environment, line)));
    } else if (isDict(entry) && Object.keys(entry).length === 1 && 'pip' in entry) {
      environment.lines.enter('pip');
      readPipSection(environment, expectList(entry.pip, child(entryCtx, 'pip')), child(entryCtx, 'pip'));
    } else {
      fail(entryCtx, undefined, `expected a MatchSpec or a "pip:" list, found ${describeType(entry)}`);
    }
  });
}

function readPipSection(environment: EnvironmentFile, entries: unknown[], ctx: FieldContext): void {
  entries.forEach((entry, index) => {
    const entryCtx = child(ctx, index);
    if (typeof entry !== 'string')
      fail(entryCtx, undefined, `expected a pip requirement, found ${describeType(entry)}`);
    const line = environment.lines.find(entry);
    const text = entry.trim();
    if (text.startsWith('-') && !/^(?:-e|--editable)(?:\s|=|$)/.test(text)) {
      readPipOption(environment, text, atLine(entryCtx, line));
      return;
    }
    const requirement = parsePep508(text, {
      code: 'ENV_FILE_INVALID',
      file: environment.file,
      line,
      key: entryCtx.path,
      baseDir: dirname(environment.file),
    });
    environment.dependencies.push(pypiDependency(requirement, placeOf(environment, line)));
  });
}

/** pip options inside the `pip:` list: indexes are kept, other options are reported as not evaluated. */
function readPipOption(environment: EnvironmentFile, text: string, ctx: FieldContext): void {
  const [, option = text, value] = /^(-{1,2}[A-Za-z][\w-]*)(?:[=\s]\s*(.*))?$/.exec(text) ?? [];
  const origin = { file: environment.file, line: ctx.line };
  if (option === '--index-url' || option === '-i' || option === '--extra-index-url') {
    if (!value) fail(ctx, undefined, `pip option ${option} needs a URL`);
    const indexes = environment.indexes.filter((index) => index !== value);
    environment.indexes = option === '--extra-index-url' ? [...indexes, value] : [value, ...indexes];
  } else if (['-r', '--requirement', '-c', '--constraint'].includes(option)) {
    environment.warnings.push({ message: `pip requirements file "${value ?? ''}" is not read`, origin });
  } else {
    environment.warnings.push({ message: `pip option ${option} is not evaluated`, origin });
  }
}

function placeOf(environment: EnvironmentFile, line: number | undefined) {
  return {
    scope: environment.scope,
    group: groupWithCondition(environment.group, environment.lines.selectorAt(line)),
    origin: { file: environment.file, line },
  };
}
