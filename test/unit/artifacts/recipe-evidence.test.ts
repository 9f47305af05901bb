/** Backport evidence read from real package archives and extracted package directories. */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { archiveRecipeEvidence, packageDirRecipeEvidence } from '../../../src/artifacts/recipe-evidence.ts';
import { assertCvebuildErrorAsync } from '../../helpers/errors.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';
import { condaBytes, type TarItem } from './archive-builder.ts';
import { COUNTED, condaBuildItems, NOT_COUNTED, rattlerBuildItems, ZLIB } from './backport-fixtures.ts';

function conda(stem: string, items: { info: TarItem[]; pkg: TarItem[] }): string {
  return writeTemp(`${stem}.conda`, condaBytes({ stem, ...items }));
}

/** An extracted package, as conda leaves it in pkgs/. */
function extracted(items: { info: TarItem[]; pkg: TarItem[] }): string {
  const dir = join(tempDirectory(), 'pkgs', 'libzlib-1.2.11-hbp_0');
  for (const item of [...items.info, ...items.pkg]) {
    const path = join(dir, item.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, item.data ?? '');
  }
  return dir;
}

const ids = (evidence: { claims: Map<string, unknown> } | undefined) => [...(evidence?.claims.keys() ?? [])].sort();

describe('backport evidence in package archives', () => {
  for (const [layout, items] of [
    ['conda-build', condaBuildItems],
    ['rattler-build', rattlerBuildItems],
  ] as const) {
    it(`${layout}: counts the CVEs applied patches name, and nothing named elsewhere`, async () => {
      const evidence = await archiveRecipeEvidence(conda('libzlib-1.2.11-hbp_0', items('hbp_0')));
      assert.deepEqual(ids(evidence), [...COUNTED].sort());
      for (const id of NOT_COUNTED) assert.equal(evidence.claims.has(id), false, id);
      assert.deepEqual(evidence.applied, [
        'patches/0002-inflate-extra.patch',
        'patches/0003-inffast.patch',
        'patches/CVE-2018-25032.patch',
      ]);
      assert.deepEqual(evidence.claims.get('CVE-2018-25032'), [
        {
          id: 'CVE-2018-25032',
          how: 'file-name',
          patch: 'info/recipe/patches/CVE-2018-25032.patch',
          file: 'info/recipe/patches/CVE-2018-25032.patch',
          line: 'patches/CVE-2018-25032.patch',
        },
      ]);
      assert.deepEqual(evidence.claims.get('CVE-2022-37434'), [
        {
          id: 'CVE-2022-37434',
          how: 'patch-header',
          patch: 'info/recipe/patches/0002-inflate-extra.patch',
          file: 'info/recipe/patches/0002-inflate-extra.patch',
          line: 'Backport of the upstream fix for CVE-2022-37434 (heap buffer over-read).',
          lineNumber: 4,
        },
      ]);
      const [comment] = evidence.claims.get('CVE-2016-9842') ?? [];
      assert.equal(comment?.how, 'recipe-comment');
      assert.equal(comment?.patch, 'info/recipe/patches/0003-inffast.patch');
      assert.equal(
        comment?.file,
        layout === 'conda-build' ? 'info/recipe/meta.yaml.template' : 'info/recipe/recipe.yaml',
      );
      assert.equal(comment?.line, '# backport of the fix for CVE-2016-9842 (undefined left shift)');
    });
  }

  it('reads a .tar.bz2 the same way', async () => {
    const evidence = await archiveRecipeEvidence(fixture('archives/libzlib-1.2.11-hbp_patched_0.tar.bz2'));
    assert.deepEqual(ids(evidence), [...COUNTED].sort());
    const plain = await archiveRecipeEvidence(fixture('archives/libzlib-1.2.11-hbp_plain_0.tar.bz2'));
    assert.deepEqual(ids(plain), ['CVE-2016-9842', 'CVE-2022-37434']);
  });

  it('claims nothing without a rendered recipe: which patches were applied is unknown', async () => {
    const { info, pkg } = condaBuildItems('hbp_0');
    const unrendered = info.filter((item) => item.name !== 'info/recipe/meta.yaml');
    const evidence = await archiveRecipeEvidence(conda('libzlib-1.2.11-hbp_0', { info: unrendered, pkg }));
    assert.deepEqual(ids(evidence), []);
    assert.match(evidence.notes.join('\n'), /no rendered recipe/);
  });

  it('does not count a listed patch the package does not hold', async () => {
    const { info, pkg } = condaBuildItems('hbp_0');
    const missing = info.filter((item) => item.name !== 'info/recipe/patches/CVE-2018-25032.patch');
    const evidence = await archiveRecipeEvidence(conda('libzlib-1.2.11-hbp_0', { info: missing, pkg }));
    assert.equal(evidence.claims.has('CVE-2018-25032'), false);
    assert.match(evidence.notes.join('\n'), /patches\/CVE-2018-25032\.patch is listed .* but not in info\/recipe/);
  });

  it('stays bounded on a hostile recipe: a huge patch is read only to its limit', async () => {
    const { info, pkg } = condaBuildItems('hbp_0');
    const huge = `${'Subject: padding\n'.repeat(8000)}Fixes CVE-2099-0001\n--- a/x\n+++ b/x\n`;
    const hostile = info.map((item) =>
      item.name.endsWith('0002-inflate-extra.patch') ? { ...item, data: `${huge}${item.data}` } : item,
    );
    const evidence = await archiveRecipeEvidence(conda('libzlib-1.2.11-hbp_0', { info: hostile, pkg }));
    // the CVE lies past the 64 KiB read of the header: not seen, not claimed
    assert.equal(evidence.claims.has('CVE-2099-0001'), false);
    assert.equal(evidence.claims.has('CVE-2018-25032'), true);
  });

  it('refuses a recipe of more files than the selection limit, with one line naming the archive', async () => {
    const { info, pkg } = condaBuildItems('hbp_0');
    const many = Array.from({ length: 60 }, (_, n) => ({ name: `info/recipe/patches/p${n}.patch`, data: 'x' }));
    const path = conda('libzlib-1.2.11-hbp_0', { info: [...info, ...many], pkg });
    await assertCvebuildErrorAsync(
      () => archiveRecipeEvidence(path, { maxSelected: 50 }),
      'ARCHIVE_BOMB',
      'limit maxSelected',
    );
    await assertCvebuildErrorAsync(() => archiveRecipeEvidence(path, { maxEntries: 20 }), 'ARCHIVE_BOMB', 'maxEntries');
  });

  it('never reads the payload of a .conda: a damaged pkg member does not matter', async () => {
    const stem = 'libzlib-1.2.11-hbp_0';
    const { info } = condaBuildItems('hbp_0');
    const bytes = condaBytes({ stem, info, extra: [{ name: `pkg-${stem}.tar.zst`, data: 'not zstd' }] });
    const evidence = await archiveRecipeEvidence(writeTemp(`${stem}.conda`, bytes));
    assert.deepEqual(ids(evidence), [...COUNTED].sort());
  });
});

describe('backport evidence in an extracted package', () => {
  it('reads pkgs/<dist>/info/recipe when its index.json names the package', () => {
    const dir = extracted(condaBuildItems('hbp_0'));
    const evidence = packageDirRecipeEvidence(dir, { ...ZLIB, build: 'hbp_0' });
    assert.deepEqual(ids(evidence), [...COUNTED].sort());
    assert.equal(evidence?.source, dir);
  });

  it('is no evidence for another build, or where nothing is extracted', () => {
    const dir = extracted(condaBuildItems('hbp_0'));
    assert.equal(packageDirRecipeEvidence(dir, { ...ZLIB, build: 'hother_0' }), undefined);
    assert.equal(packageDirRecipeEvidence(join(dir, 'nowhere'), { ...ZLIB, build: 'hbp_0' }), undefined);
  });

  it('does not follow a symlinked patch out of the package', () => {
    const { info, pkg } = condaBuildItems('hbp_0', { withFix: false });
    const dir = extracted({ info, pkg });
    const outside = writeTemp('CVE-2018-25032.patch', 'Subject: CVE-2018-25032\n');
    symlinkSync(outside, join(dir, 'info/recipe/patches/CVE-2018-25032.patch'));
    const meta = join(dir, 'info/recipe/meta.yaml');
    writeFileSync(
      meta,
      condaBuildItems('hbp_0')
        .info.find((item) => item.name === 'info/recipe/meta.yaml')
        ?.data?.toString() ?? '',
    );
    const evidence = packageDirRecipeEvidence(dir, { ...ZLIB, build: 'hbp_0' });
    assert.equal(evidence?.claims.has('CVE-2018-25032'), false);
  });
});
