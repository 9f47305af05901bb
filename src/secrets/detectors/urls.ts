/** Credentials in URLs (`scheme://user:password@host`), whatever the service. */
import type { Severity } from '../../model/finding.ts';
import { KEYRING_USERNAMES } from '../../text/credentials.ts';
import { type Detection, USERINFO_ANCHORS } from '../detection.ts';
import { isPlaceholder } from '../text.ts';
import { condaHost, type Detector, templated, tokenLike } from './shared.ts';

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

export const urlCredentials: Detector = {
  id: 'url-credentials',
  anchors: USERINFO_ANCHORS,
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
