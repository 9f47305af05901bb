/** Package registry credentials: PyPI, prefix.dev, anaconda.org and tokens in conda channel URLs. */
import type { Detection } from '../detection.ts';
import { condaHost, credentialValue, type Detector, token, tokenLike } from './shared.ts';

// ---------------------------------------------------------------------------------------------
// PyPI: `pypi-` + a base64url macaroon. Every PyPI macaroon starts with the bytes 02 01 08/0d and the
// location (`pypi.org`, `test.pypi.org`), so the token starts `pypi-AgE`: `AgEIcHlwaS5vcmc` for
// pypi.org and `AgENdGVzdC5weXBpLm9yZw` for TestPyPI. Real tokens are ~180-230 characters.

const PYPI = /(?<![A-Za-z0-9_-])pypi-AgE[A-Za-z0-9_-]{50,1000}(?![A-Za-z0-9_-])/g;

export const pypiToken: Detector = {
  id: 'pypi-token',
  anchors: { literals: ['pypi-AgE'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(PYPI)) {
      const secret = match[0];
      if (!tokenLike(secret.slice(8))) continue;
      const kind = secret.startsWith('pypi-AgENdGVzdC5weXBpLm9yZw')
        ? 'test.pypi.org'
        : secret.startsWith('pypi-AgEIcHlwaS5vcmc')
          ? 'pypi.org'
          : 'pypi';
      found.push(token('pypi-token', match.index, secret, { kind, prefix: 'pypi-AgE', confidence: 'high' }));
    }
    return found;
  },
};

// ---------------------------------------------------------------------------------------------
// prefix.dev: API keys are `pfx_` + base64url-ish characters; the format is not documented, so this is
// based on the examples in pixi's docs (`pixi auth login repo.prefix.dev --token pfx_…`, 30 and 37
// characters after the prefix). Also any value given to `pixi auth login … --token` (whose help says
// "the token to use (for authentication with prefix.dev)") and to `PREFIX_API_KEY`-like variables.

const PREFIX_KEY = /(?<![A-Za-z0-9_-])pfx_[A-Za-z0-9_-]{24,80}(?![A-Za-z0-9_-])/g;
const PREFIX_ASSIGN =
  /\b(PREFIX_API_KEY|PREFIX_API_TOKEN|PREFIX_DEV_TOKEN|PREFIX_DEV_API_KEY|PREFIX_TOKEN|PIXI_AUTH_TOKEN)["']?\s{0,8}[:=]\s{0,8}["']?([^\s"'#;,)]{1,512})/dg;
const PIXI_LOGIN_TOKEN = /\bpixi\s+auth\s+login\b[^\n]{0,300}?\s--token(?:\s+|=)["']?([^\s"';)]{1,512})/dg;

export const prefixDevToken: Detector = {
  id: 'prefix-dev-token',
  anchors: { literals: ['pfx_', 'PREFIX_', 'PIXI_AUTH_TOKEN', '--token'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(PREFIX_KEY)) {
      if (!tokenLike(match[0].slice(4))) continue;
      found.push(
        token('prefix-dev-token', match.index, match[0], { kind: 'api-key', prefix: 'pfx_', confidence: 'high' }),
      );
    }
    for (const pattern of [PREFIX_ASSIGN, PIXI_LOGIN_TOKEN]) {
      for (const match of content.matchAll(pattern)) {
        const value = match[match.length - 1] as string;
        const [start] = match.indices?.[match.length - 1] ?? [0];
        if (!credentialValue(value)) continue;
        found.push(
          token('prefix-dev-token', start, value, {
            kind: pattern === PREFIX_ASSIGN ? 'assignment' : 'pixi-auth-login',
            prefix: value.startsWith('pfx_') ? 'pfx_' : '',
            confidence: value.startsWith('pfx_') ? 'high' : 'medium',
          }),
        );
      }
    }
    return found;
  },
};

// ---------------------------------------------------------------------------------------------
// anaconda.org: tokens (`anaconda auth --create`; pixi's docs show `xy-72b914cc-c105-4ec7-a969-…`,
// two letters + a UUID) given in `ANACONDA_API_TOKEN`/`BINSTAR_API_TOKEN`, `anaconda -t/--token`
// and `pixi auth login --conda-token`; and any token in a conda channel URL `…/t/<token>/<channel>`.

const ANACONDA_FORMAT = /^[A-Za-z]{2}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ANACONDA_ASSIGN =
  /\b(ANACONDA_API_TOKEN|ANACONDA_TOKEN|ANACONDA_ORG_TOKEN|BINSTAR_API_TOKEN|BINSTAR_TOKEN|CONDA_TOKEN|CONDA_API_TOKEN)["']?\s{0,8}[:=]\s{0,8}["']?([^\s"'#;,)]{1,512})/dg;
const ANACONDA_CLI = /\banaconda\b[^\n]{0,200}?\s(?:-t|--token)(?:\s+|=)["']?([^\s"';)]{1,512})/dg;
const CONDA_TOKEN_FLAG = /--conda-token(?:\s+|=)["']?([^\s"';)]{1,512})/dg;
const CHANNEL_TOKEN =
  /\bhttps?:\/\/([A-Za-z0-9.-]{1,253}(?::\d{1,5})?)((?:\/[^\s/'"<>?#]{1,200}){0,6}?)\/t\/([^\s/'"<>?#]{1,512})\//g;

function anacondaValue(value: string): 'high' | 'medium' | undefined {
  if (ANACONDA_FORMAT.test(value)) return 'high';
  return credentialValue(value) ? 'medium' : undefined;
}

export const anacondaToken: Detector = {
  id: 'anaconda-token',
  anchors: {
    literals: ['ANACONDA_', 'BINSTAR_', 'CONDA_TOKEN', 'CONDA_API_TOKEN', '--conda-token', '--token', ' -t', '\t-t'],
  },
  detect(content) {
    const found: Detection[] = [];
    const patterns: [RegExp, string][] = [
      [ANACONDA_ASSIGN, 'assignment'],
      [ANACONDA_CLI, 'anaconda-cli'],
      [CONDA_TOKEN_FLAG, 'pixi-auth-login'],
    ];
    for (const [pattern, kind] of patterns) {
      for (const match of content.matchAll(pattern)) {
        const value = match[match.length - 1] as string;
        const [start] = match.indices?.[match.length - 1] ?? [0];
        const confidence = anacondaValue(value);
        if (!confidence) continue;
        found.push(token('anaconda-token', start, value, { kind, prefix: '', confidence }));
      }
    }
    return found;
  },
};

export const condaChannelToken: Detector = {
  id: 'conda-channel-token',
  anchors: { literals: ['/t/'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(CHANNEL_TOKEN)) {
      const host = match[1] as string;
      const value = match[3] as string;
      const conda = condaHost(host);
      const formatted = ANACONDA_FORMAT.test(value);
      if (!formatted && !(conda && credentialValue(value))) continue;
      const start = match.index + match[0].length - value.length - 1;
      found.push(
        token('conda-channel-token', start, value, {
          kind: 'channel-url',
          prefix: '',
          confidence: formatted ? 'high' : 'medium',
          detail: `in a channel URL on ${host}`,
        }),
      );
    }
    return found;
  },
};
