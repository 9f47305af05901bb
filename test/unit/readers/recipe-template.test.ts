// The recipe template machinery: the Jinja expression subset, placeholders, the meta.yaml Jinja pass, repeated selector keys.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings hold rattler-build `${{ … }}` templates, not JS ones
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TemplateBudget } from '../../../src/readers/recipe/budget.ts';
import { renderCondaBuildTemplate } from '../../../src/readers/recipe/conda-build-template.ts';
import { dropRepeatedConditionalKeys } from '../../../src/readers/recipe/duplicate-keys.ts';
import {
  evaluate,
  isUnresolved,
  NOT_A_PACKAGE,
  parseExpression,
  type Result,
  type Value,
} from '../../../src/readers/recipe/expression.ts';
import {
  Placeholders,
  renderAlternatives,
  renderTemplate,
  withoutPlaceholderCharacters,
} from '../../../src/readers/recipe/template.ts';

const scope = new Map<string, Value>([
  ['name', 'GeoTool'],
  ['version', '2.4.1'],
  ['rc', -1],
  ['parts', ['a', 'b']],
  ['enabled', true],
]);

function run(source: string): Result | undefined {
  const budget = new TemplateBudget();
  const node = parseExpression(source, budget);
  return node ? evaluate(node, scope, budget) : undefined;
}

describe('expression subset: values', () => {
  const cases: [string, Value][] = [
    ['version', '2.4.1'],
    ['name | lower', 'geotool'],
    ['name|upper', 'GEOTOOL'],
    ["version | replace('.', '_')", '2_4_1'],
    ['name[0]', 'G'],
    ['name[-1]', 'l'],
    ["version.split('.')[1]", '4'],
    ["version.split('.') | join('-')", '2-4-1'],
    ["'v' ~ version", 'v2.4.1'],
    ['"rc" ~ rc if rc > -1 else ""', ''],
    ['rc + 2', 1],
    ['-rc', 1],
    ['7 // 2', 3],
    ['not enabled', false],
    ['enabled and name', 'GeoTool'],
    ['"" or "fallback"', 'fallback'],
    ["'b' in parts", true],
    ["'z' not in parts", true],
    ["version.startswith('2.')", true],
    ["missing | default('10.14')", '10.14'],
    ['[1, "x"]', [1, 'x']],
    ['(1 + 2) * 3', 9],
    ['None', null],
    ["pin_subpackage('libgeotool', exact=True)", 'libgeotool'],
    ["pin_compatible('numpy', max_pin='x.x')", 'numpy'],
    ["compiler('c')", NOT_A_PACKAGE],
    ["stdlib('c')", NOT_A_PACKAGE],
  ];
  for (const [source, expected] of cases) it(source, () => assert.deepEqual(run(source), expected));
});

describe('expression subset: what it refuses', () => {
  const unresolvable = [
    'PYTHON',
    'environ.get("HOME")',
    "os.getenv('VERSION_OVERRIDE') or GIT_DESCRIBE_TAG",
    'load_setup_py_data()',
    "''.__class__",
    'name.__class__.__mro__',
    "name.format('x')",
    'parts[5]',
    'version > 1',
    'missing or "fallback"',
    '"x" if win',
  ];
  for (const source of unresolvable) {
    it(source, () => {
      const result = run(source);
      assert.ok(result !== undefined && isUnresolved(result), `${source} → ${JSON.stringify(result)}`);
    });
  }

  const unparsable = [
    'x is defined',
    'a.',
    '(1',
    '[1, 2',
    "'unterminated",
    'a @ b',
    `${'('.repeat(200)}1${')'.repeat(200)}`,
  ];
  for (const source of unparsable)
    it(`cannot parse ${source.slice(0, 30)}`, () =>
      assert.equal(parseExpression(source, new TemplateBudget()), undefined));

  it('refuses to build a huge string', () => {
    const big = new Map<string, Value>([['a', 'x'.repeat(40_000)]]);
    const budget = new TemplateBudget();
    const node = parseExpression('a ~ a', budget);
    assert.ok(node && isUnresolved(evaluate(node, big, budget)));
  });
});

describe('template rendering with placeholders', () => {
  it('renders what resolves and restores the rest as written', () => {
    const placeholders = new Placeholders();
    const rendered = renderTemplate(
      'cross-python_${{ target_platform }} ${{ version }}',
      '${{',
      scope,
      placeholders,
      new TemplateBudget(),
    );
    assert.match(rendered, /^cross-python_\uE000\d+\uE001 2\.4\.1$/);
    assert.equal(placeholders.restore(rendered), 'cross-python_${{ target_platform }} 2.4.1');
    assert.deepEqual(placeholders.unresolvedIn(rendered), ['${{ target_platform }}']);
  });

  it('marks compiler() as not a package', () => {
    const placeholders = new Placeholders();
    const rendered = renderTemplate("${{ compiler('c') }}", '${{', scope, placeholders, new TemplateBudget());
    assert.ok(placeholders.isNotAPackage(rendered));
    assert.deepEqual(placeholders.unresolvedIn(rendered), []);
  });

  it('does not end an expression at "}}" inside a string', () => {
    assert.equal(
      renderTemplate("{{ '}}' ~ version }}", '{{', scope, new Placeholders(), new TemplateBudget()),
      '}}2.4.1',
    );
  });

  it('neutralizes placeholder characters a recipe carries itself', () => {
    const placeholders = new Placeholders();
    placeholders.add('${{ secret }}', false);
    const spoof = withoutPlaceholderCharacters('name-\uE0000\uE001');
    assert.equal(placeholders.restore(spoof), 'name-\uFFFD0\uFFFD');
  });

  it('expands an inline conditional on the platform into its branches', () => {
    const placeholders = new Placeholders();
    assert.deepEqual(
      renderAlternatives('${{ "python" if win else "python-dev" }}', '${{', scope, placeholders, new TemplateBudget()),
      [
        { text: 'python', condition: 'win' },
        { text: 'python-dev', condition: 'not (win)' },
      ],
    );
    assert.deepEqual(
      renderAlternatives('${{ "python" if enabled }}', '${{', scope, placeholders, new TemplateBudget()),
      [{ text: 'python' }],
    );
  });
});

describe('conda-build Jinja pass', () => {
  const source = [
    '{% set name = "Demo" %}',
    '{% set version = "1.0" | replace(".", "_") %}',
    '{#',
    '  a comment over two lines',
    '#}',
    'name: {{ name|lower }}',
    '{% if win %}',
    '  - a',
    '{% elif osx %}',
    '  - b',
    '{% else %}',
    '  - c',
    '{% endif %}',
    'version: {{ version }}',
  ].join('\n');
  const placeholders = new Placeholders();
  const rendered = renderCondaBuildTemplate(source, placeholders, new TemplateBudget());
  const lines = rendered.text.split('\n');

  it('keeps every line where it was', () => {
    assert.equal(lines.length, 14);
    assert.equal(lines[5], 'name: demo');
    assert.equal(lines[13], 'version: 1_0');
    assert.equal(lines[7], '  - a');
  });

  it('drops tags and comments but keeps both branches', () => {
    assert.deepEqual([lines[0], lines[2], lines[6], lines[8], lines[12]], ['', '', '', '', '']);
    assert.deepEqual([lines[7], lines[9], lines[11]], ['  - a', '  - b', '  - c']);
  });

  it('remembers the condition of each branch', () => {
    assert.equal(rendered.conditions.get(8), 'win');
    assert.equal(rendered.conditions.get(10), 'not (win) and osx');
    assert.equal(rendered.conditions.get(12), 'not (win) and not (osx)');
    assert.equal(rendered.conditions.get(14), undefined);
  });

  it('forgets a variable whose new value cannot be resolved', () => {
    const text = '{% set v = "1" %}{% set v = load_setup_py_data() %}{{ v }}';
    const again = new Placeholders();
    assert.equal(again.restore(renderCondaBuildTemplate(text, again, new TemplateBudget()).text), '{{ v }}');
  });
});

describe('repeated keys under selectors', () => {
  it('comments out a repeat on a selector line, with its block', () => {
    const text = [
      'source:',
      '  url: https://a/x.tar.gz  # [unix]',
      '  url: https://b/x.zip  # [win]',
      'build:',
      '  script:  # [win]',
      '    - one',
      '  script:  # [unix]',
      '    - two',
      '  number: 1',
    ].join('\n');
    const conditional = (line: number) => /# \[/.test(text.split('\n')[line - 1] ?? '');
    const { text: kept, dropped } = dropRepeatedConditionalKeys(text, conditional);
    assert.deepEqual(dropped, [
      { key: 'url', line: 3 },
      { key: 'script', line: 7 },
    ]);
    assert.deepEqual(
      kept.split('\n').map((line) => line.startsWith('#')),
      [false, false, true, false, false, false, true, true, false],
    );
  });

  it('leaves repeats in separate list items and unconditional repeats alone', () => {
    const text = [
      'outputs:',
      '  - name: a',
      '    script: x',
      '  - name: b',
      '    script: y',
      'name: 1',
      'name: 2',
    ].join('\n');
    const { dropped } = dropRepeatedConditionalKeys(text, () => false);
    assert.deepEqual(dropped, []);
  });

  it('skips block scalars', () => {
    const text = ['about:', '  description: |', '    name: not a key', '    name: still not', '  name: real'].join(
      '\n',
    );
    assert.deepEqual(dropRepeatedConditionalKeys(text, () => true).dropped, []);
  });
});
