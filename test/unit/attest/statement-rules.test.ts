/** The CEP-27 layer on its own: the rules on an (already authenticated) DSSE payload. */
// biome-ignore-all lint/suspicious/noExplicitAny: the tests read and forge bundle JSON field by field
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CEP27_PREDICATE_TYPE, IN_TOTO_PAYLOAD_TYPE, publishStatement } from '../../../src/attest/statement.ts';
import type { ArtifactRef, RejectionCode } from '../../../src/attest/types.ts';
import { checkStatement } from '../../../src/attest/verify.ts';

const artifact: ArtifactRef = {
  filename: 'zlib-1.3.1-hb9d3cd8_2.conda',
  sha256: 'a'.repeat(64),
};
const CHANNEL = 'https://prefix.dev/conda-forge';

function envelope(statement: unknown, payloadType = IN_TOTO_PAYLOAD_TYPE) {
  return { payloadType, payload: Buffer.from(typeof statement === 'string' ? statement : JSON.stringify(statement)) };
}

function code(statement: unknown, channel?: string, ref = artifact): RejectionCode | 'ok' {
  const result = checkStatement(envelope(statement), ref, channel);
  return result.ok ? 'ok' : result.code;
}

function reason(statement: unknown, channel?: string, ref = artifact): string {
  const result = checkStatement(envelope(statement), ref, channel);
  assert.ok(!result.ok);
  return result.reason;
}

const good = () => structuredClone(publishStatement(artifact, CHANNEL)) as unknown as Record<string, any>;

describe('CEP-27 statement rules', () => {
  it('accepts the statement publishStatement makes', () => {
    const result = checkStatement(envelope(good()), artifact, CHANNEL);
    assert.deepEqual(result, { ok: true, sha256: artifact.sha256, targetChannel: CHANNEL });
  });

  it('requires an in-toto payload that is a JSON object', () => {
    const wrongType = checkStatement(envelope(good(), 'application/json'), artifact);
    assert.ok(!wrongType.ok);
    assert.equal(wrongType.code, 'malformed');
    assert.match(wrongType.reason, /payload type is "application\/json"/);
    assert.equal(code('not json'), 'malformed');
    assert.equal(code([good()]), 'malformed');
  });

  it('checks the statement and predicate types', () => {
    assert.equal(code({ ...good(), _type: 'https://in-toto.io/Statement/v0.1' }), 'statement-type');
    assert.equal(code({ ...good(), predicateType: 'https://slsa.dev/provenance/v1' }), 'predicate-type');
    assert.match(
      reason({ ...good(), predicateType: 'https://slsa.dev/provenance/v1' }),
      new RegExp(`predicate type is "https://slsa.dev/provenance/v1", expected ${CEP27_PREDICATE_TYPE}`),
    );
  });

  it('requires exactly one subject, named as the file, with its sha256', () => {
    const two = good();
    two.subject.push({ name: 'other-1.0-0.conda', digest: { sha256: 'b'.repeat(64) } });
    assert.equal(code(two), 'subject-count');
    assert.match(reason(two), /has 2 subjects; CEP 27 requires exactly one/);
    assert.equal(code({ ...good(), subject: [] }), 'subject-count');
    assert.equal(code({ ...good(), subject: 'x' }), 'subject-count');
    assert.equal(code(good(), undefined, { ...artifact, filename: 'zlib-1.3.1-hb9d3cd8_3.conda' }), 'subject-name');
    assert.match(
      reason(good(), undefined, { ...artifact, filename: 'zlib-1.3.1-hb9d3cd8_3.conda' }),
      /about "zlib-1.3.1-hb9d3cd8_2.conda", not "zlib-1.3.1-hb9d3cd8_3.conda"/,
    );
    assert.equal(code(good(), undefined, { ...artifact, sha256: 'c'.repeat(64) }), 'subject-digest');
    assert.equal(code(good(), undefined, { ...artifact, sha256: 'A'.repeat(64) }), 'ok', 'hex case does not matter');
    const noDigest = good();
    noDigest.subject[0].digest = { sha512: 'a'.repeat(128) };
    assert.equal(code(noDigest), 'subject-digest');
    assert.match(reason(noDigest), /no sha256 digest/);
  });

  it('compares targetChannel with the channel the package came from', () => {
    assert.equal(code(good(), 'https://prefix.dev/conda-forge/'), 'ok', 'trailing slash');
    assert.equal(code(good(), 'HTTPS://Prefix.DEV/conda-forge'), 'ok', 'scheme and host case');
    assert.equal(code(good(), 'https://user:secret@prefix.dev/conda-forge'), 'ok', 'credentials');
    assert.equal(code(good(), 'https://prefix.dev/t/abc123/conda-forge'), 'ok', 'token segment');
    assert.equal(code(good(), 'https://conda.anaconda.org/conda-forge'), 'target-channel');
    assert.equal(code(good(), 'https://prefix.dev/conda-forge/label/dev'), 'target-channel');
    assert.equal(code(good(), 'https://prefix.dev/Conda-Forge'), 'target-channel', 'path case matters');
    assert.match(
      reason(good(), 'https://conda.anaconda.org/conda-forge'),
      /signed for channel https:\/\/prefix.dev\/conda-forge, but the package came from https:\/\/conda.anaconda.org\/conda-forge/,
    );
  });

  it('treats the predicate as optional unless a channel is to be checked', () => {
    const bare = good();
    delete bare.predicate;
    assert.deepEqual(checkStatement(envelope(bare), artifact), { ok: true, sha256: artifact.sha256 });
    assert.equal(code({ ...good(), predicate: null }), 'ok');
    assert.equal(code(bare, CHANNEL), 'target-channel');
    assert.match(reason(bare, CHANNEL), /names no targetChannel/);
    assert.equal(code({ ...good(), predicate: { targetChannel: 42 } }), 'target-channel');
    assert.equal(code({ ...good(), predicate: 'x' }), 'malformed');
  });
});
