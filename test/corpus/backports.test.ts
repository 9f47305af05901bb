/**
 * Backports on real archives: none of the corpus's packages patches a CVE, so none may yield a
 * fixed-in-build claim; and the zlib 1.2.11 builds, whose info/recipe holds a rendered meta.yaml
 * and no patch, must be read (not skipped) and still fail the gate on a zlib CVE.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { archiveRecipeEvidence, infoMemberRecipeEvidence } from '../../src/artifacts/recipe-evidence.ts';
import { fetchCondaInfoMember } from '../../src/artifacts/remote-info.ts';
import { download } from '../../src/net/download.ts';
import { runCli } from '../helpers/cli.ts';
import { corpus, fixture, hasCorpus } from '../helpers/paths.ts';
import { startRangeServer } from '../helpers/range-server.ts';
import { tempDirectory } from '../helpers/temp.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';

function archivesUnder(top: string): string[] {
  if (!hasCorpus) return [];
  return readdirSync(corpus(top), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(conda|tar\.bz2)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const ZLIB = ['zlib-1.2.11-h62dcd97_3.tar.bz2', 'zlib-1.2.11-h7b6447c_3.tar.bz2', 'zlib-1.2.11-h7b6447c_3.conda'];

describe('backports on the corpus archives', { skip: SKIP }, () => {
  it('the zlib 1.2.11 builds: their rendered recipe is read, applies no patch, and claims nothing', async () => {
    for (const name of ZLIB) {
      const evidence = await archiveRecipeEvidence(corpus(`packages/conda/${name}`));
      assert.deepEqual(evidence.applied, [], name);
      assert.deepEqual([...evidence.claims.keys()], [], name);
      assert.deepEqual(evidence.notes, [], `${name}: the recipe was looked at`);
    }
  });

  it('no archive of the corpus claims a fix', async () => {
    const archives = [...archivesUnder('packages'), ...archivesUnder('channels')];
    assert.ok(archives.length >= 20, `${archives.length} archives`);
    let read = 0;
    for (const archive of archives) {
      let evidence: Awaited<ReturnType<typeof archiveRecipeEvidence>>;
      try {
        evidence = await archiveRecipeEvidence(archive);
      } catch (error) {
        // the corpus keeps damaged and hostile archives on purpose: refused, never a claim
        assert.match(String((error as { code?: string }).code), /^ARCHIVE_/, archive);
        continue;
      }
      read++;
      assert.deepEqual([...evidence.claims.keys()], [], archive);
    }
    assert.ok(read >= 10, `${read} read`);
  });

  it('the real zlib .conda read from a channel by Range requests: its info member only, no claim', async () => {
    const name = 'zlib-1.2.11-h7b6447c_3.conda';
    const bytes = readFileSync(corpus(`packages/conda/${name}`));
    const server = await startRangeServer(name, bytes);
    try {
      const url = `${server.origin}/ranged/linux-64/${name}`;
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const member = await fetchCondaInfoMember({ url, sha256, cacheDir: tempDirectory(), http: download });
      const fetched = server.served.reduce((sum, { bytes: served }) => sum + served, 0);
      // the 98 KB payload member is never asked for
      assert.ok(fetched < 64 * 1024 + 7226 + 64, `${fetched} bytes fetched`);
      const evidence = await infoMemberRecipeEvidence(member, url);
      assert.deepEqual(evidence.notes, []);
      assert.deepEqual([...evidence.claims.keys()], []);
      const local = await archiveRecipeEvidence(corpus(`packages/conda/${name}`));
      assert.deepEqual(evidence.applied, local.applied);
    } finally {
      await server.close();
    }
  });

  it('a real zlib 1.2.11 build still fails the gate on a zlib CVE it does not patch', () => {
    const { status, stdout, stderr } = runCli([
      'gate',
      corpus('packages/conda/zlib-1.2.11-h7b6447c_3.tar.bz2'),
      '--db',
      fixture('backports/intel'),
      '--now',
      '2026-11-22T12:00:00Z',
      '--offline',
      '--checks',
      'vulnerability',
      '--format',
      'json',
    ]);
    assert.equal(status, 1, stderr);
    const document = JSON.parse(stdout);
    const finding = document.findings.find((f: { id: string }) => f.id === 'CVE-2018-25032');
    assert.equal(finding?.blocking, true);
    assert.equal(finding?.fixedInBuild, null);
    assert.equal(document.summary.fixedInBuild, 0);
  });
});
