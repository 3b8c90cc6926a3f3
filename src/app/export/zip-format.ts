/**
 * The byte layouts of a ZIP archive written as a stream (APPNOTE 6.3.x): names in UTF-8 (bit 11),
 * an entry of unknown size followed by a data descriptor (bit 3), ZIP64 records where a size, an
 * offset or the number of entries outgrows the 32/16-bit fields. What yazl wrote before, byte for
 * byte in the common case, so readers that took those packages take these. Pure: no I/O.
 */

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_RECORD = 0x02014b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const END = 0x06054b50;

const UTF8_NAME = 1 << 11;
const SIZES_FOLLOW = 1 << 3;
const NEEDED_UTF8 = 20;
const NEEDED_ZIP64 = 45;
/** Made by Unix (3), spec 6.3 (63). */
const MADE_BY = (3 << 8) | 63;
/** A regular file, rw-rw-r--, in the high half of the external attributes. */
const FILE_ATTRIBUTES = (0o100664 << 16) >>> 0;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;

export const STORE = 0;
export const DEFLATE = 8;

/** The modification time as DOS fields (local time, as yazl wrote it) and as Unix seconds (UTC). */
export interface ZipTime {
  dosTime: number;
  dosDate: number;
  unixSeconds: number;
}

export function zipTime(mtime: Date): ZipTime {
  const min = new Date(1980, 0, 1);
  const max = new Date(2107, 11, 31, 23, 59, 58);
  const d = mtime < min ? min : mtime > max ? max : mtime;
  const seconds = Math.floor(mtime.getTime() / 1000);
  return {
    dosTime: (Math.floor(d.getSeconds() / 2) | (d.getMinutes() << 5) | (d.getHours() << 11)) & 0xffff,
    dosDate: (d.getDate() | ((d.getMonth() + 1) << 5) | ((d.getFullYear() - 1980) << 9)) & 0xffff,
    unixSeconds: Math.max(-0x80000000, Math.min(0x7fffffff, seconds)),
  };
}

/** A path as an entry name: relative, forward slashes, no `..` (what yazl refused, refused here). */
export function entryName(path: string): Buffer {
  const p = path.replace(/\\/g, "/");
  if (p === "" || p.startsWith("/") || /^[a-zA-Z]:/.test(p)) throw new Error(`not a relative path: ${path}`);
  if (p.split("/").includes("..")) throw new Error(`not a relative path: ${path}`);
  const name = Buffer.from(p, "utf8");
  if (name.length > MAX16) throw new Error("entry name too long");
  return name;
}

/** What the central directory says of one entry once it is written. */
export interface EntryFacts {
  name: Buffer;
  method: number;
  /** Sizes and CRC follow the data (bit 3) rather than being in the local header. */
  sizesFollow: boolean;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

function writeUInt64(buffer: Buffer, n: number, at: number): void {
  buffer.writeUInt32LE(n % 0x100000000, at);
  buffer.writeUInt32LE(Math.floor(n / 0x100000000), at + 4);
}

const needsZip64 = (e: Pick<EntryFacts, "compressed" | "size" | "offset">) =>
  e.size >= MAX32 || e.compressed >= MAX32 || e.offset >= MAX32;

/** The local header; with `known` sizes (small entries, written whole) no data descriptor follows. */
export function localHeader(
  name: Buffer,
  method: number,
  time: ZipTime,
  known?: { crc: number; compressed: number; size: number },
): Buffer {
  const out = Buffer.alloc(30 + name.length);
  out.writeUInt32LE(LOCAL_HEADER, 0);
  out.writeUInt16LE(NEEDED_UTF8, 4);
  out.writeUInt16LE(known ? UTF8_NAME : UTF8_NAME | SIZES_FOLLOW, 6);
  out.writeUInt16LE(method, 8);
  out.writeUInt16LE(time.dosTime, 10);
  out.writeUInt16LE(time.dosDate, 12);
  out.writeUInt32LE(known?.crc ?? 0, 14);
  out.writeUInt32LE(known?.compressed ?? 0, 18);
  out.writeUInt32LE(known?.size ?? 0, 22);
  out.writeUInt16LE(name.length, 26);
  out.writeUInt16LE(0, 28);
  name.copy(out, 30);
  return out;
}

/** The data descriptor after an entry of unknown size: 8-byte sizes where ZIP64 is needed. */
export function dataDescriptor(e: EntryFacts): Buffer {
  const zip64 = needsZip64(e);
  const out = Buffer.alloc(zip64 ? 24 : 16);
  out.writeUInt32LE(DATA_DESCRIPTOR, 0);
  out.writeUInt32LE(e.crc, 4);
  if (zip64) {
    writeUInt64(out, e.compressed, 8);
    writeUInt64(out, e.size, 16);
  } else {
    out.writeUInt32LE(e.compressed, 8);
    out.writeUInt32LE(e.size, 12);
  }
  return out;
}

/** The entry's central directory record, with the Info-ZIP timestamp and ZIP64 fields as needed. */
export function centralRecord(e: EntryFacts, time: ZipTime): Buffer {
  const zip64 = needsZip64(e);
  const extra = 9 + (zip64 ? 28 : 0);
  const out = Buffer.alloc(46 + e.name.length + extra);
  out.writeUInt32LE(CENTRAL_RECORD, 0);
  out.writeUInt16LE(MADE_BY, 4);
  out.writeUInt16LE(zip64 ? NEEDED_ZIP64 : NEEDED_UTF8, 6);
  out.writeUInt16LE(e.sizesFollow ? UTF8_NAME | SIZES_FOLLOW : UTF8_NAME, 8);
  out.writeUInt16LE(e.method, 10);
  out.writeUInt16LE(time.dosTime, 12);
  out.writeUInt16LE(time.dosDate, 14);
  out.writeUInt32LE(e.crc, 16);
  out.writeUInt32LE(zip64 ? MAX32 : e.compressed, 20);
  out.writeUInt32LE(zip64 ? MAX32 : e.size, 24);
  out.writeUInt16LE(e.name.length, 28);
  out.writeUInt16LE(extra, 30);
  out.writeUInt16LE(0, 32); // comment
  out.writeUInt16LE(0, 34); // disk
  out.writeUInt16LE(0, 36); // internal attributes
  out.writeUInt32LE(FILE_ATTRIBUTES, 38);
  out.writeUInt32LE(zip64 ? MAX32 : e.offset, 42);
  let at = 46;
  at += e.name.copy(out, at);
  // Info-ZIP "UT" extended timestamp: modification time (the access-time flag set, as Info-ZIP does).
  out.writeUInt16LE(0x5455, at);
  out.writeUInt16LE(5, at + 2);
  out.writeUInt8(0b11, at + 4);
  out.writeInt32LE(time.unixSeconds, at + 5);
  at += 9;
  if (zip64) {
    out.writeUInt16LE(0x0001, at);
    out.writeUInt16LE(24, at + 2);
    writeUInt64(out, e.size, at + 4);
    writeUInt64(out, e.compressed, at + 12);
    writeUInt64(out, e.offset, at + 20);
  }
  return out;
}

/** The end of the archive: ZIP64 end record and locator where needed, then the classic end record. */
export function endOfArchive(entries: number, directoryOffset: number, directorySize: number): Buffer {
  const zip64 = entries >= MAX16 || directoryOffset >= MAX32 || directorySize >= MAX32;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(zip64 ? MAX16 : entries, 8);
  end.writeUInt16LE(zip64 ? MAX16 : entries, 10);
  end.writeUInt32LE(zip64 ? MAX32 : directorySize, 12);
  end.writeUInt32LE(zip64 ? MAX32 : directoryOffset, 16);
  end.writeUInt16LE(0, 20);
  if (!zip64) return end;
  const record = Buffer.alloc(56);
  record.writeUInt32LE(ZIP64_END, 0);
  writeUInt64(record, 44, 4);
  record.writeUInt16LE(MADE_BY, 12);
  record.writeUInt16LE(NEEDED_ZIP64, 14);
  record.writeUInt32LE(0, 16);
  record.writeUInt32LE(0, 20);
  writeUInt64(record, entries, 24);
  writeUInt64(record, entries, 32);
  writeUInt64(record, directorySize, 40);
  writeUInt64(record, directoryOffset, 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(ZIP64_LOCATOR, 0);
  locator.writeUInt32LE(0, 4);
  writeUInt64(locator, directoryOffset + directorySize, 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([record, locator, end]);
}
