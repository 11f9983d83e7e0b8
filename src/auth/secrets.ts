import crypto from 'node:crypto';

/**
 * Encrypts TOTP secrets at rest (security review M6) with AES-256-GCM under a key from the
 * environment (LANTERN_SECRETS_KEY), which the database never holds: a copy of the database alone
 * gives nobody a working second factor. The account's id is bound in as associated data, so a
 * sealed secret copied onto another account does not open.
 */
export class SecretBox {
  private static readonly prefix = 'v1.';

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the secrets key must be 32 bytes');
  }

  static isSealed(value: string): boolean {
    return value.startsWith(SecretBox.prefix);
  }

  seal(accountId: string, plaintext: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(accountId, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${SecretBox.prefix}${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The plaintext, or null when the value was not sealed by this key for this account. */
  open(accountId: string, sealed: string): string | null {
    if (!SecretBox.isSealed(sealed)) return null;
    const raw = Buffer.from(sealed.slice(SecretBox.prefix.length), 'base64url');
    if (raw.length < 12 + 16 + 1) return null;
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(accountId, 'utf8'));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
