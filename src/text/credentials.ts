/**
 * Credentials in URLs, wherever a URL appears: a field that is a URL, or a URL inside a message,
 * an advisory's text or a file name. Every output masks through `maskCredentials`; identifiers that
 * must stay URLs without them (purl qualifiers) use `withoutCredentials`. Both find the same parts:
 *
 * - **userinfo**, all of it: a user alone may be a token (`https://ghp_…@github.com`), and a
 *   password may hold `@` (`user:p@ss@host`: the userinfo runs to the last `@` of the authority, as
 *   URL parsers read it) or an unencoded `/`, `?` or `#` (then to the last `@` of the URL). Only the
 *   user names in `PUBLIC_USERNAMES` stay visible: they are fixed words that say how the URL logs in
 *   (a keyring or credential helper supplies the secret, or git's SSH login), never a secret;
 * - anaconda.org-style `/t/<token>` path segments, every one of them;
 * - query and fragment parameters whose name says credential (`token`, `access_token`, `api_key`,
 *   `key`, `password`, `secret`, `sig`, `X-Amz-Signature`, `X-Amz-Credential`, … see
 *   `isCredentialParameter`); other parameters stay, since they say which file a URL means.
 *
 * Percent-encoded URLs inside other text (a URL as a query value) are not decoded and searched.
 */

/**
 * User names that stand for "the password is a token from a keyring or credential helper" (pip, uv
 * and pixi then fetch it): the secrets check reports a URL with one of them and no password as `low`.
 */
export const KEYRING_USERNAMES: ReadonlySet<string> = new Set([
  'oauth2accesstoken',
  'oauth2token',
  '__token__',
  'x-access-token',
  'x-token-auth',
  'x-oauth-basic',
  'gitlab-ci-token',
  'gitlab-deploy-token',
  '_json_key',
  '_json_key_base64',
  '_token',
  'token',
  'aws',
  'azure',
  'personalaccesstoken',
  'vsssessiontoken',
  'pat',
  'api',
  'apikey',
]);

/** User names masking leaves visible: the keyring placeholders, and `git`, the SSH login every git host uses. */
export const PUBLIC_USERNAMES: ReadonlySet<string> = new Set([...KEYRING_USERNAMES, 'git']);

const MASK = '***';

/** Words a parameter name is made of that make it a credential (`api_key` → api, key). */
const CREDENTIAL_WORDS = new Set(['key', 'sig', 'pass', 'pwd', 'auth', 'sas', 'jwt', 'otp', 'session', 'hmac']);
/** Parts that make any word a credential (`authtoken`, `X-Amz-Signature`, `client_secret`, `subscriptionkey`). */
const CREDENTIAL_PARTS = /token|secret|passw|signature|credential|authoriz|sessionid|key$/;

/**
 * Whether a query or fragment parameter carries a credential: its name has a word that says so.
 * Signed-URL parameters (`X-Amz-Signature`, `X-Amz-Credential`, `X-Amz-Security-Token`,
 * `X-Goog-Signature`, Azure SAS `sig`, CloudFront `Signature`) and token parameters (`token`,
 * `access_token`, `private_token`, `api_key`, `apikey`, `key`) all do; `author` or `sort` do not.
 */
export function isCredentialParameter(name: string): boolean {
  const words = decode(name)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some((word) => CREDENTIAL_WORDS.has(word) || CREDENTIAL_PARTS.test(word));
}

type Mode = 'mask' | 'remove';

/** Every URL in the text with its credentials replaced by `***` (userinfo `***:***@`, `/t/***`, `token=***`). */
export function maskCredentials(text: string): string {
  return rewriteUrls(text, 'mask');
}

/** A URL without userinfo or `/t/<token>` segments, and with credential parameters blanked to `***`. */
export function withoutCredentials(url: string): string {
  return rewriteUrls(url, 'remove');
}

// What ends a URL in running text: characters a URL cannot hold unencoded (space, quote, angle
// brackets, backtick) and controls. Everything between two of them is one token. (The class of
// `[\s"<>`\p{Cc}]`, tested by code unit: every one of them is a BMP character.)
function endsToken(code: number): boolean {
  return (
    code <= 0x20 ||
    code === 0x22 ||
    code === 0x3c ||
    code === 0x3e ||
    code === 0x60 ||
    (code >= 0x7f && code <= 0xa0) ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** Every form of credential needs one of these: `@` (userinfo), `/t/` (a channel token), `=` (a parameter), `%40` (encoded userinfo). */
const TRIGGER = /[@=]|\/t\/|%40/gi;
const NEXT_TRIGGER = /[@=]|\/t\/|%40/gi;

/**
 * Where the next character that could start a credential is, from `from` on, or -1. Text without
 * one comes out of `maskCredentials` unchanged, so a caller may skip it (`toJson` so reads a whole
 * document at once).
 */
export function nextCredentialTrigger(text: string, from: number): number {
  NEXT_TRIGGER.lastIndex = from;
  return NEXT_TRIGGER.exec(text)?.index ?? -1;
}

const HOST_DOT = /[A-Za-z0-9]\.[A-Za-z0-9]/;

/**
 * Every credential in the text, token by token. One linear pass over each token, no recursion: a
 * token may hold several URLs glued together (`…/x.conda%20(https://u:p@h)`, `?next=https://…`,
 * a hostile name written right before a URL), and each part is masked where it is found. Only the
 * tokens holding a trigger are read (a token without one has nothing to mask), and a whole report
 * repeats its URLs (one channel on thousands of rows), so each distinct token is read once.
 */
function rewriteUrls(text: string, mode: Mode): string {
  TRIGGER.lastIndex = 0;
  if (!TRIGGER.test(text)) return text;
  const rewritten = new Map<string, string>();
  let out = '';
  let copied = 0;
  TRIGGER.lastIndex = 0;
  for (let match = TRIGGER.exec(text); match !== null; match = TRIGGER.exec(text)) {
    let start = match.index;
    while (start > copied && !endsToken(text.charCodeAt(start - 1))) start--;
    let end = match.index + match[0].length;
    while (end < text.length && !endsToken(text.charCodeAt(end))) end++;
    const token = text.slice(start, end);
    if (token.includes('/') || token.includes('=') || /%40/i.test(token)) {
      let masked = rewritten.get(token);
      if (masked === undefined) {
        masked = rewriteToken(token, mode);
        rewritten.set(token, masked);
      }
      out += text.slice(copied, start) + masked;
      copied = end;
    }
    TRIGGER.lastIndex = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * A URL percent-encoded inside another (`?next=https%3A%2F%2Fuser%3Apass%40host%2F`), or on its
 * own: its userinfo is everything from the encoded `://` to the last encoded `@` before the
 * authority ends (an encoded or plain `/`, `?`, `#`, or a parameter separator).
 */
const ENCODED_AUTHORITY = /(%3A%2F%2F)((?:(?!%2F|%3F|%23)[^/?#&;])*)/gi;

function maskEncodedUserinfo(token: string, mode: Mode): string {
  if (!/%40/i.test(token)) return token;
  return token.replace(ENCODED_AUTHORITY, (all, separator: string, authority: string) => {
    const at = authority.toUpperCase().lastIndexOf('%40');
    if (at === -1) return all;
    const userinfo = decode(authority.slice(0, at));
    if (mode === 'remove') return `${separator}${authority.slice(at + 3)}`;
    const masked = maskedUserinfo(userinfo, mode).slice(0, -1);
    return `${separator}${encodeURIComponent(masked).replaceAll('%2A', '*')}%40${authority.slice(at + 3)}`;
  });
}

function rewriteToken(whole: string, mode: Mode): string {
  const token = maskEncodedUserinfo(whole, mode);
  const schemes = schemeSeparators(token);
  const firstHostDot = token.search(HOST_DOT);
  if (schemes.length === 0 && firstHostDot === -1) return token;
  let out = '';
  let at = 0;
  // Userinfo: after each `://`, up to the last `@` of its authority.
  for (const [index, separator] of schemes.entries()) {
    const authorityStart = separator + 3;
    if (authorityStart < at) continue;
    const nextScheme = schemes[index + 1] ?? token.length;
    const authorityEnd = Math.min(indexOfAny(token, '/?#\\', authorityStart), nextScheme);
    let userinfoEnd = lastIndexIn(token, '@', authorityStart, authorityEnd);
    if (
      userinfoEnd === -1 &&
      (token.charAt(authorityEnd) !== '/' || invalidPort(token.slice(authorityStart, authorityEnd)))
    ) {
      // Not a URL a parser would accept as written: a password with an unencoded `/`, `?` or `#`.
      // Whatever runs to the last `@` before the next URL may be userinfo.
      userinfoEnd = lastIndexIn(token, '@', authorityEnd, nextScheme);
    }
    if (userinfoEnd === -1) continue;
    out += token.slice(at, authorityStart) + maskedUserinfo(token.slice(authorityStart, userinfoEnd), mode);
    at = userinfoEnd + 1;
  }
  return maskParameters(maskChannelTokens(out + token.slice(at), mode));
}

/** Where each `://` of the token is (a scheme of letters, digits, `+`, `.`, `-` before it, starting with a letter). */
function schemeSeparators(token: string): number[] {
  const separators: number[] = [];
  for (let at = token.indexOf('://'); at !== -1; at = token.indexOf('://', at + 3)) {
    const before = token.charAt(at - 1);
    if (/[A-Za-z0-9+.-]/.test(before)) separators.push(at);
  }
  return separators;
}

/**
 * `/t/<token>` path segments, in a URL with a scheme (other than `file:`, which names a directory
 * on this machine) or after a host name (`conda.anaconda.org/t/…` without a scheme).
 */
function maskChannelTokens(token: string, mode: Mode): string {
  if (!token.includes('/t/')) return token;
  const firstHostDot = token.search(HOST_DOT);
  const schemes = schemeSeparators(token);
  let next = 0;
  let scheme = -1;
  return token.replace(/\/t\/[^/?#]+/g, (segment, offset: number) => {
    // Segments come in order: move on to the last `://` before this one.
    while (next < schemes.length && (schemes[next] ?? offset) < offset) scheme = schemes[next++] ?? scheme;
    const inUrl = scheme !== -1 && !/file$/i.test(token.slice(Math.max(0, scheme - 4), scheme));
    const afterHost = scheme === -1 && firstHostDot !== -1 && firstHostDot < offset;
    if (!inUrl && !afterHost) return segment;
    if (mode === 'remove') return '';
    return `/t/${MASK}`;
  });
}

/**
 * Query and fragment parameters whose name says credential, in a token that is (or holds) a URL.
 * A credential's value runs to the next `&`, `#` or `;` (a `?` in it is still the secret); any
 * other value also ends at a `?`, so a URL nested in it (`?next=https://…?token=…`) is read too.
 */
function maskParameters(token: string): string {
  if (!token.includes('=')) return token;
  let out = '';
  let i = 0;
  while (i < token.length) {
    if (!'?&#;'.includes(token.charAt(i))) {
      out += token.charAt(i++);
      continue;
    }
    let nameEnd = i + 1;
    while (nameEnd < token.length && !'=?&#;'.includes(token.charAt(nameEnd))) nameEnd++;
    if (token.charAt(nameEnd) !== '=' || !isCredentialParameter(token.slice(i + 1, nameEnd))) {
      out += token.slice(i, nameEnd);
      i = nameEnd;
      continue;
    }
    let valueEnd = nameEnd + 1;
    while (valueEnd < token.length && !'&#;'.includes(token.charAt(valueEnd))) valueEnd++;
    out += token.slice(i, nameEnd + 1) + (valueEnd > nameEnd + 1 ? MASK : '');
    i = valueEnd;
  }
  return out;
}

function maskedUserinfo(userinfo: string, mode: Mode): string {
  if (mode === 'remove') return '';
  if (userinfo === '') return '@';
  const colon = userinfo.indexOf(':');
  const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const shownUser = user === '' || PUBLIC_USERNAMES.has(decode(user).toLowerCase()) ? user : MASK;
  return `${shownUser}${colon === -1 ? '' : `:${MASK}`}@`;
}

/** A port that is not digits (`host:pa`) means the authority was cut short by a character of the password. */
function invalidPort(authority: string): boolean {
  const host = authority.startsWith('[') ? authority.slice(authority.indexOf(']') + 1) : authority;
  const colon = host.indexOf(':');
  return colon !== -1 && !/^\d*$/.test(host.slice(colon + 1));
}

/** The last `char` in [from, to), or -1. */
function lastIndexIn(text: string, char: string, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (text.charAt(i) === char) return i;
  return -1;
}

function indexOfAny(text: string, characters: string, from: number): number {
  for (let i = from; i < text.length; i++) if (characters.includes(text.charAt(i))) return i;
  return text.length;
}

function decode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
