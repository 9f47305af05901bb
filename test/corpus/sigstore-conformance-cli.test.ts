/**
 * sigstore-conformance's bundle-verify cases through the command line, as the suite drives a
 * client: `bin/sigstore-conformance.js verify-bundle …` is spawned with the arguments its
 * `test/client.py` builds (`--key` when the case has `key.pub`, else the identity and issuer;
 * `--trusted-root` when it has one), once with the artifact's path and once with its
 * `sha256:<hex>` digest, from the directory above `bundle-verify/` (the suite's workspace). A case
 * passes when the exit code is 0 for a case that must verify, and 1 or 2 for a `_fail` case.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { corpus, hasCorpus } from '../helpers/paths.ts';

const ENTRYPOINT = fileURLToPath(new URL('../../bin/sigstore-conformance.js', import.meta.url));
const workspace = corpus('sigstore-conformance');
const root = join(workspace, 'bundle-verify');
const IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The arguments sigstore-conformance's `build_verify_args` gives for a case directory. */
function protocolArguments(name: string, digest: boolean): string[] {
  const dir = join('bundle-verify', name);
  const has = (file: string) => existsSync(join(workspace, dir, file));
  const read = (file: string) => readFileSync(join(workspace, dir, file), 'utf8').trim();
  const args = ['verify-bundle', '--bundle', join(dir, 'bundle.sigstore.json')];
  if (has('key.pub')) args.push('--key', join(dir, 'key.pub'));
  else
    args.push(
      '--certificate-identity',
      has('identity') ? read('identity') : IDENTITY,
      '--certificate-oidc-issuer',
      has('issuer') ? read('issuer') : ISSUER,
    );
  if (has('trusted_root.json')) args.push('--trusted-root', join(dir, 'trusted_root.json'));
  const artifact = has('artifact') ? join(dir, 'artifact') : join('bundle-verify', 'a.txt');
  args.push(
    digest
      ? `sha256:${createHash('sha256')
          .update(readFileSync(join(workspace, artifact)))
          .digest('hex')}`
      : artifact,
  );
  return args;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRYPOINT, ...args], { cwd: workspace });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('sigstore-conformance bundle-verify through bin/sigstore-conformance.js', {
  skip: !hasCorpus && 'no corpus',
}, () => {
  const cases = hasCorpus
    ? readdirSync(root)
        .filter((name) => statSync(join(root, name)).isDirectory())
        .sort()
    : [];

  it('has all 70 cases, 49 of them _fail', () => {
    assert.equal(cases.length, 70);
    assert.equal(cases.filter((name) => name.endsWith('_fail')).length, 49);
  });

  for (const name of cases) {
    const mustFail = name.endsWith('_fail');
    for (const digest of [false, true]) {
      it(`${name} [${digest ? 'DIGEST' : 'PATH'}] ${mustFail ? 'is rejected' : 'verifies'}`, async () => {
        const result = await run(protocolArguments(name, digest));
        const shown = `exit ${result.status}\n${result.stdout}${result.stderr}`;
        if (mustFail) {
          assert.ok(result.status === 1 || result.status === 2, `${name} must be rejected: ${shown}`);
          // one line saying why: the rule on stdout (exit 1), or the unusable input on stderr (exit 2)
          const said = result.status === 1 ? result.stdout : result.stderr;
          assert.equal(said.trimEnd().split('\n').length, 1, shown);
          if (result.status === 1) assert.match(said, /^rejected \S+: [a-z-]+: /);
        } else {
          assert.equal(result.status, 0, `${name} must verify: ${shown}`);
          assert.match(result.stdout, /^verified /);
        }
      });
    }
  }

  it('refuses sign-bundle and unknown options with exit 2', async () => {
    const sign = await run(['sign-bundle', '--identity-token', 'x', '--bundle', '/dev/null', 'bundle-verify/a.txt']);
    assert.equal(sign.status, 2);
    assert.match(sign.stderr, /^sigstore-conformance: sign-bundle is not supported/);
    const unknown = await run(['verify-bundle', '--bundel', 'x', 'bundle-verify/a.txt']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown option "--bundel"/);
    const staging = await run(['verify-bundle', '--staging', ...protocolArguments('happy-path-v0.3', false).slice(1)]);
    assert.equal(staging.status, 2);
    assert.match(staging.stderr, /--staging needs --trusted-root/);
  });

  it('names the rule of a rejection on the command line', async () => {
    const rule = async (name: string) => (await run(protocolArguments(name, false))).stdout;
    assert.match(await rule('wrong-material_fail'), /: signature: /);
    assert.match(await rule('bundle-with-root-cert_fail'), /: certificate: .*root certificate/);
    assert.match(await rule('inclusion-proof-corrupted-hash_fail'), /: transparency-log: /);
    assert.match(await rule('bundle-malformed-json_fail'), /: malformed: /);
    const keyless = protocolArguments('happy-path-v0.3', false);
    keyless[keyless.indexOf('--certificate-identity') + 1] = 'https://github.com/someone/else';
    assert.match((await run(keyless)).stdout, /: identity: signed by https:\/\/github\.com\/sigstore-conformance\//);
    const dsse = protocolArguments('happy-path-intoto-in-dsse-v3', true);
    dsse[dsse.length - 1] = `sha256:${'0'.repeat(64)}`;
    assert.match(
      (await run(dsse)).stdout,
      /: subject-digest: no subject of the statement has the artifact's sha256 0{64}/,
    );
  });
});
