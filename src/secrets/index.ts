/**
 * The secret scanner's public surface: `scanSecrets` for the files a walk selected, `scanText` for
 * one text, and the rule table reports render (`SECRET_RULES`).
 */
export { SECRET_RULES, SECRETS_OWASP, type SecretRule, secretRule } from './rules.ts';
export {
  type ScanSecretsOptions,
  type ScanSecretsResult,
  type ScanTextOptions,
  type SkippedFile,
  scanSecrets,
  scanText,
} from './scan.ts';
export { fingerprint, maskSecret, revealsSecret } from './text.ts';
