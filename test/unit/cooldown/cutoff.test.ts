import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchChannel } from '../../../src/conda/channels.ts';
import { parseCutoff } from '../../../src/cooldown/cutoff.ts';

const now = new Date('2026-08-10T12:00:00Z');
const at = (value: string): string | undefined => {
  const parsed = parseCutoff(value, now);
  return parsed && new Date(parsed.at).toISOString();
};

describe('parseCutoff', () => {
  it('reads humantime durations as a window before now', () => {
    assert.equal(at('7d'), '2026-08-03T12:00:00.000Z');
    assert.equal(at('1h30m'), '2026-08-10T10:30:00.000Z');
    assert.equal(at('2w'), '2026-07-27T12:00:00.000Z');
    assert.equal(at('14days'), '2026-07-27T12:00:00.000Z');
    assert.equal(at('90s'), '2026-08-10T11:58:30.000Z');
    assert.deepEqual(parseCutoff('7d', now), {
      at: Date.parse('2026-08-03T12:00:00Z'),
      form: 'duration',
      durationMs: 604_800_000,
    });
  });

  it('keeps m for minutes and M for months (30.44 days)', () => {
    assert.equal(at('30m'), '2026-08-10T11:30:00.000Z');
    assert.equal(parseCutoff('1M', now)?.durationMs, 2_630_016_000);
    assert.equal(parseCutoff('1y', now)?.durationMs, 31_557_600_000);
  });

  it('reads 0d as no delay: the cutoff is now', () => {
    assert.deepEqual(parseCutoff('0d', now), { at: now.getTime(), form: 'duration', durationMs: 0 });
  });

  it('reads a date as the start of the following UTC day, so the whole day is included', () => {
    assert.deepEqual(parseCutoff('2025-11-03', now), { at: Date.parse('2025-11-04T00:00:00Z'), form: 'date' });
    assert.equal(at('2026-03-30'), '2026-03-31T00:00:00.000Z');
    assert.equal(at('2024-12-31'), '2025-01-01T00:00:00.000Z');
    assert.equal(at('2024-02-29'), '2024-03-01T00:00:00.000Z');
  });

  it('reads RFC 3339 times in any offset, and TOML local datetimes as UTC', () => {
    assert.equal(at('2025-11-03T10:00:00Z'), '2025-11-03T10:00:00.000Z');
    assert.equal(at('2025-11-03T10:00:00+02:00'), '2025-11-03T08:00:00.000Z');
    assert.equal(at('2025-11-03t10:00:00.250-01:30'), '2025-11-03T11:30:00.250Z');
    assert.equal(at('2025-11-03 10:00:00z'), '2025-11-03T10:00:00.000Z');
    assert.equal(at('2025-11-03T10:00:00.000'), '2025-11-03T10:00:00.000Z');
    assert.equal(parseCutoff('2025-11-03T10:00:00Z', now)?.form, 'timestamp');
  });

  it('rejects what pixi rejects', () => {
    for (const value of [
      '',
      '7',
      'seven days',
      '7 fortnights',
      '2025-13-01',
      '2025-02-30',
      '2025-11-03T25:00:00Z',
      'now',
      '-7d',
    ]) {
      assert.equal(parseCutoff(value, now), undefined, value);
    }
  });
});

describe('matchChannel', () => {
  it('matches a channel name against the URL it resolves to on any host', () => {
    assert.equal(matchChannel('https://conda.anaconda.org/conda-forge', 'conda-forge'), 'name');
    assert.equal(matchChannel('https://prefix.dev/conda-forge', 'conda-forge'), 'name');
    assert.equal(
      matchChannel('https://conda.anaconda.org/nvidia/label/cuda-12.4.0', 'nvidia/label/cuda-12.4.0'),
      'name',
    );
    assert.equal(matchChannel('conda-forge', 'conda-forge'), 'name');
  });

  it('does not match other channels that share a suffix or a prefix', () => {
    assert.equal(matchChannel('https://prefix.dev/my-conda-forge', 'conda-forge'), undefined);
    assert.equal(matchChannel('https://conda.anaconda.org/conda-forge/label/dev', 'conda-forge'), undefined);
    assert.equal(matchChannel('https://conda.anaconda.org/bioconda', 'conda-forge'), undefined);
  });

  it('compares URLs exactly, without credentials, tokens, trailing slashes or host case', () => {
    assert.equal(matchChannel('https://prefix.dev/conda-forge', 'https://prefix.dev/conda-forge/'), 'url');
    assert.equal(
      matchChannel('https://user:secret@Repo.Example.com/t/abc123/internal', 'https://repo.example.com/internal'),
      'url',
    );
    assert.equal(matchChannel('https://conda.anaconda.org/conda-forge', 'https://prefix.dev/conda-forge'), undefined);
  });
});
