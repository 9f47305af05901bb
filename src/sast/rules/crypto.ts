/** Weak cryptography: broken hashes and ciphers, ECB, and `random` where a secret is wanted. */
import type { SgNode } from '@ast-grep/napi';
import { argumentsOf, CRYPTO, call, fieldOf, isStringLiteral, kwarg, stringValue } from './shared.ts';
import type { PythonRule } from './types.ts';

/** A few statements up: the text around a call, to tell a token generator from a dice roll. */
function statementText(node: SgNode): string {
  let current: SgNode | null = node;
  for (let i = 0; current && i < 6; i++) {
    const kind = current.kind();
    if (kind === 'expression_statement' || kind === 'return_statement' || String(kind).endsWith('_statement')) break;
    current = current.parent();
  }
  const enclosing = node.ancestors().find((a) => a.kind() === 'function_definition');
  const fn = fieldOf(enclosing ?? null, 'name')?.text() ?? '';
  return `${(current ?? node).text()} ${fn}`;
}

const SECURITY_WORDS = /token|secret|passw|nonce|salt|otp|csrf|session|api_?key|auth|crypt/i;

export const weakHash: PythonRule = {
  id: 'weak-hash',
  title: 'MD5 / SHA-1 (or MD2/MD4) hash',
  message: 'Weak hash function (MD5/SHA-1): do not use it for signatures, passwords or integrity.',
  remedy: 'Use hashlib.sha256 (or blake2b); if the hash is not for security, say so with usedforsecurity=False.',
  help: 'MD5 and SHA-1 have practical collision attacks, so they cannot protect integrity or authenticity. Non-security uses (cache keys, checksums of trusted data) should pass usedforsecurity=False, which also documents the intent.',
  cwe: 'CWE-327',
  owasp: CRYPTO,
  severity: 'medium',
  confidence: 'high',
  bandit: 'B303',
  language: 'python',
  // Deliberately different: Bandit 1.6.2 ignores usedforsecurity=False (newer Bandit honours it).
  sg: call({ not: kwarg('usedforsecurity', '^False$') }),
  calls: [
    'hashlib.md5',
    'hashlib.sha1',
    'Crypto.Hash.MD2.new',
    'Crypto.Hash.MD4.new',
    'Crypto.Hash.MD5.new',
    'Crypto.Hash.SHA.new',
    'Cryptodome.Hash.MD2.new',
    'Cryptodome.Hash.MD4.new',
    'Cryptodome.Hash.MD5.new',
    'Cryptodome.Hash.SHA.new',
    'cryptography.hazmat.primitives.hashes.MD5',
    'cryptography.hazmat.primitives.hashes.SHA1',
  ],
  benchNote: 'we honour usedforsecurity=False (Bandit 1.6.2 does not)',
};

export const hashlibNewWeak: PythonRule = {
  id: 'hashlib-new-weak',
  title: "hashlib.new('md5') and other weak hash names",
  message: 'Weak hash function requested by name (MD4/MD5/SHA-1).',
  remedy: "Use hashlib.new('sha256'); pass usedforsecurity=False for non-security uses.",
  help: 'hashlib.new with md4, md5 or sha1 selects a hash with practical collision attacks. Use a SHA-2 or BLAKE2 hash, or mark non-security uses with usedforsecurity=False.',
  cwe: 'CWE-327',
  owasp: CRYPTO,
  severity: 'medium',
  confidence: 'high',
  bandit: 'B324',
  language: 'python',
  sg: call({ not: kwarg('usedforsecurity', '^False$') }),
  calls: ['hashlib.new'],
  refine: (node) => {
    const { positional, keywords } = argumentsOf(node);
    const name = positional[0] ?? keywords.get('name');
    if (!name || !isStringLiteral(name)) return false;
    const value = stringValue(name.text()).toLowerCase();
    if (value === 'md4' || value === 'md5') return true;
    // SHA-1 by name is B324 from Bandit 1.7.x on.
    if (value === 'sha1' || value === 'sha') return { beyondBandit: true };
    return false;
  },
};

export const weakCipher: PythonRule = {
  id: 'weak-cipher',
  title: 'Weak cipher (DES, RC2, RC4, Blowfish, IDEA, XOR)',
  message: 'Insecure cipher: broken or too small a block/key size.',
  remedy: 'Use AES-GCM or ChaCha20-Poly1305 (cryptography.hazmat.primitives.ciphers.aead).',
  help: 'DES, RC2, RC4, Blowfish, IDEA and XOR are broken or have block or key sizes too small for modern use. Use an authenticated modern cipher such as AES-GCM.',
  cwe: 'CWE-327',
  owasp: CRYPTO,
  severity: 'high',
  confidence: 'high',
  bandit: 'B304',
  language: 'python',
  sg: call(),
  calls: [
    ...['ARC2', 'ARC4', 'Blowfish', 'DES', 'XOR'].flatMap((c) => [
      `Crypto.Cipher.${c}.new`,
      `Cryptodome.Cipher.${c}.new`,
    ]),
    ...['ARC4', 'Blowfish', 'IDEA'].map((c) => `cryptography.hazmat.primitives.ciphers.algorithms.${c}`),
  ],
};

export const weakCipherMode: PythonRule = {
  id: 'weak-cipher-mode',
  title: 'ECB cipher mode',
  message: 'ECB mode encrypts equal blocks to equal ciphertext and leaks patterns.',
  remedy: 'Use an authenticated mode (GCM) or CTR/CBC with a MAC.',
  help: 'ECB encrypts each block independently, so identical plaintext blocks produce identical ciphertext. Use GCM, or another mode with an IV and authentication.',
  cwe: 'CWE-327',
  owasp: CRYPTO,
  severity: 'medium',
  confidence: 'high',
  bandit: 'B305',
  language: 'python',
  sg: call(),
  calls: ['cryptography.hazmat.primitives.ciphers.modes.ECB'],
};

export const randomForSecurity: PythonRule = {
  id: 'random-for-security',
  title: 'random module used where a secret may be needed',
  message: 'random is predictable: not suitable for tokens, passwords, salts or keys.',
  remedy: 'Use the secrets module (secrets.token_hex, secrets.choice) for anything secret.',
  help: 'The random module is a Mersenne Twister whose state can be recovered from its output. Anything that must be unguessable (tokens, passwords, nonces, salts) must come from secrets or os.urandom.',
  cwe: 'CWE-330',
  owasp: CRYPTO,
  severity: 'low',
  confidence: 'low',
  bandit: 'B311',
  language: 'python',
  sg: call(),
  calls: ['random', 'randrange', 'randint', 'choice', 'uniform', 'triangular'].map((f) => `random.${f}`),
  callsBeyondBandit: ['choices', 'sample', 'getrandbits', 'randbytes', 'shuffle'].map((f) => `random.${f}`),
  // Bandit flags every call; we do too, but rate it up only near security words.
  refine: (node) =>
    SECURITY_WORDS.test(statementText(node))
      ? {
          severity: 'medium',
          confidence: 'medium',
          message: 'random used for what looks like a secret (token, password, salt…).',
        }
      : true,
};
