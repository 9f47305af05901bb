import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type AttestationHistoryStore, historyFile, MemoryAttestationHistory } from '../../../src/attest/history.ts';
import { signStatementFor } from '../../../src/attest/sign.ts';
import { attestationCheck, publishersFor } from '../../../src/checks/attestation.ts';
import type { CheckSettings } from '../../../src/checks/check.ts';
import { defaultCheckSettings } from '../../../src/checks/registry.ts';
import { fileNameOf } from '../../../src/conda/url.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import type { Inventory } from '../../../src/model/inventory.ts';
import type { Package } from '../../../src/model/package.ts';
import { runCliAsync } from '../../helpers/cli.ts';
import { type FeedServer, startFeedServer } from '../../helpers/feed-server.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { keylessSigning, MOCK_ISSUER, type MockSigstore, startMockSigstore } from '../../helpers/sigstore-mock.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

const TRUSTED = { identityRegexp: '^https://github\\.com/conda-forge/[^/]+-feedstock/.+', issuer: MOCK_ISSUER };

let sigstore: MockSigstore;
/** The conda-forge channel, served on loopback: sidecars live beside the package URLs. */
let channelServer: FeedServer;
let CHANNEL: string;
/** The openssl-cve example's lock, its packages coming from the loopback channel. */
let LOCK: string;
let inventory: Inventory;
let openssl: Package;
let zlib: Package;

before(async () => {
  sigstore = await startMockSigstore();
  channelServer = await startFeedServer();
  CHANNEL = channelServer.url('/conda-forge');
  const text = readFileSync(`${projectRoot}examples/openssl-cve/pixi.lock`, 'utf8');
  LOCK = writeTemp('loopback/pixi.lock', text.replaceAll('https://conda.anaconda.org/conda-forge', CHANNEL));
  inventory = readInventory(LOCK);
  openssl = inventory.packages.find((pkg) => pkg.name === 'openssl') as Package;
  zlib = inventory.packages.find((pkg) => pkg.name === 'zlib') as Package;
});
after(async () => {
  await sigstore.close();
  await channelServer.close();
});

/** Publish a sidecar on the loopback channel, at the path the package URL gives. */
function serveSidecar(pkg: Package, bundles: unknown[], suffix = '.sigs'): void {
  channelServer.serve(new URL(`${pkg.url}${suffix}`).pathname, { body: JSON.stringify(bundles) });
}

/** A keyless attestation for a locked package, signed through the loopback Fulcio/Rekor. */
async function attest(
  pkg: Package,
  options: { identity?: string; channel?: string; sha256?: string; filename?: string } = {},
) {
  const signed = await signStatementFor(
    { filename: options.filename ?? fileNameOf(pkg.url ?? ''), sha256: options.sha256 ?? pkg.sha256 ?? '' },
    {
      channel: options.channel ?? CHANNEL,
      keyless: keylessSigning(sigstore, options.identity),
    },
  );
  return signed.bundle;
}

function bundleDir(sidecars: [Package, unknown[]][]): string {
  const dir = tempDirectory();
  for (const [pkg, bundles] of sidecars)
    writeFileSync(join(dir, `${fileNameOf(pkg.url ?? '')}.sigs`), JSON.stringify(bundles));
  return dir;
}

async function run(
  settings: Partial<CheckSettings>,
  options: { cacheDir?: string; offline?: boolean; history?: AttestationHistoryStore } = {},
) {
  return attestationCheck.run(inventory, {
    now: new Date('2026-11-22T12:00:00Z'),
    offline: options.offline ?? false,
    cacheDir: options.cacheDir ?? tempDirectory(),
    history: options.history,
    settings: {
      ...defaultCheckSettings(),
      attestationTrustedRoot: sigstore.trustedRootPath,
      ...settings,
    },
  });
}

const requireOpenssl = [{ package: 'openssl', publishers: [TRUSTED], origin: { file: 'cvebuild.toml' } }];

describe('attestation check', () => {
  it('picks the most specific requirement: package and channel, then package, then channel', () => {
    const channelWide = {
      channel: 'conda-forge',
      publishers: [{ identity: 'cf', issuer: 'i' }],
      origin: { file: 'p' },
    };
    const forOpenssl = {
      package: 'openssl',
      publishers: [{ identity: 'openssl', issuer: 'i' }],
      origin: { file: 'p' },
    };
    assert.deepEqual(publishersFor(openssl, [channelWide, forOpenssl]), forOpenssl.publishers);
    assert.deepEqual(publishersFor(zlib, [channelWide, forOpenssl]), channelWide.publishers);
    assert.equal(publishersFor(zlib, [forOpenssl]), undefined);
    const elsewhere = { channel: 'bioconda', publishers: [{ identity: 'x', issuer: 'i' }], origin: { file: 'p' } };
    assert.equal(publishersFor(openssl, [elsewhere]), undefined);
    const pypi: Package = { ...zlib, ecosystem: 'pypi', name: 'openssl', normalizedName: 'openssl' };
    assert.equal(publishersFor(pypi, [forOpenssl]), undefined);
  });

  it('passes a package attested by a trusted publisher, and is silent where nothing is required', async () => {
    const dir = bundleDir([[openssl, [await attest(openssl)]]]);
    assert.deepEqual(await run({ attestationRequirements: requireOpenssl, attestationBundleDirs: [dir] }), []);
    assert.deepEqual(await run({}), []);
  });

  it('fails an unsigned package as missing (the channel has no sidecar)', async () => {
    const findings = await run({ attestationRequirements: requireOpenssl });
    assert.equal(findings.length, 1);
    assert.deepEqual(findings[0]?.evidence.tried, [`${openssl.url}.sigs`, `${openssl.url}.v0.sigs`]);
    assert.equal(findings[0]?.rule, 'attestation/missing');
    assert.equal(findings[0]?.severity, 'high');
    assert.match(findings[0]?.message ?? '', /openssl 3\.0\.0 .* has no attestation; the policy requires one from/);
  });

  it('fails a package signed by an untrusted identity', async () => {
    const evil = 'https://github.com/someone/fork/.github/workflows/release.yml@refs/heads/main';
    const dir = bundleDir([[openssl, [await attest(openssl, { identity: evil })]]]);
    const findings = await run({ attestationRequirements: requireOpenssl, attestationBundleDirs: [dir] });
    assert.equal(findings[0]?.rule, 'attestation/untrusted-publisher');
    assert.equal(findings[0]?.evidence.code, 'identity');
    assert.ok(String(findings[0]?.message).includes(evil), findings[0]?.message);
  });

  it('fails an attestation for other bytes, another channel or another file', async () => {
    const cases: [Parameters<typeof attest>[1], string][] = [
      [{ sha256: 'a'.repeat(64) }, 'subject-digest'],
      [{ channel: 'https://prefix.dev/not-conda-forge' }, 'target-channel'],
      [{ filename: 'openssl-3.0.8-h0b41bf4_0.conda' }, 'subject-name'],
    ];
    for (const [change, code] of cases) {
      const dir = bundleDir([[openssl, [await attest(openssl, change)]]]);
      const findings = await run({ attestationRequirements: requireOpenssl, attestationBundleDirs: [dir] });
      assert.equal(findings[0]?.rule, 'attestation/invalid', code);
      assert.equal(findings[0]?.evidence.code, code);
    }
  });

  it('fetches the sidecar from the channel (prefix.dev .v0.sigs too) and passes when any bundle verifies', async () => {
    const evil = await attest(openssl, {
      identity: 'https://github.com/evil/x/.github/workflows/a.yml@refs/heads/main',
    });
    serveSidecar(openssl, [evil, await attest(openssl)], '.v0.sigs');
    try {
      assert.deepEqual(await run({ attestationRequirements: requireOpenssl }), []);
      assert.ok(channelServer.requests.some((request) => request.path.endsWith('.v0.sigs') && request.status === 200));
    } finally {
      serveSidecar(openssl, [], '.v0.sigs');
    }
  });

  it('treats an unreadable sidecar as not checked, never as missing', async () => {
    channelServer.serve(new URL(`${openssl.url}.sigs`).pathname, { body: '<html>oops</html>' });
    try {
      const findings = await run({ attestationRequirements: requireOpenssl });
      assert.equal(findings[0]?.rule, 'attestation/not-checked');
      assert.match(String(findings[0]?.evidence.reason), /is not JSON/);
    } finally {
      serveSidecar(openssl, [], '.sigs');
    }
  });

  it('flags a trust downgrade: earlier versions were seen attested, this one is not', async () => {
    const cacheDir = tempDirectory();
    const older = { ...openssl, version: '1.1.1l', url: openssl.url?.replace('3.0.0', '1.1.1l') } as Package;
    const attested = bundleDir([[older, [await attest(older)]]]);
    const history = await attestationCheck.run(
      { ...inventory, packages: [older] },
      {
        now: new Date('2026-11-20T00:00:00Z'),
        offline: true,
        cacheDir,
        settings: {
          ...defaultCheckSettings(),
          attestationTrustedRoot: sigstore.trustedRootPath,
          attestationRequirements: requireOpenssl,
          attestationBundleDirs: [attested],
        },
      },
    );
    assert.deepEqual(history, []);
    assert.ok(existsSync(historyFile(cacheDir)));
    const findings = await run(
      { attestationRequirements: requireOpenssl, attestationBundleDirs: [tempDirectory()] },
      { cacheDir },
    );
    assert.equal(findings[0]?.rule, 'attestation/downgrade');
    assert.equal(findings[0]?.severity, 'critical');
    assert.match(
      findings[0]?.message ?? '',
      /earlier versions .* were attested \(1\.1\.1l, last signed by https:\/\/github\.com\/conda-forge/,
    );
  });

  it('remembers in the history store it is given, and writes no file', async () => {
    const history = new MemoryAttestationHistory();
    const older = { ...openssl, version: '1.1.1l', url: openssl.url?.replace('3.0.0', '1.1.1l') } as Package;
    const attested = bundleDir([[older, [await attest(older)]]]);
    const cacheDir = tempDirectory();
    const first = await attestationCheck.run(
      { ...inventory, packages: [older] },
      {
        now: new Date('2026-11-20T00:00:00Z'),
        offline: true,
        cacheDir,
        history,
        settings: {
          ...defaultCheckSettings(),
          attestationTrustedRoot: sigstore.trustedRootPath,
          attestationRequirements: requireOpenssl,
          attestationBundleDirs: [attested],
        },
      },
    );
    assert.deepEqual(first, []);
    assert.deepEqual(
      history.earlierAttested(openssl.channel ?? '', 'openssl', '3.0.0').map((seen) => seen.version),
      ['1.1.1l'],
    );
    assert.equal(existsSync(historyFile(cacheDir)), false);
    const findings = await run(
      { attestationRequirements: requireOpenssl, attestationBundleDirs: [tempDirectory()] },
      { cacheDir, history },
    );
    assert.equal(findings[0]?.rule, 'attestation/downgrade');
    assert.equal(existsSync(historyFile(cacheDir)), false);
  });

  it('reports a package it could not check offline as not checked', async () => {
    const findings = await run({ attestationRequirements: requireOpenssl }, { offline: true });
    assert.equal(findings[0]?.rule, 'attestation/not-checked');
    assert.equal(findings[0]?.evidence.unchecked, true);
  });
});

describe('cvebuild gate with require-attestation', () => {
  function project(publishers: string, dir: string): string {
    const root = tempDirectory();
    copyFileSync(LOCK, join(root, 'pixi.lock'));
    mkdirSync(join(root, 'sigs'));
    writeFileSync(
      join(root, 'cvebuild.toml'),
      `[checks.attestation]\nbundle-dirs = ["${dir}"]\ntrusted-root = "${sigstore.trustedRootPath}"\n\n[[attestations.require]]\npackage = "openssl"\npublishers = [${publishers}]\n`,
    );
    return root;
  }
  const gate = (root: string) =>
    runCliAsync(['gate', root, '--checks', 'attestation', '--now', '2026-11-22T12:00:00Z'], {
      env: { CVEBUILD_CACHE_DIR: tempDirectory() },
    });
  const trusted = `{ identity-regexp = "^https://github\\\\.com/conda-forge/[^/]+-feedstock/.+", issuer = "${MOCK_ISSUER}" }`;

  it('unsigned fails, untrusted identity fails, trusted publisher passes', async () => {
    const unsigned = await gate(project(trusted, tempDirectory()));
    assert.equal(unsigned.status, 1, unsigned.stderr);
    assert.match(unsigned.stdout, /high: openssl 3\.0\.0 \(linux-64\) attestation\/missing/);
    const signed = bundleDir([[openssl, [await attest(openssl)]]]);
    const other = `{ identity = "https://github.com/acme/openssl/.github/workflows/release.yml@refs/tags/v3", issuer = "${MOCK_ISSUER}" }`;
    const untrusted = await gate(project(other, signed));
    assert.equal(untrusted.status, 1, untrusted.stderr);
    assert.match(untrusted.stdout, /attestation\/untrusted-publisher/);
    const passing = await gate(project(trusted, signed));
    assert.equal(passing.status, 0, passing.stdout + passing.stderr);
    assert.match(passing.stdout, /^PASS$/m);
  });
});
