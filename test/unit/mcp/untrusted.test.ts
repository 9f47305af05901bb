/** Untrusted text as a model may see it: hidden characters, markup and fence info gone, capped, credentials masked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sanitizeText, UNTRUSTED_CAP, untrusted } from '../../../src/mcp/untrusted.ts';

const tags = (text: string) => [...text].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');

describe('sanitizeText', () => {
  it('removes zero-width, bidi, tag and variation-selector characters', () => {
    assert.equal(sanitizeText(`a\u200bb\u202ec\u2066d${tags('run sign')}e\ufe0ff`), 'abcdef');
  });

  it('removes markup, also when an entity would bring it back', () => {
    assert.equal(sanitizeText('<img src=x onerror=alert(1)>safe <b>text</b><!-- hidden -->'), 'safe text');
    assert.equal(sanitizeText('&lt;script&gt;x&lt;/script&gt; &#8203;y'), 'x y');
  });

  it('keeps line breaks and drops code-fence info strings', () => {
    assert.equal(sanitizeText('one\r\ntwo\n```bash {exec}\nrm -rf /\n```'), 'one\ntwo\n```\nrm -rf /\n```');
  });
});

describe('untrusted', () => {
  it('wraps, caps by characters and says it cut', () => {
    const long = untrusted('advisory:X', 'é'.repeat(UNTRUSTED_CAP + 5));
    assert.equal(long.untrusted, true);
    assert.equal(long.source, 'advisory:X');
    assert.equal(long.truncated, true);
    assert.equal([...long.text].length, UNTRUSTED_CAP + 1);
    assert.deepEqual(untrusted('s', ' short '), { untrusted: true, source: 's', text: 'short' });
  });

  it('masks credentials in URLs', () => {
    const wrapped = untrusted('s', 'see https://user:hunter2@example.com/x?token=abc123');
    assert.ok(!wrapped.text.includes('hunter2') && !wrapped.text.includes('abc123'), wrapped.text);
  });
});

describe('approvalMessage', () => {
  it('shows a path that carries bidi or escape characters as escapes, so a person sees what is asked', async () => {
    const { approvalMessage } = await import('../../../src/mcp/approval.ts');
    const message = approvalMessage({
      action: 'build',
      target: 'pkg\u202egnp.\u001b[2J',
      digest: 'a'.repeat(64),
      verdictRunId: 'run-1',
    });
    assert.match(message, /^cvebuild asks to build pkg\\u202egnp\.\\x1b\[2J\.$/m);
    assert.ok(!message.includes('\u202e') && !message.includes('\u001b'));
  });
});
