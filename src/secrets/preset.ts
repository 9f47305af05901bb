/**
 * secretlint's recommended preset, rule by rule: which of our ids each rule's messages map to, and
 * the literal anchors without which the rule cannot match (so a file runs only the rules that could
 * fire: the regexes of every rule are anchored on a prefix or keyword). The preset's report ranges
 * are turned into detections with the secret's own span (a basic-auth URL's password, a PEM body, an
 * AWS secret's value), so masking and de-duplication work on the same footing as for our detectors.
 *
 * This module does not load the preset (nor secretlint): the table is what decides whether a text
 * needs them at all (`secretlint.ts` loads both, on demand).
 */

import { createRequire } from 'node:module';
import type { SecretLintCoreResultMessage } from '@secretlint/types';
import { type Anchors, AWS_SECRET_ANCHORS, type Detection, USERINFO_ANCHORS } from './detection.ts';
import { isPlaceholder, looksRandom } from './text.ts';

export const PRESET_ID = '@secretlint/secretlint-rule-preset-recommend';

/**
 * The preset version whose rules `PRESET` lists, all of them (a unit test holds the two together).
 * Another installed version may have rules the table does not know: those run on every text, so
 * the preset is then loaded to find them (`presetIsTabled`).
 */
export const PRESET_VERSION = '13.0.7';

interface PresetRule {
  /** Our rule id, or one per secretlint message id. */
  map: string | Record<string, string>;
  anchors: Anchors;
  options?: Record<string, unknown>;
}

const PRESET: Record<string, PresetRule> = {
  aws: {
    map: {
      AWSAccessKeyID: 'aws-access-key-id',
      AWSSecretAccessKey: 'aws-secret-access-key',
      AWSAccountID: 'aws-account-id',
    },
    anchors: {
      literals: [
        ...['AKIA', 'ASIA', 'A3T', 'AGPA', 'AIDA', 'AROA', 'AIPA', 'ANPA', 'ANVA'],
        ...AWS_SECRET_ANCHORS,
        ...['ACCOUNT', 'account', 'Account'],
      ],
    },
    options: { enableIDScanRule: true },
  },
  gcp: { map: 'gcp-service-account-key', anchors: { literals: ['private_key_id'] } },
  privatekey: { map: 'private-key', anchors: { literals: ['PRIVATE KEY'] } },
  npm: {
    map: { PackageJSON_xOauthToken: 'url-credentials', Npmrc_authToken: 'npm-token', NPM_ACCESS_TOKEN: 'npm-token' },
    anchors: { literals: ['npm_', '_authToken', 'x-oauth-basic'] },
  },
  basicauth: { map: 'url-credentials', anchors: USERINFO_ANCHORS },
  slack: {
    map: { SLACK_TOKEN: 'slack-token', IncomingWebhook: 'slack-webhook' },
    anchors: { literals: ['xoxb-', 'xoxp-', 'xapp-', 'xoxa-', 'xoxo-', 'xoxr-', 'hooks.slack.com'] },
  },
  sendgrid: { map: 'sendgrid-api-key', anchors: { literals: ['SG.'] } },
  shopify: { map: 'shopify-token', anchors: { literals: ['shppa_', 'shpca_', 'shpat_', 'shpss_'] } },
  stripe: { map: 'stripe-key', anchors: { literals: ['k_live_', 'k_test_'] } },
  github: { map: 'github-token', anchors: { literals: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'] } },
  gitlab: { map: 'gitlab-token', anchors: { literals: ['glpat-'] } },
  grafana: { map: 'grafana-token', anchors: { literals: ['glc_', 'glsa_'] } },
  openai: { map: 'openai-api-key', anchors: { literals: ['T3BlbkFJ'] } },
  anthropic: { map: 'anthropic-api-key', anchors: { literals: ['sk-ant-api'] } },
  groq: { map: 'groq-api-key', anchors: { literals: ['gsk_'] } },
  huggingface: { map: 'huggingface-token', anchors: { literals: ['hf_'] } },
  linear: { map: 'linear-api-key', anchors: { literals: ['lin_api_'] } },
  notion: { map: 'notion-token', anchors: { literals: ['ntn_'] } },
  '1password': { map: 'onepassword-token', anchors: { literals: ['ops_ey'] } },
  'database-connection-string': {
    map: 'url-credentials',
    anchors: {
      literals: [
        'mongodb://',
        'mongodb+srv://',
        'mysql://',
        'mysqlx://',
        'postgres://',
        'postgresql://',
        'MONGODB',
        'MYSQL',
        'POSTGRES',
      ],
    },
  },
  'hashicorp-vault': { map: 'vault-token', anchors: { literals: ['hvs.', 'hvb.', 'hvr.'] } },
  vercel: { map: 'vercel-token', anchors: { literals: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'] } },
  databricks: { map: 'databricks-token', anchors: { literals: ['dapi'] } },
  docker: { map: 'docker-token', anchors: { literals: ['dckr_pat_'] } },
  figma: { map: 'figma-token', anchors: { literals: ['figd_'] } },
  cloudflare: { map: 'cloudflare-token', anchors: { literals: ['cfk_', 'cfut_', 'cfat_'] } },
  tailscale: { map: 'tailscale-key', anchors: { literals: ['tskey-'] } },
};

export const PRESET_PREFIX = '@secretlint/secretlint-rule-';

/** A preset rule as the table knows it: secretlint's id (`@secretlint/secretlint-rule-github`), anchors, options. */
export interface TabledPresetRule {
  id: string;
  anchors: Anchors;
  options: Record<string, unknown>;
}

/** The table's rules, in the table's order (the preset's own). */
export const TABLED_PRESET_RULES: readonly TabledPresetRule[] = Object.entries(PRESET).map(([name, rule]) => ({
  id: `${PRESET_PREFIX}${name}`,
  anchors: rule.anchors,
  options: rule.options ?? {},
}));

/** The table's entry for a preset rule id, if it knows the rule. */
export function tabledPresetRule(id: string): TabledPresetRule | undefined {
  return TABLED_PRESET_RULES.find((rule) => rule.id === id);
}

let tabled: boolean | undefined;

/** Whether the installed preset is the version the table lists (so it has no rule the table does not know). */
export function presetIsTabled(): boolean {
  tabled ??=
    (createRequire(import.meta.url)(`${PRESET_ID}/package.json`) as { version: string }).version === PRESET_VERSION;
  return tabled;
}

/** Our id for a preset message. */
export function presetRuleId(message: Pick<SecretLintCoreResultMessage, 'ruleId' | 'messageId'>): string {
  const known = PRESET[message.ruleId.slice(PRESET_PREFIX.length)];
  if (!known) return 'secretlint-other';
  if (typeof known.map === 'string') return known.map;
  return known.map[message.messageId] ?? 'secretlint-other';
}

const AWS_SECRET_VALUE =
  /["']?(?:AWS|aws|Aws)?_?(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)["']?\s*(?::|=>|=)\s*["']?([A-Za-z0-9/+=]{40})/dy;
const ACCOUNT_DIGITS = /[0-9]{4}-?[0-9]{4}-?[0-9]{4}/;
const PREFIXES: [RegExp, string][] = [
  [/^(gh[pousr]_|github_pat_|npm_|glpat-|glc_|glsa_|gsk_|hf_|lin_api_|ntn_|ops_|dckr_pat_|figd_|tskey-)/, ''],
  [
    /^(xox[a-z]-|xapp-|shp[a-z]{2}_|[sr]k_(?:live|test)_|sk-ant-api\d\d-|sk-(?:proj|svcacct|admin)-|sk-|hv[sbr]\.|vc[a-z]_|cf(?:k|ut|at)_|dapi|SG\.)/,
    '',
  ],
  [/^(AKIA|ASIA|A3T[A-Z0-9]|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)/, ''],
];

function publicPrefix(secret: string): string {
  for (const [pattern] of PREFIXES) {
    const found = pattern.exec(secret);
    if (found) return found[1] as string;
  }
  return '';
}

/**
 * A preset message as a detection: the secret's own span inside the reported range, our rule id,
 * a public prefix. Returns undefined for what our placeholder rules reject (`hf_xxxx…`).
 */
export function presetDetection(message: SecretLintCoreResultMessage, content: string): Detection | undefined {
  const rule = presetRuleId(message);
  let [start, end] = message.range;
  let secretStart = start;
  let secretEnd = end;
  const text = content.slice(start, end);
  let kind = message.messageId;
  let severity: Detection['severity'];
  let masked: string | undefined;
  let normalize: Detection['normalize'];
  if (message.messageId === 'AWSSecretAccessKey') {
    // The preset reports the value's length from the start of the key name: find the value itself.
    AWS_SECRET_VALUE.lastIndex = start;
    const found = AWS_SECRET_VALUE.exec(content);
    const at = found?.indices?.[1];
    if (!at) return undefined;
    [start, end] = at;
    [secretStart, secretEnd] = at;
  } else if (message.messageId === 'AWSAccountID') {
    const digits = ACCOUNT_DIGITS.exec(text);
    if (!digits) return undefined;
    secretStart = start + digits.index;
    secretEnd = secretStart + digits[0].length;
  } else if (message.messageId === 'AWSAccessKeyID' && !/^(AKIA|ASIA|ABIA|ACCA)/.test(text)) {
    // AIDA/AROA/… are IAM unique ids (users, roles), not credentials.
    severity = 'low';
    kind = 'iam-unique-id';
  } else if (rule === 'url-credentials' && message.messageId !== 'PackageJSON_xOauthToken') {
    const userinfo = /:\/\/([^:/\s@]{0,256}):([^@/\s]{1,256})@/.exec(text);
    if (!userinfo) return undefined;
    secretStart = start + userinfo.index + 3 + (userinfo[1] as string).length + 1;
    secretEnd = secretStart + (userinfo[2] as string).length;
    kind = message.ruleId.endsWith('basicauth') ? 'url' : 'database-url';
  } else if (rule === 'private-key' || rule === 'gcp-service-account-key') {
    const begin = /-----BEGIN[^-]{0,40}-----/.exec(text);
    const finish = text.lastIndexOf('-----END');
    if (begin && finish > begin.index) {
      secretStart = start + begin.index + begin[0].length;
      secretEnd = start + finish;
      if (rule === 'gcp-service-account-key') [start, end] = [start + begin.index, start + finish];
    }
    masked = `private key **** (${secretEnd - secretStart} chars)`;
    normalize = 'pem';
  }
  const secret = content.slice(secretStart, secretEnd);
  const prefix = publicPrefix(secret);
  if (normalize !== 'pem' && isPlaceholder(secret.slice(prefix.length))) return undefined;
  if (rule === 'huggingface-token' && !looksRandom(secret.slice(3), 3)) return undefined;
  if (rule === 'huggingface-token' && (!/[A-Z]/.test(secret) || !/[a-z]/.test(secret))) return undefined;
  return {
    rule,
    start,
    end,
    secretStart,
    secretEnd,
    kind,
    prefix,
    confidence: 'medium',
    severity,
    masked,
    normalize,
    detail: undefined,
  };
}
