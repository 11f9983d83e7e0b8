import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The Ed25519 key that signs audit anchors (src/audit/anchor.ts). The database never holds it.
 * The private key is given as a PKCS#8 PEM or as its 32-byte seed in hex or base64(url); the public
 * key, which is all that checking anchors needs, as an SPKI PEM or its 32 raw bytes likewise.
 */
export interface AnchorKeys {
  /** Null when only the public key is configured: such a process can check anchors, not write them. */
  signing: KeyObject | null;
  verifying: KeyObject;
  /** Names the key in each anchor line, so a line signed with another key is reported as such. */
  fingerprint: string;
}

// DER prefixes that wrap a raw Ed25519 seed (PKCS#8) and a raw public key (SPKI), RFC 8410.
const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

function raw32(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return Buffer.from(t, 'base64url');
  return null;
}

function asEd25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  return key;
}

/** Throws when the text is not an Ed25519 private key in one of the accepted forms. */
export function parseAnchorPrivateKey(text: string): KeyObject {
  if (text.includes('-----BEGIN')) return asEd25519(crypto.createPrivateKey({ key: text.replace(/\\n/g, '\n'), format: 'pem' }));
  const seed = raw32(text);
  if (!seed) throw new Error('must be an Ed25519 private key: PKCS#8 PEM, or its 32-byte seed in hex or base64');
  return crypto.createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: 'der', type: 'pkcs8' });
}

/** Throws when the text is not an Ed25519 public key in one of the accepted forms. */
export function parseAnchorPublicKey(text: string): KeyObject {
  if (text.includes('-----BEGIN')) return asEd25519(crypto.createPublicKey({ key: text.replace(/\\n/g, '\n'), format: 'pem' }));
  const bytes = raw32(text);
  if (!bytes) throw new Error('must be an Ed25519 public key: SPKI PEM, or its 32 bytes in hex or base64');
  return crypto.createPublicKey({ key: Buffer.concat([spkiPrefix, bytes]), format: 'der', type: 'spki' });
}

/** The public key's 32 raw bytes in base64url: what `lantern audit public-key` prints. */
export function publicKeyText(key: KeyObject): string {
  return key.export({ format: 'der', type: 'spki' }).subarray(spkiPrefix.length).toString('base64url');
}

export function keyFingerprint(publicKey: KeyObject): string {
  return crypto.createHash('sha256').update(publicKeyText(publicKey)).digest('hex').slice(0, 16);
}

function keysFrom(signing: KeyObject | null, verifying: KeyObject): AnchorKeys {
  return { signing, verifying, fingerprint: keyFingerprint(verifying) };
}

export class AnchorKeyError extends Error {}

/** The part of the configuration (config/config.ts's Config) the anchor keys come from. */
export interface AnchorKeySettings {
  env: string;
  dataDir: string;
  auditAnchor: { key: string | undefined; publicKey: string | undefined };
}

/**
 * The anchor keys the configuration gives. Outside production, with no key configured, the key is
 * made once and kept in the data folder (mode 0600) when `create` is set, like the cookie secret;
 * production never reads or writes that file. Null when there is no key at all.
 */
export function anchorKeysFor(config: AnchorKeySettings, options: { create: boolean }): AnchorKeys | null {
  const { key, publicKey } = config.auditAnchor;
  const verifying = publicKey ? parseAnchorPublicKey(publicKey) : null;
  if (key) {
    const signing = parseAnchorPrivateKey(key);
    return keysFrom(signing, verifying ?? crypto.createPublicKey(signing));
  }
  if (verifying) return keysFrom(null, verifying);
  if (config.env === 'production') return null;
  const file = path.join(config.dataDir, 'audit-anchor-key');
  if (!fs.existsSync(file)) {
    if (!options.create) return null;
    fs.mkdirSync(config.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const signing = parseAnchorPrivateKey(fs.readFileSync(file, 'utf8'));
  return keysFrom(signing, crypto.createPublicKey(signing));
}

/** The keys for writing anchors: a signing key is required (made outside production if need be). */
export function signingKeysFor(config: AnchorKeySettings): AnchorKeys & { signing: KeyObject } {
  const keys = anchorKeysFor(config, { create: true });
  if (!keys?.signing) {
    throw new AnchorKeyError('LANTERN_AUDIT_ANCHOR_KEY: required to anchor the audit trail (a public key alone can only verify)');
  }
  return keys as AnchorKeys & { signing: KeyObject };
}
