/**
 * The credential masker every output goes through: each form of credential in a URL (issue 12,
 * item 4), in a URL field and inside running text, is masked; placeholders, hosts, paths and
 * ordinary parameters stay; masking twice changes nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCredentialParameter, maskCredentials, withoutCredentials } from '../../../src/text/credentials.ts';

const SECRET = 'Qz9kWmTnVrLpXsYj';

/** [what, URL with SECRET in it, how it is masked]. */
const FORMS: [string, string, string][] = [
  ['user and password', `https://alice:${SECRET}@pypi.example.com/simple`, 'https://***:***@pypi.example.com/simple'],
  ['a token as the user name', `https://${SECRET}@github.com/org/repo.git`, 'https://***@github.com/org/repo.git'],
  [
    'a token as the user with a marker password',
    `https://${SECRET}:x-oauth-basic@github.com/org/repo.git`,
    'https://***:***@github.com/org/repo.git',
  ],
  ['a password with @', `https://alice:p@${SECRET}@host.example/x`, 'https://***:***@host.example/x'],
  ['a password with several @', `https://alice:@${SECRET}@@host.example/x`, 'https://***:***@host.example/x'],
  ['a percent-encoded @', `https://alice:p%40${SECRET}@host.example/x`, 'https://***:***@host.example/x'],
  ['a password with an unencoded /', `https://alice:p/${SECRET}@host.example/x`, 'https://***:***@host.example/x'],
  ['a password with an unencoded ?', `https://alice:p?${SECRET}@host.example/x`, 'https://***:***@host.example/x'],
  ['an empty user', `redis://:${SECRET}@cache.example:6379/0`, 'redis://:***@cache.example:6379/0'],
  [
    'git+https with a token user and a revision',
    `git+https://${SECRET}@gitlab.example/org/repo.git@v1.0#egg=x`,
    'git+https://***@gitlab.example/org/repo.git@v1.0#egg=x',
  ],
  [
    'git+ssh with a password',
    `git+ssh://git:${SECRET}@host.example/org/repo.git`,
    'git+ssh://git:***@host.example/org/repo.git',
  ],
  [
    'a keyring placeholder user with a password',
    `https://__token__:${SECRET}@pypi.example.com/simple`,
    'https://__token__:***@pypi.example.com/simple',
  ],
  [
    'an anaconda.org channel token',
    `https://conda.anaconda.org/t/${SECRET}/private/linux-64/x-1-0.conda`,
    'https://conda.anaconda.org/t/***/private/linux-64/x-1-0.conda',
  ],
  ['two channel tokens', `https://host.example/t/${SECRET}/a/t/${SECRET}2/b`, 'https://host.example/t/***/a/t/***/b'],
  ['a channel token at the end', `https://host.example/t/${SECRET}`, 'https://host.example/t/***'],
  ['a channel token without a scheme', `conda.anaconda.org/t/${SECRET}/private`, 'conda.anaconda.org/t/***/private'],
  ['?token=', `https://host.example/x?token=${SECRET}&page=2`, 'https://host.example/x?token=***&page=2'],
  ['?access_token=', `https://host.example/x?access_token=${SECRET}`, 'https://host.example/x?access_token=***'],
  ['?api_key=', `https://host.example/x?a=1&api_key=${SECRET}`, 'https://host.example/x?a=1&api_key=***'],
  ['?apiKey=', `https://host.example/x?apiKey=${SECRET}`, 'https://host.example/x?apiKey=***'],
  ['?key=', `https://maps.example/x?key=${SECRET}`, 'https://maps.example/x?key=***'],
  ['?password=', `https://host.example/x?password=${SECRET}`, 'https://host.example/x?password=***'],
  ['?client_secret=', `https://host.example/x?client_secret=${SECRET}`, 'https://host.example/x?client_secret=***'],
  ['?private_token=', `https://gitlab.example/x?private_token=${SECRET}`, 'https://gitlab.example/x?private_token=***'],
  ['Azure SAS ?sig=', `https://a.blob.example/c/b?sv=2022&sig=${SECRET}`, 'https://a.blob.example/c/b?sv=2022&sig=***'],
  [
    'S3 presigned',
    `https://b.s3.example/k?X-Amz-Credential=${SECRET}%2F20260101&X-Amz-Signature=${SECRET}&X-Amz-Expires=60`,
    'https://b.s3.example/k?X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Expires=60',
  ],
  [
    'X-Amz-Security-Token',
    `https://b.s3.example/k?X-Amz-Security-Token=${SECRET}`,
    'https://b.s3.example/k?X-Amz-Security-Token=***',
  ],
  [
    'a percent-encoded parameter name',
    `https://host.example/x?%74oken=${SECRET}`,
    'https://host.example/x?%74oken=***',
  ],
  [
    'a token in the fragment',
    `https://host.example/cb#access_token=${SECRET}&x=1`,
    'https://host.example/cb#access_token=***&x=1',
  ],
  ['an upper-case scheme', `HTTPS://alice:${SECRET}@HOST.EXAMPLE/`, 'HTTPS://***:***@HOST.EXAMPLE/'],
];

describe('maskCredentials', () => {
  for (const [what, url, masked] of FORMS) {
    it(`masks ${what}`, () => {
      assert.equal(maskCredentials(url), masked);
      assert.equal(maskCredentials(masked), masked, 'masking twice changes nothing');
    });
  }

  it('masks every URL inside running text, whatever surrounds it', () => {
    for (const [, url] of FORMS) {
      for (const text of [
        `fetched from ${url} failed`,
        `(${url})`,
        `"${url}"`,
        `<${url}>`,
        `source=${url};next`,
        `\`${url}\``,
        `first ${url} then ${url}`,
        `${url}\n${url}`,
      ]) {
        assert.ok(!maskCredentials(text).includes(SECRET), `${JSON.stringify(text)} → ${maskCredentials(text)}`);
      }
    }
  });

  it('masks URLs glued to other text or nested in one another (forms the report fuzzing found)', () => {
    for (const text of [
      `https://h.example/x.conda%20(https://alice:${SECRET}@pypi.example.com/simple)`,
      `https://h.example/x?page=2https://maps.example/x?key=${SECRET}`,
      `https://h.example/x?secret=${SECRET}https://a.blob.example/c?sv=1&sig=${SECRET}`,
      `https://h.example/x?next=https://alice:${SECRET}@pypi.example.com/`,
      `;c;Y3VybA==%07https://host.example/x?token=${SECRET}&page=2`,
      `conda:linux-64/conda.anaconda.org/t/${SECRET}/private`,
      `www.evil.example3.0.7-conda.anaconda.org/t/${SECRET}/private`,
      `name@1.0https://alice:${SECRET}@host.example/x`,
    ]) {
      assert.ok(!maskCredentials(text).includes(SECRET), `${text} → ${maskCredentials(text)}`);
    }
  });

  it('masks the userinfo of a percent-encoded URL, nested in a parameter or on its own', () => {
    const cases: [string, string][] = [
      [
        `https://example.com/login?next=https%3A%2F%2Falice%3A${SECRET}%40pypi.example%2Fsimple`,
        'https://example.com/login?next=https%3A%2F%2F***%3A***%40pypi.example%2Fsimple',
      ],
      [`https%3a%2f%2f${SECRET}%40host.example%2f`, 'https%3a%2f%2f***%40host.example%2f'],
      [`https%3A%2F%2F__token__%3A${SECRET}%40upload.pypi.org`, 'https%3A%2F%2F__token__%3A***%40upload.pypi.org'],
      ['an address like a%40b, and no URL', 'an address like a%40b, and no URL'],
    ];
    for (const [text, masked] of cases) assert.equal(maskCredentials(text), masked);
    assert.equal(
      withoutCredentials(`https://h.example/?next=https%3A%2F%2Falice%3A${SECRET}%40pypi.example%2F`),
      'https://h.example/?next=https%3A%2F%2Fpypi.example%2F',
    );
    assert.ok(!maskCredentials(`https%3A%2F%2F${'%40'.repeat(100_000)}${SECRET}%40h.example`).includes(SECRET));
  });

  it('stays linear on megabyte tokens built to make a backtracking or rescanning masker hang', () => {
    for (const text of [
      `${'https://'.repeat(200_000)}alice:${SECRET}@h.example/`,
      `${'a.b/t/x'.repeat(200_000)}/t/${SECRET}`,
      `https://${'@'.repeat(1_000_000)}${SECRET}@h.example/`,
      `https://h.example/?${'a=b&'.repeat(200_000)}token=${SECRET}`,
      `${'a.'.repeat(500_000)}example/t/${SECRET}`,
    ]) {
      assert.ok(!maskCredentials(text).includes(SECRET));
    }
  });

  it('leaves placeholders, hosts, paths, revisions and ordinary parameters visible', () => {
    for (const url of [
      'https://oauth2accesstoken@us-python.pkg.dev/project/repo/simple',
      'https://__token__@pypi.example.com/simple',
      'git+ssh://git@github.com/org/repo.git',
      'https://github.com/org/repo.git@v1.2',
      'https://files.pythonhosted.org/packages/ab/cd/x-1.0-py3-none-any.whl#sha256=abc',
      'https://host.example/x?subdir=linux-64&author=alice&sort_by=name',
      'https://[::1]:8080/simple',
      'file:///home/t/channel',
      'pkg:pypi/requests@2.32.3',
      'alice@example.org',
      'src/t/data.py',
      'plain text',
    ]) {
      assert.equal(maskCredentials(url), url, url);
    }
  });

  it('says which parameter names carry credentials', () => {
    for (const name of [
      'token',
      'Token',
      'auth_token',
      'authtoken',
      'sig',
      'Signature',
      'X-Goog-Signature',
      'passwd',
      'session',
      'AWSAccessKeyId',
      'subscription-key',
    ])
      assert.ok(isCredentialParameter(name), name);
    for (const name of ['author', 'sort', 'subdir', 'page', 'rev', 'egg', 'sha256', 'monkeys'])
      assert.ok(!isCredentialParameter(name), name);
  });
});

describe('withoutCredentials', () => {
  it('drops userinfo and channel tokens and blanks credential parameters, for identifiers such as purls', () => {
    for (const [, url] of FORMS) assert.ok(!withoutCredentials(url).includes(SECRET), url);
    assert.equal(
      withoutCredentials('git+https://oauth2:glpat-x@gitlab.com/a/b.git@v1'),
      'git+https://gitlab.com/a/b.git@v1',
    );
    assert.equal(withoutCredentials('https://conda.anaconda.org/t/tk-1/private'), 'https://conda.anaconda.org/private');
  });
});
