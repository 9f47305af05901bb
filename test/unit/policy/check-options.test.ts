/**
 * Each check declares its settings (type, defaults, `[checks.<id>]` keys); the policy loader
 * validates a check's table with the check's schema and hands the check its typed settings.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Check } from '../../../src/checks/check.ts';
import { CHECKS, defaultCheckSettings } from '../../../src/checks/registry.ts';
import { type SastCheckSettings, sastCheck } from '../../../src/checks/sast.ts';
import { type TyposquatSettings, typosquatCheck } from '../../../src/checks/typosquat.ts';
import { DEFAULT_MAX_FILE_SIZE } from '../../../src/code/walk.ts';
import { loadPolicy } from '../../../src/policy/load.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { auditProject as project } from '../../helpers/project.ts';

const defaultsOf = <S extends object>(check: Check<S>): S | undefined => check.options?.defaults();

describe('check options', () => {
  it('composes every check’s defaults into the settings, fresh on each call', () => {
    assert.deepEqual(defaultCheckSettings(), {
      typosquatAllow: [],
      cooldownUnknownTimestamp: 'warn',
      privateSources: [],
      privateNames: [],
      packageDirs: [],
      trustedChannels: [],
      trustedIndexes: [],
      attestationRequirements: [],
      attestationBundleDirs: [],
      sast: { exclude: [], maxFileSize: DEFAULT_MAX_FILE_SIZE, engines: [], minConfidence: 'low' },
      secrets: { exclude: [], maxFileSize: DEFAULT_MAX_FILE_SIZE },
    });
    for (const check of CHECKS) {
      for (const [key, value] of Object.entries(check.options?.defaults() ?? {})) {
        assert.deepEqual((defaultCheckSettings() as Record<string, unknown>)[key], value, `${check.id}: ${key}`);
      }
    }
    const first = defaultCheckSettings();
    first.typosquatAllow.push('changed');
    assert.deepEqual(defaultCheckSettings().typosquatAllow, []);
  });

  it('gives a check its own typed defaults', () => {
    const typosquat: TyposquatSettings | undefined = defaultsOf(typosquatCheck);
    assert.deepEqual(typosquat, { typosquatAllow: [] });
    const sast: SastCheckSettings | undefined = defaultsOf(sastCheck);
    assert.equal(sast?.sast.minConfidence, 'low');
  });

  it('fills a check’s typed settings from its [checks.<id>] table', () => {
    const dir = project({
      'cvebuild.toml': `
[checks.sast]
engines = ["bandit", "semgrep", "bandit"]
semgrep-config = "p/python"
min-confidence = "high"
exclude = ["vendor/"]
max-file-size = "1MiB"

[checks.secrets]
max-file-size = 2048

[checks.attestation]
bundle-dirs = ["sigs"]
trusted-root = "root.json"
`,
    });
    const { settings } = loadPolicy(dir);
    assert.deepEqual(settings.sast, {
      exclude: ['vendor/'],
      maxFileSize: 1024 * 1024,
      engines: ['bandit', 'semgrep'],
      semgrepConfig: 'p/python',
      minConfidence: 'high',
    });
    assert.deepEqual(settings.secrets, { exclude: [], maxFileSize: 2048 });
    assert.deepEqual(settings.attestationBundleDirs, [join(dir, 'sigs')]);
    assert.equal(settings.attestationTrustedRoot, join(dir, 'root.json'));
    assert.deepEqual(settings.typosquatAllow, [], 'a check the policy does not name keeps its defaults');
  });

  it('rejects a key of the wrong type with the check’s schema, in one line naming file, line and key', () => {
    const confidence = project({ 'cvebuild.toml': '[checks.sast]\nmin-confidence = 3\n' });
    assertCvebuildError(
      () => loadPolicy(confidence),
      'MANIFEST_INVALID',
      'cvebuild.toml:2',
      'checks.sast.min-confidence',
      'expected one of "low", "medium", "high"',
    );
    const timestamp = project({ 'cvebuild.toml': '\n[checks.cooldown]\nunknown-timestamp = true\n' });
    assertCvebuildError(
      () => loadPolicy(timestamp),
      'MANIFEST_INVALID',
      'cvebuild.toml:3',
      'checks.cooldown.unknown-timestamp',
      'expected one of "warn", "fail", "ignore"',
    );
    const dirs = project({ 'cvebuild.toml': '[checks.attestation]\nbundle-dirs = "sigs"\n' });
    assertCvebuildError(
      () => loadPolicy(dirs),
      'MANIFEST_INVALID',
      'cvebuild.toml:2',
      'checks.attestation.bundle-dirs',
      'expected array, got a string "sigs"',
    );
  });

  it('gives a check without policy keys of its own none: [sources] fills the confusion check’s settings', () => {
    const own = project({ 'cvebuild.toml': '[checks.confusion]\nprivate-names = ["acme"]\n' });
    assertCvebuildError(
      () => loadPolicy(own),
      'MANIFEST_INVALID',
      'cvebuild.toml:2',
      'checks.confusion.private-names',
      'unknown key',
    );
    const shared = project({ 'cvebuild.toml': '[sources]\nprivate-names = ["acme"]\n' });
    assert.deepEqual(loadPolicy(shared).settings.privateNames, ['acme']);
  });
});
