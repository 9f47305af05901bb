/**
 * Builds small package archives in tests: ustar tar bytes (with pax records when asked), `.conda`
 * zips around zstd-compressed info/pkg tars (via test/helpers/zip-writer.ts), so every edge case
 * the readers must refuse can be made exactly.
 */
import { zstdCompressSync } from 'node:zlib';
import { type ZipEntry, zipEntries } from '../../helpers/zip-writer.ts';

export interface TarItem {
  name: string;
  data?: string | Uint8Array;
  /** ustar typeflag: '0' file (default), '2' symlink, '5' directory, 'x' pax record. */
  type?: string;
  linkname?: string;
  mode?: number;
  /** A pax `path` record written before this entry (for names longer than ustar allows). */
  paxPath?: string;
  /** More pax records for this entry, written before `path`. */
  paxRecords?: [key: string, value: string][];
}

export function tarBytes(items: TarItem[], { endMarker = true }: { endMarker?: boolean } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const item of items) {
    if (item.paxPath !== undefined || item.paxRecords !== undefined) {
      const records = [...(item.paxRecords ?? []), ...(item.paxPath !== undefined ? [['path', item.paxPath]] : [])];
      const body = Buffer.concat(records.map(([key, value]) => paxRecord(key as string, value as string)));
      blocks.push(header({ name: 'PaxHeader', type: 'x' }, body.length), pad(body));
    }
    const data = Buffer.from(item.data ?? '');
    blocks.push(header(item, data.length), pad(data));
  }
  if (endMarker) blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function header(item: TarItem, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(item.name.slice(0, 100), 0, 'utf8');
  block.write(octal(item.mode ?? 0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(0, 12), 136, 'ascii');
  block.write(item.type ?? '0', 156, 'ascii');
  if (item.linkname) block.write(item.linkname, 157, 'utf8');
  block.write('ustar\u000000', 257, 'ascii');
  block.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'ascii');
  return block;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\u0000`;
}

function pad(data: Buffer): Buffer {
  const rest = (512 - (data.length % 512)) % 512;
  return Buffer.concat([data, Buffer.alloc(rest)]);
}

export function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return Buffer.from(`${length}${body}`);
}

export interface CondaParts {
  /** `name-version-build`, used for the member names. */
  stem: string;
  info: TarItem[];
  pkg?: TarItem[];
  metadata?: boolean;
  /** A directory every member is nested under (re-zipped packages). */
  nestUnder?: string;
  extra?: ZipEntry[];
}

export function condaBytes({ stem, info, pkg, metadata = true, nestUnder = '', extra = [] }: CondaParts): Buffer {
  const members: ZipEntry[] = [];
  if (metadata) members.push({ name: `${nestUnder}metadata.json`, data: '{"conda_pkg_format_version": 2}' });
  if (pkg) members.push({ name: `${nestUnder}pkg-${stem}.tar.zst`, data: zstdCompressSync(tarBytes(pkg)) });
  members.push({ name: `${nestUnder}info-${stem}.tar.zst`, data: zstdCompressSync(tarBytes(info)) });
  return zipEntries([...members, ...extra]);
}

export const INDEX_JSON = (name: string) =>
  JSON.stringify({ name, version: '1.0', build: '0', build_number: 0, subdir: 'noarch', noarch: 'generic' });
