/**
 * cvebuild's own secret detectors: the formats secretlint's preset lacks (PyPI, anaconda.org,
 * prefix.dev, conda channel tokens, credentials in index/channel URLs, .env files) and stricter or
 * broader versions of some it has (OpenAI / Hugging Face lengths, AWS secrets before `/`/`+`, GitHub
 * checksums, encrypted and PGP private keys). Each is wrapped as a secretlint rule (`creators.ts`).
 * Every regex is anchored on a literal prefix or keyword and has bounded quantifiers.
 */
import { crc32 } from 'node:zlib';
import type { Severity } from '../model/finding.ts';
import { KEYRING_USERNAMES } from '../text/credentials.ts';
import { type Anchors, AWS_SECRET_ANCHORS, type Detection, USERINFO_ANCHOR } from './detection.ts';
import { isPlaceholder, looksRandom } from './text.ts';

export interface Detector {
  /** Our rule id. */
  id: string;
  anchors: Anchors;
  detect(content: string, path: string): Detection[];
}

/** A detection whose reported span is the secret itself. */
function token(
  rule: string,
  start: number,
  secret: string,
  fields: Omit<Detection, 'rule' | 'start' | 'end' | 'secretStart' | 'secretEnd'>,
): Detection {
  return { rule, start, end: start + secret.length, secretStart: start, secretEnd: start + secret.length, ...fields };
}

/** At least two of upper case, lower case and digits (generated tokens are; words and slugs are not). */
function mixedClasses(value: string): boolean {
  let classes = 0;
  if (/[A-Z]/.test(value)) classes++;
  if (/[a-z]/.test(value)) classes++;
  if (/[0-9]/.test(value)) classes++;
  return classes >= 2;
}

/** Random-looking and of mixed character classes: what a generated token body looks like. */
export function tokenLike(value: string, minBits = 3): boolean {
  return mixedClasses(value) && looksRandom(value, minBits);
}

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
// GitHub: `ghp_` (PAT), `gho_` (OAuth), `ghu_` (user-to-server), `ghs_` (server-to-server), `ghr_`
// (refresh) + 30 random base62 characters + a 6-character base62 CRC32 of those 30 (GitHub's
// "Behind GitHub's new authentication token formats", 2021); fine-grained PATs are `github_pat_` +
// 22 + `_` + 59. A classic token whose checksum verifies is reported with high confidence.

const GITHUB_CLASSIC = /(?<![A-Za-z0-9_])(gh[pousr])_([A-Za-z0-9]{36})(?![A-Za-z0-9_])/g;
const GITHUB_FINE = /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9_])/g;
const GITHUB_KINDS: Record<string, string> = {
  ghp: 'personal-access-token',
  gho: 'oauth-access-token',
  ghu: 'user-to-server-token',
  ghs: 'server-to-server-token',
  ghr: 'refresh-token',
};
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of an unsigned 32-bit number, left-padded with `0` to 6 characters. */
export function base62(value: number, width = 6): string {
  let rest = value >>> 0;
  let out = '';
  do {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return out.padStart(width, '0');
}

/** The checksum GitHub appends to a classic token's 30 random characters. */
export function githubChecksum(random: string): string {
  return base62(crc32(random));
}

export const githubToken: Detector = {
  id: 'github-token',
  anchors: { literals: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(GITHUB_CLASSIC)) {
      const body = match[2] as string;
      if (!tokenLike(body)) continue;
      const prefix = `${match[1]}_`;
      const valid = githubChecksum(body.slice(0, 30)) === body.slice(30);
      found.push(
        token('github-token', match.index, match[0], {
          kind: GITHUB_KINDS[match[1] as string] ?? 'token',
          prefix,
          confidence: valid ? 'high' : 'medium',
          detail: valid ? 'checksum verified' : undefined,
        }),
      );
    }
    for (const match of content.matchAll(GITHUB_FINE)) {
      if (!tokenLike(match[0].slice(11))) continue;
      found.push(
        token('github-token', match.index, match[0], {
          kind: 'fine-grained-personal-access-token',
          prefix: 'github_pat_',
          confidence: 'high',
        }),
      );
    }
    return found;
  },
};

// ---------------------------------------------------------------------------------------------
// AWS: access key IDs are a 4-letter type prefix + 16 base32 characters (`AKIA` long-term user key,
// `ASIA` STS temporary key, `ABIA` / `ACCA` service-specific). Secret access keys are 40 base64
// characters with no prefix, so only a value assigned to an `aws_secret_access_key`-like name counts.

const AWS_KEY_ID = /(?<![A-Za-z0-9])(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])/g;
const AWS_SECRET =
  /(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["']?\s{0,8}(?:=>|[:=]|\s)\s{0,8}["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/dgi;
const AWS_DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

export const awsAccessKeyId: Detector = {
  id: 'aws-access-key-id',
  anchors: { literals: ['AKIA', 'ASIA', 'ABIA', 'ACCA'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(AWS_KEY_ID)) {
      if (isPlaceholder(match[0]) || !looksRandom(match[0].slice(4), 2.5)) continue;
      const temporary = match[1] === 'ASIA';
      found.push(
        token('aws-access-key-id', match.index, match[0], {
          kind: temporary ? 'temporary-access-key-id' : 'access-key-id',
          prefix: match[1] as string,
          confidence: 'high',
        }),
      );
    }
    return found;
  },
};

export const awsSecretAccessKey: Detector = {
  id: 'aws-secret-access-key',
  anchors: { literals: AWS_SECRET_ANCHORS },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(AWS_SECRET)) {
      const secret = match[1] as string;
      const [start] = match.indices?.[1] ?? [0];
      if (secret === AWS_DOC_SECRET || !/[A-Z]/.test(secret) || !/[a-z]/.test(secret)) continue;
      if (!looksRandom(secret, 3.5)) continue;
      found.push(
        token('aws-secret-access-key', start, secret, { kind: 'secret-access-key', prefix: '', confidence: 'high' }),
      );
    }
    return found;
  },
};

// ---------------------------------------------------------------------------------------------
// OpenAI: project (`sk-proj-`), service account (`sk-svcacct-`) and admin (`sk-admin-`) keys are the
// prefix + a long base64url body (≈ 150 characters today, with `T3BlbkFJ` = base64("OpenAI") in the
// middle); legacy user keys are `sk-` + 20 + `T3BlbkFJ` + 20. The preset only accepts exact lengths.

const OPENAI_SCOPED = /(?<![A-Za-z0-9_-])sk-(proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}(?![A-Za-z0-9_-])/g;
const OPENAI_LEGACY =
  /(?<![A-Za-z0-9_-])sk-(?!ant-|proj-|svcacct-|admin-)[A-Za-z0-9_-]{8,120}T3BlbkFJ[A-Za-z0-9_-]{8,120}(?![A-Za-z0-9_-])/g;

export const openaiApiKey: Detector = {
  id: 'openai-api-key',
  anchors: { literals: ['sk-proj-', 'sk-svcacct-', 'sk-admin-', 'T3BlbkFJ'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(OPENAI_SCOPED)) {
      const prefix = `sk-${match[1]}-`;
      if (!tokenLike(match[0].slice(prefix.length))) continue;
      found.push(
        token('openai-api-key', match.index, match[0], {
          kind: `${match[1]}-key`,
          prefix,
          confidence: match[0].includes('T3BlbkFJ') ? 'high' : 'medium',
        }),
      );
    }
    for (const match of content.matchAll(OPENAI_LEGACY)) {
      if (!tokenLike(match[0].slice(3))) continue;
      found.push(
        token('openai-api-key', match.index, match[0], { kind: 'user-key', prefix: 'sk-', confidence: 'high' }),
      );
    }
    return found;
  },
};

// ---------------------------------------------------------------------------------------------
// Anthropic: `sk-ant-api03-` (API keys), `sk-ant-admin01-` (admin keys) + ~95 base64url characters
// ending in `AA`. The `AA` is not required here (a truncated or reformatted key is still a key).

const ANTHROPIC = /(?<![A-Za-z0-9_-])sk-ant-(api|admin|oat)(\d{2})-[A-Za-z0-9_-]{32,200}(?![A-Za-z0-9_-])/g;

export const anthropicApiKey: Detector = {
  id: 'anthropic-api-key',
  anchors: { literals: ['sk-ant-'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(ANTHROPIC)) {
      const prefix = `sk-ant-${match[1]}${match[2]}-`;
      if (!tokenLike(match[0].slice(prefix.length))) continue;
      found.push(
        token('anthropic-api-key', match.index, match[0], {
          kind: match[1] === 'admin' ? 'admin-key' : match[1] === 'oat' ? 'oauth-token' : 'api-key',
          prefix,
          confidence: match[0].endsWith('AA') ? 'high' : 'medium',
        }),
      );
    }
    return found;
  },
};

// ---------------------------------------------------------------------------------------------
// Hugging Face: `hf_` + 34 base62 characters (the preset accepts letters only).

const HUGGINGFACE = /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{34}(?![A-Za-z0-9_])/g;

export const huggingfaceToken: Detector = {
  id: 'huggingface-token',
  anchors: { literals: ['hf_'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(HUGGINGFACE)) {
      if (!tokenLike(match[0].slice(3))) continue;
      found.push(
        token('huggingface-token', match.index, match[0], {
          kind: 'user-access-token',
          prefix: 'hf_',
          confidence: 'high',
        }),
      );
    }
    return found;
  },
};

// ---------------------------------------------------------------------------------------------
// Private keys: PEM blocks (RFC 7468) and OpenPGP armour. The body must be a plausible base64 key
// (≥ 64 base64 characters after headers such as `Proc-Type:`/`Version:` are dropped); `\n` escapes
// (keys inside JSON strings) count as line breaks. Encrypted keys (`ENCRYPTED PRIVATE KEY`,
// `Proc-Type: 4,ENCRYPTED`, an OpenSSH key whose cipher is not `none`) are reported at high severity.

const PEM_BEGIN =
  /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----/g;
const PEM_KINDS: Record<string, string> = {
  'RSA PRIVATE KEY': 'rsa',
  'EC PRIVATE KEY': 'ec',
  'DSA PRIVATE KEY': 'dsa',
  'OPENSSH PRIVATE KEY': 'openssh',
  'ENCRYPTED PRIVATE KEY': 'pkcs8-encrypted',
  'PRIVATE KEY': 'pkcs8',
  'PGP PRIVATE KEY BLOCK': 'pgp',
  'SSH2 ENCRYPTED PRIVATE KEY': 'ssh2-encrypted',
};
const MAX_PEM = 64 * 1024;

/** The cipher named in an OpenSSH private key (`none` when unencrypted), from the first base64 bytes. */
function opensshCipher(base64: string): string | undefined {
  const head = Buffer.from(base64.slice(0, 64), 'base64');
  const magic = 'openssh-key-v1\0';
  if (head.subarray(0, magic.length).toString('latin1') !== magic) return undefined;
  const length = head.readUInt32BE(magic.length);
  return head.subarray(magic.length + 4, magic.length + 4 + length).toString('latin1');
}

export const privateKey: Detector = {
  id: 'private-key',
  anchors: { literals: ['PRIVATE KEY'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(PEM_BEGIN)) {
      const label = match[1] as string;
      const bodyStart = match.index + match[0].length;
      const endMarker = `-----END ${label}-----`;
      const endAt = content.indexOf(endMarker, bodyStart);
      if (endAt === -1 || endAt - bodyStart > MAX_PEM) continue;
      const body = content.slice(bodyStart, endAt);
      const lines = body.split(/\\r\\n|\\n|\r?\n/);
      let encrypted = label.includes('ENCRYPTED');
      let base64 = '';
      for (const raw of lines) {
        const line = raw.trim().replace(/^["']|["',]$/g, '');
        if (line === '') continue;
        if (/^[A-Za-z-]+:/.test(line)) {
          if (/^Proc-Type:.*ENCRYPTED/i.test(line)) encrypted = true;
          continue;
        }
        if (label.startsWith('PGP') && line.startsWith('=')) continue;
        base64 += line;
      }
      if (base64.length < 64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || !looksRandom(base64, 4)) continue;
      const kind = PEM_KINDS[label] ?? 'private-key';
      if (kind === 'openssh') {
        const cipher = opensshCipher(base64);
        if (cipher && cipher !== 'none') encrypted = true;
      }
      found.push({
        rule: 'private-key',
        start: match.index,
        end: endAt + endMarker.length,
        secretStart: bodyStart,
        secretEnd: endAt,
        kind: encrypted && !kind.endsWith('-encrypted') ? `${kind}-encrypted` : kind,
        prefix: '',
        confidence: 'high',
        severity: encrypted ? 'high' : 'critical',
        masked: `${label} **** (${base64.length} base64 chars)`,
        detail: encrypted ? 'encrypted' : undefined,
        normalize: 'pem',
      });
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

/** A value that is not a placeholder and looks like a credential (not a path, flag or word). */
function credentialValue(value: string): boolean {
  return (
    !isPlaceholder(value) && /^[A-Za-z0-9._~+/=-]{8,}$/.test(value) && !value.includes('/') && tokenLike(value, 2.5)
  );
}

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

function condaHost(host: string): boolean {
  return /conda|quetz|binstar|prefix\.dev/i.test(host);
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

// ---------------------------------------------------------------------------------------------
// Credentials in URLs: `scheme://user:password@host`. A password (that is not a placeholder or an
// environment reference) or a token used as the username is critical. A placeholder username alone
// (`oauth2accesstoken@`, `__token__@`: pip/uv/pixi then ask a keyring for the password) is reported
// at low severity: nothing secret is in the file, but the URL is credential-bearing. Plain usernames
// (`git@`, `alice@`) are not reported.

const URL_USERINFO =
  /\b([A-Za-z][A-Za-z0-9+.-]{1,20}):\/\/([^\s/?#@'"`<>\\[\](){}]{1,256})@([A-Za-z0-9[][A-Za-z0-9.:[\]-]{0,252})/g;
/** Passwords that are markers, not secrets: the username carries the token. */
const MARKER_PASSWORDS = new Set(['x-oauth-basic', 'x-access-token']);
const DATABASE_SCHEMES =
  /^(?:postgres(?:ql)?|mysqlx?|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|oracle|jdbc)/i;
const LOCAL_HOSTS =
  /^(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|host|hostname|example\.(?:com|org|net)|[^:]*\.example(?:\.com|\.org)?)(?::\d+)?$/i;

function urlKind(scheme: string, host: string, line: string): string {
  if (DATABASE_SCHEMES.test(scheme)) return 'database-url';
  if (scheme.startsWith('git') || /github\.com|gitlab|bitbucket/i.test(host)) return 'git-url';
  if (
    /index-url|extra-index|indexes|find-links|pypi|\/simple/i.test(line) ||
    /pypi|pkg\.dev|artifactory|jfrog|nexus|devpi|codeartifact/i.test(host)
  )
    return 'package-index-url';
  if (/channel|conda:/i.test(line) || condaHost(host)) return 'conda-channel-url';
  return 'url';
}

const KIND_TEXT: Record<string, string> = {
  'database-url': 'a database URL',
  'git-url': 'a git URL',
  'package-index-url': 'a package index URL',
  'conda-channel-url': 'a conda channel URL',
  url: 'a URL',
};

function lineAround(content: string, at: number): string {
  const start = content.lastIndexOf('\n', at) + 1;
  const end = content.indexOf('\n', at);
  return content.slice(start, end === -1 ? content.length : end);
}

function templated(value: string): boolean {
  return /^\$|\$\{|\{\{|%\(|^<.*>$|^\{.*\}$|^%[A-Za-z_]+%$/.test(value);
}

export const urlCredentials: Detector = {
  id: 'url-credentials',
  anchors: { pattern: USERINFO_ANCHOR },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(URL_USERINFO)) {
      const scheme = match[1] as string;
      const userinfo = match[2] as string;
      const host = match[3] as string;
      const userinfoStart = match.index + scheme.length + 3;
      const colon = userinfo.indexOf(':');
      const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
      const password = colon === -1 ? '' : userinfo.slice(colon + 1);
      if (templated(user) && (password === '' || templated(password))) continue;
      const kind = urlKind(scheme, host, lineAround(content, match.index));
      const where = `in ${KIND_TEXT[kind] ?? 'a URL'} (host ${host})`;
      const local = LOCAL_HOSTS.test(host);
      let severity: Severity = local ? 'low' : 'critical';
      if (password !== '' && !MARKER_PASSWORDS.has(password.toLowerCase())) {
        if (isPlaceholder(password) || templated(password)) continue;
        const start = userinfoStart + colon + 1;
        found.push({
          rule: 'url-credentials',
          start,
          end: start + password.length,
          secretStart: start,
          secretEnd: start + password.length,
          kind,
          prefix: '',
          confidence: local ? 'low' : tokenLike(password, 2.5) ? 'high' : 'medium',
          severity,
          detail: `password ${where}`,
        });
        continue;
      }
      const lower = user.toLowerCase();
      if (KEYRING_USERNAMES.has(lower)) {
        severity = 'low';
        found.push({
          rule: 'url-credentials',
          start: userinfoStart,
          end: userinfoStart + userinfo.length,
          secretStart: userinfoStart,
          secretEnd: userinfoStart + user.length,
          kind,
          prefix: user,
          confidence: 'high',
          severity,
          masked: `${user}@`,
          public: true,
          detail: `placeholder username \`${user}\` ${where}; the password comes from a keyring or credential helper`,
          remedy:
            'Nothing secret is in the file: the password is fetched from a keyring or credential helper (pixi/uv `keyring-provider`). Check that it lives only there, and that the username is the one the registry expects for token logins.',
        });
        continue;
      }
      if (user.length >= 20 && tokenLike(user, 3)) {
        found.push({
          rule: 'url-credentials',
          start: userinfoStart,
          end: userinfoStart + user.length,
          secretStart: userinfoStart,
          secretEnd: userinfoStart + user.length,
          kind,
          prefix: '',
          confidence: 'medium',
          severity,
          detail: `token used as the username ${where}`,
        });
      }
    }
    return found;
  },
};

// ---------------------------------------------------------------------------------------------
// .env files: `.env`, `.env.local`, `.env.production`… (not `.env.example` / `.sample` / `.template`
// / `.dist`). Each `KEY=value` whose key looks secret and whose value is not a placeholder is a hit.

const DOTENV_NAME = /(?:^|\/)\.env(?:\.[^/]+)?$/;
const DOTENV_TEMPLATE =
  /(?:^|\/)\.env(?:\.[^/]*)?\.(?:example|sample|template|dist|tmpl|tpl)$|(?:^|\/)\.env\.(?:example|sample|template|dist|tmpl|tpl)(?:\.[^/]+)?$/i;
const SECRET_PARTS = new Set([
  'SECRET',
  'PASSWORD',
  'PASSWD',
  'TOKEN',
  'APIKEY',
  'PWD',
  'CREDENTIALS',
  'CREDENTIAL',
  'PRIVATE',
]);
const SECRET_LAST = new Set(['KEY', 'PASS', 'PAT', 'AUTH', 'DSN', 'PASSPHRASE']);
const NOT_SECRET_LAST = new Set([
  'ID',
  'NAME',
  'PATH',
  'FILE',
  'DIR',
  'URL',
  'URI',
  'HOST',
  'PORT',
  'USER',
  'USERNAME',
  'TYPE',
  'EXPIRY',
  'EXPIRES',
  'TTL',
  'LENGTH',
  'ENABLED',
  'ALGORITHM',
  'HEADER',
  'FIELD',
  'REGION',
  'ENDPOINT',
  'VERSION',
  'TIMEOUT',
  'COUNT',
]);
const DOTENV_LINE = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]{0,127})[ \t]*[=:][ \t]*(.*)$/gm;

export function isDotenvPath(path: string): boolean {
  return DOTENV_NAME.test(path) && !DOTENV_TEMPLATE.test(path);
}

export function secretName(name: string): boolean {
  const parts = name
    .toUpperCase()
    .split(/[_.-]+/)
    .filter(Boolean);
  const last = parts.at(-1) ?? '';
  if (parts.includes('PUBLIC') || NOT_SECRET_LAST.has(last)) return false;
  return (
    SECRET_LAST.has(last) ||
    parts.some(
      (part) =>
        SECRET_PARTS.has(part) || part.endsWith('PASSWORD') || part.endsWith('TOKEN') || part.endsWith('SECRET'),
    )
  );
}

/** The value of a .env line and its offset in the line: quotes stripped, a trailing ` # comment` dropped. */
function dotenvValue(raw: string): [string, number] {
  const lead = raw.length - raw.trimStart().length;
  const text = raw.trim();
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const close = text.indexOf(quote, 1);
    return [close === -1 ? text.slice(1) : text.slice(1, close), lead + 1];
  }
  const comment = text.search(/\s#/);
  return [comment === -1 ? text : text.slice(0, comment).trimEnd(), lead];
}

export const dotenvSecret: Detector = {
  id: 'dotenv-secret',
  anchors: { path: isDotenvPath },
  detect(content, path) {
    if (!isDotenvPath(path)) return [];
    const found: Detection[] = [];
    for (const match of content.matchAll(DOTENV_LINE)) {
      const name = match[1] as string;
      if (!secretName(name)) continue;
      const raw = match[2] as string;
      const [value, offset] = dotenvValue(raw);
      if (isPlaceholder(value) || templated(value)) continue;
      const start = match.index + match[0].length - raw.length + offset;
      found.push(
        token('dotenv-secret', start, value, {
          kind: 'dotenv-assignment',
          prefix: '',
          confidence: tokenLike(value, 2.5) ? 'high' : 'medium',
          detail: `assigned to ${name}`,
        }),
      );
    }
    return found;
  },
};

/** Our detectors, in the order they run. */
export const DETECTORS: readonly Detector[] = [
  pypiToken,
  githubToken,
  awsAccessKeyId,
  awsSecretAccessKey,
  openaiApiKey,
  anthropicApiKey,
  huggingfaceToken,
  privateKey,
  prefixDevToken,
  anacondaToken,
  condaChannelToken,
  urlCredentials,
  dotenvSecret,
];
