/**
 * The run-time purl reader of data/conda-ecosystems.json, held to packageurl-js: whatever it
 * accepts, packageurl-js reads the same way; every shipped entry is accepted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PackageURL } from 'packageurl-js';
import { CvebuildError } from '../../../src/errors.ts';
import { parseEcosystemMap } from '../../../src/mapping/ecosystem-purl-file.ts';
import { readPlainPurl } from '../../../src/mapping/plain-purl.ts';

const SHIPPED = JSON.parse(readFileSync(new URL('../../../data/conda-ecosystems.json', import.meta.url), 'utf8')) as {
  tools: Record<string, { purl: string }>;
};

/** packageurl-js's reading, in the reader's terms; undefined where it refuses the purl. */
function reference(purl: string) {
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
  const beyondName = parsed.version !== undefined || parsed.qualifiers !== undefined || parsed.subpath !== undefined;
  return { type: parsed.type, namespace: parsed.namespace ?? undefined, name: parsed.name, beyondName };
}

/**
 * Accepted by the reader ⇒ packageurl-js reads the same package, and whatever it reads beyond the
 * name the reader sees too (an empty `?` or `#`, which packageurl-js drops, the reader refuses);
 * refused by packageurl-js ⇒ refused here.
 */
function assertHeldToReference(purl: string): 'accepted' | 'refused' {
  let read: ReturnType<typeof readPlainPurl>;
  try {
    read = readPlainPurl(purl);
  } catch {
    return 'refused';
  }
  const expected = reference(purl);
  assert.ok(expected, `packageurl-js refuses ${purl}`);
  assert.deepEqual({ ...read, beyondName: undefined }, { ...expected, beyondName: undefined }, purl);
  if (expected.beyondName) assert.equal(read.beyondName, true, purl);
  return 'accepted';
}

const ACCEPTED = [
  'pkg:cargo/typos-cli',
  'pkg:cargo/x@1.0',
  'pkg:cargo/x?arch=x86_64',
  'pkg:cargo/x#src/lib',
  'pkg:cargo/x?',
  'pkg:cargo/x#',
  'pkg:cargo/x@',
  'pkg:cargo/x?a=b/c@d',
  'pkg:golang/github.com/cli/cli/v2',
  'pkg:golang/github.com/BurntSushi/toml',
  'pkg:golang/mvdan.cc/sh/v3@v3.12.0',
  'pkg:npm/prettier',
  'pkg:npm/%40biomejs/biome',
  'pkg:npm/%40scope/name@1.2.3',
  'pkg:pypi/x',
];

const REFUSED = [
  'not a purl',
  'pkg:',
  'pkg:cargo',
  'pkg:cargo/',
  'pkg:cargo//x',
  'pkg:/cargo/x',
  'pkg://cargo/x',
  'PKG:cargo/x',
  'pkg:Cargo/x',
  'pkg:9cargo/x',
  'pkg:golang/github.com//x',
  'pkg:golang/github.com/x/',
  'pkg:npm/@scope/name',
  'pkg:npm/%40/name',
  'pkg:npm/%40Scope/name',
  'pkg:npm/Prettier',
  'pkg:npm/%2540x',
  'pkg:npm/a%40b/name',
  'pkg:golang/github.com/%40x/y',
  'pkg:cargo/x%20y',
  'pkg:cargo/x y',
  'pkg:cargo/x\ny',
  'pkg:cargo/ÿ',
  'pkg:cargo/x:y',
  'pkg:cargo/x@1@2',
  'pkg:golang/a@b/c',
];

describe('readPlainPurl', () => {
  it('accepts every purl of the shipped map, reading it as packageurl-js does', () => {
    const purls = Object.values(SHIPPED.tools).map((tool) => tool.purl);
    assert.ok(purls.length >= 20, `${purls.length} purls`);
    for (const purl of purls) {
      assert.equal(assertHeldToReference(purl), 'accepted', purl);
      assert.equal(readPlainPurl(purl).beyondName, false, purl);
    }
  });

  it('reads the plain forms as packageurl-js does, npm scopes decoded', () => {
    for (const purl of ACCEPTED) assert.equal(assertHeldToReference(purl), 'accepted', purl);
    assert.equal(readPlainPurl('pkg:npm/%40biomejs/biome').namespace, '@biomejs');
  });

  it('refuses anything beyond the plain form, including all packageurl-js refuses', () => {
    for (const purl of REFUSED) assert.equal(assertHeldToReference(purl), 'refused', purl);
    for (const purl of [...ACCEPTED, ...REFUSED]) {
      if (reference(purl) === undefined) assert.throws(() => readPlainPurl(purl), Error, purl);
    }
  });

  it('words a refusal as one line naming the map file and the key', () => {
    for (const purl of REFUSED) {
      const tools = { x: { purl, evidence: ['x-feedstock'] } };
      assert.throws(
        () => parseEcosystemMap(JSON.stringify({ tools }), 'map.json'),
        (error: unknown) => {
          assert.ok(error instanceof CvebuildError);
          assert.equal(error.code, 'DATA_INVALID');
          assert.equal(error.location.file, 'map.json');
          assert.equal(error.location.key, 'tools.x.purl');
          assert.ok(!error.message.includes('\n'), JSON.stringify(error.message));
          return true;
        },
        purl,
      );
    }
  });
});
