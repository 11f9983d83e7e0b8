import zlib from 'node:zlib';
import { accepted, refused, type UploadResult, type ZipLimits } from './limits.ts';

/**
 * Checks a zip archive (an XLSX file) from its central directory, before any library inflates it:
 * how many parts, their sizes once inflated and how far each inflates. Then inflateZip inflates each
 * part with its declared size as a hard ceiling, so a directory that lies cannot make a part bigger.
 * The zip libraries Lantern has (through exceljs) inflate first and compare sizes afterwards, which
 * is too late for a zip bomb; reading the directory is the few lines below.
 */

export interface ZipEntry {
  name: string;
  method: number;
  compressedBytes: number;
  inflatedBytes: number;
  localHeaderOffset: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  inflatedBytes: number;
}

const eocdSignature = 0x06054b50;
const zip64LocatorSignature = 0x07064b50;
const zip64EocdSignature = 0x06064b50;
const centralSignature = 0x02014b50;
const localSignature = 0x04034b50;
/** Parts smaller than this may inflate as far as they like: a bomb needs size. */
const ratioFloorBytes = 64 * 1024;

export const isZip = (content: Uint8Array) => content.length >= 4 && content[0] === 0x50 && content[1] === 0x4b && content[2] === 0x03 && content[3] === 0x04;

const unreadable = () => refused<never>({ reason: 'unreadable' });

function readUint64(buffer: Buffer, at: number): number {
  const value = buffer.readBigUInt64LE(at);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** The zip64 extended information of a central directory entry: the fields that were 0xFFFFFFFF, in order. */
function zip64Sizes(extra: Buffer, wanted: { inflated: boolean; compressed: boolean; offset: boolean }) {
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const size = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const next = () => {
        if (field + 8 > at + 4 + size || field + 8 > extra.length) return null;
        const v = readUint64(extra, field);
        field += 8;
        return v;
      };
      return { inflated: wanted.inflated ? next() : 0, compressed: wanted.compressed ? next() : 0, offset: wanted.offset ? next() : 0 };
    }
    at += 4 + size;
  }
  return null;
}

export function readZipDirectory(content: Uint8Array, limits: ZipLimits): UploadResult<ZipDirectory> {
  const buffer = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  if (!isZip(buffer) || buffer.length < 22) return unreadable();
  // The end-of-directory record is the last 22 bytes, or earlier by a comment of up to 65,535 bytes.
  let eocd = -1;
  for (let at = buffer.length - 22; at >= Math.max(0, buffer.length - 22 - 0xffff); at--) {
    if (buffer.readUInt32LE(at) === eocdSignature) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) return unreadable();
  let count = buffer.readUInt16LE(eocd + 10);
  let directorySize = buffer.readUInt32LE(eocd + 12);
  let directoryOffset = buffer.readUInt32LE(eocd + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || buffer.readUInt32LE(locator) !== zip64LocatorSignature) return unreadable();
    const record = readUint64(buffer, locator + 8);
    if (record + 56 > buffer.length || buffer.readUInt32LE(record) !== zip64EocdSignature) return unreadable();
    count = readUint64(buffer, record + 32);
    directorySize = readUint64(buffer, record + 40);
    directoryOffset = readUint64(buffer, record + 48);
  }
  if (count > limits.maxZipEntries) return refused({ reason: 'tooComplex' });
  if (directoryOffset + directorySize > buffer.length) return unreadable();

  const entries: ZipEntry[] = [];
  let inflatedBytes = 0;
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > buffer.length || buffer.readUInt32LE(at) !== centralSignature) return unreadable();
    const method = buffer.readUInt16LE(at + 10);
    let compressedBytes = buffer.readUInt32LE(at + 20);
    let entryInflated = buffer.readUInt32LE(at + 24);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    let localHeaderOffset = buffer.readUInt32LE(at + 42);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > buffer.length) return unreadable();
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    const wanted = { inflated: entryInflated === 0xffffffff, compressed: compressedBytes === 0xffffffff, offset: localHeaderOffset === 0xffffffff };
    if (wanted.inflated || wanted.compressed || wanted.offset) {
      const big = zip64Sizes(buffer.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength), wanted);
      if (!big || big.inflated === null || big.compressed === null || big.offset === null) return unreadable();
      if (wanted.inflated) entryInflated = big.inflated;
      if (wanted.compressed) compressedBytes = big.compressed;
      if (wanted.offset) localHeaderOffset = big.offset;
    }
    if (method !== 0 && method !== 8) return unreadable();
    inflatedBytes += entryInflated;
    if (inflatedBytes > limits.maxInflatedBytes) return refused({ reason: 'inflatesTooMuch', maxBytes: limits.maxInflatedBytes });
    if (entryInflated > ratioFloorBytes && entryInflated > limits.maxInflateRatio * Math.max(compressedBytes, 1)) {
      return refused({ reason: 'inflatesTooMuch', maxBytes: limits.maxInflatedBytes });
    }
    entries.push({ name, method, compressedBytes, inflatedBytes: entryInflated, localHeaderOffset });
    at = end;
  }
  return accepted({ entries, inflatedBytes });
}

/**
 * Inflates every part of a checked archive. A part may not inflate past the size its directory entry
 * declares (zlib stops at maxOutputLength), and must come out exactly that size.
 */
export function inflateZip(content: Uint8Array, directory: ZipDirectory): UploadResult<Map<string, Buffer>> {
  const buffer = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const parts = new Map<string, Buffer>();
  for (const entry of directory.entries) {
    const at = entry.localHeaderOffset;
    if (at + 30 > buffer.length || buffer.readUInt32LE(at) !== localSignature) return unreadable();
    const start = at + 30 + buffer.readUInt16LE(at + 26) + buffer.readUInt16LE(at + 28);
    if (start + entry.compressedBytes > buffer.length) return unreadable();
    const data = buffer.subarray(start, start + entry.compressedBytes);
    let inflated: Buffer;
    try {
      inflated = entry.method === 0 ? data : zlib.inflateRawSync(data, { maxOutputLength: Math.max(entry.inflatedBytes, 1) });
    } catch {
      return unreadable();
    }
    if (inflated.length !== entry.inflatedBytes) return unreadable();
    if (!entry.name.endsWith('/')) parts.set(entry.name.replace(/^\//, ''), inflated);
  }
  return accepted(parts);
}
