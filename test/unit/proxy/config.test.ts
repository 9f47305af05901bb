import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCvebuildError } from '../../../src/errors.ts';
import { adminTokens, parseProxyConfig } from '../../../src/proxy/config.ts';

const VALID = `
[server]
listen = "127.0.0.1:9000"
metadata-max-age = "2m"

[state]
sqlite = "state.db"
propagation = "2s"

[policy]
cooldown-bucket = "5m"

[[conda]]
name = "conda-forge"
url = "https://conda.anaconda.org/conda-forge/"
exclude-newer = "7d"
exclude-newer-packages = { openssl = "1d" }

[[pypi]]
name = "pypi"
url = "https://pypi.org/simple"
files = ["https://files.pythonhosted.org/"]
`;

function failure(text: string): string {
  try {
    parseProxyConfig(text, '/etc/cvebuild/proxy.toml');
  } catch (error) {
    assert.ok(isCvebuildError(error), String(error));
    return error.toLine();
  }
  assert.fail('the configuration was accepted');
}

describe('the proxy configuration', () => {
  it('reads upstreams, durations, cooldown and paths relative to the file', () => {
    const config = parseProxyConfig(VALID, '/etc/cvebuild/proxy.toml');
    assert.equal(config.server.port, 9000);
    assert.equal(config.server.metadataMaxAgeS, 120);
    assert.equal(config.propagationMs, 2000);
    assert.equal(config.policy.bucketMs, 300_000);
    assert.deepEqual(config.state, { sqlite: '/etc/cvebuild/state.db' });
    assert.equal(config.conda[0]?.url, 'https://conda.anaconda.org/conda-forge');
    assert.equal(config.conda[0]?.cooldown.excludeNewer, '7d');
    assert.equal(config.conda[0]?.cooldown.packages?.get('openssl'), '1d');
    assert.equal(config.pypi[0]?.url, 'https://pypi.org/simple/');
  });

  it('names the file, line and key of a misspelt key', () => {
    const line = failure(VALID.replace('exclude-newer = "7d"', 'exclude-newr = "7d"'));
    assert.match(line, /^\/etc\/cvebuild\/proxy\.toml:\d+: conda\[0\]\.exclude-newr: unknown key/);
  });

  it("reads a conda upstream's channel-audit state relative to the file, and names a misspelt key", () => {
    const text = VALID.replace('exclude-newer = "7d"', 'exclude-newer = "7d"\nchannel-audit-state = "audit/cf.sqlite"');
    const config = parseProxyConfig(text, '/etc/cvebuild/proxy.toml');
    assert.equal(config.conda[0]?.channelAuditState, '/etc/cvebuild/audit/cf.sqlite');
    assert.equal(parseProxyConfig(VALID, '/etc/cvebuild/proxy.toml').conda[0]?.channelAuditState, undefined);
    assert.match(
      failure(text.replace('channel-audit-state', 'channel-audit-stat')),
      /^\/etc\/cvebuild\/proxy\.toml:\d+: conda\[0\]\.channel-audit-stat: unknown key/,
    );
    assert.match(failure(text.replace('"audit/cf.sqlite"', '""')), /conda\[0\]\.channel-audit-state/);
  });

  it('refuses bad durations, duplicate names, no upstream and both stores', () => {
    assert.match(failure(VALID.replace('"2m"', '"soon"')), /server\.metadata-max-age: not a duration/);
    assert.match(
      failure(`${VALID}\n[[pypi]]\nname = "pypi"\nurl = "https://x.org/simple/"\n`),
      /pypi\[1\]\.name: upstream name "pypi" is used twice/,
    );
    assert.match(failure('[server]\nlisten = "127.0.0.1:1"\n'), /no upstream/);
    assert.match(
      failure(VALID.replace('sqlite = "state.db"', 'sqlite = "a"\npostgres = "postgres://x"')),
      /give sqlite or postgres, not both/,
    );
    assert.match(
      failure(VALID.replace('https://pypi.org/simple', 'ftp://pypi.org/simple')),
      /pypi\[0\]\.url: expected an http\(s\) URL/,
    );
  });

  it('takes the PostgreSQL password from the environment, and admin tokens as name=token pairs', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own placeholder syntax
    const text = VALID.replace('sqlite = "state.db"', 'postgres = "postgres://proxy:${PGPASS}@127.0.0.1/proxy"');
    const config = parseProxyConfig(text, 'p.toml', { PGPASS: 's3cret' });
    assert.deepEqual(config.state, { postgres: 'postgres://proxy:s3cret@127.0.0.1/proxy' });
    assert.throws(() => parseProxyConfig(text, 'p.toml', {}), /PGPASS is not set/);
    const tokens = adminTokens(config, {
      CVEBUILD_PROXY_TOKENS: 'alice=aaaaaaaaaaaaaaaaaaaa,bob=bbbbbbbbbbbbbbbbbbbb',
    });
    assert.equal(tokens.get('aaaaaaaaaaaaaaaaaaaa'), 'alice');
    assert.throws(() => adminTokens(config, { CVEBUILD_PROXY_TOKENS: 'alice=short' }), /at least 16 characters/);
  });
});
