// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings hold rattler-build `${{ … }}` templates, not JS ones
// The recipe template evaluator has a budget per recipe: each construct that can multiply work or
// size (set/concat doubling, replace, join, case mapping, repeated use, long and deep expressions,
// nested blocks, long lines) either leaves its value unresolved or stops the read with one
// RECIPE_INVALID line naming the limit, never a crash or a runaway.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TemplateBudget, type TemplateLimits } from '../../../src/readers/recipe/budget.ts';
import { renderCondaBuildTemplate } from '../../../src/readers/recipe/conda-build-template.ts';
import { evaluate, isUnresolved, parseExpression, type Value } from '../../../src/readers/recipe/expression.ts';
import { Placeholders } from '../../../src/readers/recipe/template.ts';
import { condaBuildRecipeReader, rattlerRecipeReader } from '../../../src/readers/recipe.ts';
import {
  doublingSets,
  grownString,
  joinBomb,
  longExpression,
  longLine,
  metaYaml,
  nestedIfs,
} from '../../helpers/bombs.ts';
import { runCli } from '../../helpers/cli.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { writeTemp } from '../../helpers/temp.ts';

/** The variables a conda-build Jinja pass ends with, read back through a `{{ name }}` per variable. */
function render(jinja: string, limits: Partial<TemplateLimits> = {}) {
  const placeholders = new Placeholders();
  const rendered = renderCondaBuildTemplate(jinja, placeholders, new TemplateBudget(limits));
  return { rendered, placeholders };
}

/** Whether `variable` ends up unresolved (its `{{ }}` comes back as a placeholder) after `jinja`. */
function unresolvedAfter(jinja: string, variable: string): boolean {
  const { rendered, placeholders } = render(`${jinja}\n{{ ${variable} }}`);
  return placeholders.unresolvedIn(rendered.text).includes(`{{ ${variable} }}`);
}

const readMeta = (jinja: string) => condaBuildRecipeReader.read(writeTemp('meta.yaml', metaYaml(jinja)));

describe('values are sized before they are built', () => {
  it('{% set a = a + a %} doubling a string 40 times', () => {
    assert.ok(unresolvedAfter(doublingSets('string', 40), 'a'));
  });

  it('{% set a = a + a %} doubling a list 40 times', () => {
    assert.ok(unresolvedAfter(doublingSets('list', 40), 'a'));
  });

  it('{% set a = [a, a] %} nesting a list 40 times (shared, so small in memory but huge as text)', () => {
    assert.ok(unresolvedAfter(doublingSets('nested', 40), 'a'));
  });

  it('~ doubling', () => {
    assert.ok(unresolvedAfter(grownString(1 << 20, ''), 's'));
  });

  it('replace("", s) as a filter and as a method', () => {
    assert.ok(unresolvedAfter(grownString(32_768, '{% set b = s | replace("", s) %}'), 'b'));
    assert.ok(unresolvedAfter(grownString(32_768, '{% set b = s.replace("x", s) %}'), 'b'));
    assert.ok(!unresolvedAfter(grownString(64, '{% set b = s | replace("x", "y") %}'), 'b'), 'an ordinary replace');
  });

  it('join with a long separator', () => {
    assert.ok(unresolvedAfter(joinBomb(12, 32_768), 'j'));
    assert.ok(!unresolvedAfter(joinBomb(3, 8), 'j'), 'an ordinary join');
  });

  it('upper, which can lengthen a string', () => {
    const jinja = '{% set s = "ß" %}'.concat(...Array.from({ length: 15 }, () => '\n{% set s = s ~ s %}'));
    assert.ok(unresolvedAfter(`${jinja}\n{% set u = s | upper %}`, 'u'));
  });

  it('a long value used again and again: the rendered output is charged', () => {
    const jinja = grownString(60_000, '{{ s }}\n'.repeat(400));
    const error = assertCvebuildError(() => readMeta(jinja), 'RECIPE_INVALID', 'limit maxBuiltChars', 'meta.yaml');
    assert.ok(!error.toLine().includes('\n'));
  });
});

describe('expressions have a size and a depth', () => {
  it('a 100,000-term expression is refused at its tag, with the line', () => {
    assertCvebuildError(() => readMeta(longExpression(100_000)), 'RECIPE_INVALID', 'meta.yaml:1', 'limit maxTagLength');
  });

  it('a long chain inside the tag limit is outside the subset (unresolved), and does not recurse that deep', () => {
    for (const operator of ['+', '~', 'and', '==']) {
      assert.ok(unresolvedAfter(longExpression(2000, operator), 'a'), operator);
    }
    assert.ok(unresolvedAfter(`{% set a = "x"${' | lower'.repeat(1800)} %}`, 'a'), 'filter chain');
    assert.ok(unresolvedAfter(`{% set a = ${'('.repeat(4000)}1${')'.repeat(4000)} %}`, 'a'), 'parentheses');
    assert.ok(unresolvedAfter(`{% set a = ${'not '.repeat(3000)}1 %}`, 'a'), 'not');
    assert.ok(unresolvedAfter(`{% set a = ${'-'.repeat(8000)}1 %}`, 'a'), 'unary minus');
    assert.ok(!unresolvedAfter(longExpression(40, '+'), 'a'), 'an ordinary chain');
  });

  it('evaluation steps are counted over the whole recipe', () => {
    const jinja = Array.from({ length: 200 }, () => longExpression(20)).join('\n');
    render(jinja, { maxSteps: 100_000 });
    assert.throws(() => render(jinja, { maxSteps: 5_000 }), /limit maxSteps/);
  });

  it('the evaluator takes no work from the JavaScript stack: a deep value stays unresolved', () => {
    const budget = new TemplateBudget();
    const deep: Value[] = [];
    let cursor = deep;
    for (let i = 0; i < 100_000; i++) {
      const next: Value[] = [];
      cursor.push(next);
      cursor = next;
    }
    const node = parseExpression('deep ~ "x"', budget);
    assert.ok(node && isUnresolved(evaluate(node, new Map([['deep', deep]]), budget)));
  });
});

describe('blocks and lines', () => {
  it('20,000 nested {% if %} blocks are refused at the first one too many', () => {
    assertCvebuildError(
      () => condaBuildRecipeReader.read(writeTemp('meta.yaml', nestedIfs(20_000, metaYaml('')))),
      'RECIPE_INVALID',
      'meta.yaml:33',
      'limit maxIfDepth',
    );
  });

  it('a long chain of {% elif %} is refused by the length of the condition it puts lines under', () => {
    const chain = `{% if a %}\n${Array.from({ length: 20_000 }, (_, i) => `{% elif b${i} %}\n`).join('')}{% endif %}`;
    assertCvebuildError(() => readMeta(chain), 'RECIPE_INVALID', 'limit maxConditionLength');
  });

  it('nested if: entries in a rattler-build recipe are refused by the length of their condition', () => {
    let body = '';
    let indent = '    ';
    for (let i = 0; i < 25; i++) {
      body += `${indent}- if: ${'x'.repeat(200)}${i}\n${indent}  then:\n`;
      indent += '    ';
    }
    body += `${indent}- leaf\n`;
    const path = writeTemp('recipe.yaml', `package:\n  name: a\n  version: "1"\nrequirements:\n  run:\n${body}`);
    assertCvebuildError(() => rattlerRecipeReader.read(path), 'RECIPE_INVALID', 'limit maxConditionLength');
  });

  it('lines of 200,000 blanks after a key, a list item or a bare word read in linear time', () => {
    for (const prefix of ['x', '    - b', 'about:', '  # [win]', '{{ "a" }}']) {
      const path = writeTemp('meta.yaml', `${metaYaml('')}${longLine(prefix, 200_000)}\n`);
      try {
        condaBuildRecipeReader.read(path);
      } catch (error) {
        // A line that is not YAML is a YAML error like any other; anything else is a bug.
        assertCvebuildError(() => {
          throw error;
        }, 'YAML_SYNTAX');
      }
    }
  });

  it('rattler-build context variables doubling each other are unresolved, not built', () => {
    const context = ['  a0: "xy"', ...Array.from({ length: 40 }, (_, i) => `  a${i + 1}: \${{ a${i} ~ a${i} }}`)];
    const path = writeTemp(
      'recipe.yaml',
      `context:\n${context.join('\n')}\npackage:\n  name: demo\n  version: \${{ a40 }}\n`,
    );
    const output = rattlerRecipeReader.read(path);
    assert.deepEqual(output.manifest?.recipeOutputs, [{ name: 'demo', version: '${{ a40 }}' }]);
  });
});

describe('the CLI', () => {
  it('exits 2 with one line for each bomb of the issue', () => {
    const bombs = [
      ['ifs', nestedIfs(20_000, metaYaml(''))],
      ['terms', metaYaml(longExpression(100_000))],
      ['output', metaYaml(grownString(60_000, '{{ s }}\n'.repeat(400)))],
    ] as const;
    for (const [name, text] of bombs) {
      const path = writeTemp(`${name}/meta.yaml`, text);
      const result = runCli(['inventory', path]);
      assert.equal(result.status, 2, `${name}: ${result.stderr}`);
      assert.match(result.stderr, /^cvebuild: \S+meta\.yaml(:\d+)?: .*\(limit max\w+\)\n$/, name);
    }
  });

  it('reads a recipe whose doubling sets only leave a variable unresolved', () => {
    const path = writeTemp('sets/meta.yaml', metaYaml(doublingSets('list', 40)));
    const result = runCli(['inventory', path]);
    assert.equal(result.status, 0, result.stderr);
  });
});
