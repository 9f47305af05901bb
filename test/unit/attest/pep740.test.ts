/**
 * PEP 740 on real data: the provenance PyPI publishes for pypi_attestations-0.0.30's wheel
 * (test/fixtures/pep740, origin in its README) verifies against Sigstore's production root, offline;
 * each kind of tampering is rejected by the rule it breaks. The wheel is known by its sha256.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: the tests edit provenance JSON field by field
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FulcioClaims } from '../../../src/attest/fulcio-claims.ts';
import {
  attestationToBundle,
  matchPypiPublisher,
  parseDistributionName,
  pep740Kind,
  sameDistribution,
  verifyPep740,
} from '../../../src/attest/pep740.ts';
import { resolveTrust } from '../../../src/attest/trust.ts';
import { runCliAsync } from '../../helpers/cli.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/pep740/pypi_attestations-0.0.30-py3-none-any.whl.provenance.json', import.meta.url),
);
const WHEEL = 'pypi_attestations-0.0.30-py3-none-any.whl';
const WHEEL_SHA256 = 'b3a9c53f6cb89e5e7b5b70e6cfca97cfc66008c1ed54087355e06e40071cef21';
const SIGNER = 'https://github.com/pypi/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.30';
const GITHUB = 'https://token.actions.githubusercontent.com';

const provenance = (): any => JSON.parse(readFileSync(FIXTURE, 'utf8'));
const trust = () => resolveTrust({ kind: 'production' });
const verify = (json: unknown, dist = { filename: WHEEL, sha256: WHEEL_SHA256 }, publishers = []) =>
  verifyPep740(json, dist, { trust: trust(), publishers });

function rejection(outcome: ReturnType<typeof verify>): string {
  assert.equal(outcome.ok, false, 'must be rejected');
  return outcome.ok ? '' : `${outcome.code}: ${outcome.reason}`;
}

/** The in-toto statement of the first attestation, edited and re-encoded (its signature then covers other bytes). */
function withStatement(edit: (statement: any) => void): any {
  const json = provenance();
  const envelope = json.attestation_bundles[0].attestations[0].envelope;
  const statement = JSON.parse(Buffer.from(envelope.statement, 'base64').toString('utf8'));
  edit(statement);
  envelope.statement = Buffer.from(JSON.stringify(statement)).toString('base64');
  return json;
}

describe('PEP 740 provenance of a real PyPI wheel', () => {
  it('verifies offline against the production root, for the wheel PyPI names', () => {
    const outcome = verify(provenance());
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
    const { verified } = outcome;
    assert.deepEqual(verified.signer, { identity: SIGNER, issuer: GITHUB });
    assert.deepEqual(verified.publisher, {
      environment: 'pypi',
      kind: 'GitHub',
      repository: 'pypi/pypi-attestations',
      workflow: 'release.yml',
    });
    assert.deepEqual(verified.predicateTypes, ['https://docs.pypi.org/attestations/publish/v1']);
    assert.equal(verified.attestations, 1);
    assert.equal(verified.signedAt?.toISOString(), '2026-07-28T14:08:32.000Z');
    assert.equal(verified.tlogEntry?.logIndex, '2272775063');
    assert.equal(verified.claims?.sourceRepositoryUri, 'https://github.com/pypi/pypi-attestations');
    assert.equal(verified.claims?.buildConfigUri, SIGNER);
    assert.equal(verified.claims?.sourceRepositoryDigest, '845bfac2f2912912fb2d1ab96775ac75708279c4');
  });

  it('is a Sigstore bundle v0.3 taken apart', () => {
    const attestation = provenance().attestation_bundles[0].attestations[0];
    const converted = attestationToBundle(attestation);
    assert.ok(converted.ok);
    const bundle = converted.bundle as any;
    assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.equal(bundle.verificationMaterial.certificate.rawBytes, attestation.verification_material.certificate);
    assert.deepEqual(bundle.verificationMaterial.tlogEntries, attestation.verification_material.transparency_entries);
    assert.deepEqual(bundle.dsseEnvelope, {
      payload: attestation.envelope.statement,
      payloadType: 'application/vnd.in-toto+json',
      signatures: [{ sig: attestation.envelope.signature, keyid: '' }],
    });
    assert.equal(pep740Kind(provenance()), 'provenance');
    assert.equal(pep740Kind(attestation), 'attestation');
    assert.equal(pep740Kind(bundle), undefined);
  });

  it('rejects another file: other bytes, another name', () => {
    assert.match(
      rejection(verify(provenance(), { filename: WHEEL, sha256: '0'.repeat(64) })),
      /^subject-digest: pypi_attestations-0\.0\.30-py3-none-any\.whl has sha256 0{64}, the statement names "b3a9c53f/,
    );
    assert.match(
      rejection(verify(provenance(), { filename: 'pypi_attestations-0.0.31-py3-none-any.whl', sha256: WHEEL_SHA256 })),
      /^subject-name: the statement is about "pypi_attestations-0\.0\.30-py3-none-any\.whl"/,
    );
    assert.match(
      rejection(verify(provenance(), { filename: 'pypi_attestations-0.0.30.tar.gz', sha256: WHEEL_SHA256 })),
      /^subject-name: /,
    );
  });

  it('accepts the same file name written another way, as packaging compares them', () => {
    const outcome = verify(provenance(), {
      filename: 'Pypi.Attestations-0.0.30.0-py3-none-any.whl',
      sha256: WHEEL_SHA256,
    });
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
    const a = parseDistributionName('spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
    const b = parseDistributionName('spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl');
    assert.ok(a && b && sameDistribution(a, b));
    const c = parseDistributionName('spt3g-1.0-cp311-cp311-manylinux2014_x86_64.whl');
    assert.ok(a && c && !sameDistribution(a, c));
    assert.equal(parseDistributionName('not-a-wheel.whl'), undefined);
    assert.equal(parseDistributionName('pkg-1.0.exe'), undefined);
  });

  it('rejects a tampered statement, signature, certificate or log entry', () => {
    // the statement re-pointed at other bytes: the DSSE signature no longer covers it
    assert.match(
      rejection(
        verify(
          withStatement((statement) => {
            statement.subject[0].digest.sha256 = '1'.repeat(64);
          }),
          { filename: WHEEL, sha256: '1'.repeat(64) },
        ),
      ),
      /^(signature|transparency-log): /,
    );
    const signature = provenance();
    const envelope = signature.attestation_bundles[0].attestations[0].envelope;
    const sig = Buffer.from(envelope.signature, 'base64');
    sig[sig.length - 5] = (sig[sig.length - 5] as number) ^ 1;
    envelope.signature = sig.toString('base64');
    assert.match(rejection(verify(signature)), /^(signature|transparency-log): /);

    const certificate = provenance();
    const material = certificate.attestation_bundles[0].attestations[0].verification_material;
    const der = Buffer.from(material.certificate, 'base64');
    der[300] = (der[300] as number) ^ 1;
    material.certificate = der.toString('base64');
    assert.match(rejection(verify(certificate)), /^(certificate|malformed|signature|transparency-log): /);

    const entry = provenance();
    entry.attestation_bundles[0].attestations[0].verification_material.transparency_entries[0].integratedTime =
      '1785247713';
    assert.match(rejection(verify(entry)), /^transparency-log: /);

    const noEntry = provenance();
    noEntry.attestation_bundles[0].attestations[0].verification_material.transparency_entries = [];
    assert.match(rejection(verify(noEntry)), /^malformed: .*transparency_entries holds no transparency-log entry/);
  });

  it('rejects a publisher the certificate was not issued to', () => {
    const publisher = (edit: (publisher: any) => void) => {
      const json = provenance();
      edit(json.attestation_bundles[0].publisher);
      return json;
    };
    assert.match(
      rejection(verify(publisher((p) => (p.repository = 'evil/pypi-attestations')))),
      /^identity: the certificate was issued to repository https:\/\/github\.com\/pypi\/pypi-attestations, but PyPI names the publisher GitHub evil\/pypi-attestations/,
    );
    assert.match(
      rejection(verify(publisher((p) => (p.workflow = 'other.yml')))),
      /^identity: the certificate's build config is .*release\.yml@refs\/tags\/v0\.0\.30, not PyPI's publisher/,
    );
    assert.match(rejection(verify(publisher((p) => (p.kind = 'GitLab')))), /^issuer: /);
    assert.match(rejection(verify(publisher((p) => (p.kind = 'Forgejo')))), /^identity: .*"Forgejo" publisher/);
  });

  it('needs every attestation to verify, and at least one', () => {
    const twice = provenance();
    const bundle = twice.attestation_bundles[0];
    const bad = structuredClone(bundle.attestations[0]);
    bad.envelope.signature = bundle.attestations[0].envelope.signature.replace(/^MEY/, 'MEU');
    bundle.attestations.push(bad);
    assert.match(rejection(verify(twice)), /^\w[\w-]*: attestation 1\.2: /);
    const none = provenance();
    none.attestation_bundles = [];
    assert.match(rejection(verify(none)), /^malformed: the provenance holds no attestation/);
    const broken = provenance();
    delete broken.attestation_bundles[0].publisher;
    assert.match(rejection(verify(broken)), /^malformed: attestation_bundles\[0\] names no publisher kind/);
  });

  it('pins the signer when the caller names one, and a lone attestation only then', () => {
    const pinned = verify(provenance(), undefined, [
      { identityRegexp: 'https://github\\.com/pypi/pypi-attestations/.*', issuer: GITHUB },
    ] as never);
    assert.ok(pinned.ok);
    assert.match(
      rejection(
        verify(provenance(), undefined, [{ identityRegexp: 'https://github\\.com/psf/.*', issuer: GITHUB }] as never),
      ),
      /^identity: signed by https:\/\/github\.com\/pypi\/pypi-attestations\//,
    );
    const lone = provenance().attestation_bundles[0].attestations[0];
    assert.match(rejection(verify(lone)), /^identity: a lone attestation names no publisher/);
    assert.ok(verify(lone, undefined, [{ identity: SIGNER, issuer: GITHUB }] as never).ok);
  });

  it('through the command line: verified by digest and name, rejected with one line when tampered', async () => {
    const verified = await runCliAsync([
      'verify-bundle',
      `sha256:${WHEEL_SHA256}`,
      '--name',
      WHEEL,
      '--bundle',
      FIXTURE,
    ]);
    assert.equal(verified.status, 0, verified.stderr);
    assert.match(
      verified.stdout,
      /^verified pypi_attestations-0\.0\.30-py3-none-any\.whl \(PEP 740: 1 attestation\(s\)/,
    );
    assert.match(
      verified.stdout,
      /\n {2}publisher GitHub: repository pypi\/pypi-attestations, workflow release\.yml, environment pypi \(as PyPI names it/,
    );
    const tampered = provenance();
    tampered.attestation_bundles[0].publisher.repository = 'evil/x';
    const path = join(tempDirectory(), 'tampered.provenance.json');
    writeFileSync(path, JSON.stringify(tampered));
    const rejected = await runCliAsync(['verify-bundle', `sha256:${WHEEL_SHA256}`, '--name', WHEEL, '--bundle', path]);
    assert.equal(rejected.status, 1);
    assert.match(rejected.stdout, /^rejected pypi_attestations-0\.0\.30-py3-none-any\.whl: identity: /);
    const digestOnly = await runCliAsync(['verify-bundle', `sha256:${WHEEL_SHA256}`, '--bundle', FIXTURE]);
    assert.equal(digestOnly.status, 2);
    assert.match(digestOnly.stderr, /give the wheel or sdist, or its digest with --name/);
  });
});

describe('PyPI Trusted Publishers against certificate claims', () => {
  const gitlab = { kind: 'GitLab', repository: 'group/sub/project', workflow_filepath: '.gitlab-ci.yml' };
  const claims: FulcioClaims = {
    sourceRepositoryUri: 'https://gitlab.com/group/sub/project',
    sourceRepositoryDigest: 'abc123',
    sourceRepositoryRef: 'refs/tags/v1',
    buildConfigUri: 'https://gitlab.com/group/sub/project//.gitlab-ci.yml@refs/tags/v1',
  };
  const signer = {
    identity: 'https://gitlab.com/group/sub/project//.gitlab-ci.yml@refs/tags/v1',
    issuer: 'https://gitlab.com',
  };

  it('matches a GitLab publisher on repository and CI file at the signed ref or commit', () => {
    assert.ok(matchPypiPublisher(gitlab, claims, signer).ok);
    assert.ok(
      matchPypiPublisher(
        gitlab,
        { ...claims, buildConfigUri: 'https://gitlab.com/group/sub/project//.gitlab-ci.yml@abc123' },
        signer,
      ).ok,
    );
    assert.equal(matchPypiPublisher({ ...gitlab, workflow_filepath: 'release.yml' }, claims, signer).ok, false);
    assert.equal(matchPypiPublisher({ ...gitlab, repository: 'group/project' }, claims, signer).ok, false);
    assert.equal(matchPypiPublisher(gitlab, claims, { ...signer, issuer: GITHUB }).ok, false);
  });

  it('matches a GitHub publisher through a reusable workflow by the caller, not the signer', () => {
    const github = { kind: 'GitHub', repository: 'acme/tool', workflow: 'release.yml' };
    const reusable = {
      sourceRepositoryUri: 'https://github.com/acme/tool',
      sourceRepositoryRef: 'refs/tags/v2',
      buildConfigUri: 'https://github.com/acme/tool/.github/workflows/release.yml@refs/tags/v2',
      buildSignerUri: 'https://github.com/acme/shared/.github/workflows/publish.yml@refs/heads/main',
    };
    const by = { identity: reusable.buildSignerUri, issuer: GITHUB };
    assert.ok(matchPypiPublisher(github, reusable, by).ok);
    assert.equal(matchPypiPublisher({ ...github, workflow: 'publish.yml' }, reusable, by).ok, false);
    assert.equal(matchPypiPublisher(github, { ...reusable, sourceRepositoryRef: undefined }, by).ok, false);
  });

  it('matches a Google publisher by the service account', () => {
    const google = { kind: 'Google', email: 'publisher@project.iam.gserviceaccount.com' };
    const by = { identity: google.email, issuer: 'https://accounts.google.com' };
    assert.ok(matchPypiPublisher(google, {}, by).ok);
    assert.equal(matchPypiPublisher(google, {}, { ...by, identity: 'other@x.iam.gserviceaccount.com' }).ok, false);
  });
});
