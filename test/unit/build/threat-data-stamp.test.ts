/** The threat data's stamp, part of a build's run digest: new data changes it, an empty WAL does not. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { threatDataStamp } from '../../../src/build/threat-data-stamp.ts';
import { writeTemp } from '../../helpers/temp.ts';

describe('threat data stamp', () => {
  it('ignores the empty WAL a first read creates, and notices one holding writes', () => {
    const db = writeTemp('store/intel.db', 'a store');
    const before = threatDataStamp(db);
    writeFileSync(`${db}-wal`, '');
    assert.deepEqual(threatDataStamp(db), before);
    writeFileSync(`${db}-wal`, 'pending pages');
    assert.notDeepEqual(threatDataStamp(db), before);
  });
});
