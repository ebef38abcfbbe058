import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/**
 * Envelope for secrets at rest (TOTP seeds, OATH token secrets): AES-256-GCM with a 12-byte random
 * IV and the 16-byte tag packed into the ciphertext (`iv | ciphertext | tag`). The AAD binds a
 * ciphertext to its row (e.g. `device:<tenantId>:<userId>:<deviceId>`), so a ciphertext copied to
 * another row does not open. Each ciphertext names its key id: rotating keys means adding a new
 * active key and keeping the old ones until every row is re-sealed.
 */
export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    keys: ReadonlyMap<string, Buffer>,
    readonly activeKeyId: string,
  ) {
    if (keys.size === 0) throw new SecretBoxError('SecretBox needs at least one key');
    for (const [id, key] of keys) {
      if (key.length !== KEY_BYTES) throw new SecretBoxError(`key "${id}" must be ${KEY_BYTES} bytes`);
    }
    if (!keys.has(activeKeyId)) throw new SecretBoxError(`the active key "${activeKeyId}" is not among the keys`);
    this.keys = new Map(keys);
  }

  seal(plaintext: Buffer, aad: string): { keyId: string; ciphertext: Buffer } {
    const key = this.keys.get(this.activeKeyId) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId: this.activeKeyId, ciphertext: Buffer.concat([iv, body, cipher.getAuthTag()]) };
  }

  /**
   * A key for one purpose (e.g. hashing one-time codes), derived from the active key with HKDF:
   * no extra secret to configure, and a different purpose never yields the same key.
   */
  derive(purpose: string): Buffer {
    return Buffer.from(
      hkdfSync('sha256', this.keys.get(this.activeKeyId) as Buffer, Buffer.alloc(0), `twofold:${purpose}`, 32),
    );
  }

  /** Throws SecretBoxError when the key is unknown, the AAD differs or the ciphertext was altered. */
  open(keyId: string, ciphertext: Buffer, aad: string): Buffer {
    const key = this.keys.get(keyId);
    if (!key) throw new SecretBoxError(`unknown key id "${keyId}"`);
    if (ciphertext.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('ciphertext is too short');
    const iv = ciphertext.subarray(0, IV_BYTES);
    const tag = ciphertext.subarray(ciphertext.length - TAG_BYTES);
    const body = ciphertext.subarray(IV_BYTES, ciphertext.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new SecretBoxError('the ciphertext does not open with this key and AAD');
    }
  }
}

/**
 * Parses `keyId:base64-32-bytes[,keyId:base64-32-bytes…]` (the SECRETS_KEYS format). Returns the
 * keys, or the list of problems (never the key material).
 */
export function parseKeyList(value: string): { keys: Map<string, Buffer>; problems: string[] } {
  const keys = new Map<string, Buffer>();
  const problems: string[] = [];
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) problems.push('must list at least one key as keyId:base64');
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const material = colon > 0 ? entry.slice(colon + 1) : '';
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      problems.push(`entry ${i + 1} must be keyId:base64 with a key id of 1-32 letters, digits, _ or -`);
      return;
    }
    const key = Buffer.from(material, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(material) || key.length !== KEY_BYTES) {
      problems.push(`key "${id}" must be ${KEY_BYTES} bytes in base64`);
      return;
    }
    if (keys.has(id)) problems.push(`key id "${id}" appears twice`);
    keys.set(id, key);
  });
  return { keys, problems };
}
