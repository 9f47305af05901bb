/**
 * The secret rules cvebuild reports, whichever engine found the secret: our own detectors (engine
 * `cvebuild`) and the rules of secretlint's recommended preset (engine `secretlint`, mapped onto the
 * same ids so reports are uniform; the secretlint rule id is kept in `extra.secretlintRule`).
 * Reports render `title` and `help` (SARIF `shortDescription` / `help`); checks use `severity` as
 * the default (a hit may lower it, e.g. a URL whose userinfo is a keyring placeholder).
 */
import type { Severity } from '../model/finding.ts';

export const SECRETS_OWASP = 'A07:2021-Identification and Authentication Failures';

export interface SecretRule {
  /** Stable kebab-case id: what `CodeHit.rule` carries and what suppressions name. */
  id: string;
  title: string;
  /** One paragraph for SARIF `help.text`: what was found and what to do. */
  help: string;
  cwe: string;
  /** The default severity; a hit may say otherwise (see `CodeHit.severity`). */
  severity: Severity;
  /**
   * Which hit wins when two rules report overlapping spans: the higher (the more specific format).
   * Ties go to our engine over secretlint's.
   */
  specificity: number;
  /** Who produces it: our detectors, secretlint's preset, or both. */
  engines: readonly ('cvebuild' | 'secretlint')[];
}

const ROTATE =
  'Revoke or rotate it now (it is exposed to everyone who can read the file or its history), then remove it';
const ENV = 'read it from the environment, a keyring or a secret store at run time instead';

function rule(
  id: string,
  title: string,
  help: string,
  fields: Partial<Pick<SecretRule, 'cwe' | 'severity' | 'specificity' | 'engines'>> = {},
): SecretRule {
  return {
    id,
    title,
    help,
    cwe: fields.cwe ?? 'CWE-798',
    severity: fields.severity ?? 'critical',
    specificity: fields.specificity ?? 3,
    engines: fields.engines ?? ['cvebuild'],
  };
}

const BOTH = ['cvebuild', 'secretlint'] as const;
const PRESET = ['secretlint'] as const;

/** Every rule id a secret hit can carry, in the order reports list them. */
export const SECRET_RULES: readonly SecretRule[] = [
  rule(
    'pypi-token',
    'PyPI API token',
    `A PyPI API token (\`pypi-AgE…\` macaroon) can upload releases of the projects it is scoped to. ${ROTATE}; for uploads from CI use PyPI trusted publishing (OIDC) instead of a stored token.`,
  ),
  rule(
    'anaconda-token',
    'anaconda.org token',
    `An anaconda.org (or quetz) token, given in \`ANACONDA_API_TOKEN\`, \`anaconda -t\`/\`--token\` or \`pixi auth login --conda-token\`, grants access to private channels and uploads. ${ROTATE}; ${ENV}.`,
  ),
  rule(
    'conda-channel-token',
    'Token in a conda channel URL',
    `A conda channel URL of the form \`https://<host>/t/<token>/<channel>\` carries an access token in its path: it ends up in locks, logs and proxies. ${ROTATE}; keep the plain channel URL and let pixi/conda authenticate (\`pixi auth login\`, \`anaconda login\`).`,
    { cwe: 'CWE-522' },
  ),
  rule(
    'prefix-dev-token',
    'prefix.dev API key',
    `A prefix.dev API key (\`pfx_…\`, or a value given to \`pixi auth login --token\` / \`PREFIX_API_KEY\`) grants access to private channels and uploads on prefix.dev. ${ROTATE}; ${ENV}.`,
  ),
  rule(
    'url-credentials',
    'Credentials in a URL',
    `A URL carries credentials in its userinfo (\`scheme://user:password@host\`): a PyPI index or conda channel URL in pixi.toml/pixi.lock, a git remote, a database URL. They end up in locks, logs and caches. ${ROTATE} from the URL; let pixi/uv/pip authenticate through a keyring or netrc, or interpolate an environment variable. A URL with only a placeholder username (\`oauth2accesstoken@\`, \`__token__@\`) whose password comes from a keyring is reported at low severity: nothing secret is in the file, but the URL only works with a credential helper.`,
    { cwe: 'CWE-522', specificity: 2, engines: BOTH },
  ),
  rule(
    'github-token',
    'GitHub token',
    `A GitHub token (\`ghp_\`, \`gho_\`, \`ghu_\`, \`ghs_\`, \`ghr_\`, \`github_pat_\`) acts as its owner on GitHub. ${ROTATE}; in GitHub Actions use the job's \`GITHUB_TOKEN\` or OIDC.`,
    { engines: BOTH },
  ),
  rule(
    'aws-access-key-id',
    'AWS access key ID',
    `An AWS access key ID (\`AKIA…\` long-term, \`ASIA…\` temporary). The ID alone is not a secret, but its secret access key is usually nearby. ${ROTATE}; use IAM roles / OIDC federation instead of long-term keys.`,
    { severity: 'high', engines: BOTH },
  ),
  rule(
    'aws-secret-access-key',
    'AWS secret access key',
    `An AWS secret access key (40 base64 characters assigned to an \`aws_secret_access_key\`-like name) signs requests as its IAM user. ${ROTATE}; use IAM roles / OIDC federation instead of long-term keys.`,
    { engines: BOTH },
  ),
  rule(
    'aws-account-id',
    'AWS account ID',
    'An AWS account ID assigned to an `aws_account_id`-like name. Not a credential, but it helps an attacker target the account; keep it out of public files if that matters to you.',
    { cwe: 'CWE-200', severity: 'low', specificity: 1, engines: PRESET },
  ),
  rule(
    'openai-api-key',
    'OpenAI API key',
    `An OpenAI API key (\`sk-proj-\`, \`sk-svcacct-\`, \`sk-admin-\` or a legacy \`sk-…T3BlbkFJ…\` key) is billed to its organisation. ${ROTATE}; ${ENV}.`,
    { engines: BOTH },
  ),
  rule(
    'anthropic-api-key',
    'Anthropic API key',
    `An Anthropic API key (\`sk-ant-api03-…\`, admin keys \`sk-ant-admin01-…\`) is billed to its organisation. ${ROTATE}; ${ENV}.`,
    { engines: BOTH },
  ),
  rule(
    'huggingface-token',
    'Hugging Face token',
    `A Hugging Face user access token (\`hf_…\`) can read private models and datasets and, with write scope, push to them. ${ROTATE}; ${ENV} (\`HF_TOKEN\`).`,
    { engines: BOTH },
  ),
  rule(
    'private-key',
    'Private key',
    `A PEM private key block (RSA, EC, DSA, OpenSSH, PKCS#8, PGP). Whoever reads it can impersonate its owner or decrypt what it protects; an encrypted key (reported at high severity) is still exposed to offline guessing. ${ROTATE} and issue a new key pair; keep keys in a secret store.`,
    { cwe: 'CWE-321', engines: BOTH },
  ),
  rule(
    'dotenv-secret',
    'Secret in a committed .env file',
    `A \`.env\` file assigns a non-placeholder value to a secret-looking name (\`*_KEY\`, \`*_TOKEN\`, \`*_SECRET\`, \`*PASSWORD\`…). .env files hold real local credentials and are meant to stay out of version control. ${ROTATE}; commit a \`.env.example\` with placeholders and ignore \`.env\`.`,
    { cwe: 'CWE-312', severity: 'high', specificity: 1 },
  ),
  rule(
    'npm-token',
    'npm access token',
    `An npm access token (\`npm_…\` or an \`.npmrc\` \`_authToken\`). ${ROTATE}; ${ENV}.`,
    {
      engines: PRESET,
    },
  ),
  rule('slack-token', 'Slack token', `A Slack bot/user/app token (\`xox…\`, \`xapp-…\`). ${ROTATE}; ${ENV}.`, {
    engines: PRESET,
  }),
  rule(
    'slack-webhook',
    'Slack incoming webhook URL',
    `A Slack incoming webhook URL lets anyone post to its channel. ${ROTATE}; ${ENV}.`,
    { engines: PRESET },
  ),
  rule('sendgrid-api-key', 'SendGrid API key', `A SendGrid API key (\`SG.…\`). ${ROTATE}; ${ENV}.`, {
    engines: PRESET,
  }),
  rule('shopify-token', 'Shopify token', `A Shopify app secret or access token (\`shp…_\`). ${ROTATE}; ${ENV}.`, {
    engines: PRESET,
  }),
  rule(
    'stripe-key',
    'Stripe secret key',
    `A Stripe secret or restricted key (\`sk_live_\`, \`rk_live_\`, test keys at lower risk). ${ROTATE}; ${ENV}.`,
    { engines: PRESET },
  ),
  rule('gitlab-token', 'GitLab token', `A GitLab personal access token (\`glpat-…\`). ${ROTATE}; ${ENV}.`, {
    engines: PRESET,
  }),
  rule('grafana-token', 'Grafana token', `A Grafana Cloud or service-account token. ${ROTATE}; ${ENV}.`, {
    engines: PRESET,
  }),
  rule('groq-api-key', 'Groq API key', `A Groq API key (\`gsk_…\`). ${ROTATE}; ${ENV}.`, { engines: PRESET }),
  rule('linear-api-key', 'Linear API key', `A Linear API key (\`lin_api_…\`). ${ROTATE}; ${ENV}.`, { engines: PRESET }),
  rule('notion-token', 'Notion integration token', `A Notion integration token (\`ntn_…\`). ${ROTATE}; ${ENV}.`, {
    engines: PRESET,
  }),
  rule(
    'onepassword-token',
    '1Password service account token',
    `A 1Password service account token (\`ops_…\`) opens the vaults it is granted. ${ROTATE}; ${ENV}.`,
    { engines: PRESET },
  ),
  rule(
    'gcp-service-account-key',
    'GCP service account key',
    `A Google Cloud service account key (JSON with a private key, or a .p12 file). ${ROTATE}; use workload identity federation instead of key files.`,
    { engines: PRESET },
  ),
  rule(
    'vault-token',
    'HashiCorp Vault token',
    `A HashiCorp Vault token (\`hvs.\`, \`hvb.\`, \`hvr.\`). ${ROTATE}; ${ENV}.`,
    {
      engines: PRESET,
    },
  ),
  rule('vercel-token', 'Vercel token', `A Vercel access token or AI Gateway key (\`vc?_…\`). ${ROTATE}; ${ENV}.`, {
    engines: PRESET,
  }),
  rule('databricks-token', 'Databricks token', `A Databricks personal access token (\`dapi…\`). ${ROTATE}; ${ENV}.`, {
    engines: PRESET,
  }),
  rule('docker-token', 'Docker Hub token', `A Docker Hub personal access token (\`dckr_pat_…\`). ${ROTATE}; ${ENV}.`, {
    engines: PRESET,
  }),
  rule('figma-token', 'Figma token', `A Figma personal access token (\`figd_…\`). ${ROTATE}; ${ENV}.`, {
    engines: PRESET,
  }),
  rule('cloudflare-token', 'Cloudflare API token', `A Cloudflare API key or token. ${ROTATE}; ${ENV}.`, {
    engines: PRESET,
  }),
  rule('tailscale-key', 'Tailscale key', `A Tailscale API, auth or OAuth key (\`tskey-…\`). ${ROTATE}; ${ENV}.`, {
    engines: PRESET,
  }),
  rule(
    'secretlint-other',
    'Secret (other secretlint rule)',
    `A secret found by a secretlint rule cvebuild has no own id for (the rule is named in \`extra.secretlintRule\`). ${ROTATE}; ${ENV}.`,
    { severity: 'high', specificity: 0, engines: PRESET },
  ),
];

const BY_ID = new Map(SECRET_RULES.map((entry) => [entry.id, entry]));

export function secretRule(id: string): SecretRule {
  const found = BY_ID.get(id);
  if (!found) throw new Error(`unknown secret rule ${id}`);
  return found;
}

/** The first sentence of the help text: the remedy a hit carries. */
export function remedyOf(id: string): string {
  const help = secretRule(id).help;
  const start = help.indexOf(ROTATE);
  return start >= 0 ? help.slice(start) : help;
}
