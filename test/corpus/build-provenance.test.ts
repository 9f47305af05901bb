/**
 * A real corpus recipe (rattler-build's `rich` example) built beside a real pixi.lock (pixi's
 * gcp-keyring example: an index URL with `oauth2accesstoken@` userinfo), signed keyed: its SLSA
 * provenance names every locked archive with the lock's own sha256, the recipe's source tarball
 * with the digest the recipe pins, no credential, and `cvebuild verify` accepts it.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { buildIntelStore, cphCommand, noCph } from '../helpers/build-recipe.ts';
import { runCli } from '../helpers/cli.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { slsaProvenanceErrors } from '../helpers/schemas.ts';
import { tempDirectory } from '../helpers/temp.ts';

const LOCK = 'pixi/pixi-ex-python-library-gcp-keyring/pixi.lock';
const RECIPE = 'recipes/rattler-build/examples/rich/recipe.yaml';

describe('SLSA provenance of a corpus recipe built with a corpus lock', {
  skip: !hasCorpus ? 'no ../shared corpus' : noCph,
}, () => {
  it('names every locked archive by its URL and sha256, without credentials, and verifies', () => {
    const dir = join(tempDirectory(), 'rich');
    mkdirSync(dir);
    copyFileSync(corpus(RECIPE), join(dir, 'recipe.yaml'));
    copyFileSync(corpus(LOCK), join(dir, 'pixi.lock'));
    const out = tempDirectory();
    const keys = join(out, 'signing');
    assert.equal(runCli(['keygen', '--out', keys]).status, 0);
    const result = runCli([
      ...['build', dir, '--format', 'json', '--offline', '--db', buildIntelStore(), '--output-dir', out],
      ...[
        '--build-command',
        cphCommand('rich', '14.2.0'),
        '--key',
        `${keys}.key`,
        '--channel',
        'https://example.invalid/c',
      ],
    ]);
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    const stage = report.stages.find((s: { stage: string }) => s.stage === 'provenance');
    assert.equal(stage.outcome, 'passed', stage.reason);
    assert.equal(report.claims.slsa.label, 'Build L1');

    const bundle = JSON.parse(readFileSync(stage.details.provenance, 'utf8'));
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8');
    assert.ok(!payload.includes('oauth2accesstoken'), 'the index userinfo is not published');
    const statement = JSON.parse(payload);
    assert.deepEqual(slsaProvenanceErrors(statement), []);
    const dependencies = statement.predicate.buildDefinition.resolvedDependencies as {
      uri?: string;
      digest?: Record<string, string>;
    }[];
    const byUri = new Map(dependencies.map((dependency) => [dependency.uri, dependency.digest]));

    // the lock, read here with a YAML parser: every record's archive (or local path) with the lock's sha256
    const lock = load(readFileSync(corpus(LOCK), 'utf8')) as {
      packages: { url?: string; path?: string; sha256?: string }[];
    };
    const archives = new Map(lock.packages.map((record) => [record.url ?? `path:${record.path}`, record.sha256]));
    const digests = new Set(dependencies.map((dependency) => dependency.digest?.sha256));
    for (const [where, sha256] of archives) {
      assert.ok(sha256, `the corpus lock has a sha256 for ${where}`);
      if (where.startsWith('path:')) assert.ok(digests.has(sha256), where);
      else assert.equal(byUri.get(where)?.sha256, sha256, where);
    }
    assert.equal(stage.details.materials.packages, archives.size);
    assert.equal(stage.details.materials.packagesWithSha256, archives.size);
    const recipeText = readFileSync(corpus(RECIPE), 'utf8');
    const pinned = /sha256: ([0-9a-f]{64})/.exec(recipeText)?.[1];
    assert.equal(byUri.get('https://pypi.io/packages/source/r/rich/rich-14.2.0.tar.gz')?.sha256, pinned);
    assert.ok(
      statement.predicate.buildDefinition.externalParameters.channels.includes(
        'https://europe-west4-python.pkg.dev/test-artifact-registry-423208/test/simple',
      ),
    );

    const [artifact] = report.stages.find((s: { stage: string }) => s.stage === 'build').details.artifacts;
    const verified = runCli(['verify', artifact.file, '--bundle', stage.details.provenance, '--key', `${keys}.pub`]);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, new RegExp(`^ {2}inputs {3}${dependencies.length} resolved dependencies`, 'm'));
  });
});
