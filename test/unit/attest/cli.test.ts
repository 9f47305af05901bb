/** `cvebuild keygen | sign | verify` through commander, in-process, as main.ts will run them. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildProgram } from '../../../src/cli/program.ts';
import { CvebuildError } from '../../../src/errors.ts';
import {
  keylessFlags,
  MOCK_IDENTITY,
  MOCK_ISSUER,
  type MockSigstore,
  startMockSigstore,
} from '../../helpers/sigstore-mock.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const CHANNEL = 'https://prefix.dev/my-channel';

async function run(args: string[]): Promise<{ stdout: string; exitCode: number }> {
  let stdout = '';
  const outcome = { exitCode: 0 };
  const program = buildProgram((text) => {
    stdout += text;
  }, outcome);
  await program.parseAsync(args, { from: 'user' });
  return { stdout, exitCode: outcome.exitCode };
}

async function runError(args: string[]): Promise<CvebuildError> {
  try {
    await run(args);
  } catch (error) {
    assert.ok(error instanceof CvebuildError, String(error));
    assert.ok(!error.toLine().includes('\n'));
    return error;
  }
  assert.fail(`cvebuild ${args.join(' ')} should fail`);
}

function makePackage(name = 'demo-1.0-h0_0.conda'): string {
  const path = join(tempDirectory(), name);
  writeFileSync(path, randomBytes(2048));
  return path;
}

describe('cvebuild keygen', () => {
  it('writes a private key with mode 0600 and a public key, and never overwrites', async () => {
    const prefix = join(tempDirectory(), 'release');
    const { stdout } = await run(['keygen', '--out', prefix]);
    assert.match(
      stdout,
      /^wrote .*release\.key \(private key: keep it secret\) and .*release\.pub \(public key sha256:\S+\)\n$/,
    );
    assert.equal(statSync(`${prefix}.key`).mode & 0o777, 0o600);
    assert.match(readFileSync(`${prefix}.key`, 'utf8'), /BEGIN PRIVATE KEY/);
    assert.match(readFileSync(`${prefix}.pub`, 'utf8'), /BEGIN PUBLIC KEY/);
    const before = readFileSync(`${prefix}.key`, 'utf8');
    const error = await runError(['keygen', '--out', prefix]);
    assert.equal(error.code, 'USAGE');
    assert.match(error.toLine(), /release\.key: already exists; keygen never overwrites a key/);
    assert.equal(readFileSync(`${prefix}.key`, 'utf8'), before);
  });
});

describe('cvebuild sign / verify with a key', () => {
  const prefix = join(tempDirectory(), 'k');
  before(() => run(['keygen', '--out', prefix]));

  it('signs to PACKAGE.sigstore.json and verifies it (exit 0)', async () => {
    const pkg = makePackage();
    const signed = await run(['sign', pkg, '--channel', CHANNEL, '--key', `${prefix}.key`]);
    assert.match(
      signed.stdout,
      /^signed demo-1.0-h0_0.conda\n {2}sha256 {3}[0-9a-f]{64}\n {2}channel {2}https:\/\/prefix.dev\/my-channel\n {2}signer {3}key sha256:\S+\n {2}logged {3}not logged \(keyed signing is offline\)\n {2}bundle {3}.*\.conda\.sigstore\.json\n$/,
    );
    const bundle = JSON.parse(readFileSync(`${pkg}.sigstore.json`, 'utf8'));
    assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');

    const verified = await run(['verify', pkg, '--key', `${prefix}.pub`, '--channel', `${CHANNEL}/`]);
    assert.equal(verified.exitCode, 0);
    assert.match(verified.stdout, /^verified demo-1.0-h0_0.conda\n/);
    assert.match(
      verified.stdout,
      /channel {2}https:\/\/prefix.dev\/my-channel \(matches https:\/\/prefix.dev\/my-channel\/\)/,
    );
    assert.match(verified.stdout, /signed {3}no timestamp \(keyed bundle\)/);
    assert.match(verified.stdout, /trust {4}public key sha256:/);

    const unchecked = await run(['verify', pkg, '--key', `${prefix}.pub`, '--bundle', `${pkg}.sigstore.json`]);
    assert.match(unchecked.stdout, /\(not checked: no --channel\)/);

    const error = await runError(['sign', pkg, '--channel', CHANNEL, '--key', `${prefix}.key`]);
    assert.match(
      error.toLine(),
      /sigstore\.json: already exists \(pass --force to overwrite, or --sidecar to append\)/,
    );
    await run(['sign', pkg, '--channel', CHANNEL, '--key', `${prefix}.key`, '--force']);
  });

  it('rejects with exit 1 and one line: another key, a tampered package, a wrong channel, junk', async () => {
    const pkg = makePackage('zlib-1.3.1-h0_0.conda');
    await run(['sign', pkg, '--channel', CHANNEL, '--key', `${prefix}.key`]);
    const other = join(tempDirectory(), 'other');
    await run(['keygen', '--out', other]);

    const wrongKey = await run(['verify', pkg, '--key', `${other}.pub`]);
    assert.equal(wrongKey.exitCode, 1);
    assert.match(
      wrongKey.stdout,
      /^rejected zlib-1.3.1-h0_0.conda: signature: the DSSE signature does not verify with the trusted key sha256:\S+: the bundle names another key \(hint \S+\)\n$/,
    );

    const wrongChannel = await run([
      'verify',
      pkg,
      '--key',
      `${prefix}.pub`,
      '--channel',
      'https://conda.anaconda.org/conda-forge',
    ]);
    assert.equal(wrongChannel.exitCode, 1);
    assert.match(
      wrongChannel.stdout,
      /: target-channel: signed for channel https:\/\/prefix.dev\/my-channel, but the package came from https:\/\/conda.anaconda.org\/conda-forge\n$/,
    );

    const bytes = readFileSync(pkg);
    bytes[0] = (bytes[0] as number) ^ 1;
    writeFileSync(pkg, bytes);
    const tampered = await run(['verify', pkg, '--key', `${prefix}.pub`]);
    assert.equal(tampered.exitCode, 1);
    assert.match(
      tampered.stdout,
      /: subject-digest: zlib-1.3.1-h0_0.conda has sha256 [0-9a-f]{64}, the statement names [0-9a-f]{64}: the file is not the one that was signed\n$/,
    );
    assert.equal(tampered.stdout.split('\n').length, 2, 'one line');

    const junk = join(tempDirectory(), 'junk.sigstore.json');
    writeFileSync(junk, '{"mediaType": ');
    const malformed = await run(['verify', pkg, '--key', `${prefix}.pub`, '--bundle', junk]);
    assert.equal(malformed.exitCode, 1);
    assert.match(malformed.stdout, /: malformed: junk\.sigstore\.json is not JSON/);
  });

  it('appends to a .sigs sidecar and verifies any bundle in it; --format json', async () => {
    const pkg = makePackage();
    const other = join(tempDirectory(), 'other');
    await run(['keygen', '--out', other]);
    const first = await run(['sign', pkg, '--channel', CHANNEL, '--key', `${other}.key`, '--sidecar']);
    assert.match(first.stdout, /bundle {3}.*\.conda\.sigs \(1 bundle\(s\)\)/);
    const second = await run(['sign', pkg, '--channel', CHANNEL, '--key', `${prefix}.key`, '--sidecar']);
    assert.match(second.stdout, /\(2 bundle\(s\)\)/);
    const sidecar = JSON.parse(readFileSync(`${pkg}.sigs`, 'utf8'));
    assert.equal(sidecar.length, 2);

    const verified = await run(['verify', pkg, '--key', `${prefix}.pub`, '--format', 'json']);
    assert.equal(verified.exitCode, 0);
    const document = JSON.parse(verified.stdout);
    assert.equal(document.verified, true);
    assert.equal(document.bundleIndex, 1);
    assert.equal(document.targetChannel, CHANNEL);
    assert.equal(document.channelChecked, false);

    const rejected = JSON.parse(
      (await run(['verify', pkg, '--key', `${prefix}.pub`, '--channel', 'https://x.org/y', '--format', 'json'])).stdout,
    );
    assert.equal(rejected.verified, false);
    assert.equal(rejected.code, 'target-channel');
    assert.equal(rejected.rejections.length, 2);

    const custom = join(tempDirectory(), 'custom.v0.sigs');
    await run(['sign', pkg, '--channel', CHANNEL, '--key', `${prefix}.key`, '--sidecar', custom]);
    assert.equal(JSON.parse(readFileSync(custom, 'utf8')).length, 1);
    writeFileSync(custom, '{}');
    assert.match(
      (await runError(['sign', pkg, '--channel', CHANNEL, '--key', `${prefix}.key`, '--sidecar', custom])).message,
      /not a JSON array/,
    );
  });

  it('writes the bundle to standard output with --output -', async () => {
    const pkg = makePackage();
    const write = process.stderr.write;
    let summary = '';
    process.stderr.write = ((text: string) => {
      summary += text;
      return true;
    }) as typeof process.stderr.write;
    try {
      const { stdout } = await run(['sign', pkg, '--channel', CHANNEL, '--key', `${prefix}.key`, '--output', '-']);
      assert.equal(JSON.parse(stdout).mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    } finally {
      process.stderr.write = write;
    }
    assert.match(summary, /^signed demo-1.0-h0_0.conda/);
    assert.ok(!existsSync(`${pkg}.sigstore.json`));
  });

  it('reports bad input as one-line errors (exit 2)', async () => {
    const pkg = makePackage();
    const wheel = join(tempDirectory(), 'demo-1.0-py3-none-any.whl');
    writeFileSync(wheel, 'x');
    assert.equal(
      (await runError(['sign', wheel, '--channel', CHANNEL, '--key', `${prefix}.key`])).code,
      'INPUT_UNRECOGNIZED',
    );
    assert.equal(
      (await runError(['sign', `${pkg}.missing.conda`, '--channel', CHANNEL, '--key', `${prefix}.key`])).code,
      'INPUT_NOT_FOUND',
    );
    assert.equal((await runError(['sign', pkg, '--channel', 'my-channel', '--key', `${prefix}.key`])).code, 'USAGE');
    assert.equal((await runError(['sign', pkg, '--channel', CHANNEL, '--key', `${prefix}.pub`])).code, 'KEY_INVALID');
    assert.match(
      (await runError(['sign', pkg, '--channel', CHANNEL, '--key', `${prefix}.key`, '--identity-token', 'x'])).message,
      /--key signs offline/,
    );
    assert.match(
      (await runError(['sign', pkg, '--channel', CHANNEL, '--key', `${prefix}.key`, '--output', 'x', '--sidecar']))
        .message,
      /--output or --sidecar/,
    );

    assert.match(
      (await runError(['verify', pkg, '--key', `${prefix}.pub`])).message,
      /no attestation found beside the package/,
    );
    assert.equal(
      (await runError(['verify', pkg, '--key', `${prefix}.pub`, '--bundle', `${pkg}.nope`])).code,
      'INPUT_NOT_FOUND',
    );
    assert.equal(
      (await runError(['verify', `${pkg}.nope.conda`, '--key', `${prefix}.pub`, '--bundle', pkg])).code,
      'INPUT_NOT_FOUND',
    );
    assert.equal((await runError(['verify', pkg, '--key', `${prefix}.key`, '--bundle', pkg])).code, 'KEY_INVALID');
    const keyless = await runError(['verify', pkg, '--bundle', pkg, '--identity', MOCK_IDENTITY]);
    assert.match(keyless.message, /needs --issuer and one of --identity \/ --identity-regexp/);
    assert.match(
      (await runError(['verify', pkg, '--bundle', pkg, '--issuer', MOCK_ISSUER])).message,
      /needs --issuer and one of/,
    );
    assert.match(
      (
        await runError([
          'verify',
          pkg,
          '--bundle',
          pkg,
          '--issuer',
          MOCK_ISSUER,
          '--identity',
          'a',
          '--identity-regexp',
          'b',
        ])
      ).message,
      /not both/,
    );
    assert.match(
      (await runError(['verify', pkg, '--bundle', pkg, '--key', `${prefix}.pub`, '--issuer', MOCK_ISSUER])).message,
      /--key verifies a keyed bundle/,
    );
    // several packages are checked together only against a build provenance
    const other = makePackage('demo-1.0-h0_1.conda');
    const several = await runError(['verify', pkg, other, '--key', `${prefix}.pub`, '--bundle', pkg]);
    assert.equal(several.code, 'USAGE');
    assert.match(several.message, /a CEP-27 attestation is about one package/);
  });
});

describe('cvebuild sign / verify keyless (mock Sigstore on loopback)', () => {
  let mock: MockSigstore;
  before(async () => {
    mock = await startMockSigstore();
  });
  after(() => mock.close());

  it('signs with an identity token and verifies with --trusted-root, --identity and --issuer', async () => {
    const pkg = makePackage();
    const signed = await run(['sign', pkg, '--channel', CHANNEL, ...keylessFlags(mock)]);
    assert.match(
      signed.stdout,
      new RegExp(
        `signer {3}${MOCK_IDENTITY.replace(/[.?*+]/g, '\\$&')} \\(issuer ${MOCK_ISSUER.replace(/\./g, '\\.')}\\)`,
      ),
    );
    assert.match(signed.stdout, /logged {3}http:\/\/127\.0\.0\.1:\d+ entry \d+/);

    const base = ['verify', pkg, '--trusted-root', mock.trustedRootPath, '--issuer', MOCK_ISSUER, '--channel', CHANNEL];
    const verified = await run([...base, '--identity', MOCK_IDENTITY]);
    assert.equal(verified.exitCode, 0, verified.stdout);
    assert.match(verified.stdout, /signed {3}\d{4}-\d\d-\d\dT.*Z \(transparency log entry \d+\)/);
    assert.match(verified.stdout, /trust {4}trusted root .*mock-trusted_root\.json/);
    assert.equal((await run([...base, '--identity-regexp', 'https://github\\.com/conda-forge/.*'])).exitCode, 0);

    const evil = await run([...base, '--identity-regexp', 'https://github\\.com/evil/.*']);
    assert.equal(evil.exitCode, 1);
    assert.match(
      evil.stdout,
      /: identity: signed by https:\/\/github.com\/conda-forge\/zlib-feedstock\/.* \(issuer https:\/\/token.actions.githubusercontent.com\); trusted: \/https:\/\/github\\.com\/evil\/\.\*\/ \(issuer https:\/\/token.actions.githubusercontent.com\)\n$/,
    );

    const production = await run(['verify', pkg, '--issuer', MOCK_ISSUER, '--identity', MOCK_IDENTITY]);
    assert.equal(production.exitCode, 1);
    assert.match(production.stdout, /: certificate: the signing certificate does not chain to a Fulcio CA/);
  });
});
