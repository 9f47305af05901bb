import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { declaredLicense } from '../../../src/report/license.ts';

describe('declaredLicense', () => {
  it('reads SPDX expressions, and says which are a single plain license', () => {
    assert.deepEqual(declaredLicense('MIT'), { kind: 'expression', expression: 'MIT', licenseRefs: [], single: true });
    assert.equal(declaredLicense('GPL-2.0-or-later')?.kind, 'expression');
    assert.deepEqual(declaredLicense('GPL-2.0+'), {
      kind: 'expression',
      expression: 'GPL-2.0+',
      licenseRefs: [],
      single: false,
    });
    assert.deepEqual(declaredLicense('  Apache-2.0   WITH LLVM-exception '), {
      kind: 'expression',
      expression: 'Apache-2.0 WITH LLVM-exception',
      licenseRefs: [],
      single: false,
    });
    assert.deepEqual(declaredLicense('(MIT OR LicenseRef-B) AND LicenseRef-A AND LicenseRef-B'), {
      kind: 'expression',
      expression: '(MIT OR LicenseRef-B) AND LicenseRef-A AND LicenseRef-B',
      licenseRefs: ['LicenseRef-A', 'LicenseRef-B'],
      single: false,
    });
  });

  it('keeps other text as a name, and placeholders as nothing', () => {
    assert.deepEqual(declaredLicense('BSD'), { kind: 'name', name: 'BSD' });
    assert.deepEqual(declaredLicense('mit'), { kind: 'name', name: 'mit' });
    assert.deepEqual(declaredLicense('DocumentRef-x:LicenseRef-y'), {
      kind: 'name',
      name: 'DocumentRef-x:LicenseRef-y',
    });
    for (const placeholder of [undefined, '', ' ', 'None', 'NOASSERTION', 'unknown']) {
      assert.equal(declaredLicense(placeholder), undefined, String(placeholder));
    }
  });
});
