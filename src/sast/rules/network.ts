/** Network exposure and clear-text protocols: 0.0.0.0 binds, urlopen's schemes, Telnet and FTP. */

import { ACCESS, CRYPTO, call, MISCONFIG, NOT_DOCSTRING, STR_START } from './shared.ts';
import type { PythonRule } from './types.ts';

export const bindAllInterfaces: PythonRule = {
  id: 'bind-all-interfaces',
  title: 'Binding to all interfaces (0.0.0.0)',
  message: "'0.0.0.0' binds on every network interface: the service may be reachable from outside.",
  remedy: 'Bind to 127.0.0.1 or a configured address unless the service is meant to be public.',
  help: 'A socket bound to 0.0.0.0 accepts connections on every interface, including public ones. Bind to localhost or make the address configurable.',
  cwe: 'CWE-605',
  owasp: MISCONFIG,
  severity: 'medium',
  confidence: 'medium',
  bandit: 'B104',
  benchExcluded:
    'Bandit 1.6.2 never runs its string tests on Python ≥ 3.8 (it visits ast.Str, which became ast.Constant)',
  language: 'python',
  sg: { kind: 'string', regex: `${STR_START}0\\.0\\.0\\.0['"]{1,3}$`, ...NOT_DOCSTRING },
};

export const urllibUrlopen: PythonRule = {
  id: 'urllib-urlopen',
  title: 'urlopen with an unchecked scheme',
  message: 'urllib urlopen/urlretrieve accepts file:// and custom schemes: check the URL before opening it.',
  remedy: 'Allow only http(s) URLs (check urlparse(url).scheme) or use a client that does.',
  help: 'urllib’s openers follow file:// and other schemes, so a URL from outside can read local files. Validate the scheme before opening a URL you did not write.',
  cwe: 'CWE-22',
  owasp: ACCESS,
  severity: 'medium',
  confidence: 'high',
  bandit: 'B310',
  language: 'python',
  sg: call(),
  calls: [
    'urllib.urlopen',
    'urllib.request.urlopen',
    'urllib.urlretrieve',
    'urllib.request.urlretrieve',
    'urllib.URLopener',
    'urllib.request.URLopener',
    'urllib.FancyURLopener',
    'urllib.request.FancyURLopener',
    'urllib2.urlopen',
    'urllib2.Request',
    'six.moves.urllib.request.urlopen',
    'six.moves.urllib.request.urlretrieve',
    'six.moves.urllib.request.URLopener',
    'six.moves.urllib.request.FancyURLopener',
  ],
};

export const telnetCall: PythonRule = {
  id: 'telnet-call',
  title: 'Telnet used',
  message: 'Telnet sends everything, including passwords, in clear text.',
  remedy: 'Use SSH (paramiko, asyncssh) instead.',
  help: 'Telnet has no encryption or server authentication. Credentials and data can be read and altered on the network.',
  cwe: 'CWE-319',
  owasp: CRYPTO,
  severity: 'high',
  confidence: 'high',
  bandit: 'B312',
  language: 'python',
  sg: call(),
  calls: ['telnetlib.*'],
};

export const ftpCall: PythonRule = {
  id: 'ftp-call',
  title: 'FTP used',
  message: 'FTP sends credentials and data in clear text.',
  remedy: 'Use SFTP/SCP (paramiko) or HTTPS.',
  help: 'Plain FTP has no encryption: passwords and files can be read and altered on the network. Use SFTP or HTTPS.',
  cwe: 'CWE-319',
  owasp: CRYPTO,
  severity: 'high',
  confidence: 'high',
  bandit: 'B321',
  language: 'python',
  sg: call(),
  calls: ['ftplib.*'],
};

export const telnetImport: PythonRule = {
  id: 'telnet-import',
  title: 'telnetlib imported',
  message: 'telnetlib imported: Telnet is unencrypted.',
  remedy: 'Use SSH instead of Telnet.',
  help: 'Telnet has no encryption or server authentication. Importing telnetlib usually means credentials travel in clear text.',
  cwe: 'CWE-319',
  owasp: CRYPTO,
  severity: 'high',
  confidence: 'high',
  bandit: 'B401',
  language: 'python',
  sg: { any: [{ kind: 'import_statement' }, { kind: 'import_from_statement' }], regex: 'telnetlib' },
  imports: ['telnetlib'],
};

export const ftpImport: PythonRule = {
  id: 'ftp-import',
  title: 'ftplib imported',
  message: 'ftplib imported: FTP is unencrypted.',
  remedy: 'Use SFTP or HTTPS.',
  help: 'Plain FTP has no encryption. Importing ftplib usually means credentials and files travel in clear text.',
  cwe: 'CWE-319',
  owasp: CRYPTO,
  severity: 'high',
  confidence: 'high',
  bandit: 'B402',
  language: 'python',
  sg: { any: [{ kind: 'import_statement' }, { kind: 'import_from_statement' }], regex: 'ftplib' },
  imports: ['ftplib'],
};
