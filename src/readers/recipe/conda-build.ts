/**
 * conda-build recipes (`meta.yaml`): package and outputs, sources, and the build / host / run /
 * run_constrained requirements of each. The Jinja pass runs first (conda-build-template.ts), then
 * YAML; `# [selector]` lines are all kept, each dependency noting its selector.
 */
import { CvebuildError } from '../../errors.ts';
import { readTextInput } from '../../fs/read-input.ts';
import type { DependencyScope } from '../../model/inventory.ts';
import { child, describeType, expectDict, expectList, type FieldContext, fail, isDict, optString } from '../fields.ts';
import type { Reader, ReaderOutput } from '../types.ts';
import { loadYaml } from '../yaml.ts';
import { isBlankYaml, YamlLines } from '../yaml-lines.ts';
import { TemplateBudget, withinTemplateBudget } from './budget.ts';
import { renderCondaBuildTemplate } from './conda-build-template.ts';
import { dropRepeatedConditionalKeys } from './duplicate-keys.ts';
import { RecipeBuilder } from './recipe-builder.ts';
import { Placeholders, withoutPlaceholderCharacters } from './template.ts';

export const condaBuildRecipeReader: Reader = { format: 'conda-build-recipe', read: readCondaBuildRecipe };

const REQUIREMENT_SCOPES = new Map<string, DependencyScope>([
  ['build', 'build'],
  ['host', 'host'],
  ['run', 'run'],
  ['run_constrained', 'constraint'],
]);

interface Recipe {
  builder: RecipeBuilder;
  /** Selector and `{% if %}` condition of a line of the rendered recipe. */
  conditionAt: (line: number | undefined) => string | undefined;
}

function readCondaBuildRecipe(file: string): ReaderOutput {
  return withinTemplateBudget(file, () => readWithin(file, new TemplateBudget()));
}

function readWithin(file: string, budget: TemplateBudget): ReaderOutput {
  const placeholders = new Placeholders();
  const rendered = renderCondaBuildTemplate(withoutPlaceholderCharacters(readTextInput(file)), placeholders, budget);
  const renderedLines = new YamlLines(rendered.text);
  const conditionAt = (line: number | undefined) =>
    line === undefined
      ? undefined
      : [renderedLines.selectorAt(line), rendered.conditions.get(line)].filter(Boolean).join(' and ') || undefined;
  const { text, dropped } = dropRepeatedConditionalKeys(rendered.text, (line) => conditionAt(line) !== undefined);
  const lines = new YamlLines(text);
  const document = isBlankYaml(text) ? undefined : loadYaml(text, file);
  if (document === undefined || document === null) throw new CvebuildError('RECIPE_INVALID', 'empty recipe', { file });
  const ctx: FieldContext = { file, code: 'RECIPE_INVALID', path: '' };
  const root = expectDict(document, ctx);

  // Commented-out repeats do not shift lines, so the rendered text's line numbers still hold.
  const recipe: Recipe = { builder: new RecipeBuilder(file, lines, placeholders, true), conditionAt };
  for (const repeat of dropped) {
    recipe.builder.warn(
      `"${repeat.key}" repeats a key under another selector; only the first value is read`,
      repeat.line,
    );
  }
  const pkg = isDict(root.package) ? root.package : undefined;
  if (!pkg && root.outputs === undefined) fail(ctx, undefined, 'recipe has neither "package" nor "outputs"');
  const pkgCtx = child(ctx, 'package');
  const name = pkg ? scalar(recipe, pkg, 'name', pkgCtx) : undefined;
  const version = pkg ? scalar(recipe, pkg, 'version', pkgCtx) : undefined;

  // Keys are visited in document order, so line lookups move forward through the file.
  for (const key of Object.keys(root)) {
    if (key === 'package') {
      recipe.builder.addOutput(name ?? fail(pkgCtx, 'name', 'required field is missing'), version ?? '');
    } else if (key === 'source') {
      lines.enterTopLevel(key);
      readSources(recipe, root[key], child(ctx, key));
    } else if (key === 'requirements') {
      lines.enterTopLevel(key);
      readRequirements(recipe, root[key], child(ctx, key), name);
    } else if (key === 'outputs') {
      lines.enterTopLevel(key);
      readOutputs(recipe, expectList(root[key], child(ctx, key)), child(ctx, key), version);
    }
  }
  return recipe.builder.result('conda-build-recipe');
}

function readOutputs(recipe: Recipe, outputs: unknown[], ctx: FieldContext, defaultVersion: string | undefined): void {
  outputs.forEach((value, index) => {
    const outputCtx = child(ctx, index);
    const output = expectDict(value, outputCtx);
    const name = scalar(recipe, output, 'name', outputCtx) ?? fail(outputCtx, 'name', 'required field is missing');
    recipe.builder.addOutput(name, scalar(recipe, output, 'version', outputCtx) ?? defaultVersion ?? '');
    for (const key of Object.keys(output)) {
      if (key === 'requirements') {
        recipe.builder.lines.enter(key);
        readRequirements(recipe, output[key], child(outputCtx, key), name);
      } else if (key === 'source') {
        recipe.builder.lines.enter(key);
        readSources(recipe, output[key], child(outputCtx, key));
      }
    }
  });
}

/** A mapping of sections, or (in outputs) a plain list, which conda-build reads as run requirements. */
function readRequirements(recipe: Recipe, value: unknown, ctx: FieldContext, group: string | undefined): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    readSection(recipe, value, ctx, 'run', group);
    return;
  }
  for (const [section, entries] of Object.entries(expectDict(value, ctx))) {
    const scope = REQUIREMENT_SCOPES.get(section);
    if (!scope || entries === null) continue;
    recipe.builder.lines.enter(section);
    readSection(recipe, expectList(entries, child(ctx, section)), child(ctx, section), scope, group);
  }
}

function readSection(
  recipe: Recipe,
  entries: unknown[],
  ctx: FieldContext,
  scope: DependencyScope,
  group: string | undefined,
): void {
  entries.forEach((entry, index) => {
    // `- {{ compiler('c') }}  # [win]` on a skipped platform renders to an empty entry.
    if (entry === null) return;
    if (typeof entry !== 'string' && typeof entry !== 'number') {
      fail(child(ctx, index), undefined, `expected a MatchSpec, found ${describeType(entry)}`);
    }
    const text = String(entry);
    const line = recipe.builder.lines.find(text);
    recipe.builder.addDependency({ text, scope, group, condition: recipe.conditionAt(line), line });
  });
}

function readSources(recipe: Recipe, value: unknown, ctx: FieldContext): void {
  if (value === undefined || value === null) return;
  const entries = Array.isArray(value) ? value : [value];
  entries.forEach((entry, index) => {
    const sourceCtx = Array.isArray(value) ? child(ctx, index) : ctx;
    const source = expectDict(entry, sourceCtx);
    const { builder } = recipe;
    const sha256 = optString(source, 'sha256', sourceCtx);
    const md5 = optString(source, 'md5', sourceCtx);
    if (source.url !== undefined) {
      const urls = Array.isArray(source.url) ? source.url : [source.url];
      for (const url of urls) {
        if (typeof url !== 'string')
          fail(child(sourceCtx, 'url'), undefined, `expected a URL, found ${describeType(url)}`);
        const line = Array.isArray(source.url) ? builder.lines.find(url) : builder.lines.find(url, 'url');
        builder.addSource({ kind: 'url', location: url, sha256, md5, line });
      }
    } else if (source.git_url !== undefined) {
      const location = optString(source, 'git_url', sourceCtx) ?? '';
      const line = builder.lines.find(location, 'git_url');
      const rev = ['git_rev', 'git_tag', 'git_branch'].map((key) => optString(source, key, sourceCtx)).find(Boolean);
      builder.addSource({ kind: 'git', location, rev, line });
    } else if (source.path !== undefined) {
      const location = optString(source, 'path', sourceCtx) ?? '';
      builder.addSource({ kind: 'path', location, line: builder.lines.find(location, 'path') });
    } else if (source.hg_url !== undefined || source.svn_url !== undefined) {
      builder.warn('hg and svn sources are not tracked', builder.lines.lineOf(String(source.hg_url ?? source.svn_url)));
    } else {
      fail(sourceCtx, undefined, 'source needs "url", "git_url" or "path"');
    }
  });
}

/** A scalar field with unresolvable templates restored (and reported). */
function scalar(recipe: Recipe, dict: Record<string, unknown>, key: string, ctx: FieldContext): string | undefined {
  const value = optString(dict, key, ctx);
  if (value === undefined) return undefined;
  return recipe.builder.text(value, `${ctx.path}.${key}`, recipe.builder.lines.lineOf(value, key));
}
