/**
 * rattler-build recipes (`recipe.yaml`, the conda-forge v1 format): outputs, sources and the
 * build / host / run / run_constraints requirements of each output. YAML first, then `${{ … }}`
 * templates per value, with `context:` variables. `if:` list entries that depend on the target
 * platform keep both branches, noting the condition; those that `context:` decides are evaluated.
 */
import { CvebuildError } from '../../errors.ts';
import { readTextInput } from '../../fs/read-input.ts';
import type { DependencyScope } from '../../model/inventory.ts';
import { child, describeType, expectDict, expectList, type FieldContext, fail, isDict, optString } from '../fields.ts';
import type { Reader, ReaderOutput } from '../types.ts';
import { loadYaml } from '../yaml.ts';
import { isBlankYaml, YamlLines } from '../yaml-lines.ts';
import { TemplateBudget, TemplateBudgetExceeded, withinTemplateBudget } from './budget.ts';
import { evaluate, isTruthy, isUnresolved, type Scope, type Value } from './expression.ts';
import { RecipeBuilder } from './recipe-builder.ts';
import {
  evaluateWhole,
  Placeholders,
  parseTag,
  renderAlternatives,
  renderTemplate,
  withoutPlaceholderCharacters,
} from './template.ts';

export const rattlerRecipeReader: Reader = { format: 'rattler-recipe', read: readRattlerRecipe };

const REQUIREMENT_SCOPES = new Map<string, DependencyScope>([
  ['build', 'build'],
  ['host', 'host'],
  ['run', 'run'],
  ['run_constraints', 'constraint'],
]);

interface Recipe {
  builder: RecipeBuilder;
  scope: Scope;
  budget: TemplateBudget;
  /** Defaults of a multi-output recipe (`recipe: {name, version}`), or of its single package. */
  name?: string;
  version?: string;
}

interface Conditioned {
  value: unknown;
  condition?: string;
}

function readRattlerRecipe(file: string): ReaderOutput {
  return withinTemplateBudget(file, () => readWithin(file, new TemplateBudget()));
}

function readWithin(file: string, budget: TemplateBudget): ReaderOutput {
  const text = withoutPlaceholderCharacters(readTextInput(file));
  const document = isBlankYaml(text) ? undefined : loadYaml(text, file);
  if (document === undefined || document === null) throw new CvebuildError('RECIPE_INVALID', 'empty recipe', { file });
  const ctx: FieldContext = { file, code: 'RECIPE_INVALID', path: '' };
  const root = expectDict(document, ctx);
  if (!isDict(root.package) && root.outputs === undefined)
    fail(ctx, undefined, 'recipe has neither "package" nor "outputs"');

  const placeholders = new Placeholders();
  const lines = new YamlLines(text);
  const recipe: Recipe = {
    builder: new RecipeBuilder(file, lines, placeholders, false),
    scope: contextScope(root.context, child(ctx, 'context'), placeholders, budget),
    budget,
  };
  const defaults = isDict(root.recipe) ? root.recipe : isDict(root.package) ? root.package : {};
  const defaultsCtx = child(ctx, isDict(root.recipe) ? 'recipe' : 'package');
  recipe.name = renderedField(recipe, defaults, 'name', defaultsCtx);
  recipe.version = renderedField(recipe, defaults, 'version', defaultsCtx);

  // Keys are visited in document order, so line lookups move forward through the file.
  for (const key of Object.keys(root)) {
    const value = root[key];
    if (key === 'package') {
      readPackage(recipe, expectDict(value, child(ctx, key)), child(ctx, key));
    } else if (key === 'source') {
      lines.enterTopLevel(key);
      readSources(recipe, value, child(ctx, key));
    } else if (key === 'requirements') {
      lines.enterTopLevel(key);
      readRequirements(recipe, value, child(ctx, key), recipe.name, undefined);
    } else if (key === 'cache') {
      // The build cache shared by all outputs: its requirements are build inputs too.
      lines.enterTopLevel(key);
      lines.enter('requirements');
      const cacheCtx = child(ctx, key);
      const requirements = expectDict(value, cacheCtx).requirements;
      readRequirements(
        recipe,
        requirements,
        child(cacheCtx, 'requirements'),
        `${recipe.name ?? ''} cache`.trim(),
        undefined,
      );
    } else if (key === 'outputs') {
      lines.enterTopLevel(key);
      readOutputs(recipe, expectList(value, child(ctx, key)), child(ctx, key));
    }
  }
  return recipe.builder.result('rattler-recipe');
}

/** `context:` variables, in order: each may use the ones before it. */
function contextScope(
  value: unknown,
  ctx: FieldContext,
  placeholders: Placeholders,
  budget: TemplateBudget,
): Map<string, Value> {
  const scope = new Map<string, Value>();
  if (value === undefined || value === null) return scope;
  for (const [name, raw] of Object.entries(expectDict(value, ctx))) {
    if (typeof raw === 'number' || typeof raw === 'boolean') {
      scope.set(name, raw);
    } else if (typeof raw === 'string') {
      const whole = evaluateWhole(raw, '${{', scope, budget);
      const rendered = whole ?? renderTemplate(raw, '${{', scope, placeholders, budget);
      // A variable that cannot be resolved stays unset: later uses keep their raw template.
      if (typeof rendered !== 'string' || !placeholders.holdsAny(rendered)) scope.set(name, rendered);
    }
  }
  return scope;
}

function readPackage(recipe: Recipe, pkg: Record<string, unknown>, ctx: FieldContext): string {
  const name = renderedField(recipe, pkg, 'name', ctx) ?? fail(ctx, 'name', 'required field is missing');
  const version = renderedField(recipe, pkg, 'version', ctx) ?? recipe.version ?? '';
  recipe.builder.addOutput(name, version);
  return name;
}

function readOutputs(recipe: Recipe, items: unknown[], ctx: FieldContext): void {
  flattenConditionals(items, recipe).forEach(({ value, condition }, index) => {
    const outputCtx = child(ctx, index);
    const output = expectDict(value, outputCtx);
    const staging = isDict(output.staging) ? output.staging : undefined;
    const name = isDict(output.package)
      ? readPackage(recipe, output.package, child(outputCtx, 'package'))
      : staging
        ? renderedField(recipe, staging, 'name', child(outputCtx, 'staging'))
        : fail(outputCtx, undefined, 'output has neither "package" nor "staging"');
    for (const key of Object.keys(output)) {
      if (key === 'source') {
        recipe.builder.lines.enter(key);
        readSources(recipe, output[key], child(outputCtx, key));
      } else if (key === 'requirements') {
        recipe.builder.lines.enter(key);
        readRequirements(recipe, output[key], child(outputCtx, key), name, condition);
      }
    }
  });
}

function readRequirements(
  recipe: Recipe,
  value: unknown,
  ctx: FieldContext,
  group: string | undefined,
  outputCondition: string | undefined,
): void {
  if (value === undefined || value === null) return;
  const requirements = expectDict(value, ctx);
  for (const [section, entries] of Object.entries(requirements)) {
    const scope = REQUIREMENT_SCOPES.get(section);
    if (!scope || entries === null) continue;
    recipe.builder.lines.enter(section);
    const sectionCtx = child(ctx, section);
    const items = flattenConditionals(expectList(entries, sectionCtx), recipe, outputCondition);
    items.forEach(({ value: item, condition }, index) => {
      if (typeof item !== 'string' && typeof item !== 'number') {
        fail(child(sectionCtx, index), undefined, `expected a MatchSpec, found ${describeType(item)}`);
      }
      const raw = String(item);
      const line = recipe.builder.lines.find(raw);
      for (const alternative of renderAlternatives(
        raw,
        '${{',
        recipe.scope,
        recipe.builder.placeholders,
        recipe.budget,
      )) {
        recipe.builder.addDependency({
          text: alternative.text,
          scope,
          group,
          condition: joinConditions(recipe.budget, condition, alternative.condition),
          line,
        });
      }
    });
  }
}

function readSources(recipe: Recipe, value: unknown, ctx: FieldContext): void {
  if (value === undefined || value === null) return;
  const entries = Array.isArray(value) ? flattenConditionals(value, recipe) : [{ value }];
  entries.forEach(({ value: entry }, index) => {
    const sourceCtx = Array.isArray(value) ? child(ctx, index) : ctx;
    const source = expectDict(entry, sourceCtx);
    // Digests stay rendered-only: the builder checks them, and reports unresolvable ones.
    const digest = (key: 'sha256' | 'md5') => {
      const raw = optString(source, key, sourceCtx);
      return raw === undefined ? undefined : render(recipe, raw);
    };
    const sha256 = digest('sha256');
    const md5 = digest('md5');
    const { lines } = recipe.builder;
    if (source.url !== undefined) {
      const urls = Array.isArray(source.url) ? source.url : [source.url];
      urls.forEach((url) => {
        if (typeof url !== 'string')
          fail(child(sourceCtx, 'url'), undefined, `expected a URL, found ${describeType(url)}`);
        const line = Array.isArray(source.url) ? lines.find(url) : lines.find(url, 'url');
        const location = render(recipe, url);
        recipe.builder.addSource({ kind: 'url', location, sha256, md5, line });
      });
    } else if (source.git !== undefined) {
      const git = optString(source, 'git', sourceCtx) ?? '';
      const line = lines.find(git, 'git');
      const rev = ['rev', 'tag', 'branch'].map((key) => renderedField(recipe, source, key, sourceCtx)).find(Boolean);
      recipe.builder.addSource({ kind: 'git', location: render(recipe, git), rev, line });
    } else if (source.path !== undefined) {
      const path = optString(source, 'path', sourceCtx) ?? '';
      recipe.builder.addSource({
        kind: 'path',
        location: render(recipe, path),
        sha256,
        md5,
        line: lines.find(path, 'path'),
      });
    } else {
      fail(sourceCtx, undefined, 'source needs "url", "git" or "path"');
    }
  });
}

/**
 * `- if: <expr>\n  then: …\n  else: …` entries, flattened. A condition `context:` decides is
 * evaluated; one that depends on the platform (`win`, `build_platform != target_platform`) keeps
 * both branches, each with its condition.
 */
function flattenConditionals(items: unknown[], recipe: Recipe, condition?: string): Conditioned[] {
  return items.flatMap((item): Conditioned[] => {
    if (!isDict(item) || !('if' in item)) return [{ value: item, condition }];
    const test = String(item.if);
    const decided = decideCondition(item.if, recipe);
    const thenItems = decided === false ? [] : asList(item.then);
    const elseItems = decided === true ? [] : asList(item.else);
    const join = (added: string) =>
      decided === undefined ? joinConditions(recipe.budget, condition, added) : condition;
    return [
      ...flattenConditionals(thenItems, recipe, join(test)),
      ...flattenConditionals(elseItems, recipe, join(`not (${test})`)),
    ];
  });
}

function decideCondition(test: unknown, recipe: Recipe): boolean | undefined {
  if (typeof test === 'boolean') return test;
  const node = typeof test === 'string' ? parseTag(test, recipe.budget) : undefined;
  const value = node ? evaluate(node, recipe.scope, recipe.budget) : undefined;
  return value === undefined || isUnresolved(value) ? undefined : isTruthy(value);
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function joinConditions(budget: TemplateBudget, ...conditions: (string | undefined)[]): string | undefined {
  const present = conditions.filter((condition): condition is string => Boolean(condition));
  if (present.length === 0) return undefined;
  const joined = present.join(' and ');
  if (joined.length > budget.limits.maxConditionLength) {
    throw new TemplateBudgetExceeded(
      'maxConditionLength',
      `nested if: conditions come to more than ${budget.limits.maxConditionLength} characters`,
    );
  }
  return joined;
}

function render(recipe: Recipe, text: string): string {
  return renderTemplate(text, '${{', recipe.scope, recipe.builder.placeholders, recipe.budget);
}

/** A scalar field, templates rendered and unresolvable ones restored with a warning. */
function renderedField(
  recipe: Recipe,
  dict: Record<string, unknown>,
  key: string,
  ctx: FieldContext,
): string | undefined {
  const raw = optString(dict, key, ctx);
  if (raw === undefined) return undefined;
  const rendered = render(recipe, raw);
  return recipe.builder.text(
    rendered,
    `${ctx.path ? `${ctx.path}.` : ''}${key}`,
    recipe.builder.lines.lineOf(raw, key),
  );
}
