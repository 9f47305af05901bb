/** Private keys: PEM blocks and OpenPGP armour, encrypted or not. */
import type { Detection } from '../detection.ts';
import { looksRandom } from '../text.ts';
import type { Detector } from './shared.ts';

// ---------------------------------------------------------------------------------------------
// Private keys: PEM blocks (RFC 7468) and OpenPGP armour. The body must be a plausible base64 key
// (≥ 64 base64 characters after headers such as `Proc-Type:`/`Version:` are dropped); `\n` escapes
// (keys inside JSON strings) count as line breaks. Encrypted keys (`ENCRYPTED PRIVATE KEY`,
// `Proc-Type: 4,ENCRYPTED`, an OpenSSH key whose cipher is not `none`) are reported at high severity.

const PEM_BEGIN =
  /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----/g;
const PEM_KINDS: Record<string, string> = {
  'RSA PRIVATE KEY': 'rsa',
  'EC PRIVATE KEY': 'ec',
  'DSA PRIVATE KEY': 'dsa',
  'OPENSSH PRIVATE KEY': 'openssh',
  'ENCRYPTED PRIVATE KEY': 'pkcs8-encrypted',
  'PRIVATE KEY': 'pkcs8',
  'PGP PRIVATE KEY BLOCK': 'pgp',
  'SSH2 ENCRYPTED PRIVATE KEY': 'ssh2-encrypted',
};
const MAX_PEM = 64 * 1024;

/** The cipher named in an OpenSSH private key (`none` when unencrypted), from the first base64 bytes. */
function opensshCipher(base64: string): string | undefined {
  const head = Buffer.from(base64.slice(0, 64), 'base64');
  const magic = 'openssh-key-v1\0';
  if (head.subarray(0, magic.length).toString('latin1') !== magic) return undefined;
  const length = head.readUInt32BE(magic.length);
  return head.subarray(magic.length + 4, magic.length + 4 + length).toString('latin1');
}

export const privateKey: Detector = {
  id: 'private-key',
  anchors: { literals: ['PRIVATE KEY'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(PEM_BEGIN)) {
      const label = match[1] as string;
      const bodyStart = match.index + match[0].length;
      const endMarker = `-----END ${label}-----`;
      const endAt = content.indexOf(endMarker, bodyStart);
      if (endAt === -1 || endAt - bodyStart > MAX_PEM) continue;
      const body = content.slice(bodyStart, endAt);
      const lines = body.split(/\\r\\n|\\n|\r?\n/);
      let encrypted = label.includes('ENCRYPTED');
      let base64 = '';
      for (const raw of lines) {
        const line = raw.trim().replace(/^["']|["',]$/g, '');
        if (line === '') continue;
        if (/^[A-Za-z-]+:/.test(line)) {
          if (/^Proc-Type:.*ENCRYPTED/i.test(line)) encrypted = true;
          continue;
        }
        if (label.startsWith('PGP') && line.startsWith('=')) continue;
        base64 += line;
      }
      if (base64.length < 64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || !looksRandom(base64, 4)) continue;
      const kind = PEM_KINDS[label] ?? 'private-key';
      if (kind === 'openssh') {
        const cipher = opensshCipher(base64);
        if (cipher && cipher !== 'none') encrypted = true;
      }
      found.push({
        rule: 'private-key',
        start: match.index,
        end: endAt + endMarker.length,
        secretStart: bodyStart,
        secretEnd: endAt,
        kind: encrypted && !kind.endsWith('-encrypted') ? `${kind}-encrypted` : kind,
        prefix: '',
        confidence: 'high',
        severity: encrypted ? 'high' : 'critical',
        masked: `${label} **** (${base64.length} base64 chars)`,
        detail: encrypted ? 'encrypted' : undefined,
        normalize: 'pem',
      });
    }
    return found;
  },
};
