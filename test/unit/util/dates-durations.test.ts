import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNow } from '../../../src/cli/audit.ts';
import { parseSize } from '../../../src/code/options.ts';
import { levelFromText } from '../../../src/intel/severity.ts';
import { findInvalidTomlDate } from '../../../src/readers/toml-dates.ts';
import { isCalendarDate, parseCalendarDate, parseInstant } from '../../../src/util/dates.ts';
import { parseDuration } from '../../../src/util/duration.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';

/** Every name Object.prototype answers to: none may be a unit, a level, a size or a key. */
const PROTOTYPE_NAMES = [...Object.getOwnPropertyNames(Object.prototype), '__proto__'];

describe('parseDuration', () => {
  it('reads humantime units, and nothing Object.prototype answers to', () => {
    assert.equal(parseDuration('48h'), 172_800_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('2 Days'), 172_800_000);
    for (const name of PROTOTYPE_NAMES) {
      assert.equal(parseDuration(`1${name}`), undefined, `1${name}`);
      assert.equal(parseDuration(`1h 1${name}`), undefined, `1h 1${name}`);
    }
  });

  it('as no other lookup of outside text does: severity words, file sizes', () => {
    for (const name of PROTOTYPE_NAMES) {
      assert.equal(levelFromText(name), undefined, name);
      assert.equal(parseSize(`1${name}`), undefined, name);
    }
    assert.equal(levelFromText('Moderate'), 'medium');
    assert.equal(parseSize('5MiB'), 5 * 1024 ** 2);
  });

  it('refuses a total that is not a finite number', () => {
    assert.equal(parseDuration(`${'9'.repeat(400)}y`), undefined);
  });
});

describe('dates people write', () => {
  it('exist on the calendar, or are refused', () => {
    assert.deepEqual(parseCalendarDate('2024-02-29'), { year: 2024, month: 2, day: 29 });
    for (const text of ['2026-02-29', '2026-02-31', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '26-1-1']) {
      assert.equal(parseCalendarDate(text), undefined, text);
      assert.equal(parseInstant(text), undefined, text);
    }
    assert.equal(isCalendarDate(2100, 2, 29), false);
    assert.equal(isCalendarDate(2000, 2, 29), true);
  });

  it('as instants: ISO 8601 dates and times only, without an offset meaning UTC', () => {
    assert.equal(parseInstant('2026-11-22'), Date.parse('2026-11-22T00:00:00Z'));
    assert.equal(parseInstant('2026-11-22T12:00:00Z'), Date.parse('2026-11-22T12:00:00Z'));
    assert.equal(parseInstant('2026-11-22T12:00'), Date.parse('2026-11-22T12:00:00Z'));
    assert.equal(parseInstant('2026-11-22 12:00:00.5+02:00'), Date.parse('2026-11-22T10:00:00.500Z'));
    // what `new Date` takes and these do not
    for (const text of [
      '1',
      'March 7',
      '2026-11-22T24:00:00Z',
      '2026-02-31T00:00:00Z',
      '2026-11-22T12:00+25:00',
      'now',
    ]) {
      assert.equal(parseInstant(text), undefined, text);
    }
  });
});

describe('--now', () => {
  it('is one parser for gate, audit, scan-code, diff and sbom', () => {
    assert.equal(parseNow('2026-11-22T12:00:00Z').toISOString(), '2026-11-22T12:00:00.000Z');
    for (const text of ['2026-02-31', '1', 'tomorrow']) {
      assertCvebuildError(() => parseNow(text), 'USAGE', '--now: not a date');
    }
  });
});

describe('TOML date literals smol-toml would roll over', () => {
  it('are found, with their line', () => {
    assert.deepEqual(findInvalidTomlDate('a = 1\n\n[[waivers]]\nexpires = 2026-02-31\n'), {
      literal: '2026-02-31',
      line: 4,
    });
    assert.deepEqual(findInvalidTomlDate('x = [2026-01-01, 2025-04-31T10:00:00Z]'), { literal: '2025-04-31', line: 1 });
  });

  it('but not in strings, comments or keys, nor when the day exists', () => {
    for (const text of [
      'expires = 2024-02-29\nat = 2026-11-22T10:00:00Z\n',
      'reason = "fixed in the 2026-02-31 build"\n',
      "reason = 'see 2026-02-31'\n",
      'note = """\nsee 2026-02-31\n"""\n',
      "note = '''2026-02-31'''\n",
      'a = 1 # until 2026-02-31\n',
      '2026-02-31 = "a key"\n',
      'x.2026-02-31.y = 1\n',
      'version = "1.2026-02-31"\n',
    ]) {
      assert.equal(findInvalidTomlDate(text), undefined, text);
    }
  });

  it('keep counting lines through multi-line strings', () => {
    assert.deepEqual(findInvalidTomlDate('a = """\n\n"""\nb = 2026-06-31\n'), { literal: '2026-06-31', line: 4 });
  });
});
