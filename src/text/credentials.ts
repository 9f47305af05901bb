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

// A URL with a scheme, or a host name followed by a path (`conda.anaconda.org/t/…`, no scheme).
const URL_START = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)|(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d{1,5})?(?=\/)/g;
// What ends a URL in running text: characters a URL cannot hold unencoded (space, quote, angle
// brackets, backtick) and controls.
const URL_END = /[\s"<>`\p{Cc}]/u;

function rewriteUrls(text: string, mode: Mode): string {
  if (!text.includes('/')) return text;
  let out = '';
  let at = 0;
  for (const match of text.matchAll(URL_START)) {
    const start = match.index;
    if (start < at) continue;
    const length = text.slice(start).search(URL_END);
    const end = length === -1 ? text.length : start + length;
    const url = text.slice(start, end);
    const rewritten = match[1]
      ? rewriteUrl(url, match[1].length, mode)
      : url.slice(0, match[0].length) + rewritePathAndQuery(url, match[0].length, mode);
    out += text.slice(at, start) + rewritten;
    at = end;
  }
  return out + text.slice(at);
}

/** `url` starts with its scheme and `://`, which end at `authorityStart`. */
function rewriteUrl(url: string, authorityStart: number, mode: Mode): string {
  let authorityEnd = indexOfAny(url, '/?#\\', authorityStart);
  const authority = url.slice(authorityStart, authorityEnd);
  let userinfoEnd = authority.lastIndexOf('@');
  if (userinfoEnd !== -1) {
    userinfoEnd += authorityStart;
  } else if (url.charAt(authorityEnd) !== '/' || invalidPort(authority)) {
    // Not a URL a parser would accept as written: a password with an unencoded `/`, `?` or `#`.
    // Whatever runs to the last `@` may be userinfo.
    const last = url.lastIndexOf('@');
    if (last > authorityEnd) userinfoEnd = last;
  }
  let head = url.slice(0, authorityStart);
  let hostStart = authorityStart;
  if (userinfoEnd !== -1) {
    head += maskedUserinfo(url.slice(authorityStart, userinfoEnd), mode);
    hostStart = userinfoEnd + 1;
    authorityEnd = indexOfAny(url, '/?#\\', hostStart);
  }
  // A file: URL names a directory on this machine (a local channel), never a token.
  const pathTokens = !/^file:/i.test(url);
  return head + url.slice(hostStart, authorityEnd) + rewritePathAndQuery(url, authorityEnd, mode, pathTokens);
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

/** The part of `url` from `start` on: a path, then a query and a fragment. */
function rewritePathAndQuery(url: string, start: number, mode: Mode, pathTokens = true): string {
  const queryStart = indexOfAny(url, '?#', start);
  const path = url.slice(start, queryStart);
  const maskedPath = !pathTokens
    ? path
    : path.replace(/\/t\/[^/]+/g, (segment) =>
        mode === 'remove' ? '' : segment === `/t/${MASK}` ? segment : `/t/${MASK}`,
      );
  const query = url
    .slice(queryStart)
    .replace(/([?&#;])([^=&#;?]*)=([^&#;]*)/g, (parameter, separator: string, name: string, value: string) =>
      value !== '' && isCredentialParameter(name) ? `${separator}${name}=${MASK}` : parameter,
    );
  // URLs inside this one (`…/x.conda%20(https://user:pw@host)`, `?next=https://…`) are masked in turn.
  return rewriteUrls(maskedPath, mode) + rewriteUrls(query, mode);
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
