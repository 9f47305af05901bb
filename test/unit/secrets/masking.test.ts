/**
 * No hit carries its secret: message, snippet and extra keep at most the public prefix, a mask and a
 * fingerprint. Checked on the serialized hit, for the secret and every 8-character piece of it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { CodeHit } from '../../../src/code/types.ts';
import { scanText } from '../../../src/secrets/scan.ts';
import { fingerprint, maskSecret, revealsSecret } from '../../../src/secrets/text.ts';
import { type ExpectedSecret, FakeSecrets, positives } from '../../helpers/fake-secrets.ts';

/** The 8-character pieces of the secret past its public prefix (written here, not taken from src). */
function pieces(secret: string, prefix: string): string[] {
  const start = secret.startsWith(prefix) ? prefix.length : 0;
  const out: string[] = [];
  for (const part of secret.slice(start).split(/\\n|\s+/)) {
    for (let i = 0; i + 8 <= part.length; i++) out.push(part.slice(i, i + 8));
  }
  return out;
}

function assertHidden(hit: CodeHit, expected: ExpectedSecret): void {
  const json = JSON.stringify(hit);
  const leaked = pieces(expected.secret, expected.prefix).find((piece) => json.includes(piece));
  assert.equal(leaked, undefined, `${hit.rule} at ${hit.line}:${hit.column} leaks a piece of its secret: ${json}`);
}

describe('secret masking', () => {
  for (const seed of [7, 31, 2024]) {
    it(`no hit of the labelled set reveals its secret (seed ${seed})`, async () => {
      let checked = 0;
      for (const entry of positives(seed)) {
        const hits = await scanText(entry.path, entry.content);
        for (const expected of entry.expected) {
          const hit = hits.find((h) => h.line === expected.line && h.column === expected.column);
          assert.ok(hit, `${entry.name}: no hit at ${expected.line}:${expected.column}`);
          assertHidden(hit, expected);
          // Every other hit of the file hides this secret too (snippets share lines).
          for (const other of hits) assertHidden(other, expected);
          checked++;
        }
      }
      assert.ok(checked > 60);
    });
  }

  it('gives each hit a mask with the public prefix and the length, and a 12-hex fingerprint', async () => {
    const fake = new FakeSecrets(5);
    const token = fake.githubClassic();
    const [hit] = await scanText('a.py', `TOKEN = "${token}"\n`);
    assert.equal(hit?.extra?.masked, 'ghp_**** (40 chars)');
    assert.equal(hit?.extra?.fingerprint, createHash('sha256').update(token).digest('hex').slice(0, 12));
    assert.equal(hit?.snippet, 'TOKEN = "ghp_**** (40 chars)"');
    assert.match(hit?.message ?? '', /^GitHub token \(ghp_\*\*\*\* \(40 chars\)\)/);
  });

  it('fingerprints a PEM key by its body, whatever the line breaks', async () => {
    const fake = new FakeSecrets(6);
    const body = fake.pemBody('MIIEowIBAAKCAQEA', 900);
    const pem = (text: string) => `-----BEGIN RSA PRIVATE KEY-----\n${text}\n-----END RSA PRIVATE KEY-----\n`;
    const [wrapped] = await scanText('a.pem', pem(body));
    const [escaped] = await scanText('b.json', `{"key": "${pem(body).replaceAll('\n', '\\n')}"}`);
    assert.equal(wrapped?.extra?.fingerprint, escaped?.extra?.fingerprint);
    assert.equal(wrapped?.extra?.fingerprint, fingerprint(body.replaceAll('\n', '')));
  });

  it('masks every secret on a shared line, not only the hit’s own', async () => {
    const fake = new FakeSecrets(8);
    const id = fake.awsKeyId();
    const secret = fake.awsSecret();
    const hits = await scanText('c.json', `{"AccessKeyId": "${id}", "SecretAccessKey": "${secret}"}`);
    assert.equal(hits.length, 2);
    for (const hit of hits) {
      assert.ok(!hit.snippet?.includes(id.slice(4)));
      assert.ok(!hit.snippet?.includes(secret.slice(0, 8)));
    }
  });

  it('helpers: maskSecret keeps only a matching prefix; revealsSecret finds any 8-character piece', () => {
    assert.equal(maskSecret('ghp_abcdefgh', 'ghp_'), 'ghp_**** (12 chars)');
    assert.equal(maskSecret('abcdefgh', 'ghp_'), '**** (8 chars)');
    assert.ok(revealsSecret('x 1234abcd y', 'ghp_0001234abcd999', 'ghp_'));
    assert.ok(!revealsSecret('ghp_ only', 'ghp_0001234abcd999', 'ghp_'));
  });
});
