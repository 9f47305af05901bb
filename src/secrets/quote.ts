/**
 * Code quoted in a finding (a SAST or secrets snippet, an external engine's message) with every
 * credential-looking thing on it hidden, not only the one a hit is about: a line can hold a second
 * secret no rule reports. In order:
 *
 * 1. credentials in URLs (`maskCredentials`: userinfo, `/t/<token>`, token parameters);
 * 2. every secret the full detector set finds on the text (`maskSecretsIn`);
 * 3. values assigned to a credential-named key (`password = "…"`, `token: …`,
 *    `Authorization: Bearer …`, `--password=…`), whatever they look like: a short password is
 *    not random, and no rule can know it;
 * 4. tokens that look generated (a long run mixing letters and digits with high entropy), which is
 *    what an API key without a known prefix looks like (a hash may be hidden too: better a hash
 *    than a key);
 *
 * then the guard: if the detectors still find a secret in the result, the quote is withheld.
 */
import { maskCredentials } from '../text/credentials.ts';
import { maskSecretsIn } from './scan.ts';
import { entropy, isPlaceholder } from './text.ts';

export const WITHHELD = '[snippet withheld]';
const HIDDEN = '****';

/** Words of a key name that make it a credential (`db_password`, `apiKey`, `AWS_SECRET_ACCESS_KEY`, `Authorization`). */
const CREDENTIAL_WORDS = new Set(['pass', 'pwd', 'auth', 'authorization', 'bearer', 'credential', 'credentials']);
/** Whole words ending so (`githubtoken`, `dbpassword`); `tokenizer` or `author` are not. */
const CREDENTIAL_ENDINGS =
  /(?:password|passwd|passphrase|secret|secrets|token|tokens|apikey|accesskey|privatekey|secretkey)$/;
/** `key` counts after these words (`api_key`, `private-key`), not alone (`sort_key`). */
const KEY_KINDS = new Set([
  'api',
  'access',
  'private',
  'secret',
  'signing',
  'client',
  'master',
  'encryption',
  'session',
]);
// A key (bare or quoted), a separator, and a value: a quoted literal, or a bare run (with an auth scheme word).
const ASSIGNMENT =
  /(--?)?(["']?)\b([A-Za-z_][\w.-]{0,80})\2(\s*)(==|!=|=>|:=|=|:)(\s*)(?:(["'`])((?:\\.|(?!\7)[^\\])*)\7|((?:(?:Bearer|Basic|Token|Digest)\s+)?[^\s,;'"`()[\]{}<>=]+))/g;
const TEMPLATED = /^(?:\$|\{\{|%\(|<.*>$)|\$\{/;
const PYTHON_REFERENCE = /^(?:[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*(?:\(.*)?|\d+(?:\.\d+)?)$/;
const TOKEN = /[A-Za-z0-9+=_-]{20,}/g;

/** The quote as it may appear in a report, or `[snippet withheld]`. `path` decides path-specific rules and the language. */
export async function maskQuotedCode(path: string, code: string): Promise<string> {
  if (code === '' || code === WITHHELD) return code;
  let text = maskCredentials(code);
  text = (await maskSecretsIn(path, text)).text;
  text = maskAssignedValues(text, /\.pyi?$/i.test(path));
  text = text.replace(TOKEN, (token) => (looksGenerated(token) ? HIDDEN : token));
  return (await maskSecretsIn(path, text)).secrets > 0 ? WITHHELD : text;
}

function maskAssignedValues(text: string, python: boolean): string {
  return text.replace(
    ASSIGNMENT,
    (
      whole: string,
      dashes: string | undefined,
      keyQuote: string,
      key: string,
      before: string,
      separator: string,
      after: string,
      quote: string | undefined,
      quoted: string | undefined,
      bare: string | undefined,
    ) => {
      if (!isCredentialName(key)) return whole;
      const head = `${dashes ?? ''}${keyQuote}${key}${keyQuote}${before}${separator}${after}`;
      if (quote !== undefined) {
        const value = quoted ?? '';
        return value === '' || isPlaceholder(value) || TEMPLATED.test(value)
          ? whole
          : `${head}${quote}${HIDDEN}${quote}`;
      }
      const value = bare ?? '';
      if (TEMPLATED.test(value)) return whole;
      // In Python, `password=pw` passes a variable: only literals are values. A flag (`--password=x`) is a literal.
      if (python && !dashes && separator !== ':' && PYTHON_REFERENCE.test(value)) return whole;
      return `${head}${HIDDEN}`;
    },
  );
}

export function isCredentialName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some(
    (word, i) =>
      CREDENTIAL_WORDS.has(word) ||
      CREDENTIAL_ENDINGS.test(word) ||
      (word === 'key' && KEY_KINDS.has(words[i - 1] ?? '')),
  );
}

/** A generated-looking token: a run (between `-` / `_`) of 16+ characters mixing letters and digits, random enough. */
function looksGenerated(token: string): boolean {
  if (isPlaceholder(token)) return false;
  if (token.length >= 32 && /[A-Za-z]/.test(token) && /\d/.test(token) && entropy(token) >= 3.5) return true;
  return token
    .split(/[-_]/)
    .some(
      (run) => run.length >= 16 && /[A-Za-z]/.test(run) && /\d/.test(run) && entropy(run) >= 3 && !isPlaceholder(run),
    );
}
