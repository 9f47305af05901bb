/** Transport security: TLS verification turned off, broken protocol versions, unknown SSH host keys. */
import type { SgNode } from '@ast-grep/napi';
import { AUTH, argumentsOf, CRYPTO, call, kwarg } from './shared.ts';
import type { PythonRule } from './types.ts';

const HTTP_VERBS = ['get', 'options', 'head', 'post', 'put', 'patch', 'delete'];

const BAD_TLS = [
  'PROTOCOL_SSLv2',
  'SSLv2_METHOD',
  'SSLv23_METHOD',
  'PROTOCOL_SSLv3',
  'PROTOCOL_TLSv1',
  'SSLv3_METHOD',
  'TLSv1_METHOD',
];
const BAD_TLS_VALUE = `(^|\\.)(${BAD_TLS.join('|')})$`;

export const tlsVerifyDisabled: PythonRule = {
  id: 'tls-verify-disabled',
  title: 'HTTP request with verify=False',
  message: 'HTTPS request with certificate verification disabled (verify=False): open to interception.',
  remedy: 'Remove verify=False; point verify= at a CA bundle if the server uses a private CA.',
  help: 'verify=False turns off TLS certificate checks, so anyone on the network path can impersonate the server and read or change the traffic. Use the default verification or a private CA bundle.',
  cwe: 'CWE-295',
  owasp: AUTH,
  severity: 'high',
  confidence: 'high',
  bandit: 'B501',
  language: 'python',
  sg: call({
    all: [
      {
        has: {
          field: 'function',
          regex: `(^|\\.)(${HTTP_VERBS.join('|')}|request|stream|Client|AsyncClient|Session)$`,
        },
      },
      kwarg('verify', '^False$'),
    ],
  }),
  // Bandit: `'requests' in qualname` (a substring test) and the last name an HTTP verb. We also
  // flag httpx and session objects (`session.get(url, verify=False)`), which Bandit misses.
  refine: (_node, context) => {
    const last = context.qualname.split('.').at(-1) ?? '';
    if (context.qualname.includes('requests') && HTTP_VERBS.includes(last)) return true;
    return { beyondBandit: true };
  },
};

export const sslInsecureVersion: PythonRule = {
  id: 'ssl-insecure-version',
  title: 'Insecure SSL/TLS protocol version',
  message: 'SSLv2/SSLv3/TLSv1.0 requested: these protocol versions are broken.',
  remedy: 'Use ssl.PROTOCOL_TLS_CLIENT / create_default_context() and a minimum_version of TLSv1.2.',
  help: 'SSLv2, SSLv3 and TLS 1.0 have known practical attacks (DROWN, POODLE, BEAST). Let the library negotiate with ssl.create_default_context() and set minimum_version to TLS 1.2 or later.',
  cwe: 'CWE-327',
  owasp: CRYPTO,
  severity: 'high',
  confidence: 'high',
  bandit: 'B502',
  language: 'python',
  sg: call({
    any: [
      kwarg('ssl_version', BAD_TLS_VALUE),
      kwarg('method', BAD_TLS_VALUE),
      { has: { field: 'arguments', regex: BAD_TLS.join('|') } },
    ],
  }),
  refine: (node, context) => {
    const { positional, keywords } = argumentsOf(node);
    const bad = (value: SgNode | undefined) => value !== undefined && new RegExp(BAD_TLS_VALUE).test(value.text());
    if (bad(keywords.get('ssl_version')) || bad(keywords.get('method'))) {
      return context.qualname === 'ssl.wrap_socket' ? true : { severity: 'medium', confidence: 'medium' };
    }
    // Positional protocol: ssl.SSLContext(ssl.PROTOCOL_TLSv1), OpenSSL.SSL.Context(SSL.TLSv1_METHOD).
    if (/(^|\.)(SSLContext|Context)$/.test(context.qualname) && bad(positional[0])) return { beyondBandit: true };
    return false;
  },
};

export const sslInsecureVersionDefault: PythonRule = {
  id: 'ssl-insecure-version-default',
  title: 'Function defaulting to an insecure SSL/TLS version',
  message: 'Function parameter defaults to an insecure SSL/TLS protocol version.',
  remedy: 'Default to ssl.PROTOCOL_TLS_CLIENT and require TLS 1.2+.',
  help: 'A default argument of SSLv2/SSLv3/TLSv1.0 makes every caller that relies on the default use a broken protocol. Default to a negotiated, modern protocol.',
  cwe: 'CWE-327',
  owasp: CRYPTO,
  severity: 'medium',
  confidence: 'medium',
  bandit: 'B503',
  language: 'python',
  sg: {
    kind: 'function_definition',
    has: {
      field: 'parameters',
      has: {
        any: [{ kind: 'default_parameter' }, { kind: 'typed_default_parameter' }],
        has: { field: 'value', regex: BAD_TLS_VALUE },
      },
    },
  },
};

export const sslWrapSocketNoVersion: PythonRule = {
  id: 'ssl-wrap-socket-no-version',
  title: 'ssl.wrap_socket without a protocol version',
  message: 'ssl.wrap_socket without ssl_version (deprecated, removed in Python 3.12; no hostname checks).',
  remedy: 'Use ssl.create_default_context().wrap_socket(sock, server_hostname=...).',
  help: 'ssl.wrap_socket neither checks hostnames nor certificates by default and was removed in Python 3.12. An SSLContext from create_default_context() does both.',
  cwe: 'CWE-327',
  owasp: CRYPTO,
  severity: 'low',
  confidence: 'medium',
  bandit: 'B504',
  language: 'python',
  sg: call({ not: kwarg('ssl_version') }),
  calls: ['ssl.wrap_socket'],
};

export const sslUnverifiedContext: PythonRule = {
  id: 'ssl-unverified-context',
  title: 'ssl._create_unverified_context',
  message: 'Unverified SSL context: no certificate or hostname checks.',
  remedy: 'Use ssl.create_default_context(); load a private CA with cafile= if needed.',
  help: 'ssl._create_unverified_context disables certificate and hostname verification, so any network attacker can impersonate the server. Use create_default_context and trust a specific CA file if the server uses a private CA.',
  cwe: 'CWE-295',
  owasp: AUTH,
  severity: 'medium',
  confidence: 'high',
  bandit: 'B323',
  language: 'python',
  sg: call(),
  calls: ['ssl._create_unverified_context'],
  callsBeyondBandit: ['ssl._create_stdlib_context'],
};

export const sslVerificationDisabled: PythonRule = {
  id: 'ssl-verification-disabled',
  title: 'TLS hostname / certificate check turned off',
  message: 'TLS verification turned off (check_hostname = False or verify_mode = CERT_NONE).',
  remedy: 'Leave check_hostname True and verify_mode CERT_REQUIRED (the create_default_context defaults).',
  help: 'Setting check_hostname to False or verify_mode to CERT_NONE lets any certificate through, so the connection can be intercepted. Keep the defaults of ssl.create_default_context.',
  cwe: 'CWE-295',
  owasp: AUTH,
  severity: 'medium',
  confidence: 'medium',
  language: 'python',
  sg: {
    kind: 'assignment',
    any: [
      {
        all: [{ has: { field: 'left', regex: '\\.check_hostname$' } }, { has: { field: 'right', regex: '^False$' } }],
      },
      {
        all: [
          { has: { field: 'left', regex: '\\.verify_mode$' } },
          { has: { field: 'right', regex: '(^|\\.)CERT_NONE$' } },
        ],
      },
    ],
  },
};

export const paramikoAutoAddPolicy: PythonRule = {
  id: 'paramiko-auto-add-policy',
  title: 'paramiko accepts unknown host keys',
  message: 'SSH client trusts unknown host keys (AutoAddPolicy/WarningPolicy): open to man-in-the-middle.',
  remedy: 'Load known hosts (load_system_host_keys) and keep the default RejectPolicy.',
  help: 'AutoAddPolicy and WarningPolicy accept any host key on first contact, so an attacker on the path can impersonate the server. Verify host keys against a known_hosts file.',
  cwe: 'CWE-295',
  owasp: AUTH,
  severity: 'high',
  confidence: 'medium',
  bandit: 'B507',
  language: 'python',
  sg: call({
    has: { field: 'function', regex: '(^|\\.)set_missing_host_key_policy$' },
    all: [{ has: { field: 'arguments', regex: '(AutoAddPolicy|WarningPolicy)' } }],
  }),
  refine: (node, context) => {
    if (![...context.imports].some((name) => name.includes('paramiko'))) return false;
    const first = argumentsOf(node).positional[0];
    if (!first) return false;
    // Bandit 1.6.2 only recognises the class (`AutoAddPolicy`), not an instance (`AutoAddPolicy()`).
    if (/(^|\.)(AutoAddPolicy|WarningPolicy)$/.test(first.text())) return true;
    if (/(^|\.)(AutoAddPolicy|WarningPolicy)\(\)$/.test(first.text())) return { beyondBandit: true };
    return false;
  },
};
