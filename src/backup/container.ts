import crypto from 'node:crypto';
import zlib from 'node:zlib';

/**
 * The backup file: a header in the clear, then the contents, gzipped and sealed with AES-256-GCM.
 *
 *   "LANTERN-BACKUP\n"  (15 bytes)
 *   version             (1 byte, 1)
 *   header length       (uint32, big-endian)
 *   header              (JSON: kind, created, migration, salt, iv, key check)
 *   ciphertext
 *   tag                 (16 bytes)
 *
 * The file key is HKDF-SHA256 of LANTERN_BACKUP_KEY with the header's random salt, so no two files
 * share a key and IV. Everything before the ciphertext is the associated data: a changed header, a
 * changed or missing byte anywhere fails the tag, and nothing is restored. The key check (an HMAC of
 * a fixed text under the key) tells a wrong key apart from a damaged file, and reveals nothing but
 * whether two files were made with the same key.
 *
 * The contents are named files (the database and the secrets kept in the data folder), each whole:
 * uint32 manifest length, manifest JSON ([{name, size}]), then the files' bytes in order.
 */
const magic = Buffer.from('LANTERN-BACKUP\n', 'utf8');
const version = 1;
const tagLength = 16;
const maxHeader = 64 * 1024;

/** A backup refused: exit code 2 for a key problem (missing, wrong), 1 for a file that is not a sound backup. */
export class BackupRefusal extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

export interface BackupHeader {
  kind: 'embedded' | 'server';
  created: string;
  migration: string | null;
  lantern: string;
}

interface SealedHeader extends BackupHeader {
  cipher: 'aes-256-gcm';
  kdf: 'hkdf-sha256';
  salt: string;
  iv: string;
  keyCheck: string;
}

export interface BackupFile {
  name: string;
  data: Buffer;
}

const keyCheck = (key: Buffer) => crypto.createHmac('sha256', key).update('lantern backup key check v1').digest().subarray(0, 16).toString('base64');
const fileKey = (key: Buffer, salt: Buffer) => Buffer.from(crypto.hkdfSync('sha256', key, salt, 'lantern backup v1', 32));

export function sealBackup(key: Buffer, header: BackupHeader, files: BackupFile[]): Buffer {
  const manifest = Buffer.from(JSON.stringify(files.map((f) => ({ name: f.name, size: f.data.length }))), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(manifest.length);
  const plain = zlib.gzipSync(Buffer.concat([length, manifest, ...files.map((f) => f.data)]));
  const salt = crypto.randomBytes(16);
  const iv = crypto.randomBytes(12);
  const sealed: SealedHeader = {
    ...header,
    cipher: 'aes-256-gcm',
    kdf: 'hkdf-sha256',
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    keyCheck: keyCheck(key),
  };
  const headerBytes = Buffer.from(JSON.stringify(sealed), 'utf8');
  const headerLength = Buffer.alloc(4);
  headerLength.writeUInt32BE(headerBytes.length);
  const aad = Buffer.concat([magic, Buffer.from([version]), headerLength, headerBytes]);
  const cipher = crypto.createCipheriv('aes-256-gcm', fileKey(key, salt), iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([aad, body, cipher.getAuthTag()]);
}

const damaged = (why: string) => new BackupRefusal(`this is not a sound Lantern backup (${why}); nothing was restored`, 1);

/** The header alone (no key needed): what kind of backup a file is. */
export function readBackupHeader(file: Buffer): { header: SealedHeader; aadLength: number } {
  if (file.length < magic.length + 5 || !file.subarray(0, magic.length).equals(magic)) throw damaged('it does not start as one');
  if (file[magic.length] !== version) throw damaged(`version ${file[magic.length]}, this Lantern reads version ${version}`);
  const headerLength = file.readUInt32BE(magic.length + 1);
  const start = magic.length + 5;
  if (headerLength > maxHeader || start + headerLength + tagLength > file.length) throw damaged('it is cut short');
  let header: SealedHeader;
  try {
    header = JSON.parse(file.subarray(start, start + headerLength).toString('utf8')) as SealedHeader;
  } catch {
    throw damaged('its header is unreadable');
  }
  if (header.cipher !== 'aes-256-gcm' || header.kdf !== 'hkdf-sha256' || typeof header.salt !== 'string' || typeof header.iv !== 'string') {
    throw damaged('its header is unreadable');
  }
  return { header, aadLength: start + headerLength };
}

/** Checks the key and the tag, then gives the files; a wrong key is exit 2, anything else amiss exit 1. */
export function openBackup(key: Buffer, file: Buffer): { header: BackupHeader; files: BackupFile[] } {
  const { header, aadLength } = readBackupHeader(file);
  const expected = Buffer.from(keyCheck(key));
  const given = Buffer.from(String(header.keyCheck));
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    throw new BackupRefusal('LANTERN_BACKUP_KEY is not the key this backup was made with; nothing was restored', 2);
  }
  const decipher = crypto.createDecipheriv('aes-256-gcm', fileKey(key, Buffer.from(header.salt, 'base64')), Buffer.from(header.iv, 'base64'));
  decipher.setAAD(file.subarray(0, aadLength));
  decipher.setAuthTag(file.subarray(file.length - tagLength));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(file.subarray(aadLength, file.length - tagLength)), decipher.final()]);
  } catch {
    throw damaged('it has been altered or cut short: its authentication tag does not match');
  }
  const payload = zlib.gunzipSync(plain);
  const manifestLength = payload.readUInt32BE(0);
  const manifest = JSON.parse(payload.subarray(4, 4 + manifestLength).toString('utf8')) as { name: string; size: number }[];
  let offset = 4 + manifestLength;
  const files = manifest.map(({ name, size }) => {
    const data = payload.subarray(offset, offset + size);
    offset += size;
    return { name, data };
  });
  const { kind, created, migration, lantern } = header;
  return { header: { kind, created, migration, lantern }, files };
}
