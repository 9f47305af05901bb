/**
 * `require-attestation` for a PyPI index: the locked wheel's PEP 740 provenance, fetched from the
 * index's integrity API on a loopback server that serves the real provenance PyPI publishes for
 * pypi_attestations-0.0.30 (test/fixtures/pep740), verified against Sigstore's production root.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: the tests edit provenance JSON field by field
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { integrityUrl } from '../../../src/attest/pypi-provenance.ts';
import { type AttestationRequirement, attestationCheck, publishersFor } from '../../../src/checks/attestation.ts';
import type { CheckSettings } from '../../../src/checks/check.ts';
import { defaultCheckSettings } from '../../../src/checks/registry.ts';
import type { Package } from '../../../src/model/package.ts';
import { inventoryFromPackages } from '../../../src/readers/packages.ts';
import { runCliAsync } from '../../helpers/cli.ts';
import { type FeedServer, startFeedServer } from '../../helpers/feed-server.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/pep740/pypi_attestations-0.0.30-py3-none-any.whl.provenance.json', import.meta.url),
);
const WHEEL = 'pypi_attestations-0.0.30-py3-none-any.whl';
const WHEEL_SHA256 = 'b3a9c53f6cb89e5e7b5b70e6cfca97cfc66008c1ed54087355e06e40071cef21';
const WHEEL_URL = `https://files.pythonhosted.org/packages/ab/cd/${WHEEL}`;
const PROVENANCE_PATH = `/integrity/pypi-attestations/0.0.30/${WHEEL}/provenance`;
const GITHUB = 'https://token.actions.githubusercontent.com';

let server: FeedServer;
let INDEX: string;

before(async () => {
  server = await startFeedServer();
  INDEX = server.url('/simple');
});
after(() => server.close());

function wheel(overrides: Partial<Package> = {}): Package {
  return {
    ecosystem: 'pypi',
    name: 'pypi-attestations',
    normalizedName: 'pypi-attestations',
    version: '0.0.30',
    platform: 'linux-64',
    index: INDEX,
    url: WHEEL_URL,
    location: WHEEL_URL,
    sha256: WHEEL_SHA256,
    kind: 'registry',
    depends: [],
    requiresDist: [],
    purls: [],
    environments: ['default'],
    origin: { file: 'pixi.lock' },
    ...overrides,
  };
}

const requirement = (publishers: AttestationRequirement['publishers'] = [], index = INDEX): AttestationRequirement => ({
  index,
  publishers,
  origin: { file: 'cvebuild.toml' },
});

async function run(
  pkg: Package,
  settings: Partial<CheckSettings>,
  options: { cacheDir?: string; offline?: boolean } = {},
) {
  return attestationCheck.run(inventoryFromPackages([pkg]), {
    now: new Date('2026-11-22T12:00:00Z'),
    offline: options.offline ?? false,
    cacheDir: options.cacheDir ?? tempDirectory(),
    settings: { ...defaultCheckSettings(), ...settings },
  });
}

function serve(body: string): void {
  server.serve(PROVENANCE_PATH, { body });
}

const realProvenance = () => readFileSync(FIXTURE, 'utf8');

describe('attestation check on PyPI packages (PEP 740)', () => {
  it('finds the integrity API beside the simple API, as PyPI lays them out', () => {
    assert.equal(
      integrityUrl({
        index: 'https://pypi.org/simple/',
        project: 'pypi-attestations',
        version: '0.0.30',
        filename: WHEEL,
      }),
      `https://pypi.org/integrity/pypi-attestations/0.0.30/${WHEEL}/provenance`,
    );
    assert.equal(
      integrityUrl({ index: 'https://test.pypi.org/simple', project: 'x', version: '1', filename: 'x-1.tar.gz' }),
      'https://test.pypi.org/integrity/x/1/x-1.tar.gz/provenance',
    );
    assert.equal(
      integrityUrl({ index: 'https://mirror.example/pypi/', project: 'x', version: '1', filename: 'x' }),
      undefined,
    );
  });

  it('applies index requirements to PyPI packages only, package-specific ones first', () => {
    const all = requirement([{ identity: 'a', issuer: 'i' }]);
    const mine = { ...requirement([{ identity: 'b', issuer: 'i' }]), package: 'PyPI_Attestations' };
    assert.deepEqual(publishersFor(wheel(), [all, mine]), mine.publishers);
    assert.deepEqual(publishersFor(wheel({ name: 'other', normalizedName: 'other' }), [all, mine]), all.publishers);
    assert.equal(publishersFor(wheel({ index: 'https://pypi.org/simple' }), [all]), undefined);
    assert.deepEqual(publishersFor(wheel({ index: undefined }), [requirement([], 'https://pypi.org/simple/')]), []);
    assert.equal(publishersFor(wheel({ kind: 'url' }), [all]), undefined);
    const conda: Package = { ...wheel(), ecosystem: 'conda', channel: INDEX };
    assert.equal(publishersFor(conda, [all]), undefined);
  });

  it('passes the real provenance of the locked wheel, and serves later runs from the cache', async () => {
    serve(realProvenance());
    const cacheDir = tempDirectory();
    const before = server.requests.length;
    assert.deepEqual(await run(wheel(), { attestationRequirements: [requirement()] }, { cacheDir }), []);
    const fetched = server.requests.slice(before);
    assert.deepEqual(
      fetched.map((request) => request.path),
      [PROVENANCE_PATH],
    );
    assert.match(fetched[0]?.accept ?? '', /application\/vnd\.pypi\.integrity\.v1\+json/);
    // offline, from the cache: nothing fetched, still verified
    assert.deepEqual(await run(wheel(), { attestationRequirements: [requirement()] }, { cacheDir, offline: true }), []);
    assert.equal(server.requests.length, before + 1);
  });

  it('passes with a pinned publisher that matches, fails as untrusted with one that does not', async () => {
    serve(realProvenance());
    const pinned = requirement([{ identityRegexp: 'https://github\\.com/pypi/pypi-attestations/.+', issuer: GITHUB }]);
    assert.deepEqual(await run(wheel(), { attestationRequirements: [pinned] }), []);
    const other = requirement([{ identityRegexp: 'https://github\\.com/psf/.+', issuer: GITHUB }]);
    const findings = await run(wheel(), { attestationRequirements: [other] });
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.rule, 'attestation/untrusted-publisher');
  });

  it('fails a tampered provenance as invalid, and another file as not the one attested', async () => {
    const tampered: any = JSON.parse(realProvenance());
    tampered.attestation_bundles[0].publisher.repository = 'evil/pypi-attestations';
    serve(JSON.stringify(tampered));
    const findings = await run(wheel(), { attestationRequirements: [requirement()] });
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.rule, 'attestation/untrusted-publisher');
    assert.match(
      findings[0]?.message ?? '',
      /^pypi-attestations 0\.0\.30: attestation is not from a trusted publisher \(identity\): the certificate was issued to repository/,
    );

    serve(realProvenance());
    const otherBytes = await run(wheel({ sha256: '0'.repeat(64) }), { attestationRequirements: [requirement()] });
    assert.equal(otherBytes[0]?.rule, 'attestation/invalid');
    assert.equal(otherBytes[0]?.severity, 'critical');
    assert.equal(otherBytes[0]?.evidence.code, 'subject-digest');

    const signature: any = JSON.parse(realProvenance());
    const envelope = signature.attestation_bundles[0].attestations[0].envelope;
    envelope.signature = Buffer.from(envelope.signature, 'base64').reverse().toString('base64');
    serve(JSON.stringify(signature));
    const forged = await run(wheel(), { attestationRequirements: [requirement()] });
    assert.equal(forged[0]?.rule, 'attestation/invalid');
  });

  it('fails a file the index has no provenance for as missing, and one it could not fetch as not checked', async () => {
    const missingPath = `/integrity/pypi-attestations/0.0.29/pypi_attestations-0.0.29-py3-none-any.whl/provenance`;
    const missing = await run(
      wheel({
        version: '0.0.29',
        url: WHEEL_URL.replace('0.0.30', '0.0.29'),
        location: WHEEL_URL.replace('0.0.30', '0.0.29'),
      }),
      { attestationRequirements: [requirement()] },
    );
    assert.equal(missing[0]?.rule, 'attestation/missing');
    assert.deepEqual(missing[0]?.evidence.tried, [server.url(missingPath)]);

    server.fail(PROVENANCE_PATH, { status: 500 }, { status: 500 }, { status: 500 });
    const failed = await run(wheel(), { attestationRequirements: [requirement()] });
    assert.equal(failed[0]?.rule, 'attestation/not-checked');
    assert.equal(failed[0]?.evidence.unchecked, true);

    serve('<html>not json</html>');
    const garbage = await run(wheel(), { attestationRequirements: [requirement()] });
    assert.equal(garbage[0]?.rule, 'attestation/not-checked');
    assert.match(garbage[0]?.message ?? '', /is not JSON/);

    const offline = await run(wheel(), { attestationRequirements: [requirement()] }, { offline: true });
    assert.equal(offline[0]?.rule, 'attestation/not-checked');

    const noHash = await run(wheel({ sha256: undefined }), { attestationRequirements: [requirement()] });
    assert.equal(noHash[0]?.rule, 'attestation/unverifiable');
  });

  it('reads a provenance from bundle-dirs before the index', async () => {
    const dir = tempDirectory();
    writeFileSync(join(dir, `${WHEEL}.provenance`), realProvenance());
    const before = server.requests.length;
    assert.deepEqual(
      await run(wheel(), { attestationRequirements: [requirement()], attestationBundleDirs: [dir] }),
      [],
    );
    assert.equal(server.requests.length, before);
  });
});

describe('cvebuild gate with require-attestation for a PyPI index', () => {
  function project(policy: string): string {
    // a v6 lock records no index per file: the reader takes the environment index on the file's host
    const wheelUrl = server.url(`/packages/ab/cd/${WHEEL}`);
    const root = tempDirectory();
    mkdirSync(root, { recursive: true });
    writeFileSync(
      join(root, 'pixi.lock'),
      [
        'version: 6',
        'environments:',
        '  default:',
        '    channels:',
        '    - url: https://conda.anaconda.org/conda-forge/',
        '    indexes:',
        `    - ${INDEX}`,
        '    packages:',
        '      linux-64:',
        `      - pypi: ${wheelUrl}`,
        'packages:',
        `- pypi: ${wheelUrl}`,
        '  name: pypi-attestations',
        '  version: 0.0.30',
        `  sha256: ${WHEEL_SHA256}`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(root, 'cvebuild.toml'), policy);
    return root;
  }
  const gate = (root: string) =>
    runCliAsync(['gate', root, '--checks', 'attestation', '--now', '2026-11-22T12:00:00Z'], {
      env: { CVEBUILD_CACHE_DIR: tempDirectory() },
    });

  it('passes the attested wheel, fails it when the provenance is tampered', async () => {
    const policy = `[[attestations.require]]\nindex = "${INDEX}"\n`;
    serve(realProvenance());
    const before = server.requests.filter((request) => request.path === PROVENANCE_PATH).length;
    const passing = await gate(project(policy));
    assert.equal(passing.status, 0, passing.stdout + passing.stderr);
    assert.match(passing.stdout, /^PASS$/m);
    assert.equal(
      server.requests.filter((request) => request.path === PROVENANCE_PATH).length,
      before + 1,
      'looked it up',
    );
    const tampered: any = JSON.parse(realProvenance());
    tampered.attestation_bundles[0].publisher.workflow = 'other.yml';
    serve(JSON.stringify(tampered));
    const failing = await gate(project(policy));
    assert.equal(failing.status, 1, failing.stderr);
    assert.match(failing.stdout, /pypi-attestations 0\.0\.30 .*attestation\/untrusted-publisher/);
  });

  it('refuses a requirement with neither publishers nor an index, or with both a channel and an index', async () => {
    const noPublishers = await gate(project('[[attestations.require]]\npackage = "x"\n'));
    assert.equal(noPublishers.status, 2);
    assert.match(noPublishers.stderr, /attestations\.require.*publishers.*name at least one trusted publisher/);
    const both = await gate(project(`[[attestations.require]]\nchannel = "conda-forge"\nindex = "${INDEX}"\n`));
    assert.equal(both.status, 2);
    assert.match(both.stderr, /a conda channel or a PyPI index, not both/);
  });
});
