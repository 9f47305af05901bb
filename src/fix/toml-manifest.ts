/**
 * Constraints in pixi manifests (`pixi.toml`, and `pyproject.toml` with `[tool.pixi]` tables or a
 * `[project]` table): where a package is declared, and the edit that changes or adds its
 * requirement. The edits go through toml_edit (the layout-preserving TOML editor pixi itself
 * edits manifests with, as WebAssembly): comments, order, quoting and spacing stay as written.
 */
import { basename } from 'node:path';
import { type Ecosystem, normalizeName } from '../model/package.ts';
import { type Dict, isDict } from '../readers/fields.ts';
import { parseTomlText } from '../readers/pixi-manifest.ts';
import { parsePep508 } from '../versions/pep508.ts';
import { pinnedSpec, raisedSpec } from './specs.ts';
import { changedLines } from './text-edits.ts';
import { emptyOutcome, type FileOutcome, type FixIntent, type ManifestEdit, type ManifestEditor } from './types.ts';

const CONDA_TABLES = ['dependencies', 'host-dependencies', 'build-dependencies', 'constraints'];
const PACKAGE_TABLES = ['run-dependencies', 'host-dependencies', 'build-dependencies'];
const PYPI_TABLE = 'pypi-dependencies';
/** Keys toml_edit's path syntax takes bare; others are quoted, and keys that need escapes are not edited. */
const BARE_KEY = /^[A-Za-z0-9_-]+$/;

export type TomlPath = (string | number)[];

/** One declaration of the package in the manifest. */
export interface TomlDeclaration {
  /** The key path of the requirement string (for a table value, of its `version` key). */
  path: TomlPath;
  /** The table, as a person names it: `[feature.test.pypi-dependencies]`, `[project] dependencies`. */
  table: string;
  /** The requirement as written ("" for any version). */
  spec: string;
  /** The requirement is a PEP 508 string in a list (`[project] dependencies`), rebuilt whole. */
  pep508?: { name: string; extras: string[]; marker?: string };
  /** A git, path or url dependency: no version to change. */
  reference?: string;
}

export interface PixiManifest {
  file: string;
  text: string;
  document: Dict;
  /** `['tool', 'pixi']` in a pyproject.toml, `[]` in a pixi.toml; undefined: a pyproject without pixi tables. */
  prefix: string[] | undefined;
}

export function readPixiManifest(file: string, text: string, isPyproject: boolean): PixiManifest {
  const document = parseTomlText(text, file, 'MANIFEST_INVALID');
  const tool = isDict(document.tool) ? document.tool : undefined;
  const prefix = !isPyproject ? [] : isDict(tool?.pixi) ? ['tool', 'pixi'] : undefined;
  return { file, text, document, prefix };
}

export function declarationsOf(
  manifest: PixiManifest,
  ecosystem: Ecosystem,
  normalizedName: string,
): TomlDeclaration[] {
  const found: TomlDeclaration[] = [];
  const { document, prefix } = manifest;
  const root = prefix === undefined ? undefined : prefix.length === 0 ? document : dig(document, prefix);
  if (isDict(root)) {
    for (const scope of scopes(root)) {
      const tables = ecosystem === 'pypi' ? [PYPI_TABLE] : scope.isPackage ? PACKAGE_TABLES : CONDA_TABLES;
      for (const tableName of tables) {
        const table = scope.table[tableName];
        if (!isDict(table)) continue;
        for (const [key, value] of Object.entries(table)) {
          if (normalizeName(ecosystem, key) !== normalizedName) continue;
          const tablePath = [...(prefix ?? []), ...scope.path, tableName];
          found.push(declaration([...tablePath, key], `[${tablePath.join('.')}]`, value));
        }
      }
    }
  }
  if (ecosystem === 'pypi' && isDict(document.project)) found.push(...projectDeclarations(document, normalizedName));
  return found;
}

/** Where a package the manifest does not declare is added: the workspace's own dependency table. */
export function additionPath(manifest: PixiManifest, ecosystem: Ecosystem, name: string): TomlDeclaration | undefined {
  if (manifest.prefix === undefined) return undefined;
  const tablePath = [...manifest.prefix, ecosystem === 'pypi' ? PYPI_TABLE : 'dependencies'];
  return { path: [...tablePath, name], table: `[${tablePath.join('.')}]`, spec: '' };
}

function declaration(path: string[], table: string, value: unknown): TomlDeclaration {
  if (typeof value === 'string') return { path, table, spec: value === '*' ? '' : value };
  if (!isDict(value)) return { path, table, spec: '', reference: 'not a requirement string or table' };
  const reference = ['git', 'path', 'url'].find((key) => typeof value[key] === 'string');
  if (reference) return { path, table, spec: '', reference: `${reference} = ${String(value[reference])}` };
  const version = typeof value.version === 'string' ? value.version : '';
  return { path: [...path, 'version'], table, spec: version === '*' ? '' : version };
}

interface Scope {
  path: string[];
  table: Dict;
  isPackage: boolean;
}

/** The workspace, its targets, its features and their targets, and `[package]`. */
function scopes(root: Dict): Scope[] {
  const out: Scope[] = [{ path: [], table: root, isPackage: false }];
  const targets = (table: Dict, path: string[], isPackage: boolean) => {
    if (!isDict(table.target)) return;
    for (const [platform, target] of Object.entries(table.target)) {
      if (isDict(target)) out.push({ path: [...path, 'target', platform], table: target, isPackage });
    }
  };
  targets(root, [], false);
  if (isDict(root.feature)) {
    for (const [name, feature] of Object.entries(root.feature)) {
      if (!isDict(feature)) continue;
      out.push({ path: ['feature', name], table: feature, isPackage: false });
      targets(feature, ['feature', name], false);
    }
  }
  if (isDict(root.package)) {
    out.push({ path: ['package'], table: root.package, isPackage: true });
    targets(root.package, ['package'], true);
  }
  return out;
}

/** `[project] dependencies`, its optional dependencies and the dependency groups: PEP 508 strings. */
function projectDeclarations(document: Dict, normalizedName: string): TomlDeclaration[] {
  const project = document.project as Dict;
  const lists: [string[], unknown][] = [[['project', 'dependencies'], project.dependencies]];
  if (isDict(project['optional-dependencies'])) {
    for (const [extra, list] of Object.entries(project['optional-dependencies']))
      lists.push([['project', 'optional-dependencies', extra], list]);
  }
  if (isDict(document['dependency-groups'])) {
    for (const [group, list] of Object.entries(document['dependency-groups']))
      lists.push([['dependency-groups', group], list]);
  }
  const found: TomlDeclaration[] = [];
  for (const [path, list] of lists) {
    if (!Array.isArray(list)) continue;
    list.forEach((entry, index) => {
      if (typeof entry !== 'string') return;
      let parsed: ReturnType<typeof parsePep508>;
      try {
        parsed = parsePep508(entry);
      } catch {
        return; // the reader reported it when the inventory was read
      }
      if (parsed.normalizedName !== normalizedName) return;
      const table = path[0] === 'project' ? `[project] ${path.slice(1).join('.')}` : `[${path.join('.')}]`;
      found.push({
        path: [...path, index],
        table,
        spec: parsed.specifier,
        ...(parsed.url ? { reference: `@ ${parsed.url}` } : {}),
        pep508: { name: parsed.name, extras: parsed.extras, ...(parsed.marker ? { marker: parsed.marker } : {}) },
      });
    });
  }
  return found;
}

/** The text a declaration takes for a new requirement: the string itself, or the whole PEP 508 line. */
export function requirementText(declaration: TomlDeclaration, spec: string): string {
  const requirement = declaration.pep508;
  if (!requirement) return spec;
  const extras = requirement.extras.length > 0 ? `[${requirement.extras.join(',')}]` : '';
  return `${requirement.name}${extras}${spec}${requirement.marker ? `; ${requirement.marker}` : ''}`;
}

/** How a person reads the constraint written: `pillow = ">=11.3.0"`. */
export function constraintText(declaration: TomlDeclaration, value: string): string {
  if (declaration.pep508) return JSON.stringify(value);
  const keys = declaration.path.filter((part): part is string => typeof part === 'string');
  const tableLength = declaration.table.slice(1, -1).split('.').length;
  return `${keys.slice(tableLength).join('.')} = ${JSON.stringify(value)}`;
}

type TomlEdit = typeof import('@rainbowatcher/toml-edit-js');
let tomlEdit: TomlEdit | undefined;

/** toml_edit is WebAssembly: instantiated the first time a manifest is edited. */
export async function loadTomlEditor(): Promise<TomlEdit> {
  if (!tomlEdit) {
    const loaded = await import('@rainbowatcher/toml-edit-js');
    await loaded.default();
    tomlEdit = loaded;
  }
  return tomlEdit;
}

/**
 * `text` with the value at `path` set to `value`, everything else as written. toml_edit writes
 * LF line ends, so a CRLF file gets its own back; a missing final newline stays missing.
 */
export function setTomlString(
  editor: TomlEdit,
  text: string,
  path: TomlPath,
  value: string,
): string | { reason: string } {
  const segments: string[] = [];
  for (const part of path) {
    if (typeof part === 'number') segments.push(`[${part}]`);
    else if (BARE_KEY.test(part)) segments.push(part);
    else if (/["\\\p{Cc}]/u.test(part))
      return { reason: `the key ${JSON.stringify(part)} needs escapes; edit it by hand` };
    else segments.push(`"${part}"`);
  }
  const crlf = text.includes('\r\n');
  const input = crlf ? text.replace(/\r\n/g, '\n') : text;
  let output: string;
  try {
    output = editor.edit(input, segments.join('.'), value, { finalNewline: input.endsWith('\n') });
  } catch (error) {
    return { reason: `toml_edit: ${String((error as Error).message ?? error).split('\n')[0]}` };
  }
  return crlf ? output.replace(/\n/g, '\r\n') : output;
}

function dig(document: Dict, path: string[]): unknown {
  let at: unknown = document;
  for (const key of path) at = isDict(at) ? at[key] : undefined;
  return at;
}

/** A pixi.toml or pyproject.toml as a `ManifestEditor`: each edit goes through toml_edit in turn. */
export function pixiManifestEditor(file: string, text: string, isPyproject: boolean): ManifestEditor {
  const name = basename(file);
  const original = readPixiManifest(file, text, isPyproject);
  return {
    file,
    text,
    relock: 'pixi',
    declares: (pkg) => declarationsOf(original, pkg.ecosystem, pkg.normalizedName).length > 0,
    async apply(requests) {
      const editor = await loadTomlEditor();
      let current = original;
      const recorded: ManifestEdit[] = [];
      const outcomes = new Map<FixIntent, FileOutcome>();
      for (const { intent, add } of requests) {
        const outcome = emptyOutcome();
        outcomes.set(intent, outcome);
        const { pkg } = intent;
        const declared = declarationsOf(current, pkg.ecosystem, pkg.normalizedName);
        outcome.declared = declared.length > 0;
        const addition = add && !outcome.declared ? additionPath(current, pkg.ecosystem, pkg.name) : undefined;
        if (add && !outcome.declared && !addition)
          outcome.unplaced.push(`${name} has no [tool.pixi] tables: add ${pkg.name} to [project] dependencies by hand`);
        for (const place of addition ? [addition] : declared) {
          const where = `${name} ${place.table}`;
          if (place.reference) {
            outcome.unplaced.push(`${where} ${pkg.name} is a ${place.reference} dependency: change it by hand`);
            continue;
          }
          const change =
            intent.mode === 'pin'
              ? { spec: pinnedSpec(intent.version) }
              : raisedSpec(place.spec, intent.version, pkg.versions, pkg.ecosystem);
          if ('unchanged' in change) continue;
          if ('conflict' in change) {
            outcome.conflicts.push({ by: where, requirement: place.spec, file });
            continue;
          }
          if ('unsupported' in change) {
            outcome.unplaced.push(`${where}: ${change.unsupported}`);
            continue;
          }
          const value = requirementText(place, change.spec);
          const edited = setTomlString(editor, current.text, place.path, value);
          if (typeof edited !== 'string') {
            outcome.unplaced.push(`${where}: ${edited.reason}`);
            continue;
          }
          for (const lines of changedLines(current.text, edited, recorded)) {
            recorded.push({
              file,
              ...lines,
              place: where,
              constraint: constraintText(place, value),
              spec: change.spec,
            });
            outcome.edits.push(recorded.at(-1) as ManifestEdit);
          }
          current = readPixiManifest(file, edited, isPyproject);
        }
      }
      return { text: current.text, outcomes };
    },
  };
}
