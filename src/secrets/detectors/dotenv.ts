/** .env files: secret-looking keys with real values. */
import type { Detection } from '../detection.ts';
import { isPlaceholder } from '../text.ts';
import { type Detector, templated, token, tokenLike } from './shared.ts';

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
