/**
 * Real conda archives from a staged prefix, packed by Debian's conda-package-handling (`cph
 * create`), the producer conda itself uses: tests of the artifact checks read what a real build
 * writes, not archives the tests assembled byte by byte.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDirectory } from './temp.ts';

export const hasCph = spawnSync('cph', ['--version'], { encoding: 'utf8' }).status === 0;

export interface StagedFile {
  data?: string | Uint8Array;
  mode?: number;
  /** A symlink with this target instead of a file. */
  symlink?: string;
}

/**
 * Stages `files` (paths relative to the prefix, `info/` included) and packs them as
 * `<name>-<version>-<build>.conda` and `.tar.bz2` in a fresh directory.
 */
export function cphArchives(
  identity: { name: string; version?: string; build?: string },
  files: Record<string, StagedFile>,
): { dir: string; conda: string; tarBz2: string } {
  const { name, version = '1.0', build = '0' } = identity;
  const prefix = join(tempDirectory(), 'prefix');
  const staged: Record<string, StagedFile> = {
    'info/index.json': {
      data: JSON.stringify({ name, version, build, build_number: 0, subdir: 'linux-64', depends: [] }),
    },
    ...files,
  };
  for (const [path, file] of Object.entries(staged)) {
    const target = join(prefix, path);
    mkdirSync(dirname(target), { recursive: true });
    if (file.symlink !== undefined) symlinkSync(file.symlink, target);
    else {
      writeFileSync(target, file.data ?? '');
      chmodSync(target, file.mode ?? 0o644);
    }
  }
  const dir = tempDirectory();
  const stem = `${name}-${version}-${build}`;
  for (const extension of ['.conda', '.tar.bz2']) {
    execFileSync('cph', ['create', prefix, join(dir, `${stem}${extension}`)], { stdio: 'pipe' });
  }
  return { dir, conda: join(dir, `${stem}.conda`), tarBz2: join(dir, `${stem}.tar.bz2`) };
}

/** A fake ELF shared object: the magic, some bytes, then each string NUL-terminated. */
export function fakeElf(...strings: string[]): Buffer {
  return Buffer.concat([
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
    Buffer.alloc(56),
    ...strings.map((text) => Buffer.from(`\0${text}\0`, 'latin1')),
  ]);
}
