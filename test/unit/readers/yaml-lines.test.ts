// Finding the lines of YAML list entries and keys by scanning text, in document order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBlankYaml, YamlLines } from '../../../src/readers/yaml-lines.ts';

const TEXT = [
  'requirements:', //              1
  '  host:', //                    2
  '    - python', //               3
  '    - "numpy >=1.26"  # ABI', // 4
  '  run:', //                     5
  '    - python', //               6
  '    - if: win', //              7
  '      then: pywin32', //        8
  '    - zlib  # [unix]', //       9
  'source:', //                    10
  '  url: https://example.org/a.tar.gz#frag', // 11
].join('\n');

describe('YamlLines', () => {
  it('finds entries in document order, so repeats get their own line', () => {
    const lines = new YamlLines(TEXT);
    lines.enter('host');
    assert.equal(lines.find('python'), 3);
    lines.enter('run');
    assert.equal(lines.find('python'), 6);
  });

  it('unquotes values, drops comments and reads then/else values', () => {
    const lines = new YamlLines(TEXT);
    assert.equal(lines.find('numpy >=1.26'), 4);
    assert.equal(lines.find('pywin32'), 8);
    assert.equal(lines.find('zlib'), 9);
  });

  it('finds key: value pairs; a # without a space before it is not a comment', () => {
    const lines = new YamlLines(TEXT);
    assert.equal(lines.find('https://example.org/a.tar.gz#frag', 'url'), 11);
    assert.equal(lines.lineOf('python'), 3);
  });

  it('enters top-level keys wherever the cursor is', () => {
    const lines = new YamlLines(TEXT);
    lines.find('zlib');
    lines.enterTopLevel('requirements');
    assert.equal(lines.find('python'), 3);
  });

  it('reads conda-build selectors', () => {
    const lines = new YamlLines(TEXT);
    assert.equal(lines.selectorAt(9), 'unix');
    assert.equal(lines.selectorAt(4), undefined);
    assert.equal(lines.selectorAt(undefined), undefined);
  });

  it('gives undefined for text that is not there', () => {
    assert.equal(new YamlLines(TEXT).find('scipy'), undefined);
  });

  it('tells a text with no YAML content', () => {
    assert.equal(isBlankYaml('\n# comment\n   \n'), true);
    assert.equal(isBlankYaml('a: 1'), false);
  });
});
