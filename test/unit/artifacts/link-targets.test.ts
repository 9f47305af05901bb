import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPackageArchive } from '../../../src/artifacts/archive.ts';
import type { ArchiveEntry } from '../../../src/artifacts/entries.ts';
import { ArchiveTree, escapingLinks } from '../../../src/artifacts/link-targets.ts';
import { listing } from '../../helpers/archive-entries.ts';
import { writeTemp } from '../../helpers/temp.ts';
import { condaBytes } from './archive-builder.ts';

type Shorthand = [path: string, type: ArchiveEntry['type'], target?: string];

function treeOf(items: Shorthand[]): { tree: ArchiveTree; entries: ArchiveEntry[] } {
  const entries = items.map(
    ([path, type, linkTarget]): ArchiveEntry => ({
      path,
      type,
      size: 0,
      mode: 0o644,
      member: 'pkg',
      ...(linkTarget === undefined ? {} : { linkTarget }),
    }),
  );
  return { tree: new ArchiveTree(entries), entries };
}

const escaping = (items: Shorthand[]) => {
  const { tree, entries } = treeOf(items);
  return escapingLinks(tree, entries).map(({ path, reason }) => `${path}: ${reason}`);
};

describe('link targets in an archive', () => {
  it('finds symlinks and hardlinks that leave the package root, however they are written', () => {
    assert.deepEqual(
      escaping([
        ['etc', 'symlink', '/etc'],
        ['ssh', 'symlink', '../../../root/.ssh'],
        ['win', 'symlink', 'C:\\Windows'],
        ['back', 'symlink', 'lib\\..\\..\\x'],
        ['shadow', 'hardlink', '/etc/shadow'],
        ['up', 'hardlink', '../outside'],
      ]),
      [
        'etc: absolute target /etc',
        'ssh: climbs out of the package root with ..',
        'win: absolute target C:\\Windows',
        'back: climbs out of the package root with ..',
        'shadow: absolute target /etc/shadow',
        'up: climbs out of the package root with ..',
      ],
    );
  });

  it('resolves through other links, so no single harmless-looking target hides an escape', () => {
    assert.deepEqual(
      escaping([
        ['here', 'symlink', '.'],
        ['x', 'symlink', 'here/..'], // "here/.." looks like ".", but here is the root: .. leaves it
        ['d', 'symlink', '/etc'],
        ['y', 'symlink', 'd/passwd'], // relative, but through d
        ['h', 'hardlink', 'd/shadow'], // a hardlink's target is resolved through symlinked directories too
      ]),
      [
        'x: climbs out of the package root with ..',
        'd: absolute target /etc',
        'y: through d, absolute target /etc',
        'h: through d, absolute target /etc',
      ],
    );
  });

  it('leaves links that stay inside alone, and does not loop on cycles', () => {
    assert.deepEqual(
      escaping([
        ['lib/libz.so', 'symlink', 'libz.so.1'],
        ['lib/libz.so.1', 'file'],
        ['lib/python3.12/site-packages/x', 'symlink', '../../../share/x'],
        ['share/x', 'file'],
        ['bin/python', 'hardlink', 'bin/python3.12'],
        ['a', 'symlink', 'b'],
        ['b', 'symlink', 'a'],
        ['sub', 'directory'],
        ['alias', 'symlink', 'sub'],
        ['alias/up', 'symlink', '../lib'], // from sub/, so lib/
      ]),
      [],
    );
  });

  it('finds the file a link stands for, or says why there is none', () => {
    const { tree } = treeOf([
      ['share/real.sh', 'file'],
      ['bin/one', 'symlink', '../share/real.sh'],
      ['bin/two', 'symlink', 'one'],
      ['bin/hard', 'hardlink', 'bin/two'],
      ['bin/out', 'symlink', '/tmp/x'],
      ['bin/dangling', 'symlink', 'nowhere'],
      ['bin/loop', 'symlink', 'loop'],
      ['tools', 'symlink', 'share'],
    ]);
    const behind = (path: string) => {
      const result = tree.fileBehind(path);
      return 'file' in result ? result.file.path : result.reason;
    };
    assert.equal(behind('bin/hard'), 'share/real.sh');
    assert.equal(behind('tools/real.sh'), 'share/real.sh');
    assert.match(behind('bin/out'), /leaves the package \(through bin\/out, absolute target \/tmp\/x\)/);
    assert.equal(behind('bin/dangling'), 'bin/nowhere is not in the package');
    assert.equal(behind('bin/loop'), 'a loop of symlinks');
  });

  it('reads link targets and types from an archive', async () => {
    const path = writeTemp(
      'links-1.0-0.conda',
      condaBytes({
        stem: 'links-1.0-0',
        info: [],
        pkg: [
          { name: 'etc', type: '2', linkname: '/etc' },
          { name: 'lib/x', type: '1', linkname: '../../x' },
        ],
      }),
    );
    const { entries, options } = listing();
    await readPackageArchive(path, options);
    assert.deepEqual(
      escapingLinks(new ArchiveTree(entries), entries).map(({ path, type, target }) => [path, type, target]),
      [
        ['etc', 'symlink', '/etc'],
        ['lib/x', 'hardlink', '../../x'],
      ],
    );
  });
});
