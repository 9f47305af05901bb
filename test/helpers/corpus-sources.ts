/**
 * A conda channel and a PyPI index made of real metadata from the corpus, for `cvebuild fix` to
 * read on loopback. The corpus holds no conda-forge repodata and no PEP 691 pages for its pixi
 * projects, so:
 *
 * - the channel's repodata is every conda-forge record of every corpus lock (real name, version,
 *   build, subdir, hashes, depends), one repodata.json per subdir;
 * - an index page lists every file of the project the corpus locks hold (real file names and
 *   sha256), plus one wheel per release that the corpus's PyPI advisories name (their `versions`
 *   lists and range events enumerate real releases; no file of those is in the corpus, so the
 *   wheel's name is made from the release and its hash from the name).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileNameOf } from '../../src/conda/url.ts';
import { readInventory } from '../../src/engine/read-project.ts';
import { normalizePypiName, type Package } from '../../src/model/package.ts';
import { manifestLockRows } from './manifest-table.ts';
import { corpus } from './paths.ts';
import type { IndexedFile } from './pypi-index.ts';
import { tempDirectory } from './temp.ts';

const NEGATIVE = /parse-fails\/|forward-compatible-lock/;

let packages: Package[] | undefined;

/** Every package of every (readable) corpus lock. */
export function corpusLockPackages(): Package[] {
  packages ??= manifestLockRows()
    .filter((row) => !NEGATIVE.test(row.path))
    .flatMap((row) => readInventory(corpus(row.path)).packages);
  return packages;
}

/** A channel directory of the corpus's conda-forge records; returns the directory. */
export function writeCorpusCondaForge(): string {
  const dir = tempDirectory();
  const subdirs = new Map<string, { packages: Record<string, unknown>; conda: Record<string, unknown> }>();
  for (const pkg of corpusLockPackages()) {
    if (pkg.ecosystem !== 'conda' || !pkg.url || !/\/conda-forge$/.test(pkg.channel ?? '')) continue;
    const subdir = pkg.subdir ?? pkg.platform;
    const file = fileNameOf(pkg.url);
    const entry = subdirs.get(subdir) ?? { packages: {}, conda: {} };
    subdirs.set(subdir, entry);
    (file.endsWith('.conda') ? entry.conda : entry.packages)[file] = {
      name: pkg.name,
      version: pkg.version,
      build: pkg.build,
      build_number: pkg.buildNumber ?? 0,
      subdir,
      depends: pkg.depends,
      ...(pkg.sha256 ? { sha256: pkg.sha256 } : {}),
      ...(pkg.md5 ? { md5: pkg.md5 } : {}),
      ...(pkg.size ? { size: pkg.size } : {}),
      ...(pkg.timestamp ? { timestamp: pkg.timestamp } : {}),
      ...(pkg.license ? { license: pkg.license } : {}),
      ...(pkg.noarch ? { noarch: pkg.noarch } : {}),
    };
  }
  if (!subdirs.has('noarch')) subdirs.set('noarch', { packages: {}, conda: {} });
  for (const [subdir, entry] of subdirs) {
    mkdirSync(join(dir, subdir), { recursive: true });
    const repodata = { info: { subdir }, packages: entry.packages, 'packages.conda': entry.conda, repodata_version: 1 };
    writeFileSync(join(dir, subdir, 'repodata.json'), JSON.stringify(repodata, null, 1));
  }
  return dir;
}

const ADVISORY_FILES = ['intel/osv-pypi-pysec.jsonl', 'intel/osv-pypi-ghsa.jsonl'];

interface OsvRecord {
  affected?: {
    package?: { ecosystem?: string; name?: string };
    versions?: string[];
    ranges?: { events?: Record<string, string>[] }[];
  }[];
}

/** Releases of each project that the corpus's PyPI advisories name. */
function advisoryReleases(projects: ReadonlySet<string>): Map<string, Set<string>> {
  const releases = new Map<string, Set<string>>();
  for (const file of ADVISORY_FILES) {
    for (const line of readFileSync(corpus(file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const record = JSON.parse(line) as OsvRecord;
      for (const affected of record.affected ?? []) {
        if (affected.package?.ecosystem !== 'PyPI' || !affected.package.name) continue;
        const project = normalizePypiName(affected.package.name);
        if (!projects.has(project)) continue;
        const named = releases.get(project) ?? new Set<string>();
        releases.set(project, named);
        for (const version of affected.versions ?? []) named.add(version);
        for (const range of affected.ranges ?? [])
          for (const event of range.events ?? [])
            for (const version of Object.values(event)) if (version !== '0') named.add(version);
      }
    }
  }
  return releases;
}

/** The files an index page lists for each project (see the module comment). */
export function corpusPypiFiles(projects: readonly string[]): Record<string, IndexedFile[]> {
  const wanted = new Set(projects.map(normalizePypiName));
  const pages: Record<string, IndexedFile[]> = {};
  const listedVersions = new Map<string, Set<string>>();
  for (const pkg of corpusLockPackages()) {
    if (pkg.ecosystem !== 'pypi' || !wanted.has(pkg.normalizedName) || pkg.kind !== 'registry') continue;
    const filename = fileNameOf(pkg.location);
    pages[pkg.normalizedName] ??= [];
    const files = pages[pkg.normalizedName] as IndexedFile[];
    if (files.some((known) => known.filename === filename)) continue;
    files.push({ filename, ...(pkg.sha256 ? { sha256: pkg.sha256 } : {}), uploadTime: null });
    const versions = listedVersions.get(pkg.normalizedName) ?? new Set<string>();
    versions.add(pkg.version);
    listedVersions.set(pkg.normalizedName, versions);
  }
  for (const [project, versions] of advisoryReleases(wanted)) {
    pages[project] ??= [];
    const files = pages[project] as IndexedFile[];
    for (const version of versions) {
      if (listedVersions.get(project)?.has(version)) continue;
      files.push({ filename: `${project.replace(/-/g, '_')}-${version}-py3-none-any.whl`, uploadTime: null });
    }
  }
  return pages;
}
