/**
 * A minimal deflate zip writer for tests (local headers, central directory, end record; no zip64),
 * enough to build an osv.dev-style `all.zip` from real records.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Uint8Array | string;
}

const UTF8_NAMES = 0x0800;
const DEFLATE = 8;
const VERSION = 20;
// 2025-01-01 00:00:00 in MS-DOS date/time: fixed so the archive's bytes are reproducible
const DOS_TIME = 0;
const DOS_DATE = ((2025 - 1980) << 9) | (1 << 5) | 1;

/** Entries sharing one `data` object are compressed once (bombs repeat one large record many times). */
export function zipEntries(entries: Iterable<ZipEntry>): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const packed = new Map<ZipEntry['data'], { compressed: Buffer; crc: number; size: number }>();
  let offset = 0;
  let count = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    let pack = packed.get(entry.data);
    if (!pack) {
      const data = Buffer.from(entry.data);
      pack = { compressed: deflateRawSync(data), crc: crc32(data), size: data.length };
      packed.set(entry.data, pack);
    }
    const { compressed, crc, size } = pack;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION, 4);
    writeCommon(local, 6, crc, compressed.length, size, name.length);
    parts.push(local, name, compressed);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(VERSION, 4);
    header.writeUInt16LE(VERSION, 6);
    writeCommon(header, 8, crc, compressed.length, size, name.length);
    // extra, comment, disk, internal and external attributes stay zero
    header.writeUInt32LE(offset, 42);
    central.push(header, name);

    offset += local.length + name.length + compressed.length;
    count++;
  }
  if (count > 0xffff) throw new Error('zip64 is not supported by this writer');
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

/** The fields local and central headers share, from general-purpose flags to the name length. */
function writeCommon(buffer: Buffer, at: number, crc: number, compressed: number, size: number, nameLength: number) {
  buffer.writeUInt16LE(UTF8_NAMES, at);
  buffer.writeUInt16LE(DEFLATE, at + 2);
  buffer.writeUInt16LE(DOS_TIME, at + 4);
  buffer.writeUInt16LE(DOS_DATE, at + 6);
  buffer.writeUInt32LE(crc, at + 8);
  buffer.writeUInt32LE(compressed, at + 12);
  buffer.writeUInt32LE(size, at + 16);
  buffer.writeUInt16LE(nameLength, at + 20);
}
