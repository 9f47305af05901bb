/**
 * A labelled set for the secret scanner, generated at run time from a seeded PRNG: no real-looking
 * token is committed to the repository (so push protection and other scanners never trip on it).
 * Positives are well-formed fakes (correct lengths; GitHub's CRC32/base62 checksum; AWS base32 ids)
 * in realistic contexts (Python, YAML, TOML, JSON, shell, URLs, .env, PEM files, pixi.toml/lock);
 * negatives are the near misses a scanner must not flag (digests, UUIDs, base64 blobs, commit
 * hashes, AWS's documentation keys, placeholders, `git@` URLs, public keys and certificates, names
 * without values).
 */
import { crc32 } from 'node:zlib';
import type { Severity } from '../../src/model/finding.ts';
import { pick, seededRandom } from './random.ts';

export interface ExpectedSecret {
  rule: string;
  /** The secret as planted (what must never appear in a hit). */
  secret: string;
  /** The public prefix a mask may keep. */
  prefix: string;
  /** 1-based position where the hit must start. */
  line: number;
  column: number;
  severity?: Severity;
}

export interface LabelledCase {
  name: string;
  path: string;
  content: string;
  /** Empty for negatives. */
  expected: ExpectedSecret[];
}

/** A literal `$`, for `${VAR}` references in generated text. */
const $ = '$';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const BASE62 = DIGITS + UPPER + LOWER;
const BASE64 = `${ALNUM}+/`;
const BASE64URL = `${ALNUM}-_`;
const HEX = '0123456789abcdef';
const BASE32 = `${UPPER}234567`;

/** The fake-secret factory: every value comes from one seeded PRNG. */
export class FakeSecrets {
  readonly random: () => number;
  constructor(seed = 7) {
    this.random = seededRandom(seed);
  }

  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.random() * alphabet.length)];
    return out;
  }

  /** Random characters from `alphabet` with at least one upper case letter, one lower case and one digit. */
  mixed(alphabet: string, length: number): string {
    for (;;) {
      const value = this.chars(alphabet, length);
      if (/[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value) && !/(.)\1\1/.test(value)) return value;
    }
  }

  hex(length: number): string {
    return this.chars(HEX, length);
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  base64Bytes(bytes: number): string {
    const raw = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i++) raw[i] = Math.floor(this.random() * 256);
    return raw.toString('base64');
  }

  /** `ghp_` + 30 base62 + base62(CRC32 of the 30), left-padded to 6: GitHub's 2021 token format. */
  githubClassic(prefix: 'ghp' | 'gho' | 'ghu' | 'ghs' | 'ghr' = 'ghp'): string {
    const body = this.mixed(ALNUM, 30);
    let sum = crc32(body);
    let check = '';
    do {
      check = BASE62[sum % 62] + check;
      sum = Math.floor(sum / 62);
    } while (sum > 0);
    return `${prefix}_${body}${check.padStart(6, '0')}`;
  }

  githubFineGrained(): string {
    return `github_pat_11${this.mixed(ALNUM, 20)}_${this.mixed(ALNUM, 59)}`;
  }

  /** pypi.org or TestPyPI macaroon: `pypi-AgE` + base64url of the serialized macaroon (~180 chars). */
  pypi(test = false): string {
    const location = test ? 'AgENdGVzdC5weXBpLm9yZw' : 'AgEIcHlwaS5vcmc';
    return `pypi-${location}${this.mixed(BASE64URL, this.int(150, 200))}`;
  }

  awsKeyId(prefix: 'AKIA' | 'ASIA' = 'AKIA'): string {
    for (;;) {
      const body = this.chars(BASE32, 16);
      if (/[2-7]/.test(body)) return `${prefix}${body}`;
    }
  }

  /** 40 base64 characters; `end` forces the last character (`/` and `+` tripped the preset). */
  awsSecret(end?: '/' | '+'): string {
    const body = this.mixed(BASE64, 39);
    return `${body}${end ?? this.chars(ALNUM, 1)}`;
  }

  openai(kind: 'proj' | 'svcacct' | 'admin' | 'legacy', side = 74): string {
    if (kind === 'legacy') return `sk-${this.mixed(ALNUM, 20)}T3BlbkFJ${this.mixed(ALNUM, 20)}`;
    return `sk-${kind}-${this.mixed(BASE64URL, side)}T3BlbkFJ${this.mixed(BASE64URL, side)}`;
  }

  anthropic(kind: 'api03' | 'admin01' = 'api03'): string {
    return `sk-ant-${kind}-${this.mixed(BASE64URL, 93)}AA`;
  }

  huggingface(): string {
    return `hf_${this.mixed(ALNUM, 34)}`;
  }

  prefixDev(): string {
    return `pfx_${this.mixed(BASE64URL, this.int(30, 37))}`;
  }

  anaconda(): string {
    return `${this.chars(LOWER, 2)}-${this.uuid()}`;
  }

  password(): string {
    return `${this.mixed(ALNUM, 10)}${pick(this.random, ['!', '-', '_', '.', '~'])}${this.mixed(ALNUM, 6)}`;
  }

  /** A PEM body: base64 lines of 64 characters starting like the DER (or OpenSSH) structure. */
  pemBody(start: string, bytes: number): string {
    const text = `${start}${this.base64Bytes(bytes)}`.replace(/=+$/, '');
    return text.match(/.{1,64}/g)?.join('\n') ?? text;
  }

  /** The base64 of an OpenSSH private key: magic, cipher name, random rest. */
  opensshBody(cipher: 'none' | 'aes256-ctr'): string {
    const magic = Buffer.from('openssh-key-v1\0', 'latin1');
    const name = Buffer.from(cipher, 'latin1');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(name.length);
    const rest = Buffer.from(this.base64Bytes(300), 'base64');
    const text = Buffer.concat([magic, length, name, rest]).toString('base64');
    return text.match(/.{1,70}/g)?.join('\n') ?? text;
  }
}

/** Filler lines of ordinary source/config text (never secret-looking). */
export function fillerLines(fake: FakeSecrets, count: number, style: 'py' | 'yaml' | 'toml' | 'sh' = 'py'): string[] {
  const words = ['build', 'numpy', 'channel', 'feature', 'solve', 'python', 'platform', 'lock', 'index', 'cache'];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = pick(fake.random, words);
    const b = pick(fake.random, words);
    const n = fake.int(0, 999);
    if (style === 'py')
      lines.push(pick(fake.random, [`${a}_${b} = ${n}`, `def ${a}_${b}(x):`, `    return x + ${n}`, `# ${a} ${b}`]));
    else if (style === 'yaml') lines.push(`${a}_${b}: ${n}`);
    else if (style === 'toml') lines.push(`${a}-${b} = "${n}"`);
    else lines.push(`echo "${a} ${b} ${n}"`);
  }
  return lines;
}

/** Builds a case from text with `{{n}}` markers standing for planted secrets. */
function plant(
  name: string,
  path: string,
  template: string,
  secrets: { rule: string; secret: string; prefix?: string; severity?: Severity; at?: string }[],
): LabelledCase {
  let content = template;
  secrets.forEach((entry, i) => {
    content = content.replaceAll(`{{${i}}}`, entry.secret);
  });
  const expected = secrets.map((entry): ExpectedSecret => {
    const offset = content.indexOf(entry.at ?? entry.secret);
    if (offset < 0) throw new Error(`${name}: planted value not found`);
    const before = content.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    return {
      rule: entry.rule,
      secret: entry.secret,
      prefix: entry.prefix ?? '',
      line,
      column,
      severity: entry.severity,
    };
  });
  return { name, path, content, expected };
}

function wrap(fake: FakeSecrets, body: string, style: 'py' | 'yaml' | 'toml' | 'sh' = 'py'): string {
  return [...fillerLines(fake, fake.int(1, 6), style), body, ...fillerLines(fake, fake.int(0, 4), style), ''].join(
    '\n',
  );
}

/** Every rule, several well-formed fakes in realistic contexts. */
export function positives(seed = 7): LabelledCase[] {
  const fake = new FakeSecrets(seed);
  const cases: LabelledCase[] = [];
  const add = (...items: LabelledCase[]) => cases.push(...items);

  // pypi-token
  for (const test of [false, true]) {
    add(
      plant('pypi-token in .pypirc', '.pypirc', `[pypi]\nusername = __token__\npassword = {{0}}\n`, [
        { rule: 'pypi-token', secret: fake.pypi(test), prefix: 'pypi-AgE' },
      ]),
    );
  }
  add(
    plant(
      'pypi-token in a workflow',
      '.github/workflows/release.yml',
      wrap(fake, `      TWINE_PASSWORD: "{{0}}"`, 'yaml'),
      [{ rule: 'pypi-token', secret: fake.pypi(), prefix: 'pypi-AgE' }],
    ),
  );
  add(
    plant(
      'pypi-token as an index URL password',
      'pixi.toml',
      `[pypi-options]\nindex-url = "https://__token__:{{0}}@upload.pypi.org/legacy/"\n`,
      [{ rule: 'pypi-token', secret: fake.pypi(), prefix: 'pypi-AgE' }],
    ),
  );

  // github-token
  for (const kind of ['ghp', 'gho', 'ghu', 'ghs', 'ghr'] as const) {
    add(
      plant(`github-token ${kind} in Python`, 'src/app/settings.py', wrap(fake, `GITHUB_TOKEN = "{{0}}"`), [
        { rule: 'github-token', secret: fake.githubClassic(kind), prefix: `${kind}_` },
      ]),
    );
  }
  add(
    plant('github-token fine-grained in JSON', 'config/ci.json', `{\n  "name": "ci",\n  "token": "{{0}}"\n}\n`, [
      { rule: 'github-token', secret: fake.githubFineGrained(), prefix: 'github_pat_' },
    ]),
  );
  add(
    plant(
      'github-token as a git URL username',
      'pixi.toml',
      `[pypi-dependencies]\nmylib = { git = "https://{{0}}@github.com/acme/mylib.git" }\n`,
      [{ rule: 'github-token', secret: fake.githubClassic(), prefix: 'ghp_' }],
    ),
  );
  add(
    plant('github-token in .env (the specific rule wins)', '.env', `DEBUG=1\nGH_TOKEN={{0}}\n`, [
      { rule: 'github-token', secret: fake.githubClassic(), prefix: 'ghp_' },
    ]),
  );

  // AWS
  const keyId = fake.awsKeyId();
  const secretSlash = fake.awsSecret('/');
  add(
    plant(
      'aws credentials file',
      '.aws/credentials',
      `[default]\naws_access_key_id = {{0}}\naws_secret_access_key = {{1}}\nregion = eu-west-1\n`,
      [
        { rule: 'aws-access-key-id', secret: keyId, prefix: 'AKIA', severity: 'high' },
        { rule: 'aws-secret-access-key', secret: secretSlash },
      ],
    ),
  );
  add(
    plant(
      'aws secret ending in + before a quote',
      'deploy/settings.py',
      wrap(fake, `AWS_SECRET_ACCESS_KEY = "{{0}}"`),
      [{ rule: 'aws-secret-access-key', secret: fake.awsSecret('+') }],
    ),
  );
  add(
    plant('aws secret in JSON', 'creds.json', `{"AccessKeyId": "{{0}}", "SecretAccessKey": "{{1}}"}\n`, [
      { rule: 'aws-access-key-id', secret: fake.awsKeyId('ASIA'), prefix: 'ASIA', severity: 'high' },
      { rule: 'aws-secret-access-key', secret: fake.awsSecret() },
    ]),
  );
  add(
    plant('aws key id in shell', 'scripts/upload.sh', wrap(fake, `export AWS_ACCESS_KEY_ID={{0}}`, 'sh'), [
      { rule: 'aws-access-key-id', secret: fake.awsKeyId(), prefix: 'AKIA', severity: 'high' },
    ]),
  );

  // OpenAI
  add(
    plant('openai sk-proj in Python', 'notebooks/llm.py', wrap(fake, `client = OpenAI(api_key="{{0}}")`), [
      { rule: 'openai-api-key', secret: fake.openai('proj'), prefix: 'sk-proj-' },
    ]),
  );
  add(
    plant('openai sk-proj shorter than the preset accepts', 'app.toml', wrap(fake, `openai_key = "{{0}}"`, 'toml'), [
      { rule: 'openai-api-key', secret: fake.openai('proj', 48), prefix: 'sk-proj-' },
    ]),
  );
  add(
    plant('openai svcacct in YAML', 'k8s/secret.yaml', wrap(fake, `  OPENAI_API_KEY: {{0}}`, 'yaml'), [
      { rule: 'openai-api-key', secret: fake.openai('svcacct', 60), prefix: 'sk-svcacct-' },
    ]),
  );
  add(
    plant('openai admin key in shell', 'ops/env.sh', wrap(fake, `export OPENAI_ADMIN_KEY='{{0}}'`, 'sh'), [
      { rule: 'openai-api-key', secret: fake.openai('admin', 64), prefix: 'sk-admin-' },
    ]),
  );
  add(
    plant('openai legacy key', 'old/bot.py', wrap(fake, `openai.api_key = "{{0}}"`), [
      { rule: 'openai-api-key', secret: fake.openai('legacy'), prefix: 'sk-' },
    ]),
  );

  // Anthropic
  add(
    plant('anthropic api key in Python', 'agent/main.py', wrap(fake, `client = Anthropic(api_key="{{0}}")`), [
      { rule: 'anthropic-api-key', secret: fake.anthropic(), prefix: 'sk-ant-api03-' },
    ]),
  );
  add(
    plant('anthropic admin key in JSON', 'admin.json', `{"key": "{{0}}"}\n`, [
      { rule: 'anthropic-api-key', secret: fake.anthropic('admin01'), prefix: 'sk-ant-admin01-' },
    ]),
  );

  // Hugging Face
  add(
    plant('hf token in Python', 'train.py', wrap(fake, `login(token="{{0}}")`), [
      { rule: 'huggingface-token', secret: fake.huggingface(), prefix: 'hf_' },
    ]),
  );
  add(
    plant('hf token in shell', 'run.sh', wrap(fake, `export HF_TOKEN={{0}}`, 'sh'), [
      { rule: 'huggingface-token', secret: fake.huggingface(), prefix: 'hf_' },
    ]),
  );

  // prefix.dev
  add(
    plant(
      'prefix.dev pixi auth login',
      'README.md',
      `To publish:\n\n    pixi auth login repo.prefix.dev --token {{0}}\n`,
      [{ rule: 'prefix-dev-token', secret: fake.prefixDev(), prefix: 'pfx_' }],
    ),
  );
  add(
    plant('prefix.dev key in TOML', 'ci/config.toml', wrap(fake, `PREFIX_API_KEY = "{{0}}"`, 'toml'), [
      { rule: 'prefix-dev-token', secret: fake.prefixDev(), prefix: 'pfx_' },
    ]),
  );
  add(
    plant('prefix.dev key without the pfx_ prefix', 'ci/publish.sh', wrap(fake, 'export PREFIX_API_KEY={{0}}', 'sh'), [
      { rule: 'prefix-dev-token', secret: fake.mixed(BASE64URL, 32) },
    ]),
  );

  // anaconda.org
  add(
    plant(
      'anaconda token in a workflow env',
      '.github/workflows/upload.yml',
      wrap(fake, `      ANACONDA_API_TOKEN: {{0}}`, 'yaml'),
      [{ rule: 'anaconda-token', secret: fake.anaconda() }],
    ),
  );
  add(
    plant(
      'anaconda -t upload',
      'scripts/upload.sh',
      wrap(fake, `anaconda -t {{0}} upload --user acme dist/*.conda`, 'sh'),
      [{ rule: 'anaconda-token', secret: fake.anaconda() }],
    ),
  );
  add(
    plant('anaconda --token', 'Makefile', `upload:\n\tanaconda --token {{0}} upload -u acme build/*.conda\n`, [
      { rule: 'anaconda-token', secret: fake.anaconda() },
    ]),
  );
  add(
    plant('pixi auth login --conda-token', 'docs/setup.md', `    pixi auth login anaconda.org --conda-token {{0}}\n`, [
      { rule: 'anaconda-token', secret: fake.anaconda() },
    ]),
  );

  // conda channel tokens
  add(
    plant(
      'channel token in pixi.toml',
      'pixi.toml',
      `[workspace]\nchannels = ["conda-forge", "https://conda.anaconda.org/t/{{0}}/acme-private"]\nplatforms = ["linux-64"]\n`,
      [{ rule: 'conda-channel-token', secret: fake.anaconda() }],
    ),
  );
  add(
    plant(
      'channel token in pixi.lock',
      'pixi.lock',
      `version: 6\nenvironments:\n  default:\n    channels:\n    - url: https://conda.anaconda.org/t/{{0}}/acme/\n    packages:\n      linux-64:\n      - conda: https://conda.anaconda.org/conda-forge/linux-64/zlib-1.3.1-hb9d3cd8_2.conda\n`,
      [{ rule: 'conda-channel-token', secret: fake.anaconda() }],
    ),
  );
  add(
    plant(
      'quetz channel token in .condarc',
      '.condarc',
      `channels:\n  - https://quetz.acme-corp.io/t/{{0}}/get/internal\n  - conda-forge\n`,
      [{ rule: 'conda-channel-token', secret: fake.mixed(ALNUM, 32) }],
    ),
  );

  // url-credentials
  add(
    plant(
      'index-url with password in pixi.toml',
      'pixi.toml',
      `[pypi-options]\nindex-url = "https://deploy:{{0}}@pypi.acme-corp.io/simple"\n`,
      [{ rule: 'url-credentials', secret: fake.password(), severity: 'critical' }],
    ),
  );
  add(
    plant(
      'extra-index-urls with password in pyproject',
      'pyproject.toml',
      `[tool.pixi.pypi-options]\nextra-index-urls = [\n  "https://ci-bot:{{0}}@artifactory.acme-corp.io/api/pypi/simple",\n]\n`,
      [{ rule: 'url-credentials', secret: fake.password(), severity: 'critical' }],
    ),
  );
  add(
    plant(
      'lock indexes with password',
      'pixi.lock',
      `version: 6\nenvironments:\n  default:\n    indexes:\n    - https://pypi.org/simple\n    - https://reader:{{0}}@nexus.acme-corp.io/repository/pypi/simple\n`,
      [{ rule: 'url-credentials', secret: fake.password(), severity: 'critical' }],
    ),
  );
  add(
    plant(
      'channel with password',
      'pixi.toml',
      `[workspace]\nchannels = ["https://builder:{{0}}@conda.acme-corp.io/internal"]\n`,
      [{ rule: 'url-credentials', secret: fake.password(), severity: 'critical' }],
    ),
  );
  add(
    plant(
      'pip.conf extra-index-url',
      'pip.conf',
      `[global]\nextra-index-url = https://pip:{{0}}@devpi.acme-corp.io/root/prod/+simple/\n`,
      [{ rule: 'url-credentials', secret: fake.password(), severity: 'critical' }],
    ),
  );
  add(
    plant(
      'token-looking username on an index',
      'requirements.txt',
      `--extra-index-url https://{{0}}@pkgs.acme-corp.io/simple/\nrequests==2.32.3\n`,
      [{ rule: 'url-credentials', secret: fake.hex(40), severity: 'critical' }],
    ),
  );
  add(
    plant(
      'placeholder username (keyring) in a lock',
      'pixi.lock',
      `version: 6\nenvironments:\n  gcp:\n    indexes:\n    - https://pypi.org/simple\n    - https://oauth2accesstoken@europe-west4-python.pkg.dev/acme-123/test/simple\n`,
      [{ rule: 'url-credentials', secret: 'oauth2accesstoken', prefix: 'oauth2accesstoken', severity: 'low' }],
    ),
  );
  add(
    plant(
      'database URL with password',
      'settings.py',
      wrap(fake, `DATABASE_URL = "postgresql://app:{{0}}@db.acme-corp.io:5432/app"`),
      [{ rule: 'url-credentials', secret: fake.password(), severity: 'critical' }],
    ),
  );

  // private keys
  const rsa = fake.pemBody('MIIEowIBAAKCAQEA', 1100);
  add(
    plant(
      'RSA private key file',
      'deploy/id_rsa.pem',
      `-----BEGIN RSA PRIVATE KEY-----\n{{0}}\n-----END RSA PRIVATE KEY-----\n`,
      [{ rule: 'private-key', secret: rsa, at: '-----BEGIN', severity: 'critical' }],
    ),
  );
  add(
    plant(
      'PKCS#8 key in a Python string',
      'tests/keys.py',
      `import x\n\nKEY = """-----BEGIN PRIVATE KEY-----\n{{0}}\n-----END PRIVATE KEY-----\n"""\n`,
      [
        {
          rule: 'private-key',
          secret: fake.pemBody('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 1150),
          at: '-----BEGIN',
          severity: 'critical',
        },
      ],
    ),
  );
  add(
    plant('EC key', 'certs/ec.key', `-----BEGIN EC PRIVATE KEY-----\n{{0}}\n-----END EC PRIVATE KEY-----\n`, [
      { rule: 'private-key', secret: fake.pemBody('MHcCAQEEI', 110), at: '-----BEGIN', severity: 'critical' },
    ]),
  );
  add(
    plant('DSA key', 'certs/dsa.key', `-----BEGIN DSA PRIVATE KEY-----\n{{0}}\n-----END DSA PRIVATE KEY-----\n`, [
      { rule: 'private-key', secret: fake.pemBody('MIIBuwIBAAKBgQ', 420), at: '-----BEGIN', severity: 'critical' },
    ]),
  );
  add(
    plant(
      'OpenSSH key',
      'home/.ssh/id_ed25519',
      `-----BEGIN OPENSSH PRIVATE KEY-----\n{{0}}\n-----END OPENSSH PRIVATE KEY-----\n`,
      [{ rule: 'private-key', secret: fake.opensshBody('none'), at: '-----BEGIN', severity: 'critical' }],
    ),
  );
  add(
    plant(
      'encrypted OpenSSH key',
      'home/.ssh/id_rsa',
      `-----BEGIN OPENSSH PRIVATE KEY-----\n{{0}}\n-----END OPENSSH PRIVATE KEY-----\n`,
      [{ rule: 'private-key', secret: fake.opensshBody('aes256-ctr'), at: '-----BEGIN', severity: 'high' }],
    ),
  );
  add(
    plant(
      'encrypted PKCS#8 key',
      'certs/enc.pem',
      `-----BEGIN ENCRYPTED PRIVATE KEY-----\n{{0}}\n-----END ENCRYPTED PRIVATE KEY-----\n`,
      [
        {
          rule: 'private-key',
          secret: fake.pemBody('MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI', 1200),
          at: '-----BEGIN',
          severity: 'high',
        },
      ],
    ),
  );
  add(
    plant(
      'encrypted traditional RSA key',
      'certs/legacy.pem',
      `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,${fake.hex(32).toUpperCase()}\n\n{{0}}\n-----END RSA PRIVATE KEY-----\n`,
      [{ rule: 'private-key', secret: fake.pemBody('MIIEpAIBAAKCAQEA', 1100), at: '-----BEGIN', severity: 'high' }],
    ),
  );
  add(
    plant(
      'PGP private key block',
      'keys/release.asc',
      `-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n{{0}}\n=${fake.chars(BASE64, 4)}\n-----END PGP PRIVATE KEY BLOCK-----\n`,
      [{ rule: 'private-key', secret: fake.pemBody('lQOYBF', 900), at: '-----BEGIN', severity: 'critical' }],
    ),
  );
  add(
    plant(
      'service-account style JSON with an escaped key',
      'sa.json',
      `{"type": "service_account", "client_email": "ci@acme.iam.gserviceaccount.com", "private_key": "-----BEGIN PRIVATE KEY-----\\n{{0}}\\n-----END PRIVATE KEY-----\\n"}\n`,
      [
        {
          rule: 'private-key',
          secret: fake.pemBody('MIIEvgIBADANBgkqhkiG9w0BAQEFAASC', 1150).replaceAll('\n', '\\n'),
          at: '-----BEGIN',
          severity: 'critical',
        },
      ],
    ),
  );

  // .env
  add(
    plant(
      '.env secrets',
      '.env',
      `# local settings\nDEBUG=true\nDATABASE_PASSWORD={{0}}\nSTRIPE_WEBHOOK_SECRET="{{1}}"\nexport SESSION_SECRET='{{2}}'\nAPI_KEY={{3}} # rotated monthly\nLOG_LEVEL=info\n`,
      [
        { rule: 'dotenv-secret', secret: fake.password(), severity: 'high' },
        { rule: 'dotenv-secret', secret: fake.mixed(ALNUM, 32), severity: 'high' },
        { rule: 'dotenv-secret', secret: fake.mixed(BASE64, 44), severity: 'high' },
        { rule: 'dotenv-secret', secret: fake.hex(32), severity: 'high' },
      ],
    ),
  );
  add(
    plant('.env.production secrets', 'deploy/.env.production', `REDIS_PASS={{0}}\nSMTP_PASSWORD: {{1}}\n`, [
      { rule: 'dotenv-secret', secret: fake.password(), severity: 'high' },
      { rule: 'dotenv-secret', secret: fake.password(), severity: 'high' },
    ]),
  );

  return cases;
}

/** Near misses: none of these texts may produce a hit. */
export function negatives(seed = 11): LabelledCase[] {
  const fake = new FakeSecrets(seed);
  const none = (name: string, path: string, content: string): LabelledCase => ({ name, path, content, expected: [] });
  const sha256 = () => fake.hex(64);
  const md5 = () => fake.hex(32);
  return [
    none(
      'pixi.lock digests',
      'pixi.lock',
      `version: 6\npackages:\n- conda: https://conda.anaconda.org/conda-forge/linux-64/zlib-1.3.1-hb9d3cd8_2.conda\n  sha256: ${sha256()}\n  md5: ${md5()}\n  depends:\n  - libgcc >=13\n- pypi: https://files.pythonhosted.org/packages/ab/cd/requests-2.32.3-py3-none-any.whl\n  name: requests\n  sha256: ${sha256()}\n`,
    ),
    none(
      'meta.yaml digests',
      'recipe/meta.yaml',
      `package:\n  name: zlib\nsource:\n  url: https://zlib.net/zlib-1.3.1.tar.gz\n  sha256: ${sha256()}\n  md5: ${md5()}\n  sha1: ${fake.hex(40)}\n`,
    ),
    none(
      'git commit hashes',
      'pixi.toml',
      `[pypi-dependencies]\nmylib = { git = "https://github.com/acme/mylib.git", rev = "${fake.hex(40)}" }\n# pinned at ${fake.hex(40)}\n`,
    ),
    none(
      'UUIDs',
      'src/ids.py',
      `RUN_ID = "${fake.uuid()}"\nTRACE = {"id": "${fake.uuid()}", "parent": "${fake.uuid()}"}\n`,
    ),
    none(
      'base64 blobs',
      'web/index.html',
      `<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA${fake.base64Bytes(300)}">\n<script integrity="sha384-${fake.base64Bytes(48)}"></script>\n`,
    ),
    none(
      'wheel RECORD',
      'site-packages/pkg-1.0.dist-info/RECORD',
      `pkg/__init__.py,sha256=${Buffer.from(sha256(), 'hex').toString('base64url')},1234\npkg/core.py,sha256=${Buffer.from(sha256(), 'hex').toString('base64url')},98765\n`,
    ),
    none(
      'AWS documentation keys',
      'docs/aws.md',
      'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
    ),
    none(
      'token placeholders',
      'docs/tokens.md',
      [
        'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
        'export GITHUB_TOKEN=ghp_...',
        'OPENAI_API_KEY=sk-...',
        'OPENAI_API_KEY=<your-token>',
        'HF_TOKEN=hf_xxx',
        'password = pypi-AgEIcHlwaS5vcmc...',
        `token: ${$}{{ secrets.PYPI_TOKEN }}`,
        `ANACONDA_API_TOKEN: ${$}{{ secrets.ANACONDA_TOKEN }}`,
        'anaconda -t $ANACONDA_TOKEN upload dist/*.conda',
        'anaconda --token token.txt upload dist/*.conda',
        'pixi auth login prefix.dev --token $PREFIX_TOKEN',
        'PREFIX_API_KEY = "<your-prefix-key>"',
        'channels = ["https://conda.anaconda.org/t/<TOKEN>/acme"]',
        'channels = ["https://conda.anaconda.org/t/$ANACONDA_TOKEN/acme"]',
        'sk-proj-settings-panel-layout-horizontal-mode-for-the-dashboard',
        'hf_hub_download_with_retries',
        '',
      ].join('\n'),
    ),
    none(
      'git URLs and plain usernames',
      'docs/install.md',
      'git clone https://git@github.com/acme/tool.git\ngit clone ssh://git@github.com/acme/tool.git\npip install git+https://git@gitlab.com/acme/lib.git\nsee https://alice@example.org/profile\n',
    ),
    none(
      'environment-interpolated credentials',
      'pyproject.toml',
      '[tool.pixi.pypi-options]\nextra-index-urls = [\n  "http://$PIP_USER:$PIP_PASSWORD@private-pypi.org/api/pypi/simple",\n  "https://' +
        `${$}{USER}:${$}{TOKEN}@pkgs.acme-corp.io/simple",\n]\n`,
    ),
    none(
      'public key and certificate',
      'certs/ca.pem',
      `-----BEGIN PUBLIC KEY-----\n${fake.pemBody('MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA', 260)}\n-----END PUBLIC KEY-----\n-----BEGIN CERTIFICATE-----\n${fake.pemBody('MIIDdzCCAl+gAwIBAgIE', 880)}\n-----END CERTIFICATE-----\n`,
    ),
    none(
      'private key placeholder',
      'docs/ssh.md',
      '-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----\n',
    ),
    none(
      '.env names without values and placeholders',
      '.env',
      'API_KEY=\nSECRET_TOKEN=changeme\nDB_PASSWORD=<password>\nGITHUB_TOKEN=' +
        `${$}{GITHUB_TOKEN}` +
        '\nAWS_SECRET_ACCESS_KEY=your-key-here\nSESSION_SECRET=xxx\nJWT_SECRET="{{ jwt_secret }}"\nAPI_KEY_ID=12345\nPUBLIC_KEY=abcdef0123456789\nTOKEN_URL=https://auth.acme-corp.io/token\n',
    ),
    none('.env.example with values', '.env.example', 'DB_PASSWORD=hunter2hunter2\nAPI_KEY=k3y-for-docs-only\n'),
    none(
      'env names in code',
      'src/config.py',
      'import os\nTOKEN = os.environ["GITHUB_TOKEN"]\nPYPI = os.getenv("PYPI_TOKEN")\nsecret_access_key = os.environ.get("AWS_SECRET_ACCESS_KEY")\n',
    ),
    none(
      'forum topic URL',
      'README.md',
      'See https://discourse.pymc.io/t/installing-pytorch-2-with-cuda12/1234/ and https://forum.acme.io/t/my-topic/99\n',
    ),
  ];
}
